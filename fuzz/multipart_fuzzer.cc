// libFuzzer target for multipart/form-data: the input's first line is a
// Content-Type for MultipartBoundary(), the rest the body for
// ParseMultipart() with that boundary (or "b" when the line has none).
//
// Checks, besides the sanitizers: a boundary is 1 to 70 bytes inside the
// Content-Type; parts are at least one and at most max_parts (taken from
// the input's length, 1 to 8); every view lies inside the body; no part's
// data holds the delimiter.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "rempart/service/multipart.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

bool Inside(std::string_view view, std::string_view whole) {
  return view.empty() ||
         (view.data() >= whole.data() &&
          view.data() + view.size() <= whole.data() + whole.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  const std::string_view content_type = input.substr(0, newline);
  const std::string_view body = newline == std::string_view::npos
                                    ? std::string_view()
                                    : input.substr(newline + 1);
  const auto boundary = rempart::service::MultipartBoundary(content_type);
  if (boundary) {
    Check(!boundary->empty() && boundary->size() <= 70);
    Check(Inside(*boundary, content_type));
  }
  const std::string chosen = boundary ? std::string(*boundary) : "b";
  const std::size_t max_parts = 1 + size % 8;
  const auto parts = rempart::service::ParseMultipart(body, chosen, max_parts);
  if (!parts) {
    Check(!parts.error().message().empty());
    return 0;
  }
  Check(!parts->empty() && parts->size() <= max_parts);
  const std::string delimiter = "\r\n--" + chosen;
  for (const auto& part : *parts) {
    Check(Inside(part.data, body));
    Check(Inside(part.content_type, body));
    Check(part.data.find(delimiter) == std::string_view::npos);
  }
  return 0;
}
