#include "match/video_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <vector>

#include "tests/support/synthetic_hashes.h"

namespace rempart::match {
namespace {

using hash::VpdqFrame;
using hash::VpdqMatchOptions;

std::vector<VpdqFrame> Frames(const std::vector<hash::PdqHash>& hashes,
                              int quality = 100) {
  std::vector<VpdqFrame> frames;
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    frames.push_back({.frame_number = static_cast<std::int64_t>(i) * 25,
                      .quality = quality,
                      .hash = hashes[i],
                      .timestamp_seconds = static_cast<double>(i)});
  }
  return frames;
}

index::LiveOptions Foreground() {
  index::LiveOptions options;
  options.background_merge = false;
  options.merge_threshold = 64;  // Exercise merges with small banks.
  return options;
}

// A bank of videos built from a shared pool of scenes, so that videos share
// frames in many ways (copies, excerpts, near-duplicates, unrelated).
struct Library {
  std::map<std::int64_t, std::vector<VpdqFrame>> videos;
  std::vector<hash::PdqHash> scenes;
};

Library MakeLibrary(testing::Rng& rng, int videos) {
  Library library;
  for (int i = 0; i < 40; ++i)
    library.scenes.push_back(testing::BalancedHash(rng));
  std::uniform_int_distribution<int> length(1, 30);
  std::uniform_int_distribution<std::size_t> scene(0,
                                                   library.scenes.size() - 1);
  std::uniform_int_distribution<int> noise(0, 40);
  std::uniform_int_distribution<int> quality(30, 100);
  for (int v = 0; v < videos; ++v) {
    std::vector<VpdqFrame> frames;
    const int count = length(rng);
    for (int f = 0; f < count; ++f) {
      frames.push_back({.frame_number = f * 30,
                        .quality = quality(rng),
                        .hash = testing::FlipBits(library.scenes[scene(rng)],
                                                  noise(rng), rng),
                        .timestamp_seconds = static_cast<double>(f)});
    }
    library.videos[1000 + v] = std::move(frames);
  }
  return library;
}

TEST(VideoIndex, PercentagesEqualTheBruteForceComparison) {
  testing::Rng rng(11);
  const Library library = MakeLibrary(rng, 120);
  VideoIndex index(Foreground());
  std::vector<VideoInput> inputs;
  for (const auto& [id, frames] : library.videos)
    inputs.push_back({id, frames});
  ASSERT_TRUE(index.Add(inputs).ok());

  for (const int distance : {0, 20, 31, 40}) {
    for (const int quality : {0, 50, 80}) {
      VpdqMatchOptions options;
      options.distance = distance;
      options.quality_threshold = quality;
      for (const auto& [query_id, query] : library.videos) {
        if (query_id % 7 != 0) continue;  // A sample of queries.
        std::map<std::int64_t, VideoCandidate> found;
        for (const VideoCandidate& candidate : index.Search(query, options)) {
          found[candidate.entry_id] = candidate;
        }
        for (const auto& [target_id, target] : library.videos) {
          const hash::VpdqComparison brute =
              hash::CompareVpdq(query, target, options);
          const auto hit = found.find(target_id);
          if (brute.query_matched == 0) {
            EXPECT_EQ(hit, found.end()) << query_id << " vs " << target_id;
            continue;
          }
          ASSERT_NE(hit, found.end()) << query_id << " vs " << target_id;
          const hash::VpdqComparison& got = hit->second.comparison;
          EXPECT_EQ(got.query_usable, brute.query_usable);
          EXPECT_EQ(got.target_usable, brute.target_usable);
          EXPECT_EQ(got.query_matched, brute.query_matched);
          EXPECT_EQ(got.target_matched, brute.target_matched);
          EXPECT_DOUBLE_EQ(got.query_percent, brute.query_percent);
          EXPECT_DOUBLE_EQ(got.target_percent, brute.target_percent);
          EXPECT_EQ(got.match, brute.match);
        }
      }
    }
  }
}

TEST(VideoIndex, RevokedVideosNeverMatchAndAddingTwiceChangesNothing) {
  testing::Rng rng(12);
  std::vector<hash::PdqHash> hashes;
  for (int i = 0; i < 5; ++i) hashes.push_back(testing::BalancedHash(rng));
  const auto video = Frames(hashes);
  VideoIndex index(Foreground());
  ASSERT_TRUE(index.Add(std::vector<VideoInput>{{7, video}, {8, video}}).ok());
  ASSERT_TRUE(index.Add(std::vector<VideoInput>{{7, video}}).ok());
  EXPECT_EQ(index.stats().videos, 2u);
  EXPECT_EQ(index.stats().frames, 10u);
  EXPECT_EQ(index.Search(video, {}).size(), 2u);

  const std::vector<std::int64_t> revoke = {7, 999};
  index.Revoke(revoke);
  index.Revoke(revoke);  // Again: nothing more happens.
  const auto left = index.Search(video, {});
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].entry_id, 8);
  EXPECT_EQ(index.stats().videos, 1u);
  EXPECT_EQ(index.stats().frames, 5u);
  EXPECT_TRUE(index.SearchFrames({&hashes[2], 1}, 31, 50).size() == 1u);
}

TEST(VideoIndex, AStillPictureFindsTheClosestUsableFrame) {
  testing::Rng rng(13);
  std::vector<hash::PdqHash> hashes;
  for (int i = 0; i < 6; ++i) hashes.push_back(testing::BalancedHash(rng));
  auto video = Frames(hashes);
  video[3].quality = 20;  // Too poor to match anything.
  VideoIndex index(Foreground());
  ASSERT_TRUE(index.Add(std::vector<VideoInput>{{42, video}}).ok());

  const hash::PdqHash screenshot = testing::FlipBits(hashes[4], 12, rng);
  auto hits = index.SearchFrames({&screenshot, 1}, 31, 50);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].entry_id, 42);
  EXPECT_EQ(hits[0].frame_position, 4u);
  EXPECT_EQ(hits[0].distance, 12);

  EXPECT_TRUE(index.SearchFrames({&hashes[3], 1}, 31, 50).empty());
  EXPECT_EQ(index.SearchFrames({&hashes[3], 1}, 31, 0).size(), 1u);
  const hash::PdqHash far = testing::FlipBits(hashes[4], 40, rng);
  EXPECT_TRUE(index.SearchFrames({&far, 1}, 31, 50).empty());
}

TEST(VideoIndex, QueriesWithoutUsableFramesFindNothing) {
  testing::Rng rng(14);
  const auto video = Frames({testing::BalancedHash(rng)});
  VideoIndex index(Foreground());
  ASSERT_TRUE(index.Add(std::vector<VideoInput>{{1, video}}).ok());
  const auto dark = Frames({video[0].hash}, 10);
  EXPECT_TRUE(index.Search(dark, {}).empty());
  EXPECT_TRUE(index.Search({}, {}).empty());
}

TEST(VideoIndex, ManyVideosStaySearchableAcrossMerges) {
  testing::Rng rng(15);
  VideoIndex index(Foreground());
  std::vector<std::vector<VpdqFrame>> videos;
  for (int v = 0; v < 300; ++v) {
    std::vector<hash::PdqHash> hashes;
    for (int f = 0; f < 10; ++f) hashes.push_back(testing::BalancedHash(rng));
    videos.push_back(Frames(hashes));
    ASSERT_TRUE(
        index.Add(std::vector<VideoInput>{{v + 1, videos.back()}}).ok());
    if (v % 3 == 0) {
      const std::vector<std::int64_t> revoke = {v + 1};
      index.Revoke(revoke);
    }
  }
  for (int v = 0; v < 300; ++v) {
    const auto found = index.Search(videos[static_cast<std::size_t>(v)], {});
    if (v % 3 == 0) {
      EXPECT_TRUE(found.empty()) << v;
    } else {
      ASSERT_EQ(found.size(), 1u) << v;
      EXPECT_EQ(found[0].entry_id, v + 1);
      EXPECT_DOUBLE_EQ(found[0].comparison.query_percent, 100);
      EXPECT_TRUE(found[0].comparison.match);
    }
  }
}

}  // namespace
}  // namespace rempart::match
