#include "rempart/interchange/format.h"

#include <gtest/gtest.h>

#include <string>

namespace rempart::interchange {
namespace {

constexpr char kPdq[] =
    "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";

TEST(FormatTest, NamesRoundTrip) {
  for (Format format :
       {Format::kLines, Format::kTsv, Format::kCsv, Format::kVpdq}) {
    auto parsed = ParseFormat(FormatName(format));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, format);
  }
  EXPECT_EQ(FormatName(Format::kLines), "lines");
  EXPECT_EQ(FormatName(Format::kTsv), "tsv");
  EXPECT_EQ(FormatName(Format::kCsv), "csv");
  EXPECT_EQ(FormatName(Format::kVpdq), "vpdq");
}

TEST(FormatTest, ParseRejectsUnknownNames) {
  for (const char* name : {"", "CSV", "json", "text", "tsv "}) {
    auto parsed = ParseFormat(name);
    ASSERT_FALSE(parsed.has_value()) << name;
    EXPECT_EQ(parsed.error().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(parsed.error().message().find("expected lines, tsv, csv or vpdq"),
              std::string::npos);
  }
}

TEST(FormatTest, FromFileName) {
  EXPECT_EQ(FormatFromFileName("list.csv"), Format::kCsv);
  EXPECT_EQ(FormatFromFileName("/tmp/A.CSV"), Format::kCsv);
  EXPECT_EQ(FormatFromFileName("hashes.tsv"), Format::kTsv);
  EXPECT_EQ(FormatFromFileName("x.Tsv"), Format::kTsv);
  EXPECT_EQ(FormatFromFileName("clip.vpdq"), Format::kVpdq);
  EXPECT_EQ(FormatFromFileName("CLIP.VPDQ"), Format::kVpdq);
  EXPECT_EQ(FormatFromFileName("clip.mp4.txt"), std::nullopt);
  EXPECT_EQ(FormatFromFileName("hashes.txt"), std::nullopt);
  EXPECT_EQ(FormatFromFileName("csv"), std::nullopt);
  EXPECT_EQ(FormatFromFileName(""), std::nullopt);
  EXPECT_EQ(FormatFromFileName("-"), std::nullopt);
}

TEST(FormatTest, SniffsHeadersAndPlainLines) {
  const std::string pdq = kPdq;
  EXPECT_EQ(SniffFormat(pdq + "\n"), Format::kLines);
  EXPECT_EQ(SniffFormat(pdq + "\t100\tref,with,commas\n"), Format::kLines);
  EXPECT_EQ(SniffFormat(pdq + ",100\n"), Format::kLines);
  EXPECT_EQ(SniffFormat("path\tpdq\tquality\n" + pdq), Format::kTsv);
  EXPECT_EQ(SniffFormat("kind,value\npdq," + pdq), Format::kCsv);
  EXPECT_EQ(SniffFormat("\"kind\",\"value\"\r\n"), Format::kCsv);
  EXPECT_EQ(SniffFormat("PDQ\n" + pdq), Format::kTsv);
  EXPECT_EQ(SniffFormat("not a hash\n"), Format::kLines);
  EXPECT_EQ(SniffFormat(""), Format::kLines);
  EXPECT_EQ(SniffFormat("# only a comment\n\n"), Format::kLines);
}

TEST(FormatTest, SniffSkipsCommentsBlankLinesAndByteOrderMark) {
  EXPECT_EQ(SniffFormat("# list, exported\n\n  \r\nkind,value\n"),
            Format::kCsv);
  EXPECT_EQ(SniffFormat("# a\tb\n" + std::string(kPdq) + "\n"), Format::kLines);
  EXPECT_EQ(SniffFormat("\xef\xbb\xbfhash,quality\n"), Format::kCsv);
  // A partial first line (what a caller read so far) still decides.
  EXPECT_EQ(SniffFormat("path\tpd"), Format::kTsv);
}

TEST(FormatTest, SniffsVpdqFrameLines) {
  const std::string pdq = kPdq;
  EXPECT_EQ(SniffFormat("0,100," + pdq + ",0.000\n30,68," + pdq + ",1.000\n"),
            Format::kVpdq);
  EXPECT_EQ(SniffFormat("# vpdq\n\n12,0," + pdq + ",7\r\n"), Format::kVpdq);
  EXPECT_EQ(SniffFormat("\xef\xbb\xbf"
                        "0,100," +
                        pdq + ",0.5"),
            Format::kVpdq);
  // What only looks close keeps the old answer: a frame line needs four
  // fields of the right shape and nothing around them.
  EXPECT_EQ(SniffFormat("0,100," + pdq + "\n"), Format::kLines);
  EXPECT_EQ(SniffFormat("0,100," + pdq + ",0.000,x\n"), Format::kLines);
  EXPECT_EQ(SniffFormat(" 0,100," + pdq + ",0.000\n"), Format::kLines);
  EXPECT_EQ(SniffFormat("0,100," + pdq + ",0.000\tx\n"), Format::kTsv);
  EXPECT_EQ(SniffFormat(pdq + ",100\n"), Format::kLines);
  // Headers, including ones that name video columns, stay tables.
  EXPECT_EQ(SniffFormat("kind,value,frames\nvpdq,,\"0,100," + pdq + ",0\"\n"),
            Format::kCsv);
  EXPECT_EQ(SniffFormat("vpdq\tframes\n"), Format::kTsv);
  EXPECT_EQ(SniffFormat("frames\n0,100," + pdq + ",0\n"), Format::kTsv);
  EXPECT_EQ(SniffFormat("VPDQ\n"), Format::kTsv);
  // A partial frame line (what a caller read so far) is not one yet.
  EXPECT_EQ(SniffFormat("0,100,f8f8"), Format::kLines);
}

}  // namespace
}  // namespace rempart::interchange
