// Tests of the PDQ forger, and of what it is for: a forgery that matches a
// target on PDQ does not match it on the confirmation hash.
#include "rempart/eval/forge.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "rempart/core/file.h"
#include "rempart/hash/confirm.h"
#include "rempart/hash/pdq.h"
#include "rempart/media/decode.h"

namespace rempart::eval {
namespace {

using media::Image;
using media::PixelFormat;
using Rgb = std::array<std::uint8_t, 3>;

std::uint8_t Clamp(double value) {
  return static_cast<std::uint8_t>(std::clamp(std::lround(value), 0L, 255L));
}

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

// A landscape-like picture: sky, hills and a sun whose place and colours
// depend on `variant`.
Image Landscape(int width, int height, int variant) {
  return MakeImage(width, height, [=](int x, int y) {
    const double u = (x + 0.5) / width;
    const double v = (y + 0.5) / height;
    const double hill =
        0.55 + 0.12 * std::sin(6 * u + variant) + 0.05 * std::cos(17 * u);
    const double sun_x = 0.2 + 0.15 * variant;
    const double sun =
        std::exp(-60 * ((u - sun_x) * (u - sun_x) + (v - 0.25) * (v - 0.25)));
    if (v > hill) {
      const double grass = 20 * std::sin(40 * u + 25 * v + variant);
      return Rgb{Clamp(40 + grass), Clamp(110 + 40 * (v - hill) + grass),
                 Clamp(30 + grass / 2)};
    }
    return Rgb{Clamp(90 + 160 * sun + 60 * v), Clamp(140 + 110 * sun),
               Clamp(230 - 80 * sun - 40 * v)};
  });
}

// Tiles and stripes.
Image Pattern(int width, int height) {
  return MakeImage(width, height, [=](int x, int y) {
    const bool tile = ((x * 6 / width) + (y * 4 / height)) % 2 == 0;
    const double stripe = 50 * std::sin(0.15 * (x + 2 * y));
    return tile ? Rgb{Clamp(200 + stripe), Clamp(60), Clamp(70 - stripe)}
                : Rgb{Clamp(40), Clamp(90 + stripe), Clamp(180)};
  });
}

Image Photo() {
  auto bytes = ReadFileBytes(
      std::string(REMPART_SOURCE_DIR) + "/tests/fixtures/media/source.png",
      1 << 20);
  EXPECT_TRUE(bytes.has_value());
  if (!bytes.has_value()) return {};
  auto decoded = media::DecodeImage(*bytes);
  EXPECT_TRUE(decoded.has_value());
  if (!decoded.has_value()) return {};
  return std::move(decoded->image);
}

hash::PdqHash PdqOf(const Image& image) {
  hash::PdqHasher hasher;
  auto result = hasher.Hash(image.view());
  EXPECT_TRUE(result.has_value());
  return result.has_value() ? result->hash : hash::PdqHash();
}

hash::ConfirmHash ConfirmOf(const Image& image) {
  auto result = hash::ConfirmHasher().Hash(image.view());
  EXPECT_TRUE(result.has_value());
  return result.has_value() ? result->hash : hash::ConfirmHash();
}

TEST(ForgeTest, ForgeriesMatchTheTargetOnPdqButNotOnTheConfirmationHash) {
  std::vector<Image> pictures;
  pictures.push_back(Landscape(480, 320, 0));
  pictures.push_back(Pattern(400, 400));
  pictures.push_back(Photo());
  pictures.push_back(Landscape(700, 900, 2));  // Squashed to 512 by kCli.
  ASSERT_FALSE(pictures[2].empty());
  for (std::size_t s = 0; s < pictures.size(); ++s) {
    const Image& source = pictures[s];
    const Image& target = pictures[(s + 1) % pictures.size()];
    const hash::PdqHash target_hash = PdqOf(target);
    ASSERT_GT(hash::Distance(PdqOf(source), target_hash),
              hash::kPdqMatchDistance);

    auto forged = ForgePdqCollision(source.view(), target_hash);
    ASSERT_TRUE(forged.has_value()) << forged.error().ToString();
    SCOPED_TRACE("source " + std::to_string(s) + ", " +
                 std::to_string(forged->rounds) + " rounds, mean change " +
                 std::to_string(forged->mean_absolute_change));
    EXPECT_EQ(forged->image.width(), source.width());
    EXPECT_EQ(forged->image.height(), source.height());
    EXPECT_EQ(forged->image.format(), PixelFormat::kRgb8);
    // The reported hash and distance are PdqHasher's.
    EXPECT_EQ(PdqOf(forged->image), forged->hash);
    EXPECT_EQ(hash::Distance(forged->hash, target_hash), forged->distance);
    EXPECT_LE(forged->distance, ForgeOptions{}.goal);
    EXPECT_GE(forged->rounds, 1);
    EXPECT_GT(forged->mean_absolute_change, 0);
    EXPECT_LT(forged->mean_absolute_change, 25);
    EXPECT_LE(forged->max_absolute_change, 255);

    // The point of the second hash: the forgery is as far from the
    // target's confirmation hash as an unrelated picture.
    EXPECT_GT(hash::Distance(ConfirmOf(forged->image), ConfirmOf(target)),
              hash::kConfirmMatchDistance + 16);
  }
}

TEST(ForgeTest, AMatchingSourceIsReturnedUnchanged) {
  const Image source = Landscape(200, 150, 1);
  auto forged = ForgePdqCollision(source.view(), PdqOf(source));
  ASSERT_TRUE(forged.has_value());
  EXPECT_EQ(forged->distance, 0);
  EXPECT_EQ(forged->rounds, 0);
  EXPECT_EQ(forged->mean_absolute_change, 0);
  EXPECT_EQ(forged->max_absolute_change, 0);
  EXPECT_TRUE(std::ranges::equal(forged->image.pixels(), source.pixels()));
}

TEST(ForgeTest, GreySourceGivesAnRgbForgery) {
  const Image colour = Landscape(160, 120, 0);
  Image grey(160, 120, PixelFormat::kGray8);
  for (int y = 0; y < 120; ++y) {
    for (int x = 0; x < 160; ++x) {
      grey.mutable_row(y)[x] = colour.row(y)[3 * x + 1];
    }
  }
  auto forged = ForgePdqCollision(grey.view(), PdqOf(Pattern(160, 120)));
  ASSERT_TRUE(forged.has_value());
  EXPECT_EQ(forged->image.format(), PixelFormat::kRgb8);
  EXPECT_LE(forged->distance, hash::kPdqMatchDistance);
  EXPECT_TRUE(media::IsGrayContent(forged->image.view()));
}

TEST(ForgeTest, OutOfRoundsReturnsTheBestSoFar) {
  const Image source = Landscape(200, 150, 0);
  const hash::PdqHash target = PdqOf(Pattern(200, 150));
  auto forged =
      ForgePdqCollision(source.view(), target, {.goal = 0, .max_rounds = 1});
  ASSERT_TRUE(forged.has_value());
  EXPECT_LE(forged->rounds, 1);
  EXPECT_EQ(hash::Distance(PdqOf(forged->image), target), forged->distance);
  EXPECT_LT(forged->distance, hash::Distance(PdqOf(source), target));
}

TEST(ForgeTest, InvalidInputsAreInvalidArgument) {
  const std::vector<std::uint8_t> pixels(10);
  const Image tiny = Landscape(4, 40, 0);
  const Image fine = Landscape(40, 40, 0);
  const std::vector<std::pair<media::ImageView, ForgeOptions>> cases = {
      {{4, 4, PixelFormat::kRgb8, pixels}, {}},
      {tiny.view(), {}},
      {fine.view(), {.goal = -1}},
      {fine.view(), {.goal = 257}},
      {fine.view(), {.max_rounds = 0}},
      {fine.view(), {.initial_margin = -0.1}},
      {fine.view(), {.margin_growth = 0.5}},
  };
  for (const auto& [view, options] : cases) {
    auto forged = ForgePdqCollision(view, hash::PdqHash(), options);
    ASSERT_FALSE(forged.has_value());
    EXPECT_EQ(forged.error().code(), StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace rempart::eval
