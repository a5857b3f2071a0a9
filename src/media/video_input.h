// Private to the media layer: where a video's bytes come from, and the
// demuxer FFmpeg runs over them.
//
// VideoInput reads a file through a descriptor Rempart opened itself, or a
// span of memory, and hands FFmpeg a seekable AVIOContext over it. FFmpeg
// never opens anything on its own: there is no URL, nested opens (playlists,
// references to other files) are refused, and only the demuxers in
// kAcceptedContainers may run. Not thread-safe; one per decode.
#ifndef REMPART_MEDIA_VIDEO_INPUT_H_
#define REMPART_MEDIA_VIDEO_INPUT_H_

#include <cstdint>
#include <memory>
#include <span>

#include "media/video_ffmpeg.h"
#include "rempart/core/deadline.h"
#include "rempart/core/result.h"
#include "rempart/media/video.h"

namespace rempart::media::internal {

class VideoInput {
 public:
  // Opens `source`, checks its size against `max_file_bytes` and opens the
  // demuxer. NotFound / PermissionDenied / InvalidArgument for files that
  // cannot be read; ResourceExhausted for one that is too large;
  // InvalidArgument when no container is recognised; Unimplemented for a
  // container Rempart does not accept; DeadlineExceeded when `deadline`
  // expires while probing.
  static Result<std::unique_ptr<VideoInput>> Open(const VideoSource& source,
                                                  std::uint64_t max_file_bytes,
                                                  const Deadline& deadline);

  VideoInput(const VideoInput&) = delete;
  VideoInput& operator=(const VideoInput&) = delete;
  ~VideoInput();

  [[nodiscard]] AVFormatContext* format() const { return format_.get(); }
  [[nodiscard]] std::uint64_t size() const { return size_; }
  // True when a read failed (rather than reaching the end of the bytes).
  [[nodiscard]] bool read_failed() const { return read_failed_; }

 private:
  explicit VideoInput(const Deadline& deadline) : deadline_(deadline) {}

  static int ReadCallback(void* opaque, std::uint8_t* buffer, int size);
  static std::int64_t SeekCallback(void* opaque, std::int64_t offset,
                                   int whence);
  static int InterruptCallback(void* opaque);

  Status OpenSource(const VideoSource& source, std::uint64_t max_file_bytes);
  Status OpenDemuxer();

  Deadline deadline_;
  int fd_ = -1;
  std::span<const std::uint8_t> bytes_;
  std::uint64_t size_ = 0;
  std::uint64_t position_ = 0;
  bool read_failed_ = false;
  // Declared before format_: the demuxer is closed first.
  IoContextPtr io_;
  FormatContextPtr format_;
};

// The demuxers DecodeVideo() accepts, by FFmpeg's short name.
bool IsAcceptedContainer(const char* name);

}  // namespace rempart::media::internal

#endif  // REMPART_MEDIA_VIDEO_INPUT_H_
