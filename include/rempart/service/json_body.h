// Parsing JSON request bodies under limits: nesting depth, size, and UTF-8
// validity, with errors that say where.
#ifndef REMPART_SERVICE_JSON_BODY_H_
#define REMPART_SERVICE_JSON_BODY_H_

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string_view>

#include "rempart/core/result.h"

namespace rempart::service {

struct JsonLimits {
  std::size_t max_depth = 16;  // Nested arrays/objects.
  std::size_t max_bytes = 1 << 20;
};

// The parsed document; InvalidArgument ("invalid JSON at byte N: …",
// "JSON nested deeper than 16 levels") or ResourceExhausted (too large).
// Never throws.
Result<nlohmann::json> ParseJsonBody(std::string_view text,
                                     const JsonLimits& limits = {});

}  // namespace rempart::service

#endif  // REMPART_SERVICE_JSON_BODY_H_
