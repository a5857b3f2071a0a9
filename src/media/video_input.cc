// The bytes under a video decode, and the demuxer over them.
//
// FFmpeg can open files, network URLs and playlists by itself; a hostile
// file could name other files (HLS playlists, concat scripts, QuickTime
// data references) or an image sequence. None of that may happen here:
// Rempart opens the file once (non-blocking, so a FIFO cannot stall the
// open; only regular files are read), hands FFmpeg an AVIOContext whose
// callbacks read that descriptor or a span of memory, replaces io_open so
// that any nested open fails, leaves the protocol whitelist empty, and
// probes the container itself so that only the demuxers named in
// kAcceptedContainers ever parse a byte past the probe.
//
// A file is treated as the size fstat() reported when it was opened: bytes
// appended later are not read. Reads and the interrupt callback poll the
// deadline, so a demuxer stuck in a loop over a hostile file returns
// AVERROR_EXIT once the time budget is spent.
#include "media/video_input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>
#include <system_error>

namespace rempart::media::internal {
namespace {

// FFmpeg's names for the demuxers Rempart runs (AVInputFormat::name).
constexpr std::string_view kAcceptedContainers[] = {
    "mov,mp4,m4a,3gp,3g2,mj2",  // MP4, MOV, 3GP
    "matroska,webm",
    "avi",
    "gif",
    "mpegts",  // MPEG transport stream
    "mpeg",    // MPEG program stream (VOB, .mpg)
};

constexpr int kIoBufferBytes = 64 << 10;

std::string ErrnoText(int error) {
  return std::generic_category().message(error);
}

Status OpenError(const std::string& path, int error) {
  const std::string message = "cannot open " + path + ": " + ErrnoText(error);
  switch (error) {
    case ENOENT:
    case ENOTDIR:
      return NotFoundError(message);
    case EACCES:
    case EPERM:
      return PermissionDeniedError(message);
    default:
      return InvalidArgumentError(message);
  }
}

// Refuses every nested open a demuxer may attempt.
int RefuseNestedOpen(AVFormatContext* /*context*/, AVIOContext** /*pb*/,
                     const char* /*url*/, int /*flags*/,
                     AVDictionary** /*options*/) {
  return AVERROR(EPERM);
}

}  // namespace

bool IsAcceptedContainer(const char* name) {
  if (name == nullptr) return false;
  return std::find(std::begin(kAcceptedContainers),
                   std::end(kAcceptedContainers),
                   std::string_view(name)) != std::end(kAcceptedContainers);
}

VideoInput::~VideoInput() {
  format_.reset();
  io_.reset();
  if (fd_ >= 0) close(fd_);
}

Result<std::unique_ptr<VideoInput>> VideoInput::Open(
    const VideoSource& source, std::uint64_t max_file_bytes,
    const Deadline& deadline) {
  std::unique_ptr<VideoInput> input(new VideoInput(deadline));
  REMPART_RETURN_IF_ERROR(input->OpenSource(source, max_file_bytes));
  REMPART_RETURN_IF_ERROR(input->OpenDemuxer());
  return input;
}

Status VideoInput::OpenSource(const VideoSource& source,
                              std::uint64_t max_file_bytes) {
  if (!source.is_file()) {
    bytes_ = source.bytes();
    size_ = bytes_.size();
  } else {
    fd_ = open(source.path().c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd_ < 0) return OpenError(source.path(), errno);
    struct stat info = {};
    if (fstat(fd_, &info) != 0) return OpenError(source.path(), errno);
    if (!S_ISREG(info.st_mode)) {
      return InvalidArgumentError(source.path() + " is not a regular file");
    }
    size_ = static_cast<std::uint64_t>(info.st_size);
  }
  if (size_ > max_file_bytes) {
    return ResourceExhaustedError("video of " + std::to_string(size_) +
                                  " bytes exceeds the limit of " +
                                  std::to_string(max_file_bytes) + " bytes");
  }
  if (size_ == 0) return InvalidArgumentError("empty input");
  return OkStatus();
}

int VideoInput::ReadCallback(void* opaque, std::uint8_t* buffer, int size) {
  auto& input = *static_cast<VideoInput*>(opaque);
  if (input.deadline_.Expired()) return AVERROR_EXIT;
  if (input.position_ >= input.size_ || size <= 0) return AVERROR_EOF;
  const auto wanted = static_cast<std::size_t>(std::min<std::uint64_t>(
      static_cast<std::uint64_t>(size), input.size_ - input.position_));
  if (input.fd_ < 0) {
    std::memcpy(buffer, input.bytes_.data() + input.position_, wanted);
    input.position_ += wanted;
    return static_cast<int>(wanted);
  }
  for (;;) {
    const ssize_t got =
        pread(input.fd_, buffer, wanted, static_cast<off_t>(input.position_));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      input.read_failed_ = true;
      return AVERROR(errno);
    }
    if (got == 0) return AVERROR_EOF;  // The file shrank.
    input.position_ += static_cast<std::uint64_t>(got);
    return static_cast<int>(got);
  }
}

std::int64_t VideoInput::SeekCallback(void* opaque, std::int64_t offset,
                                      int whence) {
  auto& input = *static_cast<VideoInput*>(opaque);
  const auto size = static_cast<std::int64_t>(input.size_);
  std::int64_t base = 0;
  switch (whence & ~AVSEEK_FORCE) {
    case AVSEEK_SIZE:
      return size;
    case SEEK_SET:
      base = 0;
      break;
    case SEEK_CUR:
      base = static_cast<std::int64_t>(input.position_);
      break;
    case SEEK_END:
      base = size;
      break;
    default:
      return AVERROR(EINVAL);
  }
  std::int64_t target = 0;
  if (__builtin_add_overflow(base, offset, &target) || target < 0) {
    return AVERROR(EINVAL);
  }
  input.position_ = static_cast<std::uint64_t>(target);
  return target;
}

int VideoInput::InterruptCallback(void* opaque) {
  return static_cast<VideoInput*>(opaque)->deadline_.Expired() ? 1 : 0;
}

Status VideoInput::OpenDemuxer() {
  auto* buffer = static_cast<std::uint8_t*>(av_malloc(kIoBufferBytes));
  if (buffer == nullptr) return ResourceExhaustedError("out of memory");
  io_.reset(avio_alloc_context(buffer, kIoBufferBytes, /*write_flag=*/0, this,
                               &ReadCallback, nullptr, &SeekCallback));
  if (!io_) {
    av_free(buffer);
    return ResourceExhaustedError("out of memory");
  }

  // Probe first, so that a container outside the list is refused by name
  // before its demuxer runs.
  const AVInputFormat* container = nullptr;
  const int probed =
      av_probe_input_buffer2(io_.get(), &container, "", nullptr, 0, 0);
  if (deadline_.Expired()) {
    return DeadlineExceededError("video decode time limit exceeded");
  }
  if (probed < 0 || container == nullptr) {
    return InvalidArgumentError("not a recognised video container (" +
                                AvErrorText(probed) + ")");
  }
  if (!IsAcceptedContainer(container->name)) {
    return UnimplementedError(std::string("container '") + container->name +
                              "' is not accepted");
  }

  AVFormatContext* context = avformat_alloc_context();
  if (context == nullptr) return ResourceExhaustedError("out of memory");
  context->pb = io_.get();
  context->flags |= AVFMT_FLAG_CUSTOM_IO;
  context->interrupt_callback = {&InterruptCallback, this};
  context->io_open = &RefuseNestedOpen;
  context->protocol_whitelist = av_strdup("");
  context->format_whitelist = av_strdup(container->name);
  context->max_streams = 64;
  if (context->protocol_whitelist == nullptr ||
      context->format_whitelist == nullptr) {
    avformat_free_context(context);
    return ResourceExhaustedError("out of memory");
  }
  // On failure avformat_open_input() frees the context and nulls it.
  const int opened = avformat_open_input(&context, "", container, nullptr);
  if (opened < 0) {
    if (deadline_.Expired()) {
      return DeadlineExceededError("video decode time limit exceeded");
    }
    if (opened == AVERROR(ENOMEM)) {
      return ResourceExhaustedError("out of memory");
    }
    return InvalidArgumentError("unreadable " + std::string(container->name) +
                                " container: " + AvErrorText(opened));
  }
  format_.reset(context);
  return OkStatus();
}

}  // namespace rempart::media::internal
