// PdqHasher: the PDQ perceptual hash of an image, bit-identical to Meta's
// reference C++ implementation, with the eight dihedral variants.
//
// PDQ maps pixels to 256 bits plus a quality score (0…100): luma, four box
// filter passes, decimation to 64×64, a 16×16 DCT, and one bit per
// coefficient above the median. docs/PDQ.md explains each step and how
// Rempart settles every reference quirk; shared/spec/pdq.md is the spec.
//
// Two pre-processing modes, recorded with every hash:
//   kCli            — the reference CLI and the browser build: an image with a
//                     side over 512 is first squashed to exactly 512×512 by
//                     nearest neighbour (aspect ratio not kept). The default.
//   kFullResolution — the reference library as HMA-style banks and vPDQ call
//                     it: the image at its own size.
//
// The hasher works on an in-memory pixel buffer only (no I/O, no threads, no
// globals), so the same code runs in the browser's WebAssembly build. It
// keeps scratch buffers between calls: one PdqHasher per thread.
#ifndef REMPART_HASH_PDQ_H_
#define REMPART_HASH_PDQ_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "rempart/core/result.h"
#include "rempart/hash/pdq_hash.h"
#include "rempart/media/image.h"

namespace rempart::hash {

enum class PdqMode : std::uint8_t {
  kCli,             // 512×512 nearest-neighbour squash above 512 (default).
  kFullResolution,  // No pre-resize.
};

// "cli512" or "fullres": the names used in every output and store.
std::string_view PdqModeName(PdqMode mode);
// Parses a name from PdqModeName(). InvalidArgument otherwise.
Result<PdqMode> ParsePdqMode(std::string_view name);

// The eight rotations and mirrors of a picture, in the reference CLI's
// `--pdqdih-across` order (spec §11).
enum class Dihedral : std::uint8_t {
  kOriginal,
  kRotate90,  // Turned 90° counter-clockwise.
  kRotate180,
  kRotate270,   // Turned 90° clockwise.
  kFlipX,       // Top and bottom swapped.
  kFlipY,       // Left and right swapped (a mirror image).
  kFlipPlus1,   // Mirrored on the main diagonal (transpose).
  kFlipMinus1,  // Mirrored on the anti-diagonal.
};
inline constexpr int kDihedralCount = 8;

// "orig", "rot90", "rot180", "rot270", "flipx", "flipy", "flipplus1",
// "flipminus1".
std::string_view DihedralName(Dihedral variant);

struct PdqOptions {
  PdqMode mode = PdqMode::kCli;
  // Also compute the eight dihedral variants (one extra DCT-domain step).
  bool dihedral = false;
};

struct PdqResult {
  PdqHash hash;
  int quality = 0;  // 0…100; below kPdqMinUsefulQuality, do not match.
  PdqMode mode = PdqMode::kCli;
  // Present when PdqOptions::dihedral was set, indexed by Dihedral. The
  // kOriginal entry equals `hash` except for the reference's 64×64 quirk
  // (docs/PDQ.md).
  std::optional<std::array<PdqHash, kDihedralCount>> dihedral;
};

class PdqHasher {
 public:
  PdqHasher();

  // Hashes `image` (grey or RGB). Images with a side under 5 pixels hash to
  // all zero bits with quality 0, as in the reference. InvalidArgument when
  // the view's buffer does not match its dimensions.
  Result<PdqResult> Hash(const media::ImageView& image,
                         const PdqOptions& options = {});

 private:
  std::vector<float> luma_;
  std::vector<float> scratch_;
};

}  // namespace rempart::hash

#endif  // REMPART_HASH_PDQ_H_
