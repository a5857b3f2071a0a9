// The SQLite Store, and the opening of a file: schema migrations and the
// connection its four interfaces share (sqlite_connection.h).
//
// One connection, guarded by one mutex, serves every call of the Store,
// AuditLog, KeyStore and CaseStore of a file. Writes run in BEGIN IMMEDIATE
// transactions, so a writer takes the file's write lock before reading
// anything it will act on and two processes never deadlock upgrading read
// locks; the busy timeout makes the second one wait. With journal_mode=WAL
// and synchronous=FULL, COMMIT returns after the log is fsync'ed: that is
// the moment a call is acknowledged. Readers in other processes keep
// reading the last committed state meanwhile. Every write appends its audit
// record (sqlite_audit.cc) before it commits.
//
// Schema, built by migrations (kMigrations): migration N takes a file from
// version N-1 to N, PRAGMA user_version records where a file stands, and
// opening a file runs the missing ones in one transaction.
// Version 1:
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
// Version 2:
//   audit_log    one row per record, seq the rowid; triggers refuse UPDATE
//                and DELETE, so only someone bypassing Rempart can change a
//                row (and then the hash chain shows it).
//   api_keys     one row per key: salt and secret hash, never the secret.
//   cases        one row per case with its current status; case_signals
//                its signals (UNIQUE per case), case_events its history.
// Version 3 (the triage workflow, kSchemaV3):
//   cases and case_events gain columns (language, reason codes, messages,
//                notes, publication); case_replies, case_entries and
//                case_outcomes record replies, published entries and what
//                platforms did with them.
// Version 4 (videos, kSchemaV4):
//   entries and case_signals take kind 3 (vpdq), whose value is the
//                video's name; banks count active videos (active_vpdq).
//   entry_frames one row per video entry: its frames as one blob
//                (internal::EncodeVpdqFrames()); case_signals gains the
//                same blob, in a frames column set exactly on vpdq rows.
// Version 5 (patch signatures, kSchemaV5):
//   entries gains has_patches (1 on a PDQ entry holding a signature), and
//                case_signals a patches column (a reported PDQ hash's
//                signature, published with it);
//   entry_patches one row per such entry: its signature in the shared form
//                (hash::EncodePatches()); entries_with_patches, a partial
//                index of the flagged rows, finds a bank's signatures
//                without scanning its plain hashes.
// Version 6 (centred crops, kSchemaV6):
//   entry_patches and case_signals.patches also hold version 2 signatures
//                (patches and centred crops; crops alone for a picture too
//                flat for patches).
// Kinds are stored as small integers (0 pdq, 1 md5, 2 sha256, 3 vpdq:
// KindCode()),
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

#include <algorithm>
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

#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_entries.h"
#include "store/store_internal.h"

namespace rempart::store {
namespace {

using sqlite::BankRow;
using sqlite::Binder;
using sqlite::ColumnBlob;
using sqlite::ColumnText;
using sqlite::Connection;
using sqlite::CountDelta;
using sqlite::DatabasePtr;
using sqlite::EntryWriter;
using sqlite::KindCode;
using sqlite::ResetOnExit;
using sqlite::SqliteError;
using sqlite::StatementPtr;

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

// Four Crockford base32 digits, as GLOB sees them (ValidateCaseCode()).
#define REMPART_CODE_DIGIT "[0-9A-HJKMNP-TV-Z]"
#define REMPART_CODE_GROUP \
  REMPART_CODE_DIGIT REMPART_CODE_DIGIT REMPART_CODE_DIGIT REMPART_CODE_DIGIT

// Version 2: the audit log, API keys and cases. Names of enums are listed
// in CHECKs as in version 1; a later version that adds a name must rebuild
// the table (SQLite cannot alter a CHECK).
constexpr std::array<const char*, 9> kSchemaV2 = {
    R"sql(CREATE TABLE audit_log(
  seq INTEGER PRIMARY KEY CHECK (seq > 0),
  at INTEGER NOT NULL,
  actor TEXT NOT NULL CHECK (actor <> ''),
  action TEXT NOT NULL CHECK (action <> ''),
  target TEXT NOT NULL CHECK (target <> ''),
  details TEXT NOT NULL CHECK (CASE WHEN json_valid(details)
                                THEN json_type(details) = 'object'
                                ELSE 0 END),
  prev_hash BLOB NOT NULL CHECK (length(prev_hash) = 32),
  hash BLOB NOT NULL CHECK (length(hash) = 32)))sql",
    // Append-only for anything that goes through SQLite honestly. Whoever
    // drops these can edit rows, and the hash chain is what shows it.
    R"sql(CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END)sql",
    R"sql(CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END)sql",
    R"sql(CREATE TABLE api_keys(
  key_id TEXT PRIMARY KEY
      CHECK (length(key_id) BETWEEN 1 AND 32 AND
             key_id NOT GLOB '*[^a-z0-9]*'),
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'platform')),
  rate_per_second INTEGER NOT NULL CHECK (rate_per_second >= 0),
  salt BLOB NOT NULL CHECK (length(salt) = 16),
  secret_hash BLOB NOT NULL CHECK (length(secret_hash) = 32),
  created_at INTEGER NOT NULL,
  revoked_at INTEGER))sql",
    R"sql(CREATE TABLE cases(
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE
      CHECK (code GLOB 'RMP-)sql" REMPART_CODE_GROUP "-" REMPART_CODE_GROUP
    R"sql('),
  category TEXT NOT NULL CHECK (category IN
      ('intimate_image', 'sextortion', 'synthetic', 'child_abuse')),
  channel TEXT NOT NULL CHECK (channel IN ('victim', 'analyst')),
  status TEXT NOT NULL CHECK (status IN
      ('received', 'in_review', 'needs_info', 'verified', 'rejected')),
  reason TEXT NOT NULL
      CHECK (reason <> '' OR status NOT IN ('needs_info', 'rejected')),
  secret_salt BLOB NOT NULL CHECK (length(secret_salt) = 16),
  secret_hash BLOB NOT NULL CHECK (length(secret_hash) = 32),
  sealed_contact BLOB NOT NULL CHECK (length(sealed_contact) <= 4096),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL))sql",
    R"sql(CREATE TABLE case_signals(
  case_id INTEGER NOT NULL REFERENCES cases(id),
  position INTEGER NOT NULL CHECK (position >= 0),
  kind INTEGER NOT NULL CHECK (kind IN (0, 1, 2)),
  value BLOB NOT NULL
      CHECK (length(value) = CASE kind WHEN 1 THEN 16 ELSE 32 END),
  PRIMARY KEY (case_id, position),
  UNIQUE (case_id, kind, value)))sql",
    R"sql(CREATE TABLE case_events(
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  at INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN
      ('received', 'in_review', 'needs_info', 'verified', 'rejected')),
  reason TEXT NOT NULL
      CHECK (reason <> '' OR status NOT IN ('needs_info', 'rejected')),
  actor TEXT NOT NULL CHECK (actor <> '')))sql",
    R"sql(CREATE INDEX case_events_by_case ON case_events(case_id, id))sql",
    R"sql(CREATE INDEX cases_by_status ON cases(status, id))sql",
};

// Version 3: the triage workflow. Cases gain the reporter's language, the
// latest step's reason code and message to the reporter, and where they
// were published; steps gain their action, reason code and staff note.
// New tables: the reporter's sealed replies, the entries a verified case
// published (case_entries, looked up by entry when a platform matches),
// and what platforms did with them (case_outcomes: one match per case,
// platform and entry, as the partial unique index says). Columns are
// added with defaults that describe the rows already there; the first
// step of each case was its report.
constexpr std::array<const char*, 16> kSchemaV3 = {
    R"sql(ALTER TABLE cases ADD COLUMN language TEXT NOT NULL DEFAULT 'en'
    CHECK (length(language) BETWEEN 1 AND 32))sql",
    R"sql(ALTER TABLE cases ADD COLUMN reason_code TEXT NOT NULL DEFAULT '')sql",
    R"sql(ALTER TABLE cases ADD COLUMN message TEXT NOT NULL DEFAULT '')sql",
    R"sql(ALTER TABLE cases ADD COLUMN published_bank TEXT)sql",
    R"sql(ALTER TABLE cases ADD COLUMN published_at INTEGER)sql",
    R"sql(ALTER TABLE case_events ADD COLUMN action TEXT NOT NULL
    DEFAULT 'status' CHECK (action <> ''))sql",
    R"sql(ALTER TABLE case_events ADD COLUMN reason_code TEXT NOT NULL
    DEFAULT '')sql",
    R"sql(ALTER TABLE case_events ADD COLUMN note TEXT NOT NULL DEFAULT '')sql",
    R"sql(UPDATE case_events SET action = 'report' WHERE id IN
    (SELECT min(id) FROM case_events GROUP BY case_id))sql",
    R"sql(CREATE INDEX case_signals_by_value ON case_signals(kind, value))sql",
    R"sql(CREATE TABLE case_replies(
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  at INTEGER NOT NULL,
  sealed_message BLOB NOT NULL
      CHECK (length(sealed_message) BETWEEN 1 AND 8192)))sql",
    R"sql(CREATE INDEX case_replies_by_case ON case_replies(case_id, id))sql",
    R"sql(CREATE TABLE case_entries(
  case_id INTEGER NOT NULL REFERENCES cases(id),
  entry_id INTEGER NOT NULL REFERENCES entries(id),
  position INTEGER NOT NULL CHECK (position >= 0),
  PRIMARY KEY (case_id, entry_id)))sql",
    R"sql(CREATE INDEX case_entries_by_entry ON case_entries(entry_id))sql",
    R"sql(CREATE TABLE case_outcomes(
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  kind TEXT NOT NULL CHECK (kind IN ('match', 'removal')),
  platform TEXT NOT NULL CHECK (platform <> ''),
  entry_id INTEGER NOT NULL REFERENCES entries(id),
  at INTEGER NOT NULL))sql",
    R"sql(CREATE UNIQUE INDEX case_outcomes_one_match
    ON case_outcomes(case_id, platform, entry_id) WHERE kind = 'match')sql",
};

// Version 4: videos. SQLite cannot alter a CHECK, so entries and
// case_signals, whose kind CHECKs list 0…2, are rebuilt with 3 (vpdq)
// allowed: a new table, a copy of every row with its id, the old table
// dropped and the new one renamed into its place (the procedure of
// sqlite.org/lang_altertable.html §7, run with foreign keys off by
// PrepareSchema(), so that case_entries and case_outcomes, which refer to
// entries by name, refer to the new table). The copy costs one pass over
// the entries, once.
//
// A video's frames are stored as one blob (internal::EncodeVpdqFrames(),
// 49 bytes a frame), not as a row per frame: a video is always written and
// read whole, so a 50,000-frame video is one insert and one read instead of
// 50,000, and the blob is no larger than the rows would be. An entry's blob
// sits in entry_frames, keyed by the entry's rowid, rather than in entries
// itself, so that a bank of millions of photo hashes keeps small rows that
// a scan reads densely. A case's videos are few (kMaxCaseVideos), so their
// blobs sit in case_signals beside their names. The CHECKs bound the blob
// to whole frames; that each blob is named by its row's value (SHA-256 of
// the frames' text) is for CheckIntegrity() to recompute.
#define REMPART_FRAMES_LENGTH_OK(column)                            \
  "length(" column ") BETWEEN 49 AND 49 * 50000 AND length(" column \
  ") % 49 "                                                         \
  "= 0"
constexpr std::array<const char*, 12> kSchemaV4 = {
    R"sql(ALTER TABLE banks ADD COLUMN active_vpdq INTEGER NOT NULL DEFAULT 0
    CHECK (active_vpdq >= 0))sql",
    R"sql(CREATE TABLE entries_v4(
  id INTEGER PRIMARY KEY,
  bank_id INTEGER NOT NULL REFERENCES banks(id),
  kind INTEGER NOT NULL CHECK (kind IN (0, 1, 2, 3)),
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
    R"sql(INSERT INTO entries_v4(id, bank_id, kind, value, quality, pdq_mode,
    category, source_org, external_id, status, revoke_reason, created_at,
    updated_at, revision)
  SELECT id, bank_id, kind, value, quality, pdq_mode, category, source_org,
    external_id, status, revoke_reason, created_at, updated_at, revision
  FROM entries ORDER BY id)sql",
    R"sql(DROP TABLE entries)sql",
    R"sql(ALTER TABLE entries_v4 RENAME TO entries)sql",
    R"sql(CREATE INDEX entries_by_revision ON entries(bank_id, revision))sql",
    "CREATE TABLE entry_frames(\n"
    "  entry_id INTEGER PRIMARY KEY REFERENCES entries(id),\n"
    "  frames BLOB NOT NULL CHECK (" REMPART_FRAMES_LENGTH_OK("frames") "))",
    "CREATE TABLE case_signals_v4(\n"
    "  case_id INTEGER NOT NULL REFERENCES cases(id),\n"
    "  position INTEGER NOT NULL CHECK (position >= 0),\n"
    "  kind INTEGER NOT NULL CHECK (kind IN (0, 1, 2, 3)),\n"
    "  value BLOB NOT NULL\n"
    "      CHECK (length(value) = CASE kind WHEN 1 THEN 16 ELSE 32 END),\n"
    "  frames BLOB CHECK (CASE WHEN kind = 3 THEN frames IS NOT NULL AND "
    REMPART_FRAMES_LENGTH_OK("frames") " ELSE frames IS NULL END),\n"
    "  PRIMARY KEY (case_id, position),\n"
    "  UNIQUE (case_id, kind, value))",
    R"sql(INSERT INTO case_signals_v4(case_id, position, kind, value)
  SELECT case_id, position, kind, value FROM case_signals
  ORDER BY case_id, position)sql",
    R"sql(DROP TABLE case_signals)sql",
    R"sql(ALTER TABLE case_signals_v4 RENAME TO case_signals)sql",
    R"sql(CREATE INDEX case_signals_by_value ON case_signals(kind, value))sql",
};
#undef REMPART_FRAMES_LENGTH_OK

// Version 5: patch signatures. Adding a column with a constant default
// rewrites nothing, so the migration costs no pass over the entries. Like a
// video's frames, a signature (2,503 bytes for 64 patches) sits
// in a table of its own, keyed by the entry's rowid, so that the rows of a
// bank of plain hashes stay small; the flag on the entry says whether to
// look there, so reading a plain hash never does. The CHECKs bound the blob
// to a header and whole records (hash/patches.h); that it decodes is for
// CheckIntegrity().
constexpr std::array<const char*, 4> kSchemaV5 = {
    R"sql(ALTER TABLE entries ADD COLUMN has_patches INTEGER NOT NULL DEFAULT 0
    CHECK (has_patches = 0 OR (has_patches = 1 AND kind = 0)))sql",
    R"sql(CREATE TABLE entry_patches(
  entry_id INTEGER PRIMARY KEY REFERENCES entries(id),
  patches BLOB NOT NULL CHECK (length(patches) BETWEEN 7 + 39 AND 7 + 39 * 256
                               AND (length(patches) - 7) % 39 = 0)))sql",
    R"sql(CREATE INDEX entries_with_patches ON entries(bank_id, id)
    WHERE has_patches = 1)sql",
    R"sql(ALTER TABLE case_signals ADD COLUMN patches BLOB
    CHECK (patches IS NULL OR (kind = 0 AND
           length(patches) BETWEEN 7 + 39 AND 7 + 39 * 256 AND
           (length(patches) - 7) % 39 = 0)))sql",
};

// Version 6: signatures with centred crops (hash/patches.h's version 2,
// which may hold crops and no patch). SQLite cannot change a CHECK in
// place, so entry_patches is copied into a table with the wider one and
// replaces it, and case_signals' column is copied through a new one. Every
// signature a version 5 file holds passes the new CHECKs, which still bound
// a version 1 blob to a header and whole records.
#define REMPART_SIGNATURE_CHECK(column)                                      \
  "(substr(" column ", 1, 1) = x'01' AND length(" column                     \
  ") BETWEEN 7 + 39 AND 7 + 39 * 256 AND (length(" column                    \
  ") - 7) % 39 = 0) OR (substr(" column ", 1, 1) = x'02' AND length(" column \
  ") BETWEEN 8 + 35 AND 8 + 39 * 256 + 35 * 16)"
constexpr std::array<const char*, 8> kSchemaV6 = {
    "CREATE TABLE entry_signatures(\n"
    "  entry_id INTEGER PRIMARY KEY REFERENCES entries(id),\n"
    "  patches BLOB NOT NULL CHECK (" REMPART_SIGNATURE_CHECK("patches") "))",
    "INSERT INTO entry_signatures(entry_id, patches)\n"
    "    SELECT entry_id, patches FROM entry_patches",
    "DROP TABLE entry_patches",
    "ALTER TABLE entry_signatures RENAME TO entry_patches",
    "ALTER TABLE case_signals ADD COLUMN signature BLOB\n"
    "    CHECK (signature IS NULL OR (kind = 0 AND (" REMPART_SIGNATURE_CHECK(
        "signature") ")))",
    "UPDATE case_signals SET signature = patches WHERE patches IS NOT NULL",
    "ALTER TABLE case_signals DROP COLUMN patches",
    "ALTER TABLE case_signals RENAME COLUMN signature TO patches",
};
#undef REMPART_SIGNATURE_CHECK

// kMigrations[N - 1] takes a file from version N - 1 to version N. A
// migration only adds to what the ones before it made, or widens what they
// allowed (version 6), and a published one never changes: files in the
// field were made by it.
constexpr std::array<std::span<const char* const>, 6> kMigrations = {
    kSchemaV1, kSchemaV2, kSchemaV3, kSchemaV4, kSchemaV5, kSchemaV6};
static_assert(kMigrations.size() == kSqliteSchemaVersion,
              "one migration per schema version");

// The columns ReadEntry() reads, in its order, from `entries AS e`. A
// video's frames are looked up (by rowid) only for vpdq rows, and a patch
// signature only for flagged rows, so a scan of plain photo hashes touches
// neither entry_frames nor entry_patches.
#define REMPART_ENTRY_COLUMNS                                              \
  "e.id, e.kind, e.value, e.quality, e.pdq_mode, e.category, "             \
  "e.source_org, e.external_id, e.status, e.revoke_reason, e.created_at, " \
  "e.updated_at, CASE WHEN e.kind = 3 THEN (SELECT f.frames FROM "         \
  "entry_frames AS f WHERE f.entry_id = e.id) END, e.has_patches, "        \
  "CASE WHEN e.has_patches = 1 THEN (SELECT p.patches FROM "               \
  "entry_patches AS p WHERE p.entry_id = e.id) END"

std::int64_t SystemClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
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
  EntryInput& input = entry.input;
  auto signal =
      sqlite::SignalFromColumns(sqlite3_column_int(statement, first + 1),
                                sqlite::ColumnBlob(statement, first + 2));
  if (!signal) return bad_row("an unreadable signal");
  input.signal = *signal;
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
  if (input.signal.kind() == SignalKind::kVpdq) {
    if (sqlite3_column_type(statement, first + 12) == SQLITE_NULL) {
      return bad_row("no frames");
    }
    auto frames = internal::DecodeVpdqFrames(ColumnBlob(statement, first + 12));
    if (!frames) {
      return bad_row("unreadable frames (" + frames.error().message() + ")");
    }
    input.frames = std::move(*frames);
  } else {
    input.frames.clear();
  }
  if (sqlite3_column_int(statement, first + 13) == 1) {
    if (sqlite3_column_type(statement, first + 14) == SQLITE_NULL) {
      return bad_row("no patch signature");
    }
    auto patches = hash::DecodePatches(ColumnBlob(statement, first + 14));
    if (!patches) {
      return bad_row("an unreadable patch signature (" +
                     patches.error().message() + ")");
    }
    input.patches = std::move(*patches);
  } else {
    input.patches.reset();
  }
  return OkStatus();
}

class SqliteStore final : public Store {
 public:
  SqliteStore(std::shared_ptr<Connection> connection,
              std::shared_ptr<EntryWriter> writer)
      : connection_(std::move(connection)), writer_(std::move(writer)) {}

  // Prepares every statement the store uses.
  Status Prepare();

  using Store::AddEntries;
  using Store::CreateBank;
  using Store::Revoke;
  Result<Bank> CreateBank(std::string_view name, std::string_view description,
                          const Actor& actor) override;
  Result<std::vector<Bank>> ListBanks() override;
  Result<Bank> GetBank(std::string_view name) override;
  Result<BankStats> Stats(std::string_view bank) override;
  Result<AddOutcome> AddEntries(std::string_view bank,
                                std::span<const NewEntry> entries,
                                const Actor& actor) override;
  Result<Entry> Revoke(std::string_view bank, const Signal& signal,
                       std::string_view reason, const Actor& actor) override;
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
  [[nodiscard]] Status Error(int code, std::string_view what) const {
    return connection_->Error(code, what);
  }
  // The bank called `name`, with its counters.
  Result<BankRow> LoadBank(std::string_view name) {
    return writer_->LoadBank(name);
  }
  // The store's revision. Inside a write transaction, the next one is this
  // plus one until SetRevision() takes it.
  Result<std::int64_t> ReadRevision() { return writer_->ReadRevision(); }
  Status SetRevision(std::int64_t revision) {
    return writer_->SetRevision(revision);
  }
  Status ApplyDelta(std::int64_t bank_id, const CountDelta& delta,
                    std::int64_t revision) {
    return writer_->ApplyDelta(bank_id, delta, revision);
  }
  // The entry of bank `bank_id` holding `signal`, if any.
  Result<std::optional<Entry>> LoadEntry(std::int64_t bank_id,
                                         std::string_view bank_name,
                                         const Signal& signal);

  // First, so that it outlives the statements below.
  std::shared_ptr<Connection> connection_;
  // Adds entries and keeps the bank counters and the revision (shared with
  // the CaseStore, which publishes cases' signals).
  std::shared_ptr<EntryWriter> writer_;

  StatementPtr insert_bank_;
  StatementPtr list_banks_;
  StatementPtr find_entry_;
  StatementPtr get_entry_;
  StatementPtr revoke_entry_;
  StatementPtr scan_entries_;
  StatementPtr scan_patches_;
  StatementPtr scan_changes_;
};

Status SqliteStore::Prepare() {
  const std::array<std::pair<const char*, StatementPtr*>, 8> statements = {{
      {"INSERT INTO banks(name, description, created_at) VALUES (?1, ?2, ?3)",
       &insert_bank_},
      {"SELECT name, description, created_at FROM banks ORDER BY name",
       &list_banks_},
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
      // The same through entries_with_patches, whose WHERE this restates.
      {"SELECT " REMPART_ENTRY_COLUMNS
       " FROM entries AS e WHERE e.bank_id = ?1 AND e.has_patches = 1 "
       "AND e.id > ?2 AND (?3 IS NULL OR e.status = ?3) "
       "AND (?4 IS NULL OR e.kind = ?4) ORDER BY e.id",
       &scan_patches_},
      {"SELECT e.revision, " REMPART_ENTRY_COLUMNS
       " FROM entries AS e WHERE e.bank_id = ?1 AND e.revision > ?2 "
       "ORDER BY e.revision, e.id",
       &scan_changes_},
  }};
  for (const auto& [sql, statement] : statements) {
    REMPART_RETURN_IF_ERROR(connection_->PrepareStatement(sql, *statement));
  }
  return OkStatus();
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
                                     std::string_view description,
                                     const Actor& actor) {
  REMPART_RETURN_IF_ERROR(ValidateBankName(name));
  REMPART_RETURN_IF_ERROR(internal::ValidateText(
      "bank description", description, kMaxBankDescriptionBytes));
  REMPART_RETURN_IF_ERROR(ValidateActor(actor));
  std::lock_guard lock(connection_->mutex());
  Connection::WriteTransaction transaction(*connection_);
  REMPART_RETURN_IF_ERROR(transaction.Begin());
  Bank bank{std::string(name), std::string(description), connection_->Now()};
  {
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
  }
  const AuditEvent event{
      "bank.create", bank.name,
      "{\"description\":" + internal::JsonQuote(description) + "}"};
  auto record = connection_->AppendAudit(actor, event, bank.created_at_ms);
  if (!record) return record.error();
  REMPART_RETURN_IF_ERROR(transaction.Commit());
  return bank;
}

Result<std::vector<Bank>> SqliteStore::ListBanks() {
  std::lock_guard lock(connection_->mutex());
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
  std::lock_guard lock(connection_->mutex());
  auto row = LoadBank(name);
  if (!row) return row.error();
  return std::move(row->bank);
}

Result<BankStats> SqliteStore::Stats(std::string_view bank) {
  std::lock_guard lock(connection_->mutex());
  auto row = LoadBank(bank);
  if (!row) return row.error();
  return row->stats;
}

Result<AddOutcome> SqliteStore::AddEntries(std::string_view bank,
                                           std::span<const NewEntry> entries,
                                           const Actor& actor) {
  REMPART_RETURN_IF_ERROR(ValidateBankName(bank));
  for (std::size_t i = 0; i < entries.size(); ++i) {
    Status valid = ValidateNewEntry(entries[i]);
    if (!valid.ok()) return valid.WithContext("entry " + std::to_string(i));
  }
  REMPART_RETURN_IF_ERROR(ValidateActor(actor));
  std::lock_guard lock(connection_->mutex());
  Connection::WriteTransaction transaction(*connection_);
  REMPART_RETURN_IF_ERROR(transaction.Begin());
  auto outcome = writer_->Add(bank, entries, actor, nullptr);
  if (!outcome) return outcome.error();
  // Nothing asked, nothing written: no transaction to commit.
  if (entries.empty()) return outcome;
  REMPART_RETURN_IF_ERROR(transaction.Commit());
  return outcome;
}

Result<Entry> SqliteStore::Revoke(std::string_view bank, const Signal& signal,
                                  std::string_view reason, const Actor& actor) {
  REMPART_RETURN_IF_ERROR(ValidateBankName(bank));
  if (reason.empty()) {
    return InvalidArgumentError("a revocation needs a reason");
  }
  REMPART_RETURN_IF_ERROR(
      internal::ValidateText("revoke reason", reason, kMaxEntryTextBytes));
  REMPART_RETURN_IF_ERROR(ValidateActor(actor));
  std::lock_guard lock(connection_->mutex());
  Connection::WriteTransaction transaction(*connection_);
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
  const std::int64_t now = connection_->Now();
  std::string details =
      "{\"kind\":" + internal::JsonQuote(SignalKindName(signal.kind())) +
      ",\"reason\":" + internal::JsonQuote(reason);
  if (entry.status == EntryStatus::kRevoked) {
    // Nothing changes (the first reason stays), but the request is
    // recorded with the reason it gave.
    details += R"(,"revision":0,"unchanged":true})";
  } else {
    auto current = ReadRevision();
    if (!current) return current.error();
    const std::int64_t revision = *current + 1;
    REMPART_RETURN_IF_ERROR(SetRevision(revision));
    sqlite3_stmt* statement = revoke_entry_.get();
    Binder bind(statement);
    bind.Int(1, entry.id).Text(2, reason).Int(3, now).Int(4, revision);
    if (bind.code() != SQLITE_OK) {
      ResetOnExit reset(statement);
      return Error(bind.code(), "bind");
    }
    REMPART_RETURN_IF_ERROR(connection_->StepDone(statement, "revoke entry"));
    CountDelta delta;
    delta.active.at(KindCode(signal.kind())) = -1;
    delta.revoked = 1;
    REMPART_RETURN_IF_ERROR(ApplyDelta(row->id, delta, revision));
    details += ",\"revision\":" + std::to_string(revision) + "}";
    entry.status = EntryStatus::kRevoked;
    entry.revoke_reason = reason;
    entry.updated_at_ms = now;
  }
  const AuditEvent event{"entry.revoke", row->bank.name + "/" + signal.hex(),
                         std::move(details)};
  auto record = connection_->AppendAudit(actor, event, now);
  if (!record) return record.error();
  REMPART_RETURN_IF_ERROR(transaction.Commit());
  return entry;
}

Result<std::vector<Entry>> SqliteStore::FindEntries(std::string_view bank,
                                                    const Signal& signal) {
  std::lock_guard lock(connection_->mutex());
  auto row = LoadBank(bank);
  if (!row) return row.error();
  auto found = LoadEntry(row->id, row->bank.name, signal);
  if (!found) return found.error();
  std::vector<Entry> entries;
  if (found->has_value()) entries.push_back(std::move(**found));
  return entries;
}

Result<Entry> SqliteStore::GetEntry(std::int64_t id) {
  std::lock_guard lock(connection_->mutex());
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
  std::lock_guard lock(connection_->mutex());
  auto row = LoadBank(bank);
  if (!row) return row.error();
  sqlite3_stmt* statement =
      filter.with_patches ? scan_patches_.get() : scan_entries_.get();
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
  std::lock_guard lock(connection_->mutex());
  return ReadRevision();
}

Status SqliteStore::ForEachChangeSince(std::string_view bank,
                                       std::int64_t revision,
                                       const ChangeCallback& callback) {
  std::lock_guard lock(connection_->mutex());
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
  constexpr std::array<const char*, 11> kChecks = {
      "PRAGMA integrity_check(20)",
      "SELECT \"table\" || ' row ' || rowid || ' refers to missing ' || "
      "parent FROM pragma_foreign_key_check",
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
      "    sum(status = 'active' AND kind = 3) AS active_vpdq,"
      "    sum(status = 'revoked') AS revoked,"
      "    max(revision) AS revision"
      "  FROM entries GROUP BY bank_id) AS c ON c.bank_id = b.id "
      "WHERE b.active_pdq <> ifnull(c.active_pdq, 0)"
      "   OR b.active_md5 <> ifnull(c.active_md5, 0)"
      "   OR b.active_sha256 <> ifnull(c.active_sha256, 0)"
      "   OR b.active_vpdq <> ifnull(c.active_vpdq, 0)"
      "   OR b.revoked <> ifnull(c.revoked, 0)"
      "   OR b.revision <> ifnull(c.revision, 0)",
      "SELECT 'case ' || c.code || ' differs from its last history step' "
      "FROM cases AS c LEFT JOIN case_events AS e ON e.id = ("
      "  SELECT max(id) FROM case_events WHERE case_id = c.id) "
      "WHERE e.id IS NULL OR e.status <> c.status OR e.reason <> c.reason "
      "LIMIT 20",
      "SELECT 'case ' || code || ' has no signals' FROM cases AS c "
      "WHERE NOT EXISTS (SELECT 1 FROM case_signals WHERE case_id = c.id) "
      "LIMIT 20",
      "SELECT 'entry ' || id || ' is a video without frames' FROM entries "
      "AS e WHERE kind = 3 AND NOT EXISTS "
      "(SELECT 1 FROM entry_frames WHERE entry_id = e.id) LIMIT 20",
      "SELECT 'entry ' || e.id || ' has frames but is not a video' "
      "FROM entry_frames AS f JOIN entries AS e ON e.id = f.entry_id "
      "WHERE e.kind <> 3 LIMIT 20",
      "SELECT 'entry ' || id || ' is flagged with a patch signature it does "
      "not have' FROM entries AS e WHERE has_patches = 1 AND NOT EXISTS "
      "(SELECT 1 FROM entry_patches WHERE entry_id = e.id) LIMIT 20",
      "SELECT 'entry ' || e.id || ' has a patch signature but is not "
      "flagged with one' FROM entry_patches AS p JOIN entries AS e "
      "ON e.id = p.entry_id WHERE e.has_patches <> 1 LIMIT 20",
  };
  // Each video's frames and the name its row gives it, which only C++ can
  // compare (SHA-256 of the frames' text): one row per video, labelled.
  constexpr std::array<const char*, 2> kVideos = {
      "SELECT 'entry ' || e.id, e.value, f.frames FROM entries AS e "
      "JOIN entry_frames AS f ON f.entry_id = e.id WHERE e.kind = 3",
      "SELECT 'case ' || c.code || ' signal ' || s.position, s.value, "
      "s.frames FROM case_signals AS s JOIN cases AS c ON c.id = s.case_id "
      "WHERE s.kind = 3",
  };
  std::lock_guard lock(connection_->mutex());
  std::string problems;
  for (const char* sql : kChecks) {
    StatementPtr statement;
    REMPART_RETURN_IF_ERROR(connection_->PrepareStatement(sql, statement));
    int code = SQLITE_OK;
    while ((code = sqlite3_step(statement.get())) == SQLITE_ROW) {
      const std::string_view problem = ColumnText(statement.get(), 0);
      if (problem == "ok") continue;
      if (!problems.empty()) problems += "; ";
      problems += problem;
    }
    if (code != SQLITE_DONE) return Error(code, "integrity check");
  }
  for (const char* sql : kVideos) {
    StatementPtr statement;
    REMPART_RETURN_IF_ERROR(connection_->PrepareStatement(sql, statement));
    int code = SQLITE_OK;
    int found = 0;
    while (found < 20 && (code = sqlite3_step(statement.get())) == SQLITE_ROW) {
      std::string problem(ColumnText(statement.get(), 0));
      auto frames = internal::DecodeVpdqFrames(ColumnBlob(statement.get(), 2));
      if (!frames) {
        problem += " has unreadable frames (" + frames.error().message() + ")";
      } else {
        const Signal name = Signal::Vpdq(*frames);
        const std::span<const std::uint8_t> value =
            ColumnBlob(statement.get(), 1);
        if (std::equal(value.begin(), value.end(), name.bytes().begin(),
                       name.bytes().end())) {
          continue;
        }
        problem +=
            " is not named by its frames (their name is " + name.hex() + ")";
      }
      ++found;
      if (!problems.empty()) problems += "; ";
      problems += problem;
    }
    if (found < 20 && code != SQLITE_DONE) {
      return Error(code, "integrity check of videos");
    }
  }
  {
    // Every patch signature decodes (its length is the CHECK's business).
    StatementPtr statement;
    REMPART_RETURN_IF_ERROR(connection_->PrepareStatement(
        "SELECT 'entry ' || entry_id, patches FROM entry_patches UNION ALL "
        "SELECT 'case ' || c.code || ' signal ' || s.position, s.patches "
        "FROM case_signals AS s JOIN cases AS c ON c.id = s.case_id "
        "WHERE s.patches IS NOT NULL",
        statement));
    int code = SQLITE_OK;
    int found = 0;
    while (found < 20 && (code = sqlite3_step(statement.get())) == SQLITE_ROW) {
      auto patches = hash::DecodePatches(ColumnBlob(statement.get(), 1));
      if (patches) continue;
      ++found;
      if (!problems.empty()) problems += "; ";
      problems += std::string(ColumnText(statement.get(), 0)) +
                  " has an unreadable patch signature (" +
                  patches.error().message() + ")";
    }
    if (found < 20 && code != SQLITE_DONE) {
      return Error(code, "integrity check of patch signatures");
    }
  }
  // Hashing the log costs far less than integrity_check reading every page
  // of the entries, so the chain is checked here too rather than only by
  // `rempart audit verify`.
  auto audit = connection_->VerifyAudit();
  if (!audit) return audit.error();
  if (!audit->ok()) {
    if (!problems.empty()) problems += "; ";
    problems += "audit record " + std::to_string(audit->first_bad_seq) + ": " +
                audit->problem;
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

Status TooNew(int found) {
  return UnimplementedError("store schema version " + std::to_string(found) +
                            " is newer than this build supports (version " +
                            std::to_string(kSqliteSchemaVersion) +
                            "); upgrade Rempart");
}

// Runs the missing migrations, in one transaction (PrepareSchema()).
Status Migrate(sqlite3* db) {
  REMPART_RETURN_IF_ERROR(Execute(db, "BEGIN IMMEDIATE"));
  // Another process may have created or upgraded the schema meanwhile: look
  // again under the write lock, and migrate from where the file stands
  // now. All migrations and the new version commit together, so a crash
  // leaves the file at its old version, whole.
  Status status = [&]() -> Status {
    auto locked_version = SchemaVersion(db);
    if (!locked_version) return locked_version.error();
    if (*locked_version > kSqliteSchemaVersion) {
      return TooNew(*locked_version);
    }
    if (*locked_version == 0) {
      auto tables = QueryText(db, "SELECT count(*) FROM sqlite_schema");
      if (!tables) return tables.error();
      if (*tables != "0") {
        return InvalidArgumentError(
            "not a Rempart store (an SQLite database with other tables)");
      }
    }
    for (int next = *locked_version + 1; next <= kSqliteSchemaVersion; ++next) {
      for (const char* sql : kMigrations.at(next - 1)) {
        Status step = Execute(db, sql);
        if (!step.ok()) {
          return step.WithContext("migrating to schema version " +
                                  std::to_string(next));
        }
      }
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

// Brings the file to kSqliteSchemaVersion: creates the schema in an empty
// file, runs the missing migrations on an older one, refuses a newer one or
// another application's database.
Status PrepareSchema(sqlite3* db) {
  auto version = SchemaVersion(db);
  if (!version) return version.error();
  if (*version > kSqliteSchemaVersion) return TooNew(*version);
  if (*version == kSqliteSchemaVersion) return OkStatus();
  if (*version < 0) {
    return InvalidArgumentError("not a Rempart store (schema version " +
                                std::to_string(*version) + ")");
  }
  // Rebuilding a table (kSchemaV4) drops it while others still refer to it
  // by name: foreign keys are off while migrations run, and on again after,
  // whatever happened. The pragma does nothing inside a transaction, hence
  // outside it.
  REMPART_RETURN_IF_ERROR(Execute(db, "PRAGMA foreign_keys = OFF"));
  Status migrated = Migrate(db);
  Status keys_on = Execute(db, "PRAGMA foreign_keys = ON");
  REMPART_RETURN_IF_ERROR(migrated);
  return keys_on;
}

}  // namespace

Result<SqliteDatabase> OpenSqliteDatabase(const std::filesystem::path& path,
                                          SqliteOptions options) {
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
  auto connection =
      std::make_shared<Connection>(std::move(db), std::move(options.clock));
  REMPART_RETURN_IF_ERROR(connection->Prepare().WithContext(where));
  auto writer = sqlite::EntryWriter::Make(connection);
  if (!writer) return writer.error().WithContext(where);
  auto store = std::make_unique<SqliteStore>(connection, *writer);
  REMPART_RETURN_IF_ERROR(store->Prepare().WithContext(where));
  auto audit = sqlite::MakeAuditLog(connection);
  if (!audit) return audit.error().WithContext(where);
  auto keys = sqlite::MakeKeyStore(connection);
  if (!keys) return keys.error().WithContext(where);
  auto cases = sqlite::MakeCaseStore(std::move(connection), *writer);
  if (!cases) return cases.error().WithContext(where);
  return SqliteDatabase{std::move(store), std::move(*audit), std::move(*keys),
                        std::move(*cases)};
}

Result<std::unique_ptr<Store>> OpenSqliteStore(
    const std::filesystem::path& path, SqliteOptions options) {
  auto database = OpenSqliteDatabase(path, std::move(options));
  if (!database) return database.error();
  // The other parts go; the Store keeps the connection they shared.
  return std::move(database->store);
}

}  // namespace rempart::store
