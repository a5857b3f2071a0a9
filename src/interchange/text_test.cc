#include "interchange/text.h"

#include <gtest/gtest.h>

#include <string>

namespace rempart::interchange {
namespace {

TEST(TextTest, TrimsSpacesAndTabsOnly) {
  EXPECT_EQ(Trim("  \tab c\t "), "ab c");
  EXPECT_EQ(Trim("\rx\r"), "\rx\r");
  EXPECT_EQ(Trim("   "), "");
}

TEST(TextTest, BlankAndComment) {
  EXPECT_TRUE(IsBlank(""));
  EXPECT_TRUE(IsBlank(" \t\r"));
  EXPECT_FALSE(IsBlank(" x"));
  EXPECT_TRUE(IsComment("  # note"));
  EXPECT_FALSE(IsComment("a # note"));
  EXPECT_FALSE(IsComment(""));
}

TEST(TextTest, AllHex) {
  EXPECT_TRUE(IsAllHex("09afAF"));
  EXPECT_FALSE(IsAllHex(""));
  EXPECT_FALSE(IsAllHex("0x12"));
  EXPECT_FALSE(IsAllHex("path"));
}

TEST(TextTest, FreeTextAcceptsUtf8AndLineBreaks) {
  EXPECT_EQ(FreeTextProblem("Hotline \xc3\xa9t\xc3\xa9, \"quoted\"\r\n\t"), "");
  EXPECT_EQ(FreeTextProblem("\xf0\x9f\x94\x92 lock"), "");
  EXPECT_EQ(FreeTextProblem(""), "");
}

TEST(TextTest, FreeTextRejectsControlsAndBadUtf8) {
  EXPECT_EQ(FreeTextProblem(std::string("a\0b", 3)),
            "control character at byte 2");
  EXPECT_EQ(FreeTextProblem("a\x1b[2J"), "control character at byte 2");
  EXPECT_EQ(FreeTextProblem("a\x7f"), "control character at byte 2");
  EXPECT_EQ(FreeTextProblem("ab\xff"), "invalid UTF-8 at byte 3");
  EXPECT_EQ(FreeTextProblem("\xc3"), "invalid UTF-8 at byte 1");      // Cut.
  EXPECT_EQ(FreeTextProblem("\xc0\xaf"), "invalid UTF-8 at byte 1");  // Long.
  EXPECT_EQ(FreeTextProblem("\xed\xa0\x80"), "invalid UTF-8 at byte 1");
  EXPECT_EQ(FreeTextProblem("\xf4\x90\x80\x80"), "invalid UTF-8 at byte 1");
}

TEST(TextTest, ExcerptIsShortAndPrintable) {
  EXPECT_EQ(Excerpt("abc"), "'abc'");
  EXPECT_EQ(Excerpt("a\tb\x01\\"), "'a\\x09b\\x01\\x5c'");
  EXPECT_EQ(Excerpt("\xc3\xa9"), "'\xc3\xa9'");
  const std::string long_text(1000, 'x');
  EXPECT_EQ(Excerpt(long_text), "'" + std::string(40, 'x') + "...'");
  // A multi-byte character is not cut in half.
  const std::string near_end = std::string(39, 'x') + "\xc3\xa9";
  EXPECT_EQ(Excerpt(near_end), "'" + std::string(39, 'x') + "...'");
}

}  // namespace
}  // namespace rempart::interchange
