// Transforms: the fixed set of picture alterations the robustness evaluation
// (`rempart eval`) applies to every corpus photo before asking whether PDQ
// still matches the copy to its original.
//
// Each transform stands for something that happens to a picture on its way
// across platforms: rescaling, recompression, cropping, turning, recolouring,
// captions and stickers, borders, screenshots, blur and sensor noise. Sizes
// are fractions of the picture's own, so a transform means the same on any
// resolution. The list and its order are part of the evaluation's report:
// adding a transform is an edit here, and old reports stay comparable only
// for names that keep their meaning.
//
// Random choices (a crop window, a rotation's direction, a caption's words,
// a border's colour, the noise) come from `seed` through Rempart's own
// generator, never from std:: distributions, so a seed makes the same
// choices on every run, machine and standard library. The pixels are then
// the same wherever the same OpenCV, libjpeg and maths library run (the
// noise goes through log, sin and cos).
//
// Every function here is thread-safe: no state is shared between calls.
#ifndef REMPART_EVAL_TRANSFORM_H_
#define REMPART_EVAL_TRANSFORM_H_

#include <cstdint>
#include <span>
#include <string_view>

#include "rempart/core/result.h"
#include "rempart/media/image.h"

namespace rempart::eval {

// One transform as the report shows it: a stable name ("crop-25") and one
// sentence saying what it does. Both view static storage.
struct TransformInfo {
  std::string_view name;
  std::string_view description;
};

// The largest picture a transform accepts (width × height): 100 megapixels.
inline constexpr std::int64_t kMaxTransformPixels = 100'000'000;

// The 19 transforms, in report order: resize-50, resize-25, jpeg-30, crop-10,
// crop-25, crop-offcentre, rotate-90, rotate-180, mirror, rotate-3, rotate-8,
// grayscale, brightness-contrast, caption, sticker, border, screenshot, blur,
// noise. The original picture itself is not in the list.
std::span<const TransformInfo> Transforms();

// Applies the transform called `name` to `image` (RGB or grey; grey is read
// as R = G = B) and returns a new RGB picture. The same name, picture and
// seed always give the same bytes; transforms without random choices ignore
// the seed.
//
// InvalidArgument for an unknown name, a view whose buffer does not match
// its dimensions, an empty picture or one over kMaxTransformPixels (and for
// jpeg-30, a side JPEG cannot hold: over 65,500). Pictures as small as 1×1
// are transformed (every size is kept at 1 pixel or more). An unexpected
// failure inside the image library is Internal; running out of memory is
// ResourceExhausted. Never throws.
Result<media::Image> ApplyTransform(std::string_view name,
                                    const media::ImageView& image,
                                    std::uint64_t seed);

}  // namespace rempart::eval

#endif  // REMPART_EVAL_TRANSFORM_H_
