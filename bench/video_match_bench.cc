// Matching one video against a bank of videos: the frame index (every frame
// of every video in one LiveIndex, hits tallied per video) against comparing
// the query with each video in turn (hash::CompareVpdq, the reference's
// brute force), side by side on the same synthetic bank, one thread.
//
//   rempart_video_match_bench [--benchmark_filter=...]
//
// Banks of 1,000 to 100,000 videos of 60 frames (one a second for a
// minute: 60,000 to 6,000,000 frames). The query is a re-encoded copy of
// one bank video (each frame a few bits off), so each search finds it.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <map>
#include <random>
#include <vector>

#include "match/video_index.h"
#include "rempart/hash/vpdq.h"
#include "tests/support/synthetic_hashes.h"

namespace {

using rempart::hash::VpdqFrame;

constexpr int kFramesPerVideo = 60;

struct Bank {
  std::vector<std::vector<VpdqFrame>> videos;
  std::vector<VpdqFrame> query;
};

const Bank& MakeBank(std::size_t videos) {
  static std::map<std::size_t, Bank> banks;
  auto [slot, inserted] = banks.try_emplace(videos);
  if (!inserted) return slot->second;
  rempart::testing::Rng rng(videos);
  Bank& bank = slot->second;
  bank.videos.resize(videos);
  for (auto& video : bank.videos) {
    for (int i = 0; i < kFramesPerVideo; ++i) {
      video.push_back({.frame_number = std::int64_t{i} * 30,
                       .quality = 100,
                       .hash = rempart::testing::BalancedHash(rng),
                       .timestamp_seconds = static_cast<double>(i)});
    }
  }
  bank.query = bank.videos[videos / 2];
  for (VpdqFrame& frame : bank.query) {
    frame.hash = rempart::testing::FlipBits(frame.hash, 8, rng);
  }
  return bank;
}

void BM_FrameIndex(benchmark::State& state) {
  const Bank& bank = MakeBank(static_cast<std::size_t>(state.range(0)));
  rempart::index::LiveOptions options;
  options.background_merge = false;
  rempart::match::VideoIndex index(options);
  std::vector<rempart::match::VideoInput> inputs;
  for (std::size_t i = 0; i < bank.videos.size(); ++i) {
    inputs.push_back({static_cast<std::int64_t>(i + 1), bank.videos[i]});
  }
  if (!index.Add(inputs).ok()) {
    state.SkipWithError("index build failed");
    return;
  }
  std::size_t found = 0;
  for (auto _ : state) {
    const auto candidates = index.Search(bank.query, {});
    found = candidates.size();
    benchmark::DoNotOptimize(candidates.data());
  }
  state.counters["matches"] = static_cast<double>(found);
  state.counters["frames"] =
      static_cast<double>(bank.videos.size() * kFramesPerVideo);
}

void BM_BruteForce(benchmark::State& state) {
  const Bank& bank = MakeBank(static_cast<std::size_t>(state.range(0)));
  std::size_t found = 0;
  for (auto _ : state) {
    found = 0;
    for (const auto& video : bank.videos) {
      found += rempart::hash::CompareVpdq(bank.query, video).match ? 1 : 0;
    }
    benchmark::DoNotOptimize(found);
  }
  state.counters["matches"] = static_cast<double>(found);
  state.counters["frames"] =
      static_cast<double>(bank.videos.size() * kFramesPerVideo);
}

BENCHMARK(BM_FrameIndex)
    ->Arg(1'000)
    ->Arg(10'000)
    ->Arg(100'000)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BruteForce)
    ->Arg(1'000)
    ->Arg(10'000)
    ->Arg(100'000)
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
