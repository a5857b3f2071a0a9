// Matcher: every bank of a store, in memory, ready to match.
//
// On Open() each bank's active entries are loaded into a LiveIndex — from
// the bank's snapshot file when there is a valid one (then brought up to
// date from the store's change log), from the store otherwise. Refresh()
// applies what changed in the store since (new entries, revocations).
// Matches come back with the stored entry, so callers can show who
// verified what.
//
// Thread-safe: matching from many threads at once; Refresh() and
// SaveSnapshots() may run alongside matches. The Store must outlive the
// Matcher.
#ifndef REMPART_MATCH_MATCHER_H_
#define REMPART_MATCH_MATCHER_H_

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <vector>

#include "rempart/core/result.h"
#include "rempart/hash/pdq_hash.h"
#include "rempart/hash/vpdq.h"
#include "rempart/index/live_index.h"
#include "rempart/match/patch_index.h"
#include "rempart/store/entry.h"
#include "rempart/store/store.h"

namespace rempart::match {

class VideoIndex;

struct MatcherOptions {
  // Where bank snapshots are read and written; empty: no snapshots.
  std::filesystem::path snapshot_dir;
  index::LiveOptions live;
};

struct Hit {
  std::string bank;
  store::Entry entry;
  int distance = 0;  // Hamming distance for PDQ; 0 for exact signals.
  // When a picture matched a frame of a video entry (a screenshot of the
  // video): that frame, the closest of the video's usable frames.
  std::optional<hash::VpdqFrame> frame;
  // When the second stage found the picture (MatchPatches): how many of its
  // patches agreed on one geometry; `distance` is then the largest patch
  // distance among them. Unset for a PDQ, frame or digest match.
  std::optional<int> patch_group;
  // When the second stage found it by a centred crop (hash::CentredCrop),
  // its patches short of the group asked: the bank crop's keep, the part
  // of each side it holds; `distance` is then the crops' distance.
  std::optional<float> crop_keep{};
};

// A video entry sharing frames with a query video.
struct VideoHit {
  std::string bank;
  store::Entry entry;  // Its frames included.
  hash::VpdqComparison comparison;
  int best_distance = 0;  // Smallest distance between two matched frames.
};

// How one bank was loaded (for logs and for the start-up benchmark).
struct BankLoad {
  std::string bank;
  std::size_t entries = 0;
  bool from_snapshot = false;
  std::size_t changes_applied = 0;  // From the store's change log.
  double seconds = 0;
  std::string snapshot_problem;  // Why a snapshot was not used, if one existed.
};

// Appends `more` to `hits`, keeping one hit per (bank, entry): for callers
// that match one picture several ways (PDQ variants, its digests, the
// second stage). A first-stage hit (PDQ, frame, digest) wins over a
// second-stage one; between two of a kind, the smaller distance (the larger
// patch group for the second stage).
void MergeHits(std::vector<Hit>& hits, std::vector<Hit> more);

// The order hits are shown in: first-stage hits (PDQ, frame, digest) by
// distance, then the second stage's by group, largest first; ties by bank
// and entry id.
void SortHits(std::vector<Hit>& hits);

// What one bank holds in memory (for metrics).
struct BankSize {
  std::string bank;
  std::size_t pdq = 0;             // Live PDQ entries.
  std::size_t exact = 0;           // MD5 and SHA-256 entries.
  std::size_t videos = 0;          // Live vPDQ entries.
  std::size_t video_frames = 0;    // Their frames.
  std::size_t patch_pictures = 0;  // Live entries with a patch signature.
  std::size_t memory_bytes = 0;
};

class Matcher {
 public:
  static Result<std::unique_ptr<Matcher>> Open(store::Store& store,
                                               MatcherOptions options = {});
  ~Matcher();
  Matcher(const Matcher&) = delete;
  Matcher& operator=(const Matcher&) = delete;

  // Entries within `radius` of any of `variants` (one hash, or the eight
  // dihedral variants of one picture), in the named banks or all banks when
  // `banks` is empty; each entry once, with its smallest distance, sorted by
  // distance. Video entries count too, through their usable frames
  // (quality ≥ hash::kPdqMinUsefulQuality): their hit names the frame.
  // NotFound for an unknown bank name; InvalidArgument for a radius outside
  // 0…index::kMaxRadius.
  Result<std::vector<Hit>> MatchPdq(std::span<const hash::PdqHash> variants,
                                    int radius,
                                    std::span<const std::string> banks = {});
  // A signal of any kind: PDQ within `radius`, digests exactly.
  // InvalidArgument for a vPDQ signal: videos match by their frames
  // (MatchVideo).
  Result<std::vector<Hit>> MatchSignal(const store::Signal& signal, int radius,
                                       std::span<const std::string> banks = {});

  // Video entries sharing frames with `query` through the banks' frame
  // indexes (no per-video comparison), with both percentages: those that
  // match under `options` (comparison.match), or every candidate when
  // `all_candidates` is set. Sorted by query percentage, then target
  // percentage, descending. The percentages equal hash::CompareVpdq's.
  // NotFound for an unknown bank; InvalidArgument for a distance outside
  // 0…index::kMaxRadius, a quality threshold outside 0…101 or percentages
  // outside 0…100.
  Result<std::vector<VideoHit>> MatchVideo(
      std::span<const hash::VpdqFrame> query,
      const hash::VpdqMatchOptions& options,
      std::span<const std::string> banks = {}, bool all_candidates = false);

  // The second stage: the PDQ entries whose patch signatures `query` shows
  // (hashed with hash::QueryPatchOptions()), cropped, framed, captioned,
  // screenshotted or turned — the copies PDQ misses. Each entry once, with
  // patch_group set (≥ options.min_group; or less with crop_keep set, found
  // by a centred crop of the query within options.crop_radius of one of the
  // entry's), largest group first. Only
  // entries stored with a signature can be found this way. Costs a scan of
  // every stored patch of the selected banks (patch_index.h): see
  // docs/ROBUSTNESS.md. With the query's `probe` (hash::PatchHasher::
  // Sign()), a picture short of min_group is looked at again where its
  // layout says (PatchMatchOptions::guided). NotFound for an unknown bank;
  // InvalidArgument for a radius outside 0…256 or a min_group below 1.
  Result<std::vector<Hit>> MatchPatches(
      const hash::PatchSignature& query, const PatchMatchOptions& options = {},
      std::span<const std::string> banks = {},
      const hash::PatchProbe* probe = nullptr);

  // Applies the store's changes since the last load or refresh; picks up
  // banks created since.
  Status Refresh();
  // Writes each bank's snapshot (atomically: temporary file, fsync,
  // rename). FailedPrecondition-like InvalidArgument without snapshot_dir.
  Status SaveSnapshots();

  [[nodiscard]] const std::vector<BankLoad>& loads() const { return loads_; }
  [[nodiscard]] std::vector<std::string> bank_names() const;
  [[nodiscard]] std::vector<BankSize> bank_sizes() const;

 private:
  struct LoadedBank {
    std::unique_ptr<index::LiveIndex> live;
    std::unique_ptr<VideoIndex> videos;
    // The signatures of its PDQ entries that have one, behind their own
    // lock: refreshes write, matches read.
    PatchIndex patches;
    mutable std::shared_mutex patches_mutex;
    std::int64_t revision = 0;  // Store revision the bank reflects.
  };

  Matcher(store::Store& store, MatcherOptions options);
  Status LoadBank(const std::string& name);
  Status CatchUp(const std::string& name, LoadedBank& bank,
                 std::size_t& applied);
  // Whether `entry` (an active PDQ entry with a signature, from the change
  // log) is in `bank` already — it took its signature after it was loaded —
  // so that only the signature is added, not its hash a second time.
  static bool Signed(const LoadedBank& bank, const store::Entry& entry);
  Result<std::vector<LoadedBank*>> Select(std::span<const std::string> banks,
                                          std::vector<std::string>& names);
  Result<std::vector<Hit>> ToHits(
      const std::vector<std::string>& names,
      const std::vector<std::vector<index::Match>>& per_bank);

  store::Store& store_;
  MatcherOptions options_;
  // Serialises Refresh() and SaveSnapshots(), the only writers of the
  // indexes and revisions.
  std::mutex refresh_mutex_;
  mutable std::mutex mutex_;  // Guards banks_ (the map, not the indexes).
  std::map<std::string, std::unique_ptr<LoadedBank>> banks_;
  std::vector<BankLoad> loads_;
};

}  // namespace rempart::match

#endif  // REMPART_MATCH_MATCHER_H_
