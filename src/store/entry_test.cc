#include "rempart/store/entry.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "rempart/core/hex.h"
#include "rempart/hash/vpdq.h"

namespace rempart::store {
namespace {

constexpr char kPdqHex[] =
    "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";

TEST(SignalTest, ParsesAndPrintsHex) {
  auto pdq = Signal::FromHex(SignalKind::kPdq, kPdqHex);
  ASSERT_TRUE(pdq.has_value()) << pdq.status().ToString();
  EXPECT_EQ(pdq->kind(), SignalKind::kPdq);
  EXPECT_EQ(pdq->bytes().size(), 32u);
  EXPECT_EQ(pdq->hex(), kPdqHex);
  EXPECT_EQ(pdq->pdq().ToHex(), kPdqHex);
  EXPECT_EQ(HexEncode(pdq->bytes()), kPdqHex);

  auto md5 =
      Signal::FromHex(SignalKind::kMd5, "D41D8CD98F00B204E9800998ECF8427E");
  ASSERT_TRUE(md5.has_value());
  EXPECT_EQ(md5->bytes().size(), 16u);
  EXPECT_EQ(md5->hex(), "d41d8cd98f00b204e9800998ecf8427e");
}

TEST(SignalTest, RejectsWrongLengthsAndDigits) {
  EXPECT_FALSE(Signal::FromHex(SignalKind::kMd5, kPdqHex).has_value());
  EXPECT_FALSE(Signal::FromHex(SignalKind::kSha256, "abc").has_value());
  std::string bad = kPdqHex;
  bad[10] = 'g';
  auto parsed = Signal::FromHex(SignalKind::kPdq, bad);
  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(parsed.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(parsed.error().message().find("pdq"), std::string::npos);
}

TEST(SignalTest, EqualityComparesKindAndBytes) {
  const std::string zeros(64, '0');
  auto pdq = Signal::FromHex(SignalKind::kPdq, zeros);
  auto sha = Signal::FromHex(SignalKind::kSha256, zeros);
  ASSERT_TRUE(pdq.has_value() && sha.has_value());
  EXPECT_FALSE(*pdq == *sha);
  EXPECT_EQ(*pdq, Signal());
}

TEST(SignalTest, AVideoIsNamedByTheSha256OfItsFramesText) {
  auto first = hash::PdqHash::FromHex(kPdqHex);
  auto second = hash::PdqHash::FromHex(std::string(63, '0') + "1");
  ASSERT_TRUE(first.has_value() && second.has_value());
  std::vector<hash::VpdqFrame> frames = {{0, 100, *first, 0},
                                         {30, 47, *second, 31.0 / 30}};
  const Signal name = Signal::Vpdq(frames);
  EXPECT_EQ(name.kind(), SignalKind::kVpdq);
  ASSERT_EQ(name.bytes().size(), 32u);
  // sha256 of "0,100,f8f8…9b22,0.000\n30,47,000…001,1.033\n", computed
  // apart from Rempart.
  EXPECT_EQ(name.hex(),
            "0ec2d71db633707020b2b6f77546aa2e3af9d4b7128be70590540f8dc411d16a");
  auto parsed = Signal::FromHex(SignalKind::kVpdq, name.hex());
  ASSERT_TRUE(parsed.has_value()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, name);
  auto digest = Signal::FromHex(SignalKind::kSha256, name.hex());
  ASSERT_TRUE(digest.has_value());
  EXPECT_NE(*digest, name);

  // The name covers the text: a difference past the third decimal of a
  // timestamp is none, a millisecond is another video.
  frames[1].timestamp_seconds = 1.0334;
  EXPECT_EQ(Signal::Vpdq(frames), name);
  frames[1].timestamp_seconds = 1.034;
  EXPECT_NE(Signal::Vpdq(frames), name);
}

TEST(SignalTest, FromBytesChecksTheSizeOfTheKind) {
  const std::vector<std::uint8_t> bytes(32, 0xab);
  auto video = Signal::FromBytes(SignalKind::kVpdq, bytes);
  ASSERT_TRUE(video.has_value());
  EXPECT_EQ(video->kind(), SignalKind::kVpdq);
  std::string hex;
  for (int i = 0; i < 32; ++i) hex += "ab";
  EXPECT_EQ(video->hex(), hex);
  auto pdq = Signal::FromBytes(SignalKind::kPdq, bytes);
  ASSERT_TRUE(pdq.has_value());
  EXPECT_EQ(*pdq, Signal::Pdq(pdq->pdq()));
  auto wrong = Signal::FromBytes(SignalKind::kMd5, bytes);
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(wrong.error().message().find("md5"), std::string::npos);
  EXPECT_FALSE(Signal::FromBytes(SignalKind::kVpdq, std::span(bytes).first(16))
                   .has_value());
}

TEST(EntryNamesTest, RoundTrip) {
  for (auto kind : {SignalKind::kPdq, SignalKind::kMd5, SignalKind::kSha256,
                    SignalKind::kVpdq}) {
    EXPECT_EQ(*ParseSignalKind(SignalKindName(kind)), kind);
  }
  EXPECT_EQ(SignalKindName(SignalKind::kVpdq), "vpdq");
  for (auto category : {Category::kIntimateImage, Category::kSextortion,
                        Category::kSynthetic, Category::kChildAbuse}) {
    EXPECT_EQ(*ParseCategory(CategoryName(category)), category);
  }
  for (auto status : {EntryStatus::kActive, EntryStatus::kRevoked}) {
    EXPECT_EQ(*ParseEntryStatus(EntryStatusName(status)), status);
  }
  EXPECT_FALSE(ParseSignalKind("PDQ").has_value());
  EXPECT_FALSE(ParseCategory("other").has_value());
  EXPECT_FALSE(ParseEntryStatus("deleted").has_value());
}

}  // namespace
}  // namespace rempart::store
