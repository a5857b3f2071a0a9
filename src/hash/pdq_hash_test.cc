#include "rempart/hash/pdq_hash.h"

#include <gtest/gtest.h>

#include <string>

namespace rempart::hash {
namespace {

constexpr std::string_view kSample =
    "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";

TEST(PdqHashTest, HexRoundTrip) {
  auto hash = PdqHash::FromHex(kSample);
  ASSERT_TRUE(hash.has_value()) << hash.error().ToString();
  EXPECT_EQ(hash->ToHex(), kSample);
}

TEST(PdqHashTest, AcceptsUpperCaseAndPrintsLower) {
  std::string upper(kSample);
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  auto hash = PdqHash::FromHex(upper);
  ASSERT_TRUE(hash.has_value());
  EXPECT_EQ(hash->ToHex(), kSample);
}

TEST(PdqHashTest, BitLayoutMatchesSpec) {
  // Spec §10: the first hex digit holds bits 255…252, the last bits 3…0.
  PdqHash hash;
  hash.set_bit(0);
  hash.set_bit(255);
  EXPECT_EQ(hash.ToHex(),
            "8000000000000000000000000000000000000000000000000000000000000001");
  hash.set_bit(17);  // Row 1, column 1: the 5th hex digit from the end.
  EXPECT_EQ(hash.ToHex().substr(59), "20001");
  EXPECT_TRUE(hash.bit(17));
  EXPECT_FALSE(hash.bit(16));
}

TEST(PdqHashTest, RejectsBadText) {
  EXPECT_FALSE(PdqHash::FromHex("").has_value());
  EXPECT_FALSE(PdqHash::FromHex(kSample.substr(1)).has_value());
  EXPECT_FALSE(PdqHash::FromHex(std::string(kSample) + "0").has_value());
  std::string bad(kSample);
  bad[10] = 'g';
  auto result = PdqHash::FromHex(bad);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.error().message().find("character 11"), std::string::npos)
      << result.error().message();
  std::string spaced(kSample);
  spaced[0] = ' ';
  EXPECT_FALSE(PdqHash::FromHex(spaced).has_value());
}

TEST(PdqHashTest, DistanceCountsDifferingBits) {
  auto a = PdqHash::FromHex(kSample);
  ASSERT_TRUE(a.has_value());
  PdqHash b = *a;
  EXPECT_EQ(Distance(*a, b), 0);
  std::string flipped(kSample);
  flipped[0] = '0';   // f -> 0 flips four bits.
  flipped[63] = '3';  // 2 -> 3 flips one bit.
  auto c = PdqHash::FromHex(flipped);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(Distance(*a, *c), 5);
  EXPECT_EQ(Distance(PdqHash(), PdqHash({~0ull, ~0ull, ~0ull, ~0ull})), 256);
}

}  // namespace
}  // namespace rempart::hash
