#include "rempart/match/matcher.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "rempart/hash/patches.h"
#include "rempart/hash/pdq.h"
#include "rempart/store/sqlite_store.h"
#include "tests/support/picture_edits.h"
#include "tests/support/synthetic_hashes.h"
#include "tests/support/textured_picture.h"

namespace rempart::match {
namespace {

namespace fs = std::filesystem;
using store::EntryInput;
using store::NewEntry;
using store::Signal;

class MatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("rempart_matcher_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto opened = store::OpenSqliteStore(dir_ / "rempart.db");
    ASSERT_TRUE(opened.has_value()) << opened.error().ToString();
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->CreateBank("hotline", "verified reports").has_value());
    ASSERT_TRUE(store_->CreateBank("platform", "removals").has_value());
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::vector<hash::PdqHash> AddPdq(const std::string& bank, int count) {
    std::vector<hash::PdqHash> hashes;
    std::vector<NewEntry> entries;
    for (int i = 0; i < count; ++i) {
      hashes.push_back(testing::BalancedHash(rng_));
      NewEntry entry;
      entry.input.signal = Signal::Pdq(hashes.back());
      entry.input.source_org = "hotline-a";
      entries.push_back(entry);
    }
    EXPECT_TRUE(store_->AddEntries(bank, entries).has_value());
    return hashes;
  }

  // A video of `count` frames, one per second, stored in `bank`.
  std::vector<hash::VpdqFrame> AddVideo(const std::string& bank, int count) {
    std::vector<hash::VpdqFrame> frames;
    for (int i = 0; i < count; ++i) {
      frames.push_back({.frame_number = i * 30,
                        .quality = 90,
                        .hash = testing::BalancedHash(rng_),
                        .timestamp_seconds = static_cast<double>(i)});
    }
    NewEntry entry;
    entry.input.frames = frames;
    entry.input.signal = Signal::Vpdq(frames);
    entry.input.source_org = "hotline-a";
    EXPECT_TRUE(store_->AddEntries(bank, {&entry, 1}).has_value());
    return frames;
  }

  MatcherOptions Options() {
    MatcherOptions options;
    options.snapshot_dir = dir_ / "snapshots";
    options.live.background_merge = false;
    return options;
  }

  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  testing::Rng rng_{21};
};

TEST_F(MatcherTest, MatchesAcrossBanksWithTheStoredEntry) {
  const auto hotline = AddPdq("hotline", 200);
  const auto platform = AddPdq("platform", 100);
  NewEntry digest;
  hash::Md5Digest md5{};
  md5[0] = 0x42;
  digest.input.signal = Signal::Md5(md5);
  ASSERT_TRUE(store_->AddEntries("platform", {&digest, 1}).has_value());

  auto matcher = Matcher::Open(*store_, Options());
  ASSERT_TRUE(matcher.has_value()) << matcher.error().ToString();
  const hash::PdqHash query = testing::FlipBits(hotline[5], 9, rng_);
  auto hits = (*matcher)->MatchPdq({&query, 1}, 31);
  ASSERT_TRUE(hits.has_value());
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0].bank, "hotline");
  EXPECT_EQ((*hits)[0].distance, 9);
  EXPECT_EQ((*hits)[0].entry.input.signal, Signal::Pdq(hotline[5]));
  EXPECT_EQ((*hits)[0].entry.input.source_org, "hotline-a");

  const std::vector<std::string> only_platform = {"platform"};
  EXPECT_TRUE((*matcher)->MatchPdq({&query, 1}, 31, only_platform)->empty());
  auto exact = (*matcher)->MatchSignal(Signal::Md5(md5), 31);
  ASSERT_TRUE(exact.has_value());
  ASSERT_EQ(exact->size(), 1u);
  EXPECT_EQ((*exact)[0].bank, "platform");
  const std::vector<std::string> unknown = {"nope"};
  EXPECT_EQ((*matcher)->MatchPdq({&query, 1}, 31, unknown).error().code(),
            StatusCode::kNotFound);
  EXPECT_EQ((*matcher)->MatchPdq({&query, 1}, 99).error().code(),
            StatusCode::kInvalidArgument);
  (void)platform;
}

TEST_F(MatcherTest, RefreshAppliesNewEntriesAndRevocations) {
  const auto first = AddPdq("hotline", 50);
  auto matcher = Matcher::Open(*store_, Options());
  ASSERT_TRUE(matcher.has_value());
  const auto later = AddPdq("hotline", 10);
  ASSERT_TRUE(store_->Revoke("hotline", Signal::Pdq(first[0]), "false positive")
                  .has_value());
  // Even before Refresh, a revoked entry is never reported.
  EXPECT_TRUE((*matcher)->MatchPdq({&first[0], 1}, 0)->empty());
  ASSERT_TRUE((*matcher)->Refresh().ok());
  EXPECT_EQ((*matcher)->MatchPdq({&later[3], 1}, 0)->size(), 1u);
  EXPECT_TRUE((*matcher)->MatchPdq({&first[0], 1}, 0)->empty());
  EXPECT_EQ((*matcher)->MatchPdq({&first[1], 1}, 0)->size(), 1u);
}

TEST_F(MatcherTest, SnapshotsSpeedStartUpAndCatchUpWithTheStore) {
  const auto first = AddPdq("hotline", 300);
  {
    auto matcher = Matcher::Open(*store_, Options());
    ASSERT_TRUE(matcher.has_value());
    EXPECT_FALSE((*matcher)->loads()[0].from_snapshot);
    ASSERT_TRUE((*matcher)->SaveSnapshots().ok());
  }
  const auto after = AddPdq("hotline", 5);
  ASSERT_TRUE(store_->Revoke("hotline", Signal::Pdq(first[7]), "appeal upheld")
                  .has_value());
  auto matcher = Matcher::Open(*store_, Options());
  ASSERT_TRUE(matcher.has_value());
  const BankLoad& load = (*matcher)->loads()[0];
  EXPECT_EQ(load.bank, "hotline");
  EXPECT_TRUE(load.from_snapshot);
  EXPECT_EQ(load.changes_applied, 6u);
  EXPECT_EQ((*matcher)->MatchPdq({&after[4], 1}, 0)->size(), 1u);
  EXPECT_TRUE((*matcher)->MatchPdq({&first[7], 1}, 0)->empty());
  EXPECT_EQ((*matcher)->MatchPdq({&first[8], 1}, 0)->size(), 1u);
}

TEST_F(MatcherTest, DamagedSnapshotFallsBackToTheStore) {
  const auto hashes = AddPdq("hotline", 20);
  {
    auto matcher = Matcher::Open(*store_, Options());
    ASSERT_TRUE(matcher.has_value());
    ASSERT_TRUE((*matcher)->SaveSnapshots().ok());
  }
  {
    std::fstream file(dir_ / "snapshots" / "hotline.snapshot",
                      std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(100);
    file.put('\x7f');
  }
  auto matcher = Matcher::Open(*store_, Options());
  ASSERT_TRUE(matcher.has_value());
  const BankLoad* hotline = nullptr;
  for (const BankLoad& load : (*matcher)->loads()) {
    if (load.bank == "hotline") hotline = &load;
  }
  ASSERT_NE(hotline, nullptr);
  EXPECT_FALSE(hotline->from_snapshot);
  EXPECT_NE(hotline->snapshot_problem.find("checksum"), std::string::npos);
  EXPECT_EQ((*matcher)->MatchPdq({&hashes[0], 1}, 0)->size(), 1u);
}

TEST_F(MatcherTest, VideosMatchByTheirFramesWithBothPercentages) {
  const auto original = AddVideo("hotline", 20);
  const auto other = AddVideo("platform", 10);
  auto matcher = Matcher::Open(*store_, Options());
  ASSERT_TRUE(matcher.has_value()) << matcher.error().ToString();

  // An excerpt of 5 frames, each slightly altered (a re-encode).
  std::vector<hash::VpdqFrame> clip(original.begin() + 5,
                                    original.begin() + 10);
  for (hash::VpdqFrame& frame : clip) {
    frame.hash = testing::FlipBits(frame.hash, 12, rng_);
  }
  auto hits = (*matcher)->MatchVideo(clip, {});
  ASSERT_TRUE(hits.has_value()) << hits.error().ToString();
  ASSERT_EQ(hits->size(), 1u);
  const VideoHit& hit = (*hits)[0];
  EXPECT_EQ(hit.bank, "hotline");
  EXPECT_EQ(hit.entry.input.signal, Signal::Vpdq(original));
  EXPECT_EQ(hit.entry.input.frames, original);
  EXPECT_DOUBLE_EQ(hit.comparison.query_percent, 100);
  EXPECT_DOUBLE_EQ(hit.comparison.target_percent, 25);
  EXPECT_EQ(hit.best_distance, 12);

  // The other way round the original is mostly elsewhere: no match at
  // the defaults, a candidate when asked for every one.
  hash::VpdqMatchOptions demanding;
  demanding.target_percent = 80;
  EXPECT_TRUE((*matcher)->MatchVideo(clip, demanding)->empty());
  auto all = (*matcher)->MatchVideo(clip, demanding, {}, true);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_FALSE((*all)[0].comparison.match);

  // A screenshot of the original's 8th second finds that frame.
  const hash::PdqHash screenshot = testing::FlipBits(original[7].hash, 6, rng_);
  auto still = (*matcher)->MatchPdq({&screenshot, 1}, 31);
  ASSERT_TRUE(still.has_value());
  ASSERT_EQ(still->size(), 1u);
  ASSERT_TRUE((*still)[0].frame.has_value());
  EXPECT_EQ((*still)[0].frame->frame_number, 210);
  EXPECT_EQ((*still)[0].distance, 6);

  const std::vector<std::string> only_platform = {"platform"};
  EXPECT_TRUE((*matcher)->MatchVideo(clip, {}, only_platform)->empty());
  EXPECT_EQ((*matcher)->MatchVideo(other, {}, only_platform)->size(), 1u);
  EXPECT_EQ((*matcher)->MatchSignal(Signal::Vpdq(original), 31).error().code(),
            StatusCode::kInvalidArgument);
  hash::VpdqMatchOptions wrong;
  wrong.query_percent = 120;
  EXPECT_EQ((*matcher)->MatchVideo(clip, wrong).error().code(),
            StatusCode::kInvalidArgument);

  const auto sizes = (*matcher)->bank_sizes();
  for (const BankSize& size : sizes) {
    EXPECT_EQ(size.videos, 1u) << size.bank;
    EXPECT_EQ(size.video_frames, size.bank == "hotline" ? 20u : 10u);
  }
}

TEST_F(MatcherTest, VideosAddedRevokedAndReloadedFromSnapshots) {
  const auto first = AddVideo("hotline", 8);
  {
    auto matcher = Matcher::Open(*store_, Options());
    ASSERT_TRUE(matcher.has_value());
    const auto later = AddVideo("hotline", 6);
    ASSERT_TRUE((*matcher)->Refresh().ok());
    EXPECT_EQ((*matcher)->MatchVideo(later, {})->size(), 1u);
    ASSERT_TRUE(store_->Revoke("hotline", Signal::Vpdq(first), "appeal upheld")
                    .has_value());
    // Revoked in the store: never reported, even before the refresh.
    EXPECT_TRUE((*matcher)->MatchVideo(first, {})->empty());
    ASSERT_TRUE((*matcher)->Refresh().ok());
    EXPECT_TRUE((*matcher)->MatchVideo(first, {})->empty());
    EXPECT_EQ((*matcher)->bank_sizes()[0].videos, 1u);
    ASSERT_TRUE((*matcher)->SaveSnapshots().ok());
  }
  const auto after = AddVideo("hotline", 4);
  auto matcher = Matcher::Open(*store_, Options());
  ASSERT_TRUE(matcher.has_value());
  EXPECT_TRUE((*matcher)->loads()[0].from_snapshot);
  EXPECT_EQ((*matcher)->MatchVideo(after, {})->size(), 1u);
  EXPECT_TRUE((*matcher)->MatchVideo(first, {})->empty());
  for (const BankSize& size : (*matcher)->bank_sizes()) {
    if (size.bank == "hotline") {
      EXPECT_EQ(size.videos, 2u);
      EXPECT_EQ(size.video_frames, 10u);
    }
  }
}

// The second stage through the store: pictures added with their patch
// signatures, found again from a crop PDQ cannot match.
class MatcherPatchesTest : public MatcherTest {
 protected:
  static hash::PatchSignature Sign(const media::Image& picture,
                                   const hash::PatchOptions& options) {
    hash::PatchHasher hasher;
    auto signature = hasher.Sign(picture.view(), options);
    EXPECT_TRUE(signature) << signature.error().message();
    return signature ? *signature : hash::PatchSignature{};
  }

  // Pictures of seeds `seeds` into `bank`, each a PDQ entry with its
  // signature (or without, when `with_patches` is false); their signals.
  std::vector<Signal> AddPictures(const std::string& bank,
                                  const std::vector<std::uint64_t>& seeds,
                                  bool with_patches = true) {
    std::vector<NewEntry> entries;
    std::vector<Signal> signals;
    for (std::uint64_t seed : seeds) {
      const media::Image picture = testing::TexturedPicture(seed);
      auto pdq = hash::PdqHasher().Hash(picture.view());
      EXPECT_TRUE(pdq) << pdq.error().message();
      NewEntry entry;
      entry.input.signal = Signal::Pdq(pdq->hash);
      entry.input.source_org = "hotline-a";
      if (with_patches) {
        entry.input.patches = Sign(picture, hash::BankPatchOptions());
      }
      signals.push_back(entry.input.signal);
      entries.push_back(std::move(entry));
    }
    EXPECT_TRUE(store_->AddEntries(bank, entries).has_value());
    return signals;
  }

  // The query signature of the middle of picture `seed` (a quarter cut
  // from each side).
  static hash::PatchSignature CroppedQuery(std::uint64_t seed) {
    return Sign(testing::Middle(testing::TexturedPicture(seed)),
                hash::QueryPatchOptions());
  }
};

TEST_F(MatcherPatchesTest, FindsACropThatPdqMisses) {
  const auto hotline = AddPictures("hotline", {1, 2, 3});
  const auto platform = AddPictures("platform", {4, 5});
  auto matcher = Matcher::Open(*store_, Options());
  ASSERT_TRUE(matcher.has_value()) << matcher.error().ToString();

  // PDQ does not see the crop.
  const media::Image crop = testing::Middle(testing::TexturedPicture(2));
  auto crop_pdq = hash::PdqHasher().Hash(crop.view());
  ASSERT_TRUE(crop_pdq);
  auto first = (*matcher)->MatchPdq({&crop_pdq->hash, 1}, 31);
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(first->empty());

  auto hits = (*matcher)->MatchPatches(CroppedQuery(2));
  ASSERT_TRUE(hits.has_value()) << hits.error().ToString();
  ASSERT_EQ(hits->size(), 1u);
  const Hit& hit = hits->front();
  EXPECT_EQ(hit.bank, "hotline");
  EXPECT_EQ(hit.entry.input.signal, hotline[1]);
  EXPECT_EQ(hit.entry.input.source_org, "hotline-a");
  ASSERT_TRUE(hit.patch_group.has_value());
  EXPECT_GE(*hit.patch_group, PatchMatchOptions{}.min_group);
  EXPECT_LE(hit.distance, PatchMatchOptions{}.radius);

  // In the other bank, or in a bank named: only where the picture is.
  const std::vector<std::string> other = {"platform"};
  EXPECT_TRUE((*matcher)->MatchPatches(CroppedQuery(2), {}, other)->empty());
  auto in_platform = (*matcher)->MatchPatches(CroppedQuery(5), {}, other);
  ASSERT_TRUE(in_platform.has_value());
  ASSERT_EQ(in_platform->size(), 1u);
  EXPECT_EQ(in_platform->front().entry.input.signal, platform[1]);
  // An unrelated picture matches nothing.
  EXPECT_TRUE((*matcher)->MatchPatches(CroppedQuery(40))->empty());

  const auto sizes = (*matcher)->bank_sizes();
  ASSERT_EQ(sizes.size(), 2u);
  EXPECT_EQ(sizes[0].bank, "hotline");
  EXPECT_EQ(sizes[0].patch_pictures, 3u);
  EXPECT_EQ(sizes[1].patch_pictures, 2u);
}

TEST_F(MatcherPatchesTest, FindsACentredCropByTheEntrysCropsAlone) {
  // A signature without patches (a picture too plain for them): its
  // centred crops find the copy cropped evenly, with no patch to agree.
  const media::Image picture = testing::TexturedPicture(6);
  auto pdq = hash::PdqHasher().Hash(picture.view());
  ASSERT_TRUE(pdq);
  NewEntry entry;
  entry.input.signal = Signal::Pdq(pdq->hash);
  entry.input.patches = Sign(picture, hash::BankPatchOptions());
  entry.input.patches->patches.clear();
  ASSERT_FALSE(entry.input.patches->crops.empty());
  ASSERT_TRUE(store_->AddEntries("hotline", {&entry, 1}).has_value());
  AddPictures("hotline", {7, 8});
  auto matcher = Matcher::Open(*store_, Options());
  ASSERT_TRUE(matcher.has_value()) << matcher.error().ToString();

  auto hits = (*matcher)->MatchPatches(CroppedQuery(6));
  ASSERT_TRUE(hits.has_value()) << hits.error().ToString();
  ASSERT_EQ(hits->size(), 1u);
  const Hit& hit = hits->front();
  EXPECT_EQ(hit.entry.input.signal, entry.input.signal);
  ASSERT_TRUE(hit.patch_group.has_value());
  EXPECT_EQ(*hit.patch_group, 0);
  ASSERT_TRUE(hit.crop_keep.has_value());
  // The middle half of each side: the bank's crop of 0.48.
  EXPECT_NEAR(*hit.crop_keep, 1 / 1.44 / 1.44, 0.01);
  EXPECT_LE(hit.distance, PatchMatchOptions{}.crop_radius);
  // A crop radius of 0 asks for the same hash: none here.
  PatchMatchOptions exact;
  exact.crop_radius = 0;
  EXPECT_TRUE((*matcher)->MatchPatches(CroppedQuery(6), exact)->empty());
  // The pictures with patches are found by them, without a crop_keep.
  auto by_patches = (*matcher)->MatchPatches(CroppedQuery(7));
  ASSERT_TRUE(by_patches.has_value());
  ASSERT_EQ(by_patches->size(), 1u);
  EXPECT_GE(*by_patches->front().patch_group, PatchMatchOptions{}.min_group);
  EXPECT_FALSE(by_patches->front().crop_keep.has_value());
}

TEST_F(MatcherPatchesTest, OnlyEntriesStoredWithASignature) {
  AddPictures("hotline", {1}, /*with_patches=*/false);
  AddPictures("hotline", {2});
  auto matcher = Matcher::Open(*store_, Options());
  ASSERT_TRUE(matcher.has_value());
  EXPECT_TRUE((*matcher)->MatchPatches(CroppedQuery(1))->empty());
  EXPECT_EQ((*matcher)->MatchPatches(CroppedQuery(2))->size(), 1u);
  EXPECT_EQ((*matcher)->bank_sizes()[0].patch_pictures, 1u);
}

TEST_F(MatcherPatchesTest, RefreshAddsAndRevokesSignatures) {
  AddPictures("hotline", {1});
  auto matcher = Matcher::Open(*store_, Options());
  ASSERT_TRUE(matcher.has_value());
  EXPECT_TRUE((*matcher)->MatchPatches(CroppedQuery(3))->empty());

  const auto added = AddPictures("hotline", {3});
  // Not refreshed yet: the matcher does not know it.
  EXPECT_TRUE((*matcher)->MatchPatches(CroppedQuery(3))->empty());
  ASSERT_TRUE((*matcher)->Refresh().ok());
  EXPECT_EQ((*matcher)->MatchPatches(CroppedQuery(3))->size(), 1u);

  ASSERT_TRUE(store_->Revoke("hotline", added[0], "false match").has_value());
  // Revoked in the store, not yet refreshed: never reported all the same.
  EXPECT_TRUE((*matcher)->MatchPatches(CroppedQuery(3))->empty());
  ASSERT_TRUE((*matcher)->Refresh().ok());
  EXPECT_TRUE((*matcher)->MatchPatches(CroppedQuery(3))->empty());
  EXPECT_EQ((*matcher)->bank_sizes()[0].patch_pictures, 1u);
  EXPECT_EQ((*matcher)->MatchPatches(CroppedQuery(1))->size(), 1u);
}

TEST_F(MatcherPatchesTest, AnEntrySignedLaterIsFoundAndNotLoadedTwice) {
  AddPictures("hotline", {1, 2}, /*with_patches=*/false);
  auto matcher = Matcher::Open(*store_, Options());
  ASSERT_TRUE(matcher.has_value());
  EXPECT_TRUE((*matcher)->MatchPatches(CroppedQuery(2))->empty());
  ASSERT_EQ((*matcher)->bank_sizes()[0].pdq, 2u);

  // The same list again, made with signatures: the entries take them.
  AddPictures("hotline", {1, 2});
  ASSERT_TRUE((*matcher)->Refresh().ok());
  auto hits = (*matcher)->MatchPatches(CroppedQuery(2));
  ASSERT_TRUE(hits.has_value());
  ASSERT_EQ(hits->size(), 1u);
  const auto sizes = (*matcher)->bank_sizes();
  EXPECT_EQ(sizes[0].patch_pictures, 2u);
  EXPECT_EQ(sizes[0].pdq, 2u);  // Their hashes were not added again.
  // Nor written twice to a snapshot.
  ASSERT_TRUE((*matcher)->SaveSnapshots().ok());
  auto reopened = Matcher::Open(*store_, Options());
  ASSERT_TRUE(reopened.has_value());
  ASSERT_TRUE((*reopened)->loads().at(0).from_snapshot);
  EXPECT_EQ((*reopened)->bank_sizes()[0].pdq, 2u);
  EXPECT_EQ((*reopened)->MatchPatches(CroppedQuery(1))->size(), 1u);
}

TEST_F(MatcherPatchesTest, SignaturesComeBackWithASnapshot) {
  AddPictures("hotline", {1, 2});
  {
    auto matcher = Matcher::Open(*store_, Options());
    ASSERT_TRUE(matcher.has_value());
    ASSERT_TRUE((*matcher)->SaveSnapshots().ok());
  }
  AddPictures("hotline", {3});  // After the snapshot: from the change log.
  auto matcher = Matcher::Open(*store_, Options());
  ASSERT_TRUE(matcher.has_value());
  ASSERT_TRUE((*matcher)->loads().at(0).from_snapshot);
  for (std::uint64_t seed : {1, 2, 3}) {
    auto hits = (*matcher)->MatchPatches(CroppedQuery(seed));
    ASSERT_TRUE(hits.has_value());
    EXPECT_EQ(hits->size(), 1u) << "picture " << seed;
  }
  EXPECT_EQ((*matcher)->bank_sizes()[0].patch_pictures, 3u);
}

TEST_F(MatcherPatchesTest, RefusesBadOptionsAndUnknownBanks) {
  auto matcher = Matcher::Open(*store_, Options());
  ASSERT_TRUE(matcher.has_value());
  const hash::PatchSignature query = CroppedQuery(1);
  PatchMatchOptions options;
  options.radius = 257;
  EXPECT_EQ((*matcher)->MatchPatches(query, options).error().code(),
            StatusCode::kInvalidArgument);
  options.radius = -1;
  EXPECT_EQ((*matcher)->MatchPatches(query, options).error().code(),
            StatusCode::kInvalidArgument);
  options = {};
  options.min_group = 0;
  EXPECT_EQ((*matcher)->MatchPatches(query, options).error().code(),
            StatusCode::kInvalidArgument);
  options = {};
  options.crop_radius = 257;
  EXPECT_EQ((*matcher)->MatchPatches(query, options).error().code(),
            StatusCode::kInvalidArgument);
  options.crop_radius = -1;
  EXPECT_EQ((*matcher)->MatchPatches(query, options).error().code(),
            StatusCode::kInvalidArgument);
  const std::vector<std::string> unknown = {"nobody"};
  EXPECT_EQ((*matcher)->MatchPatches(query, {}, unknown).error().code(),
            StatusCode::kNotFound);
}

TEST(MergeHitsTest, AFirstStageHitWinsOverASecondStageOne) {
  store::Entry entry;
  entry.id = 7;
  Hit pdq{"hotline", entry, 20, std::nullopt, std::nullopt};
  Hit patches{"hotline", entry, 12, std::nullopt, 5};
  Hit bigger{"hotline", entry, 30, std::nullopt, 9};

  std::vector<Hit> hits = {patches};
  MergeHits(hits, {pdq});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].distance, 20);
  EXPECT_FALSE(hits[0].patch_group.has_value());
  MergeHits(hits, {bigger});
  EXPECT_EQ(hits[0].distance, 20);
  EXPECT_FALSE(hits[0].patch_group.has_value());

  hits = {patches};
  MergeHits(hits, {bigger});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].patch_group, 9);
  EXPECT_EQ(hits[0].distance, 30);
  // Another entry, or the same in another bank, is another hit.
  Hit other = patches;
  other.bank = "platform";
  MergeHits(hits, {other});
  EXPECT_EQ(hits.size(), 2u);
}

}  // namespace
}  // namespace rempart::match
