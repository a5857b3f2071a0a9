// How far PDQ follows a zoom: for every corpus photo, its centred crops
// keeping 30 % to 100 % of each side (in steps of 1 %), and for every pair
// of crops one zoom apart, whether their PDQ hashes lie within 31 bits.
// The answer sets the steps of the second stage's centred crops
// (hash::BankPatchOptions(), hash::QueryPatchOptions(); ROBUSTNESS.md).
//
//   REMPART_BENCH_PHOTOS=build/corpus build/release/bench/rempart_crop_zoom
#include <cmath>
#include <cstdio>
#include <exception>
#include <map>
#include <utility>
#include <vector>

#include "bench/photo_set.h"
#include "rempart/hash/patches.h"
#include "rempart/media/decode.h"

namespace {

int Run() {
  using namespace rempart;
  constexpr int kPhotos = 120;
  constexpr int kLargestZoom = 10;  // Percent.
  hash::PatchOptions options;
  options.max_patches = 0;  // The crops alone.
  options.min_quality = 0;
  for (int percent = 30; percent <= 100; ++percent) {
    options.crop_keeps.push_back(static_cast<float>(percent) / 100.0f);
  }
  hash::PatchHasher hasher;
  // Zoom in whole percent -> (pairs within 31 bits, pairs).
  std::map<long, std::pair<long, long>> by_zoom;
  int photos = 0;
  for (const auto& photo : bench::Photos()) {
    if (photos >= kPhotos) break;
    auto decoded = media::DecodeImage(photo.bytes);
    if (!decoded) continue;
    auto signature = hasher.Sign(decoded->image.view(), options);
    if (!signature || signature->crops.size() != options.crop_keeps.size()) {
      continue;
    }
    ++photos;
    const auto& crops = signature->crops;
    for (std::size_t i = 0; i < crops.size(); ++i) {
      for (std::size_t j = i; j < crops.size(); ++j) {
        const float zoom = crops[j].keep / crops[i].keep;
        const long percent = std::lround((zoom - 1) * 100);
        if (percent > kLargestZoom) break;
        auto& [within, pairs] = by_zoom[percent];
        ++pairs;
        if (hash::Distance(crops[i].hash, crops[j].hash) <= 31) ++within;
      }
    }
  }
  if (photos == 0) {
    std::fprintf(stderr,
                 "no photos: run scripts/corpus.sh and set "
                 "REMPART_BENCH_PHOTOS=build/corpus\n");
    return 1;
  }
  std::printf("%d photos; pairs of centred crops one zoom apart:\n", photos);
  std::printf("zoom  within 31 bits  pairs\n");
  for (const auto& [percent, counts] : by_zoom) {
    std::printf("+%2ld %%  %13.1f %%  %5ld\n", percent,
                100.0 * static_cast<double>(counts.first) /
                    static_cast<double>(counts.second),
                counts.second);
  }
  return 0;
}

}  // namespace

int main() {
  try {
    return Run();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "rempart_crop_zoom: %s\n", error.what());
  } catch (...) {
    std::fprintf(stderr, "rempart_crop_zoom: failed\n");
  }
  return 1;
}
