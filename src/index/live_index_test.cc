#include "rempart/index/live_index.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/support/synthetic_hashes.h"

namespace rempart::index {
namespace {

using testing::BalancedHash;
using testing::FlipBits;
using testing::Rng;

std::vector<PdqEntry> Entries(std::size_t count, EntryId first, Rng& rng) {
  std::vector<PdqEntry> entries;
  for (std::size_t i = 0; i < count; ++i) {
    entries.push_back(
        PdqEntry{BalancedHash(rng), first + static_cast<EntryId>(i)});
  }
  return entries;
}

Digest Sha(std::uint8_t tag) {
  std::array<std::uint8_t, 32> bytes{};
  bytes[0] = tag;
  bytes[31] = tag;
  return Digest::Sha256(bytes);
}

TEST(LiveIndexTest, AddedEntriesAreFoundAtOnceAndRevokedOnesNever) {
  Rng rng(1);
  LiveIndex live(
      {.kind = "auto", .merge_threshold = 1000, .background_merge = false});
  const auto base = Entries(5000, 0, rng);
  const std::vector<DigestEntry> digests = {{Sha(1), 100000}};
  ASSERT_TRUE(live.Load(base, digests).ok());
  EXPECT_EQ(live.Search(base[10].hash, 31), (std::vector<Match>{{10, 0}}));

  const auto added = Entries(10, 9000, rng);
  const std::vector<DigestEntry> more = {{Sha(2), 9100}};
  live.Add(added, more);
  EXPECT_EQ(live.Search(FlipBits(added[3].hash, 5, rng), 31),
            (std::vector<Match>{{9003, 5}}));
  EXPECT_EQ(live.FindExact(Sha(2)), std::vector<EntryId>{9100});

  live.Revoke(std::vector<EntryId>{9003, 10, 100000});
  EXPECT_TRUE(live.Search(added[3].hash, 31).empty());
  EXPECT_TRUE(live.Search(base[10].hash, 31).empty());
  EXPECT_TRUE(live.FindExact(Sha(1)).empty());
  EXPECT_EQ(live.stats().revoked_pending, 3u);
}

TEST(LiveIndexTest, MergesKeepEveryAnswer) {
  Rng rng(2);
  LiveIndex live(
      {.kind = "mih", .merge_threshold = 500, .background_merge = false});
  std::vector<PdqEntry> all = Entries(3000, 0, rng);
  ASSERT_TRUE(live.Load(all, {}).ok());
  // Add in small batches: merges happen inline every 500 additions.
  for (EntryId first = 10000; first < 12000; first += 100) {
    const auto batch = Entries(100, first, rng);
    all.insert(all.end(), batch.begin(), batch.end());
    live.Add(batch, {});
  }
  std::vector<EntryId> revoked;
  for (EntryId id = 0; id < 600; id += 2) revoked.push_back(id);
  live.Revoke(
      revoked);  // 300 revoked: below the threshold, kept as tombstones.
  const LiveStats stats = live.stats();
  EXPECT_GE(stats.merges, 3u);
  EXPECT_LT(stats.delta_entries, 500u);
  EXPECT_EQ(stats.base_entries + stats.delta_entries, all.size());
  for (std::size_t i = 0; i < all.size(); i += 7) {
    const bool is_revoked = all[i].id < 600 && all[i].id % 2 == 0;
    const auto found = live.Search(all[i].hash, 0);
    EXPECT_EQ(found.size(), is_revoked ? 0u : 1u) << all[i].id;
  }
}

TEST(LiveIndexTest, BackgroundMergeDropsRevokedEntries) {
  Rng rng(3);
  LiveIndex live({.kind = "auto", .merge_threshold = 200});
  const auto entries = Entries(1000, 0, rng);
  ASSERT_TRUE(live.Load(entries, {}).ok());
  std::vector<EntryId> revoked;
  for (EntryId id = 0; id < 250; ++id) revoked.push_back(id);
  live.Revoke(revoked);
  live.WaitForMerges();
  const LiveStats stats = live.stats();
  EXPECT_EQ(stats.merges, 1u);
  EXPECT_EQ(stats.base_entries, 750u);
  EXPECT_EQ(stats.revoked_pending, 0u);
  EXPECT_TRUE(live.Search(entries[100].hash, 0).empty());
  EXPECT_EQ(live.Search(entries[500].hash, 0), (std::vector<Match>{{500, 0}}));
}

// Readers never wait for writers: searches keep running, and keep seeing
// every entry that was there before, while entries stream in and merges
// swap the base underneath them.
TEST(LiveIndexTest, SearchesRunThroughConcurrentUpdates) {
  Rng rng(4);
  LiveIndex live({.kind = "auto", .merge_threshold = 2000});
  const auto stable = Entries(5000, 0, rng);
  ASSERT_TRUE(live.Load(stable, {}).ok());
  std::atomic<bool> done{false};
  std::atomic<int> searches{0};
  std::atomic<int> misses{0};
  std::thread reader([&] {
    Rng local(5);
    std::uniform_int_distribution<std::size_t> pick(0, stable.size() - 1);
    while (!done) {
      const PdqEntry& entry = stable[pick(local)];
      if (live.Search(entry.hash, 0).empty()) ++misses;
      ++searches;
    }
  });
  for (EntryId first = 100000; first < 110000; first += 250) {
    const auto batch = Entries(250, first, rng);
    live.Add(batch, {});
    // Visible as soon as Add returns, whatever the merger is doing.
    ASSERT_EQ(live.Search(batch.back().hash, 0).size(), 1u);
  }
  live.WaitForMerges();
  done = true;
  reader.join();
  EXPECT_GT(searches.load(), 0);
  EXPECT_EQ(misses.load(), 0);
  EXPECT_GE(live.stats().merges, 1u);
  EXPECT_EQ(live.stats().base_entries + live.stats().delta_entries, 15000u);
}

TEST(LiveIndexTest, SearchAnyReportsEachEntryOnceWithItsBestDistance) {
  Rng rng(6);
  LiveIndex live;
  const auto entries = Entries(100, 0, rng);
  ASSERT_TRUE(live.Load(entries, {}).ok());
  const std::vector<hash::PdqHash> variants = {
      FlipBits(entries[7].hash, 20, rng), FlipBits(entries[7].hash, 4, rng),
      BalancedHash(rng)};
  EXPECT_EQ(live.SearchAny(variants, 31), (std::vector<Match>{{7, 4}}));
}

}  // namespace
}  // namespace rempart::index
