#include "rempart/media/image.h"

#include <cassert>
#include <cstring>

namespace rempart::media {

Image::Image(int width, int height, PixelFormat format)
    : width_(width), height_(height), format_(format) {
  assert(width >= 0 && height >= 0);
  pixels_.resize(static_cast<std::size_t>(width) * height *
                 ChannelCount(format));
}

Image Image::Clone() const {
  Image copy;
  copy.width_ = width_;
  copy.height_ = height_;
  copy.format_ = format_;
  copy.pixels_ = pixels_;
  return copy;
}

bool IsGrayContent(const ImageView& view) {
  if (view.format == PixelFormat::kGray8) return true;
  const std::uint8_t* pixel = view.pixels.data();
  const std::uint8_t* const end = pixel + view.pixels.size() / 3 * 3;
  // Branch-free inner loop over a block, so the common "it is colour" answer
  // costs one block and the "it is grey" answer a single pass.
  constexpr std::size_t kBlockPixels = 4096;
  while (pixel < end) {
    const std::size_t remaining = static_cast<std::size_t>(end - pixel) / 3;
    const std::size_t count =
        remaining < kBlockPixels ? remaining : kBlockPixels;
    unsigned difference = 0;
    for (std::size_t i = 0; i < count; ++i, pixel += 3) {
      difference |= static_cast<unsigned>(pixel[0] ^ pixel[1]) |
                    static_cast<unsigned>(pixel[1] ^ pixel[2]);
    }
    if (difference != 0) return false;
  }
  return true;
}

Image ToGray(const ImageView& view) {
  assert(view.width >= 0 && view.height >= 0 &&
         view.pixels.size() ==
             static_cast<std::size_t>(view.height) * view.row_bytes());
  Image gray(view.width, view.height, PixelFormat::kGray8);
  std::uint8_t* out = gray.mutable_pixels().data();
  if (view.format == PixelFormat::kGray8) {
    std::memcpy(out, view.pixels.data(), view.pixels.size());
    return gray;
  }
  assert(IsGrayContent(view));
  const std::size_t count = static_cast<std::size_t>(view.width) * view.height;
  const std::uint8_t* in = view.pixels.data();
  for (std::size_t i = 0; i < count; ++i) out[i] = in[3 * i];
  return gray;
}

}  // namespace rempart::media
