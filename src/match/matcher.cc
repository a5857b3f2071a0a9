#include "rempart/match/matcher.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <unordered_map>

#include "match/snapshot.h"
#include "match/video_index.h"

namespace rempart::match {
namespace {

// Index ids are 32-bit; store ids beyond that cannot be indexed.
Result<index::EntryId> ToIndexId(std::int64_t id) {
  if (id <= 0 || id > std::numeric_limits<index::EntryId>::max()) {
    return ResourceExhaustedError("entry id " + std::to_string(id) +
                                  " does not fit the index's 32-bit ids");
  }
  return static_cast<index::EntryId>(id);
}

index::Digest ToDigest(const store::Signal& signal) {
  index::Digest digest;
  digest.kind = signal.kind() == store::SignalKind::kMd5
                    ? index::DigestKind::kMd5
                    : index::DigestKind::kSha256;
  std::copy(signal.bytes().begin(), signal.bytes().end(), digest.bytes.begin());
  return digest;
}

// The index form of active entries: PDQ, digests, videos and patch
// signatures.
struct Staged {
  std::vector<index::PdqEntry> pdq;
  std::vector<index::DigestEntry> digests;
  std::vector<std::int64_t> video_ids;
  std::vector<std::vector<hash::VpdqFrame>> video_frames;
  std::vector<std::pair<std::int64_t, hash::PatchSignature>> signatures;

  Status Add(const store::Entry& entry) {
    const store::Signal& signal = entry.input.signal;
    if (entry.input.patches) {
      signatures.emplace_back(entry.id, *entry.input.patches);
    }
    if (signal.kind() == store::SignalKind::kVpdq) {
      video_ids.push_back(entry.id);
      video_frames.push_back(entry.input.frames);
      return OkStatus();
    }
    auto id = ToIndexId(entry.id);
    if (!id) return id.error();
    if (signal.kind() == store::SignalKind::kPdq) {
      pdq.push_back(index::PdqEntry{signal.pdq(), *id});
    } else {
      digests.push_back(index::DigestEntry{ToDigest(signal), *id});
    }
    return OkStatus();
  }

  Status AddVideosTo(VideoIndex& videos) const {
    std::vector<VideoInput> inputs;
    inputs.reserve(video_ids.size());
    for (std::size_t i = 0; i < video_ids.size(); ++i) {
      inputs.push_back({video_ids[i], video_frames[i]});
    }
    return videos.Add(inputs);
  }

  void AddSignaturesTo(PatchIndex& index) const {
    for (const auto& [id, signature] : signatures) index.Add(id, signature);
  }
};

// Adds the bank's active entries (of `kind` only, when given; with a patch
// signature only, when `with_patches`) to `staged`.
Status StageActive(store::Store& store, const std::string& name,
                   std::optional<store::SignalKind> kind, Staged& staged,
                   bool with_patches = false) {
  Status failure;
  store::EntryFilter filter;
  filter.status = store::EntryStatus::kActive;
  filter.kind = kind;
  filter.with_patches = with_patches;
  REMPART_RETURN_IF_ERROR(
      store.ForEachEntry(name, filter, [&](const store::Entry& entry) {
        failure = staged.Add(entry);
        return failure.ok();
      }));
  return failure;
}

Status CheckVideoOptions(const hash::VpdqMatchOptions& options) {
  if (options.distance < 0 || options.distance > index::kMaxRadius) {
    return InvalidArgumentError("distance " + std::to_string(options.distance) +
                                " outside 0…" +
                                std::to_string(index::kMaxRadius));
  }
  if (options.quality_threshold < 0 || options.quality_threshold > 101) {
    return InvalidArgumentError("quality threshold outside 0…101");
  }
  const auto percent = [](double value) { return value >= 0 && value <= 100; };
  if (!percent(options.query_percent) || !percent(options.target_percent)) {
    return InvalidArgumentError("match percentages must be within 0…100");
  }
  return OkStatus();
}

double Since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace

Matcher::Matcher(store::Store& store, MatcherOptions options)
    : store_(store), options_(std::move(options)) {}

Matcher::~Matcher() = default;

Result<std::unique_ptr<Matcher>> Matcher::Open(store::Store& store,
                                               MatcherOptions options) {
  std::unique_ptr<Matcher> matcher(new Matcher(store, std::move(options)));
  REMPART_RETURN_IF_ERROR(matcher->Refresh());
  return matcher;
}

Status Matcher::LoadBank(const std::string& name) {
  const auto start = std::chrono::steady_clock::now();
  BankLoad load;
  load.bank = name;
  auto bank = std::make_unique<LoadedBank>();
  bank->live = std::make_unique<index::LiveIndex>(options_.live);
  bank->videos = std::make_unique<VideoIndex>(options_.live);
  bool loaded = false;
  if (!options_.snapshot_dir.empty()) {
    auto snapshot =
        ReadSnapshotFile(options_.snapshot_dir / (name + ".snapshot"));
    if (snapshot) {
      REMPART_RETURN_IF_ERROR(
          bank->live->Load(snapshot->pdq, snapshot->digests));
      bank->revision = snapshot->revision;
      load.from_snapshot = true;
      loaded = true;
      // Snapshots hold pictures' hashes and digests only: videos and patch
      // signatures come from the store (CatchUp skips the ones already
      // loaded).
      Staged videos;
      REMPART_RETURN_IF_ERROR(
          StageActive(store_, name, store::SignalKind::kVpdq, videos));
      REMPART_RETURN_IF_ERROR(videos.AddVideosTo(*bank->videos));
      Staged signatures;
      REMPART_RETURN_IF_ERROR(
          StageActive(store_, name, store::SignalKind::kPdq, signatures, true));
      signatures.AddSignaturesTo(bank->patches);
    } else if (snapshot.error().code() != StatusCode::kNotFound) {
      load.snapshot_problem = snapshot.error().message();
    }
  }
  if (!loaded) {
    auto revision = store_.CurrentRevision();
    if (!revision) return revision.error();
    Staged staged;
    REMPART_RETURN_IF_ERROR(StageActive(store_, name, std::nullopt, staged));
    REMPART_RETURN_IF_ERROR(bank->live->Load(staged.pdq, staged.digests));
    REMPART_RETURN_IF_ERROR(staged.AddVideosTo(*bank->videos));
    staged.AddSignaturesTo(bank->patches);
    // Changes made while reading are replayed by CatchUp (adding an entry
    // twice is harmless: results are merged by entry id).
    bank->revision = *revision;
  }
  REMPART_RETURN_IF_ERROR(CatchUp(name, *bank, load.changes_applied));
  const auto stats = bank->live->stats();
  load.entries = stats.base_entries + stats.delta_entries + stats.digests;
  load.seconds = Since(start);
  std::lock_guard lock(mutex_);
  banks_[name] = std::move(bank);
  loads_.push_back(std::move(load));
  return OkStatus();
}

Status Matcher::CatchUp(const std::string& name, LoadedBank& bank,
                        std::size_t& applied) {
  Staged added;
  std::vector<index::EntryId> revoked;
  std::vector<std::int64_t> revoked_videos;
  std::vector<std::int64_t> revoked_signatures;
  std::int64_t last = bank.revision;
  Status failure;
  REMPART_RETURN_IF_ERROR(store_.ForEachChangeSince(
      name, bank.revision,
      [&](std::int64_t revision, const store::Entry& entry) {
        last = std::max(last, revision);
        ++applied;
        // Entries are never un-revoked, so an active row changed since the
        // last load is a new one — or one that took a patch signature
        // (Store::AddEntries), whose hash may be loaded already.
        if (entry.status == store::EntryStatus::kActive) {
          if (entry.input.patches && Signed(bank, entry)) {
            added.signatures.emplace_back(entry.id, *entry.input.patches);
          } else {
            failure = added.Add(entry);
          }
        } else if (entry.input.signal.kind() == store::SignalKind::kVpdq) {
          revoked_videos.push_back(entry.id);
        } else if (auto id = ToIndexId(entry.id)) {
          revoked.push_back(*id);
          if (entry.input.patches) revoked_signatures.push_back(entry.id);
        } else {
          failure = id.error();
        }
        return failure.ok();
      }));
  REMPART_RETURN_IF_ERROR(failure);
  if (!added.pdq.empty() || !added.digests.empty()) {
    bank.live->Add(added.pdq, added.digests);
  }
  if (!revoked.empty()) bank.live->Revoke(revoked);
  REMPART_RETURN_IF_ERROR(added.AddVideosTo(*bank.videos));
  if (!revoked_videos.empty()) bank.videos->Revoke(revoked_videos);
  if (!added.signatures.empty() || !revoked_signatures.empty()) {
    std::unique_lock writing(bank.patches_mutex);
    added.AddSignaturesTo(bank.patches);
    bank.patches.Revoke(revoked_signatures);
  }
  bank.revision = last;
  return OkStatus();
}

bool Matcher::Signed(const LoadedBank& bank, const store::Entry& entry) {
  {
    std::shared_lock reading(bank.patches_mutex);
    if (bank.patches.contains(entry.id)) return true;
  }
  // An exact lookup: only for the entries that come with a signature.
  const hash::PdqHash hash = entry.input.signal.pdq();
  for (const index::Match& match : bank.live->Search(hash, 0)) {
    if (static_cast<std::int64_t>(match.id) == entry.id) return true;
  }
  return false;
}

Status Matcher::Refresh() {
  std::lock_guard refreshing(refresh_mutex_);
  auto banks = store_.ListBanks();
  if (!banks) return banks.error();
  for (const store::Bank& bank : *banks) {
    LoadedBank* loaded = nullptr;
    {
      std::lock_guard lock(mutex_);
      auto found = banks_.find(bank.name);
      if (found != banks_.end()) loaded = found->second.get();
    }
    if (loaded == nullptr) {
      REMPART_RETURN_IF_ERROR(LoadBank(bank.name));
    } else {
      std::size_t applied = 0;
      REMPART_RETURN_IF_ERROR(CatchUp(bank.name, *loaded, applied));
    }
  }
  return OkStatus();
}

Status Matcher::SaveSnapshots() {
  if (options_.snapshot_dir.empty()) {
    return InvalidArgumentError("matcher: no snapshot directory configured");
  }
  std::error_code error;
  std::filesystem::create_directories(options_.snapshot_dir, error);
  if (error) {
    return UnavailableError("matcher: cannot create " +
                            options_.snapshot_dir.string() + ": " +
                            error.message());
  }
  // Matching goes on meanwhile: only the list of banks is copied under
  // mutex_; refresh_mutex_ keeps each bank's revision and content in step.
  std::lock_guard refreshing(refresh_mutex_);
  std::vector<std::pair<std::string, const LoadedBank*>> banks;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [name, bank] : banks_)
      banks.emplace_back(name, bank.get());
  }
  for (const auto& [name, bank] : banks) {
    BankSnapshot snapshot;
    snapshot.revision = bank->revision;
    bank->live->ForEachLive(
        [&](const index::PdqEntry& entry) { snapshot.pdq.push_back(entry); },
        [&](const index::DigestEntry& entry) {
          snapshot.digests.push_back(entry);
        });
    REMPART_RETURN_IF_ERROR(WriteSnapshotFile(
        options_.snapshot_dir / (name + ".snapshot"), snapshot));
  }
  return OkStatus();
}

std::vector<std::string> Matcher::bank_names() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> names;
  for (const auto& [name, bank] : banks_) names.push_back(name);
  return names;
}

Result<std::vector<Matcher::LoadedBank*>> Matcher::Select(
    std::span<const std::string> banks, std::vector<std::string>& names) {
  std::lock_guard lock(mutex_);
  std::vector<LoadedBank*> selected;
  if (banks.empty()) {
    for (const auto& [name, bank] : banks_) {
      names.push_back(name);
      selected.push_back(bank.get());
    }
    return selected;
  }
  for (const std::string& name : banks) {
    auto found = banks_.find(name);
    if (found == banks_.end()) {
      return NotFoundError("no bank named '" + name + "'");
    }
    names.push_back(name);
    selected.push_back(found->second.get());
  }
  return selected;
}

Result<std::vector<Hit>> Matcher::ToHits(
    const std::vector<std::string>& names,
    const std::vector<std::vector<index::Match>>& per_bank) {
  std::vector<Hit> hits;
  for (std::size_t b = 0; b < names.size(); ++b) {
    std::unordered_map<index::EntryId, int> best;
    for (const index::Match& match : per_bank[b]) {
      auto [slot, inserted] = best.try_emplace(match.id, match.distance);
      if (!inserted) slot->second = std::min(slot->second, match.distance);
    }
    for (const auto& [id, distance] : best) {
      auto entry = store_.GetEntry(id);
      if (!entry) return entry.error();
      // Revoked in the store but not yet refreshed here: never report it.
      if (entry->status != store::EntryStatus::kActive) continue;
      hits.push_back(Hit{names[b], std::move(*entry), distance, std::nullopt,
                         std::nullopt});
    }
  }
  SortHits(hits);
  return hits;
}

Result<std::vector<Hit>> Matcher::MatchPdq(
    std::span<const hash::PdqHash> variants, int radius,
    std::span<const std::string> banks) {
  if (radius < 0 || radius > index::kMaxRadius) {
    return InvalidArgumentError("radius " + std::to_string(radius) +
                                " outside 0…" +
                                std::to_string(index::kMaxRadius));
  }
  std::vector<std::string> names;
  auto selected = Select(banks, names);
  if (!selected) return selected.error();
  std::vector<std::vector<index::Match>> per_bank;
  std::vector<std::vector<FrameHit>> frames_per_bank;
  for (LoadedBank* bank : *selected) {
    per_bank.push_back(bank->live->SearchAny(variants, radius));
    frames_per_bank.push_back(bank->videos->SearchFrames(
        variants, radius, hash::kPdqMinUsefulQuality));
  }
  auto hits = ToHits(names, per_bank);
  if (!hits) return hits.error();
  for (std::size_t b = 0; b < names.size(); ++b) {
    for (const FrameHit& frame_hit : frames_per_bank[b]) {
      auto entry = store_.GetEntry(frame_hit.entry_id);
      if (!entry) return entry.error();
      if (entry->status != store::EntryStatus::kActive ||
          frame_hit.frame_position >= entry->input.frames.size()) {
        continue;
      }
      Hit hit{names[b], std::move(*entry), frame_hit.distance, std::nullopt,
              std::nullopt};
      hit.frame = hit.entry.input.frames[frame_hit.frame_position];
      hits->push_back(std::move(hit));
    }
  }
  SortHits(*hits);
  return hits;
}

Result<std::vector<VideoHit>> Matcher::MatchVideo(
    std::span<const hash::VpdqFrame> query,
    const hash::VpdqMatchOptions& options, std::span<const std::string> banks,
    bool all_candidates) {
  REMPART_RETURN_IF_ERROR(CheckVideoOptions(options));
  std::vector<std::string> names;
  auto selected = Select(banks, names);
  if (!selected) return selected.error();
  std::vector<VideoHit> hits;
  for (std::size_t b = 0; b < names.size(); ++b) {
    for (const VideoCandidate& candidate :
         (*selected)[b]->videos->Search(query, options)) {
      if (!candidate.comparison.match && !all_candidates) continue;
      auto entry = store_.GetEntry(candidate.entry_id);
      if (!entry) return entry.error();
      if (entry->status != store::EntryStatus::kActive) continue;
      hits.push_back({names[b], std::move(*entry), candidate.comparison,
                      candidate.best_distance});
    }
  }
  std::sort(hits.begin(), hits.end(), [](const VideoHit& a, const VideoHit& b) {
    if (a.comparison.query_percent != b.comparison.query_percent) {
      return a.comparison.query_percent > b.comparison.query_percent;
    }
    if (a.comparison.target_percent != b.comparison.target_percent) {
      return a.comparison.target_percent > b.comparison.target_percent;
    }
    if (a.bank != b.bank) return a.bank < b.bank;
    return a.entry.id < b.entry.id;
  });
  return hits;
}

Result<std::vector<Hit>> Matcher::MatchPatches(
    const hash::PatchSignature& query, const PatchMatchOptions& options,
    std::span<const std::string> banks, const hash::PatchProbe* probe) {
  if (options.radius < 0 || options.radius > 256) {
    return InvalidArgumentError(
        "patch radius " + std::to_string(options.radius) + " outside 0…256");
  }
  if (options.min_group < 1) {
    return InvalidArgumentError("a patch match needs a group of at least 1");
  }
  if (options.crop_radius < 0 || options.crop_radius > 256) {
    return InvalidArgumentError("crop radius " +
                                std::to_string(options.crop_radius) +
                                " outside 0…256");
  }
  std::vector<std::string> names;
  auto selected = Select(banks, names);
  if (!selected) return selected.error();
  std::vector<Hit> hits;
  for (std::size_t b = 0; b < names.size(); ++b) {
    std::vector<PatchCandidate> candidates;
    {
      std::shared_lock reading((*selected)[b]->patches_mutex);
      candidates = (*selected)[b]->patches.Search(query, options, probe);
    }
    for (const PatchCandidate& candidate : candidates) {
      // Best first: the rest are smaller groups still.
      if (!candidate.matched(options.min_group)) break;
      auto entry = store_.GetEntry(candidate.id);
      if (!entry) return entry.error();
      // Revoked in the store but not yet refreshed here: never report it.
      if (entry->status != store::EntryStatus::kActive) continue;
      const bool by_patches = candidate.group >= options.min_group;
      Hit hit{names[b], std::move(*entry),
              by_patches ? candidate.worst_distance : candidate.crop_distance,
              std::nullopt, std::nullopt};
      hit.patch_group = candidate.group;
      if (!by_patches) hit.crop_keep = candidate.crop_keep;
      hits.push_back(std::move(hit));
    }
  }
  SortHits(hits);
  return hits;
}

Result<std::vector<Hit>> Matcher::MatchSignal(
    const store::Signal& signal, int radius,
    std::span<const std::string> banks) {
  if (signal.kind() == store::SignalKind::kPdq) {
    const hash::PdqHash hash = signal.pdq();
    return MatchPdq({&hash, 1}, radius, banks);
  }
  if (signal.kind() == store::SignalKind::kVpdq) {
    return InvalidArgumentError(
        "a video matches by its frames, not by its name (MatchVideo)");
  }
  std::vector<std::string> names;
  auto selected = Select(banks, names);
  if (!selected) return selected.error();
  std::vector<std::vector<index::Match>> per_bank;
  const index::Digest digest = ToDigest(signal);
  for (LoadedBank* bank : *selected) {
    std::vector<index::Match> matches;
    for (index::EntryId id : bank->live->FindExact(digest)) {
      matches.push_back(index::Match{id, 0});
    }
    per_bank.push_back(std::move(matches));
  }
  return ToHits(names, per_bank);
}

namespace {

// Whether `hit` says more than `existing` about the same entry.
bool Better(const Hit& hit, const Hit& existing) {
  const bool first_stage = !hit.patch_group.has_value();
  if (first_stage != !existing.patch_group.has_value()) return first_stage;
  if (first_stage) return hit.distance < existing.distance;
  if (*hit.patch_group != *existing.patch_group) {
    return *hit.patch_group > *existing.patch_group;
  }
  return hit.distance < existing.distance;
}

}  // namespace

void SortHits(std::vector<Hit>& hits) {
  std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
    if (a.patch_group.has_value() != b.patch_group.has_value()) {
      return !a.patch_group.has_value();
    }
    if (a.patch_group && *a.patch_group != *b.patch_group) {
      return *a.patch_group > *b.patch_group;
    }
    if (a.distance != b.distance) return a.distance < b.distance;
    if (a.bank != b.bank) return a.bank < b.bank;
    return a.entry.id < b.entry.id;
  });
}

void MergeHits(std::vector<Hit>& hits, std::vector<Hit> more) {
  for (Hit& hit : more) {
    bool seen = false;
    for (Hit& existing : hits) {
      if (existing.bank == hit.bank && existing.entry.id == hit.entry.id) {
        if (Better(hit, existing)) {
          existing.distance = hit.distance;
          existing.frame = hit.frame;
          existing.patch_group = hit.patch_group;
          existing.crop_keep = hit.crop_keep;
        }
        seen = true;
      }
    }
    if (!seen) hits.push_back(std::move(hit));
  }
}

std::vector<BankSize> Matcher::bank_sizes() const {
  std::vector<BankSize> sizes;
  std::lock_guard lock(mutex_);
  for (const auto& [name, bank] : banks_) {
    const index::LiveStats stats = bank->live->stats();
    const VideoIndexStats videos = bank->videos->stats();
    std::size_t patch_pictures = 0;
    std::size_t patch_bytes = 0;
    {
      std::shared_lock reading(bank->patches_mutex);
      patch_pictures = bank->patches.pictures();
      patch_bytes = bank->patches.memory_bytes();
    }
    sizes.push_back({.bank = name,
                     .pdq = stats.base_entries + stats.delta_entries -
                            std::min(stats.revoked_pending,
                                     stats.base_entries + stats.delta_entries),
                     .exact = stats.digests,
                     .videos = videos.videos,
                     .video_frames = videos.frames,
                     .patch_pictures = patch_pictures,
                     .memory_bytes = stats.memory_bytes + videos.memory_bytes +
                                     patch_bytes});
  }
  return sizes;
}

}  // namespace rempart::match
