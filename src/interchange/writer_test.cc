#include "rempart/interchange/writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "rempart/hash/patches.h"
#include "rempart/interchange/reader.h"

namespace rempart::interchange {
namespace {

using store::SignalKind;
using ::testing::HasSubstr;

constexpr char kPdq[] =
    "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
constexpr char kMd5[] = "1922c639885e3de7d5bdf9e2a5d3d127";
constexpr char kSha256[] =
    "3b287c20d3677684c70e0538da4340e9560a3625153ede727280a1a3d44a9b1a";

store::Signal MakeSignal(SignalKind kind, std::string_view hex) {
  auto signal = store::Signal::FromHex(kind, hex);
  EXPECT_TRUE(signal.has_value());
  return *signal;
}

store::Entry MakeEntry(SignalKind kind, std::string_view hex) {
  return store::Entry{
      .id = 7,
      .bank = "bank",
      .input = {.signal = MakeSignal(kind, hex),
                .quality = std::nullopt,
                .pdq_mode = std::nullopt,
                .category = store::Category::kIntimateImage,
                .source_org = {},
                .external_id = {},
                .frames = {},
                .patches = std::nullopt},
      .status = store::EntryStatus::kActive,
      .revoke_reason = {},
      .created_at_ms = 1'795'422'600'000,  // 2026-11-23T08:30:00Z
      .updated_at_ms = 1'795'422'600'123,
  };
}

// Entries with every field set, and text that is awkward in each format.
std::vector<store::Entry> AwkwardEntries() {
  std::vector<store::Entry> entries;
  store::Entry pdq = MakeEntry(SignalKind::kPdq, kPdq);
  pdq.input.quality = 0;
  pdq.input.pdq_mode = hash::PdqMode::kFullResolution;
  pdq.input.category = store::Category::kSynthetic;
  pdq.input.source_org = "Hotline, \"Safe\" Ltd";
  pdq.input.external_id = "line one\nline two\r\nthree";
  hash::Patch patch;
  patch.x = 0.25f;
  patch.y = 0.75f;
  patch.side = 0.5f;
  patch.quality = 61;
  patch.hash = MakeSignal(SignalKind::kPdq, kPdq).pdq();
  pdq.input.patches = hash::PatchSignature{
      .width = 4096, .height = 2304, .patches = {patch, patch}};
  entries.push_back(pdq);

  store::Entry md5 = MakeEntry(SignalKind::kMd5, kMd5);
  md5.input.category = store::Category::kChildAbuse;
  md5.input.source_org =
      " \xc3\x89quipe d'\xc3\xa9"
      "coute \xe2\x9c\x93 ";
  md5.input.external_id = "#42";
  md5.status = store::EntryStatus::kRevoked;
  md5.revoke_reason = "false positive, see \"ticket\" 9\twith tab";
  entries.push_back(md5);

  store::Entry sha = MakeEntry(SignalKind::kSha256, kSha256);
  sha.input.category = store::Category::kSextortion;
  sha.input.source_org = "";
  sha.input.external_id = ",";
  entries.push_back(sha);

  store::Entry plain = MakeEntry(SignalKind::kPdq, kPdq);
  plain.input.quality = 100;
  plain.input.pdq_mode = hash::PdqMode::kCli;
  plain.input.source_org = "Org";
  entries.push_back(plain);
  return entries;
}

std::vector<Record> ReadBack(const std::string& text, Format format,
                             std::vector<std::string>* messages = nullptr) {
  std::istringstream in(text);
  ReaderOptions options;
  options.format = format;
  auto reader = Reader::Open(in, options);
  EXPECT_TRUE(reader.has_value()) << reader.error().ToString();
  std::vector<Record> records;
  if (!reader) return records;
  while (auto item = reader->Next()) {
    if (auto* record = std::get_if<Record>(&*item)) {
      records.push_back(*record);
    } else if (messages != nullptr) {
      messages->push_back(std::get<LineError>(*item).message);
    } else {
      ADD_FAILURE() << std::get<LineError>(*item).message;
    }
  }
  EXPECT_TRUE(reader->status().ok());
  return records;
}

void ExpectSameEntry(const Record& record, const store::Entry& entry) {
  EXPECT_EQ(record.input.signal, entry.input.signal);
  EXPECT_EQ(record.input.quality, entry.input.quality);
  EXPECT_EQ(record.input.pdq_mode, entry.input.pdq_mode);
  EXPECT_EQ(record.input.category, entry.input.category);
  EXPECT_EQ(record.input.source_org, entry.input.source_org);
  EXPECT_EQ(record.input.external_id, entry.input.external_id);
  EXPECT_EQ(record.status, entry.status);
  EXPECT_EQ(record.revoke_reason, entry.revoke_reason);
  // A signature is what its shared text form holds.
  ASSERT_EQ(record.input.patches.has_value(), entry.input.patches.has_value());
  if (entry.input.patches) {
    EXPECT_EQ(hash::FormatPatches(*record.input.patches),
              hash::FormatPatches(*entry.input.patches));
  }
}

TEST(WriterTest, CsvRoundTripIsLossless) {
  std::ostringstream out;
  Writer writer(out, Format::kCsv);
  ASSERT_TRUE(writer.WriteHeader().ok());
  const std::vector<store::Entry> entries = AwkwardEntries();
  for (const store::Entry& entry : entries) {
    ASSERT_TRUE(writer.Write(entry).ok());
  }
  const std::vector<Record> records = ReadBack(out.str(), Format::kCsv);
  ASSERT_EQ(records.size(), entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    SCOPED_TRACE(i);
    ExpectSameEntry(records[i], entries[i]);
  }
  // Sniffed too, and the multi-line cell moves the later line numbers.
  std::istringstream in(out.str());
  auto reader = Reader::Open(in, {});
  ASSERT_TRUE(reader.has_value());
  EXPECT_EQ(reader->format(), Format::kCsv);
  EXPECT_THAT(reader->ignored_columns(),
              ::testing::ElementsAre("created_at", "updated_at"));
  EXPECT_EQ(records[1].line, 5);
}

TEST(WriterTest, CsvText) {
  std::ostringstream out;
  Writer writer(out, Format::kCsv);
  ASSERT_TRUE(writer.WriteHeader().ok());
  store::Entry entry = MakeEntry(SignalKind::kPdq, kPdq);
  entry.input.quality = 93;
  entry.input.pdq_mode = hash::PdqMode::kCli;
  entry.input.source_org = "A, B";
  ASSERT_TRUE(writer.Write(entry).ok());
  ASSERT_TRUE(writer.Write(MakeEntry(SignalKind::kMd5, kMd5)).ok());
  EXPECT_EQ(out.str(),
            "kind,value,quality,mode,category,source_org,external_id,status,"
            "revoke_reason,frames,patches,created_at,updated_at\n"
            "pdq," +
                std::string(kPdq) +
                ",93,cli512,intimate_image,\"A, B\",,active,,,,"
                "2026-11-23T08:30:00.000Z,2026-11-23T08:30:00.123Z\n"
                "md5," +
                std::string(kMd5) +
                ",,,intimate_image,,,active,,,,2026-11-23T08:30:00.000Z,"
                "2026-11-23T08:30:00.123Z\n");
}

TEST(WriterTest, QualityAndModeOnlyForPdq) {
  std::ostringstream out;
  Writer writer(out, Format::kTsv);
  store::Entry md5 = MakeEntry(SignalKind::kMd5, kMd5);
  md5.input.quality = 50;  // Meaningless for a digest: not written.
  md5.input.pdq_mode = hash::PdqMode::kCli;
  ASSERT_TRUE(writer.Write(md5).ok());
  EXPECT_THAT(out.str(), HasSubstr(std::string(kMd5) + "\t\t\tintimate"));
}

TEST(WriterTest, TsvRoundTripAndRefusals) {
  std::ostringstream out;
  Writer writer(out, Format::kTsv);
  ASSERT_TRUE(writer.WriteHeader().ok());
  const std::vector<store::Entry> entries = AwkwardEntries();
  std::vector<store::Entry> written;
  std::vector<std::string> refusals;
  for (const store::Entry& entry : entries) {
    const std::size_t before = out.str().size();
    const Status status = writer.Write(entry);
    if (status.ok()) {
      written.push_back(entry);
    } else {
      EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
      EXPECT_EQ(out.str().size(), before);  // Nothing written.
      refusals.push_back(status.message());
    }
  }
  EXPECT_THAT(
      refusals,
      ::testing::ElementsAre(
          "entry 7: external_id holds a tab or line break, which tsv cannot "
          "represent; export as csv",
          "entry 7: revoke_reason holds a tab or line break, which tsv "
          "cannot represent; export as csv"));
  ASSERT_EQ(written.size(), 2u);
  EXPECT_THAT(out.str(), ::testing::StartsWith(
                             "kind\tvalue\tquality\tmode\tcategory\tsource_"
                             "org\texternal_id\tstatus\trevoke_reason\t"
                             "frames\tpatches\tcreated_at\tupdated_at\n"));
  const std::vector<Record> records = ReadBack(out.str(), Format::kTsv);
  ASSERT_EQ(records.size(), written.size());
  for (std::size_t i = 0; i < written.size(); ++i) {
    ExpectSameEntry(records[i], written[i]);
  }
}

TEST(WriterTest, LinesKeepValueQualityAndExternalId) {
  std::ostringstream out;
  Writer writer(out, Format::kLines);
  ASSERT_TRUE(writer.WriteHeader().ok());
  EXPECT_EQ(out.str(), "");
  store::Entry bare = MakeEntry(SignalKind::kPdq, kPdq);
  store::Entry with_quality = bare;
  with_quality.input.quality = 64;
  store::Entry with_id = bare;
  with_id.input.external_id = "case 9, #2";
  store::Entry full = with_quality;
  full.input.external_id = " x ";
  full.input.category = store::Category::kSynthetic;  // Lost (lossy).
  for (const auto& entry : {bare, with_quality, with_id, full}) {
    ASSERT_TRUE(writer.Write(entry).ok());
  }
  const std::string pdq = kPdq;
  EXPECT_EQ(out.str(), pdq + "\n" + pdq + "\t64\n" + pdq + "\t\tcase 9, #2\n" +
                           pdq + "\t64\t x \n");
  const std::vector<Record> records = ReadBack(out.str(), Format::kLines);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[1].input.quality, 64);
  EXPECT_EQ(records[2].input.external_id, "case 9, #2");
  EXPECT_EQ(records[3].input.external_id, " x ");
  EXPECT_EQ(records[3].input.category, store::Category::kIntimateImage);
}

TEST(WriterTest, LinesRefuseMixedKindsAndLineBreaks) {
  std::ostringstream out;
  Writer writer(out, Format::kLines);
  store::Entry broken = MakeEntry(SignalKind::kMd5, kMd5);
  broken.input.external_id = "a\tb";
  EXPECT_EQ(writer.Write(broken).code(), StatusCode::kInvalidArgument);
  // The refused entry does not fix the file's kind.
  ASSERT_TRUE(writer.Write(MakeEntry(SignalKind::kSha256, kSha256)).ok());
  const Status mixed = writer.Write(MakeEntry(SignalKind::kMd5, kMd5));
  EXPECT_EQ(mixed.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(mixed.message(),
            "entry 7: a lines file holds one signal kind; this one is md5, "
            "the first was sha256");
  EXPECT_EQ(out.str(), std::string(kSha256) + "\n");
}

TEST(WriterTest, StreamFailureIsUnavailable) {
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  Writer writer(out, Format::kCsv);
  EXPECT_EQ(writer.WriteHeader().code(), StatusCode::kUnavailable);
  EXPECT_EQ(writer.Write(MakeEntry(SignalKind::kPdq, kPdq)).code(),
            StatusCode::kUnavailable);
}

TEST(FormatTimestampTest, IsoUtcWithMilliseconds) {
  EXPECT_EQ(FormatTimestamp(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatTimestamp(1'795'422'600'123), "2026-11-23T08:30:00.123Z");
  EXPECT_EQ(FormatTimestamp(951'782'400'000), "2000-02-29T00:00:00.000Z");
  EXPECT_EQ(FormatTimestamp(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatTimestamp(253'402'300'799'999), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatTimestamp(-62'167'219'200'001), "-0001-12-31T23:59:59.999Z");
  // The extremes do not overflow.
  EXPECT_THAT(FormatTimestamp(INT64_MIN), HasSubstr("Z"));
  EXPECT_THAT(FormatTimestamp(INT64_MAX), HasSubstr("Z"));
}

}  // namespace
}  // namespace rempart::interchange
