// The Store contract (store.h), run against every backend that instantiates
// StoreContractTest.
#include "store/store_contract_test.h"

#include <gmock/gmock.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "rempart/hash/patches.h"
#include "rempart/hash/vpdq.h"

namespace rempart::store {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::uint64_t SplitMix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9;
  x = (x ^ (x >> 27)) * 0x94d049bb133111eb;
  return x ^ (x >> 31);
}

// 32 distinct deterministic bytes for seeds 0, 1, 2, …
std::array<std::uint8_t, 32> TestBytes(std::uint64_t seed) {
  std::array<std::uint8_t, 32> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] =
        static_cast<std::uint8_t>(SplitMix(seed * 64 + i / 8) >> (8 * (i % 8)));
  }
  return bytes;
}

// A video of `count` frames, distinct for each seed: one frame a second of
// a 30 fps video, so each timestamp is frame_number / 30 s, a value with
// no exact binary (nor 3-decimal) form; qualities across 0…100.
std::vector<hash::VpdqFrame> TestFrames(std::uint64_t seed,
                                        std::size_t count = 5) {
  std::vector<hash::VpdqFrame> frames(count);
  for (std::size_t i = 0; i < count; ++i) {
    hash::VpdqFrame& frame = frames[i];
    frame.frame_number = static_cast<std::int64_t>(i * 30 + 1);
    frame.quality = static_cast<int>((seed * 13 + i * 37) % 101);
    frame.hash = hash::PdqHash::FromBytes(TestBytes(seed * 100'003 + i));
    frame.timestamp_seconds = static_cast<double>(frame.frame_number) / 30;
  }
  return frames;
}

// Distinct deterministic signals of each kind for seeds 0, 1, 2, …
Signal TestSignal(SignalKind kind, std::uint64_t seed) {
  const std::array<std::uint8_t, 32> bytes = TestBytes(seed);
  switch (kind) {
    case SignalKind::kPdq:
      return Signal::Pdq(hash::PdqHash::FromBytes(bytes));
    case SignalKind::kMd5: {
      hash::Md5Digest digest{};
      std::copy_n(bytes.begin(), digest.size(), digest.begin());
      return Signal::Md5(digest);
    }
    case SignalKind::kSha256:
      return Signal::Sha256(bytes);
    case SignalKind::kVpdq:
      return Signal::Vpdq(TestFrames(seed));
  }
  return {};
}

Signal Pdq(std::uint64_t seed) { return TestSignal(SignalKind::kPdq, seed); }
Signal Md5(std::uint64_t seed) { return TestSignal(SignalKind::kMd5, seed); }
Signal Sha256(std::uint64_t seed) {
  return TestSignal(SignalKind::kSha256, seed);
}

NewEntry Active(const Signal& signal, std::string source_org = "hotline-a") {
  NewEntry entry;
  entry.input.signal = signal;
  entry.input.source_org = std::move(source_org);
  return entry;
}

// An active video entry of `frames`, named by them.
NewEntry ActiveVideo(const std::vector<hash::VpdqFrame>& frames) {
  NewEntry entry;
  entry.input.signal = Signal::Vpdq(frames);
  entry.input.frames = frames;
  entry.input.source_org = "hotline-a";
  return entry;
}

// A patch signature of `count` patches, distinct for each seed, in the
// form a store gives back: a shape whose longer side is 4096 and positions
// that are whole 65535ths.
hash::PatchSignature TestPatches(std::uint64_t seed, int count = 3) {
  hash::PatchSignature signature{4096, 3072, {}};
  for (int i = 0; i < count; ++i) {
    hash::Patch patch;
    const auto step = [&](int salt) {
      return static_cast<float>(SplitMix(seed * 977 + i * 7 + salt) % 65'536) /
             65535.0f;
    };
    patch.x = step(1);
    patch.y = step(2);
    patch.side = std::max(step(3), 1.0f / 65535.0f);
    patch.quality = static_cast<int>(SplitMix(seed + i) % 101);
    patch.hash = hash::PdqHash::FromBytes(TestBytes(seed * 1'000 + i));
    signature.patches.push_back(patch);
  }
  return signature;
}

// A PDQ entry with a patch signature.
NewEntry ActiveWithPatches(const Signal& signal,
                           const hash::PatchSignature& patches) {
  NewEntry entry = Active(signal);
  entry.input.patches = patches;
  return entry;
}

// The shared form of an entry's signature, "none" without one: equal texts
// are equal signatures.
std::string PatchesText(const Entry& entry) {
  return entry.input.patches ? hash::FormatPatches(*entry.input.patches)
                             : "none";
}

NewEntry Revoked(const Signal& signal, std::string reason) {
  NewEntry entry = Active(signal);
  entry.status = EntryStatus::kRevoked;
  entry.revoke_reason = std::move(reason);
  return entry;
}

EntryFilter Filter(std::optional<EntryStatus> status,
                   std::optional<SignalKind> kind) {
  EntryFilter filter;
  filter.status = status;
  filter.kind = kind;
  return filter;
}

std::vector<Signal> SignalsOf(const std::vector<Entry>& entries) {
  std::vector<Signal> signals;
  signals.reserve(entries.size());
  for (const Entry& entry : entries) signals.push_back(entry.input.signal);
  return signals;
}

TEST_P(StoreContractTest, CreatesListsAndGetsBanks) {
  auto empty = store_->ListBanks();
  ASSERT_TRUE(empty.has_value());
  EXPECT_THAT(*empty, IsEmpty());

  now_ms_ = 1'700'000'000'123;
  auto created = store_->CreateBank("zeta.reports", "Hotline Z");
  ASSERT_TRUE(created.has_value()) << created.status().ToString();
  EXPECT_EQ(created->name, "zeta.reports");
  EXPECT_EQ(created->description, "Hotline Z");
  EXPECT_EQ(created->created_at_ms, 1'700'000'000'123);
  now_ms_ = 1'700'000'000'456;
  ASSERT_TRUE(store_->CreateBank("alpha", "").has_value());

  auto banks = store_->ListBanks();
  ASSERT_TRUE(banks.has_value());
  ASSERT_EQ(banks->size(), 2u);
  EXPECT_EQ((*banks)[0].name, "alpha");
  EXPECT_EQ((*banks)[0].created_at_ms, 1'700'000'000'456);
  EXPECT_EQ((*banks)[1].name, "zeta.reports");

  auto bank = store_->GetBank("zeta.reports");
  ASSERT_TRUE(bank.has_value());
  EXPECT_EQ(bank->description, "Hotline Z");
  EXPECT_EQ(bank->created_at_ms, 1'700'000'000'123);

  auto missing = store_->GetBank("beta");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.error().message(), HasSubstr("beta"));
  ExpectIntact();
}

TEST_P(StoreContractTest, CreatingAnExistingBankIsAlreadyExists) {
  CreateBank("reports");
  auto again = store_->CreateBank("reports", "other");
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->GetBank("reports")->description, "test bank");
}

TEST_P(StoreContractTest, ValidatesBankNames) {
  for (const std::string& name : std::vector<std::string>{
           "a", "0day", "a.b_c-d", "x-2024.v1", std::string(64, 'n')}) {
    EXPECT_TRUE(store_->CreateBank(name, "").has_value()) << name;
  }
  for (const std::string& name : std::vector<std::string>{
           std::string(), std::string(65, 'n'), std::string("Upper"),
           std::string("-lead"), std::string(".lead"), std::string("_lead"),
           std::string("has space"), std::string("a/b"),
           std::string("caf\xc3\xa9"), std::string("nul\0x", 5)}) {
    auto bank = store_->CreateBank(name, "");
    ASSERT_FALSE(bank.has_value()) << name;
    EXPECT_EQ(bank.error().code(), StatusCode::kInvalidArgument) << name;
    EXPECT_THAT(bank.error().message(), HasSubstr("bank name")) << name;
    auto get = store_->GetBank(name);
    ASSERT_FALSE(get.has_value());
    EXPECT_EQ(get.error().code(), StatusCode::kInvalidArgument) << name;
  }
  EXPECT_EQ(store_->ListBanks()->size(), 5u);
}

TEST_P(StoreContractTest, ValidatesBankDescriptions) {
  auto too_long =
      store_->CreateBank("a", std::string(kMaxBankDescriptionBytes + 1, 'd'));
  ASSERT_FALSE(too_long.has_value());
  EXPECT_EQ(too_long.error().code(), StatusCode::kInvalidArgument);
  auto nul = store_->CreateBank("a", std::string("x\0y", 3));
  ASSERT_FALSE(nul.has_value());
  EXPECT_EQ(nul.error().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(
      store_->CreateBank("a", std::string(kMaxBankDescriptionBytes, 'd'))
          .has_value());
}

TEST_P(StoreContractTest, AddReportsIdsInInputOrderAndCounts) {
  CreateBank("reports");
  EXPECT_EQ(Revision(), 0);
  now_ms_ = 1'700'000'001'000;
  NewEntry full = Active(Pdq(1), "Hotline B");
  full.input.quality = 87;
  full.input.pdq_mode = hash::PdqMode::kFullResolution;
  full.input.category = Category::kSextortion;
  full.input.external_id = "case-4411";
  const AddOutcome outcome =
      Add("reports", {full, Active(Md5(2)), Active(Sha256(3)), Active(Pdq(4))});
  EXPECT_EQ(outcome.added, 4u);
  EXPECT_EQ(outcome.unchanged, 0u);
  ASSERT_EQ(outcome.added_ids.size(), 4u);
  EXPECT_GT(outcome.revision, 0);
  EXPECT_EQ(Revision(), outcome.revision);

  const std::array<Signal, 4> expected = {Pdq(1), Md5(2), Sha256(3), Pdq(4)};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    auto entry = store_->GetEntry(outcome.added_ids[i]);
    ASSERT_TRUE(entry.has_value()) << entry.status().ToString();
    EXPECT_EQ(entry->input.signal, expected[i]) << i;
    EXPECT_EQ(entry->bank, "reports");
  }
  auto first = store_->GetEntry(outcome.added_ids[0]);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->input.quality, 87);
  EXPECT_EQ(first->input.pdq_mode, hash::PdqMode::kFullResolution);
  EXPECT_EQ(first->input.category, Category::kSextortion);
  EXPECT_EQ(first->input.source_org, "Hotline B");
  EXPECT_EQ(first->input.external_id, "case-4411");
  EXPECT_EQ(first->status, EntryStatus::kActive);
  EXPECT_EQ(first->revoke_reason, "");
  EXPECT_EQ(first->created_at_ms, 1'700'000'001'000);
  EXPECT_EQ(first->updated_at_ms, 1'700'000'001'000);
  auto second = store_->GetEntry(outcome.added_ids[1]);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->input.quality, std::nullopt);
  EXPECT_EQ(second->input.pdq_mode, std::nullopt);
  EXPECT_EQ(second->input.category, Category::kIntimateImage);

  const BankStats stats = StatsOf("reports");
  EXPECT_EQ(stats.active_pdq, 2);
  EXPECT_EQ(stats.active_md5, 1);
  EXPECT_EQ(stats.active_sha256, 1);
  EXPECT_EQ(stats.revoked, 0);
  EXPECT_EQ(stats.total, 4);
  EXPECT_EQ(stats.revision, outcome.revision);
  ExpectIntact();
}

TEST_P(StoreContractTest, EmptyBatchChangesNothing) {
  CreateBank("reports");
  auto outcome = store_->AddEntries("reports", {});
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->added, 0u);
  EXPECT_EQ(outcome->revision, 0);
  EXPECT_EQ(Revision(), 0);
}

TEST_P(StoreContractTest, AddingToAMissingBankIsNotFound) {
  const std::vector<NewEntry> items = {Active(Pdq(1))};
  auto outcome = store_->AddEntries("nowhere", items);
  ASSERT_FALSE(outcome.has_value());
  EXPECT_EQ(outcome.error().code(), StatusCode::kNotFound);
  EXPECT_EQ(Revision(), 0);
}

TEST_P(StoreContractTest, ReAddingABatchChangesNothing) {
  CreateBank("reports");
  const std::vector<NewEntry> batch = {Active(Pdq(1)), Active(Md5(1)),
                                       Active(Sha256(1))};
  const AddOutcome first = Add("reports", batch);
  EXPECT_EQ(first.added, 3u);
  const std::int64_t revision = Revision();

  now_ms_ += 5000;
  std::vector<NewEntry> again = batch;
  for (NewEntry& entry : again) entry.input.source_org = "someone else";
  const AddOutcome second = Add("reports", again);
  EXPECT_EQ(second.added, 0u);
  EXPECT_EQ(second.unchanged, 3u);
  EXPECT_THAT(second.added_ids, IsEmpty());
  EXPECT_EQ(second.revision, 0);
  EXPECT_EQ(Revision(), revision);

  const std::vector<Entry> entries = Scan("reports");
  ASSERT_EQ(entries.size(), 3u);
  for (const Entry& entry : entries) {
    EXPECT_EQ(entry.input.source_org, "hotline-a");
    EXPECT_EQ(entry.updated_at_ms, entry.created_at_ms);
  }
  EXPECT_EQ(StatsOf("reports").total, 3);
  ExpectIntact();
}

TEST_P(StoreContractTest, DuplicateInsideOneBatchIsAddedOnce) {
  CreateBank("reports");
  const AddOutcome outcome =
      Add("reports", {Active(Pdq(1)), Active(Pdq(2)), Active(Pdq(1), "later"),
                      Active(Md5(1))});
  EXPECT_EQ(outcome.added, 3u);
  EXPECT_EQ(outcome.unchanged, 1u);
  ASSERT_EQ(outcome.added_ids.size(), 3u);
  EXPECT_EQ(store_->GetEntry(outcome.added_ids[2])->input.signal, Md5(1));
  auto found = store_->FindEntries("reports", Pdq(1));
  ASSERT_TRUE(found.has_value());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].input.source_org, "hotline-a");
  EXPECT_EQ(StatsOf("reports").active_pdq, 2);
  ExpectIntact();
}

TEST_P(StoreContractTest, SameSignalInTwoBanksIsTwoEntries) {
  CreateBank("first");
  CreateBank("second");
  EXPECT_EQ(Add("first", {Active(Pdq(1))}).added, 1u);
  EXPECT_EQ(Add("second", {Active(Pdq(1))}).added, 1u);
  EXPECT_EQ(StatsOf("first").total, 1);
  EXPECT_EQ(StatsOf("second").total, 1);
  EXPECT_THAT(SignalsOf(Scan("second")), ElementsAre(Pdq(1)));
}

TEST_P(StoreContractTest, InvalidItemRejectsTheWholeBatch) {
  CreateBank("reports");
  struct Case {
    std::string what;
    NewEntry entry;
  };
  std::vector<Case> cases;
  NewEntry entry = Active(Pdq(9));
  entry.input.quality = 101;
  cases.push_back({"quality", entry});
  entry.input.quality = -1;
  cases.push_back({"quality", entry});
  entry = Active(Md5(9));
  entry.input.quality = 50;
  cases.push_back({"quality", entry});
  entry = Active(Sha256(9));
  entry.input.pdq_mode = hash::PdqMode::kCli;
  cases.push_back({"pdq_mode", entry});
  entry = Active(Pdq(9), std::string(kMaxEntryTextBytes + 1, 'o'));
  cases.push_back({"source_org", entry});
  entry = Active(Pdq(9), std::string("a\0b", 3));
  cases.push_back({"source_org", entry});
  entry = Active(Pdq(9));
  entry.input.external_id = std::string(kMaxEntryTextBytes + 1, 'x');
  cases.push_back({"external_id", entry});
  entry = Revoked(Pdq(9), "");
  cases.push_back({"revoke_reason", entry});
  entry = Active(Pdq(9));
  entry.revoke_reason = "why";
  cases.push_back({"revoke_reason", entry});
  entry = Revoked(Pdq(9), std::string(kMaxEntryTextBytes + 1, 'r'));
  cases.push_back({"revoke_reason", entry});

  for (const Case& bad : cases) {
    const std::vector<NewEntry> batch = {Active(Pdq(1)), Active(Md5(1)),
                                         bad.entry, Active(Sha256(1))};
    auto outcome = store_->AddEntries("reports", batch);
    ASSERT_FALSE(outcome.has_value()) << bad.what;
    EXPECT_EQ(outcome.error().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(outcome.error().message(), HasSubstr("entry 2")) << bad.what;
    EXPECT_THAT(outcome.error().message(), HasSubstr(bad.what));
  }
  EXPECT_EQ(StatsOf("reports").total, 0);
  EXPECT_THAT(Scan("reports"), IsEmpty());
  EXPECT_EQ(Revision(), 0);

  // The limits themselves are accepted.
  NewEntry edge = Active(Pdq(9), std::string(kMaxEntryTextBytes, 'o'));
  edge.input.quality = 100;
  NewEntry zero = Active(Pdq(10));
  zero.input.quality = 0;
  EXPECT_EQ(Add("reports", {edge, zero}).added, 2u);
}

TEST_P(StoreContractTest, VideoEntriesKeepTheirFramesExactly) {
  CreateBank("reports");
  std::vector<hash::VpdqFrame> frames = TestFrames(1, 40);
  frames[0] = {0, 0, frames[0].hash, 0};
  frames[1] = {1, 100, frames[1].hash, 1.0 / 30};
  frames[2].timestamp_seconds = 0.0005;  // Prints as 0.001 (%.3f rounds).
  frames.back().timestamp_seconds = kMaxVpdqTimestampSeconds;
  const Signal name = Signal::Vpdq(frames);
  NewEntry video = ActiveVideo(frames);
  video.input.category = Category::kSextortion;
  video.input.external_id = "report-9";
  now_ms_ = 1'700'000'002'000;
  const AddOutcome outcome =
      Add("reports", {Active(Pdq(1)), video, Active(Md5(2))});
  ASSERT_EQ(outcome.added, 3u);

  const auto expect_video = [&](const Entry& entry, const std::string& via) {
    EXPECT_EQ(entry.id, outcome.added_ids[1]) << via;
    EXPECT_EQ(entry.input.signal, name) << via;
    EXPECT_EQ(entry.input.frames, frames) << via;
    EXPECT_EQ(hash::FormatVpdq(entry.input.frames), hash::FormatVpdq(frames))
        << via;
    EXPECT_EQ(Signal::Vpdq(entry.input.frames), name) << via;
    ASSERT_EQ(entry.input.frames.size(), frames.size()) << via;
    EXPECT_THAT(hash::FormatVpdqFrame(entry.input.frames[1]),
                HasSubstr(",0.033"))
        << via;
    EXPECT_EQ(entry.input.category, Category::kSextortion) << via;
    EXPECT_EQ(entry.input.external_id, "report-9") << via;
    EXPECT_EQ(entry.input.quality, std::nullopt) << via;
    EXPECT_EQ(entry.created_at_ms, 1'700'000'002'000) << via;
  };
  auto by_id = store_->GetEntry(outcome.added_ids[1]);
  ASSERT_TRUE(by_id.has_value()) << by_id.status().ToString();
  expect_video(*by_id, "GetEntry");
  auto by_name = store_->FindEntries("reports", name);
  ASSERT_TRUE(by_name.has_value());
  ASSERT_EQ(by_name->size(), 1u);
  expect_video((*by_name)[0], "FindEntries");
  const std::vector<Entry> videos =
      Scan("reports", Filter(std::nullopt, SignalKind::kVpdq));
  ASSERT_EQ(videos.size(), 1u);
  expect_video(videos[0], "ForEachEntry");
  const auto changes = Changes("reports", 0);
  ASSERT_EQ(changes.size(), 3u);
  expect_video(changes[1].second, "ForEachChangeSince");
  // Every other entry, read after a video with the same reused Entry, has
  // no frames.
  const std::vector<Entry> all = Scan("reports");
  ASSERT_EQ(all.size(), 3u);
  EXPECT_THAT(all[0].input.frames, IsEmpty());
  EXPECT_THAT(all[2].input.frames, IsEmpty());
  EXPECT_THAT(changes[2].second.input.frames, IsEmpty());

  const BankStats stats = StatsOf("reports");
  EXPECT_EQ(stats.active_pdq, 1);
  EXPECT_EQ(stats.active_md5, 1);
  EXPECT_EQ(stats.active_sha256, 0);
  EXPECT_EQ(stats.active_vpdq, 1);
  EXPECT_EQ(stats.total, 3);
  ExpectIntact();

  Reopen();
  auto reopened = store_->GetEntry(outcome.added_ids[1]);
  ASSERT_TRUE(reopened.has_value()) << reopened.status().ToString();
  expect_video(*reopened, "GetEntry after reopening");
  EXPECT_EQ(StatsOf("reports").active_vpdq, 1);
  ExpectIntact();
}

TEST_P(StoreContractTest, AVideoOfTheMostFramesRoundTrips) {
  CreateBank("reports");
  const std::vector<hash::VpdqFrame> frames =
      TestFrames(3, hash::kMaxVpdqFrames);
  const AddOutcome outcome = Add("reports", {ActiveVideo(frames)});
  ASSERT_EQ(outcome.added, 1u);
  auto entry = store_->GetEntry(outcome.added_ids[0]);
  ASSERT_TRUE(entry.has_value()) << entry.status().ToString();
  EXPECT_EQ(entry->input.frames.size(), hash::kMaxVpdqFrames);
  EXPECT_TRUE(entry->input.frames == frames);
  ExpectIntact();
}

TEST_P(StoreContractTest, AVideoIsOneEntryPerName) {
  CreateBank("reports");
  CreateBank("other");
  const NewEntry first = ActiveVideo(TestFrames(1));
  NewEntry first_again = first;
  first_again.input.source_org = "someone else";
  const AddOutcome outcome =
      Add("reports", {first, ActiveVideo(TestFrames(2)), first_again});
  EXPECT_EQ(outcome.added, 2u);
  EXPECT_EQ(outcome.unchanged, 1u);
  const std::int64_t revision = Revision();

  const AddOutcome again = Add("reports", {first_again});
  EXPECT_EQ(again.added, 0u);
  EXPECT_EQ(again.unchanged, 1u);
  EXPECT_EQ(again.revision, 0);
  EXPECT_EQ(Revision(), revision);
  auto found = store_->FindEntries("reports", first.input.signal);
  ASSERT_TRUE(found.has_value());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].input.source_org, "hotline-a");
  EXPECT_EQ((*found)[0].input.frames, first.input.frames);

  // One timestamp a millisecond later makes another video.
  std::vector<hash::VpdqFrame> shifted = TestFrames(1);
  shifted.back().timestamp_seconds += 0.001;
  EXPECT_EQ(Add("reports", {ActiveVideo(shifted)}).added, 1u);
  // The same video in another bank is another entry.
  EXPECT_EQ(Add("other", {first}).added, 1u);
  EXPECT_EQ(StatsOf("reports").active_vpdq, 3);
  EXPECT_EQ(StatsOf("other").active_vpdq, 1);
  ExpectIntact();
}

TEST_P(StoreContractTest, PdqEntriesKeepTheirPatchSignatures) {
  CreateBank("reports");
  const hash::PatchSignature patches = TestPatches(1, 64);
  const std::string text = hash::FormatPatches(patches);
  const AddOutcome outcome =
      Add("reports", {Active(Pdq(1)), ActiveWithPatches(Pdq(2), patches),
                      Active(Md5(3)), ActiveVideo(TestFrames(4))});
  ASSERT_EQ(outcome.added, 4u);
  const std::int64_t id = outcome.added_ids[1];

  auto by_id = store_->GetEntry(id);
  ASSERT_TRUE(by_id.has_value()) << by_id.status().ToString();
  EXPECT_EQ(PatchesText(*by_id), text);
  EXPECT_EQ(by_id->input.patches->width, 4096);
  EXPECT_EQ(by_id->input.patches->height, 3072);
  auto found = store_->FindEntries("reports", Pdq(2));
  ASSERT_TRUE(found.has_value());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ(PatchesText((*found)[0]), text);
  // Scans reuse one Entry: the entries after the one with a signature have
  // none.
  const std::vector<Entry> all = Scan("reports");
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(PatchesText(all[0]), "none");
  EXPECT_EQ(PatchesText(all[1]), text);
  EXPECT_EQ(PatchesText(all[2]), "none");
  EXPECT_EQ(PatchesText(all[3]), "none");
  const auto changes = Changes("reports", 0);
  ASSERT_EQ(changes.size(), 4u);
  EXPECT_EQ(PatchesText(changes[1].second), text);
  EXPECT_EQ(PatchesText(changes[2].second), "none");
  ExpectIntact();

  Reopen();
  auto reopened = store_->GetEntry(id);
  ASSERT_TRUE(reopened.has_value()) << reopened.status().ToString();
  EXPECT_EQ(PatchesText(*reopened), text);
  ExpectIntact();
}

TEST_P(StoreContractTest, AStoreGivesBackTheSharedFormOfASignature) {
  CreateBank("reports");
  // A hasher's signature: pixels for the shape, any float for positions.
  hash::PatchSignature pixels = TestPatches(5, 2);
  pixels.width = 640;
  pixels.height = 480;
  pixels.patches[0].x = 0.123456789f;
  const AddOutcome outcome =
      Add("reports", {ActiveWithPatches(Pdq(1), pixels)});
  ASSERT_EQ(outcome.added, 1u);
  auto entry = store_->GetEntry(outcome.added_ids[0]);
  ASSERT_TRUE(entry.has_value());
  ASSERT_TRUE(entry->input.patches.has_value());
  EXPECT_EQ(entry->input.patches->width, 4096);
  EXPECT_EQ(entry->input.patches->height, 3072);
  EXPECT_NEAR(entry->input.patches->patches[0].x, 0.123456789f,
              1.0f / 131070.0f);
  EXPECT_EQ(PatchesText(*entry), hash::FormatPatches(pixels));
}

TEST_P(StoreContractTest, OnlyEntriesWithPatchSignaturesWhenAsked) {
  CreateBank("reports");
  CreateBank("other");
  std::vector<NewEntry> batch;
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    batch.push_back(seed % 3 == 0
                        ? ActiveWithPatches(Pdq(seed), TestPatches(seed))
                        : Active(Pdq(seed)));
  }
  batch.push_back(Active(Sha256(99)));
  Add("reports", batch);
  Add("other", {ActiveWithPatches(Pdq(100), TestPatches(100))});
  ASSERT_TRUE(store_->Revoke("reports", Pdq(6), "false match").has_value());

  EntryFilter with_patches;
  with_patches.with_patches = true;
  const std::vector<Entry> signed_entries = Scan("reports", with_patches);
  EXPECT_THAT(SignalsOf(signed_entries),
              ElementsAre(Pdq(3), Pdq(6), Pdq(9), Pdq(12)));
  for (const Entry& entry : signed_entries) {
    ASSERT_TRUE(entry.input.patches.has_value());
  }
  EXPECT_EQ(PatchesText(signed_entries[2]),
            hash::FormatPatches(TestPatches(9)));

  with_patches.status = EntryStatus::kActive;
  EXPECT_THAT(SignalsOf(Scan("reports", with_patches)),
              ElementsAre(Pdq(3), Pdq(9), Pdq(12)));
  with_patches.after_id = signed_entries[2].id;
  EXPECT_THAT(SignalsOf(Scan("reports", with_patches)), ElementsAre(Pdq(12)));
  with_patches.after_id = 0;
  with_patches.status.reset();
  with_patches.kind = SignalKind::kSha256;
  EXPECT_THAT(Scan("reports", with_patches), IsEmpty());
  EntryFilter other;
  other.with_patches = true;
  EXPECT_THAT(SignalsOf(Scan("other", other)), ElementsAre(Pdq(100)));
  // The revoked entry keeps its signature, on the record.
  auto revoked = store_->FindEntries("reports", Pdq(6));
  ASSERT_TRUE(revoked.has_value());
  EXPECT_EQ(PatchesText(revoked->at(0)), hash::FormatPatches(TestPatches(6)));
}

TEST_P(StoreContractTest, AnEntryKeepsItsSignatureOrTakesOneItLacked) {
  CreateBank("reports");
  Add("reports", {ActiveWithPatches(Pdq(1), TestPatches(1)), Active(Pdq(2)),
                  Active(Pdq(3))});
  const std::int64_t revision = Revision();
  // A signature for an entry that has one changes nothing.
  AddOutcome again = Add("reports", {ActiveWithPatches(Pdq(1), TestPatches(7)),
                                     Active(Pdq(1)), Active(Pdq(2))});
  EXPECT_EQ(again.added, 0u);
  EXPECT_EQ(again.unchanged, 3u);
  EXPECT_EQ(again.signed_existing, 0u);
  EXPECT_EQ(again.revision, 0);
  EXPECT_EQ(Revision(), revision);
  EXPECT_EQ(PatchesText(store_->FindEntries("reports", Pdq(1))->at(0)),
            hash::FormatPatches(TestPatches(1)));

  // One for an entry without: it takes it, with a revision of its own, so
  // that a reader of the change log sees the entry again (and only it).
  now_ms_ += 5000;
  again = Add("reports", {ActiveWithPatches(Pdq(2), TestPatches(8)),
                          ActiveWithPatches(Pdq(4), TestPatches(9))});
  EXPECT_EQ(again.added, 1u);
  EXPECT_EQ(again.unchanged, 1u);
  EXPECT_EQ(again.signed_existing, 1u);
  EXPECT_EQ(again.revision, revision + 1);
  const Entry signed_entry = store_->FindEntries("reports", Pdq(2))->at(0);
  EXPECT_EQ(PatchesText(signed_entry), hash::FormatPatches(TestPatches(8)));
  EXPECT_EQ(signed_entry.updated_at_ms, now_ms_.load());
  const auto changes = Changes("reports", revision);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].second.input.signal, Pdq(2));
  EXPECT_EQ(changes[1].second.input.signal, Pdq(4));
  EXPECT_EQ(StatsOf("reports").active_pdq, 4);
  EXPECT_EQ(StatsOf("reports").revision, revision + 1);
  EntryFilter with_patches;
  with_patches.with_patches = true;
  EXPECT_THAT(SignalsOf(Scan("reports", with_patches)),
              ElementsAre(Pdq(1), Pdq(2), Pdq(4)));
  EXPECT_EQ(PatchesText(store_->FindEntries("reports", Pdq(3))->at(0)), "none");
  ExpectIntact();
}

TEST_P(StoreContractTest, RefusesPatchSignaturesThatCannotBeStored) {
  CreateBank("reports");
  const auto refused = [&](NewEntry entry, const std::string& reason) {
    auto outcome = store_->AddEntries(
        "reports", std::vector<NewEntry>{Active(Pdq(50)), std::move(entry)});
    ASSERT_FALSE(outcome.has_value()) << "accepted; expected: " << reason;
    EXPECT_EQ(outcome.error().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(outcome.error().message(), HasSubstr(reason));
  };
  NewEntry on_md5 = Active(Md5(1));
  on_md5.input.patches = TestPatches(1);
  refused(on_md5, "only meaningful for pdq signals");
  NewEntry on_video = ActiveVideo(TestFrames(1));
  on_video.input.patches = TestPatches(1);
  refused(on_video, "only meaningful for pdq signals");
  refused(ActiveWithPatches(Pdq(1), TestPatches(1, 0)), "without patches");
  refused(ActiveWithPatches(Pdq(1), TestPatches(1, hash::kMaxPatches + 1)),
          "257 patches, more than 256");
  hash::PatchSignature flat = TestPatches(1);
  flat.height = 0;
  refused(ActiveWithPatches(Pdq(1), flat), "shape 4096×0 is not positive");
  hash::PatchSignature bad = TestPatches(1);
  bad.patches[1].side = 0;
  refused(ActiveWithPatches(Pdq(1), bad), "patch 2: side");
  bad = TestPatches(1);
  bad.patches[2].x = std::numeric_limits<float>::quiet_NaN();
  refused(ActiveWithPatches(Pdq(1), bad), "patch 3: centre");
  bad = TestPatches(1);
  bad.patches[0].y = 1.5f;
  refused(ActiveWithPatches(Pdq(1), bad), "patch 1: centre");
  bad = TestPatches(1);
  bad.patches[0].quality = 101;
  refused(ActiveWithPatches(Pdq(1), bad), "patch 1: quality 101");
  // Nothing of the refused batches was written.
  EXPECT_EQ(StatsOf("reports").total, 0);
  // The most patches a signature may hold are stored.
  EXPECT_EQ(Add("reports",
                {ActiveWithPatches(Pdq(1), TestPatches(1, hash::kMaxPatches))})
                .added,
            1u);
  EXPECT_EQ(PatchesText(store_->FindEntries("reports", Pdq(1))->at(0)),
            hash::FormatPatches(TestPatches(1, hash::kMaxPatches)));
  ExpectIntact();
}

TEST_P(StoreContractTest, RevokingAVideoByItsName) {
  CreateBank("reports");
  const std::vector<hash::VpdqFrame> frames = TestFrames(1);
  Add("reports", {ActiveVideo(frames), ActiveVideo(TestFrames(2)),
                  Revoked(Pdq(1), "old")});
  const std::int64_t before = Revision();
  // The name's bytes as another kind are another signal.
  const Signal name = Signal::Vpdq(frames);
  hash::Sha256Digest same_bytes{};
  std::copy(name.bytes().begin(), name.bytes().end(), same_bytes.begin());
  EXPECT_EQ(store_->Revoke("reports", Signal::Sha256(same_bytes), "x")
                .status()
                .code(),
            StatusCode::kNotFound);

  now_ms_ += 1000;
  auto revoked = store_->Revoke("reports", name, "false match");
  ASSERT_TRUE(revoked.has_value()) << revoked.status().ToString();
  EXPECT_EQ(revoked->status, EntryStatus::kRevoked);
  EXPECT_EQ(revoked->revoke_reason, "false match");
  EXPECT_EQ(revoked->input.frames, frames);
  const BankStats stats = StatsOf("reports");
  EXPECT_EQ(stats.active_vpdq, 1);
  EXPECT_EQ(stats.revoked, 2);
  EXPECT_EQ(stats.total, 3);

  const auto changes = Changes("reports", before);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].second.input.signal, name);
  EXPECT_EQ(changes[0].second.status, EntryStatus::kRevoked);
  EXPECT_EQ(changes[0].second.input.frames, frames);
  EXPECT_THAT(SignalsOf(Scan("reports",
                             Filter(EntryStatus::kActive, SignalKind::kVpdq))),
              ElementsAre(Signal::Vpdq(TestFrames(2))));
  // Revoked again: nothing changes.
  auto again = store_->Revoke("reports", name, "second");
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->revoke_reason, "false match");
  EXPECT_EQ(StatsOf("reports").active_vpdq, 1);
  ExpectIntact();
}

TEST_P(StoreContractTest, InvalidVideosRejectTheWholeBatch) {
  CreateBank("reports");
  struct Bad {
    std::string what;
    NewEntry entry;
  };
  std::vector<Bad> bad;
  // Named by its (bad) frames, so that the frames are what fails.
  const auto video_with = [](std::vector<hash::VpdqFrame> frames) {
    return ActiveVideo(frames);
  };
  bad.push_back({"a video has no frames", video_with({})});
  bad.push_back(
      {"at most 50000", video_with(TestFrames(9, hash::kMaxVpdqFrames + 1))});
  std::vector<hash::VpdqFrame> frames = TestFrames(9);
  frames[0].frame_number = -1;
  bad.push_back({"frame 0: frame number -1 is negative", video_with(frames)});
  frames = TestFrames(9);
  frames[2].frame_number = frames[1].frame_number;
  bad.push_back(
      {"frame 2: frame number 31 does not follow 31", video_with(frames)});
  frames = TestFrames(9);
  frames[3].quality = 101;
  bad.push_back({"frame 3: quality 101", video_with(frames)});
  frames[3].quality = -1;
  bad.push_back({"frame 3: quality -1", video_with(frames)});
  for (double timestamp : {-0.001, std::numeric_limits<double>::quiet_NaN(),
                           std::numeric_limits<double>::infinity(),
                           kMaxVpdqTimestampSeconds * 1.001}) {
    frames = TestFrames(9);
    frames[1].timestamp_seconds = timestamp;
    bad.push_back({"frame 1: timestamp", video_with(frames)});
  }
  NewEntry misnamed = ActiveVideo(TestFrames(9));
  misnamed.input.signal = Signal::Vpdq(TestFrames(10));
  bad.push_back({"is not the name of its frames", misnamed});
  NewEntry bare = ActiveVideo(TestFrames(9));
  bare.input.frames.clear();
  bad.push_back({"a video has no frames", bare});
  NewEntry photo = Active(Pdq(9));
  photo.input.frames = TestFrames(9);
  bad.push_back({"frames are only meaningful for vpdq", photo});
  NewEntry with_quality = ActiveVideo(TestFrames(9));
  with_quality.input.quality = 80;
  bad.push_back({"quality is only meaningful for pdq", with_quality});
  NewEntry with_mode = ActiveVideo(TestFrames(9));
  with_mode.input.pdq_mode = hash::PdqMode::kFullResolution;
  bad.push_back({"pdq_mode", with_mode});

  for (const Bad& item : bad) {
    const std::vector<NewEntry> batch = {Active(Pdq(1)),
                                         ActiveVideo(TestFrames(1)), item.entry,
                                         Active(Sha256(1))};
    auto outcome = store_->AddEntries("reports", batch);
    ASSERT_FALSE(outcome.has_value()) << item.what;
    EXPECT_EQ(outcome.error().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(outcome.error().message(), HasSubstr("entry 2")) << item.what;
    EXPECT_THAT(outcome.error().message(), HasSubstr(item.what));
  }
  EXPECT_EQ(StatsOf("reports").total, 0);
  EXPECT_EQ(Revision(), 0);
  ExpectIntact();
}

TEST_P(StoreContractTest, ImportedRevokedEntriesKeepTheirReason) {
  CreateBank("reports");
  const AddOutcome outcome =
      Add("reports", {Revoked(Pdq(1), "duplicate report"), Active(Pdq(2))});
  EXPECT_EQ(outcome.added, 2u);
  const BankStats stats = StatsOf("reports");
  EXPECT_EQ(stats.active_pdq, 1);
  EXPECT_EQ(stats.revoked, 1);
  EXPECT_EQ(stats.total, 2);
  auto found = store_->FindEntries("reports", Pdq(1));
  ASSERT_TRUE(found.has_value());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].status, EntryStatus::kRevoked);
  EXPECT_EQ((*found)[0].revoke_reason, "duplicate report");
  ExpectIntact();
}

TEST_P(StoreContractTest, RevokeKeepsTheEntryWithItsReason) {
  CreateBank("reports");
  const AddOutcome added = Add("reports", {Active(Pdq(1)), Active(Md5(1))});
  const std::int64_t before = Revision();

  now_ms_ += 60'000;
  auto revoked = store_->Revoke("reports", Pdq(1), "false positive");
  ASSERT_TRUE(revoked.has_value()) << revoked.status().ToString();
  EXPECT_EQ(revoked->id, added.added_ids[0]);
  EXPECT_EQ(revoked->status, EntryStatus::kRevoked);
  EXPECT_EQ(revoked->revoke_reason, "false positive");
  EXPECT_EQ(revoked->updated_at_ms, now_ms_.load());
  EXPECT_LT(revoked->created_at_ms, revoked->updated_at_ms);
  EXPECT_EQ(Revision(), before + 1);

  auto stored = store_->GetEntry(added.added_ids[0]);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->status, EntryStatus::kRevoked);
  EXPECT_EQ(stored->revoke_reason, "false positive");
  EXPECT_EQ(stored->updated_at_ms, now_ms_.load());

  const BankStats stats = StatsOf("reports");
  EXPECT_EQ(stats.active_pdq, 0);
  EXPECT_EQ(stats.active_md5, 1);
  EXPECT_EQ(stats.revoked, 1);
  EXPECT_EQ(stats.total, 2);
  EXPECT_EQ(stats.revision, before + 1);
  ExpectIntact();
}

TEST_P(StoreContractTest, RevokingTwiceKeepsTheFirstReason) {
  CreateBank("reports");
  Add("reports", {Active(Pdq(1))});
  ASSERT_TRUE(store_->Revoke("reports", Pdq(1), "first").has_value());
  const std::int64_t revision = Revision();
  now_ms_ += 1000;
  auto again = store_->Revoke("reports", Pdq(1), "second");
  ASSERT_TRUE(again.has_value()) << again.status().ToString();
  EXPECT_EQ(again->revoke_reason, "first");
  EXPECT_EQ(Revision(), revision);
  EXPECT_EQ(StatsOf("reports").revoked, 1);
  ExpectIntact();
}

TEST_P(StoreContractTest, RevokeErrors) {
  CreateBank("reports");
  Add("reports", {Active(Pdq(1))});
  auto no_reason = store_->Revoke("reports", Pdq(1), "");
  ASSERT_FALSE(no_reason.has_value());
  EXPECT_EQ(no_reason.error().code(), StatusCode::kInvalidArgument);
  auto long_reason = store_->Revoke("reports", Pdq(1),
                                    std::string(kMaxEntryTextBytes + 1, 'r'));
  ASSERT_FALSE(long_reason.has_value());
  EXPECT_EQ(long_reason.error().code(), StatusCode::kInvalidArgument);
  auto unknown_signal = store_->Revoke("reports", Pdq(2), "gone");
  ASSERT_FALSE(unknown_signal.has_value());
  EXPECT_EQ(unknown_signal.error().code(), StatusCode::kNotFound);
  // Same bytes, other kind: a different signal.
  auto other_kind =
      store_->Revoke("reports", TestSignal(SignalKind::kSha256, 1), "gone");
  ASSERT_FALSE(other_kind.has_value());
  auto unknown_bank = store_->Revoke("elsewhere", Pdq(1), "gone");
  ASSERT_FALSE(unknown_bank.has_value());
  EXPECT_EQ(unknown_bank.error().code(), StatusCode::kNotFound);
  EXPECT_EQ(StatsOf("reports").active_pdq, 1);
  EXPECT_EQ(Revision(), 1);
}

TEST_P(StoreContractTest, ReAddingARevokedSignalKeepsItRevoked) {
  CreateBank("reports");
  Add("reports", {Active(Pdq(1))});
  ASSERT_TRUE(store_->Revoke("reports", Pdq(1), "withdrawn").has_value());
  const std::int64_t revision = Revision();
  const AddOutcome outcome = Add("reports", {Active(Pdq(1))});
  EXPECT_EQ(outcome.added, 0u);
  EXPECT_EQ(outcome.unchanged, 1u);
  auto found = store_->FindEntries("reports", Pdq(1));
  ASSERT_TRUE(found.has_value());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].status, EntryStatus::kRevoked);
  EXPECT_EQ((*found)[0].revoke_reason, "withdrawn");
  EXPECT_EQ(Revision(), revision);
}

TEST_P(StoreContractTest, FindEntriesAndGetEntry) {
  CreateBank("reports");
  CreateBank("other");
  Add("reports", {Active(Pdq(1)), Active(Md5(1))});
  Add("other", {Active(Pdq(2))});
  auto found = store_->FindEntries("reports", Md5(1));
  ASSERT_TRUE(found.has_value());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].input.signal, Md5(1));
  EXPECT_EQ((*found)[0].bank, "reports");

  auto elsewhere = store_->FindEntries("reports", Pdq(2));
  ASSERT_TRUE(elsewhere.has_value());
  EXPECT_THAT(*elsewhere, IsEmpty());
  auto missing_bank = store_->FindEntries("nowhere", Pdq(1));
  ASSERT_FALSE(missing_bank.has_value());
  EXPECT_EQ(missing_bank.error().code(), StatusCode::kNotFound);

  auto by_id = store_->GetEntry((*found)[0].id);
  ASSERT_TRUE(by_id.has_value());
  EXPECT_EQ(by_id->input.signal, Md5(1));
  auto no_id = store_->GetEntry(1'000'000);
  ASSERT_FALSE(no_id.has_value());
  EXPECT_EQ(no_id.error().code(), StatusCode::kNotFound);
}

TEST_P(StoreContractTest, ForEachEntryFiltersAndPagesInIdOrder) {
  CreateBank("reports");
  CreateBank("other");
  std::vector<NewEntry> batch;
  for (std::uint64_t seed = 0; seed < 12; ++seed) {
    const auto kind = static_cast<SignalKind>(seed % 3);
    batch.push_back(Active(TestSignal(kind, seed)));
  }
  const AddOutcome outcome = Add("reports", batch);
  Add("other", {Active(Pdq(100)), Active(Md5(100))});
  ASSERT_TRUE(store_->Revoke("reports", Pdq(3), "r").has_value());
  ASSERT_TRUE(store_->Revoke("reports", Md5(4), "r").has_value());

  const std::vector<Entry> all = Scan("reports");
  ASSERT_EQ(all.size(), 12u);
  std::vector<std::int64_t> ids;
  ids.reserve(all.size());
  for (const Entry& entry : all) ids.push_back(entry.id);
  EXPECT_THAT(ids, ElementsAreArray(outcome.added_ids));
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].input.signal, batch[i].input.signal) << i;
    EXPECT_EQ(all[i].bank, "reports");
  }

  EXPECT_THAT(
      SignalsOf(Scan("reports", Filter(std::nullopt, SignalKind::kPdq))),
      ElementsAre(Pdq(0), Pdq(3), Pdq(6), Pdq(9)));
  EXPECT_THAT(
      SignalsOf(Scan("reports", Filter(EntryStatus::kRevoked, std::nullopt))),
      ElementsAre(Pdq(3), Md5(4)));
  EXPECT_THAT(SignalsOf(Scan("reports",
                             Filter(EntryStatus::kActive, SignalKind::kPdq))),
              ElementsAre(Pdq(0), Pdq(6), Pdq(9)));
  EXPECT_THAT(SignalsOf(Scan("other")), ElementsAre(Pdq(100), Md5(100)));

  // Pages of 5, each resuming after the last id seen.
  std::vector<std::int64_t> paged;
  EntryFilter filter;
  for (int page = 0; page < 10; ++page) {
    std::size_t on_page = 0;
    Status status =
        store_->ForEachEntry("reports", filter, [&](const Entry& entry) {
          paged.push_back(entry.id);
          filter.after_id = entry.id;
          return ++on_page < 5;
        });
    ASSERT_TRUE(status.ok()) << status.ToString();
    if (on_page < 5) break;
  }
  EXPECT_EQ(paged, ids);

  Status missing = store_->ForEachEntry("nowhere", {}, [](const Entry&) {
    ADD_FAILURE() << "called for a missing bank";
    return true;
  });
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
}

TEST_P(StoreContractTest, ForEachChangeSinceFollowsRevisions) {
  CreateBank("reports");
  CreateBank("other");
  const AddOutcome first = Add("reports", {Active(Pdq(1)), Active(Pdq(2))});
  const AddOutcome elsewhere = Add("other", {Active(Pdq(50))});
  const AddOutcome second = Add("reports", {Active(Md5(3))});
  ASSERT_TRUE(store_->Revoke("reports", Pdq(1), "retracted").has_value());
  const std::int64_t revoked_at = Revision();
  EXPECT_LT(first.revision, elsewhere.revision);
  EXPECT_LT(elsewhere.revision, second.revision);
  EXPECT_LT(second.revision, revoked_at);

  const auto all = Changes("reports", 0);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].first, first.revision);
  EXPECT_EQ(all[0].second.input.signal, Pdq(2));
  EXPECT_EQ(all[1].first, second.revision);
  EXPECT_EQ(all[1].second.input.signal, Md5(3));
  // Added then revoked since 0: seen once, in its current state.
  EXPECT_EQ(all[2].first, revoked_at);
  EXPECT_EQ(all[2].second.input.signal, Pdq(1));
  EXPECT_EQ(all[2].second.status, EntryStatus::kRevoked);
  EXPECT_EQ(all[2].second.revoke_reason, "retracted");

  const auto recent = Changes("reports", second.revision);
  ASSERT_EQ(recent.size(), 1u);
  EXPECT_EQ(recent[0].second.input.signal, Pdq(1));
  EXPECT_THAT(Changes("reports", revoked_at), IsEmpty());
  const auto other = Changes("other", 0);
  ASSERT_EQ(other.size(), 1u);
  EXPECT_EQ(other[0].second.input.signal, Pdq(50));

  // Stops when the callback says so.
  int calls = 0;
  ASSERT_TRUE(store_
                  ->ForEachChangeSince("reports", 0,
                                       [&](std::int64_t, const Entry&) {
                                         ++calls;
                                         return false;
                                       })
                  .ok());
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(
      store_
          ->ForEachChangeSince("nowhere", 0,
                               [](std::int64_t, const Entry&) { return true; })
          .code(),
      StatusCode::kNotFound);
}

TEST_P(StoreContractTest, ReopeningKeepsEverything) {
  CreateBank("reports");
  const AddOutcome outcome =
      Add("reports", {Active(Pdq(1)), Active(Md5(2)), Active(Sha256(3))});
  ASSERT_TRUE(store_->Revoke("reports", Md5(2), "withdrawn").has_value());
  const std::int64_t revision = Revision();
  const std::vector<Entry> before = Scan("reports");

  Reopen();
  EXPECT_EQ(Revision(), revision);
  auto banks = store_->ListBanks();
  ASSERT_TRUE(banks.has_value());
  ASSERT_EQ(banks->size(), 1u);
  EXPECT_EQ((*banks)[0].description, "test bank");
  const std::vector<Entry> after = Scan("reports");
  ASSERT_EQ(after.size(), before.size());
  for (std::size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].id, before[i].id);
    EXPECT_EQ(after[i].input.signal, before[i].input.signal);
    EXPECT_EQ(after[i].status, before[i].status);
    EXPECT_EQ(after[i].revoke_reason, before[i].revoke_reason);
  }
  const BankStats stats = StatsOf("reports");
  EXPECT_EQ(stats.active_pdq, 1);
  EXPECT_EQ(stats.revoked, 1);
  EXPECT_EQ(stats.revision, revision);
  // Revisions keep growing after a reopen.
  EXPECT_GT(Add("reports", {Active(Pdq(4))}).revision, revision);
  ExpectIntact();
}

TEST_P(StoreContractTest, ConcurrentWritersAndReaders) {
  CreateBank("reports");
  constexpr int kThreads = 4;
  constexpr int kBatches = 20;
  constexpr int kBatch = 50;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      for (int b = 0; b < kBatches; ++b) {
        // Neighbouring threads overlap by half a batch.
        std::vector<NewEntry> batch;
        batch.reserve(kBatch);
        for (int i = 0; i < kBatch; ++i) {
          batch.push_back(Active(Pdq((t * kBatches + b) * kBatch / 2 + i)));
        }
        auto outcome = store_->AddEntries("reports", batch);
        EXPECT_TRUE(outcome.has_value()) << outcome.status().ToString();
        EXPECT_TRUE(store_->Stats("reports").has_value());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  // Seeds 0 … (kThreads·kBatches − 1)·kBatch/2 + kBatch − 1.
  const std::int64_t distinct = (kThreads * kBatches - 1) * kBatch / 2 + kBatch;
  EXPECT_EQ(StatsOf("reports").active_pdq, distinct);
  EXPECT_EQ(static_cast<std::int64_t>(Scan("reports").size()), distinct);
  ExpectIntact();
}

TEST_P(StoreContractTest, OpensEmpty) {
  auto banks = store_->ListBanks();
  ASSERT_TRUE(banks.has_value());
  EXPECT_THAT(*banks, IsEmpty());
  auto revision = store_->CurrentRevision();
  ASSERT_TRUE(revision.has_value());
  EXPECT_EQ(*revision, 0);
  EXPECT_TRUE(store_->CheckIntegrity().ok());
}

}  // namespace
}  // namespace rempart::store
