// ImageSignals: every signal Rempart derives from one photo's bytes — PDQ
// (with its mode and quality, optionally the eight dihedral variants), MD5
// and SHA-256 of the bytes, optionally its patch signature for the second
// stage, and what was decoded.
//
// This is the one entry point the CLI, the service and the browser build
// share, so that all three compute the same thing from the same bytes.
// Pure computation on memory; one ImageHasher per thread (it reuses PDQ
// scratch buffers).
#ifndef REMPART_HASH_IMAGE_SIGNALS_H_
#define REMPART_HASH_IMAGE_SIGNALS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "rempart/core/result.h"
#include "rempart/hash/digest.h"
#include "rempart/hash/patches.h"
#include "rempart/hash/pdq.h"
#include "rempart/media/decode.h"

namespace rempart::hash {

enum class Speed : std::uint8_t {
  // Decode every pixel exactly as the reference does: bit-identical PDQ.
  kExact,
  // Decode JPEGs with libjpeg-turbo's fast IDCT, plain chroma upsampling and
  // luma only (media::DecodeOptions::fast_jpeg). PDQ stays within 4 bits of
  // exact mode on photos; docs/PERFORMANCE.md measures speed and distance.
  kFast,
};

struct ImageHashOptions {
  PdqOptions pdq;
  // Also the picture's patch signature, hashed with these options
  // (BankPatchOptions() for a bank entry, QueryPatchOptions() to match).
  std::optional<PatchOptions> patches;
  // With `patches`, also keep the picture's probe (hash/patches.h): a query
  // matched by the second stage.
  bool patch_probe = false;
  Speed speed = Speed::kExact;
  media::DecodeLimits limits;
};

struct ImageSignals {
  PdqResult pdq;
  Md5Digest md5{};
  Sha256Digest sha256{};
  media::ImageFormat format = media::ImageFormat::kUnknown;
  int width = 0;  // The stored pixel grid, before any fast-mode scaling.
  int height = 0;
  bool fast = false;  // True when PDQ came from a fast-mode (inexact) decode.
  // Set when ImageHashOptions::patches was; holds no patches for a picture
  // too small or too flat to have any.
  std::optional<PatchSignature> patches;
  // Set when ImageHashOptions::patch_probe was.
  std::shared_ptr<const PatchProbe> patch_probe;
};

// The signals and the pixels they were computed from, for a caller that
// also shows the image (the browser's thumbnails) without decoding twice.
struct HashedImage {
  ImageSignals signals;
  // As decoded (media/decode.h): kGray8 or kRgb8, the stored pixel grid,
  // smaller than width x height only in fast mode.
  media::Image image;
};

class ImageHasher {
 public:
  // Decodes `bytes` under options.limits and computes every signal. Errors
  // are the decoder's (see media/decode.h); MD5 and SHA-256 need no decoding
  // and are available from Md5()/Sha256() even for undecodable files.
  Result<ImageSignals> Hash(std::span<const std::uint8_t> bytes,
                            const ImageHashOptions& options = {});

  // Hash(), also returning the decoded image.
  Result<HashedImage> HashKeepingImage(std::span<const std::uint8_t> bytes,
                                       const ImageHashOptions& options = {});

 private:
  PdqHasher pdq_;
  PatchHasher patches_;
};

}  // namespace rempart::hash

#endif  // REMPART_HASH_IMAGE_SIGNALS_H_
