#include "rempart/index/live_index.h"

#include <algorithm>
#include <iterator>
#include <new>
#include <unordered_map>

#include "index/flat_index.h"

namespace rempart::index {

namespace {

// An index of `kind` over `entries`; null when it cannot be built.
std::shared_ptr<const Index> BuildIndex(const std::string& kind,
                                        std::span<const PdqEntry> entries) {
  std::vector<hash::PdqHash> hashes;
  std::vector<EntryId> ids;
  hashes.reserve(entries.size());
  ids.reserve(entries.size());
  for (const PdqEntry& entry : entries) {
    hashes.push_back(entry.hash);
    ids.push_back(entry.id);
  }
  auto built = MakeIndex(kind, hashes, ids);
  if (!built) return nullptr;
  return {std::move(*built)};
}

}  // namespace

struct LiveIndex::Snapshot {
  // Bumped by Load(): a merge that started on an older generation is void.
  std::uint64_t generation = 0;
  std::shared_ptr<const Index> base;
  std::shared_ptr<const ExactIndex> exact_base;
  // Additions since the base was built, in order, and indexes over them.
  std::vector<PdqEntry> delta;
  std::shared_ptr<const Index> delta_index;  // Flat.
  std::vector<DigestEntry> exact_delta;
  std::shared_ptr<const ExactIndex> exact_delta_index;
  // Revoked ids not yet merged away, sorted.
  std::vector<EntryId> revoked;

  [[nodiscard]] bool IsRevoked(EntryId id) const {
    return std::binary_search(revoked.begin(), revoked.end(), id);
  }
  void RebuildDeltas() {
    delta_index = delta.empty() ? nullptr : BuildIndex("flat", delta);
    exact_delta_index = exact_delta.empty()
                            ? nullptr
                            : std::make_shared<const ExactIndex>(exact_delta);
  }
  // Drops revoked matches and restores the distance-then-id order.
  void Finish(std::vector<Match>& matches) const {
    if (!revoked.empty()) {
      std::erase_if(matches, [&](const Match& m) { return IsRevoked(m.id); });
    }
    SortMatches(matches);
  }
};

LiveIndex::LiveIndex(LiveOptions options) : options_(std::move(options)) {
  auto empty = std::make_shared<Snapshot>();
  empty->base = BuildIndex("flat", {});
  empty->exact_base = std::make_shared<const ExactIndex>();
  snapshot_ = std::move(empty);
  if (options_.background_merge) {
    merger_ =
        std::jthread([this](const std::stop_token& stop) { MergeLoop(stop); });
  }
}

LiveIndex::~LiveIndex() {
  if (merger_.joinable()) {
    merger_.request_stop();
    merge_wake_.notify_all();
    merger_.join();
  }
}

std::shared_ptr<const LiveIndex::Snapshot> LiveIndex::Current() const {
  std::lock_guard lock(snapshot_mutex_);
  return snapshot_;
}

void LiveIndex::Publish(std::shared_ptr<const Snapshot> next) {
  std::shared_ptr<const Snapshot> previous;
  {
    std::lock_guard lock(snapshot_mutex_);
    previous = std::exchange(snapshot_, std::move(next));
  }
  // `previous` may be the last owner of a big base: freed here, outside the
  // lock readers take.
}

bool LiveIndex::MergeDue(const Snapshot& snapshot) const {
  return snapshot.delta.size() >= options_.merge_threshold ||
         snapshot.exact_delta.size() >= options_.merge_threshold ||
         snapshot.revoked.size() >= options_.merge_threshold;
}

Status LiveIndex::Load(std::span<const PdqEntry> pdq,
                       std::span<const DigestEntry> digests) {
  auto next = std::make_shared<Snapshot>();
  next->base = BuildIndex(options_.kind, pdq);
  if (!next->base) {
    return ResourceExhaustedError("live index: cannot build an index of " +
                                  std::to_string(pdq.size()) + " entries");
  }
  try {
    next->exact_base = std::make_shared<const ExactIndex>(digests);
  } catch (const std::bad_alloc&) {
    return ResourceExhaustedError("live index: out of memory for " +
                                  std::to_string(digests.size()) + " digests");
  }
  std::lock_guard writer(writer_mutex_);
  next->generation = Current()->generation + 1;
  Publish(std::move(next));
  return OkStatus();
}

void LiveIndex::RequestMerge() {
  if (!options_.background_merge) {
    MergeAndSwap();
    return;
  }
  { std::lock_guard lock(merge_mutex_); }  // No wake-up lost to the waiter.
  merge_wake_.notify_one();
}

void LiveIndex::Add(std::span<const PdqEntry> pdq,
                    std::span<const DigestEntry> digests) {
  bool due = false;
  {
    std::lock_guard writer(writer_mutex_);
    auto next = std::make_shared<Snapshot>(*Current());
    next->delta.insert(next->delta.end(), pdq.begin(), pdq.end());
    next->exact_delta.insert(next->exact_delta.end(), digests.begin(),
                             digests.end());
    next->RebuildDeltas();
    due = MergeDue(*next);
    Publish(std::move(next));
  }
  if (due) RequestMerge();
}

void LiveIndex::Revoke(std::span<const EntryId> ids) {
  bool due = false;
  {
    std::lock_guard writer(writer_mutex_);
    auto next = std::make_shared<Snapshot>(*Current());
    std::vector<EntryId> added(ids.begin(), ids.end());
    std::sort(added.begin(), added.end());
    std::vector<EntryId> merged;
    std::set_union(next->revoked.begin(), next->revoked.end(), added.begin(),
                   added.end(), std::back_inserter(merged));
    merged.erase(std::unique(merged.begin(), merged.end()), merged.end());
    next->revoked = std::move(merged);
    due = MergeDue(*next);
    Publish(std::move(next));
  }
  if (due) RequestMerge();
}

std::shared_ptr<LiveIndex::Snapshot> LiveIndex::Merge(
    const Snapshot& from) const {
  std::vector<PdqEntry> entries;
  entries.reserve(from.base->size() + from.delta.size());
  from.base->ForEachEntry([&](const hash::PdqHash& hash, EntryId id) {
    if (!from.IsRevoked(id)) entries.push_back(PdqEntry{hash, id});
  });
  for (const PdqEntry& entry : from.delta) {
    if (!from.IsRevoked(entry.id)) entries.push_back(entry);
  }
  std::vector<DigestEntry> digests;
  digests.reserve(from.exact_base->size() + from.exact_delta.size());
  from.exact_base->ForEach([&](const DigestEntry& entry) {
    if (!from.IsRevoked(entry.id)) digests.push_back(entry);
  });
  for (const DigestEntry& entry : from.exact_delta) {
    if (!from.IsRevoked(entry.id)) digests.push_back(entry);
  }
  auto merged = std::make_shared<Snapshot>();
  merged->generation = from.generation;
  merged->base = BuildIndex(options_.kind, entries);
  if (!merged->base) return nullptr;
  merged->exact_base = std::make_shared<const ExactIndex>(digests);
  return merged;
}

void LiveIndex::MergeAndSwap() {
  std::shared_ptr<const Snapshot> start;
  {
    std::lock_guard writer(writer_mutex_);
    start = Current();
  }
  std::shared_ptr<Snapshot> merged;
  try {
    merged = Merge(*start);
  } catch (const std::bad_alloc&) {
    merged = nullptr;  // Keep serving the unmerged snapshot.
  }
  if (!merged) return;
  std::lock_guard writer(writer_mutex_);
  const auto now = Current();
  if (now->generation != start->generation) return;  // Load() replaced all.
  // Carry over what changed while the merge was building: deltas only grow
  // between merges, so the new part is their tail.
  merged->delta.assign(
      now->delta.begin() + static_cast<std::ptrdiff_t>(start->delta.size()),
      now->delta.end());
  merged->exact_delta.assign(
      now->exact_delta.begin() +
          static_cast<std::ptrdiff_t>(start->exact_delta.size()),
      now->exact_delta.end());
  std::set_difference(now->revoked.begin(), now->revoked.end(),
                      start->revoked.begin(), start->revoked.end(),
                      std::back_inserter(merged->revoked));
  merged->RebuildDeltas();
  Publish(std::move(merged));
  std::lock_guard lock(merge_mutex_);
  ++merges_;
}

void LiveIndex::MergeLoop(const std::stop_token& stop) {
  while (!stop.stop_requested()) {
    {
      std::unique_lock lock(merge_mutex_);
      if (!merge_wake_.wait(lock, stop, [&] { return MergeDue(*Current()); })) {
        return;  // Stop requested.
      }
      merging_ = true;
    }
    try {
      MergeAndSwap();
    } catch (...) {  // A merge failure must not end the process.
    }
    {
      std::lock_guard lock(merge_mutex_);
      merging_ = false;
    }
    merge_done_.notify_all();
  }
}

void LiveIndex::WaitForMerges() {
  if (!options_.background_merge) return;
  std::unique_lock lock(merge_mutex_);
  merge_done_.wait(lock, [&] { return !merging_ && !MergeDue(*Current()); });
}

std::vector<Match> LiveIndex::Search(const hash::PdqHash& query,
                                     int radius) const {
  const auto snapshot = Current();
  std::vector<Match> matches = snapshot->base->Search(query, radius);
  if (snapshot->delta_index) {
    auto recent = snapshot->delta_index->Search(query, radius);
    matches.insert(matches.end(), recent.begin(), recent.end());
  }
  snapshot->Finish(matches);
  return matches;
}

std::vector<std::vector<Match>> LiveIndex::SearchBatch(
    std::span<const hash::PdqHash> queries, int radius) const {
  const auto snapshot = Current();
  auto results = snapshot->base->SearchBatch(queries, radius);
  if (snapshot->delta_index) {
    auto recent = snapshot->delta_index->SearchBatch(queries, radius);
    for (std::size_t q = 0; q < queries.size(); ++q) {
      results[q].insert(results[q].end(), recent[q].begin(), recent[q].end());
    }
  }
  for (auto& matches : results) snapshot->Finish(matches);
  return results;
}

std::vector<Match> LiveIndex::SearchAny(std::span<const hash::PdqHash> variants,
                                        int radius) const {
  std::unordered_map<EntryId, int> best;
  for (const auto& matches : SearchBatch(variants, radius)) {
    for (const Match& match : matches) {
      auto [slot, inserted] = best.try_emplace(match.id, match.distance);
      if (!inserted) slot->second = std::min(slot->second, match.distance);
    }
  }
  std::vector<Match> merged;
  merged.reserve(best.size());
  for (const auto& [id, distance] : best) merged.push_back(Match{id, distance});
  SortMatches(merged);
  return merged;
}

std::vector<EntryId> LiveIndex::FindExact(const Digest& digest) const {
  const auto snapshot = Current();
  std::vector<EntryId> ids = snapshot->exact_base->Find(digest);
  if (snapshot->exact_delta_index) {
    auto recent = snapshot->exact_delta_index->Find(digest);
    ids.insert(ids.end(), recent.begin(), recent.end());
  }
  std::erase_if(ids, [&](EntryId id) { return snapshot->IsRevoked(id); });
  std::sort(ids.begin(), ids.end());
  return ids;
}

void LiveIndex::ForEachLive(
    const std::function<void(const PdqEntry&)>& pdq,
    const std::function<void(const DigestEntry&)>& digest) const {
  const auto snapshot = Current();
  snapshot->base->ForEachEntry([&](const hash::PdqHash& hash, EntryId id) {
    if (!snapshot->IsRevoked(id)) pdq(PdqEntry{hash, id});
  });
  for (const PdqEntry& entry : snapshot->delta) {
    if (!snapshot->IsRevoked(entry.id)) pdq(entry);
  }
  snapshot->exact_base->ForEach([&](const DigestEntry& entry) {
    if (!snapshot->IsRevoked(entry.id)) digest(entry);
  });
  for (const DigestEntry& entry : snapshot->exact_delta) {
    if (!snapshot->IsRevoked(entry.id)) digest(entry);
  }
}

LiveStats LiveIndex::stats() const {
  const auto snapshot = Current();
  LiveStats stats;
  stats.base_entries = snapshot->base->size();
  stats.delta_entries = snapshot->delta.size();
  stats.revoked_pending = snapshot->revoked.size();
  stats.digests = snapshot->exact_base->size() + snapshot->exact_delta.size();
  stats.memory_bytes =
      snapshot->base->memory_bytes() + snapshot->exact_base->memory_bytes() +
      (snapshot->delta_index ? snapshot->delta_index->memory_bytes() : 0) +
      (snapshot->exact_delta_index ? snapshot->exact_delta_index->memory_bytes()
                                   : 0);
  {
    std::lock_guard lock(merge_mutex_);
    stats.merges = merges_;
  }
  return stats;
}

}  // namespace rempart::index
