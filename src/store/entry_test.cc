#include "rempart/store/entry.h"

#include <gtest/gtest.h>

#include <string>

#include "rempart/core/hex.h"

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

TEST(EntryNamesTest, RoundTrip) {
  for (auto kind : {SignalKind::kPdq, SignalKind::kMd5, SignalKind::kSha256}) {
    EXPECT_EQ(*ParseSignalKind(SignalKindName(kind)), kind);
  }
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
