#include "rempart/match/matcher.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <unordered_map>

#include "match/snapshot.h"

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

// The index form of an active entry: PDQ or digest.
struct Staged {
  std::vector<index::PdqEntry> pdq;
  std::vector<index::DigestEntry> digests;

  Status Add(const store::Entry& entry) {
    auto id = ToIndexId(entry.id);
    if (!id) return id.error();
    const store::Signal& signal = entry.input.signal;
    if (signal.kind() == store::SignalKind::kPdq) {
      pdq.push_back(index::PdqEntry{signal.pdq(), *id});
    } else {
      digests.push_back(index::DigestEntry{ToDigest(signal), *id});
    }
    return OkStatus();
  }
};

double Since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace

Matcher::Matcher(store::Store& store, MatcherOptions options)
    : store_(store), options_(std::move(options)) {}

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
    } else if (snapshot.error().code() != StatusCode::kNotFound) {
      load.snapshot_problem = snapshot.error().message();
    }
  }
  if (!loaded) {
    auto revision = store_.CurrentRevision();
    if (!revision) return revision.error();
    Staged staged;
    Status failure;
    store::EntryFilter filter;
    filter.status = store::EntryStatus::kActive;
    REMPART_RETURN_IF_ERROR(
        store_.ForEachEntry(name, filter, [&](const store::Entry& entry) {
          failure = staged.Add(entry);
          return failure.ok();
        }));
    REMPART_RETURN_IF_ERROR(failure);
    REMPART_RETURN_IF_ERROR(bank->live->Load(staged.pdq, staged.digests));
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
  std::int64_t last = bank.revision;
  Status failure;
  REMPART_RETURN_IF_ERROR(store_.ForEachChangeSince(
      name, bank.revision,
      [&](std::int64_t revision, const store::Entry& entry) {
        last = std::max(last, revision);
        ++applied;
        // Entries are never un-revoked, so an active row changed since the
        // last load is a new one.
        if (entry.status == store::EntryStatus::kActive) {
          failure = added.Add(entry);
        } else if (auto id = ToIndexId(entry.id)) {
          revoked.push_back(*id);
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
  bank.revision = last;
  return OkStatus();
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
      hits.push_back(Hit{names[b], std::move(*entry), distance});
    }
  }
  std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
    if (a.distance != b.distance) return a.distance < b.distance;
    if (a.bank != b.bank) return a.bank < b.bank;
    return a.entry.id < b.entry.id;
  });
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
  for (LoadedBank* bank : *selected) {
    per_bank.push_back(bank->live->SearchAny(variants, radius));
  }
  return ToHits(names, per_bank);
}

Result<std::vector<Hit>> Matcher::MatchSignal(
    const store::Signal& signal, int radius,
    std::span<const std::string> banks) {
  if (signal.kind() == store::SignalKind::kPdq) {
    const hash::PdqHash hash = signal.pdq();
    return MatchPdq({&hash, 1}, radius, banks);
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

void MergeHits(std::vector<Hit>& hits, std::vector<Hit> more) {
  for (Hit& hit : more) {
    bool seen = false;
    for (Hit& existing : hits) {
      if (existing.bank == hit.bank && existing.entry.id == hit.entry.id) {
        existing.distance = std::min(existing.distance, hit.distance);
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
    sizes.push_back({name,
                     stats.base_entries + stats.delta_entries -
                         std::min(stats.revoked_pending,
                                  stats.base_entries + stats.delta_entries),
                     stats.digests, stats.memory_bytes});
  }
  return sizes;
}

}  // namespace rempart::match
