// Small text helpers shared by the interchange reader and writer.
// Thread-safe (pure functions).
#ifndef REMPART_INTERCHANGE_TEXT_H_
#define REMPART_INTERCHANGE_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace rempart::interchange {

// Without leading and trailing spaces and tabs.
std::string_view Trim(std::string_view text);

// Nothing but spaces, tabs and carriage returns.
bool IsBlank(std::string_view text);

// First non-space, non-tab character is '#'.
bool IsComment(std::string_view text);

// ASCII lower case.
std::string ToLower(std::string_view text);

// Non-empty and every character a hex digit.
bool IsAllHex(std::string_view text);

// Empty when `text` is well-formed UTF-8 (no overlong forms, surrogates or
// code points above U+10FFFF) holding no control character other than tab,
// line feed and carriage return; otherwise why not.
std::string FreeTextProblem(std::string_view text);

// `text` for an error message: single-quoted, at most `max_bytes` bytes of
// it (cut on a character boundary, then "..."), bytes outside printable
// ASCII and UTF-8 shown as \xNN.
std::string Excerpt(std::string_view text, std::size_t max_bytes = 40);

}  // namespace rempart::interchange

#endif  // REMPART_INTERCHANGE_TEXT_H_
