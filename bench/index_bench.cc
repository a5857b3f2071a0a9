// Match index throughput and latency over synthetic PDQ-like banks, with
// the exact baselines side by side in the same run:
//   mih          Rempart's multi-index hashing (MakeIndex("mih"))
//   flat         Rempart's batched AVX-512 brute-force scan
//   faiss_flat   FAISS IndexBinaryFlat::range_search
//   faiss_mih    FAISS IndexBinaryMultiHash(256, nhash=16, b=16), nflip=1,
//                the configuration Meta's open-source matcher ships
// (FAISS only when built with it; its range_search keeps distances strictly
// below the radius, so PDQ's ≤ 31 is radius 32 there.)
//
// Banks are balanced hashes with clusters of near-duplicates
// (tests/support/synthetic_hashes.h). Each size runs two query sets of
// 1,024: "match" (a bank entry with 0–31 bits flipped) and "miss" (fresh
// hashes). Counters: items_per_second = queries/s (all threads together),
// p50_us / p99_us per single query, recall = share of the true matches
// (from the flat scan) returned, wrong = queries whose answer differs,
// bytes_per_entry, build_s.
//
//   rempart_index_bench --sizes=1000000,10000000 [--no-faiss] [gbench flags]
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "rempart/index/index.h"
#include "tests/support/synthetic_hashes.h"

#ifdef REMPART_WITH_FAISS
#include <faiss/IndexBinaryFlat.h>
#include <faiss/IndexBinaryHash.h>
#include <faiss/impl/AuxIndexStructures.h>
#include <omp.h>
#endif

namespace rempart::bench {
namespace {

using hash::PdqHash;
using index::Match;

constexpr int kQueries = 1024;
constexpr int kBatch = 64;

double Seconds(std::chrono::steady_clock::duration duration) {
  return std::chrono::duration<double>(duration).count();
}

struct QuerySet {
  std::vector<PdqHash> queries;
  std::vector<std::vector<Match>> truth;
};

// One bank size: hashes, query sets, and the indexes built over them, each
// built once on first use and kept for every benchmark of that size.
struct Workload {
  std::size_t size = 0;
  std::vector<PdqHash> hashes;
  std::vector<index::EntryId> ids;
  std::map<std::string, QuerySet> sets;
  std::map<std::string, std::unique_ptr<index::Index>> indexes;
  std::map<std::string, double> build_seconds;
#ifdef REMPART_WITH_FAISS
  std::unique_ptr<faiss::IndexBinaryFlat> faiss_flat;
  std::unique_ptr<faiss::IndexBinaryMultiHash> faiss_mih;
#endif
  std::mutex mutex;

  const index::Index& Get(const std::string& kind) {
    std::lock_guard lock(mutex);
    auto& slot = indexes[kind];
    if (!slot) {
      const auto start = std::chrono::steady_clock::now();
      auto built = index::MakeIndex(kind, hashes, ids);
      if (!built) {
        std::fprintf(stderr, "%s\n", built.error().ToString().c_str());
        std::abort();
      }
      build_seconds[kind] = Seconds(std::chrono::steady_clock::now() - start);
      slot = std::move(*built);
      // A serving index is warm: touch its tables once before timing, so
      // that first-touch page faults are not counted as query latency.
      if (kind != "flat") {
        for (const auto& [name, set] : sets) {
          benchmark::DoNotOptimize(
              slot->SearchBatch(set.queries, index::kDefaultRadius));
        }
      }
    }
    return *slot;
  }
};

std::map<std::size_t, std::unique_ptr<Workload>>& Workloads() {
  static std::map<std::size_t, std::unique_ptr<Workload>> workloads;
  return workloads;
}

Workload& GetWorkload(std::size_t size) {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  auto& slot = Workloads()[size];
  if (slot) return *slot;
  // Other sizes are done with: free their memory first.
  for (auto& [other, workload] : Workloads()) {
    if (other != size) workload.reset();
  }
  slot = std::make_unique<Workload>();
  Workload& work = *slot;
  work.size = size;
  testing::Rng rng(size);
  work.hashes = testing::SyntheticBank(size, rng);
  work.ids.resize(size);
  for (std::size_t i = 0; i < size; ++i) {
    work.ids[i] = static_cast<index::EntryId>(i);
  }
  std::uniform_int_distribution<std::size_t> pick(0, size - 1);
  std::uniform_int_distribution<int> flips(0, index::kDefaultRadius);
  auto& match = work.sets["match"];
  auto& miss = work.sets["miss"];
  for (int q = 0; q < kQueries; ++q) {
    match.queries.push_back(
        testing::FlipBits(work.hashes[pick(rng)], flips(rng), rng));
    miss.queries.push_back(testing::BalancedHash(rng));
  }
  const index::Index& flat = work.Get("flat");
  for (auto& [name, set] : work.sets) {
    set.truth = index::SearchParallel(flat, set.queries, index::kDefaultRadius);
  }
  return work;
}

struct Score {
  std::size_t expected = 0;
  std::size_t found = 0;
  std::size_t wrong = 0;
};

void Check(const std::vector<Match>& got, const std::vector<Match>& truth,
           Score& score) {
  score.expected += truth.size();
  std::size_t found = 0;
  for (const Match& match : truth) {
    found += std::count(got.begin(), got.end(), match) > 0 ? 1 : 0;
  }
  score.found += found;
  score.wrong += (found != truth.size() || got.size() != truth.size()) ? 1 : 0;
}

void Report(benchmark::State& state, Workload& work, const std::string& kind,
            const Score& score, std::vector<double> latencies,
            std::size_t memory_bytes) {
  using benchmark::Counter;
  state.counters["recall"] =
      Counter(score.expected == 0 ? 1.0
                                  : static_cast<double>(score.found) /
                                        static_cast<double>(score.expected),
              Counter::kAvgThreads);
  state.counters["wrong"] =
      Counter(static_cast<double>(score.wrong), Counter::kAvgThreads);
  if (!latencies.empty()) {
    std::sort(latencies.begin(), latencies.end());
    const auto at = [&](double share) {
      return latencies[static_cast<std::size_t>(
                 share * static_cast<double>(latencies.size() - 1))] *
             1e6;
    };
    state.counters["p50_us"] = Counter(at(0.50), Counter::kAvgThreads);
    state.counters["p99_us"] = Counter(at(0.99), Counter::kAvgThreads);
  }
  if (state.thread_index() == 0) {
    state.counters["bytes_per_entry"] =
        static_cast<double>(memory_bytes) / static_cast<double>(work.size);
    std::lock_guard lock(work.mutex);
    if (work.build_seconds.count(kind) != 0) {
      state.counters["build_s"] = work.build_seconds[kind];
    }
  }
}

// Times `search(query)` one query at a time: latency and throughput.
template <typename Search>
void TimeSingles(benchmark::State& state, Workload& work,
                 const std::string& kind, const QuerySet& set,
                 std::size_t memory_bytes, const Search& search) {
  Score score;
  std::vector<double> latencies;
  std::size_t q = static_cast<std::size_t>(state.thread_index()) * 97;
  for (auto _ : state) {
    const std::size_t i = q++ % set.queries.size();
    const auto start = std::chrono::steady_clock::now();
    std::vector<Match> found = search(set.queries[i]);
    latencies.push_back(Seconds(std::chrono::steady_clock::now() - start));
    Check(found, set.truth[i], score);
  }
  state.SetItemsProcessed(state.iterations());
  Report(state, work, kind, score, std::move(latencies), memory_bytes);
}

void BM_Single(benchmark::State& state, std::size_t size,
               const std::string& kind, const std::string& set_name) {
  Workload& work = GetWorkload(size);
  const index::Index& idx = work.Get(kind);
  TimeSingles(state, work, kind, work.sets.at(set_name), idx.memory_bytes(),
              [&](const PdqHash& query) {
                return idx.Search(query, index::kDefaultRadius);
              });
}

// Batches of kBatch queries: the throughput a platform's bulk check sees.
void BM_Batch(benchmark::State& state, std::size_t size,
              const std::string& kind, const std::string& set_name) {
  Workload& work = GetWorkload(size);
  const index::Index& idx = work.Get(kind);
  const QuerySet& set = work.sets.at(set_name);
  Score score;
  std::size_t first = static_cast<std::size_t>(state.thread_index()) * kBatch;
  for (auto _ : state) {
    first %= set.queries.size();
    const std::span<const PdqHash> batch(set.queries.data() + first, kBatch);
    auto found = idx.SearchBatch(batch, index::kDefaultRadius);
    for (int i = 0; i < kBatch; ++i) {
      Check(found[static_cast<std::size_t>(i)],
            set.truth[first + static_cast<std::size_t>(i)], score);
    }
    first += kBatch;
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  Report(state, work, kind, score, {}, idx.memory_bytes());
}

#ifdef REMPART_WITH_FAISS
std::vector<Match> FaissRange(const faiss::IndexBinary& idx,
                              const PdqHash& query) {
  const auto bytes = query.ToBytes();
  faiss::RangeSearchResult result(1);
  // FAISS keeps distances strictly below the radius.
  idx.range_search(1, bytes.data(), index::kDefaultRadius + 1, &result);
  std::vector<Match> matches;
  for (std::size_t k = result.lims[0]; k < result.lims[1]; ++k) {
    matches.push_back(Match{static_cast<index::EntryId>(result.labels[k]),
                            static_cast<int>(result.distances[k])});
  }
  // The order every Rempart index returns: by distance, then id.
  std::sort(matches.begin(), matches.end(), [](const Match& a, const Match& b) {
    return a.distance != b.distance ? a.distance < b.distance : a.id < b.id;
  });
  return matches;
}

// FAISS reads bytes in order; the synthetic ids equal positions.
std::vector<std::uint8_t> FaissCodes(const Workload& work) {
  std::vector<std::uint8_t> codes(work.size * 32);
  for (std::size_t i = 0; i < work.size; ++i) {
    const auto bytes = work.hashes[i].ToBytes();
    std::copy(bytes.begin(), bytes.end(),
              codes.begin() + static_cast<std::ptrdiff_t>(i * 32));
  }
  return codes;
}

const faiss::IndexBinary& GetFaiss(Workload& work, const std::string& kind) {
  std::lock_guard lock(work.mutex);
  if (kind == "faiss_flat" && !work.faiss_flat) {
    const auto codes = FaissCodes(work);
    const auto start = std::chrono::steady_clock::now();
    work.faiss_flat = std::make_unique<faiss::IndexBinaryFlat>(256);
    work.faiss_flat->add(static_cast<faiss::Index::idx_t>(work.size),
                         codes.data());
    work.build_seconds[kind] =
        Seconds(std::chrono::steady_clock::now() - start);
  }
  if (kind == "faiss_mih" && !work.faiss_mih) {
    const auto codes = FaissCodes(work);
    const auto start = std::chrono::steady_clock::now();
    work.faiss_mih = std::make_unique<faiss::IndexBinaryMultiHash>(256, 16, 16);
    work.faiss_mih->nflip = 1;
    work.faiss_mih->add(static_cast<faiss::Index::idx_t>(work.size),
                        codes.data());
    work.build_seconds[kind] =
        Seconds(std::chrono::steady_clock::now() - start);
  }
  if (kind == "faiss_flat") return *work.faiss_flat;
  return *work.faiss_mih;
}

void BM_Faiss(benchmark::State& state, std::size_t size,
              const std::string& kind, const std::string& set_name) {
  omp_set_num_threads(1);  // Per-thread figures: one FAISS thread per caller.
  Workload& work = GetWorkload(size);
  const faiss::IndexBinary& idx = GetFaiss(work, kind);
  // FAISS does not report its memory; the codes alone are 32 bytes each.
  TimeSingles(state, work, kind, work.sets.at(set_name), 0,
              [&](const PdqHash& query) { return FaissRange(idx, query); });
}
#endif

std::vector<std::size_t> ParseSizes(const std::string& text) {
  std::vector<std::size_t> sizes;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t comma = text.find(',', start);
    sizes.push_back(std::stoull(text.substr(start, comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return sizes;
}

}  // namespace
}  // namespace rempart::bench

int main(int argc, char** argv) {
  using rempart::bench::BM_Batch;
  using rempart::bench::BM_Single;
  std::vector<std::size_t> sizes = {1000000, 10000000};
  bool faiss = true;
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--sizes=", 0) == 0) {
      sizes = rempart::bench::ParseSizes(arg.substr(8));
    } else if (arg == "--no-faiss") {
      faiss = false;
    } else {
      rest.push_back(argv[i]);
    }
  }
  int rest_count = static_cast<int>(rest.size());
  benchmark::Initialize(&rest_count, rest.data());
  for (std::size_t size : sizes) {
    const std::string n = std::to_string(size);
    for (const char* set : {"miss", "match"}) {
      for (int threads : {1, 2}) {
        benchmark::RegisterBenchmark(("mih/single/" + n + "/" + set).c_str(),
                                     BM_Single, size, "mih", set)
            ->Threads(threads)
            ->UseRealTime()
            ->MinTime(2);
        benchmark::RegisterBenchmark(("mih/batch/" + n + "/" + set).c_str(),
                                     BM_Batch, size, "mih", set)
            ->Threads(threads)
            ->UseRealTime()
            ->MinTime(2);
        benchmark::RegisterBenchmark(("flat/batch/" + n + "/" + set).c_str(),
                                     BM_Batch, size, "flat", set)
            ->Threads(threads)
            ->UseRealTime()
            ->MinTime(2);
#ifdef REMPART_WITH_FAISS
        if (faiss && size <= 10000000) {
          benchmark::RegisterBenchmark(
              ("faiss_mih/single/" + n + "/" + set).c_str(),
              rempart::bench::BM_Faiss, size, "faiss_mih", set)
              ->Threads(threads)
              ->UseRealTime()
              ->MinTime(2);
          benchmark::RegisterBenchmark(
              ("faiss_flat/single/" + n + "/" + set).c_str(),
              rempart::bench::BM_Faiss, size, "faiss_flat", set)
              ->Threads(threads)
              ->UseRealTime()
              ->Iterations(8);
        }
#endif
      }
    }
  }
  (void)faiss;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
