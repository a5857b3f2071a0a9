#include "rempart/core/hex.h"

#include <gtest/gtest.h>

namespace rempart {
namespace {

TEST(HexTest, EncodesLowercase) {
  const std::vector<std::uint8_t> bytes = {0x00, 0x9f, 0xAB, 0xff};
  EXPECT_EQ(HexEncode(bytes), "009fabff");
  EXPECT_EQ(HexEncode({}), "");
}

TEST(HexTest, DecodesEitherCase) {
  auto bytes = HexDecode("009FabfF", 4);
  ASSERT_TRUE(bytes.has_value());
  EXPECT_EQ(*bytes, (std::vector<std::uint8_t>{0x00, 0x9f, 0xab, 0xff}));
}

TEST(HexTest, RejectsWrongLengthWithReason) {
  auto odd = HexDecode("abc", 2);
  ASSERT_FALSE(odd.has_value());
  EXPECT_EQ(odd.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(odd.error().message(), "expected 4 hex digits, got 3 characters");
}

TEST(HexTest, RejectsNonDigitsAndNamesPosition) {
  for (const char* text : {"0x12", "12 4", "zz00", "12\n4", "ab-d"}) {
    auto bytes = HexDecode(text, 2);
    ASSERT_FALSE(bytes.has_value()) << text;
    EXPECT_NE(bytes.error().message().find("is not a hex digit"),
              std::string::npos);
  }
  auto bytes = HexDecode("12g4", 2);
  EXPECT_EQ(bytes.error().message(), "character 3 is not a hex digit");
}

}  // namespace
}  // namespace rempart
