// Reading whole files and streams into memory under a size limit.
//
// Inputs are hostile: a path may name a device, a FIFO or a file that grows
// while it is read, so the limit is enforced on the bytes actually read, not
// on what stat() says. Thread-safe (no shared state).
#ifndef REMPART_CORE_FILE_H_
#define REMPART_CORE_FILE_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "rempart/core/result.h"

namespace rempart {

// Reads the regular file at `path`. NotFound if it does not exist,
// InvalidArgument if it is not a regular file, ResourceExhausted if it holds
// more than `max_bytes` bytes.
Result<std::vector<std::uint8_t>> ReadFileBytes(const std::string& path,
                                                std::uint64_t max_bytes);

// Reads `stream` to its end, failing with ResourceExhausted past `max_bytes`.
Result<std::vector<std::uint8_t>> ReadStreamBytes(std::FILE* stream,
                                                  std::uint64_t max_bytes);

}  // namespace rempart

#endif  // REMPART_CORE_FILE_H_
