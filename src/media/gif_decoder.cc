// GIF through giflib, reading record by record and decoding only the first
// image: later frames are never decompressed, so a long animation costs no
// more than its first frame.
//
// The first image is drawn on the logical screen (SWidth x SHeight), which
// is the picture a viewer shows; both the screen and the frame are checked
// against the limits before anything is allocated. The screen starts filled
// with the background colour of the global colour table (black without one).
// Parts of the frame outside the screen are clipped. Transparent pixels keep
// their palette colour (alpha is ignored everywhere in Rempart). Pixel
// indices beyond the colour table take colour 0, as in ImageMagick.
#include <gif_lib.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "media/decoders.h"

namespace rempart::media::internal {
namespace {

struct GifReader {
  std::span<const std::uint8_t> bytes;
  std::size_t offset = 0;
  bool hit_end = false;
};

int ReadGifData(GifFileType* gif, GifByteType* out, int length) {
  auto& reader = *static_cast<GifReader*>(gif->UserData);
  const std::size_t wanted = length > 0 ? static_cast<std::size_t>(length) : 0;
  const std::size_t available = reader.bytes.size() - reader.offset;
  const std::size_t count = std::min(wanted, available);
  if (count < wanted) reader.hit_end = true;
  if (count > 0) std::memcpy(out, reader.bytes.data() + reader.offset, count);
  reader.offset += count;
  return static_cast<int>(count);
}

struct GifCloser {
  void operator()(GifFileType* gif) const {
    int error = 0;
    DGifCloseFile(gif, &error);
  }
};

Status GifError(int code, const GifReader& reader) {
  if (reader.hit_end || code == D_GIF_ERR_READ_FAILED) {
    return InvalidArgumentError("truncated data (premature end of file)");
  }
  if (code == D_GIF_ERR_NOT_ENOUGH_MEM) {
    return ResourceExhaustedError("out of memory");
  }
  const char* text = GifErrorString(code);
  return InvalidArgumentError(text != nullptr ? text : "giflib failed");
}

// Rows of an interlaced image arrive in four passes: every 8th row from 0,
// every 8th from 4, every 4th from 2, every 2nd from 1.
std::vector<int> RowOrder(int height, bool interlaced) {
  std::vector<int> order;
  order.reserve(static_cast<std::size_t>(height));
  if (!interlaced) {
    for (int y = 0; y < height; ++y) order.push_back(y);
    return order;
  }
  constexpr int kStart[] = {0, 4, 2, 1};
  constexpr int kStep[] = {8, 8, 4, 2};
  for (int pass = 0; pass < 4; ++pass) {
    for (int y = kStart[pass]; y < height; y += kStep[pass]) order.push_back(y);
  }
  return order;
}

}  // namespace

Result<DecodedImage> DecodeGif(std::span<const std::uint8_t> bytes,
                               const DecodeOptions& options,
                               const Deadline& deadline) {
  const DecodeLimits& limits = options.limits;
  GifReader reader;
  reader.bytes = bytes;
  int error = 0;
  std::unique_ptr<GifFileType, GifCloser> gif(
      DGifOpen(&reader, ReadGifData, &error));
  if (gif == nullptr) return GifError(error, reader);
  const int canvas_width = gif->SWidth;
  const int canvas_height = gif->SHeight;
  REMPART_RETURN_IF_ERROR(
      CheckDimensions(canvas_width, canvas_height, limits, "canvas"));

  // Skip extensions up to the first image descriptor.
  while (true) {
    if (deadline.Expired()) return DeadlineExceeded(limits);
    GifRecordType record = UNDEFINED_RECORD_TYPE;
    if (DGifGetRecordType(gif.get(), &record) == GIF_ERROR) {
      return GifError(gif->Error, reader);
    }
    if (record == IMAGE_DESC_RECORD_TYPE) break;
    if (record == TERMINATE_RECORD_TYPE) {
      return InvalidArgumentError("file contains no image");
    }
    if (record != EXTENSION_RECORD_TYPE) {
      return InvalidArgumentError("unexpected record type");
    }
    int code = 0;
    GifByteType* block = nullptr;
    if (DGifGetExtension(gif.get(), &code, &block) == GIF_ERROR) {
      return GifError(gif->Error, reader);
    }
    while (block != nullptr) {
      if (DGifGetExtensionNext(gif.get(), &block) == GIF_ERROR) {
        return GifError(gif->Error, reader);
      }
    }
  }
  if (DGifGetImageHeader(gif.get()) == GIF_ERROR) {
    return GifError(gif->Error, reader);
  }
  const GifImageDesc& frame = gif->Image;
  REMPART_RETURN_IF_ERROR(
      CheckDimensions(frame.Width, frame.Height, limits, "frame"));
  const ColorMapObject* colors =
      frame.ColorMap != nullptr ? frame.ColorMap : gif->SColorMap;
  if (colors == nullptr || colors->ColorCount <= 0) {
    return InvalidArgumentError("image has no colour table");
  }

  DecodedImage decoded;
  decoded.source_width = canvas_width;
  decoded.source_height = canvas_height;
  decoded.image = Image(canvas_width, canvas_height, PixelFormat::kRgb8);
  Image& canvas = decoded.image;
  if (gif->SColorMap != nullptr && gif->SBackGroundColor >= 0 &&
      gif->SBackGroundColor < gif->SColorMap->ColorCount) {
    const GifColorType background =
        gif->SColorMap->Colors[gif->SBackGroundColor];
    std::uint8_t* pixel = canvas.mutable_pixels().data();
    const std::size_t count = canvas.pixels().size() / 3;
    for (std::size_t i = 0; i < count; ++i, pixel += 3) {
      pixel[0] = background.Red;
      pixel[1] = background.Green;
      pixel[2] = background.Blue;
    }
  }

  // The visible columns of the frame: [first_x, end_x) in frame coordinates.
  const int first_x = std::clamp(-frame.Left, 0, frame.Width);
  const int end_x = std::clamp(canvas_width - frame.Left, first_x, frame.Width);
  std::vector<GifPixelType> line(static_cast<std::size_t>(frame.Width));
  for (const int y : RowOrder(frame.Height, frame.Interlace)) {
    if (deadline.Expired()) return DeadlineExceeded(limits);
    if (DGifGetLine(gif.get(), line.data(), frame.Width) == GIF_ERROR) {
      return GifError(gif->Error, reader);
    }
    const int canvas_y = frame.Top + y;
    if (canvas_y < 0 || canvas_y >= canvas_height || first_x == end_x) {
      continue;
    }
    std::uint8_t* out = canvas.mutable_row(canvas_y) +
                        3 * static_cast<std::size_t>(frame.Left + first_x);
    for (int x = first_x; x < end_x; ++x, out += 3) {
      const int index = line[static_cast<std::size_t>(x)] < colors->ColorCount
                            ? line[static_cast<std::size_t>(x)]
                            : 0;
      const GifColorType& color = colors->Colors[index];
      out[0] = color.Red;
      out[1] = color.Green;
      out[2] = color.Blue;
    }
  }
  return decoded;
}

}  // namespace rempart::media::internal
