// The second stage's costs, on one core, beside PDQ's: hashing a bank
// picture's patches and a query's (and their centred crops), checking one
// candidate, and scanning banks of 1,000 to 10,000 pictures for votes and
// crops. Photos: the robustness
// corpus (scripts/corpus.sh; REMPART_BENCH_PHOTOS=build/corpus).
//
//   build/release/bench/rempart_patches_bench
#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <vector>

#include "bench/photo_set.h"
#include "rempart/eval/transform.h"
#include "rempart/hash/patches.h"
#include "rempart/hash/pdq.h"
#include "rempart/match/patch_index.h"
#include "rempart/media/decode.h"

namespace {

using namespace rempart;

// Up to 40 corpus photos at most 1024 pixels on their longer side (the
// evaluation's size), decoded once.
const std::vector<media::Image>& Pictures() {
  static const std::vector<media::Image> pictures = [] {
    std::vector<media::Image> out;
    for (const auto& photo : bench::Photos()) {
      if (out.size() >= 40) break;
      auto decoded = media::DecodeImage(photo.bytes);
      if (!decoded) continue;
      media::Image image = std::move(decoded->image);
      while (std::max(image.width(), image.height()) > 1024) {
        auto half = eval::ApplyTransform("resize-50", image.view(), 0);
        if (!half) break;
        image = std::move(*half);
      }
      out.push_back(std::move(image));
    }
    if (out.empty()) {
      std::fprintf(stderr,
                   "no photos: run scripts/corpus.sh and set "
                   "REMPART_BENCH_PHOTOS=build/corpus\n");
    }
    return out;
  }();
  return pictures;
}

// The signature as the matcher sees it: patches and centred crops.
match::PatchSignature Sign(const media::Image& image,
                           const hash::PatchOptions& options) {
  hash::PatchHasher hasher;
  auto signature = hasher.Sign(image.view(), options);
  return signature ? *signature
                   : match::PatchSignature{image.width(), image.height(), {}};
}

void BM_PdqWithVariants(benchmark::State& state) {
  const auto& pictures = Pictures();
  if (pictures.empty()) return state.SkipWithError("no photos");
  hash::PdqHasher hasher;
  hash::PdqOptions options;
  options.dihedral = true;
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        hasher.Hash(pictures[i++ % pictures.size()].view(), options));
  }
}
BENCHMARK(BM_PdqWithVariants)->Unit(benchmark::kMillisecond);

// Every picture hashed as `options` say, once an iteration: its patches
// alone (arg 0, Hash()) or its whole signature (arg 1, Sign(): the patches
// and the centred crops). s_per_picture is the time of one picture (in
// seconds: "9.2m" is 9.2 ms): the same pictures every iteration, so arg 0
// and arg 1 compare.
void HashPictures(benchmark::State& state, const hash::PatchOptions& options) {
  const auto& pictures = Pictures();
  if (pictures.empty()) return state.SkipWithError("no photos");
  hash::PatchHasher hasher;
  double patches = 0;
  double crops = 0;
  for (auto _ : state) {
    for (const auto& picture : pictures) {
      if (state.range(0) == 0) {
        auto result = hasher.Hash(picture.view(), options);
        patches += result ? static_cast<double>(result->size()) : 0;
      } else {
        auto result = hasher.Sign(picture.view(), options);
        patches += result ? static_cast<double>(result->patches.size()) : 0;
        crops += result ? static_cast<double>(result->crops.size()) : 0;
      }
    }
  }
  const auto n = static_cast<double>(state.iterations()) *
                 static_cast<double>(pictures.size());
  state.counters["patches"] = patches / n;
  state.counters["crops"] = crops / n;
  state.counters["s_per_picture"] = benchmark::Counter(
      n, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_BankPatches(benchmark::State& state) {
  HashPictures(state, match::BankPatchOptions());
}
BENCHMARK(BM_BankPatches)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

void BM_QueryPatches(benchmark::State& state) {
  HashPictures(state, match::QueryPatchOptions());
}
BENCHMARK(BM_QueryPatches)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// One candidate checked: a cropped copy's query patches against the bank
// signature of its original (arg 0) or of another picture (arg 1).
void BM_CheckCandidate(benchmark::State& state) {
  const auto& pictures = Pictures();
  if (pictures.size() < 2) return state.SkipWithError("too few photos");
  std::vector<match::PatchSignature> queries;
  std::vector<match::PatchSignature> banks;
  for (const auto& picture : pictures) {
    banks.push_back(Sign(picture, match::BankPatchOptions()));
    auto cropped = eval::ApplyTransform("crop-offcentre", picture.view(), 1);
    if (!cropped) return state.SkipWithError("transform failed");
    queries.push_back(Sign(*cropped, match::QueryPatchOptions()));
  }
  const std::size_t shift = state.range(0) == 0 ? 0 : 1;
  std::size_t i = 0;
  std::size_t matched = 0;
  for (auto _ : state) {
    const std::size_t q = i++ % queries.size();
    const auto candidate =
        match::CheckPatches(queries[q], banks[(q + shift) % banks.size()]);
    matched += candidate.matched(2) ? 1 : 0;
  }
  state.counters["matched"] =
      static_cast<double>(matched) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_CheckCandidate)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// One guided look (PatchMatchOptions::guided): a 25 % crop's lone vote for
// its original, looked at again through the crop's probe. Arg 0: as the
// matcher runs it (it stops at the first window that confirms). Arg 1: the
// worst case, a look that never reaches its group (min_group 64), so every
// seed hashes every window the bank picture's layout puts in the query.
void BM_GuidedLook(benchmark::State& state) {
  const auto& pictures = Pictures();
  if (pictures.empty()) return state.SkipWithError("no photos");
  struct Lone {
    match::PatchSignature query;
    match::PatchSignature bank;
    std::shared_ptr<const hash::PatchProbe> probe;
  };
  std::vector<Lone> lone;
  match::PatchMatchOptions unguided;
  unguided.guided = false;
  hash::PatchHasher hasher;
  for (const auto& picture : pictures) {
    auto cropped = eval::ApplyTransform("crop-25", picture.view(), 1);
    if (!cropped) return state.SkipWithError("transform failed");
    Lone item;
    auto query =
        hasher.Sign(cropped->view(), match::QueryPatchOptions(), &item.probe);
    if (!query) return state.SkipWithError("hashing failed");
    item.bank = Sign(picture, match::BankPatchOptions());
    // The query's first patch that votes alone for its original.
    for (const hash::Patch& patch : query->patches) {
      item.query = {query->width, query->height, {patch}};
      if (match::CheckPatches(item.query, item.bank, 0, unguided).group == 1) {
        lone.push_back(item);
        break;
      }
    }
  }
  if (lone.empty()) return state.SkipWithError("no lone votes");
  match::PatchMatchOptions options;
  if (state.range(0) == 1) options.min_group = 64;
  std::size_t i = 0;
  std::size_t confirmed = 0;
  for (auto _ : state) {
    const Lone& item = lone[i++ % lone.size()];
    const auto candidate = match::CheckPatches(item.query, item.bank, 0,
                                               options, item.probe.get());
    confirmed += candidate.guided > 0 ? 1 : 0;
  }
  state.counters["confirmed"] =
      static_cast<double>(confirmed) / static_cast<double>(state.iterations());
  state.counters["votes"] = static_cast<double>(lone.size());
}
BENCHMARK(BM_GuidedLook)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// Scanning a bank of N pictures (the corpus signatures repeated) for votes.
void BM_SearchBank(benchmark::State& state) {
  const auto& pictures = Pictures();
  if (pictures.empty()) return state.SkipWithError("no photos");
  std::vector<match::PatchSignature> banks;
  banks.reserve(pictures.size());
  for (const auto& picture : pictures) {
    banks.push_back(Sign(picture, match::BankPatchOptions()));
  }
  match::PatchIndex index;
  for (std::int64_t id = 0; id < state.range(0); ++id) {
    index.Add(id, banks[static_cast<std::size_t>(id) % banks.size()]);
  }
  auto cropped = eval::ApplyTransform("crop-10", pictures[0].view(), 1);
  if (!cropped) return state.SkipWithError("transform failed");
  const auto query = Sign(*cropped, match::QueryPatchOptions());
  for (auto _ : state) benchmark::DoNotOptimize(index.Search(query));
  state.counters["bank_patches"] = static_cast<double>(index.patches());
}
BENCHMARK(BM_SearchBank)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
