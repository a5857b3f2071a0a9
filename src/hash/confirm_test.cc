// Tests of the confirmation hash: pinned bits, the key, robustness to the
// changes a copy goes through, distance between different pictures, the
// dihedral variants and edge cases. Its independence from PDQ under attack
// is tested with the forger, in src/eval/forge_test.cc.
#include "rempart/hash/confirm.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "rempart/core/file.h"
#include "rempart/media/decode.h"

namespace rempart::hash {
namespace {

using media::Image;
using media::PixelFormat;
using Rgb = std::array<std::uint8_t, 3>;

Image MakeImage(int width, int height,
                const std::function<Rgb(int x, int y)>& colour) {
  Image image(width, height, PixelFormat::kRgb8);
  for (int y = 0; y < height; ++y) {
    std::uint8_t* row = image.mutable_row(y);
    for (int x = 0; x < width; ++x) {
      const Rgb rgb = colour(x, y);
      std::copy(rgb.begin(), rgb.end(), row + 3 * static_cast<std::size_t>(x));
    }
  }
  return image;
}

std::uint8_t Clamp(double value) {
  return static_cast<std::uint8_t>(std::clamp(std::lround(value), 0L, 255L));
}

// A textured picture: a few blobs and waves of different colours, the
// same at any size (x and y are read as fractions of the picture).
Image Textured(int width, int height, int variant = 0) {
  return MakeImage(width, height, [=](int x, int y) {
    const double u = (x + 0.5) / width;
    const double v = (y + 0.5) / height;
    const double phase = variant * 1.7;
    const double wave = 60 * std::sin(7 * u + 3 * v + phase) +
                        40 * std::cos(11 * v - 5 * u * u + phase);
    const double blob =
        90 *
        std::exp(-30 * ((u - 0.3 - 0.1 * variant) * (u - 0.3 - 0.1 * variant) +
                        (v - 0.6) * (v - 0.6)));
    return Rgb{Clamp(120 + wave + blob), Clamp(110 + wave - blob / 2),
               Clamp(100 - wave / 2 + blob / 3)};
  });
}

// Grey from 60 (left) to 60 + width/4 (right).
Image HorizontalGradient(int width, int height) {
  return MakeImage(width, height, [](int x, int) {
    const auto level = static_cast<std::uint8_t>(x / 4 + 60);
    return Rgb{level, level, level};
  });
}

// Deterministic noise in -amplitude…amplitude on every channel (a small
// linear congruential generator, so the test needs no std:: distribution).
Image WithNoise(const Image& image, int amplitude) {
  Image out = image.Clone();
  std::uint32_t state = 12345;
  for (std::uint8_t& value : out.mutable_pixels()) {
    state = state * 1664525u + 1013904223u;
    const int noise =
        static_cast<int>((state >> 16) % (2 * amplitude + 1)) - amplitude;
    value = Clamp(value + noise);
  }
  return out;
}

// Halves each side, averaging 2×2 blocks.
Image HalfSize(const Image& image) {
  Image out(image.width() / 2, image.height() / 2, image.format());
  const int channels = image.channels();
  for (int y = 0; y < out.height(); ++y) {
    for (int x = 0; x < out.width(); ++x) {
      for (int c = 0; c < channels; ++c) {
        int sum = 0;
        for (int dy = 0; dy < 2; ++dy) {
          for (int dx = 0; dx < 2; ++dx) {
            sum += image.row(2 * y + dy)[(2 * x + dx) * channels + c];
          }
        }
        out.mutable_row(y)[x * channels + c] =
            static_cast<std::uint8_t>((sum + 2) / 4);
      }
    }
  }
  return out;
}

// Each pixel repeated `factor` times in both directions.
Image Enlarged(const Image& image, int factor) {
  Image out(image.width() * factor, image.height() * factor, image.format());
  const int channels = image.channels();
  for (int y = 0; y < out.height(); ++y) {
    for (int x = 0; x < out.width(); ++x) {
      for (int c = 0; c < channels; ++c) {
        out.mutable_row(y)[x * channels + c] =
            image.row(y / factor)[(x / factor) * channels + c];
      }
    }
  }
  return out;
}

// The picture turned or mirrored as `variant` says (pdq.h's definitions).
Image Turned(const Image& image, Dihedral variant) {
  const int width = image.width();
  const int height = image.height();
  const bool swaps =
      variant == Dihedral::kRotate90 || variant == Dihedral::kRotate270 ||
      variant == Dihedral::kFlipPlus1 || variant == Dihedral::kFlipMinus1;
  Image out(swaps ? height : width, swaps ? width : height, image.format());
  const int channels = image.channels();
  for (int y = 0; y < out.height(); ++y) {
    for (int x = 0; x < out.width(); ++x) {
      int source_x = x;
      int source_y = y;
      switch (variant) {
        case Dihedral::kOriginal:
          break;
        case Dihedral::kRotate90:  // Counter-clockwise.
          source_x = width - 1 - y;
          source_y = x;
          break;
        case Dihedral::kRotate180:
          source_x = width - 1 - x;
          source_y = height - 1 - y;
          break;
        case Dihedral::kRotate270:  // Clockwise.
          source_x = y;
          source_y = height - 1 - x;
          break;
        case Dihedral::kFlipX:
          source_y = height - 1 - y;
          break;
        case Dihedral::kFlipY:
          source_x = width - 1 - x;
          break;
        case Dihedral::kFlipPlus1:
          source_x = y;
          source_y = x;
          break;
        case Dihedral::kFlipMinus1:
          source_x = width - 1 - y;
          source_y = height - 1 - x;
          break;
      }
      for (int c = 0; c < channels; ++c) {
        out.mutable_row(y)[x * channels + c] =
            image.row(source_y)[source_x * channels + c];
      }
    }
  }
  return out;
}

Image Fixture(const std::string& name) {
  auto bytes = ReadFileBytes(
      std::string(REMPART_SOURCE_DIR) + "/tests/fixtures/media/" + name,
      1 << 20);
  EXPECT_TRUE(bytes.has_value()) << name;
  if (!bytes.has_value()) return {};
  auto decoded = media::DecodeImage(*bytes);
  EXPECT_TRUE(decoded.has_value()) << name;
  if (!decoded.has_value()) return {};
  return std::move(decoded->image);
}

ConfirmResult HashOf(const Image& image,
                     const ConfirmHasher& hasher = ConfirmHasher()) {
  auto result = hasher.Hash(image.view());
  EXPECT_TRUE(result.has_value()) << result.error().ToString();
  return result.has_value() ? *std::move(result) : ConfirmResult{};
}

int DistanceOf(const Image& a, const Image& b,
               const ConfirmHasher& hasher = ConfirmHasher()) {
  return Distance(HashOf(a, hasher).hash, HashOf(b, hasher).hash);
}

std::span<const std::uint8_t> Bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

TEST(ConfirmHasherTest, PinnedHashOfASyntheticPicture) {
  // Any change to the thumbnail, the band, the whitening, the patterns or
  // the threshold changes these bits: a new algorithm needs a new key name.
  const ConfirmResult result = HashOf(Textured(320, 240));
  EXPECT_EQ(result.hash.ToHex(),
            "5a66a798ec1b11778d28738f8ed19e60614f09661e6fafafd9cca85e64288531");
  EXPECT_EQ(result.quality, 100);
  EXPECT_EQ(result.hash.popcount(), 128);
  EXPECT_EQ(HashOf(HorizontalGradient(256, 256)).quality, 18);
}

TEST(ConfirmHasherTest, SameInputSameHash) {
  const Image image = Textured(301, 199);
  const ConfirmHasher hasher;
  const ConfirmResult first = HashOf(image, hasher);
  const ConfirmResult second = HashOf(image, hasher);
  EXPECT_EQ(first.hash, second.hash);
  EXPECT_EQ(first.quality, second.quality);
  // A new hasher, and the default key spelt out, give the same bits.
  EXPECT_EQ(HashOf(image, ConfirmHasher(Bytes(kConfirmDefaultKey))).hash,
            first.hash);
}

TEST(ConfirmHasherTest, KeyChangesEveryBitAtRandom) {
  const Image image = Textured(320, 240);
  const ConfirmHash public_hash = HashOf(image).hash;
  const ConfirmHash secret_hash =
      HashOf(image, ConfirmHasher(Bytes("a platform's secret"))).hash;
  const ConfirmHash other_hash =
      HashOf(image, ConfirmHasher(Bytes("a platform's secret."))).hash;
  EXPECT_GT(Distance(public_hash, secret_hash), 80);
  EXPECT_GT(Distance(secret_hash, other_hash), 80);
  // Under the secret key, copies still match.
  const ConfirmHasher secret(Bytes("a platform's secret"));
  EXPECT_LE(DistanceOf(image, WithNoise(image, 6), secret), 16);
}

TEST(ConfirmHasherTest, RobustToResizeNoiseAndContrast) {
  const Image image = Textured(640, 480);
  EXPECT_LE(DistanceOf(image, HalfSize(image)), 8);
  EXPECT_LE(DistanceOf(image, HalfSize(HalfSize(image))), 12);
  EXPECT_LE(DistanceOf(image, WithNoise(image, 8)), 12);
  const Image darker = MakeImage(640, 480, [&](int x, int y) {
    const std::uint8_t* pixel = image.row(y) + 3 * static_cast<std::size_t>(x);
    return Rgb{Clamp(0.8 * pixel[0] + 20), Clamp(0.8 * pixel[1] + 20),
               Clamp(0.8 * pixel[2] + 20)};
  });
  EXPECT_LE(DistanceOf(image, darker), 8);
}

TEST(ConfirmHasherTest, RobustOnAPhoto) {
  const Image photo = Fixture("source.png");
  ASSERT_FALSE(photo.empty());
  EXPECT_GE(HashOf(photo).quality, 50);
  EXPECT_LE(DistanceOf(photo, HalfSize(photo)), 16);
  EXPECT_LE(DistanceOf(photo, WithNoise(photo, 8)), 12);
  // The same photo from its JPEG file.
  EXPECT_LE(DistanceOf(photo, Fixture("source.jpg")), 12);
}

TEST(ConfirmHasherTest, EnlargingByPixelRepetitionKeepsEveryBit) {
  // The area average of a repeated pixel is the pixel: same thumbnail.
  const Image image = Textured(96, 64);
  EXPECT_EQ(HashOf(Enlarged(image, 3)).hash, HashOf(image).hash);
}

TEST(ConfirmHasherTest, DifferentPicturesAreFarApart) {
  const std::vector<Image> pictures = [] {
    std::vector<Image> list;
    list.push_back(Textured(320, 240, 0));
    list.push_back(Textured(320, 240, 3));
    list.push_back(Turned(Textured(240, 320, 0), Dihedral::kRotate90));
    list.push_back(Fixture("source.png"));
    return list;
  }();
  for (std::size_t a = 0; a < pictures.size(); ++a) {
    for (std::size_t b = a + 1; b < pictures.size(); ++b) {
      EXPECT_GT(DistanceOf(pictures[a], pictures[b]), kConfirmMatchDistance)
          << a << " " << b;
    }
  }
}

TEST(ConfirmHasherTest, DihedralVariantsAreTheHashesOfTheTurnedPicture) {
  const Image image = Textured(200, 120);
  const ConfirmHasher hasher;
  auto result = hasher.Hash(image.view(), {.dihedral = true});
  ASSERT_TRUE(result.has_value());
  ASSERT_TRUE(result->dihedral.has_value());
  EXPECT_EQ((*result->dihedral)[0], result->hash);
  for (int variant = 0; variant < kDihedralCount; ++variant) {
    const auto turned = static_cast<Dihedral>(variant);
    EXPECT_EQ(HashOf(Turned(image, turned), hasher).hash,
              (*result->dihedral)[variant])
        << DihedralName(turned);
  }
  EXPECT_FALSE(HashOf(image, hasher).dihedral.has_value());
}

TEST(ConfirmHasherTest, GreyAndRgbOfTheSamePixelsAgree) {
  const Image rgb = MakeImage(90, 70, [](int x, int y) {
    const auto level = static_cast<std::uint8_t>((x * x + 3 * y * x) % 256);
    return Rgb{level, level, level};
  });
  const Image grey = media::ToGray(rgb.view());
  EXPECT_LE(Distance(HashOf(rgb).hash, HashOf(grey).hash), 2);
}

TEST(ConfirmHasherTest, FlatPicturesHaveQualityZeroAndNoBits) {
  for (const auto& colour :
       {Rgb{0, 0, 0}, Rgb{37, 200, 91}, Rgb{255, 255, 255}}) {
    const Image flat = MakeImage(123, 77, [&](int, int) { return colour; });
    const ConfirmResult result = HashOf(flat);
    EXPECT_EQ(result.quality, 0);
    EXPECT_EQ(result.hash, ConfirmHash());
  }
  Image grey(64, 64, PixelFormat::kGray8);
  std::fill(grey.mutable_pixels().begin(), grey.mutable_pixels().end(), 128);
  EXPECT_EQ(HashOf(grey).quality, 0);
}

TEST(ConfirmHasherTest, SmoothPicturesHaveLowerQualityThanTextured) {
  const int smooth = HashOf(HorizontalGradient(256, 256)).quality;
  EXPECT_GT(smooth, 0);
  EXPECT_LT(smooth, kPdqMinUsefulQuality);
  EXPECT_GE(HashOf(Textured(256, 256)).quality, kPdqMinUsefulQuality);
}

TEST(ConfirmHasherTest, InvalidViewIsInvalidArgument) {
  const std::vector<std::uint8_t> pixels(10);
  const ConfirmHasher hasher;
  for (const media::ImageView& view :
       {media::ImageView{4, 4, PixelFormat::kRgb8, pixels},
        media::ImageView{0, 4, PixelFormat::kGray8, {}},
        media::ImageView{-2, 5, PixelFormat::kGray8, pixels}}) {
    auto result = hasher.Hash(view);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code(), StatusCode::kInvalidArgument);
  }
}

TEST(ConfirmHasherTest, TinyPicturesDoNotCrash) {
  const ConfirmHasher hasher;
  for (const auto& [width, height] :
       std::vector<std::pair<int, int>>{{1, 1}, {4, 4}, {1, 300}, {300, 4}}) {
    const Image image = Textured(width, height);
    const ConfirmResult result = HashOf(image, hasher);
    EXPECT_EQ(result.hash, ConfirmHash()) << width << "x" << height;
    EXPECT_EQ(result.quality, 0);
  }
  for (const auto& [width, height] : std::vector<std::pair<int, int>>{
           {5, 5}, {7, 31}, {33, 5}, {31, 33}, {1000, 6}}) {
    const Image image = Textured(width, height);
    auto result = hasher.Hash(image.view(), {.dihedral = true});
    ASSERT_TRUE(result.has_value()) << width << "x" << height;
    EXPECT_EQ(result->dihedral->size(), 8u);
  }
}

}  // namespace
}  // namespace rempart::hash
