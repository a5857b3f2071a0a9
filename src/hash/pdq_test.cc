// Unit tests of the PDQ steps against the reference's intermediate buffers
// (shared/conformance/pdq/vectors). End-to-end hashes of every conformance
// image are checked in tests/conformance/.
#include "rempart/hash/pdq.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "hash/pdq_internal.h"
#include "tests/support/vectors.h"

namespace rempart::hash {
namespace {

using ::rempart::testing::BitsOf;
using ::rempart::testing::ConformancePath;
using ::rempart::testing::FloatFromHex;

struct Intermediates {
  int window_along_rows = 0;
  int window_along_cols = 0;
  int quality = 0;
  std::string hash;
  std::uint32_t median = 0;
  internal::Buffer64 buffer{};
  internal::Dct16 dct{};
};

Intermediates ReadIntermediates(const std::string& name) {
  std::ifstream in(ConformancePath("vectors/intermediates-" + name + ".txt"));
  EXPECT_TRUE(in.good()) << "missing vectors for " << name;
  Intermediates data;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string key;
    words >> key;
    if (key == "window_along_rows") {
      std::string ignored;
      words >> data.window_along_rows >> ignored >> data.window_along_cols;
    } else if (key == "quality") {
      words >> data.quality;
    } else if (key == "hash") {
      words >> data.hash;
    } else if (key == "median") {
      std::string hex;
      words >> hex;
      data.median = static_cast<std::uint32_t>(std::stoul(hex, nullptr, 16));
    } else if (key == "buffer64x64_float32_hex_row_major") {
      for (float& value : data.buffer) {
        std::string hex;
        in >> hex;
        value = FloatFromHex(hex);
      }
    } else if (key == "dct16x16_float32_hex_row_major") {
      for (float& value : data.dct) {
        std::string hex;
        in >> hex;
        value = FloatFromHex(hex);
      }
    }
  }
  return data;
}

class IntermediatesTest : public ::testing::TestWithParam<std::string> {};

TEST_P(IntermediatesTest, QualityDctAndThresholdAreBitExact) {
  const Intermediates data = ReadIntermediates(GetParam());
  EXPECT_EQ(internal::Quality(data.buffer), data.quality);
  internal::Dct16 dct{};
  internal::Dct(data.buffer, dct);
  for (int k = 0; k < 256; ++k) {
    ASSERT_EQ(BitsOf(dct[k]), BitsOf(data.dct[k])) << "coefficient " << k;
  }
  EXPECT_EQ(internal::Threshold(dct).ToHex(), data.hash);
}

INSTANTIATE_TEST_SUITE_P(Vectors, IntermediatesTest,
                         ::testing::Values("wee", "q0746", "flat-100x100",
                                           "odd-129x257", "square-512x512"));

TEST(PdqInternalTest, DctMatrixMatchesReferenceTable) {
  std::ifstream in(ConformancePath("vectors/dct-matrix-16x64-float32.txt"));
  ASSERT_TRUE(in.good());
  const auto& matrix = internal::DctMatrix();
  for (std::size_t k = 0; k < matrix.size(); ++k) {
    std::string hex;
    ASSERT_TRUE(in >> hex);
    EXPECT_EQ(BitsOf(matrix[k]),
              static_cast<std::uint32_t>(std::stoul(hex, nullptr, 16)))
        << "entry " << k;
  }
}

TEST(PdqInternalTest, WindowSizesFollowSpec) {
  EXPECT_EQ(internal::WindowSize(512), 4);
  EXPECT_EQ(internal::WindowSize(256), 2);
  EXPECT_EQ(internal::WindowSize(128), 1);
  EXPECT_EQ(internal::WindowSize(129), 2);
  EXPECT_EQ(internal::WindowSize(42), 1);
}

// The strided 1-D pass, applied the way the reference does it: one column at
// a time. FilterAndDecimate walks all columns at once; they must agree to the
// bit.
void ReferenceFilter(std::vector<float> luma, int rows, int cols,
                     internal::Buffer64& out) {
  std::vector<float> temp(luma.size());
  const int wx = internal::WindowSize(cols);
  const int wy = internal::WindowSize(rows);
  for (int pass = 0; pass < 2; ++pass) {
    for (int r = 0; r < rows; ++r) {
      internal::BoxFilter1D(&luma[r * cols], &temp[r * cols], cols, 1, wx);
    }
    for (int c = 0; c < cols; ++c) {
      internal::BoxFilter1D(&temp[c], &luma[c], rows, cols, wy);
    }
  }
  for (int i = 0; i < 64; ++i) {
    for (int j = 0; j < 64; ++j) {
      const int r = static_cast<int>(((i + 0.5) * rows) / 64);
      const int c = static_cast<int>(((j + 0.5) * cols) / 64);
      out[i * 64 + j] = luma[r * cols + c];
    }
  }
}

TEST(PdqInternalTest, ColumnWalkEqualsStridedReference) {
  std::mt19937 random(7);
  std::uniform_real_distribution<float> pixel(0.0f, 255.0f);
  for (const auto& [rows, cols] : std::vector<std::pair<int, int>>{
           {5, 5}, {7, 300}, {257, 129}, {512, 512}, {37, 511}, {700, 90}}) {
    std::vector<float> luma(static_cast<std::size_t>(rows) * cols);
    for (float& value : luma) value = pixel(random);
    internal::Buffer64 expected{};
    ReferenceFilter(luma, rows, cols, expected);
    internal::Buffer64 actual{};
    std::vector<float> scratch;
    internal::FilterAndDecimate(luma, scratch, rows, cols, actual);
    for (int k = 0; k < 64 * 64; ++k) {
      ASSERT_EQ(BitsOf(actual[k]), BitsOf(expected[k]))
          << rows << "x" << cols << " sample " << k;
    }
  }
}

TEST(PdqInternalTest, BoxFilterAveragesItsWindow) {
  // Window 3 over 1..5: centred means, shrinking windows at the ends.
  const std::vector<float> in = {1, 2, 3, 4, 5};
  std::vector<float> out(5);
  internal::BoxFilter1D(in.data(), out.data(), 5, 1, 3);
  EXPECT_FLOAT_EQ(out[0], 1.5f);
  EXPECT_FLOAT_EQ(out[1], 2.0f);
  EXPECT_FLOAT_EQ(out[2], 3.0f);
  EXPECT_FLOAT_EQ(out[3], 4.0f);
  EXPECT_FLOAT_EQ(out[4], 4.5f);
  // Even window 4 reaches one further to the right (h = 3).
  internal::BoxFilter1D(in.data(), out.data(), 5, 1, 4);
  EXPECT_FLOAT_EQ(out[0], 2.0f);  // 1,2,3
  EXPECT_FLOAT_EQ(out[1], 2.5f);  // 1..4
  EXPECT_FLOAT_EQ(out[2], 3.5f);  // 2..5
  EXPECT_FLOAT_EQ(out[3], 4.0f);  // 3..5
  EXPECT_FLOAT_EQ(out[4], 4.5f);  // 4,5
}

media::Image RandomImage(int width, int height, std::uint32_t seed) {
  media::Image image(width, height, media::PixelFormat::kRgb8);
  std::mt19937 random(seed);
  // Smooth random shapes rather than noise, so the hash has structure.
  const int cx = static_cast<int>(random() % width);
  const int cy = static_cast<int>(random() % height);
  const double diagonal = std::hypot(width, height);
  for (int y = 0; y < height; ++y) {
    std::uint8_t* row = image.mutable_row(y);
    for (int x = 0; x < width; ++x) {
      const double d = std::hypot(x - cx, y - cy);
      const bool cell = ((8 * x / width) ^ (6 * y / height)) & 1;
      row[3 * x] = static_cast<std::uint8_t>((x * 255) / width);
      row[3 * x + 1] = static_cast<std::uint8_t>(255.0 * d / diagonal);
      row[3 * x + 2] = static_cast<std::uint8_t>(cell ? 200 : 30);
    }
  }
  return image;
}

media::Image Rotate90CounterClockwise(const media::Image& in) {
  media::Image out(in.height(), in.width(), in.format());
  for (int y = 0; y < in.height(); ++y) {
    for (int x = 0; x < in.width(); ++x) {
      // Source (x, y) lands at column y, row width-1-x.
      const std::uint8_t* src = in.row(y) + 3 * x;
      std::uint8_t* dst = out.mutable_row(in.width() - 1 - x) + 3 * y;
      dst[0] = src[0];
      dst[1] = src[1];
      dst[2] = src[2];
    }
  }
  return out;
}

TEST(PdqHasherTest, DihedralVariantPredictsRotatedPicture) {
  // Odd sizes give centred box windows (width 1 here), so the rotated
  // picture's hash lands very close to the predicted variant.
  const media::Image image = RandomImage(120, 90, 3);
  PdqHasher hasher;
  auto original = hasher.Hash(image.view(), {.dihedral = true});
  ASSERT_TRUE(original.has_value());
  const media::Image turned = Rotate90CounterClockwise(image);
  auto rotated = hasher.Hash(turned.view());
  ASSERT_TRUE(rotated.has_value());
  const auto& variants = *original->dihedral;
  const int predicted =
      Distance(variants[static_cast<int>(Dihedral::kRotate90)], rotated->hash);
  EXPECT_LE(predicted, 8);
  for (int v = 0; v < kDihedralCount; ++v) {
    if (v == static_cast<int>(Dihedral::kRotate90)) continue;
    EXPECT_GT(Distance(variants[v], rotated->hash), 40) << "variant " << v;
  }
  EXPECT_EQ(variants[0], original->hash);
}

TEST(PdqHasherTest, TooSmallImagesHashToZero) {
  media::Image image(4, 100, media::PixelFormat::kGray8);
  PdqHasher hasher;
  auto result = hasher.Hash(image.view(), {.dihedral = true});
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->hash, PdqHash());
  EXPECT_EQ(result->quality, 0);
  EXPECT_EQ((*result->dihedral)[3], PdqHash());
}

TEST(PdqHasherTest, RejectsInconsistentBuffer) {
  std::vector<std::uint8_t> pixels(10);
  media::ImageView view{.width = 10,
                        .height = 10,
                        .format = media::PixelFormat::kRgb8,
                        .pixels = pixels};
  PdqHasher hasher;
  auto result = hasher.Hash(view);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code(), StatusCode::kInvalidArgument);
}

TEST(PdqHasherTest, CliModeSquashesLargeImagesOnly) {
  PdqHasher hasher;
  const media::Image small = RandomImage(300, 200, 5);
  auto cli = hasher.Hash(small.view(), {.mode = PdqMode::kCli});
  auto full = hasher.Hash(small.view(), {.mode = PdqMode::kFullResolution});
  ASSERT_TRUE(cli.has_value() && full.has_value());
  EXPECT_EQ(cli->hash, full->hash);
  EXPECT_EQ(cli->mode, PdqMode::kCli);
  EXPECT_EQ(full->mode, PdqMode::kFullResolution);

  const media::Image large = RandomImage(1500, 700, 5);
  cli = hasher.Hash(large.view(), {.mode = PdqMode::kCli});
  full = hasher.Hash(large.view(), {.mode = PdqMode::kFullResolution});
  ASSERT_TRUE(cli.has_value() && full.has_value());
  EXPECT_NE(cli->hash, full->hash);
  EXPECT_LE(Distance(cli->hash, full->hash), 40);
}

TEST(PdqModeTest, NamesRoundTrip) {
  for (PdqMode mode : {PdqMode::kCli, PdqMode::kFullResolution}) {
    auto parsed = ParsePdqMode(PdqModeName(mode));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, mode);
  }
  EXPECT_FALSE(ParsePdqMode("python").has_value());
}

// The eight variants from four medians, against §10 applied to each §11
// DCT: random DCTs, and DCTs full of ties and zeros, where the median's
// choice shows.
TEST(PdqInternalTest, DihedralHashesAreEachVariantsThreshold) {
  std::mt19937 random(7);
  std::normal_distribution<float> normal(0.0f, 100.0f);
  std::uniform_int_distribution<int> small(-2, 2);
  for (int round = 0; round < 200; ++round) {
    internal::Dct16 dct{};
    for (float& value : dct) {
      value =
          round % 2 == 0 ? normal(random) : static_cast<float>(small(random));
    }
    if (round == 1) dct.fill(0.0f);
    const auto hashes = internal::DihedralHashes(dct);
    for (int v = 0; v < kDihedralCount; ++v) {
      EXPECT_EQ(hashes[v], internal::Threshold(internal::DihedralDct(dct, v)))
          << "round " << round << ", variant " << v;
    }
  }
}

}  // namespace
}  // namespace rempart::hash
