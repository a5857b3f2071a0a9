// Private helpers of the evaluation's transforms (rempart/eval/transform.h):
// the seeded random source every random choice comes from, and the
// procedurally drawn overlays (meme caption, smiley sticker, phone
// screenshot). Pictures here are OpenCV matrices of 8-bit RGB (CV_8UC3, in
// R, G, B order, so every cv::Scalar colour below is written R, G, B).
#ifndef REMPART_EVAL_DRAW_H_
#define REMPART_EVAL_DRAW_H_

#include <array>
#include <cstdint>
#include <opencv2/core.hpp>

#include "rempart/core/random.h"

namespace rempart::eval::internal {

// xoshiro256** (Blackman and Vigna, 2018) seeded through splitmix64: a small
// generator whose output is fixed by its definition, unlike the std::
// distributions, whose algorithms differ between standard libraries. Every
// derived value below (doubles, integers, normals) is computed here from the
// raw 64-bit outputs with plain IEEE arithmetic. Not thread-safe: one per
// call.
class Random {
 public:
  explicit Random(std::uint64_t seed);

  // The next 64 raw bits.
  std::uint64_t Next();
  // Uniform in [0, 1), with 53 bits of precision.
  double Uniform();
  // Uniform in [low, high).
  double Uniform(double low, double high);
  // Uniform in [low, high) or in [low2, high2), each interval chosen with
  // probability ½.
  double UniformEither(double low, double high, double low2, double high2);
  // Uniform integer in [0, count); count > 0.
  int Below(int count);
  // True or false with probability ½ each.
  bool Coin();
  // Standard normal (mean 0, deviation 1) by the Box–Muller transform; the
  // second value of each pair is kept for the next call.
  double Normal();

 private:
  Xoshiro256 generator_;
  double spare_normal_ = 0.0;
  bool has_spare_normal_ = false;
};

// Draws one or two lines of random uppercase words, white with a black
// outline, centred at the top or bottom of `picture` (8–10% of its height
// tall, each line 60–90% of its width).
void DrawCaption(cv::Mat& picture, Random& random);

// Draws a yellow smiley with a dark outline, 22–32% of the picture's short
// side across, at a random place wholly inside `picture`.
void DrawSticker(cv::Mat& picture, Random& random);

// The width and height of the phone screen DrawScreenshot() draws.
inline constexpr int kScreenshotWidth = 720;
inline constexpr int kScreenshotHeight = 1560;

// A 720×1560 screenshot of a social app showing `picture` as a post: status
// bar, app bar, the picture at full width (at most 60% of the screen tall),
// actions, likes, caption, timestamp and navigation bar, in a light or dark
// theme.
cv::Mat DrawScreenshot(const cv::Mat& picture, Random& random);

}  // namespace rempart::eval::internal

#endif  // REMPART_EVAL_DRAW_H_
