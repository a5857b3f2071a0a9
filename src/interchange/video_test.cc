// Videos (vPDQ signals) in every format: reading, writing and round trips.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "interchange/frames.h"
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
// The first three lines of the reference's doorknob-hd-no-bar-1s sample.
constexpr char kReferenceLines[] =
    "0,100,dadb999c25266273529cadac8dcb52c22324ad3bce99726c38668d93c799f06c,"
    "0.000\n"
    "30,68,c8feb0fc73910f830fc6307cf039e7030fc61b9cf8717cf00fce00070003fffe,"
    "1.000\n"
    "60,0,4de4be27bac5c7946af3ac061dea8798275e6abcd1428b8491e4c34ecb5362e8,"
    "2.000\n";

std::vector<hash::VpdqFrame> ReferenceFrames() {
  auto frames = hash::ParseVpdq(kReferenceLines);
  EXPECT_TRUE(frames.has_value());
  return frames.has_value() ? *frames : std::vector<hash::VpdqFrame>();
}

// `count` frames one second apart with distinct hashes.
std::vector<hash::VpdqFrame> ManyFrames(std::size_t count) {
  std::vector<hash::VpdqFrame> frames;
  frames.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    std::array<std::uint8_t, 32> bytes{};
    for (std::size_t b = 0; b < bytes.size(); ++b) {
      bytes[b] = static_cast<std::uint8_t>((i * 131 + b * 29) >> (b % 8));
    }
    frames.push_back(hash::VpdqFrame{
        .frame_number = static_cast<std::int64_t>(i) * 30,
        .quality = static_cast<int>(i % 101),
        .hash = hash::PdqHash::FromBytes(bytes),
        .timestamp_seconds = static_cast<double>(i),
    });
  }
  return frames;
}

std::string Name(const std::vector<hash::VpdqFrame>& frames) {
  return store::Signal::Vpdq(frames).hex();
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

store::Entry VideoEntry(std::vector<hash::VpdqFrame> frames) {
  store::Entry entry;
  entry.id = 12;
  entry.input.signal = store::Signal::Vpdq(frames);
  entry.input.frames = std::move(frames);
  entry.input.category = store::Category::kSextortion;
  entry.input.source_org = "Hotline, \"B\"";
  entry.input.external_id = "video 4";
  entry.status = store::EntryStatus::kRevoked;
  entry.revoke_reason = "duplicate";
  entry.created_at_ms = 1'795'422'600'000;
  entry.updated_at_ms = 1'795'422'600'123;
  return entry;
}

store::Entry PdqEntry() {
  store::Entry entry;
  entry.id = 13;
  entry.input.signal = *store::Signal::FromHex(SignalKind::kPdq, kPdq);
  entry.input.quality = 90;
  entry.input.pdq_mode = hash::PdqMode::kFullResolution;
  entry.input.source_org = "Org";
  return entry;
}

void ExpectSameEntry(const Record& record, const store::Entry& entry) {
  EXPECT_EQ(record.input.signal, entry.input.signal);
  EXPECT_EQ(record.input.frames, entry.input.frames);
  EXPECT_EQ(record.input.quality, entry.input.quality);
  EXPECT_EQ(record.input.pdq_mode, entry.input.pdq_mode);
  EXPECT_EQ(record.input.category, entry.input.category);
  EXPECT_EQ(record.input.source_org, entry.input.source_org);
  EXPECT_EQ(record.input.external_id, entry.input.external_id);
  EXPECT_EQ(record.status, entry.status);
  EXPECT_EQ(record.revoke_reason, entry.revoke_reason);
}

// --- tsv and csv -------------------------------------------------------------

TEST(VideoTableTest, PerKindColumnsComputeOrCheckTheName) {
  const std::vector<hash::VpdqFrame> frames = ReferenceFrames();
  const std::string cell = FormatFramesCell(frames);
  const std::string name = Name(frames);
  const Outcome outcome = ReadAll(
      "path\tpdq\tvpdq\tframes\tcategory\n"
      "a.mp4\t" +
          std::string(kPdq) + "\t\t" + cell + "\tsynthetic\n" +  // 2
          "b.mp4\t\t" + name + "\t" + cell + "\n" +              // 3
          "c.mp4\t\t" + kPdq + "\t" + cell + "\n" +              // 4
          "d.mp4\t\t" + name + "\t\n" +                          // 5
          "e.mp4\t\t" + name.substr(1) + "\t" + cell + "\n",     // 6
      WithFormat(Format::kTsv));
  ASSERT_EQ(outcome.records.size(), 3u);
  EXPECT_EQ(outcome.records[0].input.signal.kind(), SignalKind::kPdq);
  EXPECT_TRUE(outcome.records[0].input.frames.empty());
  const Record& video = outcome.records[1];
  EXPECT_EQ(video.line, 2);
  EXPECT_EQ(video.input.signal.kind(), SignalKind::kVpdq);
  EXPECT_EQ(video.input.signal.hex(), name);
  EXPECT_EQ(video.input.frames, frames);
  EXPECT_EQ(video.input.category, store::Category::kSynthetic);
  EXPECT_EQ(video.input.quality, std::nullopt);
  EXPECT_EQ(outcome.records[2].line, 3);
  EXPECT_EQ(outcome.records[2].input.signal.hex(), name);
  EXPECT_THAT(
      outcome.messages,
      ElementsAre("line 4: the vpdq value '" + std::string(kPdq).substr(0, 40) +
                      "...' is not the name of the row's frames (" + name + ")",
                  "line 5: a vpdq signal needs its frames, and the frames "
                  "cell is empty",
                  StartsWith("line 6: invalid vpdq signal: ")));
}

TEST(VideoTableTest, FramesColumnAloneIsASignalColumn) {
  const std::vector<hash::VpdqFrame> frames = ReferenceFrames();
  const std::string text = "frames\n" + FormatFramesCell(frames) + "\n";
  const Outcome outcome = ReadAll(text);  // Sniffed: a one-column header.
  EXPECT_EQ(outcome.format, Format::kTsv);
  ASSERT_EQ(outcome.records.size(), 1u) << outcome.messages.front();
  EXPECT_EQ(outcome.records[0].input.frames, frames);
  EXPECT_EQ(outcome.records[0].input.signal.hex(), Name(frames));
}

TEST(VideoTableTest, KindValueRowsCarryFrames) {
  const std::vector<hash::VpdqFrame> frames = ReferenceFrames();
  const std::string cell = "\"" + FormatFramesCell(frames) + "\"";
  const std::string name = Name(frames);
  const Outcome outcome = ReadAll(
      "kind,value,quality,frames\nvpdq,,," + cell + "\n" +  // 2: name computed
          "VPDQ," + name + ",," + cell + "\n" +             // 3: name checked
          "pdq," + kPdq + ",,\n" +                          // 4: fine
          "pdq," + kPdq + ",," + cell + "\n" +              // 5
          "vpdq," + name + ",,\n" +                         // 6
          "vpdq,,50," + cell + "\n" +                       // 7
          "md5,1922c639885e3de7d5bdf9e2a5d3d127,," + cell,  // 8
      WithFormat(Format::kCsv));
  ASSERT_EQ(outcome.records.size(), 3u);
  EXPECT_EQ(outcome.records[0].input.signal.hex(), name);
  EXPECT_EQ(outcome.records[0].input.frames, frames);
  EXPECT_EQ(outcome.records[1].input.signal.hex(), name);
  EXPECT_TRUE(outcome.records[2].input.frames.empty());
  EXPECT_THAT(
      outcome.messages,
      ElementsAre(
          "line 5: frames belong to a vpdq signal, and the row's is pdq",
          "line 6: a vpdq signal needs its frames, and the frames cell is "
          "empty",
          "line 7: a quality or mode describes a PDQ hash, and the row has "
          "none",
          "line 8: frames belong to a vpdq signal, and the row's is md5"));
}

TEST(VideoTableTest, VpdqKindWithoutFramesColumn) {
  ReaderOptions options = WithFormat(Format::kCsv);
  options.kind = SignalKind::kVpdq;  // The default kind of `value` cells.
  const Outcome outcome =
      ReadAll("value\n" + Name(ReferenceFrames()) + "\n", options);
  EXPECT_TRUE(outcome.records.empty());
  EXPECT_THAT(outcome.messages,
              ElementsAre("line 2: a vpdq signal needs its frames, and the "
                          "header has no frames column"));
  EXPECT_EQ(OpenError("pdq\tvpdq\n", WithFormat(Format::kTsv)).message(),
            "line 1: a vpdq column needs a frames column (a video's signal "
            "is its frames)");
  EXPECT_EQ(
      OpenError("vpdq,value,frames\n", WithFormat(Format::kCsv)).message(),
      "line 1: the header mixes per-kind columns (pdq, md5, sha256, "
      "vpdq) with a value column");
}

TEST(VideoTableTest, MalformedFramesCells) {
  const std::string hash1 =
      "dadb999c25266273529cadac8dcb52c22324ad3bce99726c38668d93c799f06c";
  const std::string frame0 = "0,100," + hash1 + ",0.000";
  const std::string frame30 = "30,100," + hash1 + ",1.000";
  const Outcome outcome =
      ReadAll("frames\texternal_id\n" + frame0 + ";30,100," +
                  hash1.substr(0, 63) + "g,1.000\tbad hex\n" + frame30 + ";" +
                  frame0 + "\tdecreasing\n" +                         // 3
                  frame0 + ";;" + frame30 + "\tempty frame\n" +       // 4
                  frame0 + ";30,100," + hash1 + "\tthree fields\n" +  // 5
                  frame0 + ";" + frame30 + "\tfine\n",                // 6
              WithFormat(Format::kTsv));
  ASSERT_EQ(outcome.records.size(), 1u);
  EXPECT_EQ(outcome.records[0].input.external_id, "fine");
  ASSERT_EQ(outcome.messages.size(), 4u);
  EXPECT_THAT(outcome.messages[0],
              StartsWith("line 2: frames: frame 2: hash: "));
  EXPECT_EQ(outcome.messages[1],
            "line 3: frames: frame 2: frame numbers must increase (0 follows "
            "30)");
  EXPECT_EQ(outcome.messages[2], "line 4: frames: frame 2: empty frame");
  EXPECT_EQ(outcome.messages[3],
            "line 5: frames: frame 2: expected "
            "frameNumber,quality,pdqHex,timestamp");
}

TEST(VideoTableTest, TooManyFramesAndOverlongCells) {
  const std::vector<hash::VpdqFrame> too_many =
      ManyFrames(hash::kMaxVpdqFrames + 1);
  const std::string cell = FormatFramesCell(too_many);
  const Outcome outcome = ReadAll("frames\n" + cell + "\n");
  EXPECT_TRUE(outcome.records.empty());
  EXPECT_THAT(outcome.messages,
              ElementsAre("line 2: frames: frame 50001: more than 50000 "
                          "frames"));

  ReaderOptions small = WithFormat(Format::kTsv);
  small.max_video_row_bytes = 200;
  const std::vector<hash::VpdqFrame> frames = ReferenceFrames();
  const Outcome limited =
      ReadAll("frames\n" + FormatFramesCell(frames) + "\n" +
                  FormatFramesCell({frames.data(), 1}) + "\n",
              small);
  ASSERT_EQ(limited.records.size(), 1u);
  EXPECT_EQ(limited.records[0].line, 3);
  EXPECT_THAT(limited.messages,
              ElementsAre("line 2: longer than 200 bytes; skipped to the "
                          "next line"));
}

TEST(VideoTableTest, FourHourVideoFitsTheDefaultLimits) {
  // 14,400 frames (4 h at 1 frame/s) make a ~1.3 MB row: far over
  // max_line_bytes, within max_video_row_bytes.
  const std::vector<hash::VpdqFrame> frames = ManyFrames(14'400);
  const std::string cell = FormatFramesCell(frames);
  ASSERT_GT(cell.size(), std::size_t{1'000'000});
  ReaderOptions options;
  for (Format format : {Format::kTsv, Format::kCsv}) {
    SCOPED_TRACE(FormatName(format));
    const std::string text = Written(format, {VideoEntry(frames), PdqEntry()});
    const Outcome outcome = ReadAll(text, WithFormat(format));
    ASSERT_EQ(outcome.records.size(), 2u);
    EXPECT_TRUE(outcome.messages.empty());
    EXPECT_EQ(outcome.records[0].input.frames.size(), frames.size());
    EXPECT_EQ(outcome.records[0].input.signal.hex(), Name(frames));
  }
  // Without a frames column, a row that long is still over the line limit.
  const Outcome plain =
      ReadAll("pdq,note\n" + std::string(kPdq) + "," +
              std::string(options.max_line_bytes, 'x') + "\n");
  EXPECT_THAT(plain.messages,
              ElementsAre("line 2: longer than 65536 bytes; skipped to the "
                          "next line"));
}

TEST(VideoTableTest, BadVideoRowLimit) {
  ReaderOptions zero;
  zero.max_video_row_bytes = 0;
  EXPECT_EQ(OpenError("frames\n", zero).message(),
            "max_video_row_bytes must be positive");
}

// --- lines -------------------------------------------------------------------

TEST(VideoLinesTest, LinesCannotHoldVideos) {
  ReaderOptions options;
  options.kind = SignalKind::kVpdq;
  for (const std::optional<Format> format :
       {std::optional<Format>(Format::kLines), std::optional<Format>()}) {
    options.format = format;
    const Status status = OpenError(Name(ReferenceFrames()) + "\n", options);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(status.message(),
                HasSubstr("a lines list cannot hold vpdq signals"));
    EXPECT_THAT(status.message(), HasSubstr("tsv or csv"));
    EXPECT_THAT(status.message(), HasSubstr("vpdq file"));
  }
  std::ostringstream out;
  Writer writer(out, Format::kLines);
  const Status refused = writer.Write(VideoEntry(ReferenceFrames()));
  EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.message(),
            "entry 12: a lines file cannot hold a vpdq signal (a video's "
            "frames); export as csv, tsv or vpdq");
  EXPECT_EQ(out.str(), "");
}

// --- vpdq --------------------------------------------------------------------

TEST(VpdqFileTest, ReadsTheReferenceSample) {
  const std::string path = std::string(REMPART_SHARED_DIR) +
                           "/conformance/pdq/video/"
                           "doorknob-hd-no-bar-1s.debian12.txt";
  std::ifstream file(path, std::ios::binary);
  ASSERT_TRUE(file.is_open()) << "conformance data not found at " << path;
  const std::string text((std::istreambuf_iterator<char>(file)),
                         std::istreambuf_iterator<char>());
  ReaderOptions options;
  options.category = store::Category::kSextortion;
  options.source_org = "Hotline A";
  const Outcome outcome = ReadAll(text, options);  // Sniffed.
  EXPECT_EQ(outcome.format, Format::kVpdq);
  EXPECT_TRUE(outcome.messages.empty());
  ASSERT_EQ(outcome.records.size(), 1u);
  const Record& video = outcome.records[0];
  EXPECT_EQ(video.line, 1);
  EXPECT_EQ(video.input.signal.kind(), SignalKind::kVpdq);
  EXPECT_EQ(hash::FormatVpdq(video.input.frames), text);
  EXPECT_EQ(video.input.signal, store::Signal::Vpdq(video.input.frames));
  EXPECT_EQ(video.input.category, store::Category::kSextortion);
  EXPECT_EQ(video.input.source_org, "Hotline A");
  EXPECT_EQ(outcome.bytes_consumed, text.size());
}

TEST(VpdqFileTest, CommentsBlankLinesAndCrlf) {
  std::string text = "\xef\xbb\xbf# from vpdq\r\n\r\n";
  std::istringstream lines(kReferenceLines);
  for (std::string line; std::getline(lines, line);) {
    text += line + "\r\n\n# between\n";
  }
  const Outcome outcome = ReadAll(text, {});
  EXPECT_EQ(outcome.format, Format::kVpdq);
  ASSERT_EQ(outcome.records.size(), 1u);
  EXPECT_EQ(outcome.records[0].line, 3);
  EXPECT_EQ(outcome.records[0].input.frames, ReferenceFrames());
  EXPECT_EQ(outcome.records[0].input.signal.hex(), Name(ReferenceFrames()));
}

TEST(VpdqFileTest, ABadLineIsOneErrorForTheWholeVideo) {
  const std::string text = std::string(kReferenceLines) + "90,101,ffff" +
                           std::string(60, '0') + ",3.000\n" + "10,100," +
                           std::string(64, 'a') + ",4.000\n";
  const Outcome outcome = ReadAll(text, WithFormat(Format::kVpdq));
  EXPECT_TRUE(outcome.records.empty());
  EXPECT_THAT(outcome.messages,
              ElementsAre("line 4: quality is not an integer 0…100; the "
                          "video is not read"));
  EXPECT_TRUE(outcome.status.ok());
  EXPECT_EQ(outcome.bytes_consumed, text.size());

  const Outcome decreasing = ReadAll(
      std::string(kReferenceLines) + "60,100," + std::string(64, 'a') + ",4\n",
      WithFormat(Format::kVpdq));
  EXPECT_THAT(decreasing.messages,
              ElementsAre("line 4: frame numbers must increase (60 follows "
                          "60); the video is not read"));

  ReaderOptions small = WithFormat(Format::kVpdq);
  small.max_line_bytes = 80;
  const Outcome long_line =
      ReadAll(std::string(kReferenceLines) + "90,100," + std::string(64, 'a') +
                  ",3.000" + std::string(20, '0') + "\n",
              small);
  EXPECT_THAT(long_line.messages,
              ElementsAre("line 4: longer than 80 bytes; the video is not "
                          "read"));
}

TEST(VpdqFileTest, NoFramesAndTooManyFrames) {
  EXPECT_THAT(ReadAll("# nothing\n\n", WithFormat(Format::kVpdq)).messages,
              ElementsAre("line 3: a vpdq file without frames"));
  EXPECT_THAT(ReadAll("", WithFormat(Format::kVpdq)).messages,
              ElementsAre("line 1: a vpdq file without frames"));
  const std::string text =
      hash::FormatVpdq(ManyFrames(hash::kMaxVpdqFrames + 1));
  const Outcome outcome = ReadAll(text);
  EXPECT_EQ(outcome.format, Format::kVpdq);
  EXPECT_THAT(outcome.messages,
              ElementsAre("line 50001: more than 50000 frames; the video is "
                          "not read"));
}

TEST(VpdqFileTest, MaxRecordsCountsTheVideoOnce) {
  ReaderOptions options = WithFormat(Format::kVpdq);
  options.max_records = 1;
  EXPECT_EQ(ReadAll(kReferenceLines, options).records.size(), 1u);
}

// --- writing -----------------------------------------------------------------

TEST(VideoWriterTest, TablesRoundTripFramesAndName) {
  const std::vector<store::Entry> entries = {
      PdqEntry(), VideoEntry(ReferenceFrames()), VideoEntry(ManyFrames(40))};
  for (Format format : {Format::kCsv, Format::kTsv}) {
    SCOPED_TRACE(FormatName(format));
    const std::string text = Written(format, entries);
    const Outcome outcome = ReadAll(text);  // Sniffed.
    EXPECT_EQ(outcome.format, format);
    EXPECT_TRUE(outcome.messages.empty());
    ASSERT_EQ(outcome.records.size(), entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
      SCOPED_TRACE(i);
      ExpectSameEntry(outcome.records[i], entries[i]);
    }
  }
  EXPECT_THAT(Written(Format::kCsv, {VideoEntry(ReferenceFrames())}),
              HasSubstr(",duplicate,\"" + FormatFramesCell(ReferenceFrames()) +
                        "\",,2026-11-23T08:30:00.000Z,"
                        "2026-11-23T08:30:00.123Z\n"));
}

TEST(VideoWriterTest, VpdqFileIsOneVideo) {
  const store::Entry video = VideoEntry(ReferenceFrames());
  std::ostringstream out;
  Writer writer(out, Format::kVpdq);
  ASSERT_TRUE(writer.WriteHeader().ok());
  EXPECT_EQ(out.str(), "");
  const Status pdq = writer.Write(PdqEntry());
  EXPECT_EQ(pdq.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(pdq.message(),
            "entry 13: a vpdq file holds a video's frames; this entry is pdq");
  ASSERT_TRUE(writer.Write(video).ok());
  EXPECT_EQ(out.str(), kReferenceLines);
  const Status second = writer.Write(video);
  EXPECT_EQ(second.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(second.message(),
            "entry 12: a vpdq file holds one video, and one was written "
            "already");
  EXPECT_EQ(out.str(), kReferenceLines);

  ReaderOptions options;
  options.category = video.input.category;
  const Outcome outcome = ReadAll(out.str(), options);
  EXPECT_EQ(outcome.format, Format::kVpdq);
  ASSERT_EQ(outcome.records.size(), 1u);
  EXPECT_EQ(outcome.records[0].input.signal, video.input.signal);
  EXPECT_EQ(outcome.records[0].input.frames, video.input.frames);
  EXPECT_EQ(outcome.records[0].input.category, video.input.category);
}

TEST(VideoWriterTest, RefusesInconsistentEntries) {
  for (Format format :
       {Format::kCsv, Format::kTsv, Format::kLines, Format::kVpdq}) {
    SCOPED_TRACE(FormatName(format));
    std::ostringstream out;
    Writer writer(out, format);
    store::Entry no_frames = VideoEntry(ReferenceFrames());
    no_frames.input.frames.clear();
    EXPECT_EQ(writer.Write(no_frames).message(),
              "entry 12: a vpdq signal without frames");
    store::Entry pdq_with_frames = PdqEntry();
    pdq_with_frames.input.frames = ReferenceFrames();
    EXPECT_EQ(writer.Write(pdq_with_frames).message(),
              "entry 13: frames belong to a vpdq signal, and this one is pdq");
    EXPECT_EQ(out.str(), "");
  }
  for (Format format : {Format::kCsv, Format::kTsv}) {
    std::ostringstream out;
    Writer writer(out, format);
    store::Entry misnamed = VideoEntry(ReferenceFrames());
    misnamed.input.frames.pop_back();
    EXPECT_EQ(writer.Write(misnamed).message(),
              "entry 12: the vpdq value is not the name of the entry's "
              "frames");
    EXPECT_EQ(out.str(), "");
  }
}

}  // namespace
}  // namespace rempart::interchange
