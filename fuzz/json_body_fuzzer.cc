// libFuzzer target for ParseJsonBody(): the first byte picks the depth
// limit (0 to 31), the rest is the body.
//
// Checks, besides the sanitizers: no exception escapes; a parsed document
// dumps strictly (valid UTF-8 throughout) and its dump parses again under
// the same limits; a refusal has a message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "rempart/service/json_body.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  if (size == 0) return 0;
  rempart::service::JsonLimits limits;
  limits.max_depth = data[0] % 32;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1,
                              size - 1);
  const auto json = rempart::service::ParseJsonBody(text, limits);
  if (!json) {
    Check(!json.error().message().empty());
    return 0;
  }
  std::string dumped;
  try {
    dumped = json->dump();
  } catch (...) {
    Check(false);
  }
  limits.max_bytes = dumped.size();
  Check(rempart::service::ParseJsonBody(dumped, limits).has_value());
  return 0;
}
