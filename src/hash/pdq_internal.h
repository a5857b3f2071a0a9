// The steps of the PDQ core, exposed for tests and for vPDQ. Each follows
// shared/spec/pdq.md to the bit; the section is named on each declaration.
#ifndef REMPART_HASH_PDQ_INTERNAL_H_
#define REMPART_HASH_PDQ_INTERNAL_H_

#include <array>
#include <span>

#include "rempart/hash/pdq_hash.h"
#include "rempart/media/image.h"

namespace rempart::hash::internal {

inline constexpr int kBufferSide = 64;  // Decimated picture: 64×64.
inline constexpr int kDctSide = 16;     // Kept DCT coefficients: 16×16.
inline constexpr int kMinHashableSide = 5;
inline constexpr int kCliMaxSide = 512;

inline constexpr std::size_t kBufferCells = 4096;     // 64 × 64
inline constexpr std::size_t kDctCells = 256;         // 16 × 16
inline constexpr std::size_t kDctMatrixCells = 1024;  // 16 × 64

using Buffer64 = std::array<float, kBufferCells>;
using Dct16 = std::array<float, kDctCells>;
using DctMatrixTable = std::array<float, kDctMatrixCells>;

// §3 + §4: float luma of `image`, squashed to 512×512 by nearest neighbour
// first when `squash_to_512` and a side exceeds 512. Writes rows × cols
// floats into `luma` (resized) and returns {rows, cols}.
std::array<int, 2> ComputeLuma(const media::ImageView& image,
                               bool squash_to_512, std::vector<float>& luma);

// §6: the box filter window for a side of `length` samples.
constexpr int WindowSize(int length) { return (length + 127) / 128; }

// §6: one 1-D box pass over `length` samples spaced `stride` apart.
void BoxFilter1D(const float* in, float* out, int length, int stride,
                 int window);

// §6 + §7: four box passes over `luma` (rows × cols, destroyed; `scratch`
// is resized as needed), then decimation to 64×64.
void FilterAndDecimate(std::vector<float>& luma, std::vector<float>& scratch,
                       int rows, int cols, Buffer64& out);

// §8: quality 0…100 from the 64×64 buffer.
int Quality(const Buffer64& buffer);

// §9: the reference's 16×64 DCT matrix, row-major.
const DctMatrixTable& DctMatrix();

// §9: the 16×16 DCT of the 64×64 buffer.
void Dct(const Buffer64& buffer, Dct16& out);

// §10: one bit per coefficient strictly above the lower median.
PdqHash Threshold(const Dct16& dct);

// §11: the DCT of the picture turned or mirrored as `variant` says
// (0…7 in Dihedral order).
Dct16 DihedralDct(const Dct16& dct, int variant);

// §10 + §11 for the eight variants at once: Threshold(DihedralDct(dct, v))
// for each v, bit for bit. The variants' DCTs hold the same values,
// transposed and with signs flipped in four patterns, so four medians
// serve eight hashes.
std::array<PdqHash, 8> DihedralHashes(const Dct16& dct);

}  // namespace rempart::hash::internal

#endif  // REMPART_HASH_PDQ_INTERNAL_H_
