// PatchHasher: PDQ hashes of a picture's most stable blobs — the signal of
// Rempart's second-stage matcher, which finds a picture again after crops,
// overlays, borders, screenshots and small rotations that change its PDQ.
//
// A patch is a square window centred on a blob found by a difference-of-
// Gaussians detector (the scale-space extrema SIFT uses for its keypoints),
// with a side proportional to the blob's scale, so the same content gives
// the same window whatever the crop or the resolution. Each window is
// sampled to 64×64 and hashed like PDQ (16×16 DCT, one bit per coefficient
// above the median). A patch is its centre and side, in fractions of the
// picture, and that 256-bit hash: what it reveals of the picture is what a
// PDQ hash reveals of a part of it. docs/ROBUSTNESS.md has the design, the
// size and the cost.
//
// Pure computation on memory, no threads or globals (it runs in the
// browser's WebAssembly build); one PatchHasher per thread.
#ifndef REMPART_HASH_PATCHES_H_
#define REMPART_HASH_PATCHES_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rempart/core/result.h"
#include "rempart/hash/pdq.h"
#include "rempart/hash/pdq_hash.h"
#include "rempart/media/image.h"

namespace rempart::hash {

struct Patch {
  // Centre, in fractions of the picture's width and height (0…1).
  float x = 0;
  float y = 0;
  // Side of the square, in fractions of the picture's longer side.
  float side = 0;
  PdqHash hash;
  int quality = 0;  // PDQ's quality measure of the 64×64 window, 0…100.
  // Present when PatchOptions::dihedral was set, indexed by Dihedral: the
  // hash of the window turned or mirrored.
  std::optional<std::array<PdqHash, kDihedralCount>> dihedral;
  // One hash per PatchOptions::turns angle: the window turned that much
  // (upright only, no dihedral variants).
  std::vector<PdqHash> turned;
};

struct PatchOptions {
  // The strongest blobs kept (after dropping near-duplicates and windows
  // that leave the picture). A bank keeps few; a query looks for more.
  int max_patches = 24;
  // Windows whose quality is below this are dropped (flat areas match
  // anything).
  int min_quality = 30;
  bool dihedral = false;
  // The picture is scaled down to this longer side before blobs are looked
  // for; blobs narrower than min_sigma pixels of that picture are ignored.
  int work_side = 512;
  float min_sigma = 4.0f;
  // Blobs narrower than this many pixels of the picture as given are
  // ignored too: a small picture scaled up to work_side has no detail at
  // its interpolated scales, only blobs alike in every picture, whose
  // patches vote for unrelated pictures. 0: no such limit.
  float min_source_sigma = 0.0f;
  // DoG extrema weaker than this (luma 0…255) are ignored.
  float contrast = 2.0f;
  // Also hash every window turned by these angles (degrees,
  // counter-clockwise), for pictures turned a little: Patch::turned.
  std::vector<float> turns;
  // Further looks at the same picture at other work sides, their patches
  // appended (strongest first within each look), with the same options
  // but no turns. A query looked at coarser and finer than the bank finds
  // the bank's blobs in a picture zoomed in (a crop: its blobs grow past
  // the strongest few hundred) and shrunk (a screenshot: they fall below
  // min_sigma).
  struct Pass {
    int work_side = 0;
    int max_patches = 0;
  };
  std::vector<Pass> passes;
};

// Most patches a signature may hold (what stores and parsers accept).
inline constexpr int kMaxPatches = 256;

// A query picture's smoothed scale space, kept after hashing so that the
// second stage can hash windows where a bank picture's layout says its
// other patches should be: a single patch vote is confirmed or not by
// looking where the rest of the picture must be (match/patch_index.h).
// Made by PatchHasher::Sign() when asked, from the first look: about 5.3
// bytes a pixel of it (2.2 MB for a 640 × 640 look). It never leaves the
// query's side. Immutable: threads may share one.
class PatchProbe {
 public:
  struct Window {
    // Centre, in fractions of the picture's width and height (0…1).
    float x = 0;
    float y = 0;
    // Side of the square, in fractions of the picture's longer side.
    float side = 0;
    // The window turned counter-clockwise this much (as PatchOptions::
    // turns), then turned or mirrored as this Dihedral says (as
    // Patch::dihedral).
    float degrees = 0;
    int dihedral = 0;
  };

  PatchProbe();
  ~PatchProbe();
  PatchProbe(const PatchProbe&) = delete;
  PatchProbe& operator=(const PatchProbe&) = delete;

  // The window hashed as a patch of that look would be: its hash and
  // quality set, its place and side as asked. Nothing for a window that
  // leaves the picture or is narrower than the look's narrowest patch.
  [[nodiscard]] std::optional<Patch> Hash(const Window& window) const;

 private:
  friend class PatchHasher;
  struct Planes;
  std::unique_ptr<Planes> planes_;
};

// A picture's patches and its shape: the patches' centres are fractions of
// width and height, so geometry needs the aspect ratio. Any unit will do
// (pixels when hashed, kPatchShapeSide once shared): only the ratio counts.
struct PatchSignature {
  int width = 0;
  int height = 0;
  std::vector<Patch> patches;
};

// How a bank picture is hashed: 64 patches at 512 px, windows of quality 15
// or more, the signature that is stored and shared (2,503 bytes). The
// second stage's trials behind these numbers are in docs/ROBUSTNESS.md.
PatchOptions BankPatchOptions();
// How a query picture is hashed: 300 patches at 640 px, with the eight
// dihedral variants and turns of ±4° and ±8° of each, then 150 more at
// 320 px and 200 at 1024 px with their dihedral variants (passes). Stays
// where it is computed.
PatchOptions QueryPatchOptions();

class PatchHasher {
 public:
  PatchHasher();
  ~PatchHasher();
  PatchHasher(const PatchHasher&) = delete;
  PatchHasher& operator=(const PatchHasher&) = delete;

  // The patches of `image` (grey or RGB), strongest first. Empty for a
  // picture too small or too flat to hold any. InvalidArgument when the
  // view's buffer does not match its dimensions.
  Result<std::vector<Patch>> Hash(const media::ImageView& image,
                                  const PatchOptions& options = {});
  // Hash() with the picture's width and height; with `probe`, also the
  // picture's probe (the first look's scale space), for a query.
  Result<PatchSignature> Sign(
      const media::ImageView& image, const PatchOptions& options,
      std::shared_ptr<const PatchProbe>* probe = nullptr);

 private:
  // Hash() of one look; its scale space into `probe` when not null.
  Result<std::vector<Patch>> Look(const media::ImageView& image,
                                  const PatchOptions& options,
                                  PatchProbe* probe);

  struct Scratch;
  std::unique_ptr<Scratch> scratch_;
};

// The bank side's signature as bytes, the form organisations share (a
// query's dihedral and turned hashes stay with the query). Version 1:
//
//   offset  size  field
//   0       1     version: 1
//   1       2     width  } the picture's shape: its width and height scaled
//   3       2     height } so that the longer is kPatchShapeSide (big-endian)
//   5       2     count: patches that follow, 0…kMaxPatches (big-endian)
//   7       39×n  one record per patch, in the signature's order:
//     +0    2       x: centre, round(x × 65535), big-endian
//     +2    2       y: centre, round(y × 65535), big-endian
//     +4    2       side: round(side × 65535), 1…65535, big-endian
//     +6    1       quality: 0…100
//     +7    32      hash: PdqHash::ToBytes() (the hex text's bytes)
//
// So a signature of n patches takes 7 + 39·n bytes: 2,503 for the 64 of
// BankPatchOptions() (5,006 hex digits), 9,991 at most (19,982 digits).
// The shape, not the size, is written: the picture's dimensions are not
// shared. Positions and sides come back within 1/131070 of what was
// written; hashes and qualities exactly.
inline constexpr int kPatchesVersion = 1;
inline constexpr int kPatchShapeSide = 4096;
inline constexpr std::size_t kPatchesHeaderBytes = 7;
inline constexpr std::size_t kPatchRecordBytes = 39;
inline constexpr std::size_t kMaxPatchesBytes =
    kPatchesHeaderBytes + kMaxPatches * kPatchRecordBytes;

// The bytes of `signature`: its shape (a width or height that is not
// positive is written as a square) and its first kMaxPatches patches
// (Hash() gives the strongest first). Positions and sides are clamped to
// 0…1 (not-a-number reads 0), a side too small to write as 1/65535 or more
// is written as 1/65535, and a quality is clamped to 0…100, so every output
// decodes. `dihedral` and `turned` are not written.
std::vector<std::uint8_t> EncodePatches(const PatchSignature& signature);

// Reads EncodePatches()'s bytes. InvalidArgument, saying why, for another
// version, a shape whose longer side is not kPatchShapeSide or whose
// shorter side is 0, a count over kMaxPatches, a length other than exactly
// the header and `count` records, a quality over 100 or a side of 0. The
// patches have no dihedral or turned hashes; width and height are the
// shape's.
Result<PatchSignature> DecodePatches(std::span<const std::uint8_t> bytes);

// The text form for JSON, CSV and forms: EncodePatches() in lowercase hex.
std::string FormatPatches(const PatchSignature& signature);

// Reads FormatPatches()'s text (either case, nothing else).
// InvalidArgument for an odd length, a character that is not a hex digit,
// text longer than 2 × kMaxPatchesBytes, or bytes DecodePatches() refuses.
Result<PatchSignature> ParsePatches(std::string_view text);

}  // namespace rempart::hash

#endif  // REMPART_HASH_PATCHES_H_
