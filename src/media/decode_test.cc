// Tests of DecodeImage() and SniffImageFormat(): every format decodes its
// fixture to the expected pixels, the conformance images decode to what the
// reference's decoder (ImageMagick 6) hands it, and malformed, hostile or
// over-limit inputs fail with the right code and a message saying why.
//
// Fixtures live in tests/fixtures/media/ (see make_fixtures.sh there).
#include "rempart/media/decode.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "media/decoders.h"
#include "rempart/core/deadline.h"
#include "rempart/core/file.h"
#include "tests/support/vectors.h"

namespace rempart::media {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using Bytes = std::vector<std::uint8_t>;

// ---- Helpers.

Bytes ReadFile(const std::string& path) {
  auto bytes = ReadFileBytes(path, 64u << 20);
  EXPECT_TRUE(bytes.has_value()) << path << ": " << bytes.status().ToString();
  return bytes.has_value() ? *std::move(bytes) : Bytes{};
}

Bytes ReadFixture(const std::string& name) {
  return ReadFile(testing::SourcePath("tests/fixtures/media/" + name));
}

// Reads a binary PGM (P5) or PPM (P6) with maxval 255.
Image ReadPnm(const std::string& name) {
  const Bytes bytes = ReadFixture(name);
  std::size_t position = 0;
  auto next_field = [&]() {
    while (position < bytes.size() && std::isspace(bytes[position]) != 0) {
      ++position;
    }
    std::string field;
    while (position < bytes.size() && std::isspace(bytes[position]) == 0) {
      field += static_cast<char>(bytes[position++]);
    }
    return field;
  };
  const std::string kind = next_field();
  const int width = std::stoi(next_field());
  const int height = std::stoi(next_field());
  EXPECT_EQ(next_field(), "255");
  ++position;  // The single whitespace byte before the samples.
  Image image(width, height,
              kind == "P5" ? PixelFormat::kGray8 : PixelFormat::kRgb8);
  EXPECT_EQ(bytes.size() - position, image.pixels().size()) << name;
  std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(position),
              std::min(bytes.size() - position, image.pixels().size()),
              image.mutable_pixels().begin());
  return image;
}

// zlib's CRC-32 (IEEE polynomial, reflected), as make_fixtures.sh computes it.
constexpr std::array<std::uint32_t, 256> MakeCrcTable() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t n = 0; n < 256; ++n) {
    std::uint32_t c = n;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[n] = c;
  }
  return table;
}
constexpr std::array<std::uint32_t, 256> kCrcTable = MakeCrcTable();

std::uint32_t Crc32(std::span<const std::uint8_t> bytes) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (const std::uint8_t byte : bytes) {
    crc = kCrcTable[(crc ^ byte) & 0xFF] ^ (crc >> 8);
  }
  return crc ^ 0xFFFFFFFFu;
}

double MeanAbsoluteError(const Image& a, const Image& b) {
  EXPECT_EQ(a.width(), b.width());
  EXPECT_EQ(a.height(), b.height());
  EXPECT_EQ(a.format(), b.format());
  if (a.pixels().size() != b.pixels().size() || a.pixels().empty()) return 255;
  double sum = 0;
  for (std::size_t i = 0; i < a.pixels().size(); ++i) {
    sum += std::abs(int{a.pixels()[i]} - int{b.pixels()[i]});
  }
  return sum / static_cast<double>(a.pixels().size());
}

bool SamePixels(const Image& a, const Image& b) {
  return a.width() == b.width() && a.height() == b.height() &&
         a.format() == b.format() &&
         std::equal(a.pixels().begin(), a.pixels().end(), b.pixels().begin(),
                    b.pixels().end());
}

Image MustDecode(const Bytes& bytes, const DecodeOptions& options = {}) {
  auto decoded = DecodeImage(bytes, options);
  EXPECT_TRUE(decoded.has_value()) << decoded.status().ToString();
  if (!decoded) return {};
  return std::move(decoded->image);
}

const Image& SourcePixels() {
  static const Image image = MustDecode(ReadFixture("source.png"));
  return image;
}

// A deadline that has certainly passed: monotonic time only moves forward.
Deadline ExpiredDeadline() {
  const Deadline deadline = Deadline::After(std::chrono::milliseconds(1));
  while (!deadline.Expired()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return deadline;
}

void PutBigEndian32(Bytes& bytes, std::size_t offset, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) {
    bytes[offset + i] = static_cast<std::uint8_t>(value >> (24 - 8 * i));
  }
}
void PutBigEndian16(Bytes& bytes, std::size_t offset, std::uint32_t value) {
  bytes[offset] = static_cast<std::uint8_t>(value >> 8);
  bytes[offset + 1] = static_cast<std::uint8_t>(value);
}
void PutLittleEndian(Bytes& bytes, std::size_t offset, std::uint32_t value,
                     int size) {
  for (int i = 0; i < size; ++i) {
    bytes[offset + i] = static_cast<std::uint8_t>(value >> (8 * i));
  }
}
std::uint32_t GetLittleEndian(const Bytes& bytes, std::size_t offset,
                              int size) {
  std::uint32_t value = 0;
  for (int i = size - 1; i >= 0; --i) value = (value << 8) | bytes[offset + i];
  return value;
}

std::size_t Find(const Bytes& bytes, std::string_view needle,
                 std::size_t from = 0) {
  const auto it = std::search(
      bytes.begin() + static_cast<std::ptrdiff_t>(std::min(from, bytes.size())),
      bytes.end(), needle.begin(), needle.end(), [](std::uint8_t byte, char c) {
        return byte == static_cast<std::uint8_t>(c);
      });
  return static_cast<std::size_t>(it - bytes.begin());
}

Bytes AsBytes(std::string_view text) { return {text.begin(), text.end()}; }

// An ISO-BMFF `ftyp` box.
Bytes Ftyp(std::string_view major,
           const std::vector<std::string_view>& compatible) {
  Bytes box(8);
  PutBigEndian32(box, 0,
                 static_cast<std::uint32_t>(16 + 4 * compatible.size()));
  std::copy_n("ftyp", 4, box.begin() + 4);
  box.insert(box.end(), major.begin(), major.end());
  box.insert(box.end(), 4, 0);  // Minor version.
  for (const std::string_view brand : compatible) {
    box.insert(box.end(), brand.begin(), brand.end());
  }
  return box;
}

// ---- Format names and sniffing.

TEST(ImageFormatNameTest, NamesEveryFormat) {
  EXPECT_EQ(ImageFormatName(ImageFormat::kUnknown), "unknown");
  EXPECT_EQ(ImageFormatName(ImageFormat::kJpeg), "jpeg");
  EXPECT_EQ(ImageFormatName(ImageFormat::kPng), "png");
  EXPECT_EQ(ImageFormatName(ImageFormat::kWebp), "webp");
  EXPECT_EQ(ImageFormatName(ImageFormat::kGif), "gif");
  EXPECT_EQ(ImageFormatName(ImageFormat::kBmp), "bmp");
  EXPECT_EQ(ImageFormatName(ImageFormat::kTiff), "tiff");
  EXPECT_EQ(ImageFormatName(ImageFormat::kHeif), "heif");
  EXPECT_EQ(ImageFormatName(ImageFormat::kAvif), "avif");
}

TEST(SniffImageFormatTest, RecognisesMagicNumbers) {
  using std::string_view_literals::operator""sv;
  const std::vector<std::pair<std::string_view, ImageFormat>> cases = {
      {"\xFF\xD8\xFF\xE0"sv, ImageFormat::kJpeg},
      {"\x89PNG\r\n\x1A\n"sv, ImageFormat::kPng},
      {"RIFF\0\0\0\0WEBP"sv, ImageFormat::kWebp},
      {"GIF87a"sv, ImageFormat::kGif},
      {"GIF89a"sv, ImageFormat::kGif},
      {"BM"sv, ImageFormat::kBmp},
      {"II*\0"sv, ImageFormat::kTiff},
      {"MM\0*"sv, ImageFormat::kTiff},
      {"II+\0"sv, ImageFormat::kTiff},  // BigTIFF.
      {""sv, ImageFormat::kUnknown},
      {"\xFF\xD8"sv, ImageFormat::kUnknown},
      {"\x89PNG\r\n\x1A"sv, ImageFormat::kUnknown},
      {"RIFF\0\0\0\0WAVE"sv, ImageFormat::kUnknown},
      {"GIF88a"sv, ImageFormat::kUnknown},
      {"II*"sv, ImageFormat::kUnknown},
      {"P6\n64 48\n255\n"sv, ImageFormat::kUnknown},
      {"<svg"sv, ImageFormat::kUnknown},
  };
  for (const auto& [bytes, format] : cases) {
    EXPECT_EQ(SniffImageFormat(AsBytes(bytes)), format)
        << "bytes: " << ::testing::PrintToString(std::string(bytes));
  }
}

TEST(SniffImageFormatTest, ReadsIsoBmffBrands) {
  EXPECT_EQ(SniffImageFormat(Ftyp("heic", {"mif1", "heic"})),
            ImageFormat::kHeif);
  EXPECT_EQ(SniffImageFormat(Ftyp("heix", {})), ImageFormat::kHeif);
  EXPECT_EQ(SniffImageFormat(Ftyp("hevc", {})), ImageFormat::kHeif);
  EXPECT_EQ(SniffImageFormat(Ftyp("heim", {})), ImageFormat::kHeif);
  EXPECT_EQ(SniffImageFormat(Ftyp("avif", {"mif1", "avif"})),
            ImageFormat::kAvif);
  EXPECT_EQ(SniffImageFormat(Ftyp("avis", {})), ImageFormat::kAvif);
  // Generic MIAF major brands defer to the compatible brands.
  EXPECT_EQ(SniffImageFormat(Ftyp("mif1", {"mif1", "heic"})),
            ImageFormat::kHeif);
  EXPECT_EQ(SniffImageFormat(Ftyp("mif1", {"mif1", "miaf", "avif"})),
            ImageFormat::kAvif);
  EXPECT_EQ(SniffImageFormat(Ftyp("msf1", {"msf1", "avis"})),
            ImageFormat::kAvif);
  EXPECT_EQ(SniffImageFormat(Ftyp("mif1", {})), ImageFormat::kHeif);
  // Video files share the box structure but are not images.
  EXPECT_EQ(SniffImageFormat(Ftyp("isom", {"isom", "mp41"})),
            ImageFormat::kUnknown);
  EXPECT_EQ(SniffImageFormat(Ftyp("qt  ", {})), ImageFormat::kUnknown);
  // Not an ftyp box.
  Bytes moov = Ftyp("heic", {});
  std::copy_n("moov", 4, moov.begin() + 4);
  EXPECT_EQ(SniffImageFormat(moov), ImageFormat::kUnknown);
  // Truncated: the major brand is cut.
  const Bytes full = Ftyp("heic", {});
  EXPECT_EQ(SniffImageFormat(std::span(full).first(10)), ImageFormat::kUnknown);
}

// ---- Every format decodes its fixture.

enum class Expect {
  kSameAsSource,  // Lossless: exactly the pixels of source.png.
  kReference,     // Exactly the pixels in `reference` (a PPM/PGM fixture).
  kNearSource,    // Lossy: close to source.png (mean absolute error bound; the
                  // 4:2:0
  // encodings lose most at the shapes' coloured edges).
};

struct FixtureCase {
  const char* file;
  ImageFormat format;
  Expect expect;
  const char* reference = nullptr;
  double max_mean_error = 0;
};

void PrintTo(const FixtureCase& fixture, std::ostream* out) {
  *out << fixture.file;
}

const std::vector<FixtureCase>& FixtureCases() {
  static const std::vector<FixtureCase> cases = {
      {"source-interlaced.png", ImageFormat::kPng, Expect::kSameAsSource},
      {"rgba.png", ImageFormat::kPng, Expect::kSameAsSource},
      {"source.jpg", ImageFormat::kJpeg, Expect::kReference, "source.jpg.ppm"},
      {"source.jpg", ImageFormat::kJpeg, Expect::kNearSource, nullptr, 8},
      {"source-progressive.jpg", ImageFormat::kJpeg, Expect::kReference,
       "source-progressive.jpg.ppm"},
      {"source-gray.jpg", ImageFormat::kJpeg, Expect::kReference,
       "source-gray.jpg.pgm"},
      {"source-cmyk.jpg", ImageFormat::kJpeg, Expect::kReference,
       "source-cmyk.jpg.ppm"},
      {"source-cmyk.jpg", ImageFormat::kJpeg, Expect::kNearSource, nullptr, 8},
      {"source-lossless.webp", ImageFormat::kWebp, Expect::kSameAsSource},
      {"rgba.webp", ImageFormat::kWebp, Expect::kSameAsSource},
      {"animated.webp", ImageFormat::kWebp, Expect::kSameAsSource},
      {"source-lossy.webp", ImageFormat::kWebp, Expect::kNearSource, nullptr,
       8},
      {"source.gif", ImageFormat::kGif, Expect::kSameAsSource},
      {"source-interlaced.gif", ImageFormat::kGif, Expect::kSameAsSource},
      {"source.bmp", ImageFormat::kBmp, Expect::kSameAsSource},
      {"source-palette.bmp", ImageFormat::kBmp, Expect::kSameAsSource},
      {"source.tiff", ImageFormat::kTiff, Expect::kSameAsSource},
      {"source-tiled.tiff", ImageFormat::kTiff, Expect::kSameAsSource},
      {"source-2pages.tiff", ImageFormat::kTiff, Expect::kSameAsSource},
      {"rgba.tiff", ImageFormat::kTiff, Expect::kSameAsSource},
      // The Orientation tag is ignored: the stored grid, as for EXIF.
      {"source-orientation3.tiff", ImageFormat::kTiff, Expect::kSameAsSource},
      {"source-cmyk.tiff", ImageFormat::kTiff, Expect::kReference,
       "source-cmyk.tiff.ppm"},
      {"source.heic", ImageFormat::kHeif, Expect::kNearSource, nullptr, 8},
      {"source-2images.heic", ImageFormat::kHeif, Expect::kNearSource, nullptr,
       8},
      {"source.avif", ImageFormat::kAvif, Expect::kNearSource, nullptr, 8},
  };
  return cases;
}

class FixtureDecodeTest : public ::testing::TestWithParam<FixtureCase> {};

TEST_P(FixtureDecodeTest, DecodesToExpectedPixels) {
  const FixtureCase& fixture = GetParam();
  const Bytes bytes = ReadFixture(fixture.file);
  EXPECT_EQ(SniffImageFormat(bytes), fixture.format);
  auto decoded = DecodeImage(bytes);
  ASSERT_TRUE(decoded.has_value()) << decoded.status().ToString();
  EXPECT_EQ(decoded->format, fixture.format);
  EXPECT_EQ(decoded->source_width, 64);
  EXPECT_EQ(decoded->source_height, 48);
  const Image& image = decoded->image;
  EXPECT_EQ(image.width(), 64);
  EXPECT_EQ(image.height(), 48);
  EXPECT_TRUE(image.view().IsValid());
  switch (fixture.expect) {
    case Expect::kSameAsSource:
      EXPECT_TRUE(SamePixels(image, SourcePixels()))
          << "mean absolute error " << MeanAbsoluteError(image, SourcePixels());
      break;
    case Expect::kReference: {
      const Image reference = ReadPnm(fixture.reference);
      EXPECT_TRUE(SamePixels(image, reference))
          << "mean absolute error " << MeanAbsoluteError(image, reference);
      break;
    }
    case Expect::kNearSource:
      EXPECT_EQ(image.format(), PixelFormat::kRgb8);
      EXPECT_LE(MeanAbsoluteError(image, SourcePixels()),
                fixture.max_mean_error);
      break;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, FixtureDecodeTest, ::testing::ValuesIn(FixtureCases()),
    [](const ::testing::TestParamInfo<FixtureCase>& param_info) {
      std::string name =
          std::to_string(param_info.index) + "_" + param_info.param.file;
      for (char& c : name) {
        if (std::isalnum(static_cast<unsigned char>(c)) == 0) c = '_';
      }
      return name;
    });

TEST(DecodeImageTest, SourceIsRgbWithSeveralColours) {
  const Image& source = SourcePixels();
  ASSERT_EQ(source.format(), PixelFormat::kRgb8);
  std::set<std::array<std::uint8_t, 3>> colours;
  for (int y = 0; y < source.height(); ++y) {
    for (int x = 0; x < source.width(); ++x) {
      const std::uint8_t* p = source.row(y) + std::ptrdiff_t{3} * x;
      colours.insert({p[0], p[1], p[2]});
    }
  }
  // Enough colours for the lossless comparisons to mean something, few
  // enough for GIF and palette BMP to hold them all.
  EXPECT_GT(colours.size(), 100u);
  EXPECT_LE(colours.size(), 256u);
  // The green rectangle drawn at (38..58, 6..22).
  const std::uint8_t* green = source.row(14) + std::ptrdiff_t{3} * 48;
  EXPECT_EQ((std::array{green[0], green[1], green[2]}),
            (std::array<std::uint8_t, 3>{0x10, 0xa0, 0x40}));
}

TEST(DecodeImageTest, GreyJpegIsOneChannel) {
  auto decoded = DecodeImage(ReadFixture("source-gray.jpg"));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->image.format(), PixelFormat::kGray8);
}

TEST(DecodeImageTest, RgbWithGreyContentBecomesOneChannel) {
  // Stored as 8-bit RGB, every pixel R=G=B (spec §2, grey by content).
  const Bytes bytes = ReadFile(
      testing::ConformancePath("images/synthetic/graycontent-rgb-200x150.png"));
  auto decoded = DecodeImage(bytes);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->image.format(), PixelFormat::kGray8);
  // The colour fixture stays RGB.
  EXPECT_EQ(SourcePixels().format(), PixelFormat::kRgb8);
}

TEST(DecodeImageTest, SixteenBitSamplesAreRoundedToEightBits) {
  // gray16-as-8bit.png holds round(v / 257) of every 16-bit sample v; the
  // reference would keep the low byte instead (a deliberate departure).
  const Image sixteen = MustDecode(
      ReadFile(testing::ConformancePath("images/synthetic/gray16-120x90.png")));
  const Image eight = MustDecode(ReadFixture("gray16-as-8bit.png"));
  EXPECT_EQ(sixteen.format(), PixelFormat::kGray8);
  EXPECT_TRUE(SamePixels(sixteen, eight))
      << "mean absolute error " << MeanAbsoluteError(sixteen, eight);
}

TEST(DecodeImageTest, GifFirstFrameIsDrawnOnTheLogicalScreen) {
  auto decoded = DecodeImage(ReadFixture("animated.gif"));
  ASSERT_TRUE(decoded.has_value()) << decoded.status().ToString();
  const Image& image = decoded->image;
  ASSERT_EQ(image.width(), 64);
  ASSERT_EQ(image.height(), 48);
  ASSERT_EQ(image.format(), PixelFormat::kRgb8);
  auto pixel = [&](int x, int y) {
    const std::uint8_t* p = image.row(y) + std::ptrdiff_t{3} * x;
    return std::array{p[0], p[1], p[2]};
  };
  using Rgb = std::array<std::uint8_t, 3>;
  const Rgb white{255, 255, 255};
  const Rgb red{255, 0, 0};
  const Rgb green{0, 128, 0};
  // Outside the 32x24 frame at (8,4): the screen's background colour.
  EXPECT_EQ(pixel(0, 0), white);
  EXPECT_EQ(pixel(7, 4), white);
  EXPECT_EQ(pixel(8, 3), white);
  EXPECT_EQ(pixel(40, 27), white);
  EXPECT_EQ(pixel(39, 28), white);
  EXPECT_EQ(pixel(63, 47), white);
  // The frame: its transparent first column keeps its palette colour.
  EXPECT_EQ(pixel(8, 4), green);
  EXPECT_EQ(pixel(8, 27), green);
  EXPECT_EQ(pixel(9, 4), red);
  EXPECT_EQ(pixel(39, 27), red);
  // The second (all blue) frame is not drawn, and more frames are allowed
  // than max_frames: only the first is ever read.
  DecodeOptions options;
  options.limits.max_frames = 1;
  EXPECT_TRUE(DecodeImage(ReadFixture("animated.gif"), options).has_value());
}

TEST(DecodeImageTest, GifWithoutColourTableIsRejected) {
  auto decoded = DecodeImage(ReadFixture("no-colour-table.gif"));
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(decoded.error().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(decoded.error().message(), HasSubstr("colour table"));
}

TEST(DecodeImageTest, HeifDerivedImageCycleIsRejected) {
  // Found by fuzz_decode_heif: the primary item is a derived image whose
  // only input is itself; libheif 1.15 recursed forever on it.
  auto decoded = DecodeImage(ReadFixture("heif-dimg-cycle.heic"));
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(decoded.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(decoded.error().message().find("refers to itself"),
            std::string::npos)
      << decoded.error().message();
}

TEST(DecodeImageTest, RleBmpIsUnimplemented) {
  auto decoded = DecodeImage(ReadFixture("source-rle.bmp"));
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(decoded.error().code(), StatusCode::kUnimplemented);
  EXPECT_THAT(decoded.error().message(), StartsWith("bmp: "));
  EXPECT_THAT(decoded.error().message(), HasSubstr("RLE"));
}

// ---- Conformance images: what the reference's decoder produces.

std::map<std::string, testing::TsvRow> ReferencePixels() {
  std::map<std::string, testing::TsvRow> rows;
  for (auto& row : testing::ReadTsv(
           testing::SourcePath("tests/fixtures/media/reference-pixels.tsv"))) {
    rows[row.at("path")] = row;
  }
  return rows;
}

class ConformanceDecodeTest : public ::testing::TestWithParam<testing::TsvRow> {
};

TEST_P(ConformanceDecodeTest, MatchesReferenceDecoder) {
  const testing::TsvRow& row = GetParam();
  const std::string& path = row.at("path");
  auto decoded = DecodeImage(ReadFile(testing::ConformancePath(path)));
  ASSERT_TRUE(decoded.has_value()) << decoded.status().ToString();
  const Image& image = decoded->image;
  // Size of the stored grid and the channel count the reference saw.
  EXPECT_EQ(image.width(), std::stoi(row.at("width")));
  EXPECT_EQ(image.height(), std::stoi(row.at("height")));
  EXPECT_EQ(decoded->source_width, image.width());
  EXPECT_EQ(decoded->source_height, image.height());
  EXPECT_EQ(image.channels(), std::stoi(row.at("decoded_channels")));
  // The very pixels ImageMagick hands the reference (16-bit images aside).
  static const auto pixels = ReferencePixels();
  const auto expected = pixels.find(path);
  if (path.find("gray16") != std::string::npos) {
    EXPECT_EQ(expected, pixels.end());
    return;
  }
  ASSERT_NE(expected, pixels.end()) << "reference-pixels.tsv lacks " << path;
  EXPECT_EQ(image.channels(), std::stoi(expected->second.at("channels")));
  char crc[9];
  std::snprintf(crc, sizeof(crc), "%08x", Crc32(image.pixels()));
  EXPECT_EQ(crc, expected->second.at("crc32"));
}

std::vector<testing::TsvRow> ConformanceRows() {
  return testing::ReadTsv(
      testing::ConformancePath("expected/reference-debian12.tsv"));
}

TEST(ConformanceDecodeSetTest, CoversEveryRow) {
  // Guards against an unreadable TSV silently producing no test.
  EXPECT_EQ(ConformanceRows().size(), 64u);
  EXPECT_EQ(ReferencePixels().size(), 63u);
}

INSTANTIATE_TEST_SUITE_P(
    Reference, ConformanceDecodeTest, ::testing::ValuesIn(ConformanceRows()),
    [](const ::testing::TestParamInfo<testing::TsvRow>& param_info) {
      std::string name = param_info.param.at("path");
      name = name.substr(name.find('/') + 1);
      for (char& c : name) {
        if (std::isalnum(static_cast<unsigned char>(c)) == 0) c = '_';
      }
      return name;
    });

// ---- Fast mode (JPEG DCT scaling).

TEST(FastModeTest, ScalesJpegByTheSmallestSufficientFactor) {
  const Bytes bytes = ReadFixture("source.jpg");  // 64x48.
  const std::vector<std::array<int, 3>> cases = {
      // min_side_for_scaling, expected width, expected height.
      {0, 64, 48},                   // Exact mode.
      {6, 8, 6},                     // 1/8.
      {12, 16, 12},                  // 2/8.
      {13, 24, 18},                  // 3/8.
      {24, 32, 24},                  // 4/8.
      {40, 56, 42},                  // 7/8.
      {42, 56, 42},   {43, 64, 48},  // Only full size is large enough.
      {1000, 64, 48},                // Never upscaled.
  };
  for (const auto& [min_side, width, height] : cases) {
    DecodeOptions options;
    options.min_side_for_scaling = min_side;
    auto decoded = DecodeImage(bytes, options);
    ASSERT_TRUE(decoded.has_value()) << decoded.status().ToString();
    EXPECT_EQ(decoded->image.width(), width) << "min side " << min_side;
    EXPECT_EQ(decoded->image.height(), height) << "min side " << min_side;
    EXPECT_EQ(decoded->source_width, 64);
    EXPECT_EQ(decoded->source_height, 48);
  }
}

TEST(FastModeTest, RoundsScaledSizesUp) {
  // 1600x1004 at 3/8: libjpeg-turbo rounds 376.5 up to 377.
  DecodeOptions options;
  options.min_side_for_scaling = 256;
  auto decoded = DecodeImage(ReadFile(testing::ConformancePath(
                                 "images/upstream/bridge-mods/aaa-orig.jpg")),
                             options);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->image.width(), 600);
  EXPECT_EQ(decoded->image.height(), 377);
  EXPECT_EQ(decoded->source_width, 1600);
  EXPECT_EQ(decoded->source_height, 1004);
}

TEST(FastModeTest, ScaledPicturesStayClose) {
  // Scaled by 1/2, then compared with a 2x2 box average of the exact decode.
  DecodeOptions options;
  options.min_side_for_scaling = 24;
  const Image half = MustDecode(ReadFixture("source.jpg"), options);
  const Image full = MustDecode(ReadFixture("source.jpg"));
  ASSERT_EQ(half.width(), 32);
  Image averaged(32, 24, PixelFormat::kRgb8);
  for (int y = 0; y < 24; ++y) {
    for (int x = 0; x < 32; ++x) {
      for (int c = 0; c < 3; ++c) {
        const int sum =
            full.row(2 * y)[6 * x + c] + full.row(2 * y)[6 * x + 3 + c] +
            full.row(2 * y + 1)[6 * x + c] + full.row(2 * y + 1)[6 * x + 3 + c];
        averaged.mutable_row(y)[3 * x + c] =
            static_cast<std::uint8_t>((sum + 2) / 4);
      }
    }
  }
  EXPECT_LE(MeanAbsoluteError(half, averaged), 3.0);
}

TEST(FastModeTest, FastJpegReturnsLumaCloseToExact) {
  // fast_jpeg: full size, one channel, near the PDQ luma of the exact decode.
  const Bytes bytes = ReadFile(
      testing::ConformancePath("images/upstream/bridge-mods/aaa-orig.jpg"));
  DecodeOptions options;
  options.fast_jpeg = true;
  const Image fast = MustDecode(bytes, options);
  const Image exact = MustDecode(bytes);
  ASSERT_EQ(fast.format(), PixelFormat::kGray8);
  ASSERT_EQ(fast.width(), exact.width());
  ASSERT_EQ(fast.height(), exact.height());
  Image luma(exact.width(), exact.height(), PixelFormat::kGray8);
  for (int y = 0; y < exact.height(); ++y) {
    for (int x = 0; x < exact.width(); ++x) {
      const std::uint8_t* rgb = exact.row(y) + 3 * x;
      luma.mutable_row(y)[x] = static_cast<std::uint8_t>(
          0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] + 0.5);
    }
  }
  EXPECT_LE(MeanAbsoluteError(fast, luma), 1.5);
  EXPECT_GT(MeanAbsoluteError(fast, luma), 0.0);  // Not the exact path.
}

TEST(FastModeTest, FastJpegKeepsCmykPath) {
  DecodeOptions options;
  options.fast_jpeg = true;
  const Image cmyk =
      MustDecode(ReadFile(testing::ConformancePath(
                     "images/upstream/misc-images/modes/CMYK.jpg")),
                 options);
  EXPECT_EQ(cmyk.format(), PixelFormat::kRgb8);
}

TEST(FastModeTest, OtherFormatsIgnoreIt) {
  DecodeOptions options;
  options.min_side_for_scaling = 8;
  for (const char* file : {"source.png", "source-lossy.webp", "source.heic"}) {
    auto decoded = DecodeImage(ReadFixture(file), options);
    ASSERT_TRUE(decoded.has_value()) << file;
    EXPECT_EQ(decoded->image.width(), 64) << file;
    EXPECT_EQ(decoded->image.height(), 48) << file;
  }
}

// ---- Limits.

struct LimitFixture {
  const char* file;
  const char* name;  // Expected message prefix: the format name.
};

const std::vector<LimitFixture>& AllFormatFixtures() {
  static const std::vector<LimitFixture> fixtures = {
      {"source.jpg", "jpeg"},
      {"source-progressive.jpg", "jpeg"},
      {"source-cmyk.jpg", "jpeg"},
      {"source.png", "png"},
      {"source-interlaced.png", "png"},
      {"source-lossless.webp", "webp"},
      {"source-lossy.webp", "webp"},
      {"animated.webp", "webp"},
      {"source.gif", "gif"},
      {"source-interlaced.gif", "gif"},
      {"animated.gif", "gif"},
      {"source.bmp", "bmp"},
      {"source-palette.bmp", "bmp"},
      {"source.tiff", "tiff"},
      {"source-tiled.tiff", "tiff"},
      {"source-cmyk.tiff", "tiff"},
      {"source.heic", "heif"},
      {"source.avif", "avif"},
  };
  return fixtures;
}

class LimitsTest : public ::testing::TestWithParam<LimitFixture> {
 protected:
  Status Decode(const DecodeLimits& limits) {
    DecodeOptions options;
    options.limits = limits;
    auto decoded = DecodeImage(ReadFixture(GetParam().file), options);
    return decoded.status();
  }
};

TEST_P(LimitsTest, DefaultLimitsAccept) {
  EXPECT_TRUE(Decode(DecodeLimits{}).ok());
}

TEST_P(LimitsTest, PixelLimit) {
  DecodeLimits limits;
  limits.max_pixels = 100;
  const Status status = Decode(limits);
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted) << status.ToString();
  EXPECT_THAT(status.message(),
              StartsWith(std::string(GetParam().name) + ": "));
  EXPECT_THAT(status.message(), HasSubstr("64x48 is 3072 pixels"));
  EXPECT_THAT(status.message(), HasSubstr("limit of 100"));
  // Exactly at the limit is allowed.
  limits.max_pixels = std::uint64_t{64} * 48;
  EXPECT_TRUE(Decode(limits).ok());
}

TEST_P(LimitsTest, DimensionLimit) {
  DecodeLimits limits;
  limits.max_dimension = 10;
  const Status status = Decode(limits);
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted) << status.ToString();
  // libheif applies the same limit while parsing, with its own words.
  EXPECT_THAT(
      status.message(),
      ::testing::AnyOf(HasSubstr("limit of 10 pixels per side"),
                       HasSubstr("exceeds the maximum image size 11x11")));
  limits.max_dimension = 64;
  EXPECT_TRUE(Decode(limits).ok());
}

TEST_P(LimitsTest, FileSizeLimit) {
  DecodeLimits limits;
  limits.max_file_bytes = 10;
  const Status status = Decode(limits);
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted) << status.ToString();
  EXPECT_THAT(status.message(), HasSubstr("over the limit of 10 bytes"));
}

TEST_P(LimitsTest, ExpiredDeadline) {
  DecodeOptions options;
  auto decoded = internal::DecodeImageWithDeadline(ReadFixture(GetParam().file),
                                                   options, ExpiredDeadline());
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(decoded.error().code(), StatusCode::kDeadlineExceeded)
      << decoded.error().ToString();
  EXPECT_THAT(decoded.error().message(),
              StartsWith(std::string(GetParam().name) + ": "));
  EXPECT_THAT(decoded.error().message(), HasSubstr("time limit of 10000 ms"));
}

TEST_P(LimitsTest, ZeroTimeBudgetMeansNoDeadline) {
  DecodeLimits limits;
  limits.max_decode_time = std::chrono::milliseconds(0);
  EXPECT_TRUE(Decode(limits).ok());
}

INSTANTIATE_TEST_SUITE_P(
    Formats, LimitsTest, ::testing::ValuesIn(AllFormatFixtures()),
    [](const ::testing::TestParamInfo<LimitFixture>& param_info) {
      std::string name = param_info.param.file;
      for (char& c : name) {
        if (std::isalnum(static_cast<unsigned char>(c)) == 0) c = '_';
      }
      return name;
    });

TEST(FrameLimitTest, CountsPagesImagesAndFrames) {
  for (const char* file :
       {"source-2pages.tiff", "source-2images.heic", "animated.webp"}) {
    DecodeOptions options;
    options.limits.max_frames = 1;
    auto decoded = DecodeImage(ReadFixture(file), options);
    ASSERT_FALSE(decoded.has_value()) << file;
    EXPECT_EQ(decoded.error().code(), StatusCode::kResourceExhausted) << file;
    EXPECT_THAT(decoded.error().message(),
                HasSubstr("declares 2 frames or images, over the limit of 1"));
    options.limits.max_frames = 2;
    EXPECT_TRUE(DecodeImage(ReadFixture(file), options).has_value()) << file;
  }
}

TEST(DeadlineTest, JpegStopsInsideTheDecoderOnALargeImage) {
  // A 1600x1004 photo with a deadline that has already passed: libjpeg's
  // progress monitor stops the decode, whatever the machine's speed.
  DecodeOptions options;
  auto decoded = internal::DecodeImageWithDeadline(
      ReadFile(
          testing::ConformancePath("images/upstream/bridge-mods/aaa-orig.jpg")),
      options, ExpiredDeadline());
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(decoded.error().code(), StatusCode::kDeadlineExceeded);
}

// ---- Malformed input.

class MalformedTest : public ::testing::TestWithParam<LimitFixture> {};

TEST_P(MalformedTest, TruncatedInputIsRejected) {
  const Bytes bytes = ReadFixture(GetParam().file);
  const std::size_t size = bytes.size();
  std::vector<std::size_t> lengths = {
      0, 1, 2, 3, 6, 8, 12, 16, 30, 100, size / 4, size / 2, 3 * size / 4};
  const std::string name = GetParam().name;
  // Formats whose last bytes are needed (GIF stops after the first image;
  // TIFF and WebP may end in padding or unused bytes).
  if (name == "jpeg" || name == "png" || name == "bmp")
    lengths.push_back(size - 1);
  if (name == "jpeg") lengths.push_back(size - 2);  // No EOI marker.
  if (name == "png") lengths.push_back(size - 12);  // No IEND chunk.
  // A GIF is complete once its first image is: stop before the second one
  // (its graphic control extension).
  std::size_t complete = size;
  if (name == "gif") {
    complete = Find(bytes, "\x21\xf9\x04", Find(bytes, "\x21\xf9\x04") + 1);
  }
  for (const std::size_t length : lengths) {
    if (length >= complete) continue;
    auto decoded = DecodeImage(std::span(bytes).first(length));
    ASSERT_FALSE(decoded.has_value()) << "length " << length;
    EXPECT_EQ(decoded.error().code(), StatusCode::kInvalidArgument)
        << "length " << length << ": " << decoded.error().ToString();
    EXPECT_FALSE(decoded.error().message().empty());
    if (SniffImageFormat(std::span(bytes).first(length)) !=
        ImageFormat::kUnknown) {
      EXPECT_THAT(decoded.error().message(), StartsWith(name + ": "))
          << "length " << length;
      // Past the first bytes, every decoder names the cause.
      if (length >= size / 4 && name != "heif" && name != "avif") {
        EXPECT_THAT(decoded.error().message(), HasSubstr("truncated"))
            << "length " << length;
      }
    }
  }
}

TEST_P(MalformedTest, WrongMagicIsRejected) {
  Bytes bytes = ReadFixture(GetParam().file);
  bytes[0] ^= 0x55;
  bytes[4] ^= 0x55;  // ISO-BMFF files have their magic ("ftyp") there.
  auto decoded = DecodeImage(bytes);
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(decoded.error().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(decoded.error().message(),
              HasSubstr("not a supported image format"));
}

TEST_P(MalformedTest, CorruptedBytesNeverCrashOrPrint) {
  // Seeded mutations of the fixture: any outcome is fine except a crash, a
  // sanitizer report, a message on stderr or an inconsistent image.
  const Bytes original = ReadFixture(GetParam().file);
  std::mt19937 random(12345);
  ::testing::internal::CaptureStderr();
  for (int trial = 0; trial < 150; ++trial) {
    Bytes bytes = original;
    const int flips = 1 + static_cast<int>(random() % 8);
    for (int i = 0; i < flips; ++i) {
      // Keep the magic so that the format's own decoder runs.
      const std::size_t at = 4 + random() % (bytes.size() - 4);
      bytes[at] = static_cast<std::uint8_t>(random());
    }
    auto decoded = DecodeImage(bytes);
    if (decoded.has_value()) {
      EXPECT_TRUE(decoded->image.view().IsValid());
    } else {
      EXPECT_FALSE(decoded.error().message().empty());
      EXPECT_NE(decoded.error().code(), StatusCode::kOk);
    }
  }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

INSTANTIATE_TEST_SUITE_P(
    Formats, MalformedTest, ::testing::ValuesIn(AllFormatFixtures()),
    [](const ::testing::TestParamInfo<LimitFixture>& param_info) {
      std::string name = param_info.param.file;
      for (char& c : name) {
        if (std::isalnum(static_cast<unsigned char>(c)) == 0) c = '_';
      }
      return name;
    });

TEST(MalformedInputTest, EmptyInputIsRejected) {
  auto decoded = DecodeImage({});
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(decoded.error().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(decoded.error().message(), HasSubstr("empty"));
}

TEST(MalformedInputTest, RandomBytesAfterEachMagicAreRejected) {
  using std::string_view_literals::operator""sv;
  const std::vector<Bytes> magics = {
      AsBytes("\xFF\xD8\xFF"sv),
      AsBytes("\x89PNG\r\n\x1A\n"sv),
      AsBytes("RIFF\x20\0\0\0WEBP"sv),
      AsBytes("GIF89a"sv),
      AsBytes("BM"sv),
      AsBytes("II*\0"sv),
      AsBytes("MM\0*"sv),
      Ftyp("heic", {"mif1", "heic"}),
      Ftyp("avif", {"mif1", "avif"}),
      Bytes{},
  };
  std::mt19937 random(2024);
  ::testing::internal::CaptureStderr();
  for (const Bytes& magic : magics) {
    for (const std::size_t length : {1, 16, 100, 1000, 20000}) {
      for (int trial = 0; trial < 10; ++trial) {
        Bytes bytes = magic;
        for (std::size_t i = 0; i < length; ++i) {
          bytes.push_back(static_cast<std::uint8_t>(random()));
        }
        auto decoded = DecodeImage(bytes);
        ASSERT_FALSE(decoded.has_value())
            << "magic " << ImageFormatName(SniffImageFormat(magic))
            << " length " << length << " trial " << trial;
        const StatusCode code = decoded.error().code();
        EXPECT_TRUE(code == StatusCode::kInvalidArgument ||
                    code == StatusCode::kUnimplemented ||
                    code == StatusCode::kResourceExhausted)
            << decoded.error().ToString();
      }
    }
  }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

TEST(MalformedInputTest, MagicOfOneFormatWithBodyOfAnother) {
  // A PNG signature followed by a JPEG: libpng must refuse it.
  Bytes bytes = AsBytes("\x89PNG\r\n\x1A\n");
  const Bytes jpeg = ReadFixture("source.jpg");
  bytes.insert(bytes.end(), jpeg.begin(), jpeg.end());
  auto decoded = DecodeImage(bytes);
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(decoded.error().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(decoded.error().message(), StartsWith("png: "));
}

// ---- Decompression bombs: huge sizes declared in otherwise valid headers.

void ExpectTooLarge(const Bytes& bytes, const std::string& format,
                    const std::string& detail = "") {
  ::testing::internal::CaptureStderr();
  auto decoded = DecodeImage(bytes);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(decoded.error().code(), StatusCode::kResourceExhausted)
      << decoded.error().ToString();
  EXPECT_THAT(decoded.error().message(), StartsWith(format + ": "));
  if (!detail.empty()) {
    EXPECT_THAT(decoded.error().message(), HasSubstr(detail));
  }
}

TEST(BombTest, PngHugeIhdrWithValidCrc) {
  Bytes bytes = ReadFixture("source.png");
  ASSERT_EQ(Find(bytes, "IHDR"), 12u);
  PutBigEndian32(bytes, 16, 100000);
  PutBigEndian32(bytes, 20, 100000);
  PutBigEndian32(bytes, 29, Crc32(std::span(bytes).subspan(12, 17)));
  ExpectTooLarge(bytes, "png", "100000x100000");
  // The same header with a width of zero is malformed, not too large.
  PutBigEndian32(bytes, 16, 0);
  PutBigEndian32(bytes, 29, Crc32(std::span(bytes).subspan(12, 17)));
  auto decoded = DecodeImage(bytes);
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(decoded.error().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(decoded.error().message(), HasSubstr("empty size"));
}

TEST(BombTest, JpegHugeStartOfFrame) {
  for (const char* file : {"source.jpg", "source-progressive.jpg"}) {
    Bytes bytes = ReadFixture(file);
    // SOF0 (baseline) or SOF2 (progressive): FF Cn, length, precision,
    // height, width.
    std::size_t sof = 2;
    while (sof + 9 < bytes.size() &&
           !(bytes[sof] == 0xFF &&
             (bytes[sof + 1] == 0xC0 || bytes[sof + 1] == 0xC2))) {
      ++sof;
    }
    ASSERT_LT(sof + 9, bytes.size()) << file;
    PutBigEndian16(bytes, sof + 5, 65000);
    PutBigEndian16(bytes, sof + 7, 65000);
    ExpectTooLarge(bytes, "jpeg", "65000x65000");
  }
}

TEST(BombTest, GifHugeScreenAndFrame) {
  Bytes screen = ReadFixture("source.gif");
  PutLittleEndian(screen, 6, 65535, 2);
  PutLittleEndian(screen, 8, 65535, 2);
  ExpectTooLarge(screen, "gif", "canvas size 65535x65535");

  // A small screen with a huge first frame (descriptor: 0x2C, left 8, top 4).
  Bytes frame = ReadFixture("animated.gif");
  using std::string_view_literals::operator""sv;
  const std::size_t descriptor = Find(frame, "\x2c\x08\x00\x04\x00"sv);
  ASSERT_LT(descriptor, frame.size());
  PutLittleEndian(frame, descriptor + 5, 65535, 2);
  PutLittleEndian(frame, descriptor + 7, 65535, 2);
  ExpectTooLarge(frame, "gif", "frame size 65535x65535");
}

TEST(BombTest, BmpHugeHeader) {
  Bytes bytes = ReadFixture("source.bmp");
  ASSERT_EQ(GetLittleEndian(bytes, 14, 4), 40u);  // BITMAPINFOHEADER.
  PutLittleEndian(bytes, 18, 100000, 4);
  PutLittleEndian(bytes, 22, 100000, 4);
  ExpectTooLarge(bytes, "bmp", "100000x100000");
  // Top-down (negative height) is measured by its absolute value.
  PutLittleEndian(bytes, 22, static_cast<std::uint32_t>(-100000), 4);
  ExpectTooLarge(bytes, "bmp", "100000x100000");
  // A negative width is malformed.
  PutLittleEndian(bytes, 18, static_cast<std::uint32_t>(-64), 4);
  PutLittleEndian(bytes, 22, 48, 4);
  auto decoded = DecodeImage(bytes);
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(decoded.error().code(), StatusCode::kInvalidArgument);
}

TEST(BombTest, TiffHugeImageSizeTags) {
  Bytes bytes = ReadFixture("source.tiff");
  ASSERT_EQ(bytes[0], 'I');  // ImageMagick writes little-endian here.
  const std::uint32_t ifd = GetLittleEndian(bytes, 4, 4);
  const std::uint32_t entries = GetLittleEndian(bytes, ifd, 2);
  int patched = 0;
  for (std::uint32_t i = 0; i < entries; ++i) {
    const std::size_t entry = ifd + 2 + 12 * i;
    const std::uint32_t tag = GetLittleEndian(bytes, entry, 2);
    if (tag != 256 && tag != 257) continue;  // ImageWidth, ImageLength.
    const std::uint32_t type = GetLittleEndian(bytes, entry + 2, 2);
    // SHORT (3) holds at most 65535; LONG (4) more.
    PutLittleEndian(bytes, entry + 8, type == 3 ? 65535 : 100000,
                    type == 3 ? 2 : 4);
    ++patched;
  }
  ASSERT_EQ(patched, 2);
  ExpectTooLarge(bytes, "tiff", "pixels, over the limit");
}

TEST(BombTest, WebpHugeLosslessHeader) {
  Bytes bytes = ReadFixture("source-lossless.webp");
  ASSERT_EQ(Find(bytes, "VP8L"), 12u);  // Simple format: RIFF, VP8L.
  ASSERT_EQ(bytes[20], 0x2F);           // VP8L signature.
  // 14 bits of width - 1, 14 bits of height - 1: 16384 x 16384.
  const std::uint32_t bits = GetLittleEndian(bytes, 21, 4);
  PutLittleEndian(bytes, 21, (bits & 0xF0000000u) | 0x0FFFFFFFu, 4);
  ExpectTooLarge(bytes, "webp", "16384x16384");
}

TEST(BombTest, WebpHugeAnimationCanvas) {
  Bytes bytes = ReadFixture("animated.webp");
  ASSERT_EQ(Find(bytes, "VP8X"), 12u);
  // Canvas width - 1 and height - 1, 24 bits each.
  PutLittleEndian(bytes, 24, 20000 - 1, 3);
  PutLittleEndian(bytes, 27, 20000 - 1, 3);
  ExpectTooLarge(bytes, "webp", "20000x20000");
}

TEST(BombTest, HeifAndAvifHugeImageSpatialExtents) {
  for (const auto& [file, format] :
       std::vector<std::pair<std::string, std::string>>{
           {"source.heic", "heif"}, {"source.avif", "avif"}}) {
    Bytes bytes = ReadFixture(file);
    int patched = 0;
    // ispe: size, "ispe", version and flags, width, height.
    for (std::size_t at = Find(bytes, "ispe"); at < bytes.size();
         at = Find(bytes, "ispe", at + 4)) {
      PutBigEndian32(bytes, at + 8, 100000);
      PutBigEndian32(bytes, at + 12, 100000);
      ++patched;
    }
    ASSERT_GT(patched, 0) << file;
    ExpectTooLarge(bytes, format);
  }
}

// ---- Concurrency.

TEST(ConcurrencyTest, ParallelDecodesAgree) {
  // Each input decoded whole and cut in half (which exercises the error
  // paths), first on one thread, then on four at once.
  std::vector<Bytes> inputs;
  for (const FixtureCase& fixture : FixtureCases()) {
    const Bytes bytes = ReadFixture(fixture.file);
    inputs.push_back(bytes);
    inputs.emplace_back(
        bytes.begin(),
        bytes.begin() + static_cast<std::ptrdiff_t>(bytes.size() / 2));
  }
  std::vector<Result<DecodedImage>> expected;
  expected.reserve(inputs.size());
  for (const Bytes& input : inputs) expected.push_back(DecodeImage(input));
  auto same = [](const Result<DecodedImage>& a, const Result<DecodedImage>& b) {
    if (a.has_value() != b.has_value()) return false;
    if (!a.has_value()) return a.error() == b.error();
    return SamePixels(a->image, b->image);
  };
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  threads.reserve(mismatches.size());
  for (int& count : mismatches) {
    threads.emplace_back([&] {
      for (int round = 0; round < 3; ++round) {
        for (std::size_t i = 0; i < inputs.size(); ++i) {
          if (!same(DecodeImage(inputs[i]), expected[i])) ++count;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace rempart::media
