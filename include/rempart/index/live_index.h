// LiveIndex: one bank's signals, searchable while entries are added and
// revoked.
//
// Searches read an immutable snapshot: a large base index (MIH or flat), a
// small flat delta of recent additions, exact-digest tables for both, and
// the set of revoked ids still physically present. Add() and Revoke()
// build a new snapshot (cost proportional to the delta, not the bank) and
// publish it before they return, so a change is visible to every search
// that starts afterwards, and searches already running finish on the
// snapshot they started with: writers never block readers. When the delta
// or the revoked set passes LiveOptions::merge_threshold a background
// thread rebuilds the base without the revoked entries and with the delta
// folded in, then swaps it in; changes made meanwhile are carried over.
//
// Thread-safe: any number of concurrent searches, writers serialised.
#ifndef REMPART_INDEX_LIVE_INDEX_H_
#define REMPART_INDEX_LIVE_INDEX_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "rempart/index/exact_index.h"
#include "rempart/index/index.h"

namespace rempart::index {

struct PdqEntry {
  hash::PdqHash hash;
  EntryId id = 0;
};

struct LiveOptions {
  // Index kind for the base ("auto", "mih", "flat").
  std::string kind = "auto";
  // Delta entries, or revoked ids, that trigger a background merge.
  std::size_t merge_threshold = 65536;
  // False: merges run inside Add()/Revoke() instead (tests, tools).
  bool background_merge = true;
};

struct LiveStats {
  std::size_t base_entries = 0;
  std::size_t delta_entries = 0;
  std::size_t revoked_pending = 0;  // Revoked, not yet merged away.
  std::size_t digests = 0;
  std::size_t merges = 0;
  std::size_t memory_bytes = 0;
};

class LiveIndex {
 public:
  explicit LiveIndex(LiveOptions options = {});
  ~LiveIndex();
  LiveIndex(const LiveIndex&) = delete;
  LiveIndex& operator=(const LiveIndex&) = delete;

  // Replaces the whole content (start-up: from the store or a snapshot).
  // ResourceExhausted when the index cannot be built.
  Status Load(std::span<const PdqEntry> pdq,
              std::span<const DigestEntry> digests);
  // Makes entries searchable; visible to searches started after return.
  // Ids are the caller's (a store's entry ids), never reused.
  void Add(std::span<const PdqEntry> pdq, std::span<const DigestEntry> digests);
  // Revoked ids never match again, from the moment this returns.
  void Revoke(std::span<const EntryId> ids);

  // As Index::Search, over everything live.
  [[nodiscard]] std::vector<Match> Search(const hash::PdqHash& query,
                                          int radius) const;
  [[nodiscard]] std::vector<std::vector<Match>> SearchBatch(
      std::span<const hash::PdqHash> queries, int radius) const;
  // Several hashes of one picture (its eight dihedral variants) as one
  // query: each matching entry once, with its smallest distance.
  [[nodiscard]] std::vector<Match> SearchAny(
      std::span<const hash::PdqHash> variants, int radius) const;
  // Live entries with this digest, ascending.
  [[nodiscard]] std::vector<EntryId> FindExact(const Digest& digest) const;

  // Every live (not revoked) entry, in no particular order: for snapshots.
  void ForEachLive(const std::function<void(const PdqEntry&)>& pdq,
                   const std::function<void(const DigestEntry&)>& digest) const;

  [[nodiscard]] LiveStats stats() const;
  // Blocks until no merge is due or running (tests, orderly shutdown).
  void WaitForMerges();

 private:
  struct Snapshot;

  [[nodiscard]] std::shared_ptr<const Snapshot> Current() const;
  void Publish(std::shared_ptr<const Snapshot> next);
  [[nodiscard]] bool MergeDue(const Snapshot& snapshot) const;
  // Builds a merged snapshot of `from` (no locks held while building).
  [[nodiscard]] std::shared_ptr<Snapshot> Merge(const Snapshot& from) const;
  // Wakes the merger, or merges here when merges are not in the background.
  void RequestMerge();
  void MergeAndSwap();
  void MergeLoop(const std::stop_token& stop);

  LiveOptions options_;
  mutable std::mutex snapshot_mutex_;  // Guards snapshot_ (pointer copy only).
  std::shared_ptr<const Snapshot> snapshot_;
  std::mutex writer_mutex_;  // Serialises Add, Revoke, Load and merge swaps.
  mutable std::mutex merge_mutex_;
  std::condition_variable_any merge_wake_;
  std::condition_variable_any merge_done_;
  bool merging_ = false;
  std::size_t merges_ = 0;
  std::jthread merger_;
};

}  // namespace rempart::index

#endif  // REMPART_INDEX_LIVE_INDEX_H_
