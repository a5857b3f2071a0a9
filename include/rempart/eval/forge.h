// ForgePdqCollision: perturbs a picture until its PDQ hash lands near a
// chosen target hash — the attack a second, independent hash must withstand
// (hash/confirm.h).
//
// PDQ is public and almost linear: its bits are the signs, relative to
// their median, of a 16×16 DCT of a blurred 64×64 luma. So an adversary who
// wants an innocent picture taken down, or two pictures that collide, need
// not search: they can ask, for every bit that disagrees with the target,
// how far its coefficient must move, and paint that change back onto the
// picture. This is that honest white-box attack, simple on purpose, so the
// evaluation measures what a confirmation hash buys against the cheapest
// forgery rather than against the best one:
//
//   1. compute PDQ's 64×64 buffer and 16×16 DCT of the current picture, as
//      PdqHasher does in kCli mode (the default);
//   2. for every coefficient on the wrong side of the median, or within a
//      margin of it, choose the nearest value on the right side, margin
//      included; leave the others alone (the smallest change, in the
//      least-squares sense, that sets every bit), and leave goal/2 of the
//      wrong bits wrong — those whose move would cost most — since only
//      the distance matters (on the corpus this halves the change);
//   3. turn that coefficient change into a 64×64 change (the DCT rows are
//      orthonormal, so Δbuffer = Dᵀ·ΔC·D), accumulate it, stretch the
//      accumulated change to the picture's size (bilinear) and add it
//      equally to R, G and B of the source, rounded and clamped;
//   4. hash again; stop when within ForgeOptions::goal, else grow the margin
//      and repeat, up to ForgeOptions::max_rounds.
//
// Thread-safe: calls share no state.
#ifndef REMPART_EVAL_FORGE_H_
#define REMPART_EVAL_FORGE_H_

#include "rempart/core/result.h"
#include "rempart/hash/pdq_hash.h"
#include "rempart/media/image.h"

namespace rempart::eval {

struct ForgeOptions {
  // Stop once the forgery's PDQ is within this distance of the target
  // (0…256). 20 leaves room below kPdqMatchDistance (31) for the small
  // changes of a re-encode.
  int goal = 20;
  // Rounds of step 1–4 at most (≥ 1); the best forgery so far is returned
  // when they run out.
  int max_rounds = 30;
  // The margin beyond the median, as a fraction of the mean absolute
  // distance of the coefficients from their median, in the first round,
  // and its growth per round (≥ 1).
  double initial_margin = 0.05;
  double margin_growth = 1.25;
};

struct Forgery {
  media::Image image;  // RGB, the source's size.
  hash::PdqHash hash;  // Its PDQ hash (kCli mode).
  int distance = 0;    // From `hash` to the target.
  int rounds = 0;      // Re-hashes after the source's own (0: no change).
  // Mean of |forgery − source| over every R, G and B value, in grey levels
  // (of 255), and the largest.
  double mean_absolute_change = 0;
  int max_absolute_change = 0;
};

// Returns the closest forgery found: reached the goal when
// `distance <= options.goal`, otherwise the best after max_rounds. The
// source (grey or RGB) is not changed. InvalidArgument for a view whose
// buffer does not match its dimensions, a side under 5 pixels (PDQ hashes
// such pictures to zero bits whatever their content) or options out of
// range.
Result<Forgery> ForgePdqCollision(const media::ImageView& source,
                                  const hash::PdqHash& target,
                                  const ForgeOptions& options = {});

}  // namespace rempart::eval

#endif  // REMPART_EVAL_FORGE_H_
