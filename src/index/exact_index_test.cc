#include "rempart/index/exact_index.h"

#include <gtest/gtest.h>

#include <random>

namespace rempart::index {
namespace {

Digest RandomSha256(std::mt19937_64& rng) {
  std::array<std::uint8_t, 32> bytes{};
  for (auto& byte : bytes) byte = static_cast<std::uint8_t>(rng());
  return Digest::Sha256(bytes);
}

TEST(ExactIndexTest, FindsEveryEntryAndNothingElse) {
  std::mt19937_64 rng(3);
  std::vector<DigestEntry> entries;
  for (EntryId id = 0; id < 50000; ++id) {
    entries.push_back(DigestEntry{RandomSha256(rng), id});
  }
  const ExactIndex index(entries);
  EXPECT_EQ(index.size(), entries.size());
  for (const DigestEntry& entry : entries) {
    ASSERT_EQ(index.Find(entry.digest), std::vector<EntryId>{entry.id});
  }
  for (int i = 0; i < 1000; ++i) {
    EXPECT_TRUE(index.Find(RandomSha256(rng)).empty());
  }
}

TEST(ExactIndexTest, KindsAreDistinctAndDuplicatesAllReturned) {
  std::array<std::uint8_t, 16> md5{};
  md5[0] = 0xab;
  std::array<std::uint8_t, 32> sha{};
  sha[0] = 0xab;  // Same leading bytes as the MD5, different kind.
  const std::vector<DigestEntry> entries = {
      {Digest::Md5(md5), 7}, {Digest::Md5(md5), 3}, {Digest::Sha256(sha), 9}};
  const ExactIndex index(entries);
  EXPECT_EQ(index.Find(Digest::Md5(md5)), (std::vector<EntryId>{3, 7}));
  EXPECT_EQ(index.Find(Digest::Sha256(sha)), std::vector<EntryId>{9});
  EXPECT_TRUE(ExactIndex().Find(Digest::Md5(md5)).empty());
}

}  // namespace
}  // namespace rempart::index
