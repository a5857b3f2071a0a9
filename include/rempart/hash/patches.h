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
// PDQ hash reveals of a part of it. A signature also holds PDQ hashes of
// the picture's centred crops (CentredCrop), for copies cut evenly from
// every side. docs/ROBUSTNESS.md has the design, the size and the cost.
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

// PDQ's hash of one centred crop of the picture: the middle `keep` of its
// width and of its height (1: the picture whole). A bank keeps a series of
// them, so that a copy cropped evenly on every side — the commonest crop,
// and the one that moves every blob of a small, plain picture out of the
// frame — is found by one PDQ comparison: its whole-picture hash lands
// near the bank's crop of about the same size.
struct CentredCrop {
  float keep = 1;
  PdqHash hash;
  int quality = 0;  // PDQ's quality of the crop, 0…100.
  // Present when PatchOptions::dihedral was set, indexed by Dihedral.
  std::optional<std::array<PdqHash, kDihedralCount>> dihedral;
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
  // PatchHasher::Sign() also hashes these centred crops (CentredCrop::
  // keep, each in (0, 1]: 1 is the whole picture), with their dihedral
  // variants when `dihedral` is set. The picture is first averaged down to
  // kCropWorkSide on its longer side, so hashes of one picture at two
  // resolutions agree. Crops under 5 pixels a side (PDQ's least) or of a
  // quality under min_quality are left out.
  std::vector<float> crop_keeps;
};

// The longer side a picture is averaged down to before its centred crops
// are hashed (smaller pictures are hashed as they are).
inline constexpr int kCropWorkSide = 512;

// Most patches a signature may hold (what stores and parsers accept).
inline constexpr int kMaxPatches = 256;
// Most centred crops a signature may hold.
inline constexpr int kMaxCrops = 16;
// The smallest centred crop a signature may hold: a tenth of each side.
inline constexpr float kMinCropKeep = 0.1f;

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
  std::vector<CentredCrop> crops{};  // Largest first, as Sign() gives them.

  // Nothing to match on: no patch and no crop.
  [[nodiscard]] bool empty() const { return patches.empty() && crops.empty(); }
};

// How a bank picture is hashed: 64 patches at 512 px, windows of quality 15
// or more, and 6 centred crops from the whole picture to 40 % of each side
// (each 1.2 times smaller): the signature that is stored and shared (2,714
// bytes). The second stage's trials behind these numbers are in
// docs/ROBUSTNESS.md.
PatchOptions BankPatchOptions();
// How a query picture is hashed: 300 patches at 640 px, with the eight
// dihedral variants and turns of ±4° and ±8° of each, then 150 more at
// 320 px and 200 at 1024 px with their dihedral variants (passes), and 10
// centred crops from the whole picture down by 1.02 each, with their
// dihedral variants: any even crop of a bank picture is within 1 % of zoom
// of one bank crop seen through one of them. Stays where it is computed.
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
  // Hash() with the picture's width and height and its centred crops
  // (PatchOptions::crop_keeps); with `probe`, also the picture's probe (the
  // first look's scale space), for a query.
  Result<PatchSignature> Sign(
      const media::ImageView& image, const PatchOptions& options,
      std::shared_ptr<const PatchProbe>* probe = nullptr);

 private:
  // Hash() of one look; its scale space into `probe` when not null.
  Result<std::vector<Patch>> Look(const media::ImageView& image,
                                  const PatchOptions& options,
                                  PatchProbe* probe);
  // The centred crops of `image` that `options` asks for.
  std::vector<CentredCrop> Crops(const media::ImageView& image,
                                 const PatchOptions& options);

  struct Scratch;
  std::unique_ptr<Scratch> scratch_;
};

// The bank side's signature as bytes, the form organisations share (a
// query's dihedral and turned hashes stay with the query). Version 1, a
// signature without centred crops:
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
// Version 2, a signature with centred crops: version 1's layout with 2 as
// its version, then
//
//   7+39n   1     crops: centred crops that follow, 1…kMaxCrops
//   8+39n   35×m  one record per crop, in the signature's order:
//     +0    2       keep: round(keep × 65535), from kMinCropKeep to 1,
//                   big-endian
//     +2    1       quality: 0…100
//     +3    32      hash: PdqHash::ToBytes()
//
// So a signature of n patches takes 7 + 39·n bytes, and 8 + 39·n + 35·m
// with m crops: 2,784 for BankPatchOptions()'s 64 patches and 8 crops
// (5,568 hex digits), 10,552 at most (21,104 digits). The shape, not the
// size, is written: the picture's dimensions are not shared. Positions,
// sides and keeps come back within 1/131070 of what was written; hashes
// and qualities exactly.
inline constexpr int kPatchesVersion = 1;
inline constexpr int kPatchesWithCropsVersion = 2;
inline constexpr int kPatchShapeSide = 4096;
inline constexpr std::size_t kPatchesHeaderBytes = 7;
inline constexpr std::size_t kPatchRecordBytes = 39;
inline constexpr std::size_t kCropRecordBytes = 35;
inline constexpr std::size_t kMaxPatchesBytes =
    kPatchesHeaderBytes + kMaxPatches * kPatchRecordBytes + 1 +
    kMaxCrops * kCropRecordBytes;

// The bytes of `signature`: its shape (a width or height that is not
// positive is written as a square), its first kMaxPatches patches (Hash()
// gives the strongest first) and its first kMaxCrops crops — version 1
// when it has none, 2 otherwise. Positions and sides are clamped to 0…1
// (not-a-number reads 0), a side too small to write as 1/65535 or more is
// written as 1/65535, a keep is clamped to kMinCropKeep…1 and a quality to
// 0…100, so every output decodes. `dihedral` and `turned` are not written.
std::vector<std::uint8_t> EncodePatches(const PatchSignature& signature);

// Reads EncodePatches()'s bytes, either version. InvalidArgument, saying
// why, for another version, a shape whose longer side is not
// kPatchShapeSide or whose shorter side is 0, a count over kMaxPatches, a
// version 2 without crops or with more than kMaxCrops, a length other than
// exactly the header and its records, a quality over 100, a side of 0 or
// a keep under kMinCropKeep. The patches and crops have no dihedral or
// turned hashes; width and height are the shape's.
Result<PatchSignature> DecodePatches(std::span<const std::uint8_t> bytes);

// The text form for JSON, CSV and forms: EncodePatches() in lowercase hex.
std::string FormatPatches(const PatchSignature& signature);

// Reads FormatPatches()'s text (either case, nothing else).
// InvalidArgument for an odd length, a character that is not a hex digit,
// text longer than 2 × kMaxPatchesBytes, or bytes DecodePatches() refuses.
Result<PatchSignature> ParsePatches(std::string_view text);

}  // namespace rempart::hash

#endif  // REMPART_HASH_PATCHES_H_
