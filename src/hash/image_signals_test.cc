#include "rempart/hash/image_signals.h"

#include <gtest/gtest.h>

#include <string>

#include "rempart/core/file.h"

namespace rempart::hash {
namespace {

std::vector<std::uint8_t> Fixture(const std::string& name) {
  auto bytes = ReadFileBytes(
      std::string(REMPART_SOURCE_DIR) + "/tests/fixtures/media/" + name,
      1 << 20);
  EXPECT_TRUE(bytes.has_value()) << name;
  return bytes.has_value() ? *std::move(bytes) : std::vector<std::uint8_t>{};
}

TEST(ImageHasherTest, HashKeepingImageReturnsWhatHashComputesAndThePixels) {
  const auto bytes = Fixture("source.png");
  ImageHasher hasher;
  auto signals = hasher.Hash(bytes);
  ASSERT_TRUE(signals.has_value()) << signals.error().ToString();
  auto hashed = hasher.HashKeepingImage(bytes);
  ASSERT_TRUE(hashed.has_value()) << hashed.error().ToString();

  EXPECT_EQ(hashed->signals.pdq.hash, signals->pdq.hash);
  EXPECT_EQ(hashed->signals.pdq.quality, signals->pdq.quality);
  EXPECT_EQ(hashed->signals.md5, signals->md5);
  EXPECT_EQ(hashed->signals.sha256, signals->sha256);
  EXPECT_EQ(hashed->image.width(), signals->width);
  EXPECT_EQ(hashed->image.height(), signals->height);
  EXPECT_TRUE(hashed->image.view().IsValid());
}

TEST(ImageHasherTest, HashKeepingImageFailsLikeHash) {
  const std::vector<std::uint8_t> bytes = {0xFF, 0xD8, 0xFF, 0xE0, 0x00};
  ImageHasher hasher;
  auto signals = hasher.Hash(bytes);
  auto hashed = hasher.HashKeepingImage(bytes);
  ASSERT_FALSE(signals.has_value());
  ASSERT_FALSE(hashed.has_value());
  EXPECT_EQ(hashed.error().ToString(), signals.error().ToString());
}

}  // namespace
}  // namespace rempart::hash
