// FlatIndex: the exact baseline — every query compared with every entry by
// the SIMD scan of scan.h. Used for small banks (below kFlatMaxEntries),
// as the live delta of a LiveIndex, and as the reference that the MIH is
// tested and benchmarked against. Immutable; thread-safe.
#ifndef REMPART_INDEX_FLAT_INDEX_H_
#define REMPART_INDEX_FLAT_INDEX_H_

#include <span>
#include <string_view>
#include <vector>

#include "index/scan.h"
#include "rempart/index/index.h"

namespace rempart::index {

class FlatIndex final : public Index {
 public:
  FlatIndex(std::span<const hash::PdqHash> hashes, std::span<const EntryId> ids,
            ScanKernel kernel = BestScanKernel());

  [[nodiscard]] std::vector<Match> Search(const hash::PdqHash& query,
                                          int radius) const override;
  [[nodiscard]] std::vector<std::vector<Match>> SearchBatch(
      std::span<const hash::PdqHash> queries, int radius) const override;
  void ForEachEntry(const std::function<void(const hash::PdqHash&, EntryId)>&
                        fn) const override;
  [[nodiscard]] std::size_t size() const override { return count_; }
  [[nodiscard]] std::size_t memory_bytes() const override;
  [[nodiscard]] std::string_view kind() const override { return "flat"; }

 private:
  ScanKernel kernel_;
  std::size_t count_;
  std::vector<HashBlock> blocks_;
  std::vector<EntryId> ids_;
};

// Sorts by distance, then id: the order every Index returns.
void SortMatches(std::vector<Match>& matches);

}  // namespace rempart::index

#endif  // REMPART_INDEX_FLAT_INDEX_H_
