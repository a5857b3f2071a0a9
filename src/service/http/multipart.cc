// multipart/form-data (RFC 7578) in the MIME multipart syntax of RFC 2046
// §5.1.1, read strictly:
//
//   body       = [preamble CRLF] "--" boundary padding CRLF part
//                *( CRLF "--" boundary padding CRLF part )
//                CRLF "--" boundary "--" padding [CRLF epilogue]
//   part       = 1*( header-line CRLF ) CRLF data
//   padding    = *( SP / HTAB )
//
// The delimiter "CRLF--boundary" may not occur inside a part (§5.1.1), so
// every occurrence ends one; one followed by anything but padding and CRLF
// or "--" is an error, not data. Each search for the next delimiter starts
// where the last one ended, with Boyer-Moore-Horspool: the body is scanned
// once, at worst 74 comparisons a byte (the longest delimiter), and usually
// far fewer. Header blocks are searched only within their 8 KiB.
//
// Part headers (RFC 7578 §4.2, §4.4): Content-Disposition must say
// form-data and give a name; filename is optional; Content-Type is kept as
// given. Header lines are RFC 7230 fields without obsolete line folding.
// Other headers are ignored, except a Content-Transfer-Encoding that would
// change the bytes (§4.7: deprecated; only 7bit, 8bit and binary pass).
#include "rempart/service/multipart.h"

#include <algorithm>
#include <functional>
#include <optional>
#include <string>

namespace rempart::service {

namespace {

constexpr std::size_t kMaxBoundaryBytes = 70;  // RFC 2046 §5.1.1.
// A part's header lines and the blank line after them.
constexpr std::size_t kMaxPartHeaderBytes = std::size_t{8} * 1024;

char Lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(),
                    [](char x, char y) { return Lower(x) == Lower(y); });
}

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

// RFC 7230 §3.2.6 tchar.
bool IsTokenChar(char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
      (c >= 'A' && c <= 'Z')) {
    return true;
  }
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// RFC 2046 §5.1.1 bcharsnospace, plus space (not as the last character).
bool IsBoundaryChar(char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
      (c >= 'A' && c <= 'Z')) {
    return true;
  }
  return std::string_view("'()+_,-./:=? ").find(c) != std::string_view::npos;
}

bool IsValidBoundary(std::string_view boundary) {
  return !boundary.empty() && boundary.size() <= kMaxBoundaryBytes &&
         boundary.back() != ' ' &&
         std::all_of(boundary.begin(), boundary.end(), IsBoundaryChar);
}

// Field-value bytes (RFC 7230 §3.2): visible ASCII, space, tab and
// obs-text (UTF-8 filenames arrive raw).
bool IsFieldValueChar(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return c == '\t' || (byte >= 0x20 && byte != 0x7f);
}

// One parameter of a header value: name=token or name="quoted string".
struct Parameter {
  std::string_view name;
  std::string_view value;  // For a quoted string, between the quotes.
  bool quoted = false;
  bool escaped = false;  // The quoted string holds quoted-pairs.
};

// Reads "; name=value" parameters (RFC 7231 §3.1.1.1) one at a time.
class ParameterReader {
 public:
  explicit ParameterReader(std::string_view text) : text_(text) {}

  // The next parameter; nullopt at the end or on a syntax error (then
  // failed() is true).
  std::optional<Parameter> Next() {
    SkipSpaces();
    if (position_ == text_.size()) return std::nullopt;
    if (text_[position_] != ';') return Fail();
    ++position_;
    SkipSpaces();
    const std::size_t name_start = position_;
    while (position_ < text_.size() && IsTokenChar(text_[position_])) {
      ++position_;
    }
    Parameter parameter;
    parameter.name = text_.substr(name_start, position_ - name_start);
    if (parameter.name.empty() || position_ == text_.size() ||
        text_[position_] != '=') {
      return Fail();
    }
    ++position_;
    if (position_ < text_.size() && text_[position_] == '"') {
      parameter.quoted = true;
      const std::size_t value_start = ++position_;
      for (;;) {
        if (position_ == text_.size()) return Fail();  // Unterminated.
        const char c = text_[position_];
        if (c == '"') break;
        if (c == '\\') {
          parameter.escaped = true;
          ++position_;
          if (position_ == text_.size()) return Fail();
        }
        ++position_;
      }
      parameter.value = text_.substr(value_start, position_ - value_start);
      ++position_;  // The closing quote.
    } else {
      const std::size_t value_start = position_;
      while (position_ < text_.size() && IsTokenChar(text_[position_])) {
        ++position_;
      }
      parameter.value = text_.substr(value_start, position_ - value_start);
      if (parameter.value.empty()) return Fail();
    }
    return parameter;
  }

  [[nodiscard]] bool failed() const { return failed_; }

 private:
  void SkipSpaces() {
    while (position_ < text_.size() && IsSpace(text_[position_])) ++position_;
  }
  std::optional<Parameter> Fail() {
    failed_ = true;
    return std::nullopt;
  }

  std::string_view text_;
  std::size_t position_ = 0;
  bool failed_ = false;
};

// The value of `parameter` with quoted-pairs undone.
std::string Unescape(const Parameter& parameter) {
  if (!parameter.escaped) return std::string(parameter.value);
  std::string value;
  value.reserve(parameter.value.size());
  for (std::size_t i = 0; i < parameter.value.size(); ++i) {
    if (parameter.value[i] == '\\') ++i;  // Never last: checked by Next().
    value.push_back(parameter.value[i]);
  }
  return value;
}

// Fills name and filename of `part` from a Content-Disposition value.
Status ReadContentDisposition(std::string_view value, MultipartPart& part) {
  const std::size_t type_end = value.find(';');
  if (!EqualsNoCase(Trim(value.substr(0, type_end)), "form-data")) {
    return InvalidArgumentError("Content-Disposition is not form-data");
  }
  ParameterReader reader(type_end == std::string_view::npos
                             ? std::string_view()
                             : value.substr(type_end));
  bool has_name = false;
  bool has_filename = false;
  while (const std::optional<Parameter> parameter = reader.Next()) {
    if (EqualsNoCase(parameter->name, "name")) {
      if (has_name) return InvalidArgumentError("two names in a part");
      has_name = true;
      part.name = Unescape(*parameter);
    } else if (EqualsNoCase(parameter->name, "filename")) {
      if (has_filename) return InvalidArgumentError("two filenames in a part");
      has_filename = true;
      part.filename = Unescape(*parameter);
    }
  }
  if (reader.failed()) {
    return InvalidArgumentError("malformed Content-Disposition parameters");
  }
  if (!has_name) return InvalidArgumentError("a part without a name");
  return OkStatus();
}

// One part: its header block, then the data, up to (not including) the
// CRLF of the next delimiter.
Result<MultipartPart> ReadPart(std::string_view text) {
  if (text.substr(0, 2) == "\r\n") {
    return InvalidArgumentError("a part without headers");
  }
  const std::size_t blank_line =
      text.substr(0, kMaxPartHeaderBytes).find("\r\n\r\n");
  if (blank_line == std::string_view::npos) {
    return InvalidArgumentError(
        text.size() >= kMaxPartHeaderBytes
            ? "part headers longer than 8 KiB"
            : "part headers not ended by an empty line");
  }
  MultipartPart part;
  part.data = text.substr(blank_line + 4);
  bool has_disposition = false;
  bool has_type = false;
  std::string_view headers = text.substr(0, blank_line + 2);
  while (!headers.empty()) {
    const std::size_t line_end = headers.find("\r\n");  // Always found.
    const std::string_view line = headers.substr(0, line_end);
    headers.remove_prefix(line_end + 2);
    if (!std::all_of(line.begin(), line.end(), IsFieldValueChar)) {
      return InvalidArgumentError("a control character in part headers");
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0 ||
        !std::all_of(line.begin(), line.begin() + colon, IsTokenChar)) {
      // Also catches obsolete folding: a line starting with a space.
      return InvalidArgumentError("a malformed part header line");
    }
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = Trim(line.substr(colon + 1));
    if (EqualsNoCase(name, "Content-Disposition")) {
      if (has_disposition) {
        return InvalidArgumentError("two Content-Disposition headers");
      }
      has_disposition = true;
      REMPART_RETURN_IF_ERROR(ReadContentDisposition(value, part));
    } else if (EqualsNoCase(name, "Content-Type")) {
      if (has_type) return InvalidArgumentError("two Content-Type headers");
      has_type = true;
      part.content_type = value;
    } else if (EqualsNoCase(name, "Content-Transfer-Encoding")) {
      if (!EqualsNoCase(value, "binary") && !EqualsNoCase(value, "8bit") &&
          !EqualsNoCase(value, "7bit")) {
        return InvalidArgumentError("unsupported Content-Transfer-Encoding");
      }
    }
  }
  if (!has_disposition) {
    return InvalidArgumentError("a part without Content-Disposition");
  }
  return part;
}

std::size_t SkipPadding(std::string_view body, std::size_t position) {
  while (position < body.size() && IsSpace(body[position])) ++position;
  return position;
}

}  // namespace

Result<std::string_view> MultipartBoundary(std::string_view content_type) {
  const std::size_t type_end = content_type.find(';');
  if (!EqualsNoCase(Trim(content_type.substr(0, type_end)),
                    "multipart/form-data")) {
    return InvalidArgumentError("Content-Type is not multipart/form-data");
  }
  ParameterReader reader(type_end == std::string_view::npos
                             ? std::string_view()
                             : content_type.substr(type_end));
  std::optional<std::string_view> boundary;
  while (const std::optional<Parameter> parameter = reader.Next()) {
    if (!EqualsNoCase(parameter->name, "boundary")) continue;
    // No boundary character needs escaping, so a quoted-pair means the
    // value is not a boundary.
    if (boundary || parameter->escaped) {
      return InvalidArgumentError("malformed multipart boundary parameter");
    }
    boundary = parameter->value;
  }
  if (reader.failed()) {
    return InvalidArgumentError("malformed Content-Type parameters");
  }
  if (!boundary) return InvalidArgumentError("no multipart boundary");
  if (!IsValidBoundary(*boundary)) {
    return InvalidArgumentError(
        "multipart boundary must be 1 to 70 characters of RFC 2046 §5.1.1");
  }
  return *boundary;
}

Result<std::vector<MultipartPart>> ParseMultipart(std::string_view body,
                                                  std::string_view boundary,
                                                  std::size_t max_parts) {
  if (!IsValidBoundary(boundary)) {
    return InvalidArgumentError("invalid multipart boundary");
  }
  const std::string delimiter = "\r\n--" + std::string(boundary);
  const std::string_view dash_boundary = std::string_view(delimiter).substr(2);
  const std::boyer_moore_horspool_searcher searcher(delimiter.begin(),
                                                    delimiter.end());
  const auto find_delimiter = [&](std::size_t from) {
    const auto found = std::search(body.begin() + static_cast<long>(from),
                                   body.end(), searcher);
    return found == body.end() ? std::string_view::npos
                               : static_cast<std::size_t>(found - body.begin());
  };

  // The first delimiter may open the body, without the CRLF.
  std::size_t position = 0;
  if (body.substr(0, dash_boundary.size()) == dash_boundary) {
    position = dash_boundary.size();
  } else {
    position = find_delimiter(0);
    if (position == std::string_view::npos) {
      return InvalidArgumentError("no multipart boundary delimiter in body");
    }
    position += delimiter.size();
  }

  std::vector<MultipartPart> parts;
  for (;;) {
    // Just past a delimiter: "--" closes; otherwise padding and CRLF.
    if (body.substr(position, 2) == "--") {
      position = SkipPadding(body, position + 2);
      if (position != body.size() && body.substr(position, 2) != "\r\n") {
        return InvalidArgumentError("text after the closing delimiter");
      }
      break;
    }
    position = SkipPadding(body, position);
    if (body.substr(position, 2) != "\r\n") {
      return InvalidArgumentError(
          "multipart boundary delimiter not followed by CRLF");
    }
    position += 2;
    const std::size_t part_end = find_delimiter(position);
    if (part_end == std::string_view::npos) {
      return InvalidArgumentError("no closing multipart delimiter");
    }
    if (parts.size() == max_parts) {
      return InvalidArgumentError("more than " + std::to_string(max_parts) +
                                  " multipart parts");
    }
    Result<MultipartPart> part =
        ReadPart(body.substr(position, part_end - position));
    if (!part) {
      return part.error().WithContext("multipart part " +
                                      std::to_string(parts.size() + 1));
    }
    parts.push_back(std::move(*part));
    position = part_end + delimiter.size();
  }
  if (parts.empty()) return InvalidArgumentError("no multipart parts");
  return parts;
}

}  // namespace rempart::service
