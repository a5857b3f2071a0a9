#include "rempart/index/index.h"

#include <algorithm>
#include <limits>
#include <new>
#include <string>
#include <thread>

#include "index/flat_index.h"
#include "index/mih_index.h"

namespace rempart::index {

Result<std::unique_ptr<Index>> MakeIndex(std::string_view kind,
                                         std::span<const hash::PdqHash> hashes,
                                         std::span<const EntryId> ids) {
  if (ids.size() != hashes.size()) {
    return InvalidArgumentError("index: " + std::to_string(hashes.size()) +
                                " hashes but " + std::to_string(ids.size()) +
                                " ids");
  }
  if (hashes.size() >= std::numeric_limits<std::uint32_t>::max()) {
    return ResourceExhaustedError("index: more than 2^32 - 1 entries");
  }
  if (kind == "auto") kind = hashes.size() < kFlatMaxEntries ? "flat" : "mih";
  try {
    if (kind == "flat")
      return std::unique_ptr<Index>(new FlatIndex(hashes, ids));
    if (kind == "mih") return std::unique_ptr<Index>(new MihIndex(hashes, ids));
  } catch (const std::bad_alloc&) {
    return ResourceExhaustedError("index: out of memory building a " +
                                  std::string(kind) + " index of " +
                                  std::to_string(hashes.size()) + " entries");
  }
  return InvalidArgumentError("index: unknown kind '" + std::string(kind) +
                              "' (expected flat, mih or auto)");
}

std::vector<std::vector<Match>> SearchParallel(
    const Index& index, std::span<const hash::PdqHash> queries, int radius,
    int threads) {
  if (threads <= 0) {
    threads =
        std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  }
  const std::size_t slices =
      std::min<std::size_t>(static_cast<std::size_t>(threads), queries.size());
  if (slices <= 1) return index.SearchBatch(queries, radius);
  std::vector<std::vector<Match>> results(queries.size());
  std::vector<std::thread> pool;
  const std::size_t per_slice = (queries.size() + slices - 1) / slices;
  for (std::size_t first = 0; first < queries.size(); first += per_slice) {
    const std::size_t count = std::min(per_slice, queries.size() - first);
    pool.emplace_back([&, first, count] {
      auto slice = index.SearchBatch(queries.subspan(first, count), radius);
      std::move(slice.begin(), slice.end(),
                results.begin() + static_cast<std::ptrdiff_t>(first));
    });
  }
  for (auto& thread : pool) thread.join();
  return results;
}

}  // namespace rempart::index
