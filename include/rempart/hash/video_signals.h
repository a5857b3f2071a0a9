// VideoSignals: every signal Rempart derives from one video — its vPDQ
// frames, and MD5 and SHA-256 of the file's bytes — and what decoding it
// reported.
//
// The one entry point the CLI and the service share for videos (the
// browser build has no FFmpeg). One VideoHasher per thread.
#ifndef REMPART_HASH_VIDEO_SIGNALS_H_
#define REMPART_HASH_VIDEO_SIGNALS_H_

#include <span>
#include <vector>

#include "rempart/core/result.h"
#include "rempart/hash/digest.h"
#include "rempart/hash/pdq.h"
#include "rempart/hash/vpdq.h"
#include "rempart/media/video.h"

namespace rempart::hash {

struct VideoSignals {
  std::vector<VpdqFrame> frames;
  Md5Digest md5{};
  Sha256Digest sha256{};
  media::VideoReport report;
  bool fast = false;  // True when the frames came from VideoSpeed::kFast.
};

// True when `head` (the first bytes of a file) is a video container
// media::DecodeVideo() takes.
bool IsVideoInput(std::span<const std::uint8_t> head);

class VideoHasher {
 public:
  // Decodes and hashes every selected frame (PDQ, full-resolution mode) and
  // digests the bytes. Errors are DecodeVideo()'s; when decoding stopped on
  // a limit after some frames, the error is returned and nothing else (a
  // partial hash of an over-limit video is not a hash of the video).
  // Damaged videos that decode partly succeed: see signals.report.
  Result<VideoSignals> Hash(const media::VideoSource& source,
                            const media::VideoDecodeOptions& options = {},
                            const media::VideoProgressCallback& progress = {});

 private:
  PdqHasher pdq_;
};

}  // namespace rempart::hash

#endif  // REMPART_HASH_VIDEO_SIGNALS_H_
