// The evaluation's transforms, on OpenCV.
//
// Each transform is a function from an RGB matrix and a Random to a new RGB
// matrix; the table below gives its name, its sentence for the report and
// the function, in report order. The Random is seeded from the caller's seed
// mixed with the transform's name, so one seed used for every transform
// still makes unrelated choices in each.
//
// OpenCV is called only here and in draw.cc, and its exceptions stop here:
// ApplyTransform() turns them into a Status. Matrices hold R, G, B in that
// order; only the JPEG codec, which assumes OpenCV's B, G, R, sees them
// swapped.
#include "rempart/eval/transform.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <cstring>
#include <exception>
#include <new>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "eval/draw.h"

namespace rempart::eval {
namespace {

using internal::Random;

using TransformFunction = Result<cv::Mat> (*)(const cv::Mat& picture,
                                              Random& random);

int Round(double value) { return static_cast<int>(std::lround(value)); }

// ---------------------------------------------------------- the transforms

// Area averaging to `percent` of each side, at least one pixel.
template <int kPercent>
Result<cv::Mat> Resize(const cv::Mat& picture, Random& /*random*/) {
  const int width = std::max(1, Round(picture.cols * kPercent / 100.0));
  const int height = std::max(1, Round(picture.rows * kPercent / 100.0));
  cv::Mat resized;
  cv::resize(picture, resized, {width, height}, 0, 0, cv::INTER_AREA);
  return resized;
}

// Baseline JPEG through libjpeg's defaults (4:2:0 chroma subsampling for
// colour), without optimised Huffman tables, then decoded.
Result<cv::Mat> Jpeg30(const cv::Mat& picture, Random& /*random*/) {
  constexpr int kMaxJpegSide = 65'500;
  if (picture.cols > kMaxJpegSide || picture.rows > kMaxJpegSide) {
    return InvalidArgumentError("jpeg-30: a side over 65,500 pixels");
  }
  cv::Mat bgr;
  cv::cvtColor(picture, bgr, cv::COLOR_RGB2BGR);
  std::vector<std::uint8_t> bytes;
  const std::vector<int> parameters = {cv::IMWRITE_JPEG_QUALITY,     30,
                                       cv::IMWRITE_JPEG_PROGRESSIVE, 0,
                                       cv::IMWRITE_JPEG_OPTIMIZE,    0};
  if (!cv::imencode(".jpg", bgr, bytes, parameters)) {
    return InternalError("jpeg-30: OpenCV could not encode the picture");
  }
  const cv::Mat decoded =
      cv::imdecode(bytes, cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
  if (decoded.empty()) {
    return InternalError("jpeg-30: OpenCV could not decode its own JPEG");
  }
  cv::Mat rgb;
  cv::cvtColor(decoded, rgb, cv::COLOR_BGR2RGB);
  return rgb;
}

// `percent` of the width cut from the left and from the right, and of the
// height from the top and from the bottom; at least one pixel stays.
template <int kPercent>
Result<cv::Mat> Crop(const cv::Mat& picture, Random& /*random*/) {
  const int left =
      std::min(Round(picture.cols * kPercent / 100.0), (picture.cols - 1) / 2);
  const int top =
      std::min(Round(picture.rows * kPercent / 100.0), (picture.rows - 1) / 2);
  return picture(
      cv::Rect(left, top, picture.cols - 2 * left, picture.rows - 2 * top));
}

// A window 60–80% of each side. Along one axis (chosen at random) its
// centre lies at least 10% of the side from the picture's centre, on a
// random side; along the other it may lie anywhere the window fits.
// Window sizes round down and offsets round away from the centre, so both
// bounds hold in whole pixels too (on pictures large enough to have room).
Result<cv::Mat> CropOffCentre(const cv::Mat& picture, Random& random) {
  const bool along_x = random.Coin();
  int window[2];
  int origin[2];
  for (int axis = 0; axis < 2; ++axis) {
    const int side = axis == 0 ? picture.cols : picture.rows;
    const int size =
        std::clamp(static_cast<int>(side * random.Uniform(0.6, 0.8)), 1, side);
    // The furthest the centre can move from the picture's (in pixels).
    const double room = (side - size) / 2.0;
    const bool off_centre = (axis == 0) == along_x;
    const double least = off_centre ? std::min(0.1 * side, room) : 0;
    const double offset = random.Uniform(least, room);
    const double start = (side - size) / 2.0;
    int position = random.Coin() ? static_cast<int>(std::ceil(start + offset))
                                 : static_cast<int>(std::floor(start - offset));
    position = std::clamp(position, 0, side - size);
    window[axis] = size;
    origin[axis] = position;
  }
  return picture(cv::Rect(origin[0], origin[1], window[0], window[1]));
}

Result<cv::Mat> Rotate90(const cv::Mat& picture, Random& /*random*/) {
  cv::Mat turned;
  cv::rotate(picture, turned, cv::ROTATE_90_COUNTERCLOCKWISE);
  return turned;
}

Result<cv::Mat> Rotate180(const cv::Mat& picture, Random& /*random*/) {
  cv::Mat turned;
  cv::rotate(picture, turned, cv::ROTATE_180);
  return turned;
}

Result<cv::Mat> Mirror(const cv::Mat& picture, Random& /*random*/) {
  cv::Mat mirrored;
  cv::flip(picture, mirrored, /*flipCode=*/1);
  return mirrored;
}

// `degrees` about the centre, clockwise or counter-clockwise at random,
// bilinear, on the same canvas; what the picture no longer covers is black.
template <int kDegrees>
Result<cv::Mat> RotateBy(const cv::Mat& picture, Random& random) {
  // OpenCV's positive angles turn counter-clockwise on screen.
  const double angle = random.Coin() ? kDegrees : -kDegrees;
  const cv::Point2f centre(static_cast<float>((picture.cols - 1) / 2.0),
                           static_cast<float>((picture.rows - 1) / 2.0));
  const cv::Mat matrix = cv::getRotationMatrix2D(centre, angle, 1.0);
  cv::Mat turned;
  cv::warpAffine(picture, turned, matrix, picture.size(), cv::INTER_LINEAR,
                 cv::BORDER_CONSTANT, cv::Scalar(0, 0, 0));
  return turned;
}

// OpenCV's luma: 0.299 R + 0.587 G + 0.114 B (Rec. 601) in fixed point.
Result<cv::Mat> Grayscale(const cv::Mat& picture, Random& /*random*/) {
  cv::Mat gray;
  cv::cvtColor(picture, gray, cv::COLOR_RGB2GRAY);
  cv::Mat rgb;
  cv::cvtColor(gray, rgb, cv::COLOR_GRAY2RGB);
  return rgb;
}

// out = (in − 128)·contrast + 128 + brightness, rounded and clamped, through
// a table so every channel value maps the same way.
Result<cv::Mat> BrightnessContrast(const cv::Mat& picture, Random& random) {
  const double contrast = random.UniformEither(0.7, 0.85, 1.15, 1.4);
  const double brightness = random.UniformEither(-40, -15, 15, 40);
  cv::Mat table(1, 256, CV_8U);
  for (int value = 0; value < 256; ++value) {
    const double mapped = (value - 128) * contrast + 128 + brightness;
    table.at<std::uint8_t>(value) =
        static_cast<std::uint8_t>(std::clamp(Round(mapped), 0, 255));
  }
  cv::Mat adjusted;
  cv::LUT(picture, table, adjusted);
  return adjusted;
}

Result<cv::Mat> Caption(const cv::Mat& picture, Random& random) {
  cv::Mat captioned = picture.clone();
  internal::DrawCaption(captioned, random);
  return captioned;
}

Result<cv::Mat> Sticker(const cv::Mat& picture, Random& random) {
  cv::Mat stickered = picture.clone();
  internal::DrawSticker(stickered, random);
  return stickered;
}

// Each side padded by its own 6–12% of that dimension (at least a pixel),
// in white, black or a random colour.
Result<cv::Mat> Border(const cv::Mat& picture, Random& random) {
  const auto margin = [&random](int side) {
    return std::max(1, Round(side * random.Uniform(0.06, 0.12)));
  };
  const int top = margin(picture.rows);
  const int bottom = margin(picture.rows);
  const int left = margin(picture.cols);
  const int right = margin(picture.cols);
  cv::Scalar colour;
  switch (random.Below(3)) {
    case 0:
      colour = cv::Scalar(255, 255, 255);
      break;
    case 1:
      colour = cv::Scalar(0, 0, 0);
      break;
    default: {
      const int red = random.Below(256);
      const int green = random.Below(256);
      const int blue = random.Below(256);
      colour = cv::Scalar(red, green, blue);
    }
  }
  cv::Mat bordered;
  cv::copyMakeBorder(picture, bordered, top, bottom, left, right,
                     cv::BORDER_CONSTANT, colour);
  return bordered;
}

Result<cv::Mat> Screenshot(const cv::Mat& picture, Random& random) {
  return internal::DrawScreenshot(picture, random);
}

// σ = 0.4% of the long side, at least one pixel; OpenCV sizes the kernel
// from σ (±3σ) and reflects at the edges.
Result<cv::Mat> Blur(const cv::Mat& picture, Random& /*random*/) {
  const double sigma =
      std::max(1.0, 0.004 * std::max(picture.cols, picture.rows));
  cv::Mat blurred;
  cv::GaussianBlur(picture, blurred, {0, 0}, sigma, sigma);
  return blurred;
}

// Independent normal noise of deviation 12 on every channel of every pixel,
// in row order, rounded and clamped.
Result<cv::Mat> Noise(const cv::Mat& picture, Random& random) {
  constexpr double kDeviation = 12.0;
  cv::Mat noisy = picture.clone();  // A fresh matrix is continuous.
  auto* value = noisy.ptr<std::uint8_t>();
  const std::size_t count = noisy.total() * noisy.elemSize();
  for (std::size_t i = 0; i < count; ++i) {
    const double noised = value[i] + kDeviation * random.Normal();
    value[i] = static_cast<std::uint8_t>(std::clamp(Round(noised), 0, 255));
  }
  return noisy;
}

// ------------------------------------------------------------------ table

struct Transform {
  TransformInfo info;
  TransformFunction apply;
};

constexpr std::array<Transform, 19> kTable = {{
    {{"resize-50", "Downscaled to 50% of each side (area averaging)"},
     &Resize<50>},
    {{"resize-25", "Downscaled to 25% of each side (area averaging)"},
     &Resize<25>},
    {{"jpeg-30", "Re-encoded as baseline JPEG at quality 30 (4:2:0 chroma)"},
     &Jpeg30},
    {{"crop-10", "Central 80% × 80% kept (10% cut from every side)"},
     &Crop<10>},
    {{"crop-25", "Central 50% × 50% kept (25% cut from every side)"},
     &Crop<25>},
    {{"crop-offcentre",
      "A window of 60–80% of each side kept, its centre 10% or more off the "
      "picture's"},
     &CropOffCentre},
    {{"rotate-90", "Turned 90° counter-clockwise"}, &Rotate90},
    {{"rotate-180", "Turned upside down (180°)"}, &Rotate180},
    {{"mirror", "Mirrored left to right"}, &Mirror},
    {{"rotate-3",
      "Rotated 3° either way about the centre on the same canvas, black "
      "corners"},
     &RotateBy<3>},
    {{"rotate-8",
      "Rotated 8° either way about the centre on the same canvas, black "
      "corners"},
     &RotateBy<8>},
    {{"grayscale", "Converted to grey (Rec. 601 luma)"}, &Grayscale},
    {{"brightness-contrast",
      "Contrast ×0.7–0.85 or ×1.15–1.4 and brightness ±15–40 levels"},
     &BrightnessContrast},
    {{"caption",
      "Meme caption: one or two lines of white outlined capitals at the top "
      "or bottom"},
     &Caption},
    {{"sticker",
      "A smiley sticker 22–32% of the short side across, somewhere on the "
      "picture"},
     &Sticker},
    {{"border",
      "A white, black or coloured border of 6–12% of each dimension on every "
      "side"},
     &Border},
    {{"screenshot",
      "Shown as a post in a social app, screenshotted on a 720 × 1560 phone"},
     &Screenshot},
    {{"blur", "Gaussian blur, σ = 0.4% of the long side (1 pixel at least)"},
     &Blur},
    {{"noise",
      "Gaussian noise of σ = 12 levels on every channel of every pixel"},
     &Noise},
}};

constexpr std::array<TransformInfo, kTable.size()> kInfos = [] {
  std::array<TransformInfo, kTable.size()> infos{};
  for (std::size_t i = 0; i < kTable.size(); ++i) infos[i] = kTable[i].info;
  return infos;
}();

// FNV-1a, to mix a transform's name into the caller's seed.
std::uint64_t NameHash(std::string_view name) {
  std::uint64_t hash = 0xCBF29CE484222325ULL;
  for (const char c : name) {
    hash = (hash ^ static_cast<std::uint8_t>(c)) * 0x100000001B3ULL;
  }
  return hash;
}

// An RGB matrix of the view's pixels: a header over them for RGB (OpenCV
// has no read-only matrix; the transforms never write to their input), a
// copy for grey.
cv::Mat RgbMatrix(const media::ImageView& image) {
  if (image.format == media::PixelFormat::kGray8) {
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-const-cast): read only.
    const cv::Mat gray(image.height, image.width, CV_8UC1,
                       const_cast<std::uint8_t*>(image.pixels.data()));
    cv::Mat rgb;
    cv::cvtColor(gray, rgb, cv::COLOR_GRAY2RGB);
    return rgb;
  }
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-const-cast): read only.
  return {image.height, image.width, CV_8UC3,
          const_cast<std::uint8_t*>(image.pixels.data())};
}

media::Image ToImage(const cv::Mat& rgb) {
  media::Image image(rgb.cols, rgb.rows, media::PixelFormat::kRgb8);
  for (int y = 0; y < rgb.rows; ++y) {
    std::memcpy(image.mutable_row(y), rgb.ptr<std::uint8_t>(y),
                image.row_bytes());
  }
  return image;
}

}  // namespace

std::span<const TransformInfo> Transforms() { return kInfos; }

Result<media::Image> ApplyTransform(std::string_view name,
                                    const media::ImageView& image,
                                    std::uint64_t seed) {
  const auto found =
      std::find_if(kTable.begin(), kTable.end(),
                   [name](const Transform& t) { return t.info.name == name; });
  if (found == kTable.end()) {
    return InvalidArgumentError("unknown transform \"" + std::string(name) +
                                "\"");
  }
  if (image.width <= 0 || image.height <= 0) {
    return InvalidArgumentError("the picture to transform is empty");
  }
  if (static_cast<std::int64_t>(image.width) * image.height >
      kMaxTransformPixels) {
    return InvalidArgumentError(
        "the picture to transform is over 100 megapixels");
  }
  if (!image.IsValid()) {
    return InvalidArgumentError(
        "the picture's buffer does not match its dimensions");
  }
  try {
    Random random(seed ^ NameHash(name));
    auto transformed = found->apply(RgbMatrix(image), random);
    if (!transformed) return transformed.error().WithContext(found->info.name);
    assert(transformed->type() == CV_8UC3 && !transformed->empty());
    return ToImage(*transformed);
  } catch (const cv::Exception& error) {
    return InternalError(std::string(found->info.name) +
                         ": OpenCV failed: " + error.what());
  } catch (const std::bad_alloc&) {
    return ResourceExhaustedError(std::string(found->info.name) +
                                  ": out of memory");
  } catch (const std::exception& error) {
    return InternalError(std::string(found->info.name) + ": " + error.what());
  }
}

}  // namespace rempart::eval
