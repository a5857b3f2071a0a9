// Hexadecimal text for byte strings and fixed-width hashes.
//
// Encoding is always lowercase. Decoding accepts upper and lower case, no
// prefix, no separators and no whitespace: signals arrive from partners and
// victims' browsers, so anything else is rejected with a message that says
// where the text went wrong. Thread-safe (pure functions).
#ifndef REMPART_CORE_HEX_H_
#define REMPART_CORE_HEX_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rempart/core/result.h"

namespace rempart {

// Lowercase hex of `bytes`, two digits per byte.
std::string HexEncode(std::span<const std::uint8_t> bytes);

// Decodes exactly `expected_bytes` bytes from `text` (2 digits each).
// InvalidArgument when the length differs or a character is not a hex digit;
// the message names the offending position.
Result<std::vector<std::uint8_t>> HexDecode(std::string_view text,
                                            std::size_t expected_bytes);

}  // namespace rempart

#endif  // REMPART_CORE_HEX_H_
