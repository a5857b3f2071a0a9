// PNG through libpng, with the transformations that reproduce what the
// reference sees (spec §2): palette expanded to RGB, grey of 1, 2 or 4 bits
// expanded to 8 (1-bit becomes 0/255), alpha stripped with the colour under
// transparent pixels kept, tRNS ignored, no gamma applied. 16-bit samples are
// scaled to 8 bits with png_set_scale_16 (round(v * 255 / 65535)): this
// departs on purpose from the reference, which keeps the low byte and hashes
// noise (docs/PDQ.md, "Decoding").
//
// libpng reports errors through a callback that must not return; ours records
// the message and longjmps back to the setjmp armed by one of the "phase"
// functions below, which hold no objects with destructors. Ancillary chunks
// we do not need (text, ICC profiles, ...) are not even decompressed, so a
// zTXt or iCCP bomb costs nothing; the rest is bounded by
// png_set_chunk_malloc_max and by the dimension check made on IHDR before
// libpng allocates a row.
#include <png.h>

#include <csetjmp>
#include <cstring>
#include <string>

#include "media/decoders.h"

namespace rempart::media::internal {
namespace {

// Largest ancillary chunk libpng may allocate (libpng's own default).
constexpr png_alloc_size_t kMaxChunkBytes = 8'000'000;

enum class PngFailure { kNone, kLibrary, kTruncated, kDeadline };

struct PngSession {
  png_structp png = nullptr;
  png_infop info = nullptr;
  const std::uint8_t* data = nullptr;
  std::size_t size = 0;
  std::size_t offset = 0;
  PngFailure failure = PngFailure::kNone;
  char message[256] = {};
  // Filled by the phases.
  png_uint_32 width = 0;
  png_uint_32 height = 0;
  int bit_depth = 0;
  int color_type = 0;
  int passes = 1;
  png_size_t row_bytes = 0;
  int channels = 0;

  PngSession() = default;
  PngSession(const PngSession&) = delete;
  PngSession& operator=(const PngSession&) = delete;
  ~PngSession() {
    if (png != nullptr) png_destroy_read_struct(&png, &info, nullptr);
  }
};

PngSession& SessionOf(png_structp png) {
  return *static_cast<PngSession*>(png_get_error_ptr(png));
}

[[noreturn]] void OnError(png_structp png, png_const_charp message) {
  PngSession& session = SessionOf(png);
  if (session.failure == PngFailure::kNone) {
    session.failure = PngFailure::kLibrary;
    std::strncpy(session.message, message != nullptr ? message : "",
                 sizeof(session.message) - 1);
  }
  png_longjmp(png, 1);
}

void OnWarning(png_structp /*png*/, png_const_charp /*message*/) {}

void ReadData(png_structp png, png_bytep out, png_size_t length) {
  auto& session = *static_cast<PngSession*>(png_get_io_ptr(png));
  if (session.size - session.offset < length) {
    session.failure = PngFailure::kTruncated;
    png_error(png, "truncated data");
  }
  std::memcpy(out, session.data + session.offset, length);
  session.offset += length;
}

// ---- Phases: the only functions that call libpng. No non-trivial locals.

bool ReadInfoPhase(PngSession& session, int max_dimension) {
  if (setjmp(png_jmpbuf(session.png)) != 0) return false;
  session.info = png_create_info_struct(session.png);
  if (session.info == nullptr) png_error(session.png, "out of memory");
  png_set_read_fn(session.png, &session, ReadData);
  png_set_user_limits(session.png, static_cast<png_uint_32>(max_dimension),
                      static_cast<png_uint_32>(max_dimension));
  png_set_chunk_malloc_max(session.png, kMaxChunkBytes);
  // Skip every chunk that cannot change the pixels we return, tRNS included
  // (alpha is ignored), and unknown chunks.
  static constexpr png_byte kIgnored[] =
      "bKGD\0cHRM\0eXIf\0gAMA\0hIST\0iCCP\0iTXt\0oFFs\0pCAL\0pHYs\0sBIT\0"
      "sCAL\0sPLT\0sRGB\0tEXt\0tIME\0tRNS\0zTXt";
  png_set_keep_unknown_chunks(session.png, PNG_HANDLE_CHUNK_NEVER, nullptr, 0);
  png_set_keep_unknown_chunks(session.png, PNG_HANDLE_CHUNK_NEVER, kIgnored,
                              static_cast<int>(sizeof(kIgnored) / 5));
  png_read_info(session.png, session.info);
  int interlace = 0;
  png_get_IHDR(session.png, session.info, &session.width, &session.height,
               &session.bit_depth, &session.color_type, &interlace, nullptr,
               nullptr);
  return true;
}

bool TransformPhase(PngSession& session) {
  if (setjmp(png_jmpbuf(session.png)) != 0) return false;
  png_structp png = session.png;
  if (session.color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (session.color_type == PNG_COLOR_TYPE_GRAY && session.bit_depth < 8) {
    png_set_expand_gray_1_2_4_to_8(png);
  }
  if (session.bit_depth == 16) png_set_scale_16(png);
  if ((session.color_type & PNG_COLOR_MASK_ALPHA) != 0)
    png_set_strip_alpha(png);
  session.passes = png_set_interlace_handling(png);
  png_read_update_info(png, session.info);
  session.row_bytes = png_get_rowbytes(png, session.info);
  session.channels = png_get_channels(png, session.info);
  return true;
}

bool ReadRowsPhase(PngSession& session, std::uint8_t* pixels,
                   std::size_t row_bytes, const Deadline& deadline) {
  if (setjmp(png_jmpbuf(session.png)) != 0) return false;
  for (int pass = 0; pass < session.passes; ++pass) {
    for (png_uint_32 y = 0; y < session.height; ++y) {
      if (deadline.Expired()) {
        session.failure = PngFailure::kDeadline;
        return false;
      }
      png_read_row(session.png, pixels + y * row_bytes, nullptr);
    }
  }
  // Reads up to IEND, so that a file cut after its image data is refused like
  // any other truncated file.
  png_read_end(session.png, nullptr);
  return true;
}

// ---- C++ side.

Status FailureStatus(const PngSession& session, const DecodeLimits& limits) {
  switch (session.failure) {
    case PngFailure::kTruncated:
      return InvalidArgumentError("truncated data (premature end of file)");
    case PngFailure::kDeadline:
      return DeadlineExceeded(limits);
    case PngFailure::kLibrary:
    case PngFailure::kNone:
      break;
  }
  const std::string message = session.message;
  return InvalidArgumentError(message.empty() ? "libpng failed" : message);
}

std::uint32_t ReadBigEndian32(const std::uint8_t* bytes) {
  return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) |
         (std::uint32_t{bytes[2]} << 8) | bytes[3];
}

}  // namespace

Result<DecodedImage> DecodePng(std::span<const std::uint8_t> bytes,
                               const DecodeOptions& options,
                               const Deadline& deadline) {
  const DecodeLimits& limits = options.limits;
  // IHDR must be the first chunk (signature, length, "IHDR", width, height).
  // Reading the size here gives a precise ResourceExhausted before libpng
  // sees the file; libpng's own user limits stay on as a second fence.
  if (bytes.size() >= 24 && std::memcmp(bytes.data() + 12, "IHDR", 4) == 0) {
    REMPART_RETURN_IF_ERROR(CheckDimensions(
        ReadBigEndian32(&bytes[16]), ReadBigEndian32(&bytes[20]), limits));
  }

  PngSession session;
  session.data = bytes.data();
  session.size = bytes.size();
  session.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &session, OnError,
                                       OnWarning);
  if (session.png == nullptr) return ResourceExhaustedError("out of memory");
  if (!ReadInfoPhase(session, limits.max_dimension)) {
    return FailureStatus(session, limits);
  }
  REMPART_RETURN_IF_ERROR(
      CheckDimensions(session.width, session.height, limits));
  if (!TransformPhase(session)) return FailureStatus(session, limits);

  const PixelFormat format =
      session.channels == 1 ? PixelFormat::kGray8 : PixelFormat::kRgb8;
  const auto width = static_cast<int>(session.width);
  if ((session.channels != 1 && session.channels != 3) ||
      session.row_bytes !=
          static_cast<std::size_t>(width) * ChannelCount(format)) {
    return InternalError("unexpected libpng output layout (" +
                         std::to_string(session.channels) + " channels)");
  }

  DecodedImage decoded;
  decoded.source_width = width;
  decoded.source_height = static_cast<int>(session.height);
  decoded.image = Image(width, decoded.source_height, format);
  if (!ReadRowsPhase(session, decoded.image.mutable_pixels().data(),
                     decoded.image.row_bytes(), deadline)) {
    return FailureStatus(session, limits);
  }
  return decoded;
}

}  // namespace rempart::media::internal
