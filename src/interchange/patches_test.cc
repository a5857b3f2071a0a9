// Patch signatures (the second stage's signal of a PDQ entry) in the
// interchange formats: the `patches` cell of `tsv` and `csv`, what `lines`
// does without one, and the writer's round trips.
#include "rempart/hash/patches.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cctype>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "interchange/list_test_util.h"
#include "rempart/interchange/reader.h"
#include "rempart/interchange/writer.h"

namespace rempart::interchange {
namespace {

using store::SignalKind;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kPdq[] =
    "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
constexpr char kMd5[] = "1922c639885e3de7d5bdf9e2a5d3d127";

// `count` patches with distinct positions, sides, qualities and hashes, on
// a 4:3 picture.
hash::PatchSignature MakeSignature(int count) {
  hash::PatchSignature signature{.width = 1600, .height = 1200, .patches = {}};
  for (int i = 0; i < count; ++i) {
    std::array<std::uint8_t, 32> bytes{};
    for (std::size_t b = 0; b < bytes.size(); ++b) {
      bytes[b] = static_cast<std::uint8_t>(i * 37 + static_cast<int>(b) * 11);
    }
    hash::Patch patch;
    patch.x = static_cast<float>(i % 17) / 16.0f;
    patch.y = static_cast<float>(i % 13) / 12.0f;
    patch.side = static_cast<float>(i % 9 + 1) / 10.0f;
    patch.quality = (i * 7) % 101;
    patch.hash = hash::PdqHash::FromBytes(bytes);
    signature.patches.push_back(patch);
  }
  return signature;
}

// Reads all of `text` as `format` (detected when unset); the list must
// end without a reader error.
Outcome ReadAll(const std::string& text, std::optional<Format> format) {
  ReaderOptions options;
  options.format = format;
  Outcome outcome = interchange::ReadAll(text, std::move(options));
  EXPECT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  return outcome;
}

store::Entry MakeEntry(SignalKind kind, std::string_view hex) {
  auto signal = store::Signal::FromHex(kind, hex);
  EXPECT_TRUE(signal.has_value());
  store::Entry entry;
  entry.id = 9;
  entry.bank = "bank";
  if (signal) entry.input.signal = *signal;
  entry.input.source_org = "Hotline";
  return entry;
}

TEST(PatchesTableTest, PerKindRowGivesThePdqRecordItsSignature) {
  const std::string cell = hash::FormatPatches(MakeSignature(64));
  ASSERT_EQ(cell.size(), 5006u);  // The usual bank signature (format.h).
  const Outcome outcome =
      ReadAll(std::string("path\tpdq\tmd5\tpatches\tquality\n") + "a.jpg\t" +
                  kPdq + "\t" + kMd5 + "\t" + cell + "\t90\n",
              Format::kTsv);
  EXPECT_THAT(outcome.messages, ElementsAre());
  ASSERT_EQ(outcome.records.size(), 2u);
  const store::EntryInput& pdq = outcome.records[0].input;
  ASSERT_EQ(pdq.signal.kind(), SignalKind::kPdq);
  ASSERT_TRUE(pdq.patches.has_value());
  EXPECT_EQ(hash::FormatPatches(*pdq.patches), cell);
  EXPECT_EQ(pdq.patches->patches.size(), 64u);
  // Like quality, the signature describes the PDQ record only.
  EXPECT_EQ(outcome.records[1].input.signal.kind(), SignalKind::kMd5);
  EXPECT_FALSE(outcome.records[1].input.patches.has_value());
  EXPECT_FALSE(outcome.records[1].input.quality.has_value());
}

TEST(PatchesTableTest, EmptyCellMeansNone) {
  const Outcome outcome =
      ReadAll(std::string("pdq,patches\n") + kPdq + ",\n" + kPdq + ",  \t \n",
              Format::kCsv);
  EXPECT_THAT(outcome.messages, ElementsAre());
  ASSERT_EQ(outcome.records.size(), 2u);
  EXPECT_FALSE(outcome.records[0].input.patches.has_value());
  EXPECT_FALSE(outcome.records[1].input.patches.has_value());
}

TEST(PatchesTableTest, HexAndHeaderAreCaseInsensitiveAndTrimmed) {
  const std::string cell = hash::FormatPatches(MakeSignature(5));
  std::string upper = cell;
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  ASSERT_NE(upper, cell);
  const Outcome outcome = ReadAll(std::string("Kind\tValue\t PATCHES \n") +
                                      "PDQ\t" + kPdq + "\t  " + upper + " \n",
                                  Format::kTsv);
  EXPECT_THAT(outcome.messages, ElementsAre());
  ASSERT_EQ(outcome.records.size(), 1u);
  ASSERT_TRUE(outcome.records[0].input.patches.has_value());
  EXPECT_EQ(hash::FormatPatches(*outcome.records[0].input.patches), cell);
}

TEST(PatchesTableTest, PatchesWithoutAPdqSignalAreAnError) {
  const std::string cell = hash::FormatPatches(MakeSignature(3));
  const std::string refusal =
      "patches: a patch signature belongs to a PDQ hash, and the row has none";
  // Value mode, another kind.
  const Outcome by_kind =
      ReadAll(std::string("kind,value,patches\n") + "md5," + kMd5 + "," + cell +
                  "\n" + "pdq," + kPdq + "," + cell + "\n",
              Format::kCsv);
  EXPECT_THAT(by_kind.messages, ElementsAre("line 2: " + refusal));
  ASSERT_EQ(by_kind.records.size(), 1u);
  EXPECT_EQ(by_kind.records[0].line, 3);
  EXPECT_TRUE(by_kind.records[0].input.patches.has_value());
  // Per-kind columns without a pdq column: empty cells are fine, a
  // signature is not.
  const Outcome no_pdq_column = ReadAll(
      std::string("md5\tpatches\n") + kMd5 + "\t\n" + kMd5 + "\t" + cell + "\n",
      Format::kTsv);
  EXPECT_THAT(no_pdq_column.messages, ElementsAre("line 3: " + refusal));
  ASSERT_EQ(no_pdq_column.records.size(), 1u);
  EXPECT_FALSE(no_pdq_column.records[0].input.patches.has_value());
  // A pdq column whose cell is empty on that row; the row yields nothing.
  const Outcome empty_pdq =
      ReadAll(std::string("pdq\tmd5\tpatches\n\t") + kMd5 + "\t" + cell + "\n",
              Format::kTsv);
  EXPECT_THAT(empty_pdq.messages, ElementsAre("line 2: " + refusal));
  EXPECT_THAT(empty_pdq.records, ElementsAre());
}

TEST(PatchesTableTest, MalformedCellsNameTheLineAndTheReason) {
  const std::string good = hash::FormatPatches(MakeSignature(2));
  std::string bad_hex = good;
  bad_hex[10] = 'g';
  std::string version_3 = good;
  version_3[1] = '3';
  const std::string no_patches = hash::FormatPatches(MakeSignature(0));
  ASSERT_EQ(no_patches.size(), 14u);
  std::string text = "pdq,patches\n";
  for (const std::string& cell :
       {bad_hex, good.substr(1), version_3, good.substr(0, good.size() - 2),
        no_patches, std::string("\"") + good + "\""}) {
    text += std::string(kPdq) + "," + cell + "\n";
  }
  const Outcome outcome = ReadAll(text, Format::kCsv);
  ASSERT_EQ(outcome.messages.size(), 5u);
  EXPECT_EQ(outcome.messages[0],
            "line 2: patches: character 11 is not a hex digit");
  EXPECT_EQ(outcome.messages[1],
            "line 3: patches: an odd number of hex digits (" +
                std::to_string(good.size() - 1) + ")");
  EXPECT_EQ(outcome.messages[2],
            "line 4: patches: version 3 is not supported (expected 1 or 2)");
  EXPECT_EQ(outcome.messages[3],
            "line 5: patches: 84 bytes, but 2 patches take exactly 85");
  EXPECT_EQ(outcome.messages[4],
            "line 6: patches: a signature without patches or crops (leave "
            "the cell empty)");
  // A quoted cell is the same cell.
  ASSERT_EQ(outcome.records.size(), 1u);
  EXPECT_EQ(outcome.records[0].line, 7);
  ASSERT_TRUE(outcome.records[0].input.patches.has_value());
  EXPECT_EQ(hash::FormatPatches(*outcome.records[0].input.patches), good);
}

TEST(PatchesTableTest, PatchesIsNotASignalColumnAndIsNamedOnce) {
  std::istringstream alone("patches\nabcd\n");
  ReaderOptions options;
  options.format = Format::kTsv;
  auto reader = Reader::Open(alone, options);
  ASSERT_FALSE(reader.has_value());
  EXPECT_THAT(reader.error().message(), HasSubstr("names no signal column"));
  std::istringstream twice("pdq,patches,Patches\n");
  options.format = Format::kCsv;
  reader = Reader::Open(twice, options);
  ASSERT_FALSE(reader.has_value());
  EXPECT_THAT(reader.error().message(),
              HasSubstr("column 'patches' names the same thing as column 2"));
}

TEST(PatchesWriterTest, TablesRoundTripTheSignature) {
  store::Entry with = MakeEntry(SignalKind::kPdq, kPdq);
  with.input.quality = 88;
  with.input.patches = MakeSignature(64);
  with.input.external_id = "report, 12";
  const store::Entry without = MakeEntry(SignalKind::kPdq, kPdq);
  const store::Entry md5 = MakeEntry(SignalKind::kMd5, kMd5);
  const std::string cell = hash::FormatPatches(*with.input.patches);
  for (Format format : {Format::kCsv, Format::kTsv}) {
    SCOPED_TRACE(FormatName(format));
    const std::string text = Written(format, {with, without, md5});
    const char separator = format == Format::kCsv ? ',' : '\t';
    // The column is always written (format.h), before the timestamps.
    std::string header = "revoke_reason";
    header += separator;
    header += "frames";
    header += separator;
    header += "patches";
    header += separator;
    header += "created_at";
    EXPECT_THAT(text.substr(0, text.find('\n')), HasSubstr(header));
    // The cell is FormatPatches text as it is, unquoted in csv.
    EXPECT_THAT(text, HasSubstr(separator + cell + separator));
    const Outcome outcome = ReadAll(text, std::nullopt);
    EXPECT_THAT(outcome.messages, ElementsAre());
    ASSERT_EQ(outcome.records.size(), 3u);
    ASSERT_TRUE(outcome.records[0].input.patches.has_value());
    EXPECT_EQ(hash::FormatPatches(*outcome.records[0].input.patches), cell);
    EXPECT_EQ(outcome.records[0].input.quality, 88);
    EXPECT_EQ(outcome.records[0].input.external_id, "report, 12");
    EXPECT_FALSE(outcome.records[1].input.patches.has_value());
    EXPECT_FALSE(outcome.records[2].input.patches.has_value());
  }
}

TEST(PatchesWriterTest, LargestSignatureFitsTheDefaultLineLimit) {
  store::Entry entry = MakeEntry(SignalKind::kPdq, kPdq);
  entry.input.patches = MakeSignature(hash::kMaxPatches);
  // The longest free text a store holds, made of quotes (doubled in csv).
  entry.input.source_org = std::string(256, '"');
  entry.input.external_id = std::string(256, '"');
  const std::string cell = hash::FormatPatches(*entry.input.patches);
  ASSERT_EQ(cell.size(), 19'982u);
  const std::string text = Written(Format::kCsv, {entry});
  const std::size_t header_end = text.find('\n');
  const std::size_t row_bytes = text.size() - header_end - 2;
  EXPECT_LT(row_bytes, std::size_t{22} << 10);
  EXPECT_LT(row_bytes, ReaderOptions().max_line_bytes);
  const Outcome outcome = ReadAll(text, Format::kCsv);
  EXPECT_THAT(outcome.messages, ElementsAre());
  ASSERT_EQ(outcome.records.size(), 1u);
  ASSERT_TRUE(outcome.records[0].input.patches.has_value());
  EXPECT_EQ(outcome.records[0].input.patches->patches.size(),
            static_cast<std::size_t>(hash::kMaxPatches));
  EXPECT_EQ(hash::FormatPatches(*outcome.records[0].input.patches), cell);
  EXPECT_EQ(outcome.records[0].input.source_org, entry.input.source_org);
}

TEST(PatchesWriterTest, LinesDropTheSignature) {
  store::Entry entry = MakeEntry(SignalKind::kPdq, kPdq);
  entry.input.quality = 70;
  entry.input.patches = MakeSignature(4);
  EXPECT_EQ(Written(Format::kLines, {entry}), std::string(kPdq) + "\t70\n");
  const Outcome outcome =
      ReadAll(Written(Format::kLines, {entry}), Format::kLines);
  ASSERT_EQ(outcome.records.size(), 1u);
  EXPECT_FALSE(outcome.records[0].input.patches.has_value());
}

TEST(PatchesWriterTest, RefusesASignatureNoReaderWouldTake) {
  store::Entry md5 = MakeEntry(SignalKind::kMd5, kMd5);
  md5.input.patches = MakeSignature(2);
  store::Entry empty = MakeEntry(SignalKind::kPdq, kPdq);
  empty.input.patches = MakeSignature(0);
  for (Format format : {Format::kCsv, Format::kTsv, Format::kLines}) {
    SCOPED_TRACE(FormatName(format));
    std::ostringstream out;
    Writer writer(out, format);
    ASSERT_TRUE(writer.WriteHeader().ok());
    const std::size_t header_bytes = out.str().size();
    const Status on_md5 = writer.Write(md5);
    EXPECT_EQ(on_md5.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(on_md5.message(),
              "entry 9: a patch signature belongs to a PDQ hash, and this "
              "signal is md5");
    const Status without_patches = writer.Write(empty);
    EXPECT_EQ(without_patches.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(without_patches.message(),
              "entry 9: a patch signature without patches or crops");
    EXPECT_EQ(out.str().size(), header_bytes);  // Nothing written.
  }
}

}  // namespace
}  // namespace rempart::interchange
