// Image: decoded 8-bit pixels, grey or RGB, owned and tightly packed.
//
// Rows are stored top to bottom, each `width * channels` bytes with no
// padding; RGB pixels are interleaved R, G, B. An Image is a movable value
// (copying is explicit through Clone() because images can be large). Not
// thread-safe for writing; concurrent reads are fine.
#ifndef REMPART_MEDIA_IMAGE_H_
#define REMPART_MEDIA_IMAGE_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace rempart::media {

enum class PixelFormat : std::uint8_t {
  kGray8 = 1,  // One byte per pixel: luminance.
  kRgb8 = 3,   // Three bytes per pixel: R, G, B.
};

inline int ChannelCount(PixelFormat format) { return static_cast<int>(format); }

// A read-only view of packed pixels owned elsewhere (an Image, a browser's
// canvas buffer). The viewed buffer must outlive the view.
struct ImageView {
  int width = 0;
  int height = 0;
  PixelFormat format = PixelFormat::kRgb8;
  std::span<const std::uint8_t> pixels;  // height * width * channels bytes.

  [[nodiscard]] std::size_t row_bytes() const {
    return static_cast<std::size_t>(width) * ChannelCount(format);
  }
  [[nodiscard]] const std::uint8_t* row(int y) const {
    return pixels.data() + static_cast<std::size_t>(y) * row_bytes();
  }
  // True when the dimensions are positive and the buffer size matches them.
  [[nodiscard]] bool IsValid() const {
    return width > 0 && height > 0 &&
           pixels.size() == static_cast<std::size_t>(height) * row_bytes();
  }
};

class Image {
 public:
  Image() = default;
  // Allocates width * height * channels zeroed bytes. The caller checks
  // dimensions against its limits first.
  Image(int width, int height, PixelFormat format);

  Image(Image&&) noexcept = default;
  Image& operator=(Image&&) noexcept = default;
  Image(const Image&) = delete;
  Image& operator=(const Image&) = delete;
  [[nodiscard]] Image Clone() const;

  [[nodiscard]] int width() const { return width_; }
  [[nodiscard]] int height() const { return height_; }
  [[nodiscard]] PixelFormat format() const { return format_; }
  [[nodiscard]] int channels() const { return ChannelCount(format_); }
  [[nodiscard]] bool empty() const { return pixels_.empty(); }
  [[nodiscard]] std::size_t row_bytes() const {
    return static_cast<std::size_t>(width_) * channels();
  }

  [[nodiscard]] std::span<const std::uint8_t> pixels() const { return pixels_; }
  [[nodiscard]] std::span<std::uint8_t> mutable_pixels() { return pixels_; }
  [[nodiscard]] std::uint8_t* mutable_row(int y) {
    return pixels_.data() + static_cast<std::size_t>(y) * row_bytes();
  }
  [[nodiscard]] const std::uint8_t* row(int y) const {
    return pixels_.data() + static_cast<std::size_t>(y) * row_bytes();
  }
  [[nodiscard]] ImageView view() const {
    return {width_, height_, format_, pixels_};
  }

 private:
  int width_ = 0;
  int height_ = 0;
  PixelFormat format_ = PixelFormat::kRgb8;
  std::vector<std::uint8_t> pixels_;
};

// True when every pixel of an RGB view has R == G == B (always true for grey).
bool IsGrayContent(const ImageView& view);

// The same pixels as one grey channel. `view` must be grey content
// (IsGrayContent); a grey view is copied unchanged.
Image ToGray(const ImageView& view);

}  // namespace rempart::media

#endif  // REMPART_MEDIA_IMAGE_H_
