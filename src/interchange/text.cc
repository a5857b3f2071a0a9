#include "interchange/text.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace rempart::interchange {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

// Length of the well-formed UTF-8 sequence starting at text[index], or 0.
std::size_t Utf8SequenceLength(std::string_view text, std::size_t index) {
  const auto byte = [&](std::size_t i) {
    return static_cast<std::uint8_t>(text[i]);
  };
  const std::uint8_t lead = byte(index);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  std::uint8_t low = 0x80;  // Range of the second byte (RFC 3629 table).
  std::uint8_t high = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead == 0xe0) low = 0xa0;   // No overlong forms.
    if (lead == 0xed) high = 0x9f;  // No surrogates.
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead == 0xf0) low = 0x90;   // No overlong forms.
    if (lead == 0xf4) high = 0x8f;  // Nothing above U+10FFFF.
  } else {
    return 0;
  }
  if (text.size() - index < length) return 0;
  if (byte(index + 1) < low || byte(index + 1) > high) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if ((byte(index + i) & 0xc0) != 0x80) return 0;
  }
  return length;
}

}  // namespace

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

bool IsBlank(std::string_view text) {
  for (char c : text) {
    if (!IsSpace(c) && c != '\r') return false;
  }
  return true;
}

bool IsComment(std::string_view text) {
  const std::string_view trimmed = Trim(text);
  return !trimmed.empty() && trimmed.front() == '#';
}

std::string ToLower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

bool IsAllHex(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    const bool digit = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                       (c >= 'A' && c <= 'F');
    if (!digit) return false;
  }
  return true;
}

std::string FreeTextProblem(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<std::uint8_t>(text[i]);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
      return "control character at byte " + std::to_string(i + 1);
    }
    if (c == 0x7f) return "control character at byte " + std::to_string(i + 1);
    const std::size_t length = Utf8SequenceLength(text, i);
    if (length == 0) {
      return "invalid UTF-8 at byte " + std::to_string(i + 1);
    }
    i += length;
  }
  return {};
}

std::string Excerpt(std::string_view text, std::size_t max_bytes) {
  constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "'";
  std::size_t i = 0;
  while (i < text.size() && i < max_bytes) {
    const auto c = static_cast<std::uint8_t>(text[i]);
    const std::size_t length = Utf8SequenceLength(text, i);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
      ++i;
    } else if (length > 1) {
      if (i + length > max_bytes) break;
      out.append(text.substr(i, length));
      i += length;
    } else {
      out += "\\x";
      out += kDigits[c >> 4];
      out += kDigits[c & 0x0f];
      ++i;
    }
  }
  if (i < text.size()) out += "...";
  out += "'";
  return out;
}

}  // namespace rempart::interchange
