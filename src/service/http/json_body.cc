// JSON request bodies under limits.
//
// Depth is checked first, by one pass that counts brackets outside
// strings: nlohmann's parser is iterative, but a document a hundred
// thousand levels deep still costs a stack of states and a tree that
// handlers would walk recursively, so it is refused before parsing. The
// pass is exact for valid JSON; for invalid JSON it may report depth where
// the parser would have reported a syntax error, which is refused either
// way.
//
// UTF-8: nlohmann's lexer refuses ill-formed UTF-8 inside strings (RFC
// 3629: overlongs, surrogates, code points past U+10FFFF) and unpaired
// \u surrogate escapes; outside strings every non-ASCII byte is a syntax
// error. So a parsed document always dumps without throwing.
//
// Errors give the byte offset (0-based) and the parser's reason, without
// the "last read" text, which could be a megabyte of client input.
#include "rempart/service/json_body.h"

#include <exception>
#include <new>
#include <string>

namespace rempart::service {

namespace {

// nlohmann's what(): "[json.exception.parse_error.101] parse error at line
// 1, column 2: syntax error while parsing value - invalid literal; last
// read: 'x'". Returns the part after the position, up to "; last read".
std::string ParseErrorReason(std::string_view what) {
  const std::size_t column = what.find("column ");
  std::size_t start =
      what.find(": ", column == std::string_view::npos ? 0 : column);
  start = start == std::string_view::npos ? 0 : start + 2;
  std::string_view reason = what.substr(start);
  reason = reason.substr(0, reason.find("; last read"));
  return std::string(reason.substr(0, 200));
}

}  // namespace

Result<nlohmann::json> ParseJsonBody(std::string_view text,
                                     const JsonLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return ResourceExhaustedError("JSON body of " +
                                  std::to_string(text.size()) +
                                  " bytes is over the limit of " +
                                  std::to_string(limits.max_bytes) + " bytes");
  }
  std::size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limits.max_depth) {
        return InvalidArgumentError(
            "JSON nested deeper than " + std::to_string(limits.max_depth) +
            " levels (at byte " + std::to_string(i) + ")");
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte counts from 1 and points at the last byte read.
    const std::size_t offset = e.byte > 0 ? e.byte - 1 : 0;
    return InvalidArgumentError("invalid JSON at byte " +
                                std::to_string(offset) + ": " +
                                ParseErrorReason(e.what()));
  } catch (const nlohmann::json::out_of_range&) {
    // A number past double's range ("1e999"); the message would quote it.
    return InvalidArgumentError("invalid JSON: a number out of range");
  } catch (const std::bad_alloc&) {
    return ResourceExhaustedError("out of memory parsing JSON");
  } catch (const std::exception& e) {
    return InvalidArgumentError(
        "invalid JSON: " +
        std::string(std::string_view(e.what()).substr(0, 200)));
  }
}

}  // namespace rempart::service
