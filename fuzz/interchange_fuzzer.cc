// libFuzzer target for hash-list parsing: interchange::Reader in every
// format (and sniffing), then the Writer round trip of whatever parsed.
//
// The first byte picks the options (default signal kind, vpdq included; a
// small or the default line limit); the rest is the list. Checks, besides
// the sanitizers: the reader consumes exactly the input, line numbers never
// go backwards, a video's signal is the name of its frames, a patch
// signature comes only with a PDQ signal and holds patches, and every record
// written as csv (and tsv, lines and vpdq, where those can hold it) reads
// back identical (the signature by its text form, which is what is shared).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "rempart/hash/patches.h"
#include "rempart/hash/vpdq.h"
#include "rempart/interchange/format.h"
#include "rempart/interchange/reader.h"
#include "rempart/interchange/writer.h"
#include "rempart/store/entry.h"

namespace {

using rempart::interchange::Format;
using rempart::interchange::LineError;
using rempart::interchange::Reader;
using rempart::interchange::ReaderOptions;
using rempart::interchange::Record;
using rempart::interchange::Writer;

void Check(bool condition) {
  if (!condition) std::abort();
}

std::vector<Record> ReadRecords(const std::string& text,
                                const ReaderOptions& options,
                                bool expect_clean) {
  std::istringstream in(text);
  auto reader = Reader::Open(in, options);
  std::vector<Record> records;
  if (!reader) {
    Check(!expect_clean);
    return records;
  }
  std::int64_t last_line = 0;
  while (auto item = reader->Next()) {
    if (auto* record = std::get_if<Record>(&*item)) {
      Check(record->line >= last_line && record->line >= 1);
      const bool video =
          record->input.signal.kind() == rempart::store::SignalKind::kVpdq;
      Check(video != record->input.frames.empty());
      Check(!video || record->input.signal ==
                          rempart::store::Signal::Vpdq(record->input.frames));
      const auto& patches = record->input.patches;
      Check(!patches ||
            (record->input.signal.kind() == rempart::store::SignalKind::kPdq &&
             !patches->patches.empty()));
      last_line = record->line;
      records.push_back(*record);
    } else {
      const auto& error = std::get<LineError>(*item);
      Check(error.line >= last_line && error.line >= 1);
      Check(!error.message.empty());
      last_line = error.line;
      Check(!expect_clean);
    }
  }
  Check(reader->status().ok());
  Check(reader->bytes_consumed() == text.size());
  Check(reader->records_read() == static_cast<std::int64_t>(records.size()));
  return records;
}

rempart::store::Entry ToEntry(const Record& record) {
  rempart::store::Entry entry;
  entry.id = record.line;
  entry.input = record.input;
  entry.status = record.status;
  entry.revoke_reason = record.revoke_reason;
  entry.created_at_ms = record.line * 1000;
  entry.updated_at_ms = -record.line;
  return entry;
}

// What `format` keeps: frames only for vpdq; value, quality and external id
// for lines (a patch signature is dropped); everything for tsv and csv.
bool SameRecord(const Record& a, const Record& b, Format format) {
  // A timestamp with more than 3 decimals is read exactly and written with
  // 3, so frames compare by their text form (which the name hashes).
  if (!(a.input.signal == b.input.signal) ||
      rempart::hash::FormatVpdq(a.input.frames) !=
          rempart::hash::FormatVpdq(b.input.frames)) {
    return false;
  }
  if (format == Format::kVpdq) return true;
  if (a.input.quality != b.input.quality ||
      a.input.external_id != b.input.external_id) {
    return false;
  }
  if (format == Format::kLines) return !a.input.patches;
  const auto patches_text = [](const Record& record) {
    return record.input.patches
               ? rempart::hash::FormatPatches(*record.input.patches)
               : std::string();
  };
  return patches_text(a) == patches_text(b) &&
         a.input.pdq_mode == b.input.pdq_mode &&
         a.input.category == b.input.category &&
         a.input.source_org == b.input.source_org && a.status == b.status &&
         a.revoke_reason == b.revoke_reason;
}

// Writes `records` in `format` and reads back those the writer accepted.
void CheckRoundTrip(const std::vector<Record>& records, Format format) {
  std::ostringstream out;
  Writer writer(out, format);
  Check(writer.WriteHeader().ok());
  std::vector<const Record*> written;
  for (const Record& record : records) {
    const rempart::Status status = writer.Write(ToEntry(record));
    if (status.ok()) {
      written.push_back(&record);
    } else {
      Check(format != Format::kCsv);  // csv takes anything the reader gives.
    }
  }
  // An empty vpdq file is not a video: nothing to read back.
  if (format == Format::kVpdq && written.empty()) return;
  ReaderOptions options;
  options.format = format;
  // Quoting may double a cell; the limit is not what is checked here.
  options.max_line_bytes = 1 << 20;
  options.max_video_row_bytes = 1 << 21;
  if (!written.empty()) options.kind = written.front()->input.signal.kind();
  const std::vector<Record> again =
      ReadRecords(out.str(), options, /*expect_clean=*/true);
  Check(again.size() == written.size());
  for (std::size_t i = 0; i < again.size(); ++i) {
    Check(SameRecord(again[i], *written[i], format));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t selector = data[0];
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  ReaderOptions options;
  options.kind = static_cast<rempart::store::SignalKind>(selector % 4);
  options.max_line_bytes = (selector & 0x80) != 0 ? 1 + selector % 97 : 65536;
  options.max_video_row_bytes =
      (selector & 0x80) != 0 ? 100 + selector % 389 : std::size_t{8} << 20;
  options.source_org = "fuzz";
  (void)rempart::interchange::SniffFormat(text);
  constexpr int kFormats = 4;  // lines, tsv, csv, vpdq; then sniffed.
  for (int format = 0; format <= kFormats; ++format) {
    options.format = format < kFormats
                         ? std::optional(static_cast<Format>(format))
                         : std::nullopt;
    const std::vector<Record> records =
        ReadRecords(text, options, /*expect_clean=*/false);
    CheckRoundTrip(records, Format::kCsv);
    CheckRoundTrip(records, Format::kTsv);
    // A lines file holds one kind; the writer refuses the others.
    CheckRoundTrip(records, Format::kLines);
    // A vpdq file holds one video; the writer refuses the rest.
    CheckRoundTrip(records, Format::kVpdq);
  }
  return 0;
}
