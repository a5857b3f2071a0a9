// MihIndex: multi-index hashing over 256-bit PDQ hashes, exact.
//
// The hash is cut into m contiguous substrings ("parts") of w_i bits, and
// each part gets a table mapping every w_i-bit value to the entries that
// have it (counting-sorted offsets + bit-packed entry positions). For a
// radius r, a query picks a threshold t_i per part with Σ(t_i + 1) ≥ r + 1:
// any entry within r of the query is then within t_i of it on at least one
// part (if every part differed by t_i + 1 or more the total would exceed r),
// so visiting, in each table, the cells of all values within t_i of the
// query's part finds every match. Each candidate's full distance is then
// checked, and it is reported only from the first part that could find it,
// so no match is reported twice. docs/INDEX.md explains the parameters.
//
// Memory and time: widths near log2(entries) keep cells near one entry;
// thresholds are chosen per radius by a cost model (probes + candidates).
// Candidates are fetched through a software-pipelined loop that keeps many
// cache misses in flight. Immutable once built; thread-safe.
#ifndef REMPART_INDEX_MIH_INDEX_H_
#define REMPART_INDEX_MIH_INDEX_H_

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "index/huge_array.h"
#include "rempart/index/index.h"

namespace rempart::index {

struct MihPart {
  int offset = 0;  // First bit (0…255).
  int width = 0;   // Bits, 1…kMaxPartWidth.
};

class MihIndex final : public Index {
 public:
  static constexpr int kMaxPartWidth = 24;

  // The part layout used for `entries` entries (see the .cc's cost model).
  static std::vector<MihPart> ChooseParts(std::size_t entries);

  // Builds with ChooseParts(hashes.size()), or `parts` when not empty (they
  // must tile bits 0…255 in order). Uses up to `threads` threads (0: all
  // cores). Throws std::bad_alloc when memory runs out.
  MihIndex(std::span<const hash::PdqHash> hashes, std::span<const EntryId> ids,
           std::vector<MihPart> parts = {}, int threads = 0);

  [[nodiscard]] std::vector<Match> Search(const hash::PdqHash& query,
                                          int radius) const override;
  [[nodiscard]] std::vector<std::vector<Match>> SearchBatch(
      std::span<const hash::PdqHash> queries, int radius) const override;
  void ForEachEntry(const std::function<void(const hash::PdqHash&, EntryId)>&
                        fn) const override;
  [[nodiscard]] std::size_t size() const override { return hashes_.size(); }
  [[nodiscard]] std::size_t memory_bytes() const override;
  [[nodiscard]] std::string_view kind() const override { return "mih"; }

  [[nodiscard]] const std::vector<MihPart>& parts() const { return parts_; }
  // Per-part thresholds used for `radius` (−1: part not probed).
  [[nodiscard]] const std::vector<int>& thresholds(int radius) const {
    return plans_.at(static_cast<std::size_t>(radius)).thresholds;
  }

 private:
  struct Table {
    HugeArray<std::uint32_t> offsets;  // 2^width + 1 prefix sums.
    HugeArray<std::uint64_t> packed;   // Positions, position_bits_ each.
  };
  struct Plan {
    std::vector<int> thresholds;
    bool scan = false;  // Cheaper to compare every entry.
  };

  void BuildTable(std::size_t part);
  [[nodiscard]] std::uint32_t Position(const Table& table,
                                       std::size_t slot) const;
  void SearchGroup(std::span<const hash::PdqHash> queries, int radius,
                   std::span<std::vector<Match>> results) const;
  void Scan(const hash::PdqHash& query, int radius,
            std::vector<Match>& out) const;

  std::vector<MihPart> parts_;
  HugeArray<hash::PdqHash> hashes_;
  HugeArray<EntryId> ids_;
  std::vector<Table> tables_;
  int position_bits_ = 1;
  std::array<Plan, kMaxRadius + 1> plans_;
};

}  // namespace rempart::index

#endif  // REMPART_INDEX_MIH_INDEX_H_
