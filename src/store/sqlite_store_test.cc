// The SQLite Store: the contract suite on a file, and what is particular to
// SQLite (files, schema versions, journaling, integrity checks that look at
// the rows themselves).
#include "rempart/store/sqlite_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "rempart/hash/vpdq.h"
#include "store/store_contract_test.h"

namespace rempart::store {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

StoreFactory SqliteFileFactory() {
  return {"SqliteFile",
          [](const fs::path& dir, std::function<std::int64_t()> clock) {
            SqliteOptions options;
            options.clock = std::move(clock);
            return OpenSqliteStore(dir / "store.db", std::move(options));
          }};
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContractTest,
                         ::testing::Values(SqliteFileFactory()),
                         StoreFactoryName);

// Runs `sql` on the file directly, behind the store's back.
void Tamper(const fs::path& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  const int code = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  EXPECT_EQ(code, SQLITE_OK) << (error != nullptr ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

std::string QueryOne(const fs::path& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr),
            SQLITE_OK);
  std::string text;
  if (sqlite3_step(statement) == SQLITE_ROW) {
    text = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return text;
}

NewEntry ActivePdq(std::uint64_t seed) {
  std::array<std::uint64_t, 4> words = {seed, seed * 0x9e3779b97f4a7c15, ~seed,
                                        seed ^ 0x5555};
  NewEntry entry;
  entry.input.signal = Signal::Pdq(hash::PdqHash(words));
  entry.input.source_org = "hotline";
  return entry;
}

// A short video for seed `seed`: four frames a second apart, timestamps
// in thirtieths of a second.
std::vector<hash::VpdqFrame> VideoFrames(std::uint64_t seed) {
  std::vector<hash::VpdqFrame> frames;
  for (std::uint64_t i = 0; i < 4; ++i) {
    const std::array<std::uint64_t, 4> words = {seed, i, ~seed, 7};
    frames.push_back({static_cast<std::int64_t>(i * 30 + 1),
                      static_cast<int>(70 + i), hash::PdqHash(words),
                      static_cast<double>(i * 30 + 1) / 30});
  }
  return frames;
}

NewEntry ActiveVideo(std::uint64_t seed) {
  NewEntry entry;
  entry.input.frames = VideoFrames(seed);
  entry.input.signal = Signal::Vpdq(entry.input.frames);
  entry.input.source_org = "hotline";
  return entry;
}

// A PDQ entry with a two-patch signature.
NewEntry PdqWithPatches(std::uint64_t seed) {
  NewEntry entry = ActivePdq(seed);
  hash::PatchSignature signature{640, 480, {}};
  for (int i = 0; i < 2; ++i) {
    hash::Patch patch;
    patch.x = 0.25f * static_cast<float>(i + 1);
    patch.y = 0.5f;
    patch.side = 0.125f;
    patch.quality = 80;
    patch.hash = hash::PdqHash({seed, static_cast<std::uint64_t>(i), 3, 4});
    signature.patches.push_back(patch);
  }
  entry.input.patches = signature;
  return entry;
}

// A file at schema version 4: what the current schema would be without
// version 5's additions, holding a PDQ entry, a video and a digest.
void WriteVersionFourFile(const fs::path& path) {
  {
    auto store = OpenSqliteStore(path);
    ASSERT_TRUE(store.has_value()) << store.status().ToString();
    ASSERT_TRUE((*store)->CreateBank("hotline", "").has_value());
    NewEntry digest;
    digest.input.signal = Signal::Md5(hash::Md5Digest{1, 2, 3});
    const std::vector<NewEntry> batch = {ActivePdq(1), ActiveVideo(2), digest};
    ASSERT_TRUE((*store)->AddEntries("hotline", batch).has_value());
  }
  Tamper(path,
         "DROP INDEX entries_with_patches; DROP TABLE entry_patches; "
         "ALTER TABLE entries DROP COLUMN has_patches; "
         "ALTER TABLE case_signals DROP COLUMN patches; "
         "PRAGMA user_version = 4");
}

// A PDQ entry whose signature has centred crops and no patch (version 2 of
// the shared form: a picture too plain for patches).
NewEntry PdqWithCropsAlone(std::uint64_t seed) {
  NewEntry entry = ActivePdq(seed);
  hash::PatchSignature signature{640, 480, {}};
  for (int i = 0; i < 3; ++i) {
    hash::CentredCrop crop;
    crop.keep = 1.0f - 0.2f * static_cast<float>(i);
    crop.quality = 40;
    crop.hash = hash::PdqHash({seed, static_cast<std::uint64_t>(i), 5, 6});
    signature.crops.push_back(crop);
  }
  entry.input.patches = signature;
  return entry;
}

// Version 5's CHECKs on signatures: a version 1 blob only.
constexpr const char* kVersionFiveSignatures = R"sql(
CREATE TABLE old_patches(
  entry_id INTEGER PRIMARY KEY REFERENCES entries(id),
  patches BLOB NOT NULL CHECK (length(patches) BETWEEN 7 + 39 AND 7 + 39 * 256
                               AND (length(patches) - 7) % 39 = 0));
INSERT INTO old_patches SELECT entry_id, patches FROM entry_patches;
DROP TABLE entry_patches;
ALTER TABLE old_patches RENAME TO entry_patches;
ALTER TABLE case_signals ADD COLUMN old BLOB
    CHECK (old IS NULL OR (kind = 0 AND
           length(old) BETWEEN 7 + 39 AND 7 + 39 * 256 AND
           (length(old) - 7) % 39 = 0));
UPDATE case_signals SET old = patches;
ALTER TABLE case_signals DROP COLUMN patches;
ALTER TABLE case_signals RENAME COLUMN old TO patches;
PRAGMA user_version = 5;
)sql";

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("rempart_sqlite_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = dir_ / "store.db";
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<Store> OpenOk(const fs::path& path) {
    auto store = OpenSqliteStore(path);
    EXPECT_TRUE(store.has_value()) << store.status().ToString();
    return store.has_value() ? std::move(*store) : nullptr;
  }

  fs::path dir_;
  fs::path path_;
};

TEST_F(SqliteStoreTest, CreatesTheFileAndItsParents) {
  const fs::path nested = dir_ / "a" / "b" / "store.db";
  auto store = OpenOk(nested);
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(fs::is_regular_file(nested));
  EXPECT_EQ(QueryOne(nested, "PRAGMA user_version"),
            std::to_string(kSqliteSchemaVersion));
}

TEST_F(SqliteStoreTest, UsesWriteAheadLogging) {
  auto store = OpenOk(path_);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(QueryOne(path_, "PRAGMA journal_mode"), "wal");
}

TEST_F(SqliteStoreTest, RefusesANewerSchemaVersion) {
  OpenOk(path_).reset();
  Tamper(path_,
         "PRAGMA user_version = " + std::to_string(kSqliteSchemaVersion + 1));
  auto store = OpenSqliteStore(path_);
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().code(), StatusCode::kUnimplemented);
  EXPECT_THAT(
      store.error().message(),
      HasSubstr("schema version " + std::to_string(kSqliteSchemaVersion + 1)));
  EXPECT_THAT(store.error().message(), HasSubstr(path_.string()));
}

// A file as Rempart wrote it at schema version 1, built statement by
// statement here (not with the store's own migration), with two banks and
// three entries, one of them revoked.
void WriteVersionOneFile(const fs::path& path) {
  Tamper(path, R"sql(
BEGIN;
CREATE TABLE store_state(
  id INTEGER PRIMARY KEY CHECK (id = 1),
  revision INTEGER NOT NULL CHECK (revision >= 0));
INSERT INTO store_state(id, revision) VALUES (1, 3);
CREATE TABLE banks(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  active_pdq INTEGER NOT NULL DEFAULT 0 CHECK (active_pdq >= 0),
  active_md5 INTEGER NOT NULL DEFAULT 0 CHECK (active_md5 >= 0),
  active_sha256 INTEGER NOT NULL DEFAULT 0 CHECK (active_sha256 >= 0),
  revoked INTEGER NOT NULL DEFAULT 0 CHECK (revoked >= 0),
  revision INTEGER NOT NULL DEFAULT 0);
CREATE TABLE entries(
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
  UNIQUE (bank_id, kind, value));
CREATE INDEX entries_by_revision ON entries(bank_id, revision);
INSERT INTO banks(id, name, description, created_at, active_pdq, active_md5,
                  revoked, revision)
    VALUES (1, 'hotline', 'Verified reports', 1000, 1, 1, 1, 3),
           (2, 'empty', '', 2000, 0, 0, 0, 0);
INSERT INTO entries VALUES
  (1, 1, 0,
   X'0000000000000000000000000000000000000000000000000000000000000001',
   90, 'cli512', 'sextortion', 'Hotline', 'case-1', 'active', NULL,
   1000, 1000, 1),
  (2, 1, 1, X'00000000000000000000000000000002',
   NULL, NULL, 'intimate_image', 'Hotline', '', 'active', NULL,
   1000, 1000, 2),
  (3, 1, 0,
   X'0000000000000000000000000000000000000000000000000000000000000003',
   NULL, NULL, 'synthetic', 'Hotline', '', 'revoked', 'appeal upheld',
   1000, 1500, 3);
PRAGMA user_version = 1;
COMMIT;
)sql");
}

TEST_F(SqliteStoreTest, UpgradesAVersionOneFile) {
  WriteVersionOneFile(path_);
  ASSERT_EQ(QueryOne(path_, "PRAGMA user_version"), "1");
  auto database = OpenSqliteDatabase(path_);
  ASSERT_TRUE(database.has_value()) << database.status().ToString();
  EXPECT_EQ(QueryOne(path_, "PRAGMA user_version"),
            std::to_string(kSqliteSchemaVersion));
  Store& store = *database->store;

  // Everything version 1 held is there, unchanged.
  auto banks = store.ListBanks();
  ASSERT_TRUE(banks.has_value());
  ASSERT_EQ(banks->size(), 2u);
  EXPECT_EQ((*banks)[1].name, "hotline");
  EXPECT_EQ((*banks)[1].description, "Verified reports");
  auto stats = store.Stats("hotline");
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ(stats->active_pdq, 1);
  EXPECT_EQ(stats->active_md5, 1);
  EXPECT_EQ(stats->revoked, 1);
  EXPECT_EQ(stats->revision, 3);
  auto revoked = store.GetEntry(3);
  ASSERT_TRUE(revoked.has_value());
  EXPECT_EQ(revoked->status, EntryStatus::kRevoked);
  EXPECT_EQ(revoked->revoke_reason, "appeal upheld");
  EXPECT_EQ(revoked->input.category, Category::kSynthetic);
  auto first = store.GetEntry(1);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->input.quality, 90);
  EXPECT_EQ(first->input.external_id, "case-1");
  EXPECT_EQ(*store.CurrentRevision(), 3);
  EXPECT_TRUE(store.CheckIntegrity().ok());

  // The new tables are there and empty, and the store goes on from where
  // it was.
  auto verification = database->audit->VerifyAudit();
  ASSERT_TRUE(verification.has_value());
  EXPECT_EQ(verification->records, 0);
  EXPECT_TRUE(database->keys->ListKeys()->empty());
  EXPECT_TRUE(database->cases->ListCases({})->empty());
  const std::vector<NewEntry> batch = {ActivePdq(7)};
  auto added = store.AddEntries("hotline", batch);
  ASSERT_TRUE(added.has_value());
  EXPECT_EQ(added->revision, 4);
  EXPECT_EQ(database->audit->VerifyAudit()->records, 1);

  // Opening again finds it current and changes nothing.
  database = OpenSqliteDatabase(path_);
  ASSERT_TRUE(database.has_value()) << database.status().ToString();
  EXPECT_EQ(database->store->Stats("hotline")->active_pdq, 2);
  EXPECT_TRUE(database->store->CheckIntegrity().ok());
}

// The version 2 tables as that version created them, with one case (two
// signals, two steps) and one entry: on top of a version 1 file.
void WriteVersionTwoFile(const fs::path& path) {
  WriteVersionOneFile(path);
  Tamper(path, R"sql(
BEGIN;
CREATE TABLE audit_log(
  seq INTEGER PRIMARY KEY CHECK (seq > 0),
  at INTEGER NOT NULL,
  actor TEXT NOT NULL CHECK (actor <> ''),
  action TEXT NOT NULL CHECK (action <> ''),
  target TEXT NOT NULL CHECK (target <> ''),
  details TEXT NOT NULL CHECK (CASE WHEN json_valid(details)
                                THEN json_type(details) = 'object'
                                ELSE 0 END),
  prev_hash BLOB NOT NULL CHECK (length(prev_hash) = 32),
  hash BLOB NOT NULL CHECK (length(hash) = 32));
CREATE TABLE api_keys(
  key_id TEXT PRIMARY KEY
      CHECK (length(key_id) BETWEEN 1 AND 32 AND
             key_id NOT GLOB '*[^a-z0-9]*'),
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'platform')),
  rate_per_second INTEGER NOT NULL CHECK (rate_per_second >= 0),
  salt BLOB NOT NULL CHECK (length(salt) = 16),
  secret_hash BLOB NOT NULL CHECK (length(secret_hash) = 32),
  created_at INTEGER NOT NULL,
  revoked_at INTEGER);
CREATE TABLE cases(
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  category TEXT NOT NULL,
  channel TEXT NOT NULL CHECK (channel IN ('victim', 'analyst')),
  status TEXT NOT NULL,
  reason TEXT NOT NULL
      CHECK (reason <> '' OR status NOT IN ('needs_info', 'rejected')),
  secret_salt BLOB NOT NULL CHECK (length(secret_salt) = 16),
  secret_hash BLOB NOT NULL CHECK (length(secret_hash) = 32),
  sealed_contact BLOB NOT NULL CHECK (length(sealed_contact) <= 4096),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL);
CREATE TABLE case_signals(
  case_id INTEGER NOT NULL REFERENCES cases(id),
  position INTEGER NOT NULL CHECK (position >= 0),
  kind INTEGER NOT NULL CHECK (kind IN (0, 1, 2)),
  value BLOB NOT NULL
      CHECK (length(value) = CASE kind WHEN 1 THEN 16 ELSE 32 END),
  PRIMARY KEY (case_id, position),
  UNIQUE (case_id, kind, value));
CREATE TABLE case_events(
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  at INTEGER NOT NULL,
  status TEXT NOT NULL,
  reason TEXT NOT NULL
      CHECK (reason <> '' OR status NOT IN ('needs_info', 'rejected')),
  actor TEXT NOT NULL CHECK (actor <> ''));
CREATE INDEX case_events_by_case ON case_events(case_id, id);
CREATE INDEX cases_by_status ON cases(status, id);
INSERT INTO cases VALUES (1, 'RMP-7K3Q-9XWD', 'sextortion', 'victim',
  'needs_info', 'Which site?', zeroblob(16), zeroblob(32), X'', 5000, 6000);
INSERT INTO case_signals VALUES
  (1, 0, 0,
   X'00000000000000000000000000000000000000000000000000000000000000ff'),
  (1, 1, 1, X'000000000000000000000000000000aa');
INSERT INTO case_events(case_id, at, status, reason, actor) VALUES
  (1, 5000, 'received', '', 'case:RMP-7K3Q-9XWD'),
  (1, 6000, 'needs_info', 'Which site?', 'key:analyst1');
PRAGMA user_version = 2;
COMMIT;
)sql");
}

TEST_F(SqliteStoreTest, UpgradesAVersionTwoFileWithItsCases) {
  WriteVersionTwoFile(path_);
  auto database = OpenSqliteDatabase(path_);
  ASSERT_TRUE(database.has_value()) << database.status().ToString();
  EXPECT_EQ(QueryOne(path_, "PRAGMA user_version"),
            std::to_string(kSqliteSchemaVersion));
  auto found = database->cases->GetCase("RMP-7K3Q-9XWD");
  ASSERT_TRUE(found.has_value()) << found.status().ToString();
  EXPECT_EQ(found->status, CaseStatus::kNeedsInfo);
  EXPECT_EQ(found->reason, "Which site?");
  EXPECT_EQ(found->language, "en");
  EXPECT_EQ(found->reason_code, "");
  EXPECT_FALSE(found->published.has_value());
  EXPECT_TRUE(found->replies.empty());
  EXPECT_TRUE(found->outcomes.empty());
  ASSERT_EQ(found->signals.size(), 2u);
  ASSERT_EQ(found->history.size(), 2u);
  EXPECT_EQ(found->history[0].action, "report");
  EXPECT_EQ(found->history[1].action, "status");
  EXPECT_EQ(found->history[1].actor, "key:analyst1");
  EXPECT_TRUE(database->store->CheckIntegrity().ok());

  // The old case goes on through the new workflow: a reply, then
  // publication, then a platform's match.
  CaseUpdate reply;
  reply.status = CaseStatus::kReceived;
  reply.action = "reply";
  reply.only_from = {CaseStatus::kNeedsInfo};
  reply.sealed_reply = "sealed";
  ASSERT_TRUE(
      database->cases
          ->UpdateCase("RMP-7K3Q-9XWD", reply, Actor{"case:RMP-7K3Q-9XWD"})
          .has_value());
  auto published = database->cases->PublishCase(
      "RMP-7K3Q-9XWD", "hotline", "hotline", "", Actor{"key:analyst1"});
  ASSERT_TRUE(published.has_value()) << published.status().ToString();
  ASSERT_EQ(published->published->entry_ids.size(), 2u);
  EXPECT_EQ(database->store->Stats("hotline")->active_pdq, 2);
  auto recorded = database->cases->RecordOutcome(
      published->published->entry_ids[0], OutcomeKind::kMatch, "platform1",
      Actor{"key:platform1"});
  ASSERT_TRUE(recorded.has_value());
  EXPECT_EQ(*recorded, 1u);
  EXPECT_TRUE(database->store->CheckIntegrity().ok());
  EXPECT_TRUE(database->audit->VerifyAudit()->ok());
}

// The version 3 additions as that version made them, on top of a version
// 2 file, with its case carried on: a reply, publication to "hotline"
// (linked to entries 1 and 2, which the rebuild of entries must keep
// referable) and a platform's match.
void WriteVersionThreeFile(const fs::path& path) {
  WriteVersionTwoFile(path);
  Tamper(path, R"sql(
BEGIN;
ALTER TABLE cases ADD COLUMN language TEXT NOT NULL DEFAULT 'en'
    CHECK (length(language) BETWEEN 1 AND 32);
ALTER TABLE cases ADD COLUMN reason_code TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN message TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN published_bank TEXT;
ALTER TABLE cases ADD COLUMN published_at INTEGER;
ALTER TABLE case_events ADD COLUMN action TEXT NOT NULL
    DEFAULT 'status' CHECK (action <> '');
ALTER TABLE case_events ADD COLUMN reason_code TEXT NOT NULL DEFAULT '';
ALTER TABLE case_events ADD COLUMN note TEXT NOT NULL DEFAULT '';
UPDATE case_events SET action = 'report' WHERE id IN
    (SELECT min(id) FROM case_events GROUP BY case_id);
CREATE INDEX case_signals_by_value ON case_signals(kind, value);
CREATE TABLE case_replies(
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  at INTEGER NOT NULL,
  sealed_message BLOB NOT NULL
      CHECK (length(sealed_message) BETWEEN 1 AND 8192));
CREATE INDEX case_replies_by_case ON case_replies(case_id, id);
CREATE TABLE case_entries(
  case_id INTEGER NOT NULL REFERENCES cases(id),
  entry_id INTEGER NOT NULL REFERENCES entries(id),
  position INTEGER NOT NULL CHECK (position >= 0),
  PRIMARY KEY (case_id, entry_id));
CREATE INDEX case_entries_by_entry ON case_entries(entry_id);
CREATE TABLE case_outcomes(
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  kind TEXT NOT NULL CHECK (kind IN ('match', 'removal')),
  platform TEXT NOT NULL CHECK (platform <> ''),
  entry_id INTEGER NOT NULL REFERENCES entries(id),
  at INTEGER NOT NULL);
CREATE UNIQUE INDEX case_outcomes_one_match
    ON case_outcomes(case_id, platform, entry_id) WHERE kind = 'match';
INSERT INTO case_replies(case_id, at, sealed_message)
    VALUES (1, 6500, X'7365616c6564');
INSERT INTO case_events(case_id, at, status, reason, actor, action,
                        reason_code, note) VALUES
  (1, 6500, 'received', '', 'case:RMP-7K3Q-9XWD', 'reply', '', ''),
  (1, 7000, 'verified', '', 'key:analyst1', 'verify', '', 'checked');
UPDATE cases SET status = 'verified', reason = '', language = 'fr',
    published_bank = 'hotline', published_at = 7000, updated_at = 7000
  WHERE id = 1;
INSERT INTO case_entries VALUES (1, 1, 0), (1, 2, 1);
INSERT INTO case_outcomes(case_id, kind, platform, entry_id, at)
    VALUES (1, 'match', 'platform1', 2, 7500);
PRAGMA user_version = 3;
COMMIT;
)sql");
}

TEST_F(SqliteStoreTest, UpgradesAVersionThreeFileWithEverything) {
  WriteVersionThreeFile(path_);
  ASSERT_EQ(QueryOne(path_, "PRAGMA user_version"), "3");
  {
    auto database = OpenSqliteDatabase(path_);
    ASSERT_TRUE(database.has_value()) << database.status().ToString();
  }
  EXPECT_EQ(QueryOne(path_, "PRAGMA user_version"),
            std::to_string(kSqliteSchemaVersion));
  // The rebuilt tables took their old names, indexes and references: no
  // scratch table left, nothing refers to a missing row, and the tables
  // that referred to entries refer to the new one.
  EXPECT_THAT(
      QueryOne(path_, "SELECT sql FROM sqlite_schema WHERE name = 'entries'"),
      HasSubstr("kind IN (0, 1, 2, 3)"));
  EXPECT_THAT(
      QueryOne(path_,
               "SELECT sql FROM sqlite_schema WHERE name = 'case_signals'"),
      HasSubstr("frames BLOB"));
  EXPECT_THAT(
      QueryOne(path_,
               "SELECT sql FROM sqlite_schema WHERE name = 'case_outcomes'"),
      HasSubstr("REFERENCES entries(id)"));
  EXPECT_EQ(QueryOne(path_,
                     "SELECT count(*) FROM sqlite_schema "
                     "WHERE name LIKE '%v4%'"),
            "0");
  EXPECT_EQ(QueryOne(path_,
                     "SELECT count(*) FROM sqlite_schema WHERE name IN "
                     "('entries_by_revision', 'case_signals_by_value')"),
            "2");
  EXPECT_EQ(QueryOne(path_, "SELECT count(*) FROM pragma_foreign_key_check"),
            "0");

  auto database = OpenSqliteDatabase(path_);
  ASSERT_TRUE(database.has_value()) << database.status().ToString();
  Store& store = *database->store;
  // The entries, ids and counts of version 3.
  auto stats = store.Stats("hotline");
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ(stats->active_pdq, 1);
  EXPECT_EQ(stats->active_md5, 1);
  EXPECT_EQ(stats->active_vpdq, 0);
  EXPECT_EQ(stats->revoked, 1);
  EXPECT_EQ(stats->total, 3);
  EXPECT_EQ(stats->revision, 3);
  auto first = store.GetEntry(1);
  ASSERT_TRUE(first.has_value()) << first.status().ToString();
  EXPECT_EQ(first->input.quality, 90);
  EXPECT_EQ(first->input.pdq_mode, hash::PdqMode::kCli);
  EXPECT_EQ(first->input.category, Category::kSextortion);
  EXPECT_EQ(first->input.external_id, "case-1");
  EXPECT_TRUE(first->input.frames.empty());
  auto revoked = store.GetEntry(3);
  ASSERT_TRUE(revoked.has_value());
  EXPECT_EQ(revoked->status, EntryStatus::kRevoked);
  EXPECT_EQ(revoked->revoke_reason, "appeal upheld");
  EXPECT_EQ(revoked->updated_at_ms, 1500);
  std::vector<std::int64_t> changed;
  ASSERT_TRUE(store
                  .ForEachChangeSince("hotline", 1,
                                      [&](std::int64_t, const Entry& entry) {
                                        changed.push_back(entry.id);
                                        return true;
                                      })
                  .ok());
  EXPECT_THAT(changed, ElementsAre(2, 3));
  EXPECT_EQ(*store.CurrentRevision(), 3);

  // The case, whole: signals, steps, reply, publication and outcome.
  auto found = database->cases->GetCase("RMP-7K3Q-9XWD");
  ASSERT_TRUE(found.has_value()) << found.status().ToString();
  EXPECT_EQ(found->status, CaseStatus::kVerified);
  EXPECT_EQ(found->language, "fr");
  ASSERT_EQ(found->signals.size(), 2u);
  EXPECT_EQ(found->signals[1].kind(), SignalKind::kMd5);
  EXPECT_TRUE(found->videos.empty());
  ASSERT_EQ(found->history.size(), 4u);
  EXPECT_EQ(found->history[3].note, "checked");
  ASSERT_EQ(found->replies.size(), 1u);
  EXPECT_EQ(found->replies[0].sealed_message, "sealed");
  ASSERT_TRUE(found->published.has_value());
  EXPECT_EQ(found->published->bank, "hotline");
  EXPECT_THAT(found->published->entry_ids, ElementsAre(1, 2));
  ASSERT_EQ(found->outcomes.size(), 1u);
  EXPECT_EQ(found->outcomes[0].entry_id, 2);
  EXPECT_THAT(*database->cases->PublishedEntryIds(), ElementsAre(1, 2));
  auto search =
      Signal::FromHex(SignalKind::kMd5, "000000000000000000000000000000aa");
  ASSERT_TRUE(search.has_value());
  CaseFilter by_digest;
  by_digest.signal = *search;
  EXPECT_EQ(database->cases->ListCases(by_digest)->size(), 1u);
  Status intact = store.CheckIntegrity();
  EXPECT_TRUE(intact.ok()) << intact.ToString();

  // It goes on, videos and all: an outcome on an old entry, a video entry,
  // a case with a video published to the other bank.
  auto removal = database->cases->RecordOutcome(
      1, OutcomeKind::kRemoval, "platform1", Actor{"key:platform1"});
  ASSERT_TRUE(removal.has_value()) << removal.status().ToString();
  EXPECT_EQ(*removal, 1u);
  const std::vector<NewEntry> batch = {ActiveVideo(1)};
  auto added = store.AddEntries("hotline", batch);
  ASSERT_TRUE(added.has_value()) << added.status().ToString();
  EXPECT_EQ(added->revision, 4);
  NewCase report;
  report.code = "RMP-AAAA-BBBB";
  report.videos = {VideoFrames(2)};
  ASSERT_TRUE(database->cases->CreateCase(report, Actor{"case:RMP-AAAA-BBBB"})
                  .has_value());
  auto published = database->cases->PublishCase(
      "RMP-AAAA-BBBB", "empty", "hotline", "", Actor{"key:analyst1"});
  ASSERT_TRUE(published.has_value()) << published.status().ToString();
  auto video = store.GetEntry(published->published->entry_ids.at(0));
  ASSERT_TRUE(video.has_value());
  EXPECT_EQ(video->input.frames, VideoFrames(2));
  EXPECT_EQ(store.Stats("empty")->active_vpdq, 1);
  intact = store.CheckIntegrity();
  EXPECT_TRUE(intact.ok()) << intact.ToString();
  EXPECT_TRUE(database->audit->VerifyAudit()->ok());
}

TEST_F(SqliteStoreTest, AFailedUpgradeToVersionFourKeepsVersionThree) {
  WriteVersionThreeFile(path_);
  // A table in the way of version 4, after the rebuilds of entries: they
  // roll back with it.
  Tamper(path_, "CREATE TABLE entry_frames(x)");
  auto database = OpenSqliteDatabase(path_);
  ASSERT_FALSE(database.has_value());
  EXPECT_THAT(database.error().message(),
              HasSubstr("migrating to schema version 4"));
  EXPECT_EQ(QueryOne(path_, "PRAGMA user_version"), "3");
  EXPECT_THAT(
      QueryOne(path_, "SELECT sql FROM sqlite_schema WHERE name = 'entries'"),
      HasSubstr("kind IN (0, 1, 2)"));
  EXPECT_EQ(QueryOne(path_, "SELECT count(*) FROM entries"), "3");
  EXPECT_EQ(QueryOne(path_, "SELECT count(*) FROM case_entries"), "2");

  Tamper(path_, "DROP TABLE entry_frames");
  database = OpenSqliteDatabase(path_);
  ASSERT_TRUE(database.has_value()) << database.status().ToString();
  EXPECT_EQ(database->store->Stats("hotline")->total, 3);
  EXPECT_TRUE(database->store->CheckIntegrity().ok());
}

TEST_F(SqliteStoreTest, UpgradesAVersionFourFileToHoldPatchSignatures) {
  WriteVersionFourFile(path_);
  ASSERT_EQ(QueryOne(path_, "PRAGMA user_version"), "4");
  ASSERT_EQ(QueryOne(path_,
                     "SELECT count(*) FROM pragma_table_info('entries') "
                     "WHERE name = 'has_patches'"),
            "0");
  auto database = OpenSqliteDatabase(path_);
  ASSERT_TRUE(database.has_value()) << database.status().ToString();
  EXPECT_EQ(QueryOne(path_, "PRAGMA user_version"),
            std::to_string(kSqliteSchemaVersion));
  Store& store = *database->store;
  // Version 4's entries read as before, without signatures.
  EXPECT_EQ(store.Stats("hotline")->total, 3);
  for (std::int64_t id = 1; id <= 3; ++id) {
    auto entry = store.GetEntry(id);
    ASSERT_TRUE(entry.has_value()) << entry.status().ToString();
    EXPECT_FALSE(entry->input.patches.has_value());
  }
  EXPECT_EQ(store.GetEntry(2)->input.frames, VideoFrames(2));
  const std::vector<NewEntry> batch = {PdqWithPatches(9)};
  auto added = store.AddEntries("hotline", batch);
  ASSERT_TRUE(added.has_value()) << added.status().ToString();
  auto entry = store.GetEntry(added->added_ids.at(0));
  ASSERT_TRUE(entry.has_value());
  ASSERT_TRUE(entry->input.patches.has_value());
  EXPECT_EQ(hash::FormatPatches(*entry->input.patches),
            hash::FormatPatches(*batch[0].input.patches));
  Status intact = store.CheckIntegrity();
  EXPECT_TRUE(intact.ok()) << intact.ToString();
}

TEST_F(SqliteStoreTest, AFailedUpgradeToVersionFiveKeepsVersionFour) {
  WriteVersionFourFile(path_);
  // A table in the way of version 5, after the new column: it rolls back.
  Tamper(path_, "CREATE TABLE entry_patches(x)");
  auto database = OpenSqliteDatabase(path_);
  ASSERT_FALSE(database.has_value());
  EXPECT_THAT(database.error().message(),
              HasSubstr("migrating to schema version 5"));
  EXPECT_EQ(QueryOne(path_, "PRAGMA user_version"), "4");
  EXPECT_EQ(QueryOne(path_,
                     "SELECT count(*) FROM pragma_table_info('entries') "
                     "WHERE name = 'has_patches'"),
            "0");
  Tamper(path_, "DROP TABLE entry_patches");
  database = OpenSqliteDatabase(path_);
  ASSERT_TRUE(database.has_value()) << database.status().ToString();
  EXPECT_EQ(database->store->Stats("hotline")->total, 3);
}

// A file at schema version 5 — version 6's wider CHECKs narrowed back —
// holding an entry and a case, each with a version 1 signature.
void WriteVersionFiveFile(const fs::path& path) {
  {
    auto database = OpenSqliteDatabase(path);
    ASSERT_TRUE(database.has_value()) << database.status().ToString();
    ASSERT_TRUE(database->store->CreateBank("hotline", "").has_value());
    const std::vector<NewEntry> batch = {PdqWithPatches(1)};
    ASSERT_TRUE(database->store->AddEntries("hotline", batch).has_value());
    const NewEntry reported = PdqWithPatches(2);
    NewCase report;
    report.code = "RMP-AAAA-BBBB";
    report.signals = {reported.input.signal};
    report.patches = {{reported.input.signal.pdq(), *reported.input.patches}};
    ASSERT_TRUE(database->cases->CreateCase(report, Actor{"case:RMP-AAAA-BBBB"})
                    .has_value());
  }
  Tamper(path, kVersionFiveSignatures);
}

TEST_F(SqliteStoreTest, UpgradesAVersionFiveFileToHoldCentredCrops) {
  WriteVersionFiveFile(path_);
  ASSERT_EQ(QueryOne(path_, "PRAGMA user_version"), "5");
  auto database = OpenSqliteDatabase(path_);
  ASSERT_TRUE(database.has_value()) << database.status().ToString();
  EXPECT_EQ(QueryOne(path_, "PRAGMA user_version"),
            std::to_string(kSqliteSchemaVersion));
  EXPECT_THAT(QueryOne(path_,
                       "SELECT sql FROM sqlite_schema "
                       "WHERE name = 'entry_patches'"),
              HasSubstr("x'02'"));
  EXPECT_THAT(QueryOne(path_,
                       "SELECT sql FROM sqlite_schema "
                       "WHERE name = 'case_signals'"),
              HasSubstr("x'02'"));
  Store& store = *database->store;
  // Version 5's signatures read as they were written.
  auto old_entry = store.GetEntry(1);
  ASSERT_TRUE(old_entry.has_value()) << old_entry.status().ToString();
  ASSERT_TRUE(old_entry->input.patches.has_value());
  EXPECT_EQ(hash::FormatPatches(*old_entry->input.patches),
            hash::FormatPatches(*PdqWithPatches(1).input.patches));
  auto old_case = database->cases->GetCase("RMP-AAAA-BBBB");
  ASSERT_TRUE(old_case.has_value()) << old_case.status().ToString();
  ASSERT_EQ(old_case->patches.size(), 1u);
  EXPECT_EQ(hash::FormatPatches(old_case->patches[0].signature),
            hash::FormatPatches(*PdqWithPatches(2).input.patches));

  // Version 2 signatures now fit, crops alone included, in entries and in
  // cases.
  const std::vector<NewEntry> batch = {PdqWithCropsAlone(7)};
  auto added = store.AddEntries("hotline", batch);
  ASSERT_TRUE(added.has_value()) << added.status().ToString();
  auto entry = store.GetEntry(added->added_ids.at(0));
  ASSERT_TRUE(entry.has_value());
  ASSERT_TRUE(entry->input.patches.has_value());
  EXPECT_EQ(entry->input.patches->crops.size(), 3u);
  EXPECT_EQ(hash::FormatPatches(*entry->input.patches),
            hash::FormatPatches(*batch[0].input.patches));
  const NewEntry reported = PdqWithCropsAlone(8);
  NewCase report;
  report.code = "RMP-CCCC-DDDD";
  report.signals = {reported.input.signal};
  report.patches = {{reported.input.signal.pdq(), *reported.input.patches}};
  ASSERT_TRUE(database->cases->CreateCase(report, Actor{"case:RMP-CCCC-DDDD"})
                  .has_value());
  auto found = database->cases->GetCase("RMP-CCCC-DDDD");
  ASSERT_TRUE(found.has_value()) << found.status().ToString();
  ASSERT_EQ(found->patches.size(), 1u);
  EXPECT_EQ(hash::FormatPatches(found->patches[0].signature),
            hash::FormatPatches(*reported.input.patches));
  Status intact = store.CheckIntegrity();
  EXPECT_TRUE(intact.ok()) << intact.ToString();
}

TEST_F(SqliteStoreTest, AFailedUpgradeToVersionSixKeepsVersionFive) {
  WriteVersionFiveFile(path_);
  // A table in the way of version 6's copy: nothing of it stays.
  Tamper(path_, "CREATE TABLE entry_signatures(x)");
  auto database = OpenSqliteDatabase(path_);
  ASSERT_FALSE(database.has_value());
  EXPECT_THAT(database.error().message(),
              HasSubstr("migrating to schema version 6"));
  EXPECT_EQ(QueryOne(path_, "PRAGMA user_version"), "5");
  EXPECT_EQ(QueryOne(path_, "SELECT count(*) FROM entry_patches"), "1");
  EXPECT_EQ(QueryOne(path_,
                     "SELECT count(*) FROM case_signals "
                     "WHERE patches IS NOT NULL"),
            "1");
  Tamper(path_, "DROP TABLE entry_signatures");
  database = OpenSqliteDatabase(path_);
  ASSERT_TRUE(database.has_value()) << database.status().ToString();
  EXPECT_TRUE(database->store->GetEntry(1)->input.patches.has_value());
}

TEST_F(SqliteStoreTest, FindsABanksSignaturesThroughTheirOwnIndex) {
  auto store = OpenOk(path_);
  ASSERT_TRUE(store->CreateBank("reports", "").has_value());
  // The plan, not a timing: the scan for signatures must not walk the
  // bank's rows.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  ASSERT_EQ(
      sqlite3_prepare_v2(db,
                         "EXPLAIN QUERY PLAN SELECT e.id, e.value FROM entries "
                         "AS e WHERE e.bank_id = 1 AND e.has_patches = "
                         "1 AND e.id > 0 ORDER BY e.id",
                         -1, &statement, nullptr),
      SQLITE_OK);
  std::string plan;
  while (sqlite3_step(statement) == SQLITE_ROW) {
    plan += reinterpret_cast<const char*>(sqlite3_column_text(statement, 3));
    plan += " | ";
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  EXPECT_THAT(
      plan, HasSubstr("USING INDEX entries_with_patches (bank_id=? AND id>?)"));
}

TEST_F(SqliteStoreTest, IntegrityCheckFindsBrokenPatchSignatures) {
  {
    auto store = OpenOk(path_);
    ASSERT_TRUE(store->CreateBank("reports", "").has_value());
    const std::vector<NewEntry> batch = {PdqWithPatches(1), PdqWithPatches(2),
                                         ActivePdq(3)};
    ASSERT_TRUE(store->AddEntries("reports", batch).has_value());
    Status intact = store->CheckIntegrity();
    EXPECT_TRUE(intact.ok()) << intact.ToString();
  }
  // Entry 1's signature says version 2 and holds no crops (the CHECK
  // bounds its length only); entry 2 loses its row; entry 3 gains one it
  // is not flagged for.
  Tamper(path_,
         "UPDATE entry_patches SET patches = CAST(X'02' || substr(patches, 2) "
         "AS BLOB) WHERE entry_id = 1; "
         "INSERT INTO entry_patches SELECT 3, patches FROM entry_patches "
         "WHERE entry_id = 2; "
         "DELETE FROM entry_patches WHERE entry_id = 2");
  auto store = OpenOk(path_);
  Status status = store->CheckIntegrity();
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_THAT(status.message(),
              HasSubstr("entry 1 has an unreadable patch signature "
                        "(patches: 85 bytes, but 2 patches and a crop count "
                        "take at least 86"));
  EXPECT_THAT(status.message(),
              HasSubstr("entry 2 is flagged with a patch signature it does "
                        "not have"));
  EXPECT_THAT(status.message(),
              HasSubstr("entry 3 has a patch signature but is not flagged"));
  auto unreadable = store->GetEntry(1);
  ASSERT_FALSE(unreadable.has_value());
  EXPECT_EQ(unreadable.error().code(), StatusCode::kInternal);
  EXPECT_THAT(unreadable.error().message(),
              HasSubstr("an unreadable patch signature"));
  auto missing = store->GetEntry(2);
  ASSERT_FALSE(missing.has_value());
  EXPECT_THAT(missing.error().message(), HasSubstr("no patch signature"));
  // An unflagged row is never read: entry 3 is a plain hash.
  auto plain = store->GetEntry(3);
  ASSERT_TRUE(plain.has_value()) << plain.status().ToString();
  EXPECT_FALSE(plain->input.patches.has_value());
  // The CHECK keeps a signature a whole number of records long.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db,
                         "UPDATE entry_patches SET patches = zeroblob(47) "
                         "WHERE entry_id = 3",
                         nullptr, nullptr, nullptr),
            SQLITE_CONSTRAINT);
  EXPECT_EQ(sqlite3_exec(db, "UPDATE entries SET has_patches = 2 WHERE id = 3",
                         nullptr, nullptr, nullptr),
            SQLITE_CONSTRAINT);
  sqlite3_close(db);
}

TEST_F(SqliteStoreTest, AFailedUpgradeLeavesTheFileAtItsVersion) {
  WriteVersionOneFile(path_);
  // A table in the way of version 2: the upgrade fails and rolls back.
  Tamper(path_, "CREATE TABLE audit_log(x)");
  auto database = OpenSqliteDatabase(path_);
  ASSERT_FALSE(database.has_value());
  EXPECT_THAT(database.error().message(),
              HasSubstr("migrating to schema version 2"));
  EXPECT_EQ(QueryOne(path_, "PRAGMA user_version"), "1");
  EXPECT_EQ(QueryOne(path_,
                     "SELECT count(*) FROM sqlite_schema "
                     "WHERE name = 'api_keys'"),
            "0");
}

TEST_F(SqliteStoreTest, OpenSqliteStoreKeepsItsConnection) {
  // Only the Store is returned; the parts it shared the connection with
  // are gone, and it still reads and writes (and audits).
  auto store = OpenSqliteStore(path_);
  ASSERT_TRUE(store.has_value());
  ASSERT_TRUE((*store)->CreateBank("reports", "").has_value());
  const std::vector<NewEntry> batch = {ActivePdq(1)};
  ASSERT_TRUE((*store)->AddEntries("reports", batch).has_value());
  EXPECT_TRUE((*store)->CheckIntegrity().ok());
  store->reset();
  EXPECT_EQ(QueryOne(path_, "SELECT count(*) FROM audit_log"), "2");
}

TEST_F(SqliteStoreTest, PartsOfADatabaseMayBeDestroyedInAnyOrder) {
  auto database = OpenSqliteDatabase(path_);
  ASSERT_TRUE(database.has_value());
  database->store.reset();
  ASSERT_TRUE(database->audit
                  ->Append(Actor{"system"}, AuditEvent{"test.step", "x", "{}"})
                  .has_value());
  database->audit.reset();
  database->cases.reset();
  ASSERT_TRUE(database->keys->ListKeys().has_value());
}

TEST_F(SqliteStoreTest, RefusesAFileThatIsNotADatabase) {
  std::ofstream(path_) << "bank,signal\nreports,abc\n" << std::string(600, 'x');
  auto store = OpenSqliteStore(path_);
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(store.error().message(), HasSubstr("not a Rempart store"));
}

TEST_F(SqliteStoreTest, RefusesAnotherApplicationsDatabase) {
  Tamper(path_, "CREATE TABLE photos(id INTEGER PRIMARY KEY)");
  auto store = OpenSqliteStore(path_);
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(store.error().message(), HasSubstr("not a Rempart store"));
}

TEST_F(SqliteStoreTest, InMemoryStoreWorks) {
  auto store = OpenOk(":memory:");
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->CreateBank("reports", "").has_value());
  const std::vector<NewEntry> batch = {ActivePdq(1), ActivePdq(2)};
  auto outcome = store->AddEntries("reports", batch);
  ASSERT_TRUE(outcome.has_value()) << outcome.status().ToString();
  EXPECT_EQ(outcome->added, 2u);
  EXPECT_TRUE(store->CheckIntegrity().ok());
  EXPECT_FALSE(fs::exists(":memory:"));
}

TEST_F(SqliteStoreTest, IntegrityCheckFindsCountsThatDisagree) {
  {
    auto store = OpenOk(path_);
    ASSERT_TRUE(store->CreateBank("reports", "").has_value());
    const std::vector<NewEntry> batch = {ActivePdq(1), ActivePdq(2)};
    ASSERT_TRUE(store->AddEntries("reports", batch).has_value());
    EXPECT_TRUE(store->CheckIntegrity().ok());
  }
  Tamper(path_, "UPDATE banks SET active_pdq = 5");
  auto store = OpenOk(path_);
  Status status = store->CheckIntegrity();
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_THAT(status.message(), HasSubstr("bank reports counts"));
}

TEST_F(SqliteStoreTest, IntegrityCheckFindsRevisionsFromTheFuture) {
  {
    auto store = OpenOk(path_);
    ASSERT_TRUE(store->CreateBank("reports", "").has_value());
    const std::vector<NewEntry> batch = {ActivePdq(1)};
    ASSERT_TRUE(store->AddEntries("reports", batch).has_value());
  }
  Tamper(path_, "UPDATE store_state SET revision = 0");
  auto store = OpenOk(path_);
  Status status = store->CheckIntegrity();
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_THAT(status.message(), HasSubstr("past the store revision"));
}

TEST_F(SqliteStoreTest, IntegrityCheckFindsDanglingEntries) {
  {
    auto store = OpenOk(path_);
    ASSERT_TRUE(store->CreateBank("reports", "").has_value());
    const std::vector<NewEntry> batch = {ActivePdq(1)};
    ASSERT_TRUE(store->AddEntries("reports", batch).has_value());
  }
  // foreign_keys is off by default on a plain connection.
  Tamper(path_, "DELETE FROM banks");
  auto store = OpenOk(path_);
  Status status = store->CheckIntegrity();
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_THAT(status.message(), HasSubstr("refers to missing banks"));
}

TEST_F(SqliteStoreTest, IntegrityCheckFindsATamperedFrame) {
  std::int64_t video_id = 0;
  {
    auto store = OpenOk(path_);
    ASSERT_TRUE(store->CreateBank("reports", "").has_value());
    const std::vector<NewEntry> batch = {ActiveVideo(1), ActiveVideo(2)};
    auto added = store->AddEntries("reports", batch);
    ASSERT_TRUE(added.has_value());
    video_id = added->added_ids[0];
    EXPECT_TRUE(store->CheckIntegrity().ok());
  }
  // The first frame's quality byte (after its 8-byte frame number) set to
  // 7: the frames still read, but no longer hash to the entry's name.
  Tamper(path_,
         "UPDATE entry_frames SET frames = CAST(substr(frames, 1, 8) || "
         "X'07' || substr(frames, 10) AS BLOB) WHERE entry_id = " +
             std::to_string(video_id));
  auto store = OpenOk(path_);
  auto entry = store->GetEntry(video_id);
  ASSERT_TRUE(entry.has_value()) << entry.status().ToString();
  EXPECT_EQ(entry->input.frames[0].quality, 7);
  EXPECT_EQ(entry->input.frames[1], VideoFrames(1)[1]);
  Status status = store->CheckIntegrity();
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_THAT(status.message(), HasSubstr("entry " + std::to_string(video_id) +
                                          " is not named by its frames"));
}

TEST_F(SqliteStoreTest, IntegrityCheckFindsFramesMissingOrMisplaced) {
  {
    auto store = OpenOk(path_);
    ASSERT_TRUE(store->CreateBank("reports", "").has_value());
    const std::vector<NewEntry> batch = {ActiveVideo(1), ActiveVideo(2),
                                         ActivePdq(3)};
    ASSERT_TRUE(store->AddEntries("reports", batch).has_value());
  }
  Tamper(path_,
         "DELETE FROM entry_frames WHERE entry_id = 1; "
         "INSERT INTO entry_frames SELECT 3, frames FROM entry_frames "
         "WHERE entry_id = 2; "
         "UPDATE entry_frames SET frames = zeroblob(49) WHERE entry_id = 2");
  auto store = OpenOk(path_);
  Status status = store->CheckIntegrity();
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_THAT(status.message(), HasSubstr("entry 1 is a video without frames"));
  EXPECT_THAT(status.message(),
              HasSubstr("entry 3 has frames but is not a video"));
  EXPECT_THAT(status.message(), HasSubstr("entry 2 is not named by its"));
  auto missing = store->GetEntry(1);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), StatusCode::kInternal);
  EXPECT_THAT(missing.error().message(), HasSubstr("entry 1 has no frames"));
  // A scan stops at the unreadable row rather than hand out a video
  // without its frames.
  Status scan =
      store->ForEachEntry("reports", {}, [](const Entry&) { return true; });
  EXPECT_EQ(scan.code(), StatusCode::kInternal);
}

// One call of 50,000 entries: checks the counts and reports the rate (no
// timing assertion: machines differ).
TEST_F(SqliteStoreTest, AddsFiftyThousandEntriesInOneCall) {
  auto store = OpenOk(path_);
  ASSERT_TRUE(store->CreateBank("reports", "").has_value());
  constexpr int kCount = 50'000;
  std::vector<NewEntry> batch;
  batch.reserve(kCount);
  for (int i = 0; i < kCount; ++i) batch.push_back(ActivePdq(i));
  const auto start = std::chrono::steady_clock::now();
  auto outcome = store->AddEntries("reports", batch);
  const std::chrono::duration<double> elapsed =
      std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(outcome.has_value()) << outcome.status().ToString();
  EXPECT_EQ(outcome->added, static_cast<std::size_t>(kCount));
  std::cout << "[ rate     ] " << kCount << " entries in "
            << elapsed.count() * 1000
            << " ms: " << static_cast<long>(kCount / elapsed.count())
            << " entries/s\n";

  std::int64_t scanned = 0;
  const auto scan_start = std::chrono::steady_clock::now();
  ASSERT_TRUE(store
                  ->ForEachEntry("reports", {},
                                 [&](const Entry&) {
                                   ++scanned;
                                   return true;
                                 })
                  .ok());
  const std::chrono::duration<double> scan_elapsed =
      std::chrono::steady_clock::now() - scan_start;
  EXPECT_EQ(scanned, kCount);
  std::cout << "[ rate     ] scanned in " << scan_elapsed.count() * 1000
            << " ms: " << static_cast<long>(kCount / scan_elapsed.count())
            << " entries/s\n";
  auto again = store->AddEntries("reports", batch);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->unchanged, static_cast<std::size_t>(kCount));
  EXPECT_TRUE(store->CheckIntegrity().ok());
}

}  // namespace
}  // namespace rempart::store
