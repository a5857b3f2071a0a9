// The SQLite Store.
//
// One connection, guarded by one mutex, serves every call. Writes run in
// BEGIN IMMEDIATE transactions, so a writer takes the file's write lock
// before reading anything it will act on and two processes never deadlock
// upgrading read locks; the busy timeout makes the second one wait. With
// journal_mode=WAL and synchronous=FULL, COMMIT returns after the log is
// fsync'ed: that is the moment a call is acknowledged. Readers in other
// processes keep reading the last committed state meanwhile.
//
// Schema (version 1):
//   store_state  one row: the store's revision.
//   banks        name, description, created_at, and per-bank counters
//                (active entries by kind, revoked entries, last revision)
//                kept in step with entries by the same transactions, so
//                Stats() costs one row read instead of a scan of millions.
//   entries      one row per (bank, kind, value), the UNIQUE constraint that
//                makes adding idempotent: INSERT … ON CONFLICT DO NOTHING
//                leaves existing rows alone, and sqlite3_changes() tells
//                added from unchanged. entries_by_revision (bank_id,
//                revision, rowid) serves ForEachChangeSince() in order.
// Kinds are stored as small integers (0 pdq, 1 md5, 2 sha256: KindCode()),
// categories, statuses and PDQ modes as their names; times as milliseconds
// since the epoch. CHECK constraints restate the invariants so that
// PRAGMA integrity_check catches rows that break them.
//
// Every statement with data is prepared once, at open, with bound
// parameters; none is built from user text. A statement is reset as soon as
// its call ends (ResetOnExit), so no read transaction outlives a call.
// ForEachEntry() steps through rows by rowid, reusing one Entry, so a full
// scan of a bank allocates nothing per row once its strings have grown.
#include "rempart/store/sqlite_store.h"

#include <sqlite3.h>

#include <array>
#include <cassert>
#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "store/store_internal.h"

namespace rempart::store {
namespace {

constexpr std::string_view kMemoryPath = ":memory:";

// Statements creating the version 1 schema, run in one transaction.
constexpr std::array<const char*, 5> kSchemaV1 = {
    R"sql(CREATE TABLE store_state(
  id INTEGER PRIMARY KEY CHECK (id = 1),
  revision INTEGER NOT NULL CHECK (revision >= 0)))sql",
    R"sql(INSERT INTO store_state(id, revision) VALUES (1, 0))sql",
    R"sql(CREATE TABLE banks(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  active_pdq INTEGER NOT NULL DEFAULT 0 CHECK (active_pdq >= 0),
  active_md5 INTEGER NOT NULL DEFAULT 0 CHECK (active_md5 >= 0),
  active_sha256 INTEGER NOT NULL DEFAULT 0 CHECK (active_sha256 >= 0),
  revoked INTEGER NOT NULL DEFAULT 0 CHECK (revoked >= 0),
  revision INTEGER NOT NULL DEFAULT 0))sql",
    R"sql(CREATE TABLE entries(
  id INTEGER PRIMARY KEY,
  bank_id INTEGER NOT NULL REFERENCES banks(id),
  kind INTEGER NOT NULL CHECK (kind IN (0, 1, 2)),
  value BLOB NOT NULL
      CHECK (length(value) = CASE kind WHEN 1 THEN 16 ELSE 32 END),
  quality INTEGER CHECK (quality IS NULL OR quality BETWEEN 0 AND 100),
  pdq_mode TEXT CHECK (pdq_mode IS NULL OR pdq_mode IN ('cli512', 'fullres')),
  category TEXT NOT NULL,
  source_org TEXT NOT NULL,
  external_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
  revoke_reason TEXT CHECK ((status = 'active' AND revoke_reason IS NULL) OR
                            (status = 'revoked' AND revoke_reason <> '')),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  revision INTEGER NOT NULL CHECK (revision > 0),
  UNIQUE (bank_id, kind, value)))sql",
    R"sql(CREATE INDEX entries_by_revision ON entries(bank_id, revision))sql",
};

// The columns ReadEntry() reads, in its order, from `entries AS e`.
#define REMPART_ENTRY_COLUMNS                                              \
  "e.id, e.kind, e.value, e.quality, e.pdq_mode, e.category, "             \
  "e.source_org, e.external_id, e.status, e.revoke_reason, e.created_at, " \
  "e.updated_at"

int KindCode(SignalKind kind) {
  switch (kind) {
    case SignalKind::kPdq:
      return 0;
    case SignalKind::kMd5:
      return 1;
    case SignalKind::kSha256:
      return 2;
  }
  assert(false && "unknown SignalKind");
  return -1;
}

std::int64_t SystemClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The canonical Status for a failed SQLite call.
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
    Keep(sqlite3_bind_blob(statement_, index, bytes.data(),
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

std::string_view ColumnText(sqlite3_stmt* statement, int column) {
  const auto* text =
      reinterpret_cast<const char*>(sqlite3_column_text(statement, column));
  if (text == nullptr) return {};
  return {text,
          static_cast<std::size_t>(sqlite3_column_bytes(statement, column))};
}

// An Entry of `bank` to fill with ReadEntry().
Entry BlankEntry(std::string_view bank) {
  Entry entry;
  entry.bank = bank;
  return entry;
}

// Fills `entry` (all but `bank`) from the REMPART_ENTRY_COLUMNS starting at
// `first`. Internal when the row holds something this build cannot read.
// Takes `entry` by reference so that a scan reuses its strings.
Status ReadEntry(sqlite3_stmt* statement, int first, Entry& entry) {
  entry.id = sqlite3_column_int64(statement, first);
  const auto bad_row = [&](std::string_view what) {
    return InternalError("entry " + std::to_string(entry.id) + " has " +
                         std::string(what));
  };
  const int kind = sqlite3_column_int(statement, first + 1);
  const auto* value = static_cast<const std::uint8_t*>(
      sqlite3_column_blob(statement, first + 2));
  const auto size =
      static_cast<std::size_t>(sqlite3_column_bytes(statement, first + 2));
  EntryInput& input = entry.input;
  if (kind == 0 && size == 32) {
    input.signal = Signal::Pdq(
        hash::PdqHash::FromBytes(std::span<const std::uint8_t, 32>(value, 32)));
  } else if (kind == 1 && size == 16) {
    hash::Md5Digest digest;
    std::memcpy(digest.data(), value, digest.size());
    input.signal = Signal::Md5(digest);
  } else if (kind == 2 && size == 32) {
    hash::Sha256Digest digest;
    std::memcpy(digest.data(), value, digest.size());
    input.signal = Signal::Sha256(digest);
  } else {
    return bad_row("an unreadable signal");
  }
  if (sqlite3_column_type(statement, first + 3) == SQLITE_NULL) {
    input.quality.reset();
  } else {
    input.quality = sqlite3_column_int(statement, first + 3);
  }
  if (sqlite3_column_type(statement, first + 4) == SQLITE_NULL) {
    input.pdq_mode.reset();
  } else {
    auto mode = hash::ParsePdqMode(ColumnText(statement, first + 4));
    if (!mode) return bad_row("an unknown pdq_mode");
    input.pdq_mode = *mode;
  }
  auto category = ParseCategory(ColumnText(statement, first + 5));
  if (!category) return bad_row("an unknown category");
  input.category = *category;
  input.source_org = ColumnText(statement, first + 6);
  input.external_id = ColumnText(statement, first + 7);
  auto status = ParseEntryStatus(ColumnText(statement, first + 8));
  if (!status) return bad_row("an unknown status");
  entry.status = *status;
  entry.revoke_reason = ColumnText(statement, first + 9);
  entry.created_at_ms = sqlite3_column_int64(statement, first + 10);
  entry.updated_at_ms = sqlite3_column_int64(statement, first + 11);
  return OkStatus();
}

// A bank row: its key and what Bank and BankStats show.
struct BankRow {
  std::int64_t id = 0;
  Bank bank;
  BankStats stats;
};

// Changes to a bank's counters made by one transaction.
struct CountDelta {
  std::array<std::int64_t, 3> active{};  // By KindCode().
  std::int64_t revoked = 0;
};

class SqliteStore final : public Store {
 public:
  SqliteStore(DatabasePtr db, std::function<std::int64_t()> clock)
      : db_(std::move(db)), clock_(std::move(clock)) {}

  // Prepares every statement the store uses.
  Status Prepare();

  Result<Bank> CreateBank(std::string_view name,
                          std::string_view description) override;
  Result<std::vector<Bank>> ListBanks() override;
  Result<Bank> GetBank(std::string_view name) override;
  Result<BankStats> Stats(std::string_view bank) override;
  Result<AddOutcome> AddEntries(std::string_view bank,
                                std::span<const NewEntry> entries) override;
  Result<Entry> Revoke(std::string_view bank, const Signal& signal,
                       std::string_view reason) override;
  Result<std::vector<Entry>> FindEntries(std::string_view bank,
                                         const Signal& signal) override;
  Result<Entry> GetEntry(std::int64_t id) override;
  Status ForEachEntry(std::string_view bank, const EntryFilter& filter,
                      const EntryCallback& callback) override;
  Result<std::int64_t> CurrentRevision() override;
  Status ForEachChangeSince(std::string_view bank, std::int64_t revision,
                            const ChangeCallback& callback) override;
  Status CheckIntegrity() override;

 private:
  // Rolls back on destruction unless committed.
  class Transaction {
   public:
    explicit Transaction(SqliteStore& store) : store_(store) {}
    ~Transaction() {
      if (open_) {
        sqlite3_stmt* rollback = store_.rollback_.get();
        ResetOnExit reset(rollback);
        sqlite3_step(rollback);
      }
    }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    Status Begin() {
      REMPART_RETURN_IF_ERROR(store_.StepDone(store_.begin_.get(), "begin"));
      open_ = true;
      return OkStatus();
    }
    Status Commit() {
      REMPART_RETURN_IF_ERROR(store_.StepDone(store_.commit_.get(), "commit"));
      open_ = false;
      return OkStatus();
    }

   private:
    SqliteStore& store_;
    bool open_ = false;
  };

  Status PrepareOne(const char* sql, StatementPtr& statement);
  [[nodiscard]] Status Error(int code, std::string_view what) const {
    return SqliteError(db_.get(), code, what);
  }
  // Steps `statement` (already bound) to completion, expecting no row.
  Status StepDone(sqlite3_stmt* statement, std::string_view what);
  // The bank called `name`, with its counters.
  Result<BankRow> LoadBank(std::string_view name);
  // Takes the next revision. Only inside a write transaction.
  Result<std::int64_t> NextRevision();
  Status ApplyDelta(std::int64_t bank_id, const CountDelta& delta,
                    std::int64_t revision);
  // The entry of bank `bank_id` holding `signal`, if any.
  Result<std::optional<Entry>> LoadEntry(std::int64_t bank_id,
                                         std::string_view bank_name,
                                         const Signal& signal);

  DatabasePtr db_;
  std::function<std::int64_t()> clock_;
  std::mutex mutex_;

  StatementPtr begin_;
  StatementPtr commit_;
  StatementPtr rollback_;
  StatementPtr insert_bank_;
  StatementPtr list_banks_;
  StatementPtr load_bank_;
  StatementPtr next_revision_;
  StatementPtr current_revision_;
  StatementPtr apply_delta_;
  StatementPtr insert_entry_;
  StatementPtr find_entry_;
  StatementPtr get_entry_;
  StatementPtr revoke_entry_;
  StatementPtr scan_entries_;
  StatementPtr scan_changes_;
};

Status SqliteStore::PrepareOne(const char* sql, StatementPtr& statement) {
  sqlite3_stmt* raw = nullptr;
  const int code = sqlite3_prepare_v3(db_.get(), sql, -1,
                                      SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  statement.reset(raw);
  if (code != SQLITE_OK) return Error(code, "prepare");
  return OkStatus();
}

Status SqliteStore::Prepare() {
  const std::array<std::pair<const char*, StatementPtr*>, 15> statements = {{
      {"BEGIN IMMEDIATE", &begin_},
      {"COMMIT", &commit_},
      {"ROLLBACK", &rollback_},
      {"INSERT INTO banks(name, description, created_at) VALUES (?1, ?2, ?3)",
       &insert_bank_},
      {"SELECT name, description, created_at FROM banks ORDER BY name",
       &list_banks_},
      {"SELECT id, name, description, created_at, active_pdq, active_md5, "
       "active_sha256, revoked, revision FROM banks WHERE name = ?1",
       &load_bank_},
      {"UPDATE store_state SET revision = revision + 1 WHERE id = 1 "
       "RETURNING revision",
       &next_revision_},
      {"SELECT revision FROM store_state WHERE id = 1", &current_revision_},
      {"UPDATE banks SET active_pdq = active_pdq + ?2, "
       "active_md5 = active_md5 + ?3, active_sha256 = active_sha256 + ?4, "
       "revoked = revoked + ?5, revision = ?6 WHERE id = ?1",
       &apply_delta_},
      {"INSERT INTO entries(bank_id, kind, value, quality, pdq_mode, "
       "category, source_org, external_id, status, revoke_reason, "
       "created_at, updated_at, revision) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12) "
       "ON CONFLICT (bank_id, kind, value) DO NOTHING",
       &insert_entry_},
      {"SELECT " REMPART_ENTRY_COLUMNS
       " FROM entries AS e WHERE e.bank_id = ?1 AND e.kind = ?2 "
       "AND e.value = ?3",
       &find_entry_},
      {"SELECT b.name, " REMPART_ENTRY_COLUMNS
       " FROM entries AS e JOIN banks AS b ON b.id = e.bank_id "
       "WHERE e.id = ?1",
       &get_entry_},
      {"UPDATE entries SET status = 'revoked', revoke_reason = ?2, "
       "updated_at = ?3, revision = ?4 WHERE id = ?1",
       &revoke_entry_},
      // The unary + keeps the planner on the rowid: walking
      // entries_by_revision instead would need a sort of the whole bank.
      {"SELECT " REMPART_ENTRY_COLUMNS
       " FROM entries AS e WHERE +e.bank_id = ?1 AND e.id > ?2 "
       "AND (?3 IS NULL OR e.status = ?3) AND (?4 IS NULL OR e.kind = ?4) "
       "ORDER BY e.id",
       &scan_entries_},
      {"SELECT e.revision, " REMPART_ENTRY_COLUMNS
       " FROM entries AS e WHERE e.bank_id = ?1 AND e.revision > ?2 "
       "ORDER BY e.revision, e.id",
       &scan_changes_},
  }};
  for (const auto& [sql, statement] : statements) {
    REMPART_RETURN_IF_ERROR(PrepareOne(sql, *statement));
  }
  return OkStatus();
}

Status SqliteStore::StepDone(sqlite3_stmt* statement, std::string_view what) {
  ResetOnExit reset(statement);
  const int code = sqlite3_step(statement);
  if (code != SQLITE_DONE) return Error(code, what);
  return OkStatus();
}

Result<BankRow> SqliteStore::LoadBank(std::string_view name) {
  REMPART_RETURN_IF_ERROR(ValidateBankName(name));
  sqlite3_stmt* statement = load_bank_.get();
  ResetOnExit reset(statement);
  Binder bind(statement);
  bind.Text(1, name);
  if (bind.code() != SQLITE_OK) return Error(bind.code(), "bind");
  const int code = sqlite3_step(statement);
  if (code == SQLITE_DONE) {
    return NotFoundError("no bank named '" + std::string(name) + "'");
  }
  if (code != SQLITE_ROW) return Error(code, "read bank");
  BankRow row;
  row.id = sqlite3_column_int64(statement, 0);
  row.bank.name = ColumnText(statement, 1);
  row.bank.description = ColumnText(statement, 2);
  row.bank.created_at_ms = sqlite3_column_int64(statement, 3);
  row.stats.active_pdq = sqlite3_column_int64(statement, 4);
  row.stats.active_md5 = sqlite3_column_int64(statement, 5);
  row.stats.active_sha256 = sqlite3_column_int64(statement, 6);
  row.stats.revoked = sqlite3_column_int64(statement, 7);
  row.stats.revision = sqlite3_column_int64(statement, 8);
  row.stats.total = row.stats.active_pdq + row.stats.active_md5 +
                    row.stats.active_sha256 + row.stats.revoked;
  return row;
}

Result<std::int64_t> SqliteStore::NextRevision() {
  sqlite3_stmt* statement = next_revision_.get();
  ResetOnExit reset(statement);
  int code = sqlite3_step(statement);
  if (code != SQLITE_ROW) return Error(code, "take a revision");
  const std::int64_t revision = sqlite3_column_int64(statement, 0);
  code = sqlite3_step(statement);
  if (code != SQLITE_DONE) return Error(code, "take a revision");
  return revision;
}

Status SqliteStore::ApplyDelta(std::int64_t bank_id, const CountDelta& delta,
                               std::int64_t revision) {
  sqlite3_stmt* statement = apply_delta_.get();
  Binder bind(statement);
  bind.Int(1, bank_id)
      .Int(2, delta.active[0])
      .Int(3, delta.active[1])
      .Int(4, delta.active[2])
      .Int(5, delta.revoked)
      .Int(6, revision);
  if (bind.code() != SQLITE_OK) {
    ResetOnExit reset(statement);
    return Error(bind.code(), "bind");
  }
  return StepDone(statement, "update bank counts");
}

Result<std::optional<Entry>> SqliteStore::LoadEntry(std::int64_t bank_id,
                                                    std::string_view bank_name,
                                                    const Signal& signal) {
  sqlite3_stmt* statement = find_entry_.get();
  ResetOnExit reset(statement);
  Binder bind(statement);
  bind.Int(1, bank_id).Int(2, KindCode(signal.kind())).Blob(3, signal.bytes());
  if (bind.code() != SQLITE_OK) return Error(bind.code(), "bind");
  const int code = sqlite3_step(statement);
  if (code == SQLITE_DONE) return std::optional<Entry>();
  if (code != SQLITE_ROW) return Error(code, "find entry");
  Entry entry = BlankEntry(bank_name);
  REMPART_RETURN_IF_ERROR(ReadEntry(statement, 0, entry));
  return std::optional<Entry>(std::move(entry));
}

Result<Bank> SqliteStore::CreateBank(std::string_view name,
                                     std::string_view description) {
  REMPART_RETURN_IF_ERROR(ValidateBankName(name));
  REMPART_RETURN_IF_ERROR(internal::ValidateText(
      "bank description", description, kMaxBankDescriptionBytes));
  std::lock_guard lock(mutex_);
  Bank bank{std::string(name), std::string(description), clock_()};
  sqlite3_stmt* statement = insert_bank_.get();
  ResetOnExit reset(statement);
  Binder bind(statement);
  bind.Text(1, name).Text(2, description).Int(3, bank.created_at_ms);
  if (bind.code() != SQLITE_OK) return Error(bind.code(), "bind");
  const int code = sqlite3_step(statement);
  if (code == SQLITE_CONSTRAINT_UNIQUE) {
    return AlreadyExistsError("a bank named '" + bank.name + "' exists");
  }
  if (code != SQLITE_DONE) return Error(code, "create bank");
  return bank;
}

Result<std::vector<Bank>> SqliteStore::ListBanks() {
  std::lock_guard lock(mutex_);
  sqlite3_stmt* statement = list_banks_.get();
  ResetOnExit reset(statement);
  std::vector<Bank> banks;
  int code = SQLITE_OK;
  while ((code = sqlite3_step(statement)) == SQLITE_ROW) {
    banks.push_back(Bank{std::string(ColumnText(statement, 0)),
                         std::string(ColumnText(statement, 1)),
                         sqlite3_column_int64(statement, 2)});
  }
  if (code != SQLITE_DONE) return Error(code, "list banks");
  return banks;
}

Result<Bank> SqliteStore::GetBank(std::string_view name) {
  std::lock_guard lock(mutex_);
  auto row = LoadBank(name);
  if (!row) return row.error();
  return std::move(row->bank);
}

Result<BankStats> SqliteStore::Stats(std::string_view bank) {
  std::lock_guard lock(mutex_);
  auto row = LoadBank(bank);
  if (!row) return row.error();
  return row->stats;
}

Result<AddOutcome> SqliteStore::AddEntries(std::string_view bank,
                                           std::span<const NewEntry> entries) {
  REMPART_RETURN_IF_ERROR(ValidateBankName(bank));
  for (std::size_t i = 0; i < entries.size(); ++i) {
    Status valid = ValidateNewEntry(entries[i]);
    if (!valid.ok()) return valid.WithContext("entry " + std::to_string(i));
  }
  std::lock_guard lock(mutex_);
  Transaction transaction(*this);
  REMPART_RETURN_IF_ERROR(transaction.Begin());
  auto row = LoadBank(bank);
  if (!row) return row.error();
  AddOutcome outcome;
  if (entries.empty()) return outcome;
  auto revision = NextRevision();
  if (!revision) return revision.error();
  const std::int64_t now = clock_();

  sqlite3_stmt* statement = insert_entry_.get();
  ResetOnExit reset(statement);
  CountDelta delta;
  for (const NewEntry& entry : entries) {
    const EntryInput& input = entry.input;
    sqlite3_reset(statement);
    Binder bind(statement);
    bind.Int(1, row->id)
        .Int(2, KindCode(input.signal.kind()))
        .Blob(3, input.signal.bytes());
    if (input.quality.has_value()) {
      bind.Int(4, *input.quality);
    } else {
      bind.Null(4);
    }
    if (input.pdq_mode.has_value()) {
      bind.Text(5, hash::PdqModeName(*input.pdq_mode));
    } else {
      bind.Null(5);
    }
    bind.Text(6, CategoryName(input.category))
        .Text(7, input.source_org)
        .Text(8, input.external_id)
        .Text(9, EntryStatusName(entry.status));
    if (entry.status == EntryStatus::kRevoked) {
      bind.Text(10, entry.revoke_reason);
    } else {
      bind.Null(10);
    }
    bind.Int(11, now).Int(12, *revision);
    if (bind.code() != SQLITE_OK) return Error(bind.code(), "bind");
    const int code = sqlite3_step(statement);
    if (code != SQLITE_DONE) return Error(code, "add entry");
    if (sqlite3_changes(db_.get()) == 0) {
      ++outcome.unchanged;
      continue;
    }
    ++outcome.added;
    outcome.added_ids.push_back(sqlite3_last_insert_rowid(db_.get()));
    if (entry.status == EntryStatus::kRevoked) {
      ++delta.revoked;
    } else {
      ++delta.active.at(KindCode(input.signal.kind()));
    }
  }
  if (outcome.added == 0) {
    // Nothing changed: the transaction rolls back and the revision taken
    // above is given back.
    return outcome;
  }
  REMPART_RETURN_IF_ERROR(ApplyDelta(row->id, delta, *revision));
  REMPART_RETURN_IF_ERROR(transaction.Commit());
  outcome.revision = *revision;
  return outcome;
}

Result<Entry> SqliteStore::Revoke(std::string_view bank, const Signal& signal,
                                  std::string_view reason) {
  REMPART_RETURN_IF_ERROR(ValidateBankName(bank));
  if (reason.empty()) {
    return InvalidArgumentError("a revocation needs a reason");
  }
  REMPART_RETURN_IF_ERROR(
      internal::ValidateText("revoke reason", reason, kMaxEntryTextBytes));
  std::lock_guard lock(mutex_);
  Transaction transaction(*this);
  REMPART_RETURN_IF_ERROR(transaction.Begin());
  auto row = LoadBank(bank);
  if (!row) return row.error();
  auto found = LoadEntry(row->id, row->bank.name, signal);
  if (!found) return found.error();
  if (!found->has_value()) {
    return NotFoundError("bank '" + row->bank.name + "' has no " +
                         std::string(SignalKindName(signal.kind())) +
                         " entry " + signal.hex());
  }
  Entry entry = std::move(**found);
  if (entry.status == EntryStatus::kRevoked) return entry;

  auto revision = NextRevision();
  if (!revision) return revision.error();
  const std::int64_t now = clock_();
  {
    sqlite3_stmt* statement = revoke_entry_.get();
    Binder bind(statement);
    bind.Int(1, entry.id).Text(2, reason).Int(3, now).Int(4, *revision);
    if (bind.code() != SQLITE_OK) {
      ResetOnExit reset(statement);
      return Error(bind.code(), "bind");
    }
    REMPART_RETURN_IF_ERROR(StepDone(statement, "revoke entry"));
  }
  CountDelta delta;
  delta.active.at(KindCode(signal.kind())) = -1;
  delta.revoked = 1;
  REMPART_RETURN_IF_ERROR(ApplyDelta(row->id, delta, *revision));
  REMPART_RETURN_IF_ERROR(transaction.Commit());
  entry.status = EntryStatus::kRevoked;
  entry.revoke_reason = reason;
  entry.updated_at_ms = now;
  return entry;
}

Result<std::vector<Entry>> SqliteStore::FindEntries(std::string_view bank,
                                                    const Signal& signal) {
  std::lock_guard lock(mutex_);
  auto row = LoadBank(bank);
  if (!row) return row.error();
  auto found = LoadEntry(row->id, row->bank.name, signal);
  if (!found) return found.error();
  std::vector<Entry> entries;
  if (found->has_value()) entries.push_back(std::move(**found));
  return entries;
}

Result<Entry> SqliteStore::GetEntry(std::int64_t id) {
  std::lock_guard lock(mutex_);
  sqlite3_stmt* statement = get_entry_.get();
  ResetOnExit reset(statement);
  Binder bind(statement);
  bind.Int(1, id);
  if (bind.code() != SQLITE_OK) return Error(bind.code(), "bind");
  const int code = sqlite3_step(statement);
  if (code == SQLITE_DONE) {
    return NotFoundError("no entry with id " + std::to_string(id));
  }
  if (code != SQLITE_ROW) return Error(code, "read entry");
  Entry entry = BlankEntry(ColumnText(statement, 0));
  REMPART_RETURN_IF_ERROR(ReadEntry(statement, 1, entry));
  return entry;
}

Status SqliteStore::ForEachEntry(std::string_view bank,
                                 const EntryFilter& filter,
                                 const EntryCallback& callback) {
  std::lock_guard lock(mutex_);
  auto row = LoadBank(bank);
  if (!row) return row.error();
  sqlite3_stmt* statement = scan_entries_.get();
  ResetOnExit reset(statement);
  Binder bind(statement);
  bind.Int(1, row->id).Int(2, filter.after_id);
  if (filter.status.has_value()) {
    bind.Text(3, EntryStatusName(*filter.status));
  } else {
    bind.Null(3);
  }
  if (filter.kind.has_value()) {
    bind.Int(4, KindCode(*filter.kind));
  } else {
    bind.Null(4);
  }
  if (bind.code() != SQLITE_OK) return Error(bind.code(), "bind");
  Entry entry = BlankEntry(row->bank.name);
  int code = SQLITE_OK;
  while ((code = sqlite3_step(statement)) == SQLITE_ROW) {
    REMPART_RETURN_IF_ERROR(ReadEntry(statement, 0, entry));
    if (!callback(entry)) return OkStatus();
  }
  if (code != SQLITE_DONE) return Error(code, "read entries");
  return OkStatus();
}

Result<std::int64_t> SqliteStore::CurrentRevision() {
  std::lock_guard lock(mutex_);
  sqlite3_stmt* statement = current_revision_.get();
  ResetOnExit reset(statement);
  const int code = sqlite3_step(statement);
  if (code != SQLITE_ROW) return Error(code, "read revision");
  return sqlite3_column_int64(statement, 0);
}

Status SqliteStore::ForEachChangeSince(std::string_view bank,
                                       std::int64_t revision,
                                       const ChangeCallback& callback) {
  std::lock_guard lock(mutex_);
  auto row = LoadBank(bank);
  if (!row) return row.error();
  sqlite3_stmt* statement = scan_changes_.get();
  ResetOnExit reset(statement);
  Binder bind(statement);
  bind.Int(1, row->id).Int(2, revision);
  if (bind.code() != SQLITE_OK) return Error(bind.code(), "bind");
  Entry entry = BlankEntry(row->bank.name);
  int code = SQLITE_OK;
  while ((code = sqlite3_step(statement)) == SQLITE_ROW) {
    REMPART_RETURN_IF_ERROR(ReadEntry(statement, 1, entry));
    if (!callback(sqlite3_column_int64(statement, 0), entry)) {
      return OkStatus();
    }
  }
  if (code != SQLITE_DONE) return Error(code, "read changes");
  return OkStatus();
}

Status SqliteStore::CheckIntegrity() {
  // Each query returns one text row per problem found.
  constexpr std::array<const char*, 5> kChecks = {
      "PRAGMA integrity_check(20)",
      "SELECT 'entries row ' || rowid || ' refers to missing ' || parent "
      "FROM pragma_foreign_key_check",
      "SELECT 'store_state has ' || count(*) || ' rows' FROM store_state "
      "HAVING count(*) <> 1",
      "SELECT 'entry ' || id || ' has revision ' || revision || "
      "' past the store revision' FROM entries "
      "WHERE revision > (SELECT revision FROM store_state WHERE id = 1) "
      "LIMIT 20",
      "SELECT 'bank ' || b.name || ' counts differ from its entries' "
      "FROM banks AS b LEFT JOIN ("
      "  SELECT bank_id,"
      "    sum(status = 'active' AND kind = 0) AS active_pdq,"
      "    sum(status = 'active' AND kind = 1) AS active_md5,"
      "    sum(status = 'active' AND kind = 2) AS active_sha256,"
      "    sum(status = 'revoked') AS revoked,"
      "    max(revision) AS revision"
      "  FROM entries GROUP BY bank_id) AS c ON c.bank_id = b.id "
      "WHERE b.active_pdq <> ifnull(c.active_pdq, 0)"
      "   OR b.active_md5 <> ifnull(c.active_md5, 0)"
      "   OR b.active_sha256 <> ifnull(c.active_sha256, 0)"
      "   OR b.revoked <> ifnull(c.revoked, 0)"
      "   OR b.revision <> ifnull(c.revision, 0)",
  };
  std::lock_guard lock(mutex_);
  std::string problems;
  for (const char* sql : kChecks) {
    StatementPtr statement;
    REMPART_RETURN_IF_ERROR(PrepareOne(sql, statement));
    int code = SQLITE_OK;
    while ((code = sqlite3_step(statement.get())) == SQLITE_ROW) {
      const std::string_view problem = ColumnText(statement.get(), 0);
      if (problem == "ok") continue;
      if (!problems.empty()) problems += "; ";
      problems += problem;
    }
    if (code != SQLITE_DONE) return Error(code, "integrity check");
  }
  if (!problems.empty()) {
    return InternalError("store integrity check failed: " + problems);
  }
  return OkStatus();
}

// Runs one statement without parameters, returning its first column of the
// first row as text (empty when it returns no row).
Result<std::string> QueryText(sqlite3* db, const char* sql) {
  sqlite3_stmt* raw = nullptr;
  int code = sqlite3_prepare_v2(db, sql, -1, &raw, nullptr);
  StatementPtr statement(raw);
  if (code != SQLITE_OK) return SqliteError(db, code, sql);
  std::string text;
  while ((code = sqlite3_step(raw)) == SQLITE_ROW) {
    if (text.empty()) text = ColumnText(raw, 0);
  }
  if (code != SQLITE_DONE) return SqliteError(db, code, sql);
  return text;
}

Status Execute(sqlite3* db, const char* sql) {
  return QueryText(db, sql).status();
}

Result<int> SchemaVersion(sqlite3* db) {
  auto version = QueryText(db, "PRAGMA user_version");
  if (!version) return version.error();
  return std::stoi(*version);
}

// Creates the schema in an empty file, checks the version of another.
Status PrepareSchema(sqlite3* db) {
  auto version = SchemaVersion(db);
  if (!version) return version.error();
  if (*version > kSqliteSchemaVersion) {
    return UnimplementedError(
        "store schema version " + std::to_string(*version) +
        " is newer than this build supports (version " +
        std::to_string(kSqliteSchemaVersion) + "); upgrade Rempart");
  }
  if (*version == kSqliteSchemaVersion) return OkStatus();
  if (*version != 0) {
    return InvalidArgumentError("not a Rempart store (schema version " +
                                std::to_string(*version) + ")");
  }
  REMPART_RETURN_IF_ERROR(Execute(db, "BEGIN IMMEDIATE"));
  // Another process may have created the schema meanwhile: look again
  // under the write lock.
  Status status = [&]() -> Status {
    auto locked_version = SchemaVersion(db);
    if (!locked_version) return locked_version.error();
    if (*locked_version == kSqliteSchemaVersion) return OkStatus();
    auto tables = QueryText(db, "SELECT count(*) FROM sqlite_schema");
    if (!tables) return tables.error();
    if (*locked_version != 0 || *tables != "0") {
      return InvalidArgumentError(
          "not a Rempart store (an SQLite database with other tables)");
    }
    for (const char* sql : kSchemaV1) {
      REMPART_RETURN_IF_ERROR(Execute(db, sql));
    }
    // PRAGMA takes no parameters; the version is a constant of this build.
    const std::string set_version =
        "PRAGMA user_version = " + std::to_string(kSqliteSchemaVersion);
    return Execute(db, set_version.c_str());
  }();
  if (!status.ok()) {
    (void)Execute(db, "ROLLBACK");
    return status;
  }
  return Execute(db, "COMMIT");
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(
    const std::filesystem::path& path, SqliteOptions options) {
  const bool in_memory = path.native() == kMemoryPath;
  if (!in_memory && path.has_parent_path()) {
    std::error_code error;
    std::filesystem::create_directories(path.parent_path(), error);
    if (error) {
      return UnavailableError("cannot create " + path.parent_path().string() +
                              ": " + error.message());
    }
  }
  sqlite3* raw = nullptr;
  const int open_code = sqlite3_open_v2(
      path.c_str(), &raw,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
      nullptr);
  DatabasePtr db(raw);
  const std::string where = "store " + path.string();
  if (open_code != SQLITE_OK) {
    return SqliteError(db.get(), open_code, "open " + where);
  }
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(db.get(),
                       static_cast<int>(options.busy_timeout.count()));

  // The first read tells a database from another file.
  auto version = SchemaVersion(db.get());
  if (!version) {
    if (version.error().code() == StatusCode::kInvalidArgument) {
      return InvalidArgumentError(where + " is not a Rempart store (" +
                                  version.error().message() + ")");
    }
    return version.error().WithContext(where);
  }
  auto journal = QueryText(db.get(), "PRAGMA journal_mode = WAL");
  if (!journal) return journal.error().WithContext(where);
  if (*journal != "wal" && !(in_memory && *journal == "memory")) {
    return UnavailableError(where + ": cannot use WAL journaling (got '" +
                            *journal + "')");
  }
  const std::string cache_size =
      "PRAGMA cache_size = " + std::to_string(-(options.cache_bytes / 1024));
  for (const char* pragma : {"PRAGMA synchronous = FULL",
                             "PRAGMA foreign_keys = ON", cache_size.c_str()}) {
    REMPART_RETURN_IF_ERROR(Execute(db.get(), pragma).WithContext(where));
  }
  Status schema = PrepareSchema(db.get());
  if (!schema.ok()) return schema.WithContext(where);

  if (!options.clock) options.clock = SystemClockMs;
  auto store =
      std::make_unique<SqliteStore>(std::move(db), std::move(options.clock));
  REMPART_RETURN_IF_ERROR(store->Prepare().WithContext(where));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace rempart::store
