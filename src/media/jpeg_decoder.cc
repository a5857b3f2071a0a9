// JPEG through libjpeg-turbo, configured to produce exactly the pixels the
// reference sees (spec §2): integer "slow" IDCT and fancy upsampling, i.e.
// `djpeg -dct int`. EXIF orientation is ignored, as in the reference.
//
// libjpeg reports fatal errors through a callback that must not return; we
// longjmp out of it. Every libjpeg call therefore happens inside one of the
// small "phase" functions below, each of which arms setjmp and holds no
// object with a destructor, so the longjmp only ever skips plain data. All
// C++ work (limit checks, allocation, status building) happens between
// phases. The same longjmp path stops a decode when the deadline expires
// (polled from libjpeg's progress monitor, which runs once per scanline and
// per iMCU row while multi-scan input is consumed) and when the data ends
// early: libjpeg would pad a truncated file with grey and only warn
// (JWRN_JPEG_EOF); ImageMagick hashes that repaired picture, Rempart refuses
// it. Other corrupt-data warnings are ignored, as ImageMagick does.
//
// CMYK and YCCK files (Adobe APP14) are decoded by libjpeg to CMYK and
// converted here with ImageMagick 6's formula, which is what the reference
// hashes; see CmykToRgbChannel() in decoders.h.
//
// Fast mode uses libjpeg-turbo's DCT scaling (M/8), which decodes fewer
// coefficients and is several times faster on photos; the result is a
// different (smaller) picture, so its hash is only close to the exact one.
#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

// jpeglib.h needs FILE and size_t declared first.
// clang-format off
#include <jpeglib.h>
#include <jerror.h>
// clang-format on

#include "media/decoders.h"

namespace rempart::media::internal {
namespace {

enum class JpegFailure { kNone, kLibrary, kTruncated, kDeadline };

// Everything libjpeg touches, kept alive across the phases. Created once per
// decode; the destructor releases libjpeg's memory on every path.
struct JpegSession {
  jpeg_decompress_struct info;
  jpeg_error_mgr error_manager;
  jpeg_progress_mgr progress;
  std::jmp_buf jump;
  const Deadline* deadline = nullptr;
  JpegFailure failure = JpegFailure::kNone;
  int message_code = 0;  // libjpeg's J_MESSAGE_CODE of the fatal error.
  char message[JMSG_LENGTH_MAX] = {};
  bool created = false;

  JpegSession() {
    std::memset(&info, 0, sizeof(info));
    std::memset(&progress, 0, sizeof(progress));
  }
  JpegSession(const JpegSession&) = delete;
  JpegSession& operator=(const JpegSession&) = delete;
  ~JpegSession() {
    if (created) jpeg_destroy_decompress(&info);
  }
};

JpegSession& SessionOf(j_common_ptr info) {
  return *static_cast<JpegSession*>(info->client_data);
}

[[noreturn]] void OnErrorExit(j_common_ptr info) {
  JpegSession& session = SessionOf(info);
  if (session.failure == JpegFailure::kNone) {
    session.failure = JpegFailure::kLibrary;
    session.message_code = info->err->msg_code;
    (*info->err->format_message)(info, session.message);
  }
  std::longjmp(session.jump, 1);
}

// Warnings (level -1) and trace messages. Only "premature end of data" stops
// the decode; nothing is ever printed.
void OnEmitMessage(j_common_ptr info, int level) {
  if (level < 0 && info->err->msg_code == JWRN_JPEG_EOF) {
    JpegSession& session = SessionOf(info);
    session.failure = JpegFailure::kTruncated;
    std::longjmp(session.jump, 1);
  }
}

void OnOutputMessage(j_common_ptr /*info*/) {}

void OnProgress(j_common_ptr info) {
  JpegSession& session = SessionOf(info);
  if (session.deadline->Expired()) {
    session.failure = JpegFailure::kDeadline;
    std::longjmp(session.jump, 1);
  }
}

// ---- Phases: the only functions that call libjpeg. No non-trivial locals.

bool ReadHeaderPhase(JpegSession& session, const std::uint8_t* data,
                     std::size_t size) {
  if (setjmp(session.jump) != 0) return false;
  session.info.err = jpeg_std_error(&session.error_manager);
  session.error_manager.error_exit = OnErrorExit;
  session.error_manager.emit_message = OnEmitMessage;
  session.error_manager.output_message = OnOutputMessage;
  session.info.client_data = &session;
  jpeg_create_decompress(&session.info);
  session.created = true;
  session.progress.progress_monitor = OnProgress;
  session.info.progress = &session.progress;
  // No jpeg_save_markers(): APPn and COM segments are skipped, not kept.
  jpeg_mem_src(&session.info, data, static_cast<unsigned long>(size));
  jpeg_read_header(&session.info, TRUE);
  return true;
}

bool StartPhase(JpegSession& session) {
  if (setjmp(session.jump) != 0) return false;
  jpeg_start_decompress(&session.info);
  return true;
}

// Reads every output row. CMYK rows go through `cmyk_row` (4 bytes per
// pixel) and are converted to RGB in `pixels`.
bool ReadRowsPhase(JpegSession& session, std::uint8_t* pixels,
                   std::size_t row_bytes, std::uint8_t* cmyk_row,
                   void (*convert)(const std::uint8_t*, std::uint8_t*,
                                   std::size_t)) {
  if (setjmp(session.jump) != 0) return false;
  jpeg_decompress_struct& info = session.info;
  while (info.output_scanline < info.output_height) {
    std::uint8_t* row = pixels + info.output_scanline * row_bytes;
    JSAMPROW target = cmyk_row != nullptr ? cmyk_row : row;
    if (jpeg_read_scanlines(&info, &target, 1) != 1) {
      // Only a suspending data source returns 0 rows; ours never suspends.
      session.failure = JpegFailure::kTruncated;
      return false;
    }
    if (cmyk_row != nullptr) convert(cmyk_row, row, info.output_width);
  }
  jpeg_finish_decompress(&info);
  return true;
}

// ---- C++ side.

Status FailureStatus(const JpegSession& session, const DecodeLimits& limits) {
  switch (session.failure) {
    case JpegFailure::kTruncated:
      return InvalidArgumentError("truncated data (premature end of file)");
    case JpegFailure::kDeadline:
      return DeadlineExceeded(limits);
    case JpegFailure::kLibrary:
    case JpegFailure::kNone:
      break;
  }
  std::string message = session.message;
  if (message.empty()) message = "libjpeg failed";
  switch (session.message_code) {
    // Valid JPEG variants libjpeg-turbo does not decode (12-bit samples,
    // lossless or hierarchical processes, unusual colour spaces).
    case JERR_BAD_PRECISION:
    case JERR_SOF_UNSUPPORTED:
    case JERR_CONVERSION_NOTIMPL:
    case JERR_ARITH_NOTIMPL:
    case JERR_NOTIMPL:
    case JERR_NOT_COMPILED:
      return UnimplementedError(message);
    case JERR_OUT_OF_MEMORY:
      return ResourceExhaustedError(message);
    default:
      return InvalidArgumentError(message);
  }
}

// Adobe CMYK JPEGs store every sample inverted (255 - ink), which is the
// form CmykToRgbChannel() takes.
void ConvertCmykRow(const std::uint8_t* cmyk, std::uint8_t* rgb,
                    std::size_t width) {
  for (std::size_t x = 0; x < width; ++x, cmyk += 4, rgb += 3) {
    rgb[0] = CmykToRgbChannel(cmyk[0], cmyk[3]);
    rgb[1] = CmykToRgbChannel(cmyk[1], cmyk[3]);
    rgb[2] = CmykToRgbChannel(cmyk[2], cmyk[3]);
  }
}

// Smallest M in 1..8 such that the image scaled by M/8 keeps its shorter
// side at least `min_side`; 8 (full size) if no smaller scale does.
int ChooseScale(int width, int height, int min_side) {
  if (min_side <= 0) return 8;
  for (int scale = 1; scale < 8; ++scale) {
    // libjpeg-turbo rounds scaled sizes up.
    const long long scaled_width =
        (static_cast<long long>(width) * scale + 7) / 8;
    const long long scaled_height =
        (static_cast<long long>(height) * scale + 7) / 8;
    if (std::min(scaled_width, scaled_height) >= min_side) return scale;
  }
  return 8;
}

}  // namespace

Result<DecodedImage> DecodeJpeg(std::span<const std::uint8_t> bytes,
                                const DecodeOptions& options,
                                const Deadline& deadline) {
  const DecodeLimits& limits = options.limits;
  JpegSession session;
  session.deadline = &deadline;
  if (!ReadHeaderPhase(session, bytes.data(), bytes.size())) {
    return FailureStatus(session, limits);
  }
  jpeg_decompress_struct& info = session.info;
  REMPART_RETURN_IF_ERROR(
      CheckDimensions(info.image_width, info.image_height, limits));

  bool cmyk = false;
  PixelFormat pixel_format = PixelFormat::kRgb8;
  switch (info.jpeg_color_space) {
    case JCS_GRAYSCALE:
      info.out_color_space = JCS_GRAYSCALE;
      pixel_format = PixelFormat::kGray8;
      break;
    case JCS_CMYK:
    case JCS_YCCK:
      info.out_color_space = JCS_CMYK;
      cmyk = true;
      break;
    default:
      info.out_color_space = JCS_RGB;
      break;
  }
  info.dct_method = JDCT_ISLOW;
  info.do_fancy_upsampling = TRUE;
  info.scale_num = ChooseScale(static_cast<int>(info.image_width),
                               static_cast<int>(info.image_height),
                               options.min_side_for_scaling);
  info.scale_denom = 8;
  if (options.fast_jpeg) {
    info.dct_method = JDCT_IFAST;
    info.do_fancy_upsampling = FALSE;
    if (info.jpeg_color_space == JCS_YCbCr) {
      info.out_color_space = JCS_GRAYSCALE;
      pixel_format = PixelFormat::kGray8;
    }
  }

  if (!StartPhase(session)) return FailureStatus(session, limits);
  const int expected_components = cmyk ? 4 : ChannelCount(pixel_format);
  if (info.output_components != expected_components) {
    return InternalError(
        "libjpeg produced " + std::to_string(info.output_components) +
        " components, expected " + std::to_string(expected_components));
  }

  DecodedImage decoded;
  decoded.source_width = static_cast<int>(info.image_width);
  decoded.source_height = static_cast<int>(info.image_height);
  decoded.image = Image(static_cast<int>(info.output_width),
                        static_cast<int>(info.output_height), pixel_format);
  std::vector<std::uint8_t> cmyk_row(cmyk ? info.output_width * 4 : 0);
  if (!ReadRowsPhase(session, decoded.image.mutable_pixels().data(),
                     decoded.image.row_bytes(),
                     cmyk ? cmyk_row.data() : nullptr, ConvertCmykRow)) {
    return FailureStatus(session, limits);
  }
  return decoded;
}

}  // namespace rempart::media::internal
