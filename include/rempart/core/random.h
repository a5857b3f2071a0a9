// Small random generators whose output is fixed by their definition, for
// everything that must give the same bits on every machine and standard
// library (std:: distributions do not): splitmix64 and xoshiro256**
// (Blackman and Vigna, 2018). Not for secrets.
#ifndef REMPART_CORE_RANDOM_H_
#define REMPART_CORE_RANDOM_H_

#include <array>
#include <bit>
#include <cstdint>

namespace rempart {

// One splitmix64 step: advances `state` and returns a well-mixed word.
constexpr std::uint64_t SplitMix64(std::uint64_t& state) {
  state += 0x9E3779B97F4A7C15ULL;
  std::uint64_t mixed = state;
  mixed = (mixed ^ (mixed >> 30)) * 0xBF58476D1CE4E5B9ULL;
  mixed = (mixed ^ (mixed >> 27)) * 0x94D049BB133111EBULL;
  return mixed ^ (mixed >> 31);
}

// xoshiro256**: 64 bits a call. Not thread-safe: one per user.
class Xoshiro256 {
 public:
  // From a full state; the all-zero state (the generator's one fixed point)
  // becomes {1, 0, 0, 0}.
  explicit constexpr Xoshiro256(const std::array<std::uint64_t, 4>& state)
      : state_(state) {
    if (state_[0] == 0 && state_[1] == 0 && state_[2] == 0 && state_[3] == 0) {
      state_[0] = 1;
    }
  }

  // From one seed, expanded by four splitmix64 steps.
  static constexpr Xoshiro256 FromSeed(std::uint64_t seed) {
    std::array<std::uint64_t, 4> state{};
    for (std::uint64_t& word : state) word = SplitMix64(seed);
    return Xoshiro256(state);
  }

  constexpr std::uint64_t Next() {
    const std::uint64_t result = std::rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t shifted = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= shifted;
    state_[3] = std::rotl(state_[3], 45);
    return result;
  }

 private:
  std::array<std::uint64_t, 4> state_;
};

}  // namespace rempart

#endif  // REMPART_CORE_RANDOM_H_
