// Recall tests: every index must return exactly what a plain scan returns.
#include "rempart/index/index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <string>

#include "index/flat_index.h"
#include "index/mih_index.h"
#include "index/scan.h"
#include "tests/support/synthetic_hashes.h"

namespace rempart::index {
namespace {

using hash::PdqHash;
using testing::BalancedHash;
using testing::FlipBits;
using testing::Rng;

std::vector<Match> BruteForce(std::span<const PdqHash> hashes,
                              std::span<const EntryId> ids,
                              const PdqHash& query, int radius) {
  std::vector<Match> matches;
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    const int distance = hash::Distance(hashes[i], query);
    if (distance <= radius) matches.push_back(Match{ids[i], distance});
  }
  SortMatches(matches);
  return matches;
}

std::vector<EntryId> Iota(std::size_t count, EntryId first = 0) {
  std::vector<EntryId> ids(count);
  std::iota(ids.begin(), ids.end(), first);
  return ids;
}

// Queries a bank is checked with: copies of entries, entries perturbed by
// 1…radius+2 bits (so some sit exactly on and just past the radius), and
// fresh hashes that match nothing.
std::vector<PdqHash> Queries(std::span<const PdqHash> bank, int radius,
                             int count, Rng& rng) {
  std::vector<PdqHash> queries;
  std::uniform_int_distribution<std::size_t> pick(0, bank.size() - 1);
  std::uniform_int_distribution<int> flips(0, radius + 2);
  for (int i = 0; i < count; ++i) {
    switch (i % 4) {
      case 0:
        queries.push_back(bank[pick(rng)]);
        break;
      case 1:
      case 2:
        queries.push_back(FlipBits(bank[pick(rng)], flips(rng), rng));
        break;
      default:
        queries.push_back(BalancedHash(rng));
    }
  }
  return queries;
}

using Factory = std::unique_ptr<Index> (*)(std::span<const PdqHash>,
                                           std::span<const EntryId>);

struct Kind {
  std::string name;
  Factory make;
};

void PrintTo(const Kind& kind, std::ostream* out) { *out << kind.name; }

std::vector<Kind> Kinds() {
  std::vector<Kind> kinds = {
      {"flat_portable",
       [](std::span<const PdqHash> h, std::span<const EntryId> i) {
         return std::unique_ptr<Index>(
             new FlatIndex(h, i, ScanKernel::kPortable));
       }},
      {"mih",
       [](std::span<const PdqHash> h, std::span<const EntryId> i) {
         return std::unique_ptr<Index>(new MihIndex(h, i));
       }},
      // The configuration Meta's matcher ships in FAISS: 16 parts of 16 bits.
      {"mih_16x16",
       [](std::span<const PdqHash> h, std::span<const EntryId> i) {
         std::vector<MihPart> parts;
         for (int p = 0; p < 16; ++p) parts.push_back(MihPart{16 * p, 16});
         return std::unique_ptr<Index>(new MihIndex(h, i, parts, 1));
       }},
  };
  if (ScanKernelSupported(ScanKernel::kAvx512)) {
    kinds.push_back({"flat_avx512", [](std::span<const PdqHash> h,
                                       std::span<const EntryId> i) {
                       return std::unique_ptr<Index>(
                           new FlatIndex(h, i, ScanKernel::kAvx512));
                     }});
  }
  return kinds;
}

class IndexRecallTest : public ::testing::TestWithParam<Kind> {};

TEST_P(IndexRecallTest, SameAsBruteForceOnClusteredBank) {
  Rng rng(7);
  const auto bank = testing::SyntheticBank(20000, rng);
  const auto ids = Iota(bank.size(), 1000);
  const auto index = GetParam().make(bank, ids);
  ASSERT_EQ(index->size(), bank.size());
  for (int radius : {0, 8, 31, 32, 48}) {
    const auto queries = Queries(bank, radius, 120, rng);
    const auto batch = index->SearchBatch(queries, radius);
    ASSERT_EQ(batch.size(), queries.size());
    std::size_t matched = 0;
    for (std::size_t q = 0; q < queries.size(); ++q) {
      const auto expected = BruteForce(bank, ids, queries[q], radius);
      ASSERT_EQ(index->Search(queries[q], radius), expected)
          << "radius " << radius << " query " << q;
      ASSERT_EQ(batch[q], expected) << "batch, radius " << radius;
      matched += expected.empty() ? 0 : 1;
    }
    // The query mix must exercise both outcomes.
    EXPECT_GT(matched, queries.size() / 3);
    EXPECT_LT(matched, queries.size());
  }
}

// Large batches: many groups of interleaved queries in one call.
TEST_P(IndexRecallTest, LargeBatchesSameAsBruteForce) {
  Rng rng(19);
  const auto bank = testing::SyntheticBank(30000, rng);
  const auto ids = Iota(bank.size(), 7);
  const auto index = GetParam().make(bank, ids);
  for (int radius : {31, 48}) {
    const auto queries = Queries(bank, radius, 2500, rng);
    const auto batch = index->SearchBatch(queries, radius);
    ASSERT_EQ(batch.size(), queries.size());
    for (std::size_t q = 0; q < queries.size(); ++q) {
      ASSERT_EQ(batch[q], BruteForce(bank, ids, queries[q], radius))
          << "radius " << radius << " query " << q;
    }
  }
}

TEST_P(IndexRecallTest, EntriesExactlyAtTheRadius) {
  Rng rng(11);
  const PdqHash query = BalancedHash(rng);
  std::vector<PdqHash> bank;
  for (int distance = 0; distance <= 40; ++distance) {
    for (int copy = 0; copy < 30; ++copy) {
      bank.push_back(FlipBits(query, distance, rng));
    }
  }
  for (int i = 0; i < 3000; ++i) bank.push_back(BalancedHash(rng));
  const auto ids = Iota(bank.size());
  const auto index = GetParam().make(bank, ids);
  for (int radius : {0, 1, 30, 31, 32, 40}) {
    const auto found = index->Search(query, radius);
    ASSERT_EQ(found, BruteForce(bank, ids, query, radius)) << radius;
    ASSERT_EQ(found.size(), static_cast<std::size_t>(30 * (radius + 1)));
    EXPECT_EQ(found.back().distance, radius);
  }
}

TEST_P(IndexRecallTest, ManyIdenticalAndNearDuplicates) {
  Rng rng(5);
  const PdqHash centre = BalancedHash(rng);
  std::vector<PdqHash> bank(5000, centre);
  for (int i = 0; i < 5000; ++i) bank.push_back(FlipBits(centre, i % 33, rng));
  const auto ids = Iota(bank.size());
  const auto index = GetParam().make(bank, ids);
  const auto found = index->Search(centre, 31);
  EXPECT_EQ(found, BruteForce(bank, ids, centre, 31));
  EXPECT_EQ(found.size(), 5000u + 5000u * 32 / 33 + 1);
}

TEST_P(IndexRecallTest, EmptyAndSingleEntry) {
  Rng rng(3);
  const PdqHash only = BalancedHash(rng);
  EXPECT_TRUE(GetParam().make({}, {})->Search(only, 31).empty());
  const std::vector<PdqHash> bank = {only};
  const std::vector<EntryId> ids = {42};
  const auto index = GetParam().make(bank, ids);
  EXPECT_EQ(index->Search(only, 0), (std::vector<Match>{{42, 0}}));
  EXPECT_EQ(index->Search(FlipBits(only, 31, rng), 31),
            (std::vector<Match>{{42, 31}}));
  EXPECT_TRUE(index->Search(FlipBits(only, 32, rng), 31).empty());
}

INSTANTIATE_TEST_SUITE_P(Kinds, IndexRecallTest, ::testing::ValuesIn(Kinds()),
                         [](const auto& kind) { return kind.param.name; });

// The pigeonhole edge: an entry that differs by t_i + 1 on every part but
// one, and by t_i there, is at distance exactly Σ(t_i + 1) − 1 = radius and
// is found only through that one part. Differing by t_i + 1 everywhere puts
// it one bit past the radius.
TEST(MihIndexTest, PigeonholeEdgeOnEveryPart) {
  Rng rng(13);
  std::vector<PdqHash> filler;
  for (int i = 0; i < 70000; ++i) filler.push_back(BalancedHash(rng));
  const PdqHash query = BalancedHash(rng);
  // Parts and thresholds depend only on the entry count.
  const std::vector<MihPart> parts = MihIndex::ChooseParts(filler.size() + 64);
  const auto probe = MihIndex({}, {}, parts, 1);
  for (int radius : {31, 48}) {
    const std::vector<int>& thresholds = probe.thresholds(radius);
    std::vector<PdqHash> bank = filler;
    std::vector<int> expected_distance;
    for (std::size_t spared = 0; spared <= parts.size(); ++spared) {
      std::array<std::uint64_t, 4> words = query.words();
      int distance = 0;
      for (std::size_t p = 0; p < parts.size(); ++p) {
        const int flips = thresholds[p] + (p == spared ? 0 : 1);
        for (int bit = 0; bit < flips; ++bit) {
          const int k = parts[p].offset + bit;
          words[static_cast<std::size_t>(k >> 6)] ^= std::uint64_t{1}
                                                     << (k & 63);
        }
        distance += flips;
      }
      bank.emplace_back(words);
      expected_distance.push_back(distance);
    }
    const auto ids = Iota(bank.size());
    const MihIndex index(bank, ids, parts, 1);
    EXPECT_EQ(index.Search(query, radius),
              BruteForce(bank, ids, query, radius));
    std::size_t at_radius = 0;
    for (const Match& match : index.Search(query, radius)) {
      if (match.id >= filler.size()) {
        EXPECT_EQ(match.distance, radius);
        ++at_radius;
      }
    }
    EXPECT_EQ(at_radius, parts.size()) << "radius " << radius;
    EXPECT_EQ(expected_distance.back(), radius + 1);
  }
}

TEST(MihIndexTest, PartsTileTheHashAndThresholdsCoverTheRadius) {
  for (std::size_t entries : {std::size_t{1}, std::size_t{100000},
                              std::size_t{10000000}, std::size_t{100000000}}) {
    const auto parts = MihIndex::ChooseParts(entries);
    int next = 0;
    for (const MihPart& part : parts) {
      EXPECT_EQ(part.offset, next);
      EXPECT_GE(part.width, 1);
      EXPECT_LE(part.width, MihIndex::kMaxPartWidth);
      next += part.width;
    }
    EXPECT_EQ(next, 256);
  }
  const MihIndex index({}, {}, MihIndex::ChooseParts(10000000), 1);
  for (int radius = 0; radius <= kMaxRadius; ++radius) {
    int budget = 0;
    for (int threshold : index.thresholds(radius)) budget += threshold + 1;
    EXPECT_GE(budget, radius + 1) << radius;
  }
}

TEST(IndexTest, SearchParallelMatchesSearchBatch) {
  Rng rng(17);
  const auto bank = testing::SyntheticBank(100000, rng);
  const auto ids = Iota(bank.size());
  auto index = MakeIndex("auto", bank, ids);
  ASSERT_TRUE(index.has_value());
  EXPECT_EQ((*index)->kind(), "mih");
  const auto queries = Queries(bank, 31, 200, rng);
  EXPECT_EQ(SearchParallel(**index, queries, 31, 2),
            (*index)->SearchBatch(queries, 31));
}

TEST(IndexTest, MakeIndexRejectsBadArguments) {
  Rng rng(1);
  const std::vector<PdqHash> bank = {BalancedHash(rng), BalancedHash(rng)};
  const std::vector<EntryId> ids = {1};
  EXPECT_EQ(MakeIndex("flat", bank, ids).error().code(),
            StatusCode::kInvalidArgument);
  const std::vector<EntryId> two = {1, 2};
  const auto unknown = MakeIndex("lsh", bank, two);
  ASSERT_FALSE(unknown.has_value());
  EXPECT_NE(unknown.error().message().find("lsh"), std::string::npos);
  const auto small = MakeIndex("auto", bank, two);
  ASSERT_TRUE(small.has_value());
  EXPECT_EQ((*small)->kind(), "flat");
}

}  // namespace
}  // namespace rempart::index
