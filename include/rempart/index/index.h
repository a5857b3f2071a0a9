// Index: every stored PDQ hash within a Hamming radius of a query.
//
// A platform checks each upload against every verified hash, so this is
// Rempart's hot path, and a miss must never come from the index: every
// implementation returns *all* entries within the radius, with their
// distances (checked against a plain scan by randomized tests).
//
// Two implementations, chosen by MakeIndex:
//   "flat" — a SIMD popcount scan over all hashes (AVX-512 when the CPU has
//            it). Best for small banks and the exact baseline for big ones.
//   "mih"  — multi-index hashing: the 256 bits are cut into substrings, each
//            with a table of who has which substring value; by the
//            pigeonhole principle a hash within the radius is within a small
//            distance of the query on at least one substring, so only those
//            table cells are visited (docs/INDEX.md).
//   "auto" — flat below kFlatMaxEntries entries, mih above.
//
// An Index is immutable once built and safe to query from many threads at
// once. Entries are identified by caller-chosen EntryIds.
#ifndef REMPART_INDEX_INDEX_H_
#define REMPART_INDEX_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "rempart/core/result.h"
#include "rempart/hash/pdq_hash.h"

namespace rempart::index {

using EntryId = std::uint32_t;

struct Match {
  EntryId id = 0;
  int distance = 0;  // Hamming distance to the query, 0…256.
  friend bool operator==(const Match&, const Match&) = default;
};

// PDQ's match radius (distance ≤ 31) and the largest radius an index
// accepts. Search cost grows quickly with the radius; 48 is the widest the
// field uses for recall studies.
inline constexpr int kDefaultRadius = hash::kPdqMatchDistance;
inline constexpr int kMaxRadius = 64;

// Below this many entries "auto" builds a flat index: a scan of a few
// megabytes beats any table lookup (bench/index_bench.cc).
inline constexpr std::size_t kFlatMaxEntries = 65536;

class Index {
 public:
  virtual ~Index() = default;

  // Every entry within `radius` (0…kMaxRadius) of `query`, sorted by
  // distance, then id.
  [[nodiscard]] virtual std::vector<Match> Search(const hash::PdqHash& query,
                                                  int radius) const = 0;

  // Search() for each query; results[i] answers queries[i]. Faster per query
  // than separate calls (the flat scan reads memory once per batch; the MIH
  // keeps more memory accesses in flight). One thread: run batches on
  // several threads to use several cores (SearchParallel).
  [[nodiscard]] virtual std::vector<std::vector<Match>> SearchBatch(
      std::span<const hash::PdqHash> queries, int radius) const = 0;

  // Calls fn(hash, id) for every entry, in no particular order (used to
  // merge indexes and to write snapshots).
  virtual void ForEachEntry(
      const std::function<void(const hash::PdqHash&, EntryId)>& fn) const = 0;

  [[nodiscard]] virtual std::size_t size() const = 0;
  // Bytes of memory the index holds, everything included.
  [[nodiscard]] virtual std::size_t memory_bytes() const = 0;
  // "flat" or "mih".
  [[nodiscard]] virtual std::string_view kind() const = 0;
};

// Builds an index of kind "flat", "mih" or "auto" over `hashes`, entry i
// having id ids[i] (ids.size() == hashes.size(); ids need not be unique or
// sorted). InvalidArgument for an unknown kind or mismatched sizes;
// ResourceExhausted above 2^32 − 1 entries.
Result<std::unique_ptr<Index>> MakeIndex(std::string_view kind,
                                         std::span<const hash::PdqHash> hashes,
                                         std::span<const EntryId> ids);

// Splits `queries` over `threads` threads (0: all cores), each running
// SearchBatch on a slice. Same results as index.SearchBatch.
std::vector<std::vector<Match>> SearchParallel(
    const Index& index, std::span<const hash::PdqHash> queries, int radius,
    int threads = 0);

}  // namespace rempart::index

#endif  // REMPART_INDEX_INDEX_H_
