// Pictures as files for tests that drive the binary: an uncompressed BMP
// holds exactly the pixels drawn, so what the binary decodes is what the
// test made.
#ifndef REMPART_TESTS_SUPPORT_BMP_H_
#define REMPART_TESTS_SUPPORT_BMP_H_

#include <cstdint>
#include <string>

#include "rempart/media/image.h"

namespace rempart::testing {

inline void PutLittleEndian(std::string& out, std::uint32_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) {
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  }
}

// `image` (RGB) as an uncompressed 24-bit BMP, bottom row first.
inline std::string Bmp(const media::Image& image) {
  const std::uint32_t row_bytes = (3 * image.width() + 3) / 4 * 4;
  const std::uint32_t pixel_bytes = row_bytes * image.height();
  std::string out = "BM";
  PutLittleEndian(out, 54 + pixel_bytes, 4);
  PutLittleEndian(out, 0, 4);
  PutLittleEndian(out, 54, 4);  // Pixels start after both headers.
  PutLittleEndian(out, 40, 4);  // BITMAPINFOHEADER.
  PutLittleEndian(out, image.width(), 4);
  PutLittleEndian(out, image.height(), 4);
  PutLittleEndian(out, 1, 2);   // Planes.
  PutLittleEndian(out, 24, 2);  // Bits per pixel.
  PutLittleEndian(out, 0, 4);   // Uncompressed.
  PutLittleEndian(out, pixel_bytes, 4);
  PutLittleEndian(out, 2835, 4);  // 72 dpi.
  PutLittleEndian(out, 2835, 4);
  PutLittleEndian(out, 0, 4);
  PutLittleEndian(out, 0, 4);
  for (int y = image.height() - 1; y >= 0; --y) {
    const std::uint8_t* row = image.row(y);
    std::string line(row_bytes, '\0');
    for (int x = 0; x < image.width(); ++x) {
      line[3 * x] = static_cast<char>(row[3 * x + 2]);  // B, G, R.
      line[3 * x + 1] = static_cast<char>(row[3 * x + 1]);
      line[3 * x + 2] = static_cast<char>(row[3 * x]);
    }
    out += line;
  }
  return out;
}

}  // namespace rempart::testing

#endif  // REMPART_TESTS_SUPPORT_BMP_H_
