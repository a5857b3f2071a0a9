// Reader: turns a hash list (rempart/interchange/format.h) into records.
//
// Every byte read is treated as hostile: the reader never crashes or hangs
// and holds at most about one line or record in memory, whatever the input
// (a `vpdq` input is one record: up to hash::kMaxVpdqFrames frames).
// It also never drops anything silently: each line that is not blank or a
// comment yields one or more records, or exactly one line error (a `vpdq`
// input, one video, yields one record or one error as a whole), and each
// column it does not use is listed in ignored_columns().
//
// Whether a line error aborts the import (strict) or is reported while the
// rest goes on (lenient) is the caller's policy: the reader reports and
// carries on with the next line.
//
//   auto reader = interchange::Reader::Open(in, options);
//   if (!reader) return reader.error();
//   while (auto item = reader->Next()) {
//     if (auto* record = std::get_if<interchange::Record>(&*item)) {
//       ... record->input ...
//     } else {
//       ... std::get<interchange::LineError>(*item).message ...
//     }
//   }
//   if (!reader->status().ok()) return reader->status();  // Read failure
//                                                         // or max_records.
//
// The reader borrows the stream, which must outlive it, and reads it
// sequentially (stdin and pipes are fine). Not thread-safe: use one Reader
// from one thread at a time; separate readers are independent.
#ifndef REMPART_INTERCHANGE_READER_H_
#define REMPART_INTERCHANGE_READER_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <istream>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "rempart/core/result.h"
#include "rempart/core/status.h"
#include "rempart/interchange/format.h"
#include "rempart/store/entry.h"

namespace rempart::interchange {

struct ReaderOptions {
  // The format, or nullopt to sniff it from the content (SniffFormat). A
  // caller with a file name tries FormatFromFileName() first.
  std::optional<Format> format;
  // The kind of every `lines` value, and of `value` cells in rows without a
  // `kind` cell. kVpdq makes a `lines` input an error (it cannot hold
  // frames); a `vpdq` input is of kind kVpdq whatever this says.
  store::SignalKind kind = store::SignalKind::kPdq;
  // For rows without a category or source_org cell (or with an empty one).
  store::Category category = store::Category::kIntimateImage;
  std::string source_org;
  // Longest line, or CSV record, in bytes (without its line break). A longer
  // one is a line error; the rest of it is skipped up to the next line feed.
  // A longer header row is an error from Open(). Must be positive.
  std::size_t max_line_bytes = 65536;
  // Replaces max_line_bytes for the rows (not the header) of a `tsv` or
  // `csv` table with a `frames` column, whose cells hold whole videos. The
  // default holds hash::kMaxVpdqFrames frames of the usual ~85 bytes, far
  // more than a 4-hour video at one frame per second (~1.2 MB). The reader
  // holds one such row (and its frames) at a time. Must be positive.
  std::size_t max_video_row_bytes = std::size_t{8} << 20;
  // Most records to return; 0 for no limit. The row that would exceed it is
  // not returned and status() becomes ResourceExhausted.
  std::int64_t max_records = 0;
};

// One signal read, with everything the list says about it.
struct Record {
  std::int64_t line = 0;  // Where its row starts (1-based).
  // Category and source_org are filled from ReaderOptions when the list
  // leaves them out. For a vPDQ signal, input.frames holds the frames and
  // input.signal == store::Signal::Vpdq(input.frames). input.patches is set
  // only for a PDQ signal whose row has a patches cell, and then holds at
  // least one patch.
  store::EntryInput input;
  store::EntryStatus status = store::EntryStatus::kActive;
  std::string revoke_reason;
};

// A line that yields no record, and why.
struct LineError {
  std::int64_t line = 0;  // Where the offending row starts (1-based).
  // Says where and what, e.g. "line 17: invalid pdq signal: expected 64 hex
  // digits, got 63 characters". Quotes at most a short excerpt of the input.
  std::string message;
};

using Item = std::variant<Record, LineError>;

class Reader {
 public:
  // Prepares to read `in`: skips a byte order mark and leading blank and
  // comment lines, settles the format (sniffing it if options.format is
  // nullopt) and, for `tsv` and `csv`, reads the header row. Errors:
  // InvalidArgument for a missing or malformed header (no signal column,
  // a column named twice, per-kind columns mixed with `value`, `vpdq`
  // without `frames`) and for a `lines` input with options.kind kVpdq,
  // ResourceExhausted for a header longer than max_line_bytes, Unavailable
  // when the stream fails.
  static Result<Reader> Open(std::istream& in, ReaderOptions options);

  Reader(Reader&&) noexcept = default;
  Reader& operator=(Reader&&) noexcept = default;
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;
  ~Reader() = default;

  // The next record or line error; nullopt at the end of the input, after
  // a read failure or once max_records is reached (see status()). The
  // records of one multi-signal row come one after another, in the order
  // pdq, md5, sha256, vpdq; a row yields either all its records or one
  // error. A `vpdq` input yields one record or one error in all.
  std::optional<Item> Next();

  // OK while reading and after a clean end of input. ResourceExhausted once
  // max_records is reached; Unavailable if the stream failed (badbit).
  [[nodiscard]] const Status& status() const { return status_; }

  // The format being read (sniffed or given).
  [[nodiscard]] Format format() const { return format_; }
  // Header names (trimmed, otherwise as written: untrusted text to escape
  // before display) of the `tsv`/`csv` columns the reader does not use, in
  // header order; empty names are left out. Always empty for `lines`.
  [[nodiscard]] const std::vector<std::string>& ignored_columns() const {
    return ignored_columns_;
  }
  // Bytes of the stream consumed so far, for progress reporting.
  [[nodiscard]] std::uint64_t bytes_consumed() const;
  // Records returned so far.
  [[nodiscard]] std::int64_t records_read() const { return records_read_; }

 private:
  // Buffered, bounded access to the stream.
  class Source {
   public:
    explicit Source(std::istream& in) : in_(&in) {}
    // The next byte, or -1 at the end of the input (or after a failure).
    int Get();
    int Peek();
    // Up to `max_bytes` bytes from the current position, stopping before a
    // line feed; consumes nothing.
    std::string_view PeekLine(std::size_t max_bytes);
    [[nodiscard]] std::uint64_t consumed() const { return consumed_; }
    [[nodiscard]] bool failed() const { return failed_; }

   private:
    // Makes at least `want` unread bytes available if the stream has them.
    void Fill(std::size_t want);

    std::istream* in_;
    std::vector<char> buffer_;
    std::size_t position_ = 0;
    std::size_t chunk_bytes_ = 4096;  // Next read's size; grows to 64 KiB.
    bool end_ = false;
    bool failed_ = false;
    std::uint64_t consumed_ = 0;
  };

  // Column positions in a header row; -1 when absent.
  struct Columns {
    int pdq = -1;
    int md5 = -1;
    int sha256 = -1;
    int vpdq = -1;
    int kind = -1;
    int value = -1;
    int quality = -1;
    int mode = -1;
    int patches = -1;
    int category = -1;
    int source_org = -1;
    int external_id = -1;
    int status = -1;
    int revoke_reason = -1;
    int error = -1;
    int frames = -1;
    std::size_t count = 0;  // Cells in the header.
  };

  // How reading one physical line or record ended.
  enum class ReadOutcome : std::uint8_t { kRow, kTooLong, kMalformed, kEnd };

  Reader(std::istream& in, ReaderOptions options);

  Status ReadHeader();
  void SkipLeadingLines();
  // Reads the next physical line (`lines`, `tsv`) into line_.
  ReadOutcome ReadLine();
  // Reads the next CSV record into cells_; sets error_ on kMalformed.
  ReadOutcome ReadCsvRecord();
  // Reads the next row of cells (splitting a line for `tsv`).
  ReadOutcome ReadCells();
  void SkipRestOfLine();
  // Reads input until at least one item is pending or the input ends.
  void Advance();
  void ParseLinesRow();
  void ParseTableRow();
  // Reads a whole `vpdq` input as one record (or one error).
  void ParseVpdqInput();
  // Queues `records` (one row's), or stops at max_records.
  void Emit(std::vector<Record> records);
  void EmitError(std::int64_t line, const std::string& message);

  Source source_;
  ReaderOptions options_;
  Format format_ = Format::kLines;
  // Longest line or record: max_line_bytes, or max_video_row_bytes for the
  // rows of a table with a frames column.
  std::size_t row_limit_ = 0;
  Columns columns_;
  std::vector<std::string> ignored_columns_;
  std::deque<Item> pending_;
  Status status_;
  bool done_ = false;
  std::int64_t line_number_ = 1;  // Of the next unread line.
  std::int64_t row_line_ = 0;     // Where the row being parsed starts.
  std::string line_;
  std::vector<std::string> cells_;
  std::string error_;
  std::int64_t records_read_ = 0;
};

}  // namespace rempart::interchange

#endif  // REMPART_INTERCHANGE_READER_H_
