// Synthetic pictures with structure at many places and scales, for the
// tests of patches, their matching and the evaluation: some eighty filled
// circles and rectangles of random grey levels over a grey gradient.
//
// Shapes are placed in fractions of the picture, so one seed draws the same
// scene at any size. The generator is a fixed SplitMix64, never a std::
// distribution, so a seed draws the same pixels on every standard library.
#ifndef REMPART_TESTS_SUPPORT_TEXTURED_PICTURE_H_
#define REMPART_TESTS_SUPPORT_TEXTURED_PICTURE_H_

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "rempart/media/image.h"

namespace rempart::testing {

class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t Next() {
    std::uint64_t x = (state_ += 0x9e3779b97f4a7c15ull);
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
  }
  // Uniform in [low, high).
  double Uniform(double low, double high) {
    return low + (high - low) * static_cast<double>(Next() >> 11) * 0x1.0p-53;
  }

 private:
  std::uint64_t state_;
};

// An RGB picture (R = G = B) of `shapes` random circles and rectangles
// over a background with a gentle gradient. Each shape is filled with its
// own grey level under a faint grating of random frequency and direction,
// so that, as in a photo, no two places look alike at close range.
inline media::Image TexturedPicture(std::uint64_t seed, int width = 400,
                                    int height = 300, int shapes = 80) {
  SplitMix64 random(seed);
  const double background = random.Uniform(60, 200);
  const double slope_x = random.Uniform(-60, 60);
  const double slope_y = random.Uniform(-60, 60);
  std::vector<double> grey(static_cast<std::size_t>(width) * height);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      grey[static_cast<std::size_t>(y) * width + x] =
          background + slope_x * x / width + slope_y * y / height;
    }
  }
  const double shorter = std::min(width, height);
  for (int s = 0; s < shapes; ++s) {
    const bool circle = random.Next() % 2 == 0;
    // Positions and sizes in fractions of the picture; frequencies in
    // cycles per picture side.
    const double cx = random.Uniform(0, 1) * width;
    const double cy = random.Uniform(0, 1) * height;
    const double rx = random.Uniform(0.03, 0.12) * shorter;
    const double ry = circle ? rx : random.Uniform(0.03, 0.12) * shorter;
    const double level = random.Uniform(0, 256);
    const double amplitude = random.Uniform(0, 60);
    const double fx = random.Uniform(-19, 19) / width;
    const double fy = random.Uniform(-19, 19) / height;
    const double phase = random.Uniform(0, 6.283);
    const int top = std::max(0, static_cast<int>(cy - ry));
    const int bottom = std::min(height - 1, static_cast<int>(cy + ry) + 1);
    const int left = std::max(0, static_cast<int>(cx - rx));
    const int right = std::min(width - 1, static_cast<int>(cx + rx) + 1);
    for (int y = top; y <= bottom; ++y) {
      for (int x = left; x <= right; ++x) {
        const double u = (x + 0.5 - cx) / rx;
        const double v = (y + 0.5 - cy) / ry;
        const bool inside = circle ? u * u + v * v <= 1
                                   : u >= -1 && u <= 1 && v >= -1 && v <= 1;
        if (!inside) continue;
        grey[static_cast<std::size_t>(y) * width + x] =
            level + amplitude * std::sin(6.283 * (fx * x + fy * y) + phase);
      }
    }
  }
  media::Image image(width, height, media::PixelFormat::kRgb8);
  auto pixels = image.mutable_pixels();
  for (std::size_t i = 0; i < grey.size(); ++i) {
    const auto value =
        static_cast<std::uint8_t>(std::clamp(std::lround(grey[i]), 0L, 255L));
    std::fill(pixels.begin() + 3 * i, pixels.begin() + 3 * i + 3, value);
  }
  return image;
}

}  // namespace rempart::testing

#endif  // REMPART_TESTS_SUPPORT_TEXTURED_PICTURE_H_
