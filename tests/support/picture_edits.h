// Edits of test pictures that the tests of the second stage share: a crop,
// and the middle of a picture (what PDQ misses and patches find).
#ifndef REMPART_TESTS_SUPPORT_PICTURE_EDITS_H_
#define REMPART_TESTS_SUPPORT_PICTURE_EDITS_H_

#include <algorithm>
#include <cstdint>

#include "rempart/media/image.h"

namespace rempart::testing {

// The part of `image` from (left, top), width × height (inside the image).
inline media::Image Crop(const media::Image& image, int left, int top,
                         int width, int height) {
  media::Image out(width, height, image.format());
  const int channels = image.channels();
  for (int y = 0; y < height; ++y) {
    const std::uint8_t* in = image.row(top + y) + left * channels;
    std::copy(in, in + width * channels, out.mutable_row(y));
  }
  return out;
}

// The middle of `image`: a quarter cut from each side.
inline media::Image Middle(const media::Image& image) {
  return Crop(image, image.width() / 4, image.height() / 4, image.width() / 2,
              image.height() / 2);
}

}  // namespace rempart::testing

#endif  // REMPART_TESTS_SUPPORT_PICTURE_EDITS_H_
