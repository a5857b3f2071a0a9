#include "index/flat_index.h"

#include <algorithm>
#include <cassert>

namespace rempart::index {

void SortMatches(std::vector<Match>& matches) {
  std::sort(matches.begin(), matches.end(), [](const Match& a, const Match& b) {
    return a.distance != b.distance ? a.distance < b.distance : a.id < b.id;
  });
}

FlatIndex::FlatIndex(std::span<const hash::PdqHash> hashes,
                     std::span<const EntryId> ids, ScanKernel kernel)
    : kernel_(kernel),
      count_(hashes.size()),
      blocks_(ToBlocks(hashes)),
      ids_(ids.begin(), ids.end()) {
  assert(ids.size() == hashes.size());
  assert(ScanKernelSupported(kernel));
}

std::vector<Match> FlatIndex::Search(const hash::PdqHash& query,
                                     int radius) const {
  std::vector<Match> matches;
  ScanBatch(kernel_, blocks_, count_, ids_, {&query, 1}, radius, {&matches, 1});
  SortMatches(matches);
  return matches;
}

std::vector<std::vector<Match>> FlatIndex::SearchBatch(
    std::span<const hash::PdqHash> queries, int radius) const {
  std::vector<std::vector<Match>> results(queries.size());
  ScanBatch(kernel_, blocks_, count_, ids_, queries, radius, results);
  for (auto& matches : results) SortMatches(matches);
  return results;
}

void FlatIndex::ForEachEntry(
    const std::function<void(const hash::PdqHash&, EntryId)>& fn) const {
  for (std::size_t i = 0; i < count_; ++i) {
    const HashBlock& block = blocks_[i / HashBlock::kEntries];
    const std::size_t lane = i % HashBlock::kEntries;
    fn(hash::PdqHash({block.words[0][lane], block.words[1][lane],
                      block.words[2][lane], block.words[3][lane]}),
       ids_[i]);
  }
}

std::size_t FlatIndex::memory_bytes() const {
  return sizeof(*this) + blocks_.capacity() * sizeof(HashBlock) +
         ids_.capacity() * sizeof(EntryId);
}

}  // namespace rempart::index
