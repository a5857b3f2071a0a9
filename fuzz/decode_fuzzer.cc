// libFuzzer target for one image decoder (HEIF covers AVIF too), chosen at
// build time by REMPART_FUZZ_FORMAT (an ImageFormat enumerator name, e.g.
// kJpeg), or for the whole sniff-and-dispatch path when it is kUnknown.
//
// Inputs of another format are ignored so that each target spends its time
// in its own decoder. Limits are tight so that a slow input is a finding of
// the limit code, not a fuzzer timeout; the decoded image is hashed so that
// the PDQ path sees every shape the decoders can produce.
#include <cstddef>
#include <cstdint>
#include <span>

#include "rempart/hash/pdq.h"
#include "rempart/media/decode.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  using rempart::media::ImageFormat;
  const std::span<const std::uint8_t> bytes(data, size);
  constexpr ImageFormat kFormat = ImageFormat::REMPART_FUZZ_FORMAT;
  const ImageFormat sniffed = rempart::media::SniffImageFormat(bytes);
  // HEIF and AVIF share libheif: one target covers both.
  const bool same_decoder =
      sniffed == kFormat ||
      (kFormat == ImageFormat::kHeif && sniffed == ImageFormat::kAvif);
  if (kFormat != ImageFormat::kUnknown && !same_decoder) return 0;
  rempart::media::DecodeOptions options;
  options.limits.max_pixels = 4'000'000;
  options.limits.max_decode_time = std::chrono::milliseconds(2'000);
  // Cover the exact, DCT-scaled and fast JPEG paths.
  options.min_side_for_scaling = size % 2 == 0 ? 0 : 64;
  options.fast_jpeg = size % 3 == 0;
  auto decoded = rempart::media::DecodeImage(bytes, options);
  if (!decoded) return 0;
  static rempart::hash::PdqHasher hasher;
  auto result = hasher.Hash(decoded->image.view(), {.dihedral = true});
  (void)result;
  return 0;
}
