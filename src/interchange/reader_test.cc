#include "rempart/interchange/reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

namespace rempart::interchange {
namespace {

using store::SignalKind;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kPdq[] =
    "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
constexpr char kPdq2[] =
    "00002a5500002a55025508777d0882fd0000d52857205f28085d5fa020ff5720";
constexpr char kMd5[] = "1922c639885e3de7d5bdf9e2a5d3d127";
constexpr char kSha256[] =
    "3b287c20d3677684c70e0538da4340e9560a3625153ede727280a1a3d44a9b1a";

// Everything a reader produced.
struct Outcome {
  std::vector<Record> records;
  std::vector<LineError> errors;
  std::vector<std::string> messages;  // Of the errors.
  std::vector<int> order;             // 0 for a record, 1 for an error.
  Status status;
  Format format = Format::kLines;
  std::vector<std::string> ignored_columns;
  std::uint64_t bytes_consumed = 0;
};

Result<Outcome> ReadAllFrom(std::istream& in, ReaderOptions options) {
  auto reader = Reader::Open(in, std::move(options));
  if (!reader) return reader.error();
  Outcome outcome;
  outcome.format = reader->format();
  outcome.ignored_columns = reader->ignored_columns();
  while (auto item = reader->Next()) {
    if (auto* record = std::get_if<Record>(&*item)) {
      outcome.records.push_back(*record);
      outcome.order.push_back(0);
    } else {
      const auto& error = std::get<LineError>(*item);
      outcome.errors.push_back(error);
      outcome.messages.push_back(error.message);
      outcome.order.push_back(1);
    }
  }
  outcome.status = reader->status();
  outcome.bytes_consumed = reader->bytes_consumed();
  return outcome;
}

Outcome ReadAll(const std::string& text, ReaderOptions options = {}) {
  std::istringstream in(text);
  auto outcome = ReadAllFrom(in, std::move(options));
  EXPECT_TRUE(outcome.has_value()) << outcome.error().ToString();
  return outcome.has_value() ? *std::move(outcome) : Outcome();
}

ReaderOptions WithFormat(Format format) {
  ReaderOptions options;
  options.format = format;
  return options;
}

Status OpenError(const std::string& text, ReaderOptions options) {
  std::istringstream in(text);
  auto reader = Reader::Open(in, std::move(options));
  EXPECT_FALSE(reader.has_value());
  return reader.has_value() ? OkStatus() : reader.error();
}

std::string Repeat(const std::string& text, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += text;
  return out;
}

std::string FixturePath(const std::string& name) {
  return std::string(REMPART_SOURCE_DIR) + "/tests/fixtures/interchange/" +
         name;
}

// --- lines -------------------------------------------------------------------

TEST(LinesReaderTest, ReadsValueQualityAndExternalId) {
  ReaderOptions options;
  options.category = store::Category::kSextortion;
  options.source_org = "Hotline A";
  const Outcome outcome =
      ReadAll(std::string(kPdq) + "\n" + kPdq2 + "\t87\n" + kPdq +
                  "\t\tcase-17\n" + kPdq2 + "\t5\tcase 18",
              options);
  EXPECT_EQ(outcome.format, Format::kLines);
  ASSERT_EQ(outcome.records.size(), 4u);
  EXPECT_TRUE(outcome.errors.empty());
  const Record& first = outcome.records[0];
  EXPECT_EQ(first.line, 1);
  EXPECT_EQ(first.input.signal.hex(), kPdq);
  EXPECT_EQ(first.input.signal.kind(), SignalKind::kPdq);
  EXPECT_EQ(first.input.quality, std::nullopt);
  EXPECT_EQ(first.input.pdq_mode, std::nullopt);
  EXPECT_EQ(first.input.category, store::Category::kSextortion);
  EXPECT_EQ(first.input.source_org, "Hotline A");
  EXPECT_EQ(first.input.external_id, "");
  EXPECT_EQ(first.status, store::EntryStatus::kActive);
  EXPECT_EQ(outcome.records[1].input.quality, 87);
  EXPECT_EQ(outcome.records[2].input.quality, std::nullopt);
  EXPECT_EQ(outcome.records[2].input.external_id, "case-17");
  EXPECT_EQ(outcome.records[3].input.quality, 5);
  EXPECT_EQ(outcome.records[3].input.external_id, "case 18");
  EXPECT_EQ(outcome.records[3].line, 4);
  EXPECT_TRUE(outcome.status.ok());
}

TEST(LinesReaderTest, SkipsCommentsAndBlankLinesKeepingLineNumbers) {
  const Outcome outcome =
      ReadAll("# exported 2026-11-23\n\n   \n\t\n  # indented comment\n" +
              std::string(kPdq) + "\n\n# another\n" + kPdq2 + "\n");
  ASSERT_EQ(outcome.records.size(), 2u);
  EXPECT_TRUE(outcome.errors.empty());
  EXPECT_EQ(outcome.records[0].line, 6);
  EXPECT_EQ(outcome.records[1].line, 9);
}

TEST(LinesReaderTest, ToleratesCrlfSpacesAndUpperCase) {
  std::string upper = kPdq;
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  const Outcome outcome = ReadAll("  " + upper + "  \t 42 \r\n" + kPdq2 +
                                  "\r\n" + kPdq + "\t\tid\r\n");
  ASSERT_EQ(outcome.records.size(), 3u)
      << ::testing::PrintToString(outcome.messages);
  EXPECT_EQ(outcome.records[0].input.signal.hex(), kPdq);
  EXPECT_EQ(outcome.records[0].input.quality, 42);
  EXPECT_EQ(outcome.records[1].input.signal.hex(), kPdq2);
  EXPECT_EQ(outcome.records[2].input.external_id, "id");
}

TEST(LinesReaderTest, OtherKindsFromOptions) {
  ReaderOptions md5;
  md5.kind = SignalKind::kMd5;
  const Outcome digests = ReadAll(std::string(kMd5) + "\n", md5);
  ASSERT_EQ(digests.records.size(), 1u);
  EXPECT_EQ(digests.records[0].input.signal.kind(), SignalKind::kMd5);
  EXPECT_EQ(digests.records[0].input.signal.hex(), kMd5);

  ReaderOptions sha256;
  sha256.kind = SignalKind::kSha256;
  const Outcome sha = ReadAll(
      std::string(kSha256) + "\t\tx\n" + kMd5 + "\n" + kSha256 + "\t100\n",
      sha256);
  ASSERT_EQ(sha.records.size(), 1u);
  EXPECT_EQ(sha.records[0].input.signal.kind(), SignalKind::kSha256);
  EXPECT_THAT(sha.messages,
              ElementsAre("line 2: invalid sha256 signal: expected 64 hex "
                          "digits, got 32 characters",
                          "line 3: a quality describes PDQ hashes only, not "
                          "sha256"));
}

TEST(LinesReaderTest, EachBadLineIsOneErrorWithItsLineNumber) {
  const std::string pdq = kPdq;
  const std::string text = pdq + "\n" +                        // 1: fine
                           pdq.substr(1) + "\n" +              // 2: short
                           "zz" + pdq.substr(2) + "\n" +       // 3: not hex
                           pdq + "\t101\n" +                   // 4: quality
                           pdq + "\t-1\n" +                    // 5: quality
                           pdq + "\t12.5\n" +                  // 6: quality
                           pdq + "\t1\tid\textra\n" +          // 7: fields
                           pdq + " 100 photo.jpg\n" +          // 8: spaces
                           "\t100\n" +                         // 9: no value
                           pdq + "\t99999999999999999999\n" +  // 10
                           pdq + "\t\tbad\xff\n" +             // 11: UTF-8
                           pdq + "\n";                         // 12: fine
  const Outcome outcome = ReadAll(text);
  ASSERT_EQ(outcome.records.size(), 2u);
  EXPECT_EQ(outcome.records[0].line, 1);
  EXPECT_EQ(outcome.records[1].line, 12);
  EXPECT_THAT(
      outcome.messages,
      ElementsAre(
          "line 2: invalid pdq signal: expected 64 hex digits, got 63 "
          "characters",
          "line 3: invalid pdq signal: character 1 is not a hex digit",
          "line 4: quality '101' is not an integer from 0 to 100",
          "line 5: quality '-1' is not an integer from 0 to 100",
          "line 6: quality '12.5' is not an integer from 0 to 100",
          "line 7: expected at most 3 tab-separated fields (VALUE, QUALITY, "
          "EXTERNAL_ID), got 4",
          "line 8: invalid pdq signal: expected 64 hex digits, got 78 "
          "characters",
          "line 9: empty pdq value",
          "line 10: quality '99999999999999999999' is not an integer from 0 "
          "to 100",
          "line 11: external_id: invalid UTF-8 at byte 4"));
  for (std::size_t i = 0; i < outcome.errors.size(); ++i) {
    EXPECT_EQ(outcome.errors[i].line, static_cast<std::int64_t>(i) + 2);
  }
  EXPECT_TRUE(outcome.status.ok());
}

TEST(LinesReaderTest, QualityBounds) {
  const std::string pdq = kPdq;
  const Outcome outcome =
      ReadAll(pdq + "\t0\n" + pdq + "\t100\n" + pdq + "\t007\n");
  ASSERT_EQ(outcome.records.size(), 3u);
  EXPECT_EQ(outcome.records[0].input.quality, 0);
  EXPECT_EQ(outcome.records[1].input.quality, 100);
  EXPECT_EQ(outcome.records[2].input.quality, 7);
}

TEST(LinesReaderTest, LongLineIsOneErrorThenResyncs) {
  ReaderOptions options;
  options.max_line_bytes = 100;
  const std::string pdq = kPdq;
  const std::string huge(10'000'000, 'a');  // No line break inside.
  const Outcome outcome =
      ReadAll(pdq + "\n" + huge + "\n" + pdq + "\n" + huge, options);
  ASSERT_EQ(outcome.records.size(), 2u);
  EXPECT_EQ(outcome.records[1].line, 3);
  EXPECT_THAT(outcome.messages,
              ElementsAre("line 2: longer than 100 bytes; skipped to the next "
                          "line",
                          "line 4: longer than 100 bytes; skipped to the next "
                          "line"));
  EXPECT_EQ(outcome.order, (std::vector<int>{0, 1, 0, 1}));
  EXPECT_EQ(outcome.bytes_consumed, 2 * (pdq.size() + 1) + 2 * huge.size() + 1);
}

TEST(LinesReaderTest, LengthLimitIsExactAndIgnoresTheLineBreak) {
  ReaderOptions options;
  options.max_line_bytes = 64;
  const std::string pdq = kPdq;  // Exactly 64 bytes.
  const Outcome outcome =
      ReadAll(pdq + "\r\n" + pdq + "\n" + pdq + " \n" + pdq, options);
  EXPECT_EQ(outcome.records.size(), 3u);
  EXPECT_THAT(outcome.messages,
              ElementsAre("line 3: longer than 64 bytes; skipped to the next "
                          "line"));
}

TEST(LinesReaderTest, LongCommentsAreLongLinesToo) {
  ReaderOptions options;
  options.max_line_bytes = 70;
  const std::string comment = "# " + std::string(100, 'c') + "\n";
  const std::string fits = "# " + std::string(68, 'c') + "\r\n";
  const Outcome outcome =
      ReadAll(fits + comment + kPdq + "\n" + comment + fits, options);
  ASSERT_EQ(outcome.records.size(), 1u);
  EXPECT_EQ(outcome.records[0].line, 3);
  EXPECT_THAT(outcome.messages,
              ElementsAre("line 2: longer than 70 bytes; skipped to the next "
                          "line",
                          "line 4: longer than 70 bytes; skipped to the next "
                          "line"));
}

TEST(LinesReaderTest, EmptyInputYieldsNothing) {
  for (const char* text : {"", "\n", "# nothing\n", "\xef\xbb\xbf"}) {
    const Outcome outcome = ReadAll(text);
    EXPECT_TRUE(outcome.records.empty()) << text;
    EXPECT_TRUE(outcome.errors.empty()) << text;
    EXPECT_TRUE(outcome.status.ok());
  }
}

TEST(LinesReaderTest, MaxRecordsStopsWithResourceExhausted) {
  ReaderOptions options;
  options.max_records = 2;
  const std::string pdq = kPdq;
  const Outcome outcome =
      ReadAll(pdq + "\nbad\n" + pdq + "\n" + pdq + "\n", options);
  EXPECT_EQ(outcome.records.size(), 2u);
  EXPECT_EQ(outcome.errors.size(), 1u);
  EXPECT_EQ(outcome.status.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(outcome.status.message(), "line 4: more than 2 records");
}

// A stream buffer that fails after handing out some bytes.
class FailingBuffer : public std::streambuf {
 public:
  explicit FailingBuffer(std::string data) : data_(std::move(data)) {
    setg(data_.data(), data_.data(), data_.data() + data_.size());
  }

 protected:
  int_type underflow() override { throw std::runtime_error("disk gone"); }

 private:
  std::string data_;
};

TEST(LinesReaderTest, StreamFailureEndsWithUnavailable) {
  // More than one read chunk, so that the failure comes after Open().
  FailingBuffer buffer(Repeat(std::string(kPdq) + "\n", 3000));
  std::istream in(&buffer);
  auto outcome = ReadAllFrom(in, {});
  ASSERT_TRUE(outcome.has_value()) << outcome.error().ToString();
  EXPECT_GT(outcome->records.size(), 1000u);
  EXPECT_LT(outcome->records.size(), 3000u);
  EXPECT_EQ(outcome->status.code(), StatusCode::kUnavailable);
  EXPECT_THAT(outcome->status.message(), HasSubstr("read failed"));
}

TEST(LinesReaderTest, StreamFailureDuringOpen) {
  FailingBuffer buffer(std::string(kPdq) + "\n");
  std::istream in(&buffer);
  EXPECT_EQ(Reader::Open(in, {}).error().code(), StatusCode::kUnavailable);
}

TEST(ReaderTest, RejectsBadOptions) {
  ReaderOptions zero;
  zero.max_line_bytes = 0;
  EXPECT_EQ(OpenError("", zero).code(), StatusCode::kInvalidArgument);
  ReaderOptions negative;
  negative.max_records = -1;
  EXPECT_EQ(OpenError("", negative).code(), StatusCode::kInvalidArgument);
}

// --- tsv -----------------------------------------------------------------

TEST(TsvReaderTest, ReadsRempartHashOutput) {
  // `rempart hash --format tsv` on two PNGs, a text file and (--fast) a
  // JPEG: each image row yields pdq, md5 and sha256 records.
  std::ifstream in(FixturePath("rempart-hash.tsv"), std::ios::binary);
  ASSERT_TRUE(in.is_open());
  ReaderOptions options;
  options.source_org = "Hotline A";
  auto outcome = ReadAllFrom(in, options);
  ASSERT_TRUE(outcome.has_value()) << outcome.error().ToString();
  EXPECT_EQ(outcome->format, Format::kTsv);
  EXPECT_THAT(outcome->ignored_columns,
              ElementsAre("path", "width", "height", "format"));
  ASSERT_EQ(outcome->records.size(), 9u);
  EXPECT_EQ(outcome->order, (std::vector<int>{0, 0, 0, 0, 0, 0, 1, 0, 0, 0}));
  const Record& pdq = outcome->records[0];
  EXPECT_EQ(pdq.line, 2);
  EXPECT_EQ(pdq.input.signal.kind(), SignalKind::kPdq);
  EXPECT_EQ(pdq.input.signal.hex(), kPdq2);
  EXPECT_EQ(pdq.input.quality, 100);
  EXPECT_EQ(pdq.input.pdq_mode, hash::PdqMode::kCli);
  EXPECT_EQ(pdq.input.source_org, "Hotline A");
  const Record& md5 = outcome->records[1];
  EXPECT_EQ(md5.line, 2);
  EXPECT_EQ(md5.input.signal.kind(), SignalKind::kMd5);
  EXPECT_EQ(md5.input.signal.hex(), kMd5);
  EXPECT_EQ(md5.input.quality, std::nullopt);
  EXPECT_EQ(md5.input.pdq_mode, std::nullopt);
  const Record& sha = outcome->records[2];
  EXPECT_EQ(sha.input.signal.kind(), SignalKind::kSha256);
  EXPECT_EQ(sha.input.signal.hex(), kSha256);
  EXPECT_EQ(outcome->records[3].line, 3);
  EXPECT_EQ(outcome->records[3].input.quality, 51);
  EXPECT_THAT(outcome->messages,
              ElementsAre("line 4: the row reports an error: "
                          "'InvalidArgument: not a supported image format "
                          "(unrecognised first bytes)'"));
  // Fast mode is read as its base mode.
  EXPECT_EQ(outcome->records[6].line, 5);
  EXPECT_EQ(outcome->records[6].input.pdq_mode, hash::PdqMode::kCli);
  EXPECT_EQ(outcome->records[6].input.quality, 95);
  // No record carries the path anywhere.
  for (const Record& record : outcome->records) {
    EXPECT_THAT(record.input.external_id, ::testing::Not(HasSubstr("synth")));
    EXPECT_THAT(record.input.source_org, ::testing::Not(HasSubstr("synth")));
    EXPECT_THAT(record.revoke_reason, ::testing::Not(HasSubstr("synth")));
  }
}

TEST(TsvReaderTest, MultiSignalRowSkipsEmptyCellsAndFailsWhole) {
  const std::string header = "md5\tpdq\tsha256\tquality\tcategory\n";
  const Outcome outcome =
      ReadAll(header + kMd5 + "\t\t" + kSha256 + "\t\tsynthetic\n" +  // 2
                  "\t" + kPdq + "\t\t70\n" +                          // 3
                  kMd5 + "\t" + kPdq + "\tabc\t70\n" +                // 4
                  "\t\t\t\tsynthetic\n" +                             // 5
                  kMd5 + "\t\t\t70\n",                                // 6
              WithFormat(Format::kTsv));
  ASSERT_EQ(outcome.records.size(), 3u);
  // Order within a row is pdq, md5, sha256 whatever the columns' order.
  EXPECT_EQ(outcome.records[0].input.signal.kind(), SignalKind::kMd5);
  EXPECT_EQ(outcome.records[0].input.category, store::Category::kSynthetic);
  EXPECT_EQ(outcome.records[1].input.signal.kind(), SignalKind::kSha256);
  EXPECT_EQ(outcome.records[1].input.category, store::Category::kSynthetic);
  EXPECT_EQ(outcome.records[2].input.signal.kind(), SignalKind::kPdq);
  EXPECT_EQ(outcome.records[2].input.quality, 70);
  EXPECT_EQ(outcome.records[2].line, 3);
  EXPECT_THAT(
      outcome.messages,
      ElementsAre("line 4: invalid sha256 signal: expected 64 hex digits, "
                  "got 3 characters",
                  "line 5: no signal: the signal cells are empty",
                  "line 6: a quality or mode describes a PDQ hash, and the "
                  "row has none"));
}

TEST(TsvReaderTest, KindValueRowsWithDefaultsAndOverrides) {
  ReaderOptions options = WithFormat(Format::kTsv);
  options.kind = SignalKind::kMd5;
  options.category = store::Category::kSextortion;
  options.source_org = "Default Org";
  const Outcome outcome = ReadAll(
      "Signal_Type\tSIGNAL_VALUE\tSource_Org\tCategory\tStatus\t"
      "revoke_reason\texternal_id\n" +
          std::string("PDQ\t") + kPdq + "\tOther Org\tChild_Abuse\tRevoked\t" +
          "duplicate\t 7 \n" + "\t" + kMd5 + "\t\t\t\t\t\n",
      options);
  ASSERT_EQ(outcome.records.size(), 2u)
      << ::testing::PrintToString(outcome.messages);
  const Record& first = outcome.records[0];
  EXPECT_EQ(first.input.signal.kind(), SignalKind::kPdq);
  EXPECT_EQ(first.input.source_org, "Other Org");
  EXPECT_EQ(first.input.category, store::Category::kChildAbuse);
  EXPECT_EQ(first.status, store::EntryStatus::kRevoked);
  EXPECT_EQ(first.revoke_reason, "duplicate");
  EXPECT_EQ(first.input.external_id, " 7 ");  // Free text kept verbatim.
  const Record& second = outcome.records[1];
  EXPECT_EQ(second.input.signal.kind(), SignalKind::kMd5);
  EXPECT_EQ(second.input.source_org, "Default Org");
  EXPECT_EQ(second.input.category, store::Category::kSextortion);
  EXPECT_EQ(second.status, store::EntryStatus::kActive);
}

TEST(TsvReaderTest, BadCellsAreLineErrors) {
  const std::string pdq = kPdq;
  const Outcome outcome = ReadAll(
      std::string(
          "kind\tvalue\tquality\tmode\tcategory\tstatus\tsource_org\n") +
          "pdq\t" + pdq + "\t\tcli513\n" +           // 2
          "pdq\t" + pdq + "\t\t\tnude\n" +           // 3
          "pdq\t" + pdq + "\t\t\t\tdeleted\n" +      // 4
          "phash\t" + pdq + "\n" +                   // 5
          "md5\t" + kMd5 + "\t80\n" +                // 6
          "md5\t" + kMd5 + "\t\tfullres\n" +         // 7
          "pdq\t\n" +                                // 8
          "pdq\t" + pdq + "\t\t\t\t\tOrg\x01\n" +    // 9
          "pdq\t" + pdq + "\t\t\t\t\t\textra\n" +    // 10
          "pdq\t" + pdq + "\t\tFULLRES\t\t\tOrg\n",  // 11: fine
      WithFormat(Format::kTsv));
  ASSERT_EQ(outcome.records.size(), 1u);
  EXPECT_EQ(outcome.records[0].line, 11);
  EXPECT_EQ(outcome.records[0].input.pdq_mode, hash::PdqMode::kFullResolution);
  EXPECT_THAT(
      outcome.messages,
      ElementsAre(
          "line 2: unknown mode 'cli513' (expected cli512 or fullres)",
          "line 3: unknown category 'nude' (expected intimate_image, "
          "sextortion, synthetic or child_abuse)",
          "line 4: unknown status 'deleted' (expected active or revoked)",
          "line 5: unknown signal kind 'phash' (expected pdq, md5, sha256 or "
          "vpdq)",
          "line 6: a quality or mode describes a PDQ hash, and the row has "
          "none",
          "line 7: a quality or mode describes a PDQ hash, and the row has "
          "none",
          "line 8: empty pdq value",
          "line 9: source_org: control character at byte 4",
          "line 10: the row has 8 cells, the header 7"));
}

TEST(TsvReaderTest, CommentsOnlyBeforeTheHeader) {
  const Outcome outcome =
      ReadAll("# exported by hand\n\nexternal_id\tpdq\n#12\t" +
                  std::string(kPdq) + "\n\n",
              WithFormat(Format::kTsv));
  ASSERT_EQ(outcome.records.size(), 1u);
  EXPECT_EQ(outcome.records[0].input.external_id, "#12");
  EXPECT_EQ(outcome.records[0].line, 4);
}

TEST(TsvReaderTest, HeaderErrors) {
  EXPECT_EQ(
      OpenError("path\twidth\theight\n", WithFormat(Format::kTsv)).message(),
      "line 1: the header names no signal column (pdq, md5, sha256, vpdq, "
      "frames or value)");
  EXPECT_EQ(OpenError("# c\npdq\tPDQ\n", WithFormat(Format::kTsv)).message(),
            "line 2: column 'pdq' names the same thing as column 1");
  EXPECT_EQ(OpenError("value\thash\n", WithFormat(Format::kTsv)).message(),
            "line 1: column 'hash' names the same thing as column 1");
  EXPECT_EQ(OpenError("pdq\tvalue\n", WithFormat(Format::kTsv)).message(),
            "line 1: the header mixes per-kind columns (pdq, md5, sha256, "
            "vpdq) with a value column");
  EXPECT_EQ(OpenError("kind\tpdq\n", WithFormat(Format::kTsv)).message(),
            "line 1: a kind column needs a value column");
  EXPECT_EQ(OpenError("", WithFormat(Format::kTsv)).message(),
            "the input is empty; expected a header row");
  ReaderOptions small = WithFormat(Format::kTsv);
  small.max_line_bytes = 10;
  const Status too_long = OpenError("path\tpdq\tquality\n", small);
  EXPECT_EQ(too_long.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(too_long.message(), "line 1: header row is longer than 10 bytes");
}

TEST(TsvReaderTest, LongRowResyncs) {
  ReaderOptions options = WithFormat(Format::kTsv);
  options.max_line_bytes = 200;
  const Outcome outcome =
      ReadAll("pdq\tpath\n" + std::string(kPdq) + "\t" +
                  std::string(5000, 'p') + "\n" + kPdq2 + "\tshort\n",
              options);
  ASSERT_EQ(outcome.records.size(), 1u);
  EXPECT_EQ(outcome.records[0].input.signal.hex(), kPdq2);
  EXPECT_THAT(outcome.messages,
              ElementsAre("line 2: longer than 200 bytes; skipped to the next "
                          "line"));
}

// --- csv -----------------------------------------------------------------

TEST(CsvReaderTest, QuotedCellsWithCommasQuotesAndLineBreaks) {
  const std::string text =
      "kind,value,source_org,external_id,revoke_reason,status\r\n"
      "pdq," +
      std::string(kPdq) +
      ",\"Hotline, \"\"Safe\"\" Ltd\",\"a\r\nb\nc\",,active\r\n"
      "md5,\"" +
      kMd5 +
      "\",  \"spaced\"  ,plain text,\"\",revoked\r\n"
      "sha256," +
      kSha256 +
      ",\"\xc3\x89quipe \xe2\x9c\x93\",\"\",\"why,\n"
      "not\"\n";
  const Outcome outcome = ReadAll(text, WithFormat(Format::kCsv));
  ASSERT_EQ(outcome.records.size(), 3u)
      << ::testing::PrintToString(outcome.messages);
  EXPECT_EQ(outcome.records[0].line, 2);
  EXPECT_EQ(outcome.records[0].input.source_org, "Hotline, \"Safe\" Ltd");
  EXPECT_EQ(outcome.records[0].input.external_id, "a\r\nb\nc");
  EXPECT_EQ(outcome.records[1].line, 5);
  EXPECT_EQ(outcome.records[1].input.signal.hex(), kMd5);
  EXPECT_EQ(outcome.records[1].input.source_org, "spaced");
  EXPECT_EQ(outcome.records[1].input.external_id, "plain text");
  EXPECT_EQ(outcome.records[1].status, store::EntryStatus::kRevoked);
  EXPECT_EQ(outcome.records[2].line, 6);
  EXPECT_EQ(outcome.records[2].input.source_org, "\xc3\x89quipe \xe2\x9c\x93");
  EXPECT_EQ(outcome.records[2].revoke_reason, "why,\nnot");
  EXPECT_TRUE(outcome.errors.empty());
}

TEST(CsvReaderTest, MalformedQuotingIsOneErrorAndResyncs) {
  const std::string pdq = kPdq;
  const std::string text = "value,external_id\n" +            // 1
                           pdq + ",ab\"c\n" +                 // 2
                           pdq + ",\"ab\"c\n" +               // 3
                           pdq + ",ok\n" +                    // 4
                           pdq + ",\"never closed\nstill\n";  // 5, 6
  const Outcome outcome = ReadAll(text, WithFormat(Format::kCsv));
  ASSERT_EQ(outcome.records.size(), 1u);
  EXPECT_EQ(outcome.records[0].line, 4);
  EXPECT_THAT(
      outcome.messages,
      ElementsAre("line 2: quote inside an unquoted cell (cell 2)",
                  "line 3: unexpected character after a closing quote (cell "
                  "2)",
                  "line 5: unterminated quoted cell"));
}

TEST(CsvReaderTest, UnterminatedQuoteIsBoundedByTheLengthLimit) {
  ReaderOptions options = WithFormat(Format::kCsv);
  options.max_line_bytes = 1000;
  std::string text = "value,external_id\n" + std::string(kPdq) + ",\"open\n";
  for (int i = 0; i < 100; ++i) text += std::string(kPdq) + ",x\n";
  const Outcome outcome = ReadAll(text, options);
  // The quote swallows lines up to the limit, then reading resumes after
  // the next line break: later rows still count.
  ASSERT_FALSE(outcome.errors.empty());
  EXPECT_EQ(outcome.messages[0],
            "line 2: longer than 1000 bytes; skipped to the next line");
  EXPECT_GT(outcome.records.size(), 80u);
  EXPECT_EQ(outcome.records.back().line, 102);
}

TEST(CsvReaderTest, BlankLinesCrlfAndShortRows) {
  const std::string text = "\xef\xbb\xbfhash,quality,mode\r\n\r\n" +
                           std::string(kPdq) + "\r\n   \r\n" + kPdq2 +
                           ",12,cli512+fast\r\n\"\"\r\n";
  const Outcome outcome = ReadAll(text, {});
  EXPECT_EQ(outcome.format, Format::kCsv);
  ASSERT_EQ(outcome.records.size(), 2u);
  EXPECT_EQ(outcome.records[0].line, 3);
  EXPECT_EQ(outcome.records[0].input.quality, std::nullopt);
  EXPECT_EQ(outcome.records[1].line, 5);
  EXPECT_EQ(outcome.records[1].input.quality, 12);
  EXPECT_EQ(outcome.records[1].input.pdq_mode, hash::PdqMode::kCli);
  // A quoted empty cell is not a blank line: it is an empty value.
  EXPECT_THAT(outcome.messages, ElementsAre("line 6: empty pdq value"));
}

TEST(CsvReaderTest, HeaderMayBeQuotedAndListsIgnoredColumns) {
  const Outcome outcome = ReadAll(
      "\"id\",\"Kind\",\"Value\",\"created_at\",,\"Bank Name\"\n1,pdq," +
      std::string(kPdq) + ",2026-01-01,,x\n");
  EXPECT_EQ(outcome.format, Format::kCsv);
  ASSERT_EQ(outcome.records.size(), 1u);
  EXPECT_THAT(outcome.ignored_columns,
              ElementsAre("id", "created_at", "Bank Name"));
}

TEST(CsvReaderTest, MalformedHeaderIsAnError) {
  EXPECT_EQ(OpenError("pdq,\"x\n", WithFormat(Format::kCsv)).message(),
            "line 1: header row: unterminated quoted cell");
  EXPECT_EQ(OpenError("pdq,a\"b\n", WithFormat(Format::kCsv)).message(),
            "line 1: header row: quote inside an unquoted cell (cell 2)");
}

TEST(CsvReaderTest, LongRecordResyncs) {
  ReaderOptions options = WithFormat(Format::kCsv);
  options.max_line_bytes = 100;
  const Outcome outcome = ReadAll(
      "pdq,note\n" + std::string(kPdq) + "," + std::string(500, 'n') + "\n" +
          kPdq2 + ",\"" + std::string(33, 'q') + "\"\r\n" +  // 100 bytes
          kPdq + "," + std::string(36, 'q') + "\r\n",        // 101 bytes
      options);
  ASSERT_EQ(outcome.records.size(), 1u)
      << ::testing::PrintToString(outcome.messages);
  EXPECT_EQ(outcome.records[0].line, 3);
  EXPECT_THAT(outcome.messages,
              ElementsAre("line 2: longer than 100 bytes; skipped to the next "
                          "line",
                          "line 4: longer than 100 bytes; skipped to the next "
                          "line"));
}

TEST(CsvReaderTest, ReadsExportFixture) {
  std::ifstream in(FixturePath("export.csv"), std::ios::binary);
  ASSERT_TRUE(in.is_open());
  auto outcome = ReadAllFrom(in, {});
  ASSERT_TRUE(outcome.has_value()) << outcome.error().ToString();
  EXPECT_EQ(outcome->format, Format::kCsv);
  EXPECT_TRUE(outcome->errors.empty());
  ASSERT_EQ(outcome->records.size(), 2u);
  const Record& pdq = outcome->records[0];
  EXPECT_EQ(pdq.input.signal.hex(), kPdq);
  EXPECT_EQ(pdq.input.quality, 93);
  EXPECT_EQ(pdq.input.pdq_mode, hash::PdqMode::kCli);
  EXPECT_EQ(pdq.input.source_org, "Hotline, \"Safe\" Ltd");
  EXPECT_EQ(pdq.input.external_id, "case 1");
  const Record& md5 = outcome->records[1];
  EXPECT_EQ(md5.line, 3);
  EXPECT_EQ(md5.input.signal.hex(), kMd5);
  EXPECT_EQ(md5.input.category, store::Category::kSynthetic);
  EXPECT_EQ(md5.input.source_org, "\xc3\x89quipe");
  EXPECT_EQ(md5.input.external_id, "two\nlines");
  EXPECT_EQ(md5.status, store::EntryStatus::kRevoked);
  EXPECT_EQ(md5.revoke_reason, "false positive, ticket 9");
}

TEST(LinesReaderTest, ReadsLinesFixture) {
  std::ifstream in(FixturePath("lines.txt"), std::ios::binary);
  ASSERT_TRUE(in.is_open());
  auto outcome = ReadAllFrom(in, {});
  ASSERT_TRUE(outcome.has_value()) << outcome.error().ToString();
  EXPECT_EQ(outcome->format, Format::kLines);
  EXPECT_TRUE(outcome->errors.empty());
  ASSERT_EQ(outcome->records.size(), 3u);
  EXPECT_EQ(outcome->records[1].input.signal.hex(), kPdq2);
  EXPECT_EQ(outcome->records[2].line, 5);
  EXPECT_EQ(outcome->records[2].input.quality, 51);
  EXPECT_EQ(outcome->records[2].input.external_id, "case-2026-0042");
}

// --- detection -------------------------------------------------------------

TEST(ReaderTest, SniffsEachFormat) {
  EXPECT_EQ(ReadAll(std::string(kPdq) + "\n").format, Format::kLines);
  EXPECT_EQ(ReadAll("# c\nkind\tvalue\n").format, Format::kTsv);
  EXPECT_EQ(ReadAll("# c\nkind,value\n").format, Format::kCsv);
  // A forced format wins over sniffing.
  const Outcome forced = ReadAll("kind,value\n", WithFormat(Format::kLines));
  EXPECT_EQ(forced.format, Format::kLines);
  EXPECT_THAT(forced.messages,
              ElementsAre("line 1: invalid pdq signal: expected 64 hex "
                          "digits, got 10 characters"));
}

TEST(ReaderTest, BytesConsumedReachesTheEnd) {
  const std::string text = "pdq\n" + std::string(kPdq) + "\n";
  const Outcome outcome = ReadAll(text);
  EXPECT_EQ(outcome.bytes_consumed, text.size());
}

}  // namespace
}  // namespace rempart::interchange
