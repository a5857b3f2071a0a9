#include "rempart/hash/video_signals.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

namespace rempart::hash {
namespace {

// MD5 and SHA-256 of the regular file at `path`, read in chunks, refusing
// more than `max_bytes` bytes.
Status DigestFile(const std::string& path, std::uint64_t max_bytes,
                  Md5Digest& md5, Sha256Digest& sha256) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    std::string message = path + ": " + std::strerror(error);
    if (error == ENOENT) return NotFoundError(std::move(message));
    if (error == EACCES) return PermissionDeniedError(std::move(message));
    return InvalidArgumentError(std::move(message));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    return InvalidArgumentError(path + ": not a regular file");
  }
  StreamDigests digests;
  std::array<std::uint8_t, 1 << 16> buffer{};
  std::uint64_t total = 0;
  while (true) {
    const ssize_t got = ::read(fd, buffer.data(), buffer.size());
    if (got < 0) {
      if (errno == EINTR) continue;
      return InvalidArgumentError(path + ": " + std::strerror(errno));
    }
    if (got == 0) break;
    total += static_cast<std::uint64_t>(got);
    if (total > max_bytes) {
      return ResourceExhaustedError(path + ": larger than " +
                                    std::to_string(max_bytes) + " bytes");
    }
    digests.Update({buffer.data(), static_cast<std::size_t>(got)});
  }
  digests.Finish(md5, sha256);
  return OkStatus();
}

}  // namespace

bool IsVideoInput(std::span<const std::uint8_t> head) {
  return media::LooksLikeVideo(head);
}

Result<VideoSignals> VideoHasher::Hash(
    const media::VideoSource& source, const media::VideoDecodeOptions& options,
    const media::VideoProgressCallback& progress) {
  VideoSignals signals;
  signals.fast = options.speed == media::VideoSpeed::kFast;
  const PdqOptions pdq_options{.mode = PdqMode::kFullResolution,
                               .dihedral = false};
  const auto on_frame = [&](const media::VideoFrame& frame) -> Status {
    auto pdq = pdq_.Hash(frame.image, pdq_options);
    if (!pdq) return pdq.error();
    if (signals.frames.size() == kMaxVpdqFrames) {
      return ResourceExhaustedError("video: more than " +
                                    std::to_string(kMaxVpdqFrames) +
                                    " hashed frames (raise seconds_per_frame)");
    }
    signals.frames.push_back({.frame_number = frame.frame_number,
                              .quality = pdq->quality,
                              .hash = pdq->hash,
                              .timestamp_seconds = frame.timestamp_seconds});
    return OkStatus();
  };
  const Status decoded =
      media::DecodeVideo(source, options, on_frame, &signals.report, progress);
  if (!decoded.ok()) return decoded;
  if (signals.frames.empty()) {
    return InvalidArgumentError("video: no frame could be decoded" +
                                (signals.report.problem.empty()
                                     ? std::string()
                                     : " (" + signals.report.problem + ")"));
  }

  if (source.is_file()) {
    const Status digested =
        DigestFile(source.path(), options.limits.max_file_bytes, signals.md5,
                   signals.sha256);
    if (!digested.ok()) return digested;
  } else {
    signals.md5 = Md5(source.bytes());
    signals.sha256 = Sha256(source.bytes());
  }
  return signals;
}

}  // namespace rempart::hash
