// Popcount scans: the exact baseline and the flat index's engine.
//
// Hashes are stored transposed in blocks of eight (word w of entries
// 0…7 side by side), so one AVX-512 register holds the same word of eight
// entries and four XOR + VPOPCNTQ + ADD give eight distances at once. A
// batch of queries is compared against a cache-sized chunk of blocks before
// moving on, so memory is read once per batch rather than once per query,
// and the kernel compares four queries per load.
//
// Dispatch is at run time: AVX-512 VPOPCNTDQ when the CPU has it, otherwise
// a portable loop (hardware POPCNT where available). Both give identical
// results; tests run both.
#ifndef REMPART_INDEX_SCAN_H_
#define REMPART_INDEX_SCAN_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "rempart/hash/pdq_hash.h"
#include "rempart/index/index.h"

namespace rempart::index {

struct alignas(64) HashBlock {
  static constexpr int kEntries = 8;
  std::uint64_t words[4][kEntries];
};

// Lays out `hashes` as ceil(n / 8) blocks; the unused slots of the last
// block are zero (callers bound results by the entry count).
std::vector<HashBlock> ToBlocks(std::span<const hash::PdqHash> hashes);

enum class ScanKernel : std::uint8_t { kPortable, kAvx512 };

// The fastest kernel this CPU runs.
ScanKernel BestScanKernel();
bool ScanKernelSupported(ScanKernel kernel);

// For every query q, appends to results[q] a Match{ids[i], distance} for
// each entry i < count within `radius`. `ids` may be empty, meaning id = i.
// Results are appended in entry order, unsorted across calls.
void ScanBatch(ScanKernel kernel, std::span<const HashBlock> blocks,
               std::size_t count, std::span<const EntryId> ids,
               std::span<const hash::PdqHash> queries, int radius,
               std::span<std::vector<Match>> results);

}  // namespace rempart::index

#endif  // REMPART_INDEX_SCAN_H_
