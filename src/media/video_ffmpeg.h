// Private to the media layer: FFmpeg's headers, an owning smart pointer for
// every FFmpeg object the video decoder creates, and error texts.
//
// Each deleter calls the matching FFmpeg release function, so an early
// return anywhere in the decoder leaks nothing. FFmpeg reports failures as
// negative integers; AvErrorText() turns one into av_strerror()'s words.
#ifndef REMPART_MEDIA_VIDEO_FFMPEG_H_
#define REMPART_MEDIA_VIDEO_FFMPEG_H_

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavformat/avio.h>
#include <libavutil/avutil.h>
#include <libavutil/error.h>
#include <libavutil/frame.h>
#include <libavutil/imgutils.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
}

#include <memory>
#include <string>

namespace rempart::media::internal {

struct AvFormatCloser {
  void operator()(AVFormatContext* context) const {
    avformat_close_input(&context);
  }
};
// The I/O context and the buffer FFmpeg may have reallocated inside it.
struct AvIoFreer {
  void operator()(AVIOContext* context) const {
    if (context != nullptr) av_freep(&context->buffer);
    avio_context_free(&context);
  }
};
struct AvCodecContextFreer {
  void operator()(AVCodecContext* context) const {
    avcodec_free_context(&context);
  }
};
struct AvFrameFreer {
  void operator()(AVFrame* frame) const { av_frame_free(&frame); }
};
struct AvPacketFreer {
  void operator()(AVPacket* packet) const { av_packet_free(&packet); }
};
struct SwsFreer {
  void operator()(SwsContext* context) const { sws_freeContext(context); }
};
struct AvFreer {
  void operator()(void* pointer) const { av_free(pointer); }
};

using FormatContextPtr = std::unique_ptr<AVFormatContext, AvFormatCloser>;
using IoContextPtr = std::unique_ptr<AVIOContext, AvIoFreer>;
using CodecContextPtr = std::unique_ptr<AVCodecContext, AvCodecContextFreer>;
using FramePtr = std::unique_ptr<AVFrame, AvFrameFreer>;
using PacketPtr = std::unique_ptr<AVPacket, AvPacketFreer>;
using SwsContextPtr = std::unique_ptr<SwsContext, SwsFreer>;

// av_strerror()'s text for an FFmpeg error code.
inline std::string AvErrorText(int error) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  if (av_strerror(error, text, sizeof(text)) < 0) {
    return "FFmpeg error " + std::to_string(error);
  }
  return text;
}

}  // namespace rempart::media::internal

#endif  // REMPART_MEDIA_VIDEO_FFMPEG_H_
