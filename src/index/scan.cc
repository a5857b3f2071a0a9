#include "index/scan.h"

#include <immintrin.h>

#include <algorithm>
#include <bit>
#include <cassert>

namespace rempart::index {
namespace {

// Blocks per chunk: 512 blocks × 256 bytes = 128 KiB, well inside L2, so a
// chunk stays cached while every query of the batch passes over it.
constexpr std::size_t kChunkBlocks = 512;

inline void Emit(std::vector<Match>& out, std::span<const EntryId> ids,
                 std::size_t entry, int distance) {
  out.push_back(
      Match{ids.empty() ? static_cast<EntryId>(entry) : ids[entry], distance});
}

__attribute__((target("popcnt"))) void ScanPortable(
    std::span<const HashBlock> blocks, std::size_t count,
    std::span<const EntryId> ids, std::span<const hash::PdqHash> queries,
    int radius, std::span<std::vector<Match>> results) {
  for (std::size_t chunk = 0; chunk < blocks.size(); chunk += kChunkBlocks) {
    const std::size_t chunk_end = std::min(blocks.size(), chunk + kChunkBlocks);
    for (std::size_t q = 0; q < queries.size(); ++q) {
      const auto& words = queries[q].words();
      for (std::size_t b = chunk; b < chunk_end; ++b) {
        const HashBlock& block = blocks[b];
        for (int lane = 0; lane < HashBlock::kEntries; ++lane) {
          const int distance = std::popcount(block.words[0][lane] ^ words[0]) +
                               std::popcount(block.words[1][lane] ^ words[1]) +
                               std::popcount(block.words[2][lane] ^ words[2]) +
                               std::popcount(block.words[3][lane] ^ words[3]);
          const std::size_t entry = b * HashBlock::kEntries + lane;
          if (distance <= radius && entry < count) {
            Emit(results[q], ids, entry, distance);
          }
        }
      }
    }
  }
}

#define REMPART_AVX512 __attribute__((target("avx512f,avx512vpopcntdq")))

REMPART_AVX512 inline __m512i Distances(const HashBlock& block,
                                        const __m512i (&query)[4]) {
  __m512i sum = _mm512_popcnt_epi64(
      _mm512_xor_si512(_mm512_load_si512(block.words[0]), query[0]));
  for (int w = 1; w < 4; ++w) {
    sum = _mm512_add_epi64(sum,
                           _mm512_popcnt_epi64(_mm512_xor_si512(
                               _mm512_load_si512(block.words[w]), query[w])));
  }
  return sum;
}

REMPART_AVX512 void EmitMask(__mmask8 mask, __m512i distances,
                             std::size_t block, std::size_t count,
                             std::span<const EntryId> ids,
                             std::vector<Match>& out) {
  alignas(64) std::uint64_t lanes[8];
  _mm512_store_si512(lanes, distances);
  while (mask != 0) {
    const int lane = std::countr_zero(static_cast<unsigned>(mask));
    mask &= static_cast<__mmask8>(mask - 1);
    const std::size_t entry = block * HashBlock::kEntries + lane;
    if (entry < count) Emit(out, ids, entry, static_cast<int>(lanes[lane]));
  }
}

REMPART_AVX512 void ScanAvx512(std::span<const HashBlock> blocks,
                               std::size_t count, std::span<const EntryId> ids,
                               std::span<const hash::PdqHash> queries,
                               int radius,
                               std::span<std::vector<Match>> results) {
  const __m512i limit = _mm512_set1_epi64(radius);
  constexpr std::size_t kGroup = 4;  // Queries compared per block load.
  for (std::size_t chunk = 0; chunk < blocks.size(); chunk += kChunkBlocks) {
    const std::size_t chunk_end = std::min(blocks.size(), chunk + kChunkBlocks);
    std::size_t q = 0;
    for (; q + kGroup <= queries.size(); q += kGroup) {
      __m512i query[kGroup][4];
      for (std::size_t g = 0; g < kGroup; ++g) {
        for (int w = 0; w < 4; ++w) {
          query[g][w] = _mm512_set1_epi64(
              static_cast<long long>(queries[q + g].words()[w]));
        }
      }
      for (std::size_t b = chunk; b < chunk_end; ++b) {
        const HashBlock& block = blocks[b];
        __m512i data[4];
        for (int w = 0; w < 4; ++w) data[w] = _mm512_load_si512(block.words[w]);
        for (std::size_t g = 0; g < kGroup; ++g) {
          __m512i sum =
              _mm512_popcnt_epi64(_mm512_xor_si512(data[0], query[g][0]));
          for (int w = 1; w < 4; ++w) {
            sum = _mm512_add_epi64(sum, _mm512_popcnt_epi64(_mm512_xor_si512(
                                            data[w], query[g][w])));
          }
          const __mmask8 mask = _mm512_cmple_epu64_mask(sum, limit);
          if (mask != 0) EmitMask(mask, sum, b, count, ids, results[q + g]);
        }
      }
    }
    for (; q < queries.size(); ++q) {
      __m512i query[4];
      for (int w = 0; w < 4; ++w) {
        query[w] =
            _mm512_set1_epi64(static_cast<long long>(queries[q].words()[w]));
      }
      for (std::size_t b = chunk; b < chunk_end; ++b) {
        const __m512i sum = Distances(blocks[b], query);
        const __mmask8 mask = _mm512_cmple_epu64_mask(sum, limit);
        if (mask != 0) EmitMask(mask, sum, b, count, ids, results[q]);
      }
    }
  }
}

}  // namespace

std::vector<HashBlock> ToBlocks(std::span<const hash::PdqHash> hashes) {
  std::vector<HashBlock> blocks((hashes.size() + HashBlock::kEntries - 1) /
                                HashBlock::kEntries);
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    HashBlock& block = blocks[i / HashBlock::kEntries];
    for (int w = 0; w < 4; ++w) {
      block.words[w][i % HashBlock::kEntries] = hashes[i].words()[w];
    }
  }
  return blocks;
}

bool ScanKernelSupported(ScanKernel kernel) {
  switch (kernel) {
    case ScanKernel::kPortable:
      return true;
    case ScanKernel::kAvx512:
      return __builtin_cpu_supports("avx512f") != 0 &&
             __builtin_cpu_supports("avx512vpopcntdq") != 0;
  }
  return false;
}

ScanKernel BestScanKernel() {
  static const ScanKernel best = ScanKernelSupported(ScanKernel::kAvx512)
                                     ? ScanKernel::kAvx512
                                     : ScanKernel::kPortable;
  return best;
}

void ScanBatch(ScanKernel kernel, std::span<const HashBlock> blocks,
               std::size_t count, std::span<const EntryId> ids,
               std::span<const hash::PdqHash> queries, int radius,
               std::span<std::vector<Match>> results) {
  assert(results.size() == queries.size());
  assert(count <= blocks.size() * HashBlock::kEntries);
  assert(ids.empty() || ids.size() >= count);
  if (kernel == ScanKernel::kAvx512) {
    ScanAvx512(blocks, count, ids, queries, radius, results);
  } else {
    ScanPortable(blocks, count, ids, queries, radius, results);
  }
}

}  // namespace rempart::index
