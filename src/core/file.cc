#include "rempart/core/file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

namespace rempart {
namespace {

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

std::string ErrnoText(int error) { return std::strerror(error); }

}  // namespace

Result<std::vector<std::uint8_t>> ReadStreamBytes(std::FILE* stream,
                                                  std::uint64_t max_bytes) {
  std::vector<std::uint8_t> bytes;
  constexpr std::size_t kChunk = 1 << 16;
  while (true) {
    const std::size_t old_size = bytes.size();
    if (old_size > max_bytes) break;
    bytes.resize(old_size + kChunk);
    const std::size_t got =
        std::fread(bytes.data() + old_size, 1, kChunk, stream);
    bytes.resize(old_size + got);
    if (got < kChunk) {
      if (std::ferror(stream)) {
        return UnavailableError("read failed: " + ErrnoText(errno));
      }
      break;
    }
  }
  if (bytes.size() > max_bytes) {
    return ResourceExhaustedError("input is larger than the limit of " +
                                  std::to_string(max_bytes) + " bytes");
  }
  return bytes;
}

Result<std::vector<std::uint8_t>> ReadFileBytes(const std::string& path,
                                                std::uint64_t max_bytes) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    const int error = errno;
    if (error == ENOENT || error == ENOTDIR) {
      return NotFoundError("no such file");
    }
    return UnavailableError("cannot stat: " + ErrnoText(error));
  }
  if (!S_ISREG(info.st_mode)) {
    return InvalidArgumentError("not a regular file");
  }
  if (static_cast<std::uint64_t>(info.st_size) > max_bytes) {
    return ResourceExhaustedError("file is " + std::to_string(info.st_size) +
                                  " bytes, larger than the limit of " +
                                  std::to_string(max_bytes));
  }
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) {
    const int error = errno;
    if (error == EACCES)
      return PermissionDeniedError("cannot open: " + ErrnoText(error));
    return UnavailableError("cannot open: " + ErrnoText(error));
  }
  return ReadStreamBytes(file.get(), max_bytes);
}

}  // namespace rempart
