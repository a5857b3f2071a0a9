// TIFF through libtiff's RGBA interface (TIFFRGBAImage), which handles every
// photometric interpretation, bit depth up to 16 and compression libtiff
// knows, and returns 8-bit samples (16-bit ones scaled). Only the first
// directory (page) is decoded.
//
// The file is read from memory through client procedures. Errors and
// warnings go to per-open handlers (TIFFOpenOptions) that record the first
// error message and never print; the process-wide handlers are cleared as a
// backstop for any libtiff code path that still uses them. A single libtiff
// allocation is capped in proportion to max_pixels, and the directory chain
// is counted here (cheaply, without parsing tags) against max_frames.
//
// Pixels are the stored grid: the Orientation tag is ignored, as EXIF
// orientation is for JPEG (requesting the file's own orientation makes
// TIFFRGBAImage apply no flip). Alpha is ignored: TIFFRGBAImage would
// premultiply unassociated alpha, losing the colour under transparent pixels,
// so such files are relabelled as associated alpha in the in-memory
// directory, which makes libtiff copy the colour samples unchanged.
//
// 8-bit CMYK is converted to RGB as ImageMagick does it (see
// CmykToRgbChannel()), not with libtiff's truncating formula.
//
// Rows are decoded a strip or tile row at a time (TIFFRGBAImageGet with a
// row offset) so that the deadline is polled between chunks.
#include <tiffio.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "media/decoders.h"

namespace rempart::media::internal {
namespace {

// Rows decoded between deadline checks, at least (rounded up to whole strips
// or tiles).
constexpr std::uint32_t kMinChunkRows = 64;
// Cap on one libtiff allocation, per pixel allowed by max_pixels: room for a
// strip of 16-bit samples with extra channels.
constexpr std::uint64_t kMaxAllocBytesPerPixel = 16;
constexpr std::uint64_t kMinAllocCap = 64ull << 20;

struct MemoryFile {
  std::span<const std::uint8_t> bytes;
  std::uint64_t position = 0;
  bool read_past_end = false;
  std::string error;  // First error libtiff reported.
};

tmsize_t ReadProc(thandle_t handle, void* out, tmsize_t size) {
  auto& file = *static_cast<MemoryFile*>(handle);
  if (size <= 0) return 0;
  const std::uint64_t available =
      file.position < file.bytes.size() ? file.bytes.size() - file.position : 0;
  const std::uint64_t count =
      std::min<std::uint64_t>(available, static_cast<std::uint64_t>(size));
  if (count < static_cast<std::uint64_t>(size)) file.read_past_end = true;
  if (count > 0) std::memcpy(out, file.bytes.data() + file.position, count);
  file.position += count;
  return static_cast<tmsize_t>(count);
}

tmsize_t WriteProc(thandle_t /*handle*/, void* /*data*/, tmsize_t /*size*/) {
  return -1;
}

toff_t SeekProc(thandle_t handle, toff_t offset, int whence) {
  auto& file = *static_cast<MemoryFile*>(handle);
  std::uint64_t base = 0;
  if (whence == SEEK_CUR) base = file.position;
  if (whence == SEEK_END) base = file.bytes.size();
  const std::uint64_t target = base + offset;
  if (target < base) return static_cast<toff_t>(-1);  // Overflow.
  file.position = target;
  return target;
}

int CloseProc(thandle_t /*handle*/) { return 0; }

toff_t SizeProc(thandle_t handle) {
  return static_cast<MemoryFile*>(handle)->bytes.size();
}

int MapProc(thandle_t /*handle*/, void** /*base*/, toff_t* /*size*/) {
  return 0;
}

void UnmapProc(thandle_t /*handle*/, void* /*base*/, toff_t /*size*/) {}

int OnError(TIFF* /*tiff*/, void* user_data, const char* module,
            const char* format, va_list arguments) {
  auto& file = *static_cast<MemoryFile*>(user_data);
  if (file.error.empty()) {
    char text[512];
    std::vsnprintf(text, sizeof(text), format, arguments);
    file.error = module != nullptr && module[0] != '\0'
                     ? std::string(module) + ": " + text
                     : std::string(text);
  }
  return 1;  // Handled: do not call the process-wide handler.
}

int OnWarning(TIFF* /*tiff*/, void* /*user_data*/, const char* /*module*/,
              const char* /*format*/, va_list /*arguments*/) {
  return 1;
}

void SilenceGlobalHandlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    TIFFSetErrorHandler(nullptr);
    TIFFSetWarningHandler(nullptr);
  });
}

struct OptionsFree {
  void operator()(TIFFOpenOptions* options) const {
    TIFFOpenOptionsFree(options);
  }
};
struct TiffClose {
  void operator()(TIFF* tiff) const { TIFFClose(tiff); }
};

// Ends a TIFFRGBAImage while it is active (between a successful
// TIFFRGBAImageBegin and the end of the decode or an explicit End()).
class RgbaImageGuard {
 public:
  explicit RgbaImageGuard(TIFFRGBAImage* image) : image_(image) {}
  RgbaImageGuard(const RgbaImageGuard&) = delete;
  RgbaImageGuard& operator=(const RgbaImageGuard&) = delete;
  ~RgbaImageGuard() { End(); }
  void End() {
    if (active_) TIFFRGBAImageEnd(image_);
    active_ = false;
  }
  void Begun() { active_ = true; }

 private:
  TIFFRGBAImage* image_;
  bool active_ = true;
};

// Replacements for TIFFRGBAImage's 8-bit CMYK "put" routines, which
// truncate (255 - k)(255 - c) / 255; these convert as ImageMagick does
// (CmykToRgbChannel), like CMYK JPEG. Same contract as libtiff's routines:
// `w` x `h` pixels from `in` to the ABGR raster `out`, skipping `in_skew`
// pixels and `out_skew` raster entries after each row.
std::uint32_t PackCmyk(unsigned c, unsigned m, unsigned y, unsigned k) {
  return std::uint32_t{CmykToRgbChannel(255 - c, 255 - k)} |
         std::uint32_t{CmykToRgbChannel(255 - m, 255 - k)} << 8 |
         std::uint32_t{CmykToRgbChannel(255 - y, 255 - k)} << 16 | 0xFF000000u;
}

void PutCmykContig8(TIFFRGBAImage* image, std::uint32_t* out,
                    std::uint32_t /*x*/, std::uint32_t /*y*/, std::uint32_t w,
                    std::uint32_t h, std::int32_t in_skew,
                    std::int32_t out_skew, unsigned char* in) {
  const int samples = image->samplesperpixel;
  for (; h > 0; --h) {
    for (std::uint32_t i = 0; i < w; ++i, in += samples) {
      *out++ = PackCmyk(in[0], in[1], in[2], in[3]);
    }
    out += out_skew;
    in += static_cast<std::ptrdiff_t>(in_skew) * samples;
  }
}

void PutCmykSeparate8(TIFFRGBAImage* /*image*/, std::uint32_t* out,
                      std::uint32_t /*x*/, std::uint32_t /*y*/, std::uint32_t w,
                      std::uint32_t h, std::int32_t in_skew,
                      std::int32_t out_skew, unsigned char* c, unsigned char* m,
                      unsigned char* y, unsigned char* k) {
  for (; h > 0; --h) {
    for (std::uint32_t i = 0; i < w; ++i) {
      *out++ = PackCmyk(*c++, *m++, *y++, *k++);
    }
    out += out_skew;
    c += in_skew;
    m += in_skew;
    y += in_skew;
    k += in_skew;
  }
}

std::uint64_t ReadUnsigned(std::span<const std::uint8_t> bytes,
                           std::uint64_t offset, int size, bool little) {
  std::uint64_t value = 0;
  for (int i = 0; i < size; ++i) {
    const std::uint8_t byte = bytes[offset + (little ? size - 1 - i : i)];
    value = (value << 8) | byte;
  }
  return value;
}

// Follows the chain of image file directories from the header, reading only
// each directory's entry count and next offset; stops after `stop_after` + 1
// directories. A chain that loops back is malformed.
Result<std::int64_t> CountDirectories(std::span<const std::uint8_t> bytes,
                                      std::int64_t stop_after) {
  if (bytes.size() < 8) {
    return InvalidArgumentError("truncated data (header incomplete)");
  }
  const bool little = bytes[0] == 'I';
  const bool big_tiff = ReadUnsigned(bytes, 2, 2, little) == 43;
  const int offset_size = big_tiff ? 8 : 4;
  const int count_size = big_tiff ? 8 : 2;
  const int entry_size = big_tiff ? 20 : 12;
  if (big_tiff && bytes.size() < 16) {
    return InvalidArgumentError("truncated data (header incomplete)");
  }
  std::uint64_t offset =
      ReadUnsigned(bytes, big_tiff ? 8 : 4, offset_size, little);
  std::set<std::uint64_t> seen;
  std::int64_t count = 0;
  while (offset != 0 && count <= stop_after) {
    if (offset > bytes.size() ||
        bytes.size() - offset < std::uint64_t(count_size)) {
      break;  // libtiff reports a bad first directory; later ones are unread.
    }
    if (!seen.insert(offset).second) {
      return InvalidArgumentError("directory chain loops back on itself");
    }
    ++count;
    const std::uint64_t entries =
        ReadUnsigned(bytes, offset, count_size, little);
    const std::uint64_t next_at = offset + count_size + entries * entry_size;
    if (entries > bytes.size() || next_at + offset_size > bytes.size()) break;
    offset = ReadUnsigned(bytes, next_at, offset_size, little);
  }
  return count;
}

Status LibraryError(const MemoryFile& file, const char* fallback) {
  const std::string detail = file.error.empty() ? fallback : file.error;
  if (file.read_past_end) {
    return InvalidArgumentError("truncated data (" + detail + ")");
  }
  return InvalidArgumentError(detail);
}

}  // namespace

Result<DecodedImage> DecodeTiff(std::span<const std::uint8_t> bytes,
                                const DecodeOptions& options,
                                const Deadline& deadline) {
  const DecodeLimits& limits = options.limits;
  auto directories = CountDirectories(bytes, limits.max_frames);
  if (!directories) return directories.error();
  REMPART_RETURN_IF_ERROR(CheckFrameCount(*directories, limits));

  SilenceGlobalHandlers();
  MemoryFile file;
  file.bytes = bytes;
  std::unique_ptr<TIFFOpenOptions, OptionsFree> open_options(
      TIFFOpenOptionsAlloc());
  if (open_options == nullptr) return ResourceExhaustedError("out of memory");
  TIFFOpenOptionsSetErrorHandlerExtR(open_options.get(), OnError, &file);
  TIFFOpenOptionsSetWarningHandlerExtR(open_options.get(), OnWarning, &file);
  const std::uint64_t alloc_cap = std::max(
      kMinAllocCap, std::min<std::uint64_t>(limits.max_pixels, 1ull << 40) *
                        kMaxAllocBytesPerPixel);
  TIFFOpenOptionsSetMaxSingleMemAlloc(open_options.get(),
                                      static_cast<tmsize_t>(alloc_cap));
  // "m": never memory-map (our "file" is already memory).
  std::unique_ptr<TIFF, TiffClose> tiff(TIFFClientOpenExt(
      "memory", "rm", &file, ReadProc, WriteProc, SeekProc, CloseProc, SizeProc,
      MapProc, UnmapProc, open_options.get()));
  if (tiff == nullptr) return LibraryError(file, "cannot open file");

  std::uint32_t width = 0;
  std::uint32_t height = 0;
  if (TIFFGetField(tiff.get(), TIFFTAG_IMAGEWIDTH, &width) != 1 ||
      TIFFGetField(tiff.get(), TIFFTAG_IMAGELENGTH, &height) != 1) {
    return InvalidArgumentError("image size tags missing");
  }
  REMPART_RETURN_IF_ERROR(CheckDimensions(width, height, limits));

  char message[1024] = {};
  if (TIFFRGBAImageOK(tiff.get(), message) == 0) {
    // "Sorry, can not handle ..." is libtiff's wording for variants it
    // recognises but does not support.
    if (std::strncmp(message, "Sorry", 5) == 0) {
      return UnimplementedError(message);
    }
    return InvalidArgumentError(message[0] != '\0' ? message
                                                   : "unsupported layout");
  }
  TIFFRGBAImage rgba;
  std::memset(&rgba, 0, sizeof(rgba));
  if (TIFFRGBAImageBegin(&rgba, tiff.get(), 1, message) == 0) {
    return InvalidArgumentError(message[0] != '\0' ? message
                                                   : "cannot start decoding");
  }
  RgbaImageGuard guard(&rgba);
  if (rgba.alpha == EXTRASAMPLE_UNASSALPHA) {
    std::uint16_t count = 0;
    std::uint16_t* kinds = nullptr;
    if (TIFFGetField(tiff.get(), TIFFTAG_EXTRASAMPLES, &count, &kinds) == 1 &&
        kinds != nullptr) {
      std::vector<std::uint16_t> relabelled(kinds, kinds + count);
      std::replace(relabelled.begin(), relabelled.end(),
                   std::uint16_t{EXTRASAMPLE_UNASSALPHA},
                   std::uint16_t{EXTRASAMPLE_ASSOCALPHA});
      guard.End();
      if (TIFFSetField(tiff.get(), TIFFTAG_EXTRASAMPLES, count,
                       relabelled.data()) != 1 ||
          TIFFRGBAImageBegin(&rgba, tiff.get(), 1, message) == 0) {
        return InvalidArgumentError(
            message[0] != '\0' ? message : "cannot relabel alpha");
      }
      guard.Begun();
    }
  }
  rgba.req_orientation = rgba.orientation;  // Stored grid: no flips.
  if (rgba.photometric == PHOTOMETRIC_SEPARATED && rgba.bitspersample == 8 &&
      rgba.samplesperpixel >= 4) {
    if (rgba.isContig != 0) {
      rgba.put.contig = PutCmykContig8;
    } else {
      rgba.put.separate = PutCmykSeparate8;
    }
  }
  if (rgba.width != width || rgba.height != height) {
    return InternalError("libtiff reports inconsistent sizes");
  }

  std::uint32_t unit_rows = 0;
  if (TIFFIsTiled(tiff.get()) != 0) {
    TIFFGetField(tiff.get(), TIFFTAG_TILELENGTH, &unit_rows);
  } else {
    TIFFGetFieldDefaulted(tiff.get(), TIFFTAG_ROWSPERSTRIP, &unit_rows);
  }
  unit_rows = std::clamp<std::uint32_t>(unit_rows, 1, height);
  const std::uint32_t chunk_rows = std::min<std::uint32_t>(
      height, (kMinChunkRows + unit_rows - 1) / unit_rows * unit_rows);

  DecodedImage decoded;
  decoded.source_width = static_cast<int>(width);
  decoded.source_height = static_cast<int>(height);
  decoded.image =
      Image(decoded.source_width, decoded.source_height, PixelFormat::kRgb8);
  std::vector<std::uint32_t> raster(static_cast<std::size_t>(width) *
                                    chunk_rows);
  for (std::uint32_t row = 0; row < height; row += chunk_rows) {
    if (deadline.Expired()) return DeadlineExceeded(limits);
    const std::uint32_t rows = std::min(chunk_rows, height - row);
    rgba.row_offset = static_cast<int>(row);
    rgba.col_offset = 0;
    if (TIFFRGBAImageGet(&rgba, raster.data(), width, rows) == 0) {
      return LibraryError(file, "cannot read pixels");
    }
    const std::uint32_t* in = raster.data();
    for (std::uint32_t y = 0; y < rows; ++y) {
      std::uint8_t* out = decoded.image.mutable_row(static_cast<int>(row + y));
      for (std::uint32_t x = 0; x < width; ++x, ++in, out += 3) {
        out[0] = static_cast<std::uint8_t>(TIFFGetR(*in));
        out[1] = static_cast<std::uint8_t>(TIFFGetG(*in));
        out[2] = static_cast<std::uint8_t>(TIFFGetB(*in));
      }
    }
  }
  return decoded;
}

}  // namespace rempart::media::internal
