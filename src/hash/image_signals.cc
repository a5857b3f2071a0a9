#include "rempart/hash/image_signals.h"

#include <utility>

namespace rempart::hash {

Result<ImageSignals> ImageHasher::Hash(std::span<const std::uint8_t> bytes,
                                       const ImageHashOptions& options) {
  auto hashed = HashKeepingImage(bytes, options);
  if (!hashed) return hashed.error();
  return hashed->signals;
}

Result<HashedImage> ImageHasher::HashKeepingImage(
    std::span<const std::uint8_t> bytes, const ImageHashOptions& options) {
  media::DecodeOptions decode_options;
  decode_options.limits = options.limits;
  decode_options.fast_jpeg = options.speed == Speed::kFast;
  auto decoded = media::DecodeImage(bytes, decode_options);
  if (!decoded) return decoded.error();

  auto pdq = pdq_.Hash(decoded->image.view(), options.pdq);
  if (!pdq) return pdq.error();

  HashedImage hashed;
  ImageSignals& signals = hashed.signals;
  signals.pdq = *std::move(pdq);
  signals.md5 = Md5(bytes);
  signals.sha256 = Sha256(bytes);
  signals.format = decoded->format;
  signals.width = decoded->source_width;
  signals.height = decoded->source_height;
  signals.fast = options.speed == Speed::kFast &&
                 decoded->format == media::ImageFormat::kJpeg;
  if (options.patches) {
    auto patches =
        patches_.Sign(decoded->image.view(), *options.patches,
                      options.patch_probe ? &signals.patch_probe : nullptr);
    if (!patches) return patches.error();
    // The shape of the picture, not of a fast decode's smaller grid (the
    // same up to rounding).
    patches->width = signals.width;
    patches->height = signals.height;
    signals.patches = std::move(*patches);
  }
  hashed.image = std::move(decoded->image);
  return hashed;
}

}  // namespace rempart::hash
