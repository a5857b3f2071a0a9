// The SQLite audit log: appending to the chain inside the writer's
// transaction, reading it back, and verifying it.
//
// seq is the table's rowid. An append reads the last record (seq and hash)
// and inserts the next one inside the caller's BEGIN IMMEDIATE transaction:
// the write lock is held from before that read until the commit, so no
// other writer, in this process or another, can append in between, and the
// chain stays one line without gaps. A transaction that rolls back takes
// its record with it.
//
// Verification walks the log in seq order in one statement, hence one read
// snapshot, recomputing each hash (AuditRecordHash()) and comparing each
// prev_hash with the hash before it. The first record where anything
// disagrees is reported and the walk stops: past an edit every later
// record is suspect anyway, and the operator needs the place to start
// looking.
#include <cstring>
#include <string>
#include <utility>

#include "rempart/core/hex.h"
#include "store/sqlite/sqlite_connection.h"

namespace rempart::store::sqlite {
namespace {

// The columns ReadAuditRecord() reads, in its order.
#define REMPART_AUDIT_COLUMNS \
  "seq, at, actor, action, target, details, prev_hash, hash"

// Fills `record` from REMPART_AUDIT_COLUMNS. False when a hash column does
// not hold 32 bytes (then that hash is left zero).
bool ReadAuditRecord(sqlite3_stmt* statement, AuditRecord& record) {
  record.seq = sqlite3_column_int64(statement, 0);
  record.at_ms = sqlite3_column_int64(statement, 1);
  record.actor = ColumnText(statement, 2);
  record.action = ColumnText(statement, 3);
  record.target = ColumnText(statement, 4);
  record.details = ColumnText(statement, 5);
  record.prev_hash.fill(0);
  record.hash.fill(0);
  const bool prev_ok = ColumnArray(statement, 6, record.prev_hash);
  const bool hash_ok = ColumnArray(statement, 7, record.hash);
  return prev_ok && hash_ok;
}

class SqliteAuditLog final : public AuditLog {
 public:
  explicit SqliteAuditLog(std::shared_ptr<Connection> connection)
      : connection_(std::move(connection)) {}

  Status Prepare() {
    // CASE, not AND: json_type() fails on text that is not JSON, and only
    // CASE promises not to evaluate it then.
    return connection_->PrepareStatement(
        "SELECT CASE WHEN json_valid(?1) THEN json_type(?1) = 'object' "
        "ELSE 0 END",
        is_json_object_);
  }

  Result<AuditRecord> Append(const Actor& actor,
                             const AuditEvent& event) override {
    REMPART_RETURN_IF_ERROR(ValidateActor(actor));
    REMPART_RETURN_IF_ERROR(ValidateAuditEvent(event));
    std::lock_guard lock(connection_->mutex());
    {
      sqlite3_stmt* statement = is_json_object_.get();
      ResetOnExit reset(statement);
      Binder bind(statement);
      bind.Text(1, event.details);
      if (bind.code() != SQLITE_OK) {
        return connection_->Error(bind.code(), "bind");
      }
      const int code = sqlite3_step(statement);
      if (code != SQLITE_ROW) return connection_->Error(code, "check details");
      if (sqlite3_column_int(statement, 0) != 1) {
        return InvalidArgumentError("audit details are not a JSON object");
      }
    }
    Connection::WriteTransaction transaction(*connection_);
    REMPART_RETURN_IF_ERROR(transaction.Begin());
    auto record = connection_->AppendAudit(actor, event, connection_->Now());
    if (!record) return record.error();
    REMPART_RETURN_IF_ERROR(transaction.Commit());
    return record;
  }

  Status ForEachAudit(std::int64_t after_seq,
                      const AuditCallback& callback) override {
    std::lock_guard lock(connection_->mutex());
    return connection_->ForEachAudit(after_seq, callback);
  }

  Result<AuditVerification> VerifyAudit() override {
    std::lock_guard lock(connection_->mutex());
    return connection_->VerifyAudit();
  }

 private:
  std::shared_ptr<Connection> connection_;
  StatementPtr is_json_object_;
};

}  // namespace

Status Connection::PrepareAudit() {
  REMPART_RETURN_IF_ERROR(PrepareStatement(
      "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
      last_audit_));
  REMPART_RETURN_IF_ERROR(
      PrepareStatement("INSERT INTO audit_log(" REMPART_AUDIT_COLUMNS
                       ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                       insert_audit_));
  return PrepareStatement("SELECT " REMPART_AUDIT_COLUMNS
                          " FROM audit_log WHERE seq > ?1 ORDER BY seq",
                          scan_audit_);
}

Result<AuditRecord> Connection::AppendAudit(const Actor& actor,
                                            const AuditEvent& event,
                                            std::int64_t at_ms) {
  AuditRecord record;
  {
    sqlite3_stmt* statement = last_audit_.get();
    ResetOnExit reset(statement);
    const int code = sqlite3_step(statement);
    if (code == SQLITE_ROW) {
      record.seq = sqlite3_column_int64(statement, 0) + 1;
      // A malformed last hash chains from zero; VerifyAudit() reports the
      // record that holds it.
      (void)ColumnArray(statement, 1, record.prev_hash);
    } else if (code == SQLITE_DONE) {
      record.seq = 1;
    } else {
      return Error(code, "read the last audit record");
    }
  }
  record.at_ms = at_ms;
  record.actor = actor.id;
  record.action = event.action;
  record.target = event.target;
  record.details = event.details;
  record.hash = AuditRecordHash(record);

  sqlite3_stmt* statement = insert_audit_.get();
  ResetOnExit reset(statement);
  Binder bind(statement);
  bind.Int(1, record.seq)
      .Int(2, record.at_ms)
      .Text(3, record.actor)
      .Text(4, record.action)
      .Text(5, record.target)
      .Text(6, record.details)
      .Blob(7, record.prev_hash)
      .Blob(8, record.hash);
  if (bind.code() != SQLITE_OK) return Error(bind.code(), "bind");
  const int code = sqlite3_step(statement);
  if ((code & 0xff) == SQLITE_CONSTRAINT) {
    // The store's own records are well-formed by construction; Append()
    // checks the details before it gets here.
    return InvalidArgumentError(
        "audit record refused by the schema (details not a JSON object?)");
  }
  if (code != SQLITE_DONE) return Error(code, "append audit record");
  return record;
}

Status Connection::ForEachAudit(std::int64_t after_seq,
                                const AuditCallback& callback) {
  sqlite3_stmt* statement = scan_audit_.get();
  ResetOnExit reset(statement);
  Binder bind(statement);
  bind.Int(1, after_seq);
  if (bind.code() != SQLITE_OK) return Error(bind.code(), "bind");
  AuditRecord record;
  int code = SQLITE_OK;
  while ((code = sqlite3_step(statement)) == SQLITE_ROW) {
    (void)ReadAuditRecord(statement, record);
    if (!callback(record)) return OkStatus();
  }
  if (code != SQLITE_DONE) return Error(code, "read audit log");
  return OkStatus();
}

Result<AuditVerification> Connection::VerifyAudit() {
  sqlite3_stmt* statement = scan_audit_.get();
  ResetOnExit reset(statement);
  Binder bind(statement);
  bind.Int(1, 0);
  if (bind.code() != SQLITE_OK) return Error(bind.code(), "bind");
  AuditVerification verification;
  const auto broken = [&](std::int64_t seq, std::string problem) {
    verification.first_bad_seq = seq;
    verification.problem = std::move(problem);
    return verification;
  };
  AuditRecord record;
  std::int64_t expected_seq = 1;
  int code = SQLITE_OK;
  while ((code = sqlite3_step(statement)) == SQLITE_ROW) {
    const bool hashes_whole = ReadAuditRecord(statement, record);
    if (record.seq > expected_seq) {
      return broken(expected_seq, "record " + std::to_string(expected_seq) +
                                      " is missing (the next one is " +
                                      std::to_string(record.seq) + ")");
    }
    if (record.seq != expected_seq) {
      return broken(expected_seq, "found seq " + std::to_string(record.seq) +
                                      " where " + std::to_string(expected_seq) +
                                      " should be");
    }
    if (!hashes_whole) {
      return broken(record.seq, "a stored hash is not 32 bytes");
    }
    if (record.prev_hash != verification.head) {
      return broken(record.seq,
                    record.seq == 1
                        ? "prev_hash of the first record is not zero"
                        : "prev_hash is not the hash of record " +
                              std::to_string(record.seq - 1) +
                              " (a record before it was changed, removed or "
                              "moved)");
    }
    if (AuditRecordHash(record) != record.hash) {
      return broken(record.seq,
                    "hash does not match the record's contents (stored " +
                        HexEncode(record.hash) + ")");
    }
    verification.head = record.hash;
    ++verification.records;
    ++expected_seq;
  }
  if (code != SQLITE_DONE) return Error(code, "read audit log");
  return verification;
}

Result<std::unique_ptr<AuditLog>> MakeAuditLog(
    std::shared_ptr<Connection> connection) {
  auto log = std::make_unique<SqliteAuditLog>(std::move(connection));
  REMPART_RETURN_IF_ERROR(log->Prepare());
  return std::unique_ptr<AuditLog>(std::move(log));
}

}  // namespace rempart::store::sqlite
