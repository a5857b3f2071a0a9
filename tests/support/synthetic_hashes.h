// Synthetic PDQ-like hashes for index tests and benchmarks.
//
// Real PDQ hashes are balanced (a median threshold sets 128 of 256 bits)
// and banks hold clusters of near-duplicates (re-encodes, crops, resizes of
// one picture). Uniform random bits would flatter an index on both counts,
// so these generators make balanced hashes, perturb them by an exact
// number of bit flips that keeps the balance, and build banks where a share
// of entries sits in clusters around a few centres.
#ifndef REMPART_TESTS_SUPPORT_SYNTHETIC_HASHES_H_
#define REMPART_TESTS_SUPPORT_SYNTHETIC_HASHES_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <random>
#include <vector>

#include "rempart/hash/pdq_hash.h"

namespace rempart::testing {

using Rng = std::mt19937_64;

// A hash with exactly 128 bits set, uniformly among such hashes.
inline hash::PdqHash BalancedHash(Rng& rng) {
  std::array<std::uint64_t, 4> words{rng(), rng(), rng(), rng()};
  hash::PdqHash result(words);
  int ones = result.popcount();
  std::uniform_int_distribution<int> bit(0, 255);
  while (ones != 128) {
    const int k = bit(rng);
    const bool set = result.bit(k);
    if (set == (ones > 128)) {
      words[static_cast<std::size_t>(k >> 6)] ^= std::uint64_t{1} << (k & 63);
      result = hash::PdqHash(words);
      ones += set ? -1 : 1;
    }
  }
  return result;
}

// `hash` with exactly `distance` distinct bits flipped; when `distance` is
// even and the hash has room, half the flips clear bits and half set bits,
// so a balanced hash stays balanced.
inline hash::PdqHash FlipBits(const hash::PdqHash& hash, int distance,
                              Rng& rng) {
  std::array<int, 256> order{};
  for (int k = 0; k < 256; ++k) order[static_cast<std::size_t>(k)] = k;
  std::shuffle(order.begin(), order.end(), rng);
  std::array<std::uint64_t, 4> words = hash.words();
  int clear = distance / 2;
  int set = distance - clear;
  int flipped = 0;
  for (int k : order) {
    if (flipped == distance) break;
    const bool is_set = hash.bit(k);
    if (is_set && clear > 0) {
      --clear;
    } else if (!is_set && set > 0) {
      --set;
    } else {
      continue;
    }
    words[static_cast<std::size_t>(k >> 6)] ^= std::uint64_t{1} << (k & 63);
    ++flipped;
  }
  for (int k : order) {  // Unbalanced leftovers (all-ones or -zeros input).
    if (flipped == distance) break;
    const std::uint64_t mask = std::uint64_t{1} << (k & 63);
    if (((words[static_cast<std::size_t>(k >> 6)] ^
          hash.words()[static_cast<std::size_t>(k >> 6)]) &
         mask) == 0) {
      words[static_cast<std::size_t>(k >> 6)] ^= mask;
      ++flipped;
    }
  }
  return hash::PdqHash(words);
}

struct BankShape {
  // Chance that a fresh hash seeds a cluster of near-duplicates; 0.01 with
  // clusters of 2–64 puts about a quarter of the entries in clusters.
  double cluster_chance = 0.01;
  int max_cluster_size = 64;
  // Cluster members lie within this distance of their centre.
  int cluster_spread = 40;
};

// `count` balanced hashes shaped like a real bank.
inline std::vector<hash::PdqHash> SyntheticBank(std::size_t count, Rng& rng,
                                                const BankShape& shape = {}) {
  std::vector<hash::PdqHash> bank;
  bank.reserve(count);
  std::uniform_real_distribution<double> unit(0, 1);
  std::uniform_int_distribution<int> size(2, shape.max_cluster_size);
  std::uniform_int_distribution<int> spread(0, shape.cluster_spread);
  while (bank.size() < count) {
    const hash::PdqHash centre = BalancedHash(rng);
    bank.push_back(centre);
    if (unit(rng) < shape.cluster_chance) {
      const int members = size(rng);
      for (int m = 1; m < members && bank.size() < count; ++m) {
        bank.push_back(FlipBits(centre, spread(rng), rng));
      }
    }
  }
  std::shuffle(bank.begin(), bank.end(), rng);
  return bank;
}

}  // namespace rempart::testing

#endif  // REMPART_TESTS_SUPPORT_SYNTHETIC_HASHES_H_
