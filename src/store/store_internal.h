// Checks and helpers shared by the store's backends; not part of the public
// API.
#ifndef REMPART_STORE_STORE_INTERNAL_H_
#define REMPART_STORE_STORE_INTERNAL_H_

#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "rempart/core/result.h"
#include "rempart/core/status.h"

namespace rempart::store::internal {

// OK when `text` is at most `max_bytes` long and holds no NUL byte;
// InvalidArgument naming `field` otherwise.
Status ValidateText(std::string_view field, std::string_view text,
                    std::size_t max_bytes);

// `text` as a JSON string, quotes included, for the details of audit
// records. Bytes of 0x80 and above pass through unchanged (UTF-8 stays
// UTF-8); control characters are escaped.
std::string JsonQuote(std::string_view text);

// The enumerator whose name is `names[enumerator]`; InvalidArgument naming
// `what` and listing the names otherwise. One parser for every enum the
// store names in its rows and its API.
template <typename Enum, std::size_t N>
Result<Enum> ParseName(const std::array<std::string_view, N>& names,
                       std::string_view name, std::string_view what) {
  const auto* found = std::find(names.begin(), names.end(), name);
  if (found != names.end()) {
    return static_cast<Enum>(found - names.begin());
  }
  std::string list;
  for (std::string_view known : names) {
    if (!list.empty()) list += ", ";
    list += known;
  }
  return InvalidArgumentError("unknown " + std::string(what) + " '" +
                              std::string(name) + "' (expected one of " + list +
                              ")");
}

}  // namespace rempart::store::internal

#endif  // REMPART_STORE_STORE_INTERNAL_H_
