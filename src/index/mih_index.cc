// Multi-index hashing, and how it is made fast.
//
// Parameters. With N entries and a part of w bits, a table cell holds about
// N / 2^w entries. Probing a part with threshold t visits V(w, t) = Σ_{k≤t}
// C(w, k) cells, each a cache miss, and fetches about V(w, t) · N / 2^w
// candidate hashes, each another miss. ChooseParts tries every part count
// whose widths stay within kMaxPartWidth (a 64 MiB offset table) and keeps
// the cheapest for the PDQ radius, 31; Plan() then spends the radius budget
// Σ(t_i + 1) = r + 1 greedily on the part where one more threshold step
// costs least. For 10M entries that is 11 parts of 23–24 bits with
// thresholds 2 (one part 1): about 2,900 cells and 2,900 candidates per
// query instead of 10M comparisons.
//
// Memory. The hashes (32 bytes) and ids (4) are kept once, in the caller's
// order. Each table stores positions bit-packed at ceil(log2 N) bits (27 at
// 100M) plus 2^w + 1 four-byte offsets, so 100M entries take about
// 32 + 4 + 11 · 27/8 + 11 · 4 · 2^23.3 / 10^8 ≈ 78 bytes each.
//
// Speed. A probe is a dependent chain: offsets → positions → hash. Doing
// the chain for one probe at a time waits for memory three times per probe;
// instead every stage runs over all probes of a group of queries, with a
// software prefetch kPrefetchDistance items ahead, so dozens of misses are
// in flight at once (memory-level parallelism). The arrays live on huge
// pages so the misses are not also TLB misses.
#include "index/mih_index.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cassert>
#include <cmath>
#include <cstring>
#include <limits>
#include <thread>

#include "index/flat_index.h"

namespace rempart::index {
namespace {

// How far ahead each stage prefetches, and into which cache level. Measured
// at 10M entries (docs/PERFORMANCE.md): prefetching into L2 (locality 2)
// rather than L1 lets more misses be in flight at once, and about a hundred
// items ahead covers memory latency; 32 ahead into L1 was 1.6× slower.
constexpr std::size_t kPrefetchDistance = 96;
constexpr int kPrefetchLocality = 2;
// Queries whose stages are interleaved by SearchBatch.
constexpr std::size_t kGroupSize = 8;
// A full scan compares an entry in about a nanosecond; a probe or a
// candidate costs a cache miss, about this many times more.
constexpr double kMissCostInScans = 12.0;

inline std::uint32_t PartKey(const hash::PdqHash& hash, const MihPart& part) {
  const auto& words = hash.words();
  const int word = part.offset >> 6;
  const int shift = part.offset & 63;
  std::uint64_t value = words[word] >> shift;
  if (shift + part.width > 64) value |= words[word + 1] << (64 - shift);
  return static_cast<std::uint32_t>(value &
                                    ((std::uint64_t{1} << part.width) - 1));
}

// Σ_{k ≤ t} C(w, k): the cells within distance t of a w-bit value.
double BallSize(int width, int threshold) {
  double total = 0;
  double term = 1;
  for (int k = 0; k <= threshold && k <= width; ++k) {
    total += term;
    term = term * (width - k) / (k + 1);
  }
  return total;
}

double PartCost(int width, int threshold, std::size_t entries) {
  if (threshold < 0) return 0;
  return BallSize(width, threshold) *
         (1.0 + static_cast<double>(entries) / std::ldexp(1.0, width));
}

// Greedy thresholds for `radius` and their cost (probes + candidates).
std::vector<int> PlanThresholds(const std::vector<MihPart>& parts,
                                std::size_t entries, int radius, double& cost) {
  std::vector<int> thresholds(parts.size(), -1);
  int budget = 0;
  while (budget < radius + 1) {
    std::size_t best = 0;
    double best_step = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (thresholds[i] >= parts[i].width) continue;
      const double step = PartCost(parts[i].width, thresholds[i] + 1, entries) -
                          PartCost(parts[i].width, thresholds[i], entries);
      if (step < best_step) {
        best_step = step;
        best = i;
      }
    }
    if (best_step == std::numeric_limits<double>::infinity()) break;
    ++thresholds[best];
    ++budget;
  }
  cost = 0;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    cost += PartCost(parts[i].width, thresholds[i], entries);
  }
  return thresholds;
}

std::vector<MihPart> EvenParts(int count) {
  std::vector<MihPart> parts(static_cast<std::size_t>(count));
  int offset = 0;
  for (int i = 0; i < count; ++i) {
    const int width = 256 / count + (i < 256 % count ? 1 : 0);
    parts[static_cast<std::size_t>(i)] = MihPart{offset, width};
    offset += width;
  }
  return parts;
}

// Every value within `threshold` bits of `key` (w bits), each once.
template <typename Emit>
void ForEachNeighbour(std::uint32_t key, int width, int first_bit,
                      int threshold, const Emit& emit) {
  emit(key);
  if (threshold == 0) return;
  for (int bit = first_bit; bit < width; ++bit) {
    ForEachNeighbour(key ^ (std::uint32_t{1} << bit), width, bit + 1,
                     threshold - 1, emit);
  }
}

int Threads(int requested) {
  if (requested > 0) return requested;
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

struct Probe {
  std::uint32_t key;
  std::uint16_t table;
  std::uint16_t query;
};
struct Range {
  std::uint32_t begin;
  std::uint32_t end;
  std::uint16_t table;
  std::uint16_t query;
};
struct Candidate {
  std::uint32_t position;
  std::uint16_t table;
  std::uint16_t query;
};
struct Scratch {
  std::vector<Probe> probes;
  std::vector<Range> ranges;
  std::vector<Candidate> candidates;
};

}  // namespace

std::vector<MihPart> MihIndex::ChooseParts(std::size_t entries) {
  const int min_count = (256 + kMaxPartWidth - 1) / kMaxPartWidth;
  std::vector<MihPart> best;
  double best_cost = std::numeric_limits<double>::infinity();
  for (int count = min_count; count <= 32; ++count) {
    std::vector<MihPart> parts = EvenParts(count);
    double cost = 0;
    PlanThresholds(parts, std::max<std::size_t>(entries, 1), kDefaultRadius,
                   cost);
    // Each extra table also costs memory; prefer fewer on near ties.
    if (cost < best_cost * 0.97) {
      best_cost = cost;
      best = std::move(parts);
    }
  }
  return best;
}

MihIndex::MihIndex(std::span<const hash::PdqHash> hashes,
                   std::span<const EntryId> ids, std::vector<MihPart> parts,
                   int threads)
    : parts_(parts.empty() ? ChooseParts(hashes.size()) : std::move(parts)),
      hashes_(hashes.size()),
      ids_(ids.size()),
      tables_(parts_.size()) {
  assert(ids.size() == hashes.size());
  assert(hashes.size() < (std::uint64_t{1} << 32));
  std::copy(hashes.begin(), hashes.end(), hashes_.data());
  std::copy(ids.begin(), ids.end(), ids_.data());
  position_bits_ = hashes.size() <= 1
                       ? 1
                       : static_cast<int>(std::bit_width(hashes.size() - 1));

  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t part = next++; part < parts_.size(); part = next++) {
      BuildTable(part);
    }
  };
  const int workers =
      std::min(Threads(threads), static_cast<int>(parts_.size()));
  std::vector<std::thread> pool;
  for (int i = 1; i < workers; ++i) pool.emplace_back(worker);
  worker();
  for (auto& thread : pool) thread.join();

  for (int radius = 0; radius <= kMaxRadius; ++radius) {
    Plan& plan = plans_[static_cast<std::size_t>(radius)];
    double cost = 0;
    plan.thresholds = PlanThresholds(parts_, size(), radius, cost);
    plan.scan = cost * kMissCostInScans > static_cast<double>(size());
  }
}

// A counting sort of the entries by part value, in two steps so that every
// write stream stays cache-friendly: first by the high bits into at most
// 4,096 buckets, then each bucket (a few thousand entries) by the low bits
// in cache, writing the offsets and the packed positions in order. A direct
// scatter into the final arrays costs a cache miss per entry per table.
void MihIndex::BuildTable(std::size_t part_index) {
  const MihPart& part = parts_[part_index];
  Table& table = tables_[part_index];
  const std::size_t count = hashes_.size();
  const int high_bits = std::max(0, part.width - 12);
  const int low_bits = part.width - high_bits;
  const std::size_t buckets = std::size_t{1} << high_bits;
  const std::size_t low_cells = std::size_t{1} << low_bits;

  // Step 1: (position, key) pairs grouped by the key's high bits.
  std::vector<std::uint32_t> bucket_start(buckets + 1, 0);
  for (std::size_t i = 0; i < count; ++i) {
    ++bucket_start[(PartKey(hashes_[i], part) >> low_bits) + 1];
  }
  for (std::size_t b = 0; b < buckets; ++b) {
    bucket_start[b + 1] += bucket_start[b];
  }
  struct Item {
    std::uint32_t position;
    std::uint32_t key;
  };
  std::vector<Item> grouped(count);
  {
    std::vector<std::uint32_t> cursor(bucket_start.begin(),
                                      bucket_start.end() - 1);
    for (std::size_t i = 0; i < count; ++i) {
      const std::uint32_t key = PartKey(hashes_[i], part);
      grouped[cursor[key >> low_bits]++] =
          Item{static_cast<std::uint32_t>(i), key};
    }
  }

  // Step 2: within each bucket, by the low bits.
  table.offsets = HugeArray<std::uint32_t>((std::size_t{1} << part.width) + 1);
  // One padding word so Position() may always load 8 bytes.
  table.packed = HugeArray<std::uint64_t>(
      (count * static_cast<std::size_t>(position_bits_) + 63) / 64 + 1);
  std::uint32_t* offsets = table.offsets.data();
  auto* bytes = reinterpret_cast<unsigned char*>(table.packed.data());
  std::vector<std::uint32_t> local(low_cells + 1);
  std::vector<std::uint32_t> sorted;
  const auto low_mask = static_cast<std::uint32_t>(low_cells - 1);
  for (std::size_t b = 0; b < buckets; ++b) {
    const std::uint32_t first = bucket_start[b];
    const std::uint32_t last = bucket_start[b + 1];
    std::fill(local.begin(), local.end(), 0);
    for (std::uint32_t k = first; k < last; ++k) {
      ++local[(grouped[k].key & low_mask) + 1];
    }
    for (std::size_t cell = 0; cell < low_cells; ++cell) {
      local[cell + 1] += local[cell];
      offsets[(b << low_bits) + cell] = first + local[cell];
    }
    sorted.resize(last - first);
    for (std::uint32_t k = first; k < last; ++k) {
      sorted[local[grouped[k].key & low_mask]++] = grouped[k].position;
    }
    for (std::uint32_t k = 0; k < last - first; ++k) {
      const std::size_t bit =
          (std::size_t{first} + k) * static_cast<std::size_t>(position_bits_);
      std::uint64_t word = 0;
      std::memcpy(&word, bytes + bit / 8, sizeof(word));
      word |= static_cast<std::uint64_t>(sorted[k]) << (bit % 8);
      std::memcpy(bytes + bit / 8, &word, sizeof(word));
    }
  }
  offsets[std::size_t{1} << part.width] = static_cast<std::uint32_t>(count);
}

std::uint32_t MihIndex::Position(const Table& table, std::size_t slot) const {
  const std::size_t bit = slot * static_cast<std::size_t>(position_bits_);
  std::uint64_t word = 0;
  std::memcpy(
      &word,
      reinterpret_cast<const unsigned char*>(table.packed.data()) + bit / 8,
      sizeof(word));
  return static_cast<std::uint32_t>((word >> (bit % 8)) &
                                    ((std::uint64_t{1} << position_bits_) - 1));
}

void MihIndex::Scan(const hash::PdqHash& query, int radius,
                    std::vector<Match>& out) const {
  for (std::size_t i = 0; i < hashes_.size(); ++i) {
    const int distance = hash::Distance(hashes_[i], query);
    if (distance <= radius) out.push_back(Match{ids_[i], distance});
  }
}

void MihIndex::SearchGroup(std::span<const hash::PdqHash> queries, int radius,
                           std::span<std::vector<Match>> results) const {
  const Plan& plan = plans_[static_cast<std::size_t>(radius)];
  if (plan.scan) {
    for (std::size_t q = 0; q < queries.size(); ++q) {
      Scan(queries[q], radius, results[q]);
    }
    return;
  }
  const std::vector<int>& thresholds = plan.thresholds;
  thread_local Scratch scratch;
  auto& probes = scratch.probes;
  auto& ranges = scratch.ranges;
  auto& candidates = scratch.candidates;
  probes.clear();
  ranges.clear();
  candidates.clear();

  // Stage 1: the cells to visit.
  for (std::size_t q = 0; q < queries.size(); ++q) {
    for (std::size_t t = 0; t < parts_.size(); ++t) {
      if (thresholds[t] < 0) continue;
      const MihPart& part = parts_[t];
      ForEachNeighbour(
          PartKey(queries[q], part), part.width, 0, thresholds[t],
          [&](std::uint32_t key) {
            probes.push_back(Probe{key, static_cast<std::uint16_t>(t),
                                   static_cast<std::uint16_t>(q)});
          });
    }
  }
  // Stage 2: cell → range of slots.
  for (std::size_t k = 0; k < probes.size(); ++k) {
    if (k + kPrefetchDistance < probes.size()) {
      const Probe& ahead = probes[k + kPrefetchDistance];
      __builtin_prefetch(tables_[ahead.table].offsets.data() + ahead.key, 0,
                         kPrefetchLocality);
    }
    const Probe& probe = probes[k];
    const std::uint32_t* offsets = tables_[probe.table].offsets.data();
    const std::uint32_t begin = offsets[probe.key];
    const std::uint32_t end = offsets[probe.key + 1];
    if (begin != end)
      ranges.push_back(Range{begin, end, probe.table, probe.query});
  }
  // Stage 3: slots → entry positions.
  for (std::size_t r = 0; r < ranges.size(); ++r) {
    if (r + kPrefetchDistance < ranges.size()) {
      const Range& ahead = ranges[r + kPrefetchDistance];
      __builtin_prefetch(
          reinterpret_cast<const unsigned char*>(
              tables_[ahead.table].packed.data()) +
              ahead.begin * static_cast<std::size_t>(position_bits_) / 8,
          0, kPrefetchLocality);
    }
    const Range& range = ranges[r];
    const Table& table = tables_[range.table];
    for (std::uint32_t slot = range.begin; slot < range.end; ++slot) {
      candidates.push_back(
          Candidate{Position(table, slot), range.table, range.query});
    }
  }
  // Stage 4: full distance, and report each match from its first part only.
  for (std::size_t c = 0; c < candidates.size(); ++c) {
    if (c + kPrefetchDistance < candidates.size()) {
      __builtin_prefetch(
          hashes_.data() + candidates[c + kPrefetchDistance].position, 0,
          kPrefetchLocality);
    }
    const Candidate& candidate = candidates[c];
    const hash::PdqHash& entry = hashes_[candidate.position];
    const hash::PdqHash& query = queries[candidate.query];
    const int distance = hash::Distance(entry, query);
    if (distance > radius) continue;
    bool first = true;
    for (std::size_t t = 0; t < candidate.table && first; ++t) {
      first = thresholds[t] < 0 ||
              std::popcount(PartKey(entry, parts_[t]) ^
                            PartKey(query, parts_[t])) > thresholds[t];
    }
    if (first) {
      results[candidate.query].push_back(
          Match{ids_[candidate.position], distance});
    }
  }
}

std::vector<Match> MihIndex::Search(const hash::PdqHash& query,
                                    int radius) const {
  assert(radius >= 0 && radius <= kMaxRadius);
  std::vector<Match> matches;
  SearchGroup({&query, 1}, radius, {&matches, 1});
  SortMatches(matches);
  return matches;
}

std::vector<std::vector<Match>> MihIndex::SearchBatch(
    std::span<const hash::PdqHash> queries, int radius) const {
  assert(radius >= 0 && radius <= kMaxRadius);
  std::vector<std::vector<Match>> results(queries.size());
  for (std::size_t first = 0; first < queries.size(); first += kGroupSize) {
    const std::size_t count = std::min(kGroupSize, queries.size() - first);
    SearchGroup(queries.subspan(first, count), radius,
                std::span(results).subspan(first, count));
  }
  for (auto& matches : results) SortMatches(matches);
  return results;
}

void MihIndex::ForEachEntry(
    const std::function<void(const hash::PdqHash&, EntryId)>& fn) const {
  for (std::size_t i = 0; i < hashes_.size(); ++i) fn(hashes_[i], ids_[i]);
}

std::size_t MihIndex::memory_bytes() const {
  std::size_t bytes =
      sizeof(*this) + hashes_.memory_bytes() + ids_.memory_bytes();
  for (const Table& table : tables_) {
    bytes += table.offsets.memory_bytes() + table.packed.memory_bytes();
  }
  return bytes;
}

}  // namespace rempart::index
