#include "match/snapshot.h"

#include <gtest/gtest.h>

#include "tests/support/synthetic_hashes.h"

namespace rempart::match {
namespace {

BankSnapshot Sample() {
  testing::Rng rng(9);
  BankSnapshot snapshot;
  snapshot.revision = 77;
  for (index::EntryId id = 1; id <= 50; ++id) {
    snapshot.pdq.push_back(index::PdqEntry{testing::BalancedHash(rng), id});
  }
  std::array<std::uint8_t, 16> md5{};
  md5[3] = 0x5a;
  snapshot.digests.push_back(index::DigestEntry{index::Digest::Md5(md5), 99});
  return snapshot;
}

TEST(SnapshotTest, RoundTrips) {
  const BankSnapshot sample = Sample();
  auto parsed = ParseSnapshot(SerializeSnapshot(sample));
  ASSERT_TRUE(parsed.has_value()) << parsed.error().ToString();
  EXPECT_EQ(parsed->revision, 77);
  ASSERT_EQ(parsed->pdq.size(), sample.pdq.size());
  for (std::size_t i = 0; i < sample.pdq.size(); ++i) {
    EXPECT_EQ(parsed->pdq[i].hash, sample.pdq[i].hash);
    EXPECT_EQ(parsed->pdq[i].id, sample.pdq[i].id);
  }
  ASSERT_EQ(parsed->digests.size(), 1u);
  EXPECT_EQ(parsed->digests[0].digest, sample.digests[0].digest);
  EXPECT_EQ(parsed->digests[0].id, 99u);
}

TEST(SnapshotTest, EveryTruncationAndEveryFlippedByteIsRejected) {
  const std::vector<std::uint8_t> bytes = SerializeSnapshot(Sample());
  for (std::size_t size = 0; size < bytes.size(); size += 7) {
    EXPECT_FALSE(ParseSnapshot({bytes.data(), size}).has_value()) << size;
  }
  for (std::size_t at = 0; at < bytes.size(); at += 5) {
    std::vector<std::uint8_t> damaged = bytes;
    damaged[at] ^= 0x10;
    EXPECT_FALSE(ParseSnapshot(damaged).has_value()) << at;
  }
  std::vector<std::uint8_t> longer = bytes;
  longer.push_back(0);
  EXPECT_FALSE(ParseSnapshot(longer).has_value());
}

TEST(SnapshotTest, FilesAreWrittenAtomicallyAndReadBack) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("rempart_snapshot_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / "bank.snapshot";
  ASSERT_TRUE(WriteSnapshotFile(path, Sample()).ok());
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".tmp"));
  auto read = ReadSnapshotFile(path);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->pdq.size(), 50u);
  EXPECT_EQ(ReadSnapshotFile(dir / "missing").error().code(),
            StatusCode::kNotFound);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rempart::match
