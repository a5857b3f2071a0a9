#include "rempart/service/json_body.h"

#include <gtest/gtest.h>

#include <string>

namespace rempart::service {
namespace {

TEST(ParseJsonBodyTest, ParsesDocuments) {
  auto json =
      ParseJsonBody(R"({"a":[1,2,{"b":"\u00e9\ud83d\ude00"}],"c":null})");
  ASSERT_TRUE(json) << json.error().ToString();
  EXPECT_EQ((*json)["a"][2]["b"], "\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_TRUE(ParseJsonBody(" 3 "));
  EXPECT_TRUE(ParseJsonBody("\"caf\xc3\xa9\""));
}

TEST(ParseJsonBodyTest, SyntaxErrorsSayWhere) {
  auto json = ParseJsonBody("{\"a\": tru}");
  ASSERT_FALSE(json);
  EXPECT_EQ(json.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(json.error().message().find("invalid JSON at byte "),
            std::string::npos)
      << json.error().message();
  EXPECT_EQ(json.error().message().find("last read"), std::string::npos);

  for (const char* bad : {"", "{", "[1,2", "{\"a\":1,}", "[1] [2]", "nul",
                          "\"unterminated", "{'a':1}", "[1,]", "01"}) {
    auto result = ParseJsonBody(bad);
    EXPECT_FALSE(result) << bad;
  }
  // The offset points at the trouble.
  auto trailing = ParseJsonBody("[1]   x");
  ASSERT_FALSE(trailing);
  EXPECT_NE(trailing.error().message().find("at byte 6"), std::string::npos)
      << trailing.error().message();
}

TEST(ParseJsonBodyTest, InvalidUtf8IsRefused) {
  for (const std::string& bad : {
           std::string("\"\xff\""), std::string("\"\xc3\""),  // Truncated.
           std::string("\"\xc0\xaf\""),                       // Overlong.
           std::string("\"\xed\xa0\x80\""),                   // Surrogate.
           std::string("\"\xf4\x90\x80\x80\""),               // > U+10FFFF.
           std::string("\"\\ud800\""),                        // Lone \u.
           std::string("{\"k\xfe\":1}"), std::string("[1,\xff]"),
           std::string("\"a\x01\""),  // Unescaped control character.
       }) {
    auto json = ParseJsonBody(bad);
    EXPECT_FALSE(json) << bad;
    if (!json) {
      EXPECT_EQ(json.error().code(), StatusCode::kInvalidArgument);
    }
  }
}

TEST(ParseJsonBodyTest, DepthIsLimited) {
  const JsonLimits limits{.max_depth = 4, .max_bytes = 1 << 20};
  EXPECT_TRUE(ParseJsonBody("[[[[1]]]]", limits));
  EXPECT_TRUE(ParseJsonBody("[{\"a\":[{}]}]", limits));
  EXPECT_FALSE(ParseJsonBody("[[[[[1]]]]]", limits));
  // Brackets inside strings do not count.
  EXPECT_TRUE(ParseJsonBody(R"(["[[[[[[", "\"[[[[[[[["])", limits));
  auto deep = ParseJsonBody("[{\"a\":[{\"b\":[]}]}]", limits);
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().message(),
            "JSON nested deeper than 4 levels (at byte 12)");
  // Siblings do not add up.
  std::string wide = "[";
  for (int i = 0; i < 1000; ++i) wide += "[[[]]],";
  wide += "1]";
  EXPECT_TRUE(ParseJsonBody(wide, limits));
}

TEST(ParseJsonBodyTest, HostileNestingDoesNotOverflowTheStack) {
  const std::string deep(100'000, '[');
  auto json = ParseJsonBody(deep);
  ASSERT_FALSE(json);
  EXPECT_NE(json.error().message().find("deeper than 16"), std::string::npos);
  // Even with the depth limit off, nothing recurses.
  const JsonLimits no_depth{.max_depth = 1'000'000, .max_bytes = 1 << 20};
  EXPECT_FALSE(ParseJsonBody(deep, no_depth));
  EXPECT_TRUE(ParseJsonBody(deep + "1" + std::string(100'000, ']'), no_depth));
}

TEST(ParseJsonBodyTest, SizeIsLimited) {
  const JsonLimits limits{.max_depth = 16, .max_bytes = 10};
  EXPECT_TRUE(ParseJsonBody("[1,2,3,44]", limits));
  auto big = ParseJsonBody("[1,2,3,444]", limits);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code(), StatusCode::kResourceExhausted);
  auto huge = ParseJsonBody(std::string(2 << 20, ' '));
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error().code(), StatusCode::kResourceExhausted);
}

TEST(ParseJsonBodyTest, NumbersOutOfRangeAreRefusedWithoutQuotingThem) {
  auto json = ParseJsonBody("[1" + std::string(400, '0') + "e999999]");
  ASSERT_FALSE(json);
  EXPECT_EQ(json.error().code(), StatusCode::kInvalidArgument);
  EXPECT_LT(json.error().message().size(), 100U) << json.error().message();
  // Large integers become doubles, as nlohmann does.
  EXPECT_TRUE(ParseJsonBody("123456789012345678901234567890"));
}

TEST(ParseJsonBodyTest, ParsedDocumentsDumpWithoutThrowing) {
  auto json = ParseJsonBody(R"({"s":"\u0000\ud83d\ude00x","n":1e308})");
  ASSERT_TRUE(json);
  EXPECT_NO_THROW((void)json->dump());
}

}  // namespace
}  // namespace rempart::service
