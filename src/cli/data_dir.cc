#include "cli/data_dir.h"

#include <cstdlib>

#include "rempart/store/sqlite_store.h"

namespace rempart::cli {

void AddDataOption(CLI::App& command, std::string& data_dir) {
  command.add_option("--data", data_dir,
                     "Data directory (store and snapshots); default "
                     "$REMPART_DATA, else ./rempart-data");
}

std::filesystem::path DataDir(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("REMPART_DATA"); env != nullptr && *env) {
    return env;
  }
  return "rempart-data";
}

std::filesystem::path SnapshotDir(const std::filesystem::path& data_dir) {
  return data_dir / "snapshots";
}

Result<std::unique_ptr<store::Store>> OpenDataStore(
    const std::filesystem::path& data_dir, std::int64_t cache_bytes) {
  store::SqliteOptions options;
  if (cache_bytes > 0) options.cache_bytes = cache_bytes;
  return store::OpenSqliteStore(data_dir / "rempart.db", options);
}

}  // namespace rempart::cli
