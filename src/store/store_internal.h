// Checks shared by the Store backends; not part of the public API.
#ifndef REMPART_STORE_STORE_INTERNAL_H_
#define REMPART_STORE_STORE_INTERNAL_H_

#include <cstddef>
#include <string_view>

#include "rempart/core/status.h"

namespace rempart::store::internal {

// OK when `text` is at most `max_bytes` long and holds no NUL byte;
// InvalidArgument naming `field` otherwise.
Status ValidateText(std::string_view field, std::string_view text,
                    std::size_t max_bytes);

}  // namespace rempart::store::internal

#endif  // REMPART_STORE_STORE_INTERNAL_H_
