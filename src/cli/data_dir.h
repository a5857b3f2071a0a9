// Where `rempart` keeps its state: one data directory holding the SQLite
// store (rempart.db) and bank snapshots (snapshots/). Chosen by --data,
// else $REMPART_DATA, else ./rempart-data.
#ifndef REMPART_CLI_DATA_DIR_H_
#define REMPART_CLI_DATA_DIR_H_

#include <CLI/CLI.hpp>
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
// Opens (creating if needed) the store in the data directory.
Result<std::unique_ptr<store::Store>> OpenDataStore(
    const std::filesystem::path& data_dir);

}  // namespace rempart::cli

#endif  // REMPART_CLI_DATA_DIR_H_
