#include "store/sqlite/sqlite_connection.h"

#include <cassert>
#include <cstring>
#include <string>
#include <utility>

namespace rempart::store::sqlite {

Status SqliteError(sqlite3* db, int code, std::string_view what) {
  std::string message = std::string(what) + ": " + sqlite3_errstr(code);
  if (db != nullptr) {
    const char* detail = sqlite3_errmsg(db);
    if (detail != nullptr && std::strcmp(detail, sqlite3_errstr(code)) != 0) {
      message += std::string(" (") + detail + ")";
    }
  }
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return UnavailableError(std::move(message));
    case SQLITE_FULL:
    case SQLITE_NOMEM:
    case SQLITE_TOOBIG:
      return ResourceExhaustedError(std::move(message));
    case SQLITE_NOTADB:
      return InvalidArgumentError(std::move(message));
    default:
      return InternalError(std::move(message));
  }
}

std::string_view ColumnText(sqlite3_stmt* statement, int column) {
  const auto* text =
      reinterpret_cast<const char*>(sqlite3_column_text(statement, column));
  if (text == nullptr) return {};
  return {text,
          static_cast<std::size_t>(sqlite3_column_bytes(statement, column))};
}

std::span<const std::uint8_t> ColumnBlob(sqlite3_stmt* statement, int column) {
  const auto* bytes =
      static_cast<const std::uint8_t*>(sqlite3_column_blob(statement, column));
  if (bytes == nullptr) return {};
  return {bytes,
          static_cast<std::size_t>(sqlite3_column_bytes(statement, column))};
}

int KindCode(SignalKind kind) {
  switch (kind) {
    case SignalKind::kPdq:
      return 0;
    case SignalKind::kMd5:
      return 1;
    case SignalKind::kSha256:
      return 2;
    case SignalKind::kVpdq:
      return 3;
  }
  assert(false && "unknown SignalKind");
  return -1;
}

Result<Signal> SignalFromColumns(int kind_code,
                                 std::span<const std::uint8_t> bytes) {
  if (kind_code < 0 || kind_code >= kKindCodes) {
    return InvalidArgumentError("an unknown signal kind code " +
                                std::to_string(kind_code));
  }
  // KindCode() numbers the kinds in their declared order.
  return Signal::FromBytes(static_cast<SignalKind>(kind_code), bytes);
}

Status Connection::Prepare() {
  REMPART_RETURN_IF_ERROR(PrepareStatement("BEGIN IMMEDIATE", begin_));
  REMPART_RETURN_IF_ERROR(PrepareStatement("COMMIT", commit_));
  REMPART_RETURN_IF_ERROR(PrepareStatement("ROLLBACK", rollback_));
  return PrepareAudit();
}

Status Connection::PrepareStatement(const char* sql, StatementPtr& statement) {
  sqlite3_stmt* raw = nullptr;
  const int code = sqlite3_prepare_v3(db_.get(), sql, -1,
                                      SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  statement.reset(raw);
  if (code != SQLITE_OK) return Error(code, "prepare");
  return OkStatus();
}

Status Connection::StepDone(sqlite3_stmt* statement, std::string_view what) {
  ResetOnExit reset(statement);
  const int code = sqlite3_step(statement);
  if (code != SQLITE_DONE) return Error(code, what);
  return OkStatus();
}

Connection::WriteTransaction::~WriteTransaction() {
  if (open_) {
    sqlite3_stmt* rollback = connection_.rollback_.get();
    ResetOnExit reset(rollback);
    sqlite3_step(rollback);
  }
}

Status Connection::WriteTransaction::Begin() {
  REMPART_RETURN_IF_ERROR(
      connection_.StepDone(connection_.begin_.get(), "begin"));
  open_ = true;
  return OkStatus();
}

Status Connection::WriteTransaction::Commit() {
  REMPART_RETURN_IF_ERROR(
      connection_.StepDone(connection_.commit_.get(), "commit"));
  open_ = false;
  return OkStatus();
}

}  // namespace rempart::store::sqlite
