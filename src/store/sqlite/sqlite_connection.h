// What the SQLite Store, AuditLog, KeyStore and CaseStore of one file share:
// the connection, the lock that serializes every call on it, the clock,
// the transaction statements and the audit log's append, plus small helpers
// for binding and reading columns. Not part of the public API.
//
// Every interface holds a shared_ptr to one Connection, so the file stays
// open until the last of them is destroyed. A caller takes mutex() for the
// whole of a call; a write opens a WriteTransaction and, before committing,
// appends its audit record with AppendAudit(), so the change and its record
// commit together or not at all.
#ifndef REMPART_STORE_SQLITE_SQLITE_CONNECTION_H_
#define REMPART_STORE_SQLITE_SQLITE_CONNECTION_H_

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

#include "rempart/core/result.h"
#include "rempart/core/status.h"
#include "rempart/store/audit.h"
#include "rempart/store/cases.h"
#include "rempart/store/entry.h"
#include "rempart/store/keys.h"

namespace rempart::store::sqlite {

// The canonical Status for a failed SQLite call.
Status SqliteError(sqlite3* db, int code, std::string_view what);

struct DatabaseCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DatabasePtr = std::unique_ptr<sqlite3, DatabaseCloser>;

struct StatementFinalizer {
  void operator()(sqlite3_stmt* statement) const {
    sqlite3_finalize(statement);
  }
};
using StatementPtr = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

// Resets a prepared statement and clears its parameters when a call ends,
// however it ends, so that it holds no lock and no pointer to caller data.
class ResetOnExit {
 public:
  explicit ResetOnExit(sqlite3_stmt* statement) : statement_(statement) {}
  ~ResetOnExit() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  sqlite3_stmt* statement_;
};

// Binds parameters, remembering the first failure. Text and blobs are bound
// without a copy: they must outlive the statement's use.
class Binder {
 public:
  explicit Binder(sqlite3_stmt* statement) : statement_(statement) {}

  Binder& Int(int index, std::int64_t value) {
    Keep(sqlite3_bind_int64(statement_, index, value));
    return *this;
  }
  Binder& Text(int index, std::string_view text) {
    Keep(sqlite3_bind_text(statement_, index, text.data(),
                           static_cast<int>(text.size()), SQLITE_STATIC));
    return *this;
  }
  Binder& Blob(int index, std::span<const std::uint8_t> bytes) {
    // A zero-length blob with a null pointer would bind NULL.
    static constexpr std::uint8_t kEmpty = 0;
    Keep(sqlite3_bind_blob(statement_, index,
                           bytes.empty() ? &kEmpty : bytes.data(),
                           static_cast<int>(bytes.size()), SQLITE_STATIC));
    return *this;
  }
  Binder& Null(int index) {
    Keep(sqlite3_bind_null(statement_, index));
    return *this;
  }
  [[nodiscard]] int code() const { return code_; }

 private:
  void Keep(int code) {
    if (code_ == SQLITE_OK) code_ = code;
  }
  sqlite3_stmt* statement_;
  int code_ = SQLITE_OK;
};

std::string_view ColumnText(sqlite3_stmt* statement, int column);
std::span<const std::uint8_t> ColumnBlob(sqlite3_stmt* statement, int column);
// Copies a blob column of exactly N bytes into `out`; false when its size
// differs.
template <std::size_t N>
bool ColumnArray(sqlite3_stmt* statement, int column,
                 std::array<std::uint8_t, N>& out) {
  const std::span<const std::uint8_t> bytes = ColumnBlob(statement, column);
  if (bytes.size() != N) return false;
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return true;
}

// Signal kinds as stored: 0 pdq, 1 md5, 2 sha256, 3 vpdq.
int KindCode(SignalKind kind);
// How many kind codes there are.
inline constexpr int kKindCodes = 4;
// The signal stored as (kind code, bytes); InvalidArgument when they do not
// make one.
Result<Signal> SignalFromColumns(int kind_code,
                                 std::span<const std::uint8_t> bytes);

class Connection {
 public:
  Connection(DatabasePtr db, std::function<std::int64_t()> clock)
      : db_(std::move(db)), clock_(std::move(clock)) {}
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Prepares the statements the connection itself runs. Once, after the
  // schema is current.
  Status Prepare();

  [[nodiscard]] sqlite3* db() const { return db_.get(); }
  // Held for the whole of every call on any interface of this file.
  std::mutex& mutex() { return mutex_; }
  [[nodiscard]] std::int64_t Now() const { return clock_(); }

  // Prepares `sql` to be kept for the connection's life.
  Status PrepareStatement(const char* sql, StatementPtr& statement);
  [[nodiscard]] Status Error(int code, std::string_view what) const {
    return SqliteError(db_.get(), code, what);
  }
  // Steps `statement` (already bound) to completion, expecting no row, and
  // resets it.
  Status StepDone(sqlite3_stmt* statement, std::string_view what);

  // BEGIN IMMEDIATE … COMMIT; rolls back on destruction unless committed.
  class WriteTransaction {
   public:
    explicit WriteTransaction(Connection& connection)
        : connection_(connection) {}
    ~WriteTransaction();
    WriteTransaction(const WriteTransaction&) = delete;
    WriteTransaction& operator=(const WriteTransaction&) = delete;

    Status Begin();
    Status Commit();

   private:
    Connection& connection_;
    bool open_ = false;
  };

  // Appends a record stamped `at_ms` after the last one. Only inside a
  // WriteTransaction, with the mutex held, and with `actor` and `event`
  // already valid; the write lock makes "the last one" stable until the
  // commit. Implemented in sqlite_audit.cc.
  Result<AuditRecord> AppendAudit(const Actor& actor, const AuditEvent& event,
                                  std::int64_t at_ms);
  // With the mutex held.
  Status ForEachAudit(std::int64_t after_seq, const AuditCallback& callback);
  // With the mutex held.
  Result<AuditVerification> VerifyAudit();

 private:
  // The audit statements; in sqlite_audit.cc with the rest of the log.
  Status PrepareAudit();

  DatabasePtr db_;
  std::function<std::int64_t()> clock_;
  std::mutex mutex_;

  StatementPtr begin_;
  StatementPtr commit_;
  StatementPtr rollback_;
  StatementPtr last_audit_;
  StatementPtr insert_audit_;
  StatementPtr scan_audit_;
};

// The parts of OpenSqliteDatabase() other than the Store, over a Connection
// whose schema is current and which is Prepare()d.
Result<std::unique_ptr<AuditLog>> MakeAuditLog(
    std::shared_ptr<Connection> connection);
Result<std::unique_ptr<KeyStore>> MakeKeyStore(
    std::shared_ptr<Connection> connection);
class EntryWriter;
Result<std::unique_ptr<CaseStore>> MakeCaseStore(
    std::shared_ptr<Connection> connection,
    std::shared_ptr<EntryWriter> entries);

}  // namespace rempart::store::sqlite

#endif  // REMPART_STORE_SQLITE_SQLITE_CONNECTION_H_
