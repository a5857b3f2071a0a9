// Bank snapshots: a bank's live entries in one file, so that start-up
// reads one sequential file instead of millions of database rows.
//
// Layout (little-endian):
//   "rempart-snapshot" (16 bytes) | u32 version = 1 | u32 zero |
//   i64 store revision | u64 PDQ count | u64 digest count |
//   PDQ records: 32-byte hash (hex order) + u32 entry id |
//   digest records: u8 kind (1 MD5, 2 SHA-256) + 32 bytes + u32 entry id |
//   SHA-256 of everything before it (32 bytes).
// A snapshot is a cache: any defect (short, long, bad magic, version or
// checksum) makes ParseSnapshot fail, and the bank is rebuilt from the
// store. Pure functions; thread-safe.
#ifndef REMPART_MATCH_SNAPSHOT_H_
#define REMPART_MATCH_SNAPSHOT_H_

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "rempart/core/result.h"
#include "rempart/index/exact_index.h"
#include "rempart/index/live_index.h"

namespace rempart::match {

struct BankSnapshot {
  std::int64_t revision = 0;
  std::vector<index::PdqEntry> pdq;
  std::vector<index::DigestEntry> digests;
};

std::vector<std::uint8_t> SerializeSnapshot(const BankSnapshot& snapshot);
// InvalidArgument saying what is wrong with `bytes`.
Result<BankSnapshot> ParseSnapshot(std::span<const std::uint8_t> bytes);

// Writes atomically: `path`.tmp, fsync, rename over `path`.
Status WriteSnapshotFile(const std::filesystem::path& path,
                         const BankSnapshot& snapshot);
// NotFound when there is no file; InvalidArgument when it is damaged.
Result<BankSnapshot> ReadSnapshotFile(const std::filesystem::path& path);

}  // namespace rempart::match

#endif  // REMPART_MATCH_SNAPSHOT_H_
