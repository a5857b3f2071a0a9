#include "rempart/hash/image_signals.h"

namespace rempart::hash {

Result<ImageSignals> ImageHasher::Hash(std::span<const std::uint8_t> bytes,
                                       const ImageHashOptions& options) {
  media::DecodeOptions decode_options;
  decode_options.limits = options.limits;
  if (options.speed == Speed::kFast) {
    decode_options.min_side_for_scaling = kFastMinSide;
  }
  auto decoded = media::DecodeImage(bytes, decode_options);
  if (!decoded) return decoded.error();

  auto pdq = pdq_.Hash(decoded->image.view(), options.pdq);
  if (!pdq) return pdq.error();

  ImageSignals signals;
  signals.pdq = *std::move(pdq);
  signals.md5 = Md5(bytes);
  signals.sha256 = Sha256(bytes);
  signals.format = decoded->format;
  signals.width = decoded->source_width;
  signals.height = decoded->source_height;
  signals.fast = decoded->image.width() != decoded->source_width ||
                 decoded->image.height() != decoded->source_height;
  return signals;
}

}  // namespace rempart::hash
