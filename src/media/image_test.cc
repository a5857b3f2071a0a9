#include "rempart/media/image.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

namespace rempart::media {
namespace {

TEST(ImageTest, DefaultIsEmpty) {
  const Image image;
  EXPECT_TRUE(image.empty());
  EXPECT_EQ(image.width(), 0);
  EXPECT_EQ(image.height(), 0);
  EXPECT_FALSE(image.view().IsValid());
}

TEST(ImageTest, AllocatesZeroedPackedPixels) {
  const Image rgb(5, 3, PixelFormat::kRgb8);
  EXPECT_FALSE(rgb.empty());
  EXPECT_EQ(rgb.channels(), 3);
  EXPECT_EQ(rgb.row_bytes(), 15u);
  ASSERT_EQ(rgb.pixels().size(), 45u);
  EXPECT_TRUE(std::all_of(rgb.pixels().begin(), rgb.pixels().end(),
                          [](std::uint8_t v) { return v == 0; }));
  EXPECT_EQ(rgb.row(2), rgb.pixels().data() + 30);

  const Image gray(5, 3, PixelFormat::kGray8);
  EXPECT_EQ(gray.channels(), 1);
  EXPECT_EQ(gray.row_bytes(), 5u);
  EXPECT_EQ(gray.pixels().size(), 15u);
}

TEST(ImageTest, RowsAreWritable) {
  Image image(4, 2, PixelFormat::kRgb8);
  image.mutable_row(1)[0] = 7;
  image.mutable_pixels()[2] = 9;
  EXPECT_EQ(image.pixels()[12], 7);
  EXPECT_EQ(image.row(0)[2], 9);
}

TEST(ImageTest, CloneIsADeepCopy) {
  Image image(3, 2, PixelFormat::kRgb8);
  image.mutable_pixels()[4] = 42;
  Image copy = image.Clone();
  EXPECT_EQ(copy.width(), 3);
  EXPECT_EQ(copy.height(), 2);
  EXPECT_EQ(copy.format(), PixelFormat::kRgb8);
  EXPECT_EQ(copy.pixels()[4], 42);
  copy.mutable_pixels()[4] = 1;
  EXPECT_EQ(image.pixels()[4], 42);
  EXPECT_NE(copy.pixels().data(), image.pixels().data());
}

TEST(ImageTest, MovesWithoutCopying) {
  Image image(3, 2, PixelFormat::kGray8);
  const std::uint8_t* data = image.pixels().data();
  Image moved = std::move(image);
  EXPECT_EQ(moved.pixels().data(), data);
  EXPECT_EQ(moved.width(), 3);
}

TEST(ImageViewTest, DescribesTheImage) {
  Image image(4, 3, PixelFormat::kRgb8);
  const ImageView view = image.view();
  EXPECT_TRUE(view.IsValid());
  EXPECT_EQ(view.width, 4);
  EXPECT_EQ(view.height, 3);
  EXPECT_EQ(view.format, PixelFormat::kRgb8);
  EXPECT_EQ(view.row_bytes(), 12u);
  EXPECT_EQ(view.row(2), image.pixels().data() + 24);
}

TEST(ImageViewTest, InvalidWhenSizeDisagrees) {
  const std::vector<std::uint8_t> pixels(10);
  EXPECT_FALSE((ImageView{2, 2, PixelFormat::kRgb8, pixels}.IsValid()));
  EXPECT_FALSE((ImageView{0, 2, PixelFormat::kGray8, {}}.IsValid()));
  EXPECT_TRUE((ImageView{5, 2, PixelFormat::kGray8, pixels}.IsValid()));
}

TEST(IsGrayContentTest, GreyFormatIsAlwaysGrey) {
  Image gray(3, 3, PixelFormat::kGray8);
  gray.mutable_pixels()[0] = 200;
  EXPECT_TRUE(IsGrayContent(gray.view()));
}

TEST(IsGrayContentTest, RgbWithEqualChannelsIsGrey) {
  Image rgb(100, 90, PixelFormat::kRgb8);  // More than one internal block.
  for (std::size_t i = 0; i < rgb.pixels().size(); ++i) {
    rgb.mutable_pixels()[i] = static_cast<std::uint8_t>(i / 3);
  }
  EXPECT_TRUE(IsGrayContent(rgb.view()));
}

TEST(IsGrayContentTest, OneColouredPixelAnywhereMakesItColour) {
  for (const std::size_t byte : {0u, 1u, 2u, 4096u * 3 + 1, 8999u * 3 + 2}) {
    Image rgb(100, 90, PixelFormat::kRgb8);
    std::fill(rgb.mutable_pixels().begin(), rgb.mutable_pixels().end(), 128);
    rgb.mutable_pixels()[byte] = 129;
    EXPECT_FALSE(IsGrayContent(rgb.view())) << "byte " << byte;
  }
}

TEST(IsGrayContentTest, EmptyViewIsGrey) {
  EXPECT_TRUE(IsGrayContent(ImageView{}));
}

TEST(ToGrayTest, TakesOneChannelOfGreyRgb) {
  Image rgb(2, 2, PixelFormat::kRgb8);
  const std::vector<std::uint8_t> values = {0, 77, 200, 255};
  for (std::size_t i = 0; i < values.size(); ++i) {
    std::fill_n(
        rgb.mutable_pixels().begin() + static_cast<std::ptrdiff_t>(3 * i), 3,
        values[i]);
  }
  const Image gray = ToGray(rgb.view());
  EXPECT_EQ(gray.format(), PixelFormat::kGray8);
  EXPECT_EQ(gray.width(), 2);
  EXPECT_EQ(gray.height(), 2);
  EXPECT_EQ(
      std::vector<std::uint8_t>(gray.pixels().begin(), gray.pixels().end()),
      values);
}

TEST(ToGrayTest, CopiesGreyUnchanged) {
  Image source(3, 1, PixelFormat::kGray8);
  source.mutable_pixels()[1] = 9;
  const Image gray = ToGray(source.view());
  EXPECT_EQ(gray.format(), PixelFormat::kGray8);
  EXPECT_EQ(gray.pixels()[1], 9);
  EXPECT_NE(gray.pixels().data(), source.pixels().data());
}

}  // namespace
}  // namespace rempart::media
