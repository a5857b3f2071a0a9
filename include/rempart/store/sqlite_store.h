// OpenSqliteDatabase, OpenSqliteStore: the embedded store, one SQLite file
// holding banks and entries (Store), the audit log (AuditLog), API keys
// (KeyStore) and cases (CaseStore).
//
// The file is opened in WAL mode with synchronous=FULL, so a change is on
// disk when its call returns OK and survives a crash of the process or the
// machine; foreign keys are enforced. Several processes may open the same
// file (a service and an ops command): writers wait up to
// SqliteOptions::busy_timeout for each other, then fail with Unavailable.
//
// The schema is versioned with PRAGMA user_version. A new file is created
// at the current version; a file of an older version is upgraded in place,
// in one transaction, when it is opened; a file written by a newer Rempart
// (a higher version) is refused rather than misread. Versions: 1 banks and
// entries; 2 adds the audit log, API keys and cases; 3 the triage
// workflow (replies, published entries, outcomes, reason codes); 4 videos
// (vPDQ entries and case videos with their frames).
//
// The four interfaces of one file share one connection and one lock, so
// that every change and its audit record are one transaction. Each is
// thread-safe (see store.h), and each keeps the connection open for as long
// as it lives: they may be destroyed in any order.
#ifndef REMPART_STORE_SQLITE_STORE_H_
#define REMPART_STORE_SQLITE_STORE_H_

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>

#include "rempart/core/result.h"
#include "rempart/store/audit.h"
#include "rempart/store/cases.h"
#include "rempart/store/keys.h"
#include "rempart/store/store.h"

namespace rempart::store {

// The schema version this build writes and reads.
inline constexpr int kSqliteSchemaVersion = 6;

struct SqliteOptions {
  // How long a call waits for another connection's write lock before
  // failing with Unavailable.
  std::chrono::milliseconds busy_timeout{5000};
  // Page cache of the connection. Adding to a bank of millions of entries
  // touches the unique index at random places: a cache that holds the index
  // keeps that from turning into disk reads.
  std::int64_t cache_bytes = std::int64_t{64} << 20;
  // The time stamped on banks and entries, in milliseconds since the Unix
  // epoch; the system clock when empty. Tests inject a fixed clock.
  std::function<std::int64_t()> clock;
};

// Everything one SQLite file holds, sharing one connection.
struct SqliteDatabase {
  std::unique_ptr<Store> store;
  std::unique_ptr<AuditLog> audit;
  std::unique_ptr<KeyStore> keys;
  std::unique_ptr<CaseStore> cases;
};

// Opens the database at `path`, creating the file (and its parent
// directories) when missing and upgrading an older schema. The path
// ":memory:" opens a private in-memory database, gone when the last of its
// parts is destroyed. InvalidArgument when the file is not a Rempart store
// (another SQLite database or not a database at all); Unimplemented when
// its schema version is newer than kSqliteSchemaVersion; Unavailable when
// it cannot be opened or is locked past the busy timeout.
Result<SqliteDatabase> OpenSqliteDatabase(const std::filesystem::path& path,
                                          SqliteOptions options = {});

// OpenSqliteDatabase() for callers that only need banks and entries.
Result<std::unique_ptr<Store>> OpenSqliteStore(
    const std::filesystem::path& path, SqliteOptions options = {});

}  // namespace rempart::store

#endif  // REMPART_STORE_SQLITE_STORE_H_
