#include "rempart/interchange/format.h"

#include <array>
#include <string>

#include "interchange/frames.h"
#include "interchange/text.h"

namespace rempart::interchange {
namespace {

constexpr std::array<std::string_view, 4> kFormatNames = {"lines", "tsv", "csv",
                                                          "vpdq"};

// Header names that make a one-column list a table.
constexpr std::array<std::string_view, 8> kSignalColumnNames = {
    "pdq", "md5", "sha256", "vpdq", "frames", "value", "hash", "signal_value"};

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

std::string_view FormatName(Format format) {
  return kFormatNames.at(static_cast<std::size_t>(format));
}

Result<Format> ParseFormat(std::string_view name) {
  for (std::size_t i = 0; i < kFormatNames.size(); ++i) {
    if (kFormatNames[i] == name) return static_cast<Format>(i);
  }
  return InvalidArgumentError("unknown list format " + Excerpt(name) +
                              " (expected lines, tsv, csv or vpdq)");
}

std::optional<Format> FormatFromFileName(std::string_view file_name) {
  const std::string lower = ToLower(file_name);
  if (EndsWith(lower, ".csv")) return Format::kCsv;
  if (EndsWith(lower, ".tsv")) return Format::kTsv;
  if (EndsWith(lower, ".vpdq")) return Format::kVpdq;
  return std::nullopt;
}

Format SniffFormat(std::string_view text) {
  // The UTF-8 byte order mark some spreadsheets write.
  if (text.starts_with("\xef\xbb\xbf")) text.remove_prefix(3);
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view()
                                         : text.substr(end + 1);
    if (IsBlank(line) || IsComment(line)) continue;
    if (line.ends_with('\r')) line.remove_suffix(1);
    // Before the comma rule, which would take it for a `lines` value.
    if (LooksLikeFrameLine(line)) return Format::kVpdq;
    if (const std::size_t tab = line.find('\t');
        tab != std::string_view::npos) {
      return IsAllHex(Trim(line.substr(0, tab))) ? Format::kLines
                                                 : Format::kTsv;
    }
    if (const std::size_t comma = line.find(',');
        comma != std::string_view::npos) {
      return IsAllHex(Trim(line.substr(0, comma))) ? Format::kLines
                                                   : Format::kCsv;
    }
    const std::string name = ToLower(Trim(line));
    for (std::string_view column : kSignalColumnNames) {
      if (name == column) return Format::kTsv;
    }
    return Format::kLines;
  }
  return Format::kLines;
}

}  // namespace rempart::interchange
