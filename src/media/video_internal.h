// Private to the media layer: DecodeVideo() with an explicit deadline, so
// that tests can exercise the time limit deterministically.
#ifndef REMPART_MEDIA_VIDEO_INTERNAL_H_
#define REMPART_MEDIA_VIDEO_INTERNAL_H_

#include "rempart/core/deadline.h"
#include "rempart/media/video.h"

namespace rempart::media::internal {

// DecodeVideo(), stopping at `deadline` instead of one derived from
// options.limits.max_decode_time.
Status DecodeVideoWithDeadline(const VideoSource& source,
                               const VideoDecodeOptions& options,
                               const VideoFrameCallback& on_frame,
                               VideoReport* report,
                               const VideoProgressCallback& progress,
                               const Deadline& deadline);

}  // namespace rempart::media::internal

#endif  // REMPART_MEDIA_VIDEO_INTERNAL_H_
