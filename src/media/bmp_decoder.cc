// BMP through stb_image. stb_image has no limits of its own worth the name
// and, reading from memory, pads a short file with zeros instead of failing,
// so the headers are read here first: the size is checked against the limits
// and the file length against the pixel data the header promises, before
// stb_image allocates anything. stb_image has no progress hook; uncompressed
// BMP decoding is a single linear pass, so the deadline is checked before and
// after it. RLE, embedded JPEG/PNG and other compressed variants are not
// supported by stb_image and are reported as Unimplemented; so are header
// layouts it does not know.
#include <stb/stb_image.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "media/decoders.h"

namespace rempart::media::internal {
namespace {

std::uint32_t ReadLittleEndian(std::span<const std::uint8_t> bytes,
                               std::size_t offset, int size) {
  std::uint32_t value = 0;
  for (int i = size - 1; i >= 0; --i) value = (value << 8) | bytes[offset + i];
  return value;
}

struct StbFree {
  void operator()(stbi_uc* pixels) const { stbi_image_free(pixels); }
};

Status StbError() {
  const char* reason = stbi_failure_reason();
  const std::string_view text = reason != nullptr ? reason : "stb_image failed";
  if (text == "outofmem") return ResourceExhaustedError("out of memory");
  if (text == "too large") {
    return ResourceExhaustedError("image too large for stb_image");
  }
  return InvalidArgumentError(
      "malformed data (stb_image: " + std::string(text) + ")");
}

// Checks the headers: sizes against the limits, and that the file holds all
// the uncompressed pixel rows it declares.
Status CheckHeaders(std::span<const std::uint8_t> bytes,
                    const DecodeLimits& limits) {
  constexpr std::size_t kFileHeaderBytes = 14;
  if (bytes.size() < kFileHeaderBytes + 16) {
    return InvalidArgumentError("truncated data (header incomplete)");
  }
  const std::uint32_t pixel_offset = ReadLittleEndian(bytes, 10, 4);
  const std::uint32_t header_size = ReadLittleEndian(bytes, 14, 4);
  std::int64_t width = 0;
  std::int64_t height = 0;
  std::uint32_t bits_per_pixel = 0;
  std::uint32_t compression = 0;
  if (header_size == 12) {  // BITMAPCOREHEADER: 16-bit unsigned sizes.
    width = ReadLittleEndian(bytes, 18, 2);
    height = ReadLittleEndian(bytes, 20, 2);
    bits_per_pixel = ReadLittleEndian(bytes, 24, 2);
  } else {
    if (bytes.size() < kFileHeaderBytes + 20) {
      return InvalidArgumentError("truncated data (header incomplete)");
    }
    width = static_cast<std::int32_t>(ReadLittleEndian(bytes, 18, 4));
    // A negative height marks a top-down image.
    height = std::abs(static_cast<std::int64_t>(
        static_cast<std::int32_t>(ReadLittleEndian(bytes, 22, 4))));
    bits_per_pixel = ReadLittleEndian(bytes, 28, 2);
    compression = ReadLittleEndian(bytes, 30, 4);
  }
  // The header variants stb_image reads.
  if (header_size != 12 && header_size != 40 && header_size != 56 &&
      header_size != 108 && header_size != 124) {
    return UnimplementedError("BMP header of " + std::to_string(header_size) +
                              " bytes is not supported");
  }
  if (compression == 1 || compression == 2) {
    return UnimplementedError("RLE-compressed BMP is not supported");
  }
  // BI_RGB and BI_BITFIELDS; not JPEG, PNG or the rarer variants.
  if (compression != 0 && compression != 3) {
    return UnimplementedError("BMP compression type " +
                              std::to_string(compression) +
                              " is not supported");
  }
  REMPART_RETURN_IF_ERROR(CheckDimensions(width, height, limits));
  // Uncompressed rows are padded to whole 32-bit words.
  if (bits_per_pixel > 0 && bits_per_pixel <= 32) {
    const std::uint64_t row_bytes =
        (static_cast<std::uint64_t>(width) * bits_per_pixel + 31) / 32 * 4;
    const std::uint64_t needed = std::uint64_t{pixel_offset} +
                                 row_bytes * static_cast<std::uint64_t>(height);
    if (bytes.size() < needed) {
      return InvalidArgumentError("truncated data (pixel rows need " +
                                  std::to_string(needed) + " bytes, file has " +
                                  std::to_string(bytes.size()) + ")");
    }
  }
  return OkStatus();
}

}  // namespace

Result<DecodedImage> DecodeBmp(std::span<const std::uint8_t> bytes,
                               const DecodeOptions& options,
                               const Deadline& deadline) {
  const DecodeLimits& limits = options.limits;
  REMPART_RETURN_IF_ERROR(CheckHeaders(bytes, limits));
  if (bytes.size() > static_cast<std::size_t>(INT32_MAX)) {
    return ResourceExhaustedError("file too large for stb_image");
  }
  const auto size = static_cast<int>(bytes.size());
  int width = 0;
  int height = 0;
  int channels = 0;
  if (stbi_info_from_memory(bytes.data(), size, &width, &height, &channels) ==
      0) {
    return StbError();
  }
  if (deadline.Expired()) return DeadlineExceeded(limits);
  std::unique_ptr<stbi_uc, StbFree> pixels(
      stbi_load_from_memory(bytes.data(), size, &width, &height, &channels, 3));
  if (pixels == nullptr) return StbError();
  if (deadline.Expired()) return DeadlineExceeded(limits);
  // Defends against a disagreement between our header reading and stb's.
  REMPART_RETURN_IF_ERROR(CheckDimensions(width, height, limits));

  DecodedImage decoded;
  decoded.source_width = width;
  decoded.source_height = height;
  decoded.image = Image(width, height, PixelFormat::kRgb8);
  std::memcpy(decoded.image.mutable_pixels().data(), pixels.get(),
              decoded.image.pixels().size());
  return decoded;
}

}  // namespace rempart::media::internal
