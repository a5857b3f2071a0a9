// The CaseStore (cases.h) on SQLite, and the case vocabulary.
#include "rempart/store/cases.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "rempart/hash/vpdq.h"
#include "store/sqlite_database_test.h"

namespace rempart::store {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(CaseStatusTest, NamesRoundTrip) {
  for (CaseStatus status :
       {CaseStatus::kReceived, CaseStatus::kInReview, CaseStatus::kNeedsInfo,
        CaseStatus::kVerified, CaseStatus::kRejected}) {
    auto parsed = ParseCaseStatus(CaseStatusName(status));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, status);
  }
  EXPECT_EQ(CaseStatusName(CaseStatus::kNeedsInfo), "needs_info");
  EXPECT_FALSE(ParseCaseStatus("closed").has_value());
}

TEST(ValidateCaseCodeTest, AcceptsCrockfordCodesOnly) {
  for (const char* good : {"RMP-7K3Q-9XWD", "RMP-0000-ZZZZ", "RMP-ABCD-EFGH"}) {
    EXPECT_TRUE(ValidateCaseCode(good).ok()) << good;
  }
  for (const char* bad :
       {"", "RMP-7K3Q9XWD", "RMP-7K3Q-9XW", "RMP-7K3Q-9XWDD", "rmp-7k3q-9xwd",
        "RMP-7K3Q-9XWI", "RMP-7K3L-9XWD", "RMP-7K3O-9XWD", "RMP-7K3U-9XWD",
        "XYZ-7K3Q-9XWD", "RMP-7K3Q_9XWD", "RMP--K3Q-9XWD"}) {
    EXPECT_EQ(ValidateCaseCode(bad).code(), StatusCode::kInvalidArgument)
        << bad;
  }
}

Signal Sha256Signal(std::uint8_t seed) {
  hash::Sha256Digest digest{};
  digest.fill(seed);
  return Signal::Sha256(digest);
}

Signal PdqSignal(std::uint64_t seed) {
  const std::array<std::uint64_t, 4> words = {seed, ~seed, seed * 5, 1};
  return Signal::Pdq(hash::PdqHash(words));
}

// A video of `count` frames for seed `seed`, at one frame a second of a
// 30 fps video (timestamps in thirtieths of a second).
std::vector<hash::VpdqFrame> Video(std::uint64_t seed, std::size_t count = 3) {
  std::vector<hash::VpdqFrame> frames;
  frames.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::array<std::uint64_t, 4> words = {seed, i, seed * 3 + i, 9};
    frames.push_back({static_cast<std::int64_t>(i * 30), 90,
                      hash::PdqHash(words), static_cast<double>(i * 30) / 30});
  }
  frames.front().timestamp_seconds = 1.0 / 30;
  frames.front().frame_number = 1;
  return frames;
}

class CaseStoreTest : public SqliteDatabaseTest {
 protected:
  static NewCase Report(const std::string& code) {
    NewCase report;
    report.code = code;
    report.category = Category::kSextortion;
    report.signals = {PdqSignal(1), Sha256Signal(2)};
    report.channel = "victim";
    report.secret_salt.fill(0x11);
    report.secret_hash.fill(0x22);
    report.sealed_contact = std::string("sealed\0bytes\xff", 13);
    return report;
  }
  Case Create(const std::string& code) {
    auto created = db_.cases->CreateCase(Report(code), kVictim);
    EXPECT_TRUE(created.has_value()) << created.status().ToString();
    return created.has_value() ? *created : Case{};
  }
  std::vector<std::string> Codes(const CaseFilter& filter) {
    auto cases = db_.cases->ListCases(filter);
    EXPECT_TRUE(cases.has_value()) << cases.status().ToString();
    std::vector<std::string> codes;
    if (cases.has_value()) {
      for (const Case& found : *cases) codes.push_back(found.code);
    }
    return codes;
  }

  const Actor kVictim{"case:RMP-7K3Q-9XWD"};
  const Actor kAnalyst{"key:analyst1"};
};

TEST_F(CaseStoreTest, CreatesAndGetsACase) {
  now_ms_ = 1'700'000'000'900;
  NewCase report = Report("RMP-7K3Q-9XWD");
  // A duplicate is stored once, in the place it first appeared.
  report.signals = {PdqSignal(1), Sha256Signal(2), PdqSignal(1),
                    Sha256Signal(3), Sha256Signal(2)};
  auto created = db_.cases->CreateCase(report, kVictim);
  ASSERT_TRUE(created.has_value()) << created.status().ToString();
  EXPECT_GT(created->id, 0);

  Reopen();
  auto got = db_.cases->GetCase("RMP-7K3Q-9XWD");
  ASSERT_TRUE(got.has_value()) << got.status().ToString();
  EXPECT_EQ(got->id, created->id);
  EXPECT_EQ(got->code, "RMP-7K3Q-9XWD");
  EXPECT_EQ(got->category, Category::kSextortion);
  EXPECT_EQ(got->channel, "victim");
  EXPECT_EQ(got->status, CaseStatus::kReceived);
  EXPECT_EQ(got->reason, "");
  EXPECT_THAT(got->signals,
              ElementsAre(PdqSignal(1), Sha256Signal(2), Sha256Signal(3)));
  EXPECT_EQ(got->secret_salt, report.secret_salt);
  EXPECT_EQ(got->secret_hash, report.secret_hash);
  EXPECT_EQ(got->sealed_contact, report.sealed_contact);
  EXPECT_EQ(got->created_at_ms, 1'700'000'000'900);
  EXPECT_EQ(got->updated_at_ms, 1'700'000'000'900);
  ASSERT_EQ(got->history.size(), 1u);
  EXPECT_EQ(got->history[0].status, CaseStatus::kReceived);
  EXPECT_EQ(got->history[0].actor, "case:RMP-7K3Q-9XWD");
  EXPECT_EQ(got->history[0].at_ms, 1'700'000'000'900);
  EXPECT_EQ(created->signals, got->signals);
  EXPECT_EQ(created->history.size(), 1u);
}

TEST_F(CaseStoreTest, ACaseWithoutContactIsFine) {
  NewCase report = Report("RMP-AAAA-BBBB");
  report.sealed_contact.clear();
  report.channel = "analyst";
  report.signals = std::vector<Signal>(kMaxCaseSignals, PdqSignal(4));
  auto created = db_.cases->CreateCase(report, kAnalyst);
  ASSERT_TRUE(created.has_value()) << created.status().ToString();
  EXPECT_EQ(created->sealed_contact, "");
  EXPECT_EQ(created->channel, "analyst");
  EXPECT_EQ(created->signals.size(), 1u);
}

TEST_F(CaseStoreTest, DuplicateCodeIsAlreadyExists) {
  Create("RMP-7K3Q-9XWD");
  const std::int64_t records = AuditCount();
  auto again = db_.cases->CreateCase(Report("RMP-7K3Q-9XWD"), kVictim);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(AuditCount(), records);
  EXPECT_EQ(db_.cases->ListCases({})->size(), 1u);
}

TEST_F(CaseStoreTest, InvalidCasesAreRefusedAndNotRecorded) {
  std::vector<NewCase> bad(6, Report("RMP-7K3Q-9XWD"));
  bad[0].code = "RMP-7K3Q-9XWI";
  bad[1].signals.clear();
  bad[2].signals = std::vector<Signal>(kMaxCaseSignals + 1, PdqSignal(1));
  bad[3].channel = "email";
  bad[4].sealed_contact = std::string(kMaxSealedContactBytes + 1, 's');
  bad[5].category = static_cast<Category>(9);
  for (const NewCase& report : bad) {
    auto created = db_.cases->CreateCase(report, kVictim);
    ASSERT_FALSE(created.has_value());
    EXPECT_EQ(created.error().code(), StatusCode::kInvalidArgument)
        << created.error().ToString();
  }
  EXPECT_EQ(
      db_.cases->CreateCase(Report("RMP-7K3Q-9XWD"), Actor{""}).status().code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(AuditCount(), 0);
  EXPECT_TRUE(db_.cases->ListCases({})->empty());
  NewCase at_limit = Report("RMP-7K3Q-9XWD");
  at_limit.sealed_contact = std::string(kMaxSealedContactBytes, 's');
  EXPECT_TRUE(db_.cases->CreateCase(at_limit, kVictim).has_value());
}

TEST_F(CaseStoreTest, StatusChangesBuildTheHistory) {
  Create("RMP-7K3Q-9XWD");
  now_ms_ += 1000;
  auto review = db_.cases->SetCaseStatus("RMP-7K3Q-9XWD", CaseStatus::kInReview,
                                         "", kAnalyst);
  ASSERT_TRUE(review.has_value()) << review.status().ToString();
  EXPECT_EQ(review->status, CaseStatus::kInReview);
  EXPECT_EQ(review->updated_at_ms, now_ms_.load());
  now_ms_ += 1000;
  auto needs = db_.cases->SetCaseStatus("RMP-7K3Q-9XWD", CaseStatus::kNeedsInfo,
                                        "Which site is it on?", kAnalyst);
  ASSERT_TRUE(needs.has_value());
  EXPECT_EQ(needs->reason, "Which site is it on?");
  now_ms_ += 1000;
  auto verified = db_.cases->SetCaseStatus(
      "RMP-7K3Q-9XWD", CaseStatus::kVerified, "", Actor{"key:analyst2"});
  ASSERT_TRUE(verified.has_value());
  // The case's reason is the latest step's.
  EXPECT_EQ(verified->reason, "");

  auto got = db_.cases->GetCase("RMP-7K3Q-9XWD");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->status, CaseStatus::kVerified);
  ASSERT_EQ(got->history.size(), 4u);
  EXPECT_EQ(got->history[1].status, CaseStatus::kInReview);
  EXPECT_EQ(got->history[1].actor, "key:analyst1");
  EXPECT_EQ(got->history[2].status, CaseStatus::kNeedsInfo);
  EXPECT_EQ(got->history[2].reason, "Which site is it on?");
  EXPECT_EQ(got->history[3].actor, "key:analyst2");
  EXPECT_LT(got->history[2].at_ms, got->history[3].at_ms);
  EXPECT_EQ(got->created_at_ms + 3000, got->updated_at_ms);
  EXPECT_TRUE(db_.store->CheckIntegrity().ok());
}

TEST_F(CaseStoreTest, ReasonRules) {
  Create("RMP-7K3Q-9XWD");
  const std::int64_t records = AuditCount();
  const std::string code = "RMP-7K3Q-9XWD";
  for (CaseStatus status : {CaseStatus::kRejected, CaseStatus::kNeedsInfo}) {
    EXPECT_EQ(
        db_.cases->SetCaseStatus(code, status, "", kAnalyst).status().code(),
        StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(
      db_.cases
          ->SetCaseStatus(code, CaseStatus::kRejected,
                          std::string(kMaxCaseReasonBytes + 1, 'r'), kAnalyst)
          .status()
          .code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(db_.cases
                ->SetCaseStatus(code, CaseStatus::kInReview,
                                std::string("a\0b", 3), kAnalyst)
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(
      db_.cases
          ->SetCaseStatus("RMP-0000-0000", CaseStatus::kInReview, "", kAnalyst)
          .status()
          .code(),
      StatusCode::kNotFound);
  EXPECT_EQ(db_.cases->GetCase("RMP-0000-0000").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(AuditCount(), records);
  EXPECT_EQ(db_.cases->GetCase(code)->history.size(), 1u);
  // A reason may come with any status; at the limit is fine.
  EXPECT_TRUE(db_.cases
                  ->SetCaseStatus(code, CaseStatus::kRejected,
                                  std::string(kMaxCaseReasonBytes, 'r'),
                                  kAnalyst)
                  .has_value());
  EXPECT_TRUE(
      db_.cases
          ->SetCaseStatus(code, CaseStatus::kInReview, "reopened", kAnalyst)
          .has_value());
}

TEST_F(CaseStoreTest, EachChangeLeavesOneRecordWithoutTheContact) {
  const Case created = Create("RMP-7K3Q-9XWD");
  ASSERT_TRUE(db_.cases
                  ->SetCaseStatus("RMP-7K3Q-9XWD", CaseStatus::kRejected,
                                  "not \"intimate\"", kAnalyst)
                  .has_value());
  const std::vector<AuditRecord> records = AuditRecords();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].action, "case.create");
  EXPECT_EQ(records[0].target, "RMP-7K3Q-9XWD");
  EXPECT_EQ(records[0].actor, "case:RMP-7K3Q-9XWD");
  EXPECT_EQ(records[0].details,
            "{\"category\":\"sextortion\",\"channel\":\"victim\","
            "\"signals\":2}");
  EXPECT_THAT(records[0].details, Not(HasSubstr("sealed")));
  EXPECT_EQ(records[1].action, "case.status");
  EXPECT_EQ(records[1].actor, "key:analyst1");
  EXPECT_EQ(records[1].details,
            "{\"from\":\"received\",\"status\":\"rejected\","
            "\"reason\":\"not \\\"intimate\\\"\"}");
  EXPECT_TRUE(Verify().ok());
}

TEST_F(CaseStoreTest, ListFiltersAndPages) {
  const std::vector<std::string> codes = {
      "RMP-0000-0001", "RMP-0000-0002", "RMP-0000-0003", "RMP-0000-0004",
      "RMP-0000-0005", "RMP-0000-0006", "RMP-0000-0007"};
  std::vector<std::int64_t> ids;
  for (const std::string& code : codes) ids.push_back(Create(code).id);
  for (const char* code : {"RMP-0000-0002", "RMP-0000-0005", "RMP-0000-0006"}) {
    ASSERT_TRUE(
        db_.cases->SetCaseStatus(code, CaseStatus::kInReview, "", kAnalyst)
            .has_value());
  }
  CaseFilter page;
  page.limit = 3;
  EXPECT_THAT(Codes(page), ElementsAre(codes[0], codes[1], codes[2]));
  page.after_id = ids[2];
  EXPECT_THAT(Codes(page), ElementsAre(codes[3], codes[4], codes[5]));
  page.after_id = ids[5];
  EXPECT_THAT(Codes(page), ElementsAre(codes[6]));
  page.after_id = ids[6];
  EXPECT_TRUE(Codes(page).empty());

  CaseFilter in_review;
  in_review.status = CaseStatus::kInReview;
  in_review.limit = 2;
  EXPECT_THAT(Codes(in_review), ElementsAre(codes[1], codes[4]));
  in_review.after_id = ids[4];
  EXPECT_THAT(Codes(in_review), ElementsAre(codes[5]));
  CaseFilter received;
  received.status = CaseStatus::kReceived;
  EXPECT_THAT(Codes(received),
              ElementsAre(codes[0], codes[2], codes[3], codes[6]));
  CaseFilter rejected;
  rejected.status = CaseStatus::kRejected;
  EXPECT_TRUE(Codes(rejected).empty());

  // Listed cases are whole.
  auto listed = db_.cases->ListCases(in_review);
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].signals.size(), 2u);
  EXPECT_EQ((*listed)[0].history.size(), 2u);

  CaseFilter bad;
  bad.limit = 0;
  EXPECT_EQ(db_.cases->ListCases(bad).status().code(),
            StatusCode::kInvalidArgument);
  bad.limit = kMaxCaseListLimit + 1;
  EXPECT_EQ(db_.cases->ListCases(bad).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(CaseStoreTest, WorkflowStepsKeepReasonCodesMessagesNotesAndReplies) {
  Create("RMP-7K3Q-9XWD");
  const std::string code = "RMP-7K3Q-9XWD";
  CaseUpdate ask;
  ask.status = CaseStatus::kNeedsInfo;
  ask.action = "request_info";
  ask.reason = "Where?";
  ask.message = "Where did you see it?";
  ask.note = "probably a forum";
  auto asked = db_.cases->UpdateCase(code, ask, kAnalyst);
  ASSERT_TRUE(asked.has_value()) << asked.status().ToString();
  EXPECT_EQ(asked->message, "Where did you see it?");
  EXPECT_EQ(asked->history.back().note, "probably a forum");
  EXPECT_EQ(asked->history.back().action, "request_info");

  CaseUpdate reply;
  reply.status = CaseStatus::kReceived;
  reply.action = "reply";
  reply.only_from = {CaseStatus::kNeedsInfo};
  reply.sealed_reply = std::string("sealed\0reply", 12);
  reply.add_signals = {Sha256Signal(2), Sha256Signal(9), Sha256Signal(9)};
  auto replied = db_.cases->UpdateCase(code, reply, kVictim);
  ASSERT_TRUE(replied.has_value()) << replied.status().ToString();
  EXPECT_EQ(replied->status, CaseStatus::kReceived);
  EXPECT_EQ(replied->message, "");  // The latest step's: none.
  EXPECT_THAT(replied->signals,
              ElementsAre(PdqSignal(1), Sha256Signal(2), Sha256Signal(9)));
  ASSERT_EQ(replied->replies.size(), 1u);
  EXPECT_EQ(replied->replies[0].sealed_message, reply.sealed_reply);
  // Only while the case waits for one.
  const std::int64_t records = AuditCount();
  auto again = db_.cases->UpdateCase(code, reply, kVictim);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(AuditCount(), records);

  CaseUpdate reject;
  reject.status = CaseStatus::kRejected;
  reject.action = "reject";
  reject.reason = "public_context";
  reject.reason_code = "public_context";
  auto rejected = db_.cases->UpdateCase(code, reject, kAnalyst);
  ASSERT_TRUE(rejected.has_value());
  EXPECT_EQ(rejected->reason_code, "public_context");
  const std::vector<AuditRecord> audit = AuditRecords();
  EXPECT_EQ(audit.back().action, "case.reject");
  EXPECT_THAT(audit.back().details, HasSubstr("\"reason_code\""));
  EXPECT_EQ(audit[2].action, "case.reply");
  EXPECT_THAT(audit[2].details, Not(HasSubstr("sealed")));
  EXPECT_THAT(audit[1].details, Not(HasSubstr("forum")));

  const std::vector<std::function<void(CaseUpdate&)>> breakers = {
      [](CaseUpdate& u) { u.reason_code = "Not Intimate"; },
      [](CaseUpdate& u) { u.action.clear(); },
      [](CaseUpdate& u) { u.note = std::string(kMaxCaseNoteBytes + 1, 'n'); },
      [](CaseUpdate& u) { u.message = std::string("a\0b", 3); },
      [](CaseUpdate& u) { u.reason.clear(); },
  };
  for (const auto& breaker : breakers) {
    CaseUpdate bad = reject;
    breaker(bad);
    EXPECT_EQ(db_.cases->UpdateCase(code, bad, kAnalyst).status().code(),
              StatusCode::kInvalidArgument);
  }
  EXPECT_TRUE(db_.store->CheckIntegrity().ok());
  EXPECT_TRUE(Verify().ok());
}

TEST_F(CaseStoreTest, PublishingAddsEntriesLinksThemAndRecordsOutcomes) {
  Create("RMP-7K3Q-9XWD");
  Create("RMP-AAAA-BBBB");  // The same two signals, reported twice.
  ASSERT_TRUE(db_.store->CreateBank("hotline", "").has_value());
  const std::string_view org = "hotline-fr";
  EXPECT_EQ(db_.cases->PublishCase("RMP-7K3Q-9XWD", "nobank", org, "", kAnalyst)
                .status()
                .code(),
            StatusCode::kNotFound);
  auto first = db_.cases->PublishCase("RMP-7K3Q-9XWD", "hotline", org,
                                      "checked", kAnalyst);
  ASSERT_TRUE(first.has_value()) << first.status().ToString();
  EXPECT_EQ(first->status, CaseStatus::kVerified);
  ASSERT_TRUE(first->published.has_value());
  EXPECT_EQ(first->published->bank, "hotline");
  ASSERT_EQ(first->published->entry_ids.size(), 2u);
  EXPECT_EQ(first->history.back().note, "checked");
  auto stored = db_.store->GetEntry(first->published->entry_ids[0]);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->input.signal, PdqSignal(1));
  EXPECT_EQ(stored->input.external_id, "RMP-7K3Q-9XWD");
  EXPECT_EQ(stored->input.source_org, "hotline-fr");
  EXPECT_EQ(
      db_.cases->PublishCase("RMP-7K3Q-9XWD", "hotline", org, "", kAnalyst)
          .status()
          .code(),
      StatusCode::kAlreadyExists);

  // The second case links to the entries already there.
  auto second =
      db_.cases->PublishCase("RMP-AAAA-BBBB", "hotline", org, "", kAnalyst);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->published->entry_ids, first->published->entry_ids);
  EXPECT_EQ(db_.store->Stats("hotline")->active_pdq, 1);
  EXPECT_EQ(db_.store->Stats("hotline")->active_sha256, 1);
  EXPECT_EQ(*db_.cases->PublishedEntryIds(), first->published->entry_ids);

  // A match counts once per case, platform and entry; removals each time.
  const std::int64_t entry_id = first->published->entry_ids[1];
  const Actor platform{"key:platform1"};
  EXPECT_EQ(*db_.cases->RecordOutcome(entry_id, OutcomeKind::kMatch,
                                      "platform1", platform),
            2u);
  const std::int64_t records = AuditCount();
  EXPECT_EQ(*db_.cases->RecordOutcome(entry_id, OutcomeKind::kMatch,
                                      "platform1", platform),
            0u);
  EXPECT_EQ(AuditCount(), records);
  EXPECT_EQ(*db_.cases->RecordOutcome(entry_id, OutcomeKind::kMatch,
                                      "platform2", Actor{"key:platform2"}),
            2u);
  EXPECT_EQ(*db_.cases->RecordOutcome(entry_id, OutcomeKind::kRemoval,
                                      "platform1", platform),
            2u);
  EXPECT_EQ(*db_.cases->RecordOutcome(entry_id, OutcomeKind::kRemoval,
                                      "platform1", platform),
            2u);
  auto got = db_.cases->GetCase("RMP-AAAA-BBBB");
  ASSERT_TRUE(got.has_value());
  ASSERT_EQ(got->outcomes.size(), 4u);
  EXPECT_EQ(got->outcomes[0].kind, OutcomeKind::kMatch);
  EXPECT_EQ(got->outcomes[0].platform, "platform1");
  EXPECT_EQ(got->outcomes[3].kind, OutcomeKind::kRemoval);
  EXPECT_EQ(
      db_.cases
          ->RecordOutcome(entry_id + 100, OutcomeKind::kMatch, "p", platform)
          .status()
          .code(),
      StatusCode::kNotFound);
  EXPECT_TRUE(db_.store->CheckIntegrity().ok());
  EXPECT_TRUE(Verify().ok());
}

TEST_F(CaseStoreTest, SearchByCategoryCodeDigestAndNearbyPdq) {
  NewCase other = Report("RMP-AAAA-BBBB");
  other.category = Category::kSynthetic;
  other.signals = {Sha256Signal(7)};
  const Case first = Create("RMP-7K3Q-9XWD");
  ASSERT_TRUE(db_.cases->CreateCase(other, kVictim).has_value());
  CaseFilter by_category;
  by_category.category = Category::kSynthetic;
  EXPECT_THAT(Codes(by_category), ElementsAre("RMP-AAAA-BBBB"));
  CaseFilter by_code;
  by_code.code = "RMP-7K3Q-9XWD";
  EXPECT_THAT(Codes(by_code), ElementsAre("RMP-7K3Q-9XWD"));
  by_code.category = Category::kSynthetic;
  EXPECT_TRUE(Codes(by_code).empty());
  CaseFilter by_digest;
  by_digest.signal = Sha256Signal(7);
  EXPECT_THAT(Codes(by_digest), ElementsAre("RMP-AAAA-BBBB"));
  by_digest.after_id = first.id + 1;
  EXPECT_TRUE(Codes(by_digest).empty());
  // PDQ: within the radius of any of a case's PDQ signals.
  const std::array<std::uint64_t, 4> words = {1, ~std::uint64_t{1}, 5, 1};
  std::array<std::uint64_t, 4> near = words;
  near[0] ^= 0xFF;  // 8 bits away from PdqSignal(1).
  CaseFilter by_pdq;
  by_pdq.signal = Signal::Pdq(hash::PdqHash(near));
  EXPECT_THAT(Codes(by_pdq), ElementsAre("RMP-7K3Q-9XWD"));
  by_pdq.pdq_radius = 7;
  EXPECT_TRUE(Codes(by_pdq).empty());
  by_pdq.pdq_radius = 300;
  EXPECT_EQ(db_.cases->ListCases(by_pdq).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(CaseStoreTest, AVideoIsKeptByNameWithItsFrames) {
  NewCase report = Report("RMP-7K3Q-9XWD");
  report.signals = {PdqSignal(1)};
  // The first video twice: stored once.
  report.videos = {Video(1), Video(2, 40), Video(1)};
  auto created = db_.cases->CreateCase(report, kVictim);
  ASSERT_TRUE(created.has_value()) << created.status().ToString();
  EXPECT_THAT(created->signals,
              ElementsAre(PdqSignal(1), Signal::Vpdq(Video(1)),
                          Signal::Vpdq(Video(2, 40))));
  ASSERT_EQ(created->videos.size(), 2u);
  EXPECT_EQ(created->videos[0], Video(1));
  EXPECT_EQ(created->videos[1], Video(2, 40));
  const std::vector<AuditRecord> records = AuditRecords();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].details,
            "{\"category\":\"sextortion\",\"channel\":\"victim\","
            "\"signals\":3,\"videos\":2}");

  Reopen();
  auto got = db_.cases->GetCase("RMP-7K3Q-9XWD");
  ASSERT_TRUE(got.has_value()) << got.status().ToString();
  EXPECT_EQ(got->signals, created->signals);
  ASSERT_EQ(got->videos.size(), 2u);
  EXPECT_EQ(got->videos[0], Video(1));
  EXPECT_EQ(hash::FormatVpdq(got->videos[0]), hash::FormatVpdq(Video(1)));
  EXPECT_THAT(hash::FormatVpdqFrame(got->videos[0][0]), HasSubstr(",0.033"));
  EXPECT_EQ(got->videos[1], Video(2, 40));

  // A case of videos only is a case too.
  NewCase videos_only = Report("RMP-AAAA-BBBB");
  videos_only.signals.clear();
  videos_only.videos = {Video(3)};
  auto second = db_.cases->CreateCase(videos_only, kVictim);
  ASSERT_TRUE(second.has_value()) << second.status().ToString();
  EXPECT_THAT(second->signals, ElementsAre(Signal::Vpdq(Video(3))));

  // Found by a video's name, like any exact signal.
  CaseFilter by_video;
  by_video.signal = Signal::Vpdq(Video(2, 40));
  EXPECT_THAT(Codes(by_video), ElementsAre("RMP-7K3Q-9XWD"));
  by_video.signal = Signal::Vpdq(Video(3));
  EXPECT_THAT(Codes(by_video), ElementsAre("RMP-AAAA-BBBB"));
  by_video.signal = Signal::Vpdq(Video(4));
  EXPECT_TRUE(Codes(by_video).empty());
  auto listed = db_.cases->ListCases({});
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].videos.size(), 2u);
  EXPECT_EQ((*listed)[1].videos.size(), 1u);
  EXPECT_TRUE(db_.store->CheckIntegrity().ok());
}

TEST_F(CaseStoreTest, InvalidVideosAreRefusedAndNotRecorded) {
  struct Bad {
    std::string what;
    NewCase report;
  };
  std::vector<Bad> bad;
  NewCase report = Report("RMP-7K3Q-9XWD");
  std::vector<hash::VpdqFrame> frames = Video(2);
  frames[2].quality = 101;
  report.videos = {Video(1), frames};
  bad.push_back({"video 1: frame 2: quality 101", report});
  frames = Video(2);
  frames[1].timestamp_seconds = -1;
  report.videos = {frames};
  bad.push_back({"video 0: frame 1: timestamp", report});
  report.videos = {Video(1), {}};
  bad.push_back({"video 1: a video has no frames", report});
  report.videos.clear();
  for (std::uint64_t i = 0; i <= kMaxCaseVideos; ++i) {
    report.videos.push_back(Video(i));
  }
  bad.push_back({"at most 20 videos", report});
  report.videos = {Video(1, hash::kMaxVpdqFrames),
                   Video(2, hash::kMaxVpdqFrames), Video(3)};
  bad.push_back({"frames in all", report});
  report.videos.clear();
  report.signals = {PdqSignal(1), Signal::Vpdq(Video(1))};
  bad.push_back({"signal 1 is a video's name without its frames", report});
  report.signals.clear();
  bad.push_back({"at least one signal or video", report});
  for (const Bad& item : bad) {
    auto created = db_.cases->CreateCase(item.report, kVictim);
    ASSERT_FALSE(created.has_value()) << item.what;
    EXPECT_EQ(created.error().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(created.error().message(), HasSubstr(item.what));
  }
  EXPECT_EQ(AuditCount(), 0);
  EXPECT_TRUE(db_.cases->ListCases({})->empty());

  // At the limits.
  report = Report("RMP-7K3Q-9XWD");
  report.videos.clear();
  for (std::uint64_t i = 0; i < kMaxCaseVideos; ++i) {
    report.videos.push_back(Video(i));
  }
  report.videos[0] = Video(100, hash::kMaxVpdqFrames);
  report.videos[1] = Video(101, kMaxCaseVideoFrames - hash::kMaxVpdqFrames -
                                    3 * (kMaxCaseVideos - 2));
  auto created = db_.cases->CreateCase(report, kVictim);
  ASSERT_TRUE(created.has_value()) << created.status().ToString();
  EXPECT_EQ(created->videos.size(), kMaxCaseVideos);
}

TEST_F(CaseStoreTest, AStepAddsNewVideosOnly) {
  NewCase report = Report("RMP-7K3Q-9XWD");
  report.videos = {Video(1)};
  ASSERT_TRUE(db_.cases->CreateCase(report, kVictim).has_value());
  CaseUpdate update;
  update.status = CaseStatus::kReceived;
  update.action = "reply";
  update.add_signals = {Sha256Signal(9)};
  update.add_videos = {Video(1), Video(2), Video(2)};
  auto updated = db_.cases->UpdateCase("RMP-7K3Q-9XWD", update, kVictim);
  ASSERT_TRUE(updated.has_value()) << updated.status().ToString();
  EXPECT_THAT(updated->signals,
              ElementsAre(PdqSignal(1), Sha256Signal(2), Signal::Vpdq(Video(1)),
                          Sha256Signal(9), Signal::Vpdq(Video(2))));
  ASSERT_EQ(updated->videos.size(), 2u);
  EXPECT_EQ(updated->videos[0], Video(1));
  EXPECT_EQ(updated->videos[1], Video(2));
  EXPECT_THAT(AuditRecords().back().details,
              HasSubstr("\"signals_added\":2,\"videos_added\":1"));

  // Refused, changing nothing: a bad video, a bare name, too many videos.
  CaseUpdate bad = update;
  bad.add_videos = {Video(3), {}};
  auto refused = db_.cases->UpdateCase("RMP-7K3Q-9XWD", bad, kVictim);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.error().message(), HasSubstr("video 1"));
  bad.add_videos.clear();
  bad.add_signals = {Signal::Vpdq(Video(3))};
  EXPECT_EQ(
      db_.cases->UpdateCase("RMP-7K3Q-9XWD", bad, kVictim).status().code(),
      StatusCode::kInvalidArgument);
  bad.add_signals.clear();
  for (std::uint64_t i = 10; i < 10 + kMaxCaseVideos - 1; ++i) {
    bad.add_videos.push_back(Video(i));
  }
  refused = db_.cases->UpdateCase("RMP-7K3Q-9XWD", bad, kVictim);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.error().message(), HasSubstr("it has 2"));
  bad.add_videos = {Video(20, hash::kMaxVpdqFrames),
                    Video(21, hash::kMaxVpdqFrames)};
  refused = db_.cases->UpdateCase("RMP-7K3Q-9XWD", bad, kVictim);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.error().message(), HasSubstr("frames in all"));
  auto got = db_.cases->GetCase("RMP-7K3Q-9XWD");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->videos.size(), 2u);
  EXPECT_EQ(got->history.size(), 2u);
  EXPECT_TRUE(db_.store->CheckIntegrity().ok());
}

TEST_F(CaseStoreTest, PublishingAVideoAddsAVideoEntry) {
  NewCase report = Report("RMP-7K3Q-9XWD");
  report.videos = {Video(1), Video(2)};
  ASSERT_TRUE(db_.cases->CreateCase(report, kVictim).has_value());
  NewCase again = Report("RMP-AAAA-BBBB");
  again.signals = {Sha256Signal(5)};
  again.videos = {Video(2)};
  ASSERT_TRUE(db_.cases->CreateCase(again, kVictim).has_value());
  ASSERT_TRUE(db_.store->CreateBank("hotline", "").has_value());

  auto published = db_.cases->PublishCase("RMP-7K3Q-9XWD", "hotline",
                                          "hotline-fr", "", kAnalyst);
  ASSERT_TRUE(published.has_value()) << published.status().ToString();
  ASSERT_EQ(published->published->entry_ids.size(), 4u);
  auto video = db_.store->GetEntry(published->published->entry_ids[3]);
  ASSERT_TRUE(video.has_value()) << video.status().ToString();
  EXPECT_EQ(video->input.signal, Signal::Vpdq(Video(2)));
  EXPECT_EQ(video->input.frames, Video(2));
  EXPECT_EQ(video->input.external_id, "RMP-7K3Q-9XWD");
  EXPECT_EQ(video->input.category, Category::kSextortion);
  EXPECT_EQ(video->input.quality, std::nullopt);
  const BankStats stats = *db_.store->Stats("hotline");
  EXPECT_EQ(stats.active_pdq, 1);
  EXPECT_EQ(stats.active_sha256, 1);
  EXPECT_EQ(stats.active_vpdq, 2);
  std::vector<AuditRecord> records = AuditRecords();
  ASSERT_GE(records.size(), 2u);
  EXPECT_EQ(records[records.size() - 2].action, "entries.add");
  EXPECT_THAT(records[records.size() - 2].details,
              HasSubstr("\"added\":4,\"unchanged\":0"));
  EXPECT_THAT(records[records.size() - 2].details, HasSubstr("\"videos\":2"));
  EXPECT_EQ(records.back().action, "case.verify");
  EXPECT_THAT(records.back().details, HasSubstr("\"videos\":2"));

  // The second case's video is the same entry.
  auto second = db_.cases->PublishCase("RMP-AAAA-BBBB", "hotline", "hotline-fr",
                                       "", kAnalyst);
  ASSERT_TRUE(second.has_value()) << second.status().ToString();
  ASSERT_EQ(second->published->entry_ids.size(), 2u);
  EXPECT_EQ(second->published->entry_ids[1],
            published->published->entry_ids[3]);
  EXPECT_EQ(db_.store->Stats("hotline")->active_vpdq, 2);
  EXPECT_TRUE(db_.store->CheckIntegrity().ok());
  EXPECT_TRUE(Verify().ok());
}

// A signature for the picture of seed `seed`, as a reporter's device
// would send it (already in the shared form: shape 4096 × 3072).
hash::PatchSignature Signature(std::uint64_t seed, int count = 3) {
  hash::PatchSignature signature{4096, 3072, {}};
  for (int i = 0; i < count; ++i) {
    hash::Patch patch;
    patch.x = static_cast<float>(i + 1) / 8.0f;
    patch.y = 0.5f;
    patch.side = 0.25f;
    patch.quality = 70 + i;
    patch.hash = hash::PdqHash({seed, static_cast<std::uint64_t>(i), 5, 6});
    signature.patches.push_back(patch);
  }
  return signature;
}

TEST_F(CaseStoreTest, ReportedSignaturesArePublishedWithTheirHashes) {
  NewCase report = Report("RMP-7K3Q-9XWD");
  report.signals = {PdqSignal(1), Sha256Signal(2), PdqSignal(3)};
  report.patches = {{PdqSignal(3).pdq(), Signature(3)}};
  auto created = db_.cases->CreateCase(report, kVictim);
  ASSERT_TRUE(created.has_value()) << created.status().ToString();
  ASSERT_EQ(created->patches.size(), 1u);
  EXPECT_EQ(created->patches[0].pdq, PdqSignal(3).pdq());
  EXPECT_EQ(hash::FormatPatches(created->patches[0].signature),
            hash::FormatPatches(Signature(3)));
  EXPECT_THAT(AuditRecords().back().details, HasSubstr("\"patches\":1"));

  // A step adds a hash with its signature; a signature of a hash the case
  // already holds goes with it, ignored.
  CaseUpdate update;
  update.status = CaseStatus::kReceived;
  update.action = "reply";
  update.add_signals = {PdqSignal(4), PdqSignal(1)};
  update.add_patches = {{PdqSignal(4).pdq(), Signature(4)},
                        {PdqSignal(1).pdq(), Signature(1)}};
  auto updated = db_.cases->UpdateCase("RMP-7K3Q-9XWD", update, kVictim);
  ASSERT_TRUE(updated.has_value()) << updated.status().ToString();
  ASSERT_EQ(updated->patches.size(), 2u);
  EXPECT_EQ(updated->patches[1].pdq, PdqSignal(4).pdq());
  EXPECT_THAT(AuditRecords().back().details,
              HasSubstr("\"signals_added\":1,\"patches_added\":1"));

  ASSERT_TRUE(db_.store->CreateBank("hotline", "").has_value());
  auto published = db_.cases->PublishCase("RMP-7K3Q-9XWD", "hotline",
                                          "hotline-fr", "", kAnalyst);
  ASSERT_TRUE(published.has_value()) << published.status().ToString();
  const std::vector<std::int64_t>& ids = published->published->entry_ids;
  ASSERT_EQ(ids.size(), 4u);
  const auto signature_of = [&](std::int64_t id) {
    auto entry = db_.store->GetEntry(id);
    EXPECT_TRUE(entry.has_value());
    return entry->input.patches ? hash::FormatPatches(*entry->input.patches)
                                : std::string("none");
  };
  EXPECT_EQ(signature_of(ids[0]), "none");
  EXPECT_EQ(signature_of(ids[1]), "none");
  EXPECT_EQ(signature_of(ids[2]), hash::FormatPatches(Signature(3)));
  EXPECT_EQ(signature_of(ids[3]), hash::FormatPatches(Signature(4)));
  EXPECT_THAT(AuditRecords()[AuditRecords().size() - 2].details,
              HasSubstr("\"patches\":2"));
  Status intact = db_.store->CheckIntegrity();
  EXPECT_TRUE(intact.ok()) << intact.ToString();
}

TEST_F(CaseStoreTest, SignaturesThatDoNotBelongAreRefused) {
  const auto refused = [&](std::vector<CasePatches> patches,
                           const std::string& reason) {
    NewCase report = Report("RMP-7K3Q-9XWD");
    report.patches = std::move(patches);
    auto created = db_.cases->CreateCase(report, kVictim);
    ASSERT_FALSE(created.has_value()) << "accepted; expected " << reason;
    EXPECT_EQ(created.error().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(created.error().message(), HasSubstr(reason));
  };
  refused({{PdqSignal(9).pdq(), Signature(9)}},
          "patches 1: PDQ hash " + PdqSignal(9).hex() +
              " is not one of the case's signals");
  refused(
      {{PdqSignal(1).pdq(), Signature(1)}, {PdqSignal(1).pdq(), Signature(2)}},
      "patches 2: PDQ hash " + PdqSignal(1).hex() + " has a signature already");
  refused({{PdqSignal(1).pdq(), Signature(1, 0)}},
          "patches 1: a signature without patches");
  hash::PatchSignature bad = Signature(1);
  bad.patches[0].quality = 300;
  refused({{PdqSignal(1).pdq(), bad}}, "patches 1: patch 1: quality 300");
  EXPECT_FALSE(db_.cases->GetCase("RMP-7K3Q-9XWD").has_value());
  EXPECT_EQ(AuditCount(), 0);

  ASSERT_TRUE(
      db_.cases->CreateCase(Report("RMP-7K3Q-9XWD"), kVictim).has_value());
  CaseUpdate update;
  update.status = CaseStatus::kReceived;
  update.action = "reply";
  // Only the hashes the step adds may bring a signature.
  update.add_patches = {{PdqSignal(1).pdq(), Signature(1)}};
  auto step = db_.cases->UpdateCase("RMP-7K3Q-9XWD", update, kVictim);
  ASSERT_FALSE(step.has_value());
  EXPECT_THAT(step.error().message(), HasSubstr("not one of the case's"));
}

TEST_F(CaseStoreTest, IntegrityCheckFindsATamperedCaseSignature) {
  NewCase report = Report("RMP-7K3Q-9XWD");
  report.patches = {{PdqSignal(1).pdq(), Signature(1)}};
  ASSERT_TRUE(db_.cases->CreateCase(report, kVictim).has_value());
  EXPECT_TRUE(db_.store->CheckIntegrity().ok());
  // Version 2 without its crops: the CHECK bounds the length only.
  Tamper(
      "UPDATE case_signals SET patches = CAST(X'02' || substr(patches, 2) AS "
      "BLOB) WHERE position = 0");
  Status status = db_.store->CheckIntegrity();
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_THAT(status.message(),
              HasSubstr("case RMP-7K3Q-9XWD signal 0 has an unreadable patch "
                        "signature (patches: 124 bytes, but 3 patches and a "
                        "crop count take at least 125)"));
  EXPECT_FALSE(db_.cases->GetCase("RMP-7K3Q-9XWD").has_value());
}

TEST_F(CaseStoreTest, IntegrityCheckFindsATamperedCaseVideo) {
  NewCase report = Report("RMP-7K3Q-9XWD");
  report.videos = {Video(1), Video(2)};
  ASSERT_TRUE(db_.cases->CreateCase(report, kVictim).has_value());
  EXPECT_TRUE(db_.store->CheckIntegrity().ok());
  // The first video's row given the second one's frames.
  Tamper(
      "UPDATE case_signals SET frames = (SELECT frames FROM case_signals "
      "WHERE position = 3) WHERE position = 2");
  Status status = db_.store->CheckIntegrity();
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_THAT(status.message(),
              HasSubstr("case RMP-7K3Q-9XWD signal 2 is not named by its "
                        "frames"));
  EXPECT_THAT(status.message(), Not(HasSubstr("signal 3")));
}

TEST_F(CaseStoreTest, IntegrityCheckFindsAStatusWithoutItsStep) {
  Create("RMP-7K3Q-9XWD");
  EXPECT_TRUE(db_.store->CheckIntegrity().ok());
  Tamper("UPDATE cases SET status = 'verified'");
  Status status = db_.store->CheckIntegrity();
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_THAT(status.message(), HasSubstr("case RMP-7K3Q-9XWD differs"));
}

}  // namespace
}  // namespace rempart::store
