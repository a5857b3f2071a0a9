// The audit log (audit.h) on SQLite: the chain's hash, appends, what
// verification finds after the file is edited behind the store's back, and
// the records the Store's own mutations leave.
#include "rempart/store/audit.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <thread>
#include <vector>

#include "rempart/core/hex.h"
#include "store/sqlite_database_test.h"

namespace rempart::store {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

AuditEvent Event(std::string action, std::string target,
                 std::string details = "{}") {
  return {std::move(action), std::move(target), std::move(details)};
}

NewEntry ActivePdq(std::uint64_t seed) {
  const std::array<std::uint64_t, 4> words = {seed, ~seed, seed * 3 + 1,
                                              seed ^ 0x5555};
  NewEntry entry;
  entry.input.signal = Signal::Pdq(hash::PdqHash(words));
  entry.input.source_org = "hotline";
  return entry;
}

// Values computed outside Rempart (Python's hashlib over the byte layout
// audit.h gives), so that a change of the layout cannot go unnoticed.
TEST(AuditRecordHashTest, MatchesTheDocumentedLayout) {
  AuditRecord record;
  record.seq = 1;
  record.at_ms = 1'700'000'000'000;
  record.actor = "local:ana";
  record.action = "bank.create";
  record.target = "hotline";
  record.details = "{\"description\":\"Hotline Süd\"}";
  EXPECT_EQ(HexEncode(AuditRecordHash(record)),
            "1d041b5b5b180f6e4d3c4d9cae683e78dcafcb1b5663bb4d13acdbcaa97a791d");

  AuditRecord other;
  for (std::size_t i = 0; i < other.prev_hash.size(); ++i) {
    other.prev_hash[i] = static_cast<std::uint8_t>(i);
  }
  other.seq = 42;
  other.at_ms = -5;
  other.actor = "key:abc";
  other.action = "entry.revoke";
  other.target = "hotline/00ff";
  other.details = "{}";
  other.hash.fill(0xee);  // Ignored.
  EXPECT_EQ(HexEncode(AuditRecordHash(other)),
            "7d5dbed60b3ddaa216fcebaab4a635317de23ddbe98371979cfaee4d419808ad");
}

TEST(AuditRecordHashTest, FieldBoundariesMatter) {
  AuditRecord first;
  first.actor = "ab";
  first.action = "c";
  AuditRecord second = first;
  second.actor = "a";
  second.action = "bc";
  EXPECT_NE(AuditRecordHash(first), AuditRecordHash(second));
  AuditRecord later = first;
  later.seq = 2;
  EXPECT_NE(AuditRecordHash(first), AuditRecordHash(later));
}

class AuditTest : public SqliteDatabaseTest {
 protected:
  AuditRecord Append(const std::string& action, const std::string& target,
                     const std::string& details = "{}") {
    auto record =
        db_.audit->Append(Actor{"key:ops"}, Event(action, target, details));
    EXPECT_TRUE(record.has_value()) << record.status().ToString();
    return record.has_value() ? *record : AuditRecord{};
  }
  void AppendMany(int count) {
    for (int i = 0; i < count; ++i) {
      now_ms_ += 7;
      Append("test.step", "item-" + std::to_string(i),
             "{\"i\":" + std::to_string(i) + "}");
    }
  }
};

TEST_F(AuditTest, AnEmptyLogVerifies) {
  const AuditVerification verification = Verify();
  EXPECT_TRUE(verification.ok());
  EXPECT_EQ(verification.records, 0);
  EXPECT_EQ(verification.head, AuditHash{});
}

TEST_F(AuditTest, AppendsChainAndVerifyAfterManyAppends) {
  AppendMany(300);
  const std::vector<AuditRecord> records = AuditRecords();
  ASSERT_EQ(records.size(), 300u);
  AuditHash previous{};
  for (std::size_t i = 0; i < records.size(); ++i) {
    const AuditRecord& record = records[i];
    EXPECT_EQ(record.seq, static_cast<std::int64_t>(i) + 1);
    EXPECT_EQ(record.prev_hash, previous);
    EXPECT_EQ(record.hash, AuditRecordHash(record));
    EXPECT_EQ(record.actor, "key:ops");
    previous = record.hash;
  }
  EXPECT_EQ(records[0].at_ms, 1'700'000'000'007);
  EXPECT_EQ(records[1].details, "{\"i\":1}");
  AuditVerification verification = Verify();
  EXPECT_TRUE(verification.ok()) << verification.problem;
  EXPECT_EQ(verification.records, 300);
  EXPECT_EQ(verification.head, records.back().hash);
  // The chain continues across a reopen.
  Reopen();
  const AuditRecord next = Append("test.step", "after-reopen");
  EXPECT_EQ(next.seq, 301);
  EXPECT_EQ(next.prev_hash, records.back().hash);
  EXPECT_TRUE(Verify().ok());
  EXPECT_TRUE(db_.store->CheckIntegrity().ok());
}

TEST_F(AuditTest, AppendReturnsWhatItStored) {
  const AuditRecord record =
      Append("case.note", "RMP-7K3Q-9XWD", "{\"note\":\"called back\"}");
  const std::vector<AuditRecord> stored = AuditRecords();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].seq, record.seq);
  EXPECT_EQ(stored[0].at_ms, record.at_ms);
  EXPECT_EQ(stored[0].action, "case.note");
  EXPECT_EQ(stored[0].target, "RMP-7K3Q-9XWD");
  EXPECT_EQ(stored[0].details, "{\"note\":\"called back\"}");
  EXPECT_EQ(stored[0].hash, record.hash);
}

TEST_F(AuditTest, AppendRefusesBadInputAndWritesNothing) {
  const std::string nul("a\0b", 3);
  const std::vector<std::pair<Actor, AuditEvent>> bad = {
      {Actor{""}, Event("a.b", "t")},
      {Actor{std::string(kMaxActorBytes + 1, 'a')}, Event("a.b", "t")},
      {Actor{nul}, Event("a.b", "t")},
      {Actor{"system"}, Event("", "t")},
      {Actor{"system"}, Event(std::string(kMaxAuditActionBytes + 1, 'a'), "t")},
      {Actor{"system"}, Event("a.b", "")},
      {Actor{"system"},
       Event("a.b", std::string(kMaxAuditTargetBytes + 1, 't'))},
      {Actor{"system"}, Event("a.b", nul)},
      {Actor{"system"}, Event("a.b", "t", "")},
      {Actor{"system"}, Event("a.b", "t", "not json")},
      {Actor{"system"}, Event("a.b", "t", "[1, 2]")},
      {Actor{"system"}, Event("a.b", "t", "\"text\"")},
      {Actor{"system"}, Event("a.b", "t", "{\"open\": ")},
      {Actor{"system"},
       Event("a.b", "t",
             "{\"x\":\"" + std::string(kMaxAuditDetailsBytes, 'x') + "\"}")},
  };
  for (const auto& [actor, event] : bad) {
    auto record = db_.audit->Append(actor, event);
    ASSERT_FALSE(record.has_value()) << event.action << " " << event.details;
    EXPECT_EQ(record.error().code(), StatusCode::kInvalidArgument)
        << record.error().ToString();
  }
  EXPECT_EQ(AuditCount(), 0);
  // At the limits is fine.
  EXPECT_TRUE(db_.audit
                  ->Append(Actor{std::string(kMaxActorBytes, 'a')},
                           Event(std::string(kMaxAuditActionBytes, 'a'),
                                 std::string(kMaxAuditTargetBytes, 't'),
                                 "{\"nested\":{\"list\":[1,2,null]}}"))
                  .has_value());
}

TEST_F(AuditTest, ForEachAuditStartsAfterASeqAndStops) {
  AppendMany(10);
  const std::vector<AuditRecord> tail = AuditRecords(7);
  ASSERT_EQ(tail.size(), 3u);
  EXPECT_EQ(tail[0].seq, 8);
  int seen = 0;
  ASSERT_TRUE(db_.audit
                  ->ForEachAudit(0,
                                 [&](const AuditRecord&) {
                                   ++seen;
                                   return seen < 4;
                                 })
                  .ok());
  EXPECT_EQ(seen, 4);
  EXPECT_THAT(AuditRecords(10), IsEmpty());
}

TEST_F(AuditTest, TheLogRefusesEditsThroughSqlite) {
  AppendMany(3);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  for (const char* sql : {"UPDATE audit_log SET details = '{}' WHERE seq = 2",
                          "DELETE FROM audit_log WHERE seq = 3"}) {
    char* error = nullptr;
    EXPECT_NE(sqlite3_exec(db, sql, nullptr, nullptr, &error), SQLITE_OK);
    EXPECT_THAT(error != nullptr ? error : "", HasSubstr("append-only"));
    sqlite3_free(error);
  }
  sqlite3_close(db);
  EXPECT_TRUE(Verify().ok());
}

TEST_F(AuditTest, AnEditedRecordIsTheFirstBadOne) {
  AppendMany(10);
  const std::vector<AuditRecord> records = AuditRecords();
  TamperWithAudit("UPDATE audit_log SET details = '{\"i\":99}' WHERE seq = 4");
  const AuditVerification verification = Verify();
  EXPECT_FALSE(verification.ok());
  EXPECT_EQ(verification.first_bad_seq, 4);
  EXPECT_THAT(verification.problem, HasSubstr("hash does not match"));
  EXPECT_EQ(verification.records, 3);
  EXPECT_EQ(verification.head, records[2].hash);
  // The store's integrity check reports it too.
  Status integrity = db_.store->CheckIntegrity();
  EXPECT_EQ(integrity.code(), StatusCode::kInternal);
  EXPECT_THAT(integrity.message(), HasSubstr("audit record 4"));
}

TEST_F(AuditTest, EditingActorActionTargetOrTimeIsFound) {
  AppendMany(6);
  TamperWithAudit("UPDATE audit_log SET at = at + 1 WHERE seq = 6");
  EXPECT_EQ(Verify().first_bad_seq, 6);
  TamperWithAudit("UPDATE audit_log SET target = 'other' WHERE seq = 5");
  EXPECT_EQ(Verify().first_bad_seq, 5);
  TamperWithAudit("UPDATE audit_log SET action = 'x.y' WHERE seq = 3");
  EXPECT_EQ(Verify().first_bad_seq, 3);
  TamperWithAudit("UPDATE audit_log SET actor = 'system' WHERE seq = 1");
  EXPECT_EQ(Verify().first_bad_seq, 1);
}

TEST_F(AuditTest, ARecordRehashedAfterAnEditBreaksTheNextLink) {
  AppendMany(8);
  AuditRecord edited = AuditRecords()[4];  // seq 5
  edited.details = "{\"i\":1000}";
  const std::string hash = HexEncode(AuditRecordHash(edited));
  TamperWithAudit("UPDATE audit_log SET details = '{\"i\":1000}', hash = X'" +
                  hash + "' WHERE seq = 5");
  const AuditVerification verification = Verify();
  EXPECT_EQ(verification.first_bad_seq, 6);
  EXPECT_THAT(verification.problem, HasSubstr("not the hash of record 5"));
}

TEST_F(AuditTest, ADeletedMiddleRecordIsFound) {
  AppendMany(10);
  TamperWithAudit("DELETE FROM audit_log WHERE seq = 5");
  const AuditVerification verification = Verify();
  EXPECT_EQ(verification.first_bad_seq, 5);
  EXPECT_THAT(verification.problem, HasSubstr("missing"));
  EXPECT_EQ(verification.records, 4);
}

TEST_F(AuditTest, ADeletedAndRenumberedRecordIsFound) {
  AppendMany(10);
  TamperWithAudit(
      "DELETE FROM audit_log WHERE seq = 5;"
      "UPDATE audit_log SET seq = seq - 1 WHERE seq > 5");
  EXPECT_EQ(Verify().first_bad_seq, 5);
}

TEST_F(AuditTest, SwappedRecordsAreFound) {
  AppendMany(10);
  TamperWithAudit(
      "UPDATE audit_log SET seq = 1000 WHERE seq = 3;"
      "UPDATE audit_log SET seq = 3 WHERE seq = 7;"
      "UPDATE audit_log SET seq = 7 WHERE seq = 1000");
  const AuditVerification verification = Verify();
  EXPECT_EQ(verification.first_bad_seq, 3);
  EXPECT_EQ(verification.records, 2);
}

TEST_F(AuditTest, ACutAtTheEndIsNotFoundButTheHeadChanges) {
  AppendMany(5);
  const AuditHash head = Verify().head;
  TamperWithAudit("DELETE FROM audit_log WHERE seq = 5");
  const AuditVerification verification = Verify();
  // What audit.h says the chain cannot show: the head hash kept elsewhere
  // is the only witness.
  EXPECT_TRUE(verification.ok());
  EXPECT_EQ(verification.records, 4);
  EXPECT_NE(verification.head, head);
}

TEST_F(AuditTest, ConcurrentAppendsKeepTheChain) {
  constexpr int kThreads = 4;
  constexpr int kAppends = 60;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < kAppends; ++i) {
        auto record =
            db_.audit->Append(Actor{"thread:" + std::to_string(t)},
                              Event("test.step", "item-" + std::to_string(i)));
        EXPECT_TRUE(record.has_value()) << record.status().ToString();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const AuditVerification verification = Verify();
  EXPECT_TRUE(verification.ok()) << verification.problem;
  EXPECT_EQ(verification.records, kThreads * kAppends);
}

// Two connections to one file, as a service and an ops command would have:
// the write lock, not the in-process mutex, keeps the chain linear.
TEST_F(AuditTest, TwoConnectionsAppendingKeepTheChain) {
  SqliteDatabase second = Open();
  ASSERT_NE(second.audit, nullptr);
  constexpr int kAppends = 80;
  auto append = [](AuditLog& log, const std::string& who) {
    for (int i = 0; i < kAppends; ++i) {
      auto record =
          log.Append(Actor{who}, Event("test.step", std::to_string(i)));
      EXPECT_TRUE(record.has_value()) << record.status().ToString();
    }
  };
  std::thread first_writer(append, std::ref(*db_.audit), "first");
  std::thread second_writer(append, std::ref(*second.audit), "second");
  first_writer.join();
  second_writer.join();
  const AuditVerification verification = Verify();
  EXPECT_TRUE(verification.ok()) << verification.problem;
  EXPECT_EQ(verification.records, 2 * kAppends);
}

// The Store's own mutations.
class StoreAuditTest : public SqliteDatabaseTest {
 protected:
  const Actor kAnalyst{"key:analyst1"};
};

TEST_F(StoreAuditTest, CreateBankLeavesOneRecord) {
  now_ms_ = 1'700'000'000'123;
  ASSERT_TRUE(db_.store->CreateBank("hotline", "Verified \"reports\"", kAnalyst)
                  .has_value());
  const std::vector<AuditRecord> records = AuditRecords();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].seq, 1);
  EXPECT_EQ(records[0].at_ms, 1'700'000'000'123);
  EXPECT_EQ(records[0].actor, "key:analyst1");
  EXPECT_EQ(records[0].action, "bank.create");
  EXPECT_EQ(records[0].target, "hotline");
  EXPECT_EQ(records[0].details,
            "{\"description\":\"Verified \\\"reports\\\"\"}");
  // The overload without an actor records "local".
  ASSERT_TRUE(db_.store->CreateBank("second", "").has_value());
  EXPECT_EQ(AuditRecords(1).at(0).actor, "local");
}

TEST_F(StoreAuditTest, FailedMutationsLeaveNoRecord) {
  ASSERT_TRUE(db_.store->CreateBank("hotline", "", kAnalyst).has_value());
  const std::vector<NewEntry> batch = {ActivePdq(1)};
  ASSERT_TRUE(db_.store->AddEntries("hotline", batch, kAnalyst).has_value());
  ASSERT_EQ(AuditCount(), 2);

  NewEntry invalid = ActivePdq(2);
  invalid.input.quality = 101;
  const std::vector<NewEntry> bad_batch = {ActivePdq(3), invalid};
  EXPECT_FALSE(db_.store->CreateBank("hotline", "", kAnalyst).has_value());
  EXPECT_FALSE(db_.store->CreateBank("Bad Name", "", kAnalyst).has_value());
  EXPECT_FALSE(db_.store->CreateBank("ok", "", Actor{""}).has_value());
  EXPECT_FALSE(db_.store->AddEntries("nobody", batch, kAnalyst).has_value());
  EXPECT_FALSE(
      db_.store->AddEntries("hotline", bad_batch, kAnalyst).has_value());
  EXPECT_FALSE(db_.store->AddEntries("hotline", batch, Actor{""}).has_value());
  EXPECT_FALSE(
      db_.store->Revoke("hotline", ActivePdq(9).input.signal, "gone", kAnalyst)
          .has_value());
  EXPECT_FALSE(db_.store->Revoke("hotline", batch[0].input.signal, "", kAnalyst)
                   .has_value());
  EXPECT_FALSE(
      db_.store->Revoke("nobody", batch[0].input.signal, "gone", kAnalyst)
          .has_value());
  EXPECT_EQ(AuditCount(), 2);
  EXPECT_TRUE(Verify().ok());
  // And the failed create left no bank behind.
  EXPECT_FALSE(db_.store->GetBank("ok").has_value());
}

TEST_F(StoreAuditTest, AddEntriesRecordsEvenWhenNothingIsNew) {
  ASSERT_TRUE(db_.store->CreateBank("hotline", "", kAnalyst).has_value());
  const std::vector<NewEntry> batch = {ActivePdq(1), ActivePdq(2),
                                       ActivePdq(1)};
  auto first = db_.store->AddEntries("hotline", batch, kAnalyst);
  ASSERT_TRUE(first.has_value());
  auto again = db_.store->AddEntries("hotline", batch, kAnalyst);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->revision, 0);
  // An empty batch asks for nothing and is not recorded.
  ASSERT_TRUE(db_.store->AddEntries("hotline", {}, kAnalyst).has_value());

  const std::vector<AuditRecord> records = AuditRecords(1);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].action, "entries.add");
  EXPECT_EQ(records[0].target, "hotline");
  EXPECT_EQ(records[0].details, "{\"added\":2,\"unchanged\":1,\"revision\":" +
                                    std::to_string(first->revision) + "}");
  EXPECT_EQ(records[1].details, "{\"added\":0,\"unchanged\":3,\"revision\":0}");
  // Nothing new: the store's revision did not move.
  EXPECT_EQ(*db_.store->CurrentRevision(), first->revision);
  EXPECT_TRUE(db_.store->CheckIntegrity().ok());
}

TEST_F(StoreAuditTest, AddEntriesCountsTheSignaturesItStored) {
  ASSERT_TRUE(db_.store->CreateBank("hotline", "", kAnalyst).has_value());
  std::vector<NewEntry> batch = {ActivePdq(1), ActivePdq(2), ActivePdq(3)};
  for (std::size_t i = 0; i < 2; ++i) {
    hash::Patch patch;
    patch.x = patch.y = 0.5f;
    patch.side = 0.25f;
    batch[i].input.patches = hash::PatchSignature{100, 100, {patch}};
  }
  ASSERT_TRUE(db_.store->AddEntries("hotline", batch, kAnalyst).has_value());
  // Again: nothing added, so no signature stored either.
  ASSERT_TRUE(db_.store->AddEntries("hotline", batch, kAnalyst).has_value());
  const std::vector<AuditRecord> records = AuditRecords(1);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].details,
            "{\"added\":3,\"unchanged\":0,\"revision\":1,\"patches\":2}");
  EXPECT_EQ(records[1].details, "{\"added\":0,\"unchanged\":3,\"revision\":0}");
}

TEST_F(StoreAuditTest, RevokeRecordsTheSignalAndTheReason) {
  ASSERT_TRUE(db_.store->CreateBank("hotline", "", kAnalyst).has_value());
  const std::vector<NewEntry> batch = {ActivePdq(1)};
  ASSERT_TRUE(db_.store->AddEntries("hotline", batch, kAnalyst).has_value());
  const Signal& signal = batch[0].input.signal;
  auto revoked = db_.store->Revoke("hotline", signal, "appeal\tupheld",
                                   Actor{"key:admin"});
  ASSERT_TRUE(revoked.has_value());
  auto twice = db_.store->Revoke("hotline", signal, "again", kAnalyst);
  ASSERT_TRUE(twice.has_value());
  EXPECT_EQ(twice->revoke_reason, "appeal\tupheld");

  const std::vector<AuditRecord> records = AuditRecords(2);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].action, "entry.revoke");
  EXPECT_EQ(records[0].actor, "key:admin");
  EXPECT_EQ(records[0].target, "hotline/" + signal.hex());
  EXPECT_EQ(records[0].details,
            "{\"kind\":\"pdq\",\"reason\":\"appeal\\tupheld\",\"revision\":2}");
  EXPECT_EQ(records[1].details,
            "{\"kind\":\"pdq\",\"reason\":\"again\",\"revision\":0,"
            "\"unchanged\":true}");
  EXPECT_TRUE(Verify().ok());
  EXPECT_TRUE(db_.store->CheckIntegrity().ok());
}

TEST_F(StoreAuditTest, DetailsEscapeControlCharacters) {
  const std::string description = std::string("line\none \x01 back\\slash");
  ASSERT_TRUE(
      db_.store->CreateBank("hotline", description, kAnalyst).has_value());
  EXPECT_EQ(AuditRecords().at(0).details,
            "{\"description\":\"line\\none \\u0001 back\\\\slash\"}");
  EXPECT_THAT(AuditRecords().at(0).details, Not(HasSubstr("\n")));
}

TEST_F(StoreAuditTest, MutationsFromManyThreadsKeepTheChain) {
  ASSERT_TRUE(db_.store->CreateBank("hotline", "", kAnalyst).has_value());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < 25; ++i) {
        const std::vector<NewEntry> batch = {ActivePdq(t * 1000 + i)};
        EXPECT_TRUE(db_.store->AddEntries("hotline", batch).has_value());
        EXPECT_TRUE(db_.audit->Append(Actor{"system"}, Event("test.step", "x"))
                        .has_value());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const AuditVerification verification = Verify();
  EXPECT_TRUE(verification.ok()) << verification.problem;
  EXPECT_EQ(verification.records, 1 + 4 * 25 * 2);
  EXPECT_TRUE(db_.store->CheckIntegrity().ok());
}

}  // namespace
}  // namespace rempart::store
