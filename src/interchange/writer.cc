#include "rempart/interchange/writer.h"

#include <array>
#include <cstdio>
#include <ios>
#include <string>
#include <string_view>
#include <vector>

#include "interchange/frames.h"
#include "rempart/hash/patches.h"

namespace rempart::interchange {
namespace {

// Like frames, patches is always a column, so that every export of a bank
// has the same header whatever its entries hold.
constexpr std::array<std::string_view, 13> kExportColumns = {
    "kind",       "value",       "quality",   "mode",          "category",
    "source_org", "external_id", "status",    "revoke_reason", "frames",
    "patches",    "created_at",  "updated_at"};

bool HasLineBreakOrTab(std::string_view text) {
  return text.find_first_of("\t\n\r") != std::string_view::npos;
}

// RFC 4180: quote a cell holding a separator, quote or line break; also one
// with surrounding spaces, which other readers may trim.
std::string CsvCell(std::string_view text) {
  const bool needs_quotes =
      text.find_first_of(",\"\r\n") != std::string_view::npos ||
      (!text.empty() && (text.front() == ' ' || text.front() == '\t' ||
                         text.back() == ' ' || text.back() == '\t'));
  if (!needs_quotes) return std::string(text);
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

std::string JoinRow(const std::vector<std::string>& cells, char separator) {
  std::string row;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) row += separator;
    row += cells[i];
  }
  row += '\n';
  return row;
}

}  // namespace

std::string FormatTimestamp(std::int64_t unix_ms) {
  // Days since the epoch to a civil date: H. Hinnant's days_from_civil
  // inverse, exact over the whole proleptic Gregorian calendar.
  constexpr std::int64_t kMsPerDay = 86'400'000;
  std::int64_t days = unix_ms / kMsPerDay;
  std::int64_t ms_of_day = unix_ms % kMsPerDay;
  if (ms_of_day < 0) {
    ms_of_day += kMsPerDay;
    --days;
  }
  days += 719'468;  // Shift the epoch to 0000-03-01.
  const std::int64_t era = (days >= 0 ? days : days - 146'096) / 146'097;
  const std::int64_t day_of_era = days - era * 146'097;
  const std::int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36'524 -
       day_of_era / 146'096) /
      365;
  const std::int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const std::int64_t month_index = (5 * day_of_year + 2) / 153;
  const std::int64_t day = day_of_year - (153 * month_index + 2) / 5 + 1;
  const std::int64_t month =
      month_index < 10 ? month_index + 3 : month_index - 9;
  const std::int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);

  std::array<char, 64> text{};
  std::snprintf(text.data(), text.size(),
                "%s%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03lldZ",
                year < 0 ? "-" : "",
                static_cast<long long>(year < 0 ? -year : year),
                static_cast<long long>(month), static_cast<long long>(day),
                static_cast<long long>(ms_of_day / 3'600'000),
                static_cast<long long>(ms_of_day / 60'000 % 60),
                static_cast<long long>(ms_of_day / 1000 % 60),
                static_cast<long long>(ms_of_day % 1000));
  return text.data();
}

Status Writer::Put(const std::string& text) {
  try {
    out_->write(text.data(), static_cast<std::streamsize>(text.size()));
  } catch (const std::ios_base::failure&) {
    return UnavailableError("write failed");
  }
  if (!*out_) return UnavailableError("write failed");
  return OkStatus();
}

Status Writer::WriteHeader() {
  if (format_ == Format::kLines || format_ == Format::kVpdq) {
    return OkStatus();
  }
  const char separator = format_ == Format::kCsv ? ',' : '\t';
  std::string row;
  for (std::string_view column : kExportColumns) {
    if (!row.empty()) row += separator;
    row += column;
  }
  row += '\n';
  return Put(row);
}

Status Writer::Write(const store::Entry& entry) {
  const store::EntryInput& input = entry.input;
  const bool pdq = input.signal.kind() == store::SignalKind::kPdq;
  const bool vpdq = input.signal.kind() == store::SignalKind::kVpdq;
  const std::string quality =
      pdq && input.quality ? std::to_string(*input.quality) : std::string();
  const std::string where = "entry " + std::to_string(entry.id) + ": ";

  // What no format can write: frames without a video, a video without them.
  if (!vpdq && !input.frames.empty()) {
    return InvalidArgumentError(
        where + "frames belong to a vpdq signal, and this one is " +
        std::string(store::SignalKindName(input.signal.kind())));
  }
  if (vpdq && input.frames.empty()) {
    return InvalidArgumentError(where + "a vpdq signal without frames");
  }
  if (!pdq && input.patches.has_value()) {
    return InvalidArgumentError(
        where + "a patch signature belongs to a PDQ hash, and this signal is " +
        std::string(store::SignalKindName(input.signal.kind())));
  }
  // The reader refuses such a cell (the store never holds one).
  if (input.patches.has_value() && input.patches->empty()) {
    return InvalidArgumentError(where +
                                "a patch signature without patches or crops");
  }

  if (format_ == Format::kVpdq) {
    if (!vpdq) {
      return InvalidArgumentError(
          where + "a vpdq file holds a video's frames; this entry is " +
          std::string(store::SignalKindName(input.signal.kind())));
    }
    if (wrote_video_) {
      return InvalidArgumentError(where +
                                  "a vpdq file holds one video, and one "
                                  "was written already");
    }
    REMPART_RETURN_IF_ERROR(Put(hash::FormatVpdq(input.frames)));
    wrote_video_ = true;
    return OkStatus();
  }

  if (format_ == Format::kLines) {
    if (vpdq) {
      return InvalidArgumentError(
          where +
          "a lines file cannot hold a vpdq signal (a video's frames); "
          "export as csv, tsv or vpdq");
    }
    if (lines_kind_ && *lines_kind_ != input.signal.kind()) {
      return InvalidArgumentError(
          "entry " + std::to_string(entry.id) +
          ": a lines file holds one "
          "signal kind; this one is " +
          std::string(store::SignalKindName(input.signal.kind())) +
          ", the first was " +
          std::string(store::SignalKindName(*lines_kind_)));
    }
    if (HasLineBreakOrTab(input.external_id)) {
      return InvalidArgumentError(
          "entry " + std::to_string(entry.id) +
          ": external_id holds a tab or line break, which lines cannot "
          "represent");
    }
    // Mode, category, source, status and a patch signature have no place
    // here: `lines` is lossy by design, and drops them without a word.
    std::string row = input.signal.hex();
    if (!quality.empty() || !input.external_id.empty()) row += "\t" + quality;
    if (!input.external_id.empty()) row += "\t" + input.external_id;
    row += '\n';
    REMPART_RETURN_IF_ERROR(Put(row));
    lines_kind_ = input.signal.kind();
    return OkStatus();
  }

  std::vector<std::string> cells = {
      std::string(store::SignalKindName(input.signal.kind())),
      input.signal.hex(),
      quality,
      pdq && input.pdq_mode ? std::string(hash::PdqModeName(*input.pdq_mode))
                            : std::string(),
      std::string(store::CategoryName(input.category)),
      input.source_org,
      input.external_id,
      std::string(store::EntryStatusName(entry.status)),
      entry.revoke_reason,
      vpdq ? FormatFramesCell(input.frames) : std::string(),
      input.patches ? hash::FormatPatches(*input.patches) : std::string(),
      FormatTimestamp(entry.created_at_ms),
      FormatTimestamp(entry.updated_at_ms),
  };
  if (vpdq && !(store::Signal::Vpdq(input.frames) == input.signal)) {
    return InvalidArgumentError(
        where + "the vpdq value is not the name of the entry's frames");
  }
  if (format_ == Format::kTsv) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (HasLineBreakOrTab(cells[i])) {
        return InvalidArgumentError(
            "entry " + std::to_string(entry.id) + ": " +
            std::string(kExportColumns.at(i)) +
            " holds a tab or line break, which tsv cannot represent; "
            "export as csv");
      }
    }
    return Put(JoinRow(cells, '\t'));
  }
  for (std::string& cell : cells) cell = CsvCell(cell);
  return Put(JoinRow(cells, ','));
}

}  // namespace rempart::interchange
