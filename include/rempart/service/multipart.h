// A strict reader of multipart/form-data bodies (RFC 7578), for uploads.
//
// Part data and content types are views into the body (no copies); names
// and filenames are copies, since a quoted-string's escapes ("a\"b") must
// be undone. Refused with InvalidArgument: a missing or over-long boundary,
// a missing final delimiter, a boundary in the data, a part without
// headers or without Content-Disposition: form-data; name=…, a header block
// over 8 KiB, no part at all, more than max_parts parts. Time is linear in
// the body's size; nothing is allocated per byte.
#ifndef REMPART_SERVICE_MULTIPART_H_
#define REMPART_SERVICE_MULTIPART_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "rempart/core/result.h"

namespace rempart::service {

struct MultipartPart {
  std::string name;               // From Content-Disposition, unescaped.
  std::string filename;           // Unescaped; empty when none.
  std::string_view content_type;  // Empty when none.
  std::string_view data;
};

// The boundary parameter of a multipart/form-data Content-Type header
// value; InvalidArgument when it is not one or has no valid boundary.
Result<std::string_view> MultipartBoundary(std::string_view content_type);

Result<std::vector<MultipartPart>> ParseMultipart(std::string_view body,
                                                  std::string_view boundary,
                                                  std::size_t max_parts = 16);

}  // namespace rempart::service

#endif  // REMPART_SERVICE_MULTIPART_H_
