// Where `rempart` keeps its state: one data directory holding the SQLite
// store (rempart.db) and bank snapshots (snapshots/). Chosen by --data,
// else $REMPART_DATA, else ./rempart-data.
#ifndef REMPART_CLI_DATA_DIR_H_
#define REMPART_CLI_DATA_DIR_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "rempart/core/result.h"
#include "rempart/store/store.h"

namespace rempart::cli {

// Adds --data to `command`, writing into `data_dir`.
void AddDataOption(CLI::App& command, std::string& data_dir);
// The directory --data names (or the default).
std::filesystem::path DataDir(const std::string& flag);
std::filesystem::path SnapshotDir(const std::filesystem::path& data_dir);
// Opens (creating if needed) the store in the data directory. Bulk writers
// (imports) ask for a larger page cache: adding to a bank of millions of
// entries updates its unique index at random places.
inline constexpr std::int64_t kBulkCacheBytes = std::int64_t{512} << 20;
Result<std::unique_ptr<store::Store>> OpenDataStore(
    const std::filesystem::path& data_dir, std::int64_t cache_bytes = 0);

}  // namespace rempart::cli

#endif  // REMPART_CLI_DATA_DIR_H_
