#include "rempart/core/hex.h"

#include <string>

namespace rempart {
namespace {

constexpr char kDigits[] = "0123456789abcdef";

int DigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string HexEncode(std::span<const std::uint8_t> bytes) {
  std::string out(bytes.size() * 2, '0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0x0f];
  }
  return out;
}

Result<std::vector<std::uint8_t>> HexDecode(std::string_view text,
                                            std::size_t expected_bytes) {
  if (text.size() != expected_bytes * 2) {
    return InvalidArgumentError(
        "expected " + std::to_string(expected_bytes * 2) + " hex digits, got " +
        std::to_string(text.size()) + " characters");
  }
  std::vector<std::uint8_t> out(expected_bytes);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const int value = DigitValue(text[i]);
    if (value < 0) {
      return InvalidArgumentError("character " + std::to_string(i + 1) +
                                  " is not a hex digit");
    }
    out[i / 2] = static_cast<std::uint8_t>((out[i / 2] << 4) | value);
  }
  return out;
}

}  // namespace rempart
