// The deterministic import shared by the crash driver and the crash test:
// entry i of the sequence is always the same signal, so a re-run of the
// import adds exactly what a killed run did not commit.
#ifndef REMPART_TESTS_CRASH_CRASH_ENTRIES_H_
#define REMPART_TESTS_CRASH_CRASH_ENTRIES_H_

#include <array>
#include <cstdint>
#include <string>

#include "rempart/store/entry.h"
#include "rempart/store/store.h"

namespace rempart::crash {

inline constexpr char kBank[] = "crash-import";

inline std::uint64_t SplitMix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9;
  x = (x ^ (x >> 27)) * 0x94d049bb133111eb;
  return x ^ (x >> 31);
}

// Entry `index` of the import: PDQ and SHA-256 signals in turn.
inline store::NewEntry ImportEntry(std::uint64_t index) {
  std::array<std::uint8_t, 32> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] =
        static_cast<std::uint8_t>(SplitMix(index * 4 + i / 8) >> (8 * (i % 8)));
  }
  store::NewEntry entry;
  entry.input.signal = index % 2 == 0
                           ? store::Signal::Pdq(hash::PdqHash::FromBytes(bytes))
                           : store::Signal::Sha256(bytes);
  if (index % 2 == 0) entry.input.quality = static_cast<int>(index % 101);
  entry.input.source_org = "crash-hotline";
  entry.input.external_id = "report-" + std::to_string(index);
  return entry;
}

}  // namespace rempart::crash

#endif  // REMPART_TESTS_CRASH_CRASH_ENTRIES_H_
