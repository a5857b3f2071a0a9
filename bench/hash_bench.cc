// Throughput of `rempart hash` per core on real photos, exact and fast
// modes side by side, split into decoding and PDQ proper.
//
// Each benchmark walks the whole photo set once per iteration, so
// items_per_second is photos per second on one thread, averaged over the
// set. Run through scripts/bench.sh, which fills the set and turns the JSON
// output into docs/PERFORMANCE.md's table.
#include <benchmark/benchmark.h>

#include "bench/photo_set.h"
#include "rempart/hash/image_signals.h"
#include "rempart/media/decode.h"

namespace rempart::bench {
namespace {

bool RequirePhotos(benchmark::State& state) {
  if (Photos().empty()) {
    state.SkipWithError(
        "no photos: run scripts/bench.sh or set REMPART_BENCH_PHOTOS");
    return false;
  }
  return true;
}

void BM_Hash(benchmark::State& state, hash::Speed speed, hash::PdqMode mode) {
  if (!RequirePhotos(state)) return;
  hash::ImageHasher hasher;
  hash::ImageHashOptions options;
  options.speed = speed;
  options.pdq.mode = mode;
  for (auto _ : state) {
    for (const Photo& photo : Photos()) {
      auto signals = hasher.Hash(photo.bytes, options);
      if (!signals) state.SkipWithError(signals.error().ToString().c_str());
      benchmark::DoNotOptimize(signals);
    }
  }
  state.SetItemsProcessed(state.iterations() *
                          static_cast<std::int64_t>(Photos().size()));
}

media::DecodeOptions FastDecode() {
  media::DecodeOptions options;
  options.fast_jpeg = true;
  return options;
}

media::DecodeOptions ScaledDecode(int min_side) {
  media::DecodeOptions options;
  options.min_side_for_scaling = min_side;
  return options;
}

// Decoding alone. The DCT-scaled variants are the idea fast mode did not
// keep (docs/PERFORMANCE.md).
void BM_Decode(benchmark::State& state, media::DecodeOptions options) {
  if (!RequirePhotos(state)) return;
  for (auto _ : state) {
    for (const Photo& photo : Photos()) {
      auto decoded = media::DecodeImage(photo.bytes, options);
      benchmark::DoNotOptimize(decoded);
    }
  }
  state.SetItemsProcessed(state.iterations() *
                          static_cast<std::int64_t>(Photos().size()));
}

// PDQ proper: from decoded pixels to hash, pixels decoded beforehand.
void BM_PdqFromPixels(benchmark::State& state, hash::Speed speed,
                      hash::PdqMode mode) {
  if (!RequirePhotos(state)) return;
  media::DecodeOptions decode_options;
  decode_options.fast_jpeg = speed == hash::Speed::kFast;
  std::vector<media::Image> images;
  for (const Photo& photo : Photos()) {
    auto decoded = media::DecodeImage(photo.bytes, decode_options);
    if (decoded) images.push_back(std::move(decoded->image));
  }
  hash::PdqHasher hasher;
  for (auto _ : state) {
    for (const media::Image& image : images) {
      auto result = hasher.Hash(image.view(), {.mode = mode});
      benchmark::DoNotOptimize(result);
    }
  }
  state.SetItemsProcessed(state.iterations() *
                          static_cast<std::int64_t>(images.size()));
}

void BM_Digests(benchmark::State& state) {
  if (!RequirePhotos(state)) return;
  for (auto _ : state) {
    for (const Photo& photo : Photos()) {
      benchmark::DoNotOptimize(hash::Md5(photo.bytes));
      benchmark::DoNotOptimize(hash::Sha256(photo.bytes));
    }
  }
  state.SetItemsProcessed(state.iterations() *
                          static_cast<std::int64_t>(Photos().size()));
}

using hash::PdqMode;
using hash::Speed;
BENCHMARK_CAPTURE(BM_Hash, exact, Speed::kExact, PdqMode::kCli)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Hash, fast, Speed::kFast, PdqMode::kCli)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Decode, exact, media::DecodeOptions{})
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Decode, fast, FastDecode())->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Decode, scaled_min_side_512, ScaledDecode(512))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Decode, scaled_min_side_256, ScaledDecode(256))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_PdqFromPixels, exact_cli512, Speed::kExact, PdqMode::kCli)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_PdqFromPixels, fast_cli512, Speed::kFast, PdqMode::kCli)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_PdqFromPixels, exact_fullres, Speed::kExact,
                  PdqMode::kFullResolution)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Digests)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace rempart::bench

BENCHMARK_MAIN();
