#include "rempart/match/matcher.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "rempart/store/sqlite_store.h"
#include "tests/support/synthetic_hashes.h"

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

}  // namespace
}  // namespace rempart::match
