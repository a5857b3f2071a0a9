// Reading hash lists.
//
// The input is a stream of bytes from anyone, so the reader is built around
// three guarantees:
//
// - Bounded memory. Bytes come through Source, a chunked buffer that never
//   holds more than one chunk plus one line. A line (or CSV record) is
//   accumulated byte by byte only up to max_line_bytes; past that the rest
//   is discarded up to the next line feed, so a gigabyte without a line
//   break costs one error and constant memory. Cells, and a row's records,
//   are bounded by the line that holds them.
// - Progress. Every call that reads a row consumes at least one byte or
//   reports the end of the input, so no input makes Next() loop forever.
// - Nothing dropped silently. Each row yields its records or exactly one
//   LineError; a multi-signal row is parsed entirely before any of its
//   records is queued, so it is never half-imported.
//
// CSV is parsed by a small state machine over RFC 4180 (start of cell,
// unquoted cell, quoted cell, after a closing quote). A record may span lines
// inside quotes; its line number is the one it starts on. An unterminated
// quote runs to the end of the input or to the length limit, whichever comes
// first, and is then reported like any other malformed record.
//
// A video (vPDQ) is one signal made of many frames, so it breaks the "one
// line, one small record" shape twice: in a table its frames share one cell,
// which makes the row long (hence the separate max_video_row_bytes, applied
// only to tables that have a frames column), and a `vpdq` input is one
// record spread over many lines, read to the end before it is queued. Its
// name is always recomputed from the frames; a name in the list is only
// checked against it, so a list cannot attach one video's name to another
// video's frames.
#include "rempart/interchange/reader.h"

#include <algorithm>
#include <array>
#include <ios>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "interchange/frames.h"
#include "interchange/text.h"
#include "rempart/hash/patches.h"

namespace rempart::interchange {
namespace {

constexpr std::size_t kMaxChunkBytes = 65536;
constexpr std::string_view kByteOrderMark = "\xef\xbb\xbf";

std::string LinePrefix(std::int64_t line) {
  return "line " + std::to_string(line) + ": ";
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> fields;
  while (true) {
    const std::size_t end = text.find(separator);
    fields.push_back(text.substr(0, end));
    if (end == std::string_view::npos) return fields;
    text.remove_prefix(end + 1);
  }
}

// Each parser below returns the value or an InvalidArgument whose message
// is prefixed with the line by the caller.

Result<store::Signal> ParseSignal(store::SignalKind kind,
                                  std::string_view cell) {
  const std::string_view value = Trim(cell);
  if (value.empty()) {
    return InvalidArgumentError(
        "empty " + std::string(store::SignalKindName(kind)) + " value");
  }
  return store::Signal::FromHex(kind, value);
}

Result<store::SignalKind> ParseKind(std::string_view cell,
                                    store::SignalKind fallback) {
  const std::string name = ToLower(Trim(cell));
  if (name.empty()) return fallback;
  auto kind = store::ParseSignalKind(name);
  if (!kind) {
    return InvalidArgumentError("unknown signal kind " + Excerpt(name) +
                                " (expected pdq, md5, sha256 or vpdq)");
  }
  return *kind;
}

// nullopt for an empty cell.
Result<std::optional<int>> ParseQuality(std::string_view cell) {
  const std::string_view text = Trim(cell);
  if (text.empty()) return std::optional<int>();
  int quality = 0;
  for (char c : text) {
    if (c < '0' || c > '9' || quality > 100) {
      return InvalidArgumentError("quality " + Excerpt(text) +
                                  " is not an integer from 0 to 100");
    }
    quality = quality * 10 + (c - '0');
  }
  if (quality > 100) {
    return InvalidArgumentError("quality " + Excerpt(text) +
                                " is not an integer from 0 to 100");
  }
  return std::optional<int>(quality);
}

// nullopt for an empty cell. "+fast" is read as the base mode (format.h).
Result<std::optional<hash::PdqMode>> ParseMode(std::string_view cell) {
  const std::string text = ToLower(Trim(cell));
  if (text.empty()) return std::optional<hash::PdqMode>();
  std::string_view base = text;
  if (base.ends_with("+fast")) base.remove_suffix(5);
  auto mode = hash::ParsePdqMode(base);
  if (!mode) {
    return InvalidArgumentError("unknown mode " + Excerpt(text) +
                                " (expected cli512 or fullres)");
  }
  return std::optional<hash::PdqMode>(*mode);
}

// nullopt for an empty cell. hash::ParsePatches takes either case; its
// reasons already start with "patches: " and quote none of the cell.
Result<std::optional<hash::PatchSignature>> ParsePatchesCell(
    std::string_view cell) {
  const std::string_view text = Trim(cell);
  if (text.empty()) return std::optional<hash::PatchSignature>();
  auto signature = hash::ParsePatches(text);
  if (!signature) return signature.error();
  // The encoding allows none, the store does not (ValidatePatchSignature):
  // a picture without patches or crops is written without a signature.
  if (signature->empty()) {
    return InvalidArgumentError(
        "patches: a signature without patches or crops (leave the cell "
        "empty)");
  }
  return std::optional<hash::PatchSignature>(*std::move(signature));
}

Result<store::Category> ParseCategoryCell(std::string_view cell,
                                          store::Category fallback) {
  const std::string name = ToLower(Trim(cell));
  if (name.empty()) return fallback;
  auto category = store::ParseCategory(name);
  if (!category) {
    return InvalidArgumentError(
        "unknown category " + Excerpt(name) +
        " (expected intimate_image, sextortion, synthetic or child_abuse)");
  }
  return *category;
}

Result<store::EntryStatus> ParseStatusCell(std::string_view cell) {
  const std::string name = ToLower(Trim(cell));
  if (name.empty()) return store::EntryStatus::kActive;
  auto status = store::ParseEntryStatus(name);
  if (!status) {
    return InvalidArgumentError("unknown status " + Excerpt(name) +
                                " (expected active or revoked)");
  }
  return *status;
}

struct Video {
  store::Signal signal;
  std::vector<hash::VpdqFrame> frames;
};

// The vPDQ signal of a row's `frames_cell`, checked against `name_cell`
// (which may be empty).
Result<Video> ParseVideo(std::string_view name_cell,
                         std::string_view frames_cell, bool has_frames_column) {
  if (Trim(frames_cell).empty()) {
    return InvalidArgumentError(
        has_frames_column
            ? "a vpdq signal needs its frames, and the frames cell is empty"
            : "a vpdq signal needs its frames, and the header has no frames "
              "column");
  }
  auto frames = ParseFramesCell(frames_cell);
  if (!frames) return frames.error().WithContext("frames");
  const store::Signal name = store::Signal::Vpdq(*frames);
  if (!Trim(name_cell).empty()) {
    auto given =
        store::Signal::FromHex(store::SignalKind::kVpdq, Trim(name_cell));
    if (!given) return given.error();
    if (!(*given == name)) {
      return InvalidArgumentError("the vpdq value " + Excerpt(Trim(name_cell)) +
                                  " is not the name of the row's frames (" +
                                  name.hex() + ")");
    }
  }
  return Video{.signal = name, .frames = *std::move(frames)};
}

Result<std::string> ParseFreeText(std::string_view column,
                                  std::string_view cell) {
  const std::string problem = FreeTextProblem(cell);
  if (!problem.empty()) {
    return InvalidArgumentError(std::string(column) + ": " + problem);
  }
  return std::string(cell);
}

}  // namespace

// --- Source -----------------------------------------------------------------

void Reader::Source::Fill(std::size_t want) {
  while (!end_ && buffer_.size() - position_ < want) {
    buffer_.erase(buffer_.begin(),
                  buffer_.begin() + static_cast<std::ptrdiff_t>(position_));
    position_ = 0;
    const std::size_t old_size = buffer_.size();
    // Small reads first, so that short lists cost little.
    const std::size_t chunk = chunk_bytes_;
    chunk_bytes_ = std::min(2 * chunk_bytes_, kMaxChunkBytes);
    buffer_.resize(old_size + chunk);
    std::streamsize got = 0;
    try {
      in_->read(buffer_.data() + old_size, static_cast<std::streamsize>(chunk));
      got = in_->gcount();
      if (in_->bad()) failed_ = true;
    } catch (const std::ios_base::failure&) {
      // A stream the caller set to throw on badbit (or failbit at the end).
      got = in_->gcount();
      failed_ = in_->bad();
      end_ = true;
    }
    buffer_.resize(old_size +
                   static_cast<std::size_t>(std::max<std::streamsize>(got, 0)));
    if (failed_ || got < static_cast<std::streamsize>(chunk)) {
      end_ = true;
    }
  }
}

int Reader::Source::Peek() {
  if (position_ == buffer_.size()) Fill(1);
  if (position_ == buffer_.size()) return -1;
  return static_cast<unsigned char>(buffer_[position_]);
}

int Reader::Source::Get() {
  const int c = Peek();
  if (c >= 0) {
    ++position_;
    ++consumed_;
  }
  return c;
}

std::string_view Reader::Source::PeekLine(std::size_t max_bytes) {
  std::size_t searched = 0;
  while (true) {
    const std::string_view available(buffer_.data() + position_,
                                     buffer_.size() - position_);
    const std::size_t newline = available.find('\n', searched);
    if (newline != std::string_view::npos) {
      return available.substr(0, std::min(newline, max_bytes));
    }
    if (available.size() >= max_bytes || end_) {
      return available.substr(0, std::min(available.size(), max_bytes));
    }
    searched = available.size();
    Fill(available.size() + 1);
  }
}

// --- Reader -----------------------------------------------------------------

Reader::Reader(std::istream& in, ReaderOptions options)
    : source_(in), options_(std::move(options)) {}

std::uint64_t Reader::bytes_consumed() const { return source_.consumed(); }

Result<Reader> Reader::Open(std::istream& in, ReaderOptions options) {
  if (options.max_line_bytes == 0) {
    return InvalidArgumentError("max_line_bytes must be positive");
  }
  if (options.max_video_row_bytes == 0) {
    return InvalidArgumentError("max_video_row_bytes must be positive");
  }
  if (options.max_records < 0) {
    return InvalidArgumentError("max_records must not be negative");
  }
  Reader reader(in, std::move(options));
  reader.row_limit_ = reader.options_.max_line_bytes;
  if (reader.source_.PeekLine(kByteOrderMark.size()) == kByteOrderMark) {
    for (std::size_t i = 0; i < kByteOrderMark.size(); ++i) {
      reader.source_.Get();
    }
  }
  reader.SkipLeadingLines();
  reader.format_ = reader.options_.format.value_or(
      SniffFormat(reader.source_.PeekLine(reader.options_.max_line_bytes)));
  if (reader.format_ == Format::kLines &&
      reader.options_.kind == store::SignalKind::kVpdq) {
    return InvalidArgumentError(
        "a lines list cannot hold vpdq signals, which are a video's frames: "
        "read them from a tsv or csv list with a frames column, or from a "
        "vpdq file");
  }
  if (reader.format_ == Format::kTsv || reader.format_ == Format::kCsv) {
    REMPART_RETURN_IF_ERROR(reader.ReadHeader());
    if (reader.columns_.frames >= 0) {
      reader.row_limit_ = reader.options_.max_video_row_bytes;
    }
  }
  if (reader.source_.failed()) {
    return UnavailableError("read failed");
  }
  return reader;
}

void Reader::SkipLeadingLines() {
  while (source_.Peek() >= 0) {
    // An over-long line is left for the reader to report, like any other
    // (the limit allows one more byte for a carriage return).
    const std::string_view line = source_.PeekLine(options_.max_line_bytes + 2);
    if (line.size() > options_.max_line_bytes + 1) return;
    if (!IsBlank(line) && !IsComment(line)) return;
    SkipRestOfLine();
  }
}

void Reader::SkipRestOfLine() {
  while (true) {
    const int c = source_.Get();
    if (c < 0) return;
    if (c == '\n') {
      ++line_number_;
      return;
    }
  }
}

Reader::ReadOutcome Reader::ReadLine() {
  line_.clear();
  row_line_ = line_number_;
  int c = source_.Get();
  if (c < 0) return ReadOutcome::kEnd;
  // One byte over the limit is allowed for a carriage return before '\n'.
  while (c >= 0 && c != '\n') {
    if (line_.size() == row_limit_ + 1) {
      SkipRestOfLine();
      return ReadOutcome::kTooLong;
    }
    line_ += static_cast<char>(c);
    c = source_.Get();
  }
  if (c == '\n') ++line_number_;
  if (!line_.empty() && line_.back() == '\r') line_.pop_back();
  if (line_.size() > row_limit_) return ReadOutcome::kTooLong;
  return ReadOutcome::kRow;
}

Reader::ReadOutcome Reader::ReadCsvRecord() {
  enum class State : std::uint8_t { kStartCell, kUnquoted, kQuoted, kClosed };
  cells_.clear();
  error_.clear();
  row_line_ = line_number_;
  int c = source_.Get();
  if (c < 0) return ReadOutcome::kEnd;
  State state = State::kStartCell;
  std::string cell;
  bool any_quoted = false;
  std::size_t bytes = 0;  // Of the record so far.
  bool crlf = false;      // A quoted last cell was followed by '\r'.
  const auto malformed = [&](std::string message) {
    error_ = std::move(message);
    SkipRestOfLine();
    return ReadOutcome::kMalformed;
  };
  while (true) {
    const bool record_ends = c < 0 || (c == '\n' && state != State::kQuoted);
    if (record_ends) {
      if (state == State::kQuoted) {
        error_ = "unterminated quoted cell";
        return ReadOutcome::kMalformed;
      }
      if (c == '\n') ++line_number_;
      if (state != State::kClosed && !cell.empty() && cell.back() == '\r') {
        cell.pop_back();
        crlf = true;
      }
      if (bytes - (crlf ? 1 : 0) > row_limit_) {
        return ReadOutcome::kTooLong;
      }
      cells_.push_back(std::move(cell));
      if (!any_quoted && cells_.size() == 1 && IsBlank(cells_.front())) {
        cells_.clear();  // A blank line.
      }
      return ReadOutcome::kRow;
    }
    if (++bytes > row_limit_ + 1) {
      if (c == '\n') {
        ++line_number_;
      } else {
        SkipRestOfLine();
      }
      return ReadOutcome::kTooLong;
    }
    const char ch = static_cast<char>(c);
    switch (state) {
      case State::kStartCell:
        if (ch == '"') {
          cell.clear();  // Spaces before an opening quote are not data.
          any_quoted = true;
          state = State::kQuoted;
        } else if (ch == ',') {
          cells_.push_back(std::move(cell));
          cell.clear();
        } else {
          cell += ch;
          if (ch != ' ') state = State::kUnquoted;
        }
        break;
      case State::kUnquoted:
        if (ch == ',') {
          cells_.push_back(std::move(cell));
          cell.clear();
          state = State::kStartCell;
        } else if (ch == '"') {
          return malformed("quote inside an unquoted cell (cell " +
                           std::to_string(cells_.size() + 1) + ")");
        } else {
          cell += ch;
        }
        break;
      case State::kQuoted:
        if (ch == '"') {
          state = State::kClosed;
        } else {
          if (ch == '\n') ++line_number_;
          cell += ch;
        }
        break;
      case State::kClosed:
        if (ch == '"') {
          cell += '"';  // A doubled quote.
          state = State::kQuoted;
        } else if (ch == ',') {
          cells_.push_back(std::move(cell));
          cell.clear();
          state = State::kStartCell;
        } else if (ch == '\r' &&
                   (source_.Peek() == '\n' || source_.Peek() < 0)) {
          crlf = true;  // The CRLF line break after a quoted last cell.
        } else if (ch != ' ') {
          return malformed("unexpected character after a closing quote (cell " +
                           std::to_string(cells_.size() + 1) + ")");
        }
        break;
    }
    c = source_.Get();
  }
}

Reader::ReadOutcome Reader::ReadCells() {
  if (format_ == Format::kCsv) return ReadCsvRecord();
  const ReadOutcome outcome = ReadLine();
  cells_.clear();
  if (outcome == ReadOutcome::kRow && !IsBlank(line_)) {
    for (std::string_view field : Split(line_, '\t')) {
      cells_.emplace_back(field);
    }
  }
  return outcome;
}

Status Reader::ReadHeader() {
  const ReadOutcome outcome = ReadCells();
  const std::string where = LinePrefix(row_line_);
  switch (outcome) {
    case ReadOutcome::kEnd:
      return InvalidArgumentError("the input is empty; expected a header row");
    case ReadOutcome::kTooLong:
      return ResourceExhaustedError(where + "header row is longer than " +
                                    std::to_string(options_.max_line_bytes) +
                                    " bytes");
    case ReadOutcome::kMalformed:
      return InvalidArgumentError(where + "header row: " + error_);
    case ReadOutcome::kRow:
      break;
  }
  struct Name {
    std::string_view name;
    int Columns::*slot;
  };
  static constexpr std::array<Name, 19> kNames = {{
      {"pdq", &Columns::pdq},
      {"md5", &Columns::md5},
      {"sha256", &Columns::sha256},
      {"vpdq", &Columns::vpdq},
      {"frames", &Columns::frames},
      {"kind", &Columns::kind},
      {"signal_type", &Columns::kind},
      {"value", &Columns::value},
      {"hash", &Columns::value},
      {"signal_value", &Columns::value},
      {"quality", &Columns::quality},
      {"mode", &Columns::mode},
      {"patches", &Columns::patches},
      {"category", &Columns::category},
      {"source_org", &Columns::source_org},
      {"external_id", &Columns::external_id},
      {"status", &Columns::status},
      {"revoke_reason", &Columns::revoke_reason},
      {"error", &Columns::error},
  }};
  columns_ = Columns();
  columns_.count = cells_.size();
  for (std::size_t i = 0; i < cells_.size(); ++i) {
    const std::string_view written = Trim(cells_[i]);
    const std::string name = ToLower(written);
    const auto* known =
        std::find_if(kNames.begin(), kNames.end(),
                     [&](const Name& entry) { return entry.name == name; });
    if (known == kNames.end()) {
      if (!written.empty()) ignored_columns_.emplace_back(written);
      continue;
    }
    int& slot = columns_.*(known->slot);
    if (slot >= 0) {
      return InvalidArgumentError(where + "column " + Excerpt(name) +
                                  " names the same thing as column " +
                                  std::to_string(slot + 1));
    }
    slot = static_cast<int>(i);
  }
  const bool per_kind = columns_.pdq >= 0 || columns_.md5 >= 0 ||
                        columns_.sha256 >= 0 || columns_.vpdq >= 0;
  if (!per_kind && columns_.value < 0 && columns_.frames < 0) {
    return InvalidArgumentError(where +
                                "the header names no signal column (pdq, md5, "
                                "sha256, vpdq, frames or value)");
  }
  if (per_kind && columns_.value >= 0) {
    return InvalidArgumentError(
        where +
        "the header mixes per-kind columns (pdq, md5, sha256, vpdq) with "
        "a value column");
  }
  if (columns_.vpdq >= 0 && columns_.frames < 0) {
    return InvalidArgumentError(
        where +
        "a vpdq column needs a frames column (a video's signal is "
        "its frames)");
  }
  if (columns_.kind >= 0 && columns_.value < 0) {
    return InvalidArgumentError(where + "a kind column needs a value column");
  }
  return OkStatus();
}

std::optional<Item> Reader::Next() {
  if (pending_.empty()) Advance();
  if (pending_.empty()) return std::nullopt;
  Item item = std::move(pending_.front());
  pending_.pop_front();
  if (std::holds_alternative<Record>(item)) ++records_read_;
  return item;
}

void Reader::Advance() {
  if (format_ == Format::kVpdq && !done_) {
    ParseVpdqInput();
    return;
  }
  while (pending_.empty() && !done_) {
    const ReadOutcome outcome =
        format_ == Format::kLines ? ReadLine() : ReadCells();
    if (source_.failed()) {
      status_ = UnavailableError(LinePrefix(row_line_) + "read failed");
      done_ = true;
      return;
    }
    switch (outcome) {
      case ReadOutcome::kEnd:
        done_ = true;
        return;
      case ReadOutcome::kTooLong:
        EmitError(row_line_, LinePrefix(row_line_) + "longer than " +
                                 std::to_string(row_limit_) +
                                 " bytes; skipped to the next line");
        break;
      case ReadOutcome::kMalformed:
        EmitError(row_line_, LinePrefix(row_line_) + error_);
        break;
      case ReadOutcome::kRow:
        if (format_ == Format::kLines) {
          ParseLinesRow();
        } else {
          ParseTableRow();
        }
        break;
    }
  }
}

void Reader::EmitError(std::int64_t line, const std::string& message) {
  pending_.emplace_back(LineError{line, message});
}

void Reader::Emit(std::vector<Record> records) {
  const auto count = static_cast<std::int64_t>(records.size());
  if (options_.max_records > 0 &&
      count > options_.max_records - records_read_) {
    status_ = ResourceExhaustedError(LinePrefix(row_line_) + "more than " +
                                     std::to_string(options_.max_records) +
                                     " records");
    done_ = true;
    return;
  }
  for (Record& record : records) pending_.emplace_back(std::move(record));
}

void Reader::ParseLinesRow() {
  if (IsBlank(line_) || IsComment(line_)) return;
  const std::string where = LinePrefix(row_line_);
  const std::vector<std::string_view> fields = Split(line_, '\t');
  if (fields.size() > 3) {
    EmitError(row_line_, where +
                             "expected at most 3 tab-separated fields (VALUE, "
                             "QUALITY, EXTERNAL_ID), got " +
                             std::to_string(fields.size()));
    return;
  }
  auto signal = ParseSignal(options_.kind, fields[0]);
  if (!signal) {
    EmitError(row_line_, where + signal.error().message());
    return;
  }
  store::EntryInput input{.signal = *signal,
                          .quality = std::nullopt,
                          .pdq_mode = std::nullopt,
                          .category = options_.category,
                          .source_org = options_.source_org,
                          .external_id = {},
                          .frames = {},
                          .patches = std::nullopt};
  if (fields.size() > 1) {
    auto quality = ParseQuality(fields[1]);
    if (!quality) {
      EmitError(row_line_, where + quality.error().message());
      return;
    }
    if (quality->has_value() && options_.kind != store::SignalKind::kPdq) {
      EmitError(row_line_,
                where + "a quality describes PDQ hashes only, not " +
                    std::string(store::SignalKindName(options_.kind)));
      return;
    }
    input.quality = *quality;
  }
  if (fields.size() > 2) {
    auto external_id = ParseFreeText("external_id", fields[2]);
    if (!external_id) {
      EmitError(row_line_, where + external_id.error().message());
      return;
    }
    input.external_id = *std::move(external_id);
  }
  std::vector<Record> records;
  records.push_back(Record{.line = row_line_,
                           .input = std::move(input),
                           .status = store::EntryStatus::kActive,
                           .revoke_reason = {}});
  Emit(std::move(records));
}

void Reader::ParseTableRow() {
  if (cells_.empty()) return;  // A blank line.
  const std::string where = LinePrefix(row_line_);
  if (cells_.size() > columns_.count) {
    EmitError(row_line_,
              where + "the row has " + std::to_string(cells_.size()) +
                  " cells, the header " + std::to_string(columns_.count));
    return;
  }
  const auto cell = [this](int index) -> std::string_view {
    if (index < 0 || static_cast<std::size_t>(index) >= cells_.size()) {
      return {};
    }
    return cells_[static_cast<std::size_t>(index)];
  };
  const auto fail = [&](const Status& status) {
    EmitError(row_line_, where + status.message());
  };
  if (const std::string_view error = Trim(cell(columns_.error));
      !error.empty()) {
    EmitError(row_line_,
              where + "the row reports an error: " + Excerpt(error, 100));
    return;
  }

  // The signals; a vPDQ one with its frames.
  std::vector<store::Signal> signals;
  Video video;
  bool has_pdq = false;
  const bool has_frames_column = columns_.frames >= 0;
  if (columns_.value >= 0) {
    auto kind = ParseKind(cell(columns_.kind), options_.kind);
    if (!kind) return fail(kind.error());
    if (*kind == store::SignalKind::kVpdq) {
      auto parsed = ParseVideo(cell(columns_.value), cell(columns_.frames),
                               has_frames_column);
      if (!parsed) return fail(parsed.error());
      video = *std::move(parsed);
      signals.push_back(video.signal);
    } else {
      if (!Trim(cell(columns_.frames)).empty()) {
        fail(InvalidArgumentError(
            "frames belong to a vpdq signal, and the row's is " +
            std::string(store::SignalKindName(*kind))));
        return;
      }
      auto signal = ParseSignal(*kind, cell(columns_.value));
      if (!signal) return fail(signal.error());
      signals.push_back(*signal);
    }
    has_pdq = *kind == store::SignalKind::kPdq;
  } else {
    const std::array<std::pair<int, store::SignalKind>, 3> kinds = {{
        {columns_.pdq, store::SignalKind::kPdq},
        {columns_.md5, store::SignalKind::kMd5},
        {columns_.sha256, store::SignalKind::kSha256},
    }};
    for (const auto& [column, kind] : kinds) {
      if (Trim(cell(column)).empty()) continue;
      auto signal = ParseSignal(kind, cell(column));
      if (!signal) return fail(signal.error());
      signals.push_back(*signal);
      if (kind == store::SignalKind::kPdq) has_pdq = true;
    }
    if (!Trim(cell(columns_.vpdq)).empty() ||
        !Trim(cell(columns_.frames)).empty()) {
      auto parsed = ParseVideo(cell(columns_.vpdq), cell(columns_.frames),
                               has_frames_column);
      if (!parsed) return fail(parsed.error());
      video = *std::move(parsed);
      signals.push_back(video.signal);
    }
    if (signals.empty()) {
      fail(InvalidArgumentError("no signal: the signal cells are empty"));
      return;
    }
  }

  // What describes the PDQ signal.
  auto quality = ParseQuality(cell(columns_.quality));
  if (!quality) return fail(quality.error());
  auto mode = ParseMode(cell(columns_.mode));
  if (!mode) return fail(mode.error());
  if (!has_pdq && (quality->has_value() || mode->has_value())) {
    fail(InvalidArgumentError(
        "a quality or mode describes a PDQ hash, and the row has none"));
    return;
  }
  auto patches = ParsePatchesCell(cell(columns_.patches));
  if (!patches) return fail(patches.error());
  if (!has_pdq && patches->has_value()) {
    fail(InvalidArgumentError(
        "patches: a patch signature belongs to a PDQ hash, and the row has "
        "none"));
    return;
  }

  // What the row's records share.
  auto category = ParseCategoryCell(cell(columns_.category), options_.category);
  if (!category) return fail(category.error());
  auto status = ParseStatusCell(cell(columns_.status));
  if (!status) return fail(status.error());
  auto source_org = ParseFreeText("source_org", cell(columns_.source_org));
  if (!source_org) return fail(source_org.error());
  if (source_org->empty()) *source_org = options_.source_org;
  auto external_id = ParseFreeText("external_id", cell(columns_.external_id));
  if (!external_id) return fail(external_id.error());
  auto revoke_reason =
      ParseFreeText("revoke_reason", cell(columns_.revoke_reason));
  if (!revoke_reason) return fail(revoke_reason.error());

  std::vector<Record> records;
  for (const store::Signal& signal : signals) {
    const bool pdq = signal.kind() == store::SignalKind::kPdq;
    const bool vpdq = signal.kind() == store::SignalKind::kVpdq;
    records.push_back(Record{
        .line = row_line_,
        .input = {.signal = signal,
                  .quality = pdq ? *quality : std::nullopt,
                  .pdq_mode = pdq ? *mode : std::nullopt,
                  .category = *category,
                  .source_org = *source_org,
                  .external_id = *external_id,
                  .frames = vpdq ? std::move(video.frames)
                                 : std::vector<hash::VpdqFrame>(),
                  // A row has at most one PDQ signal: moved once.
                  .patches = pdq ? std::move(*patches) : std::nullopt},
        .status = *status,
        .revoke_reason = *revoke_reason,
    });
  }
  Emit(std::move(records));
}

void Reader::ParseVpdqInput() {
  std::vector<hash::VpdqFrame> frames;
  std::int64_t first_line = 0;
  std::optional<LineError> error;  // The first bad line's.
  const auto fail = [&](const std::string& why) {
    error = LineError{row_line_,
                      LinePrefix(row_line_) + why + "; the video is not read"};
  };
  while (true) {
    const ReadOutcome outcome = ReadLine();
    if (source_.failed()) {
      status_ = UnavailableError(LinePrefix(row_line_) + "read failed");
      done_ = true;
      return;
    }
    if (outcome == ReadOutcome::kEnd) break;
    if (error) continue;  // Read to the end, ignored.
    if (outcome == ReadOutcome::kTooLong) {
      fail("longer than " + std::to_string(row_limit_) + " bytes");
      continue;
    }
    if (IsBlank(line_) || IsComment(line_)) continue;
    auto frame = ParseFrame(line_);
    if (!frame) {
      fail(frame.error().message());
      continue;
    }
    if (const Status next = CheckNextFrame(frames, *frame); !next.ok()) {
      fail(next.message());
      continue;
    }
    if (frames.empty()) first_line = row_line_;
    frames.push_back(*frame);
  }
  done_ = true;
  if (error) {
    pending_.emplace_back(*std::move(error));
    return;
  }
  if (frames.empty()) {
    EmitError(row_line_, LinePrefix(row_line_) + "a vpdq file without frames");
    return;
  }
  row_line_ = first_line;
  std::vector<Record> records;
  records.push_back(Record{
      .line = first_line,
      .input = {.signal = store::Signal::Vpdq(frames),
                .quality = std::nullopt,
                .pdq_mode = std::nullopt,
                .category = options_.category,
                .source_org = options_.source_org,
                .external_id = {},
                .frames = std::move(frames),
                .patches = std::nullopt},
      .status = store::EntryStatus::kActive,
      .revoke_reason = {},
  });
  Emit(std::move(records));
}

}  // namespace rempart::interchange
