#include "rempart/hash/vpdq.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace rempart::hash {
namespace {

PdqHash RandomHash(std::mt19937_64& random) {
  return PdqHash({random(), random(), random(), random()});
}

// `hash` with its first `bits` bits flipped.
PdqHash Flip(PdqHash hash, int bits) {
  for (int k = 0; k < bits; ++k) {
    auto words = hash.words();
    words[static_cast<std::size_t>(k / 64)] ^= std::uint64_t{1} << (k % 64);
    hash = PdqHash(words);
  }
  return hash;
}

std::vector<VpdqFrame> Video(std::vector<PdqHash> hashes, int quality = 100) {
  std::vector<VpdqFrame> frames;
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    frames.push_back({.frame_number = static_cast<std::int64_t>(i) * 30,
                      .quality = quality,
                      .hash = hashes[i],
                      .timestamp_seconds = static_cast<double>(i)});
  }
  return frames;
}

TEST(VpdqFormat, WritesTheReferenceLineShape) {
  const VpdqFrame frame{
      .frame_number = 30,
      .quality = 68,
      .hash = *PdqHash::FromHex(
          "c8feb0fc73910f830fc6307cf039e7030fc61b9cf8717cf00fce00070003fffe"),
      .timestamp_seconds = 1.0};
  EXPECT_EQ(FormatVpdqFrame(frame),
            "30,68,"
            "c8feb0fc73910f830fc6307cf039e7030fc61b9cf8717cf00fce00070003fffe,"
            "1.000");
  VpdqFrame third = frame;
  third.frame_number = 1;
  third.timestamp_seconds = 1.0 / 30.0;
  EXPECT_TRUE(FormatVpdqFrame(third).ends_with(",0.033"));
}

TEST(VpdqFormat, RoundTripsThroughText) {
  std::mt19937_64 random(7);
  auto frames =
      Video({RandomHash(random), RandomHash(random), RandomHash(random)});
  frames[1].quality = 0;
  frames[2].timestamp_seconds = 2.5;
  const std::string text = FormatVpdq(frames);
  auto parsed = ParseVpdq(text);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(*parsed, frames);
  EXPECT_EQ(FormatVpdq(*parsed), text);
}

TEST(VpdqFormat, SkipsCommentsBlankLinesAndCarriageReturns) {
  const std::string hash(64, 'a');
  auto parsed = ParseVpdq("# made by hand\r\n\r\n0,100," + hash +
                          ",0.000\r\n  \n30,50," + hash + ",1.000");
  ASSERT_TRUE(parsed) << parsed.error().message();
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[1].frame_number, 30);
  EXPECT_EQ((*parsed)[1].quality, 50);
}

TEST(VpdqFormat, RefusesMalformedLinesNamingThem) {
  const std::string hash(64, 'f');
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"", "no frames"},
      {"# only a comment\n", "no frames"},
      {"0,100," + hash, "expected"},
      {"0,100," + hash + ",0.000,extra", "expected"},
      {"-1,100," + hash + ",0.000", "frame number"},
      {"x,100," + hash + ",0.000", "frame number"},
      {"0,101," + hash + ",0.000", "quality"},
      {"0,," + hash + ",0.000", "quality"},
      {"0,100," + hash.substr(1) + ",0.000", "hash"},
      {"0,100," + hash + ",-1.000", "timestamp"},
      {"0,100," + hash + ",nan", "timestamp"},
      {"0,100," + hash + ",1e3", "timestamp"},
      {"0,100," + hash + ",1000000000.001", "timestamp"},
      {"0,100," + hash + ",114333321662753333333312672193", "timestamp"},
      {"0,100," + hash + ",", "timestamp"},
      {"5,100," + hash + ",0.000\n5,100," + hash + ",0.000", "increase"},
      {"0,100," + hash + ",0.000" + std::string(300, ' '), "longer"},
  };
  for (const auto& [text, why] : bad) {
    auto parsed = ParseVpdq(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_NE(parsed.error().message().find(why), std::string::npos)
        << text << " → " << parsed.error().message();
  }
  auto second = ParseVpdq("0,100," + hash + ",0.000\n1,100,zz,0.000");
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message().find("line 2"), std::string::npos);
}

TEST(VpdqFormat, RefusesTooManyFrames) {
  std::string text;
  const std::string hash(64, '0');
  for (std::size_t i = 0; i <= kMaxVpdqFrames; ++i) {
    text += std::to_string(i) + ",100," + hash + ",0.000\n";
  }
  auto parsed = ParseVpdq(text);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code(), StatusCode::kResourceExhausted);
}

TEST(CompareVpdq, IdenticalVideosMatchFully) {
  std::mt19937_64 random(1);
  const auto video = Video({RandomHash(random), RandomHash(random),
                            RandomHash(random), RandomHash(random)});
  const VpdqComparison result = CompareVpdq(video, video);
  EXPECT_EQ(result.query_usable, 4u);
  EXPECT_EQ(result.query_matched, 4u);
  EXPECT_DOUBLE_EQ(result.query_percent, 100);
  EXPECT_DOUBLE_EQ(result.target_percent, 100);
  EXPECT_TRUE(result.match);
}

TEST(CompareVpdq, ATrimmedCopyMatchesAsQueryNotAsTarget) {
  std::mt19937_64 random(2);
  std::vector<PdqHash> hashes;
  for (int i = 0; i < 10; ++i) hashes.push_back(RandomHash(random));
  const auto original = Video(hashes);
  const auto trimmed = Video({hashes.begin() + 2, hashes.begin() + 5});

  const VpdqComparison as_query = CompareVpdq(trimmed, original);
  EXPECT_DOUBLE_EQ(as_query.query_percent, 100);
  EXPECT_DOUBLE_EQ(as_query.target_percent, 30);
  EXPECT_TRUE(as_query.match);

  const VpdqComparison as_target = CompareVpdq(original, trimmed);
  EXPECT_DOUBLE_EQ(as_target.query_percent, 30);
  EXPECT_DOUBLE_EQ(as_target.target_percent, 100);
  EXPECT_FALSE(as_target.match);
  VpdqMatchOptions either_way;
  either_way.query_percent = 0;
  either_way.target_percent = 80;
  EXPECT_TRUE(CompareVpdq(original, trimmed, either_way).match);
}

TEST(CompareVpdq, DistanceThresholdIsInclusive) {
  std::mt19937_64 random(3);
  const PdqHash hash = RandomHash(random);
  const auto query = Video({hash});
  EXPECT_TRUE(CompareVpdq(query, Video({Flip(hash, 31)})).match);
  EXPECT_FALSE(CompareVpdq(query, Video({Flip(hash, 32)})).match);
  VpdqMatchOptions strict;
  strict.distance = 10;
  EXPECT_TRUE(CompareVpdq(query, Video({Flip(hash, 10)}), strict).match);
  EXPECT_FALSE(CompareVpdq(query, Video({Flip(hash, 11)}), strict).match);
}

TEST(CompareVpdq, LowQualityFramesAreLeftOut) {
  std::mt19937_64 random(4);
  const PdqHash shared = RandomHash(random);
  auto query = Video({shared, RandomHash(random)});
  query[1].quality = 49;  // Not usable: the query is one frame.
  auto target = Video({shared});
  VpdqComparison result = CompareVpdq(query, target);
  EXPECT_EQ(result.query_usable, 1u);
  EXPECT_DOUBLE_EQ(result.query_percent, 100);
  EXPECT_TRUE(result.match);

  // A low-quality frame matches nothing, even an identical one.
  target[0].quality = 10;
  query[0].quality = 10;
  result = CompareVpdq(query, target);
  EXPECT_EQ(result.query_usable, 0u);
  EXPECT_EQ(result.target_usable, 0u);
  EXPECT_FALSE(result.match);
  VpdqMatchOptions zero;
  zero.query_percent = 0;
  EXPECT_FALSE(CompareVpdq(query, target, zero).match)
      << "nothing usable never matches, whatever the thresholds";
}

TEST(CompareVpdq, UnrelatedVideosDoNotMatch) {
  std::mt19937_64 random(5);
  std::vector<PdqHash> a;
  std::vector<PdqHash> b;
  for (int i = 0; i < 50; ++i) {
    a.push_back(RandomHash(random));
    b.push_back(RandomHash(random));
  }
  const VpdqComparison result = CompareVpdq(Video(a), Video(b));
  EXPECT_EQ(result.query_matched, 0u);
  EXPECT_EQ(result.target_matched, 0u);
  EXPECT_FALSE(result.match);
}

TEST(CompareVpdq, RepeatedFramesCountEachTime) {
  std::mt19937_64 random(6);
  const PdqHash still = RandomHash(random);
  const auto query = Video({still, still, still, RandomHash(random)});
  const VpdqComparison result = CompareVpdq(query, Video({still}));
  EXPECT_EQ(result.query_usable, 4u);
  EXPECT_EQ(result.query_matched, 3u);
  EXPECT_DOUBLE_EQ(result.query_percent, 75);
  EXPECT_FALSE(result.match);
}

}  // namespace
}  // namespace rempart::hash
