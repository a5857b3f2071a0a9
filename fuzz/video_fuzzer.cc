// libFuzzer target for the video decoder: containers, codecs, frame
// selection and both speeds, on bytes held in memory.
//
// Limits are small so that a slow input is a finding of the limit code, not
// a fuzzer timeout. The input's size picks the speed and the frame spacing,
// so that one corpus covers exact and fast mode; delivered frames are
// hashed so that PDQ sees every shape the decoder can deliver.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>

#include "rempart/hash/pdq.h"
#include "rempart/media/video.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  using rempart::media::VideoSpeed;
  rempart::media::VideoDecodeOptions options;
  options.limits.max_file_bytes = 4 << 20;
  options.limits.max_dimension = 2048;
  options.limits.max_pixels = 1 << 20;
  options.limits.max_duration_seconds = 600;
  options.limits.max_decoded_frames = 300;
  options.limits.max_decode_time = std::chrono::milliseconds(3'000);
  options.speed = size % 2 == 0 ? VideoSpeed::kExact : VideoSpeed::kFast;
  options.seconds_per_frame = size % 3 == 0 ? 0.0 : 1.0;
  options.downsample = size % 5 == 0 ? 64 : 0;
  static rempart::hash::PdqHasher hasher;
  const auto status = rempart::media::DecodeVideo(
      rempart::media::VideoSource::Memory(std::span(data, size)), options,
      [](const rempart::media::VideoFrame& frame) {
        auto result = hasher.Hash(
            frame.image, {.mode = rempart::hash::PdqMode::kFullResolution});
        return result ? rempart::OkStatus() : result.error();
      });
  (void)status;
  return 0;
}
