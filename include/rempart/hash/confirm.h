// ConfirmHasher: a second, independent 256-bit perceptual hash that a
// platform can require before acting on a PDQ match.
//
// Why a second hash. A match on PDQ alone can be forced: PDQ is public, so
// an adversary can perturb an innocent picture until its hash lands within
// distance 31 of a bank entry (to get legitimate content taken down), or
// craft pairs of pictures with colliding hashes. eval/forge.h does exactly
// that in two or three rounds, changing pixels by 9 grey levels on average
// (corpus photos at 1024 pixels, to within distance 20). The confirmation
// hash describes the same coarse picture as PDQ, so a true copy matches on
// both, but it is computed differently enough that a perturbation aimed at
// PDQ does not carry it along:
//
//   PDQ                                 confirmation
//   64×64, two box-filter passes,       32×32 exact area average of the
//     then decimation by sampling         luma (every pixel counts)
//   16×16 DCT-II, frequencies 1…16      32×32 DCT-II, every frequency pair
//     on each axis                        (u, v) with 0 < u² + v² ≤ 16²,
//                                         including u = 0 and v = 0, each
//                                         scaled by √(u² + v²) to flatten
//                                         the 1/f spectrum of photographs
//   bit k: coefficient k above the      bit k: projection k of those 215
//     median of the 256                   whitened coefficients onto a
//                                         keyed pseudo-random ±1 pattern,
//                                         above the median of the 256
//
// Each confirmation bit mixes every coefficient with random signs, so
// moving PDQ's 256 sign bits (the attack's only goal) leaves the 256
// projections about as far from a target's as any unrelated picture's are:
// 370 corpus photos forged to within PDQ distance 20 of another photo's
// hash stay 84 to 138 bits (median 112) from that photo's confirmation
// hash. The mean is dropped (no DC term) and the bits do not change when
// all coefficients are scaled, so brightness and contrast changes cancel.
//
// The key. The 256 patterns come from SHA-256 of a key, expanded by
// xoshiro256**. With the default key (kConfirmDefaultKey, public), anyone
// can compute the hash, as with PDQ. A deployment may set its own secret key
// and share it only within its trust network: hashes made under different
// keys are unrelated (about 128 bits apart for the same picture), and an
// adversary without the key cannot aim at the second hash at all, only at
// PDQ. The key is not recorded in the hash: a bank must say which key its
// confirmation hashes use.
//
// Matching. A platform that wants a forged PDQ match to be useless requires
// both before acting:
//     Distance(pdq) ≤ kPdqMatchDistance (31)  AND
//     Distance(confirm) ≤ kConfirmMatchDistance (48)
// Measured on the 370-photo corpus (docs/CORPUS.md) at 1024 pixels with the
// evaluation's 19 transforms (eval/transform.h): copies after resizing,
// JPEG, blur, noise, greyscale and brightness changes are a median of 0–2
// bits from their original (95th percentile ≤ 16); of the 2,809 copies
// whose PDQ matched, 2,807 are within 48 (the two others: a caption at 52
// and a 3° turn at 58). Different pictures, 2.7 million pairs: median 128,
// 0.01% below 84, one pair at 40 (a bordered brick wall and a framed
// slate, 92 apart on PDQ) and 6 within 56. Forgeries: none below 84. When a
// PDQ match came through a dihedral variant, compare the confirmation hash
// of the same variant (ConfirmOptions::dihedral).
//
// Every step uses exact integer sums, IEEE double arithmetic without
// contraction and no libm call beyond sqrt, so the browser's WebAssembly
// build and the server compute the same bits. No I/O, no threads, no
// globals beyond two constant tables. A ConfirmHasher is immutable after
// construction (8 KiB of patterns): Hash() may be called from several
// threads at once.
#ifndef REMPART_HASH_CONFIRM_H_
#define REMPART_HASH_CONFIRM_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "rempart/core/result.h"
#include "rempart/hash/pdq.h"
#include "rempart/hash/pdq_hash.h"
#include "rempart/media/image.h"

namespace rempart::hash {

// A confirmation hash: 256 bits stored, printed and compared (Distance())
// like a PDQ hash, but never comparable with one.
using ConfirmHash = PdqHash;

// The key used when none is given. Public: hashes under it are comparable
// across every deployment that uses it.
inline constexpr std::string_view kConfirmDefaultKey = "rempart-confirm-v1";

// Two confirmation hashes of the same picture: distance ≤ 48.
inline constexpr int kConfirmMatchDistance = 48;

struct ConfirmOptions {
  // Also compute the hashes of the eight turned and mirrored pictures, in
  // Dihedral order (exact, from the same thumbnail).
  bool dihedral = false;
};

struct ConfirmResult {
  ConfirmHash hash;
  // 0…100 on PDQ's scale: the luma gradients of the 32×32 thumbnail. 0 for
  // a flat picture, whose hash is all zero bits; below kPdqMinUsefulQuality,
  // do not match.
  int quality = 0;
  // Present when ConfirmOptions::dihedral was set, indexed by Dihedral; the
  // kOriginal entry equals `hash`.
  std::optional<std::array<ConfirmHash, kDihedralCount>> dihedral;
};

class ConfirmHasher {
 public:
  // The patterns of `key` (any bytes); an empty key means
  // kConfirmDefaultKey.
  explicit ConfirmHasher(std::span<const std::uint8_t> key = {});

  // Hashes `image` (grey or RGB) at its own size. Pictures with a side under
  // 5 pixels hash to all zero bits with quality 0, as PDQ's do.
  // InvalidArgument when the view's buffer does not match its dimensions.
  [[nodiscard]] Result<ConfirmResult> Hash(
      const media::ImageView& image, const ConfirmOptions& options = {}) const;

 private:
  // patterns_[k]: bit i set when coefficient i counts positively in
  // projection k.
  std::array<std::array<std::uint64_t, 4>, PdqHash::kBits> patterns_{};
};

}  // namespace rempart::hash

#endif  // REMPART_HASH_CONFIRM_H_
