// HEIF (HEIC) and AVIF through libheif, which finds the primary image,
// decodes its codec (libde265 for HEVC, dav1d or libaom for AV1), assembles
// grids and converts to interleaved 8-bit RGB (10- and 12-bit images are
// reduced to 8 bits by libheif). libheif's default transformations are kept:
// the clean aperture, rotation and mirror properties (clap, irot, imir) are
// applied, so the pixels are what a phone shows. Unlike JPEG's EXIF
// orientation these properties are part of how the image is defined, and no
// reference hash exists for these formats (docs/PDQ.md, "Decoding").
// Alpha is ignored.
//
// AV1 is decoded with libaom rather than dav1d so that nothing is printed
// (see InitializeLibheif()).
//
// Limits: libheif's own maximum image size is set from max_dimension, the
// number of top-level images is checked against max_frames, and the primary
// image's size against the limits before decoding. libheif 1.15 offers no way
// to cancel a decode in progress, so the deadline is checked before and after
// heif_decode_image(); one HEIF image is bounded by the pixel limit, which
// bounds that call too.
#include <libheif/heif.h>

#include <cctype>
#include <climits>
#include <cstring>
#include <memory>
#include <string>

#include "media/decoders.h"

namespace rempart::media::internal {
namespace {

Status StatusFromHeif(const heif_error& error, const char* what) {
  std::string message = what;
  if (error.message != nullptr && error.message[0] != '\0') {
    message += ": ";
    message += error.message;
    // libheif ends some messages with a newline.
    while (!message.empty() &&
           std::isspace(static_cast<unsigned char>(message.back())) != 0) {
      message.pop_back();
    }
  }
  if (error.subcode == heif_suberror_Security_limit_exceeded) {
    return ResourceExhaustedError(message);
  }
  switch (error.code) {
    case heif_error_Ok:
      return OkStatus();
    case heif_error_Unsupported_filetype:
    case heif_error_Unsupported_feature:
      return UnimplementedError(message);
    case heif_error_Memory_allocation_error:
      return ResourceExhaustedError(message);
    case heif_error_Input_does_not_exist:
    case heif_error_Invalid_input:
    case heif_error_Decoder_plugin_error:
      return InvalidArgumentError(message);
    default:
      return InternalError(message);
  }
}

struct ContextFree {
  void operator()(heif_context* context) const { heif_context_free(context); }
};
struct HandleRelease {
  void operator()(heif_image_handle* handle) const {
    heif_image_handle_release(handle);
  }
};
struct ImageRelease {
  void operator()(heif_image* image) const { heif_image_release(image); }
};
struct OptionsFree {
  void operator()(heif_decoding_options* options) const {
    heif_decoding_options_free(options);
  }
};

// Initialises libheif once (its reference count is kept for the life of the
// process) and returns the id of the AV1 decoder to use, or null for
// libheif's default. dav1d, libheif's preferred AV1 decoder, reports corrupt
// input on stderr through its default logger, which libheif 1.15 does not
// replace; libaom's decoder is silent. AV1 decoding is normative, so both
// produce the same pixels.
const char* InitializeLibheif() {
  static const char* const av1_decoder = [] {
    heif_init(nullptr);
    constexpr int kMaxDecoders = 16;
    const heif_decoder_descriptor* decoders[kMaxDecoders] = {};
    const int count = heif_get_decoder_descriptors(heif_compression_AV1,
                                                   decoders, kMaxDecoders);
    for (int i = 0; i < count; ++i) {
      const char* id = heif_decoder_descriptor_get_id_name(decoders[i]);
      if (id != nullptr && std::strcmp(id, "aom") == 0) return id;
    }
    return static_cast<const char*>(nullptr);
  }();
  return av1_decoder;
}

}  // namespace

Result<DecodedImage> DecodeHeif(std::span<const std::uint8_t> bytes,
                                const DecodeOptions& options,
                                const Deadline& deadline) {
  const DecodeLimits& limits = options.limits;
  // libheif 1.15 would recurse forever on a reference cycle.
  REMPART_RETURN_IF_ERROR(CheckHeifItemReferences(bytes, limits));
  const char* av1_decoder = InitializeLibheif();
  std::unique_ptr<heif_context, ContextFree> context(heif_context_alloc());
  if (context == nullptr) return ResourceExhaustedError("out of memory");
  // A backstop for items we never look at (thumbnails, alpha planes, grid
  // tiles); libheif refuses a side >= its limit, hence the + 1. The primary
  // image is checked below with the same limits and a clearer message.
  heif_context_set_maximum_image_size_limit(
      context.get(),
      limits.max_dimension < INT_MAX ? limits.max_dimension + 1 : INT_MAX);
  REMPART_RETURN_IF_ERROR(
      StatusFromHeif(heif_context_read_from_memory_without_copy(
                         context.get(), bytes.data(), bytes.size(), nullptr),
                     "cannot read container"));
  const int images = heif_context_get_number_of_top_level_images(context.get());
  if (images <= 0) return InvalidArgumentError("file contains no image");
  REMPART_RETURN_IF_ERROR(CheckFrameCount(images, limits));

  heif_image_handle* raw_handle = nullptr;
  REMPART_RETURN_IF_ERROR(StatusFromHeif(
      heif_context_get_primary_image_handle(context.get(), &raw_handle),
      "no primary image"));
  std::unique_ptr<heif_image_handle, HandleRelease> handle(raw_handle);
  // The size after rotation; the same pixel count as the coded image.
  const int width = heif_image_handle_get_width(handle.get());
  const int height = heif_image_handle_get_height(handle.get());
  REMPART_RETURN_IF_ERROR(CheckDimensions(width, height, limits));
  if (deadline.Expired()) return DeadlineExceeded(limits);

  std::unique_ptr<heif_decoding_options, OptionsFree> decoding(
      heif_decoding_options_alloc());
  if (decoding == nullptr) return ResourceExhaustedError("out of memory");
  decoding->ignore_transformations = 0;
  decoding->convert_hdr_to_8bit = 1;
  decoding->decoder_id = av1_decoder;  // Ignored for HEVC images.
  heif_image* raw_image = nullptr;
  const heif_error decode_error =
      heif_decode_image(handle.get(), &raw_image, heif_colorspace_RGB,
                        heif_chroma_interleaved_RGB, decoding.get());
  std::unique_ptr<heif_image, ImageRelease> image(raw_image);
  REMPART_RETURN_IF_ERROR(StatusFromHeif(decode_error, "cannot decode image"));
  if (deadline.Expired()) return DeadlineExceeded(limits);

  const int decoded_width =
      heif_image_get_width(image.get(), heif_channel_interleaved);
  const int decoded_height =
      heif_image_get_height(image.get(), heif_channel_interleaved);
  int stride = 0;
  const std::uint8_t* plane = heif_image_get_plane_readonly(
      image.get(), heif_channel_interleaved, &stride);
  if (plane == nullptr || heif_image_get_bits_per_pixel_range(
                              image.get(), heif_channel_interleaved) != 8) {
    return InternalError("libheif returned no 8-bit interleaved RGB plane");
  }
  REMPART_RETURN_IF_ERROR(
      CheckDimensions(decoded_width, decoded_height, limits));
  if (stride < decoded_width * 3) {
    return InternalError("libheif returned a plane with a short stride");
  }

  DecodedImage decoded;
  decoded.source_width = decoded_width;
  decoded.source_height = decoded_height;
  decoded.image = Image(decoded_width, decoded_height, PixelFormat::kRgb8);
  for (int y = 0; y < decoded_height; ++y) {
    std::memcpy(decoded.image.mutable_row(y),
                plane + static_cast<std::size_t>(y) * stride,
                decoded.image.row_bytes());
  }
  return decoded;
}

}  // namespace rempart::media::internal
