// The SQLite CaseStore. A case is a row of cases (its current status,
// reason, reason code and message, kept in step with the history by the
// same transactions), its signals in case_signals (in the order first
// given; UNIQUE per case, so a duplicate is stored once; a video's row
// holds its name and, in the frames column, its frames), its steps in
// case_events, the reporter's sealed replies in case_replies, the entries
// it published in case_entries and what platforms did with them in
// case_outcomes. A case is read whole: the row, then the rest by the
// case's id.
//
// Publishing a case writes entries through the EntryWriter the Store uses
// (sqlite_entries.h), inside the case's own transaction, so the entries,
// their audit record, the case's link to them and its verified step commit
// together.
//
// Searching cases by a PDQ hash reads every PDQ signal of the cases in
// id order and compares them in memory (popcount of the XOR): no index
// serves Hamming distance, and at 32 bytes a signal a scan of a hundred
// thousand reports stays around a millisecond. Digests are found through
// case_signals_by_value.
#include <algorithm>
#include <bit>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_entries.h"
#include "store/store_internal.h"

namespace rempart::store::sqlite {
namespace {

// The columns ReadCaseRow() reads, in its order.
#define REMPART_CASE_COLUMNS                                                 \
  "id, code, category, channel, status, reason, secret_salt, secret_hash, "  \
  "sealed_contact, created_at, updated_at, language, reason_code, message, " \
  "published_bank, published_at"

constexpr std::string_view kVictimChannel = "victim";
constexpr std::string_view kAnalystChannel = "analyst";

Result<Case> ReadCaseRow(sqlite3_stmt* statement) {
  Case found;
  found.id = sqlite3_column_int64(statement, 0);
  found.code = ColumnText(statement, 1);
  const auto bad_row = [&](std::string_view what) {
    return InternalError("case " + found.code + " has " + std::string(what));
  };
  auto category = ParseCategory(ColumnText(statement, 2));
  if (!category) return bad_row("an unknown category");
  found.category = *category;
  found.channel = ColumnText(statement, 3);
  auto status = ParseCaseStatus(ColumnText(statement, 4));
  if (!status) return bad_row("an unknown status");
  found.status = *status;
  found.reason = ColumnText(statement, 5);
  if (!ColumnArray(statement, 6, found.secret_salt) ||
      !ColumnArray(statement, 7, found.secret_hash)) {
    return bad_row("a malformed secret salt or hash");
  }
  const std::span<const std::uint8_t> contact = ColumnBlob(statement, 8);
  found.sealed_contact.assign(contact.begin(), contact.end());
  found.created_at_ms = sqlite3_column_int64(statement, 9);
  found.updated_at_ms = sqlite3_column_int64(statement, 10);
  found.language = ColumnText(statement, 11);
  found.reason_code = ColumnText(statement, 12);
  found.message = ColumnText(statement, 13);
  if (sqlite3_column_type(statement, 14) != SQLITE_NULL) {
    CasePublication published;
    published.bank = ColumnText(statement, 14);
    published.at_ms = sqlite3_column_int64(statement, 15);
    found.published = std::move(published);
  }
  return found;
}

// Reason codes, actions and languages: short words of [a-z0-9_-].
Status ValidateToken(std::string_view field, std::string_view token,
                     bool required) {
  if (token.empty()) {
    return required ? InvalidArgumentError(std::string(field) + " is empty")
                    : OkStatus();
  }
  if (token.size() > kMaxCaseTokenBytes) {
    return InvalidArgumentError(std::string(field) + " is longer than " +
                                std::to_string(kMaxCaseTokenBytes) + " bytes");
  }
  for (char c : token) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-')) {
      return InvalidArgumentError(std::string(field) +
                                  " may hold only a-z, 0-9, '_' and '-'");
    }
  }
  return OkStatus();
}

// Hamming distance between two 32-byte PDQ values.
int PdqDistance(std::span<const std::uint8_t> a,
                std::span<const std::uint8_t> b) {
  int distance = 0;
  for (std::size_t i = 0; i + 8 <= a.size() && i + 8 <= b.size(); i += 8) {
    std::uint64_t x = 0;
    std::uint64_t y = 0;
    std::memcpy(&x, a.data() + i, 8);
    std::memcpy(&y, b.data() + i, 8);
    distance += std::popcount(x ^ y);
  }
  return distance;
}

bool CasePasses(const Case& found, const CaseFilter& filter) {
  return found.id > filter.after_id &&
         (!filter.status || found.status == *filter.status) &&
         (!filter.category || found.category == *filter.category);
}

// A row of case_signals to write: a signal, with its frames when it names
// a video, or its patch signature when it is a PDQ hash that came with one.
struct CaseSignalRow {
  Signal signal;
  const std::vector<hash::VpdqFrame>* frames = nullptr;
  const hash::PatchSignature* patches = nullptr;
};

// OK when every one of `patches` is valid and belongs to a different PDQ
// hash of `signals`.
Status ValidateCasePatches(std::span<const CasePatches> patches,
                           std::span<const Signal> signals) {
  for (std::size_t i = 0; i < patches.size(); ++i) {
    const std::string name = "patches " + std::to_string(i + 1);
    const Signal pdq = Signal::Pdq(patches[i].pdq);
    if (std::find(signals.begin(), signals.end(), pdq) == signals.end()) {
      return InvalidArgumentError(name + ": PDQ hash " + pdq.hex() +
                                  " is not one of the case's signals");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (patches[j].pdq == patches[i].pdq) {
        return InvalidArgumentError(name + ": PDQ hash " + pdq.hex() +
                                    " has a signature already");
      }
    }
    Status valid = ValidatePatchSignature(patches[i].signature);
    if (!valid.ok()) return valid.WithContext(name);
  }
  return OkStatus();
}

// The rows for `signals` (with their signatures from `patches`), then for
// `videos` (named by `names`), that neither `held` holds nor an earlier one
// of them: first occurrences, in order. Quadratic, but over at most a few
// thousand small values.
std::vector<CaseSignalRow> NewSignalRows(
    const std::vector<Signal>& held, std::span<const Signal> signals,
    std::span<const Signal> names,
    std::span<const std::vector<hash::VpdqFrame>> videos,
    std::span<const CasePatches> patches) {
  std::vector<CaseSignalRow> rows;
  const auto is_new = [&](const Signal& signal) {
    return std::find(held.begin(), held.end(), signal) == held.end() &&
           std::none_of(
               rows.begin(), rows.end(),
               [&](const CaseSignalRow& row) { return row.signal == signal; });
  };
  const auto signature_of = [&](const Signal& signal) {
    const hash::PatchSignature* found = nullptr;
    if (signal.kind() != SignalKind::kPdq) return found;
    for (const CasePatches& patch : patches) {
      if (patch.pdq == signal.pdq()) found = &patch.signature;
    }
    return found;
  };
  for (const Signal& signal : signals) {
    if (is_new(signal)) rows.push_back({signal, nullptr, signature_of(signal)});
  }
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (is_new(names[i])) rows.push_back({names[i], &videos[i], nullptr});
  }
  return rows;
}

// How many of `rows` carry a patch signature.
std::size_t CountPatches(const std::vector<CaseSignalRow>& rows) {
  return static_cast<std::size_t>(std::count_if(
      rows.begin(), rows.end(),
      [](const CaseSignalRow& row) { return row.patches != nullptr; }));
}

// How many of `rows` are videos, and their frames in all.
std::pair<std::size_t, std::size_t> CountVideos(
    const std::vector<CaseSignalRow>& rows) {
  std::size_t videos = 0;
  std::size_t frames = 0;
  for (const CaseSignalRow& row : rows) {
    if (row.frames == nullptr) continue;
    ++videos;
    frames += row.frames->size();
  }
  return {videos, frames};
}

std::size_t CountFrames(
    const std::vector<std::vector<hash::VpdqFrame>>& videos) {
  std::size_t frames = 0;
  for (const auto& video : videos) frames += video.size();
  return frames;
}

std::span<const std::uint8_t> Bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// The reasons a step may or must give.
Status ValidateReason(CaseStatus status, std::string_view reason) {
  if (reason.empty() &&
      (status == CaseStatus::kRejected || status == CaseStatus::kNeedsInfo)) {
    return InvalidArgumentError("a case set to " +
                                std::string(CaseStatusName(status)) +
                                " needs a reason");
  }
  return internal::ValidateText("case reason", reason, kMaxCaseReasonBytes);
}

class SqliteCaseStore final : public CaseStore {
 public:
  SqliteCaseStore(std::shared_ptr<Connection> connection,
                  std::shared_ptr<EntryWriter> entries)
      : connection_(std::move(connection)), entries_(std::move(entries)) {}

  Status Prepare() {
    const std::array<std::pair<const char*, StatementPtr*>, 21> statements = {{
        {"INSERT INTO cases(code, category, channel, status, reason, "
         "secret_salt, secret_hash, sealed_contact, created_at, updated_at, "
         "language) "
         "VALUES (?1, ?2, ?3, 'received', '', ?4, ?5, ?6, ?7, ?7, ?8)",
         &insert_case_},
        {"INSERT INTO case_signals(case_id, position, kind, value, frames, "
         "patches) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
         &insert_signal_},
        {"INSERT INTO case_events(case_id, at, status, reason, actor, action, "
         "reason_code, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
         &insert_event_},
        {"SELECT " REMPART_CASE_COLUMNS " FROM cases WHERE code = ?1",
         &get_case_},
        {"SELECT " REMPART_CASE_COLUMNS " FROM cases WHERE id = ?1",
         &get_case_by_id_},
        {"SELECT " REMPART_CASE_COLUMNS
         " FROM cases WHERE id > ?1 AND (?4 IS NULL OR category = ?4) "
         "ORDER BY id LIMIT ?2",
         &list_cases_},
        // Walks cases_by_status (status, id): one status, in id order.
        {"SELECT " REMPART_CASE_COLUMNS
         " FROM cases WHERE status = ?3 AND id > ?1 "
         "AND (?4 IS NULL OR category = ?4) ORDER BY id LIMIT ?2",
         &list_cases_by_status_},
        {"SELECT kind, value, frames, patches FROM case_signals "
         "WHERE case_id = ?1 ORDER BY position",
         &case_signals_},
        {"SELECT at, status, reason, actor, action, reason_code, note "
         "FROM case_events WHERE case_id = ?1 ORDER BY id",
         &case_events_},
        {"UPDATE cases SET status = ?2, reason = ?3, reason_code = ?4, "
         "message = ?5, updated_at = ?6 WHERE id = ?1",
         &update_case_},
        {"SELECT at, sealed_message FROM case_replies WHERE case_id = ?1 "
         "ORDER BY id",
         &case_replies_},
        {"INSERT INTO case_replies(case_id, at, sealed_message) "
         "VALUES (?1, ?2, ?3)",
         &insert_reply_},
        {"SELECT entry_id FROM case_entries WHERE case_id = ?1 "
         "ORDER BY position",
         &case_entries_},
        {"INSERT INTO case_entries(case_id, entry_id, position) "
         "VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
         &insert_case_entry_},
        {"UPDATE cases SET published_bank = ?2, published_at = ?3 "
         "WHERE id = ?1",
         &set_published_},
        {"SELECT at, kind, platform, entry_id FROM case_outcomes "
         "WHERE case_id = ?1 ORDER BY id",
         &case_outcomes_},
        {"SELECT c.id, c.code FROM case_entries AS e "
         "JOIN cases AS c ON c.id = e.case_id WHERE e.entry_id = ?1 "
         "ORDER BY c.id",
         &cases_of_entry_},
        {"INSERT INTO case_outcomes(case_id, kind, platform, entry_id, at) "
         "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
         &insert_outcome_},
        {"SELECT DISTINCT entry_id FROM case_entries ORDER BY entry_id",
         &published_entry_ids_},
        {"SELECT DISTINCT case_id FROM case_signals "
         "WHERE kind = ?1 AND value = ?2 AND case_id > ?3 ORDER BY case_id",
         &cases_with_signal_},
        {"SELECT case_id, value FROM case_signals "
         "WHERE kind = 0 AND case_id > ?1 ORDER BY case_id",
         &scan_pdq_signals_},
    }};
    for (const auto& [sql, statement] : statements) {
      REMPART_RETURN_IF_ERROR(connection_->PrepareStatement(sql, *statement));
    }
    return OkStatus();
  }

  Result<Case> CreateCase(const NewCase& new_case,
                          const Actor& actor) override {
    REMPART_RETURN_IF_ERROR(ValidateCaseCode(new_case.code));
    if (new_case.signals.empty() && new_case.videos.empty()) {
      return InvalidArgumentError("a case needs at least one signal or video");
    }
    if (new_case.signals.size() > kMaxCaseSignals) {
      return InvalidArgumentError(
          "a case holds at most " + std::to_string(kMaxCaseSignals) +
          " signals (got " + std::to_string(new_case.signals.size()) + ")");
    }
    REMPART_RETURN_IF_ERROR(internal::CheckNoBareVideoNames(new_case.signals));
    if (new_case.videos.size() > kMaxCaseVideos) {
      return InvalidArgumentError(
          "a case holds at most " + std::to_string(kMaxCaseVideos) +
          " videos (got " + std::to_string(new_case.videos.size()) + ")");
    }
    auto names = internal::NameCaseVideos(new_case.videos);
    if (!names) return names.error();
    if (static_cast<int>(new_case.category) >
        static_cast<int>(Category::kChildAbuse)) {
      return InvalidArgumentError("unknown category");
    }
    if (new_case.channel != kVictimChannel &&
        new_case.channel != kAnalystChannel) {
      return InvalidArgumentError("a case's channel is victim or analyst");
    }
    if (new_case.sealed_contact.size() > kMaxSealedContactBytes) {
      return InvalidArgumentError(
          "sealed contact is " +
          std::to_string(new_case.sealed_contact.size()) +
          " bytes long (at most " + std::to_string(kMaxSealedContactBytes) +
          ")");
    }
    REMPART_RETURN_IF_ERROR(
        ValidateToken("case language", new_case.language, true));
    REMPART_RETURN_IF_ERROR(ValidateActor(actor));
    REMPART_RETURN_IF_ERROR(
        ValidateCasePatches(new_case.patches, new_case.signals));
    const std::vector<CaseSignalRow> signals = NewSignalRows(
        {}, new_case.signals, *names, new_case.videos, new_case.patches);
    const std::size_t signatures = CountPatches(signals);
    if (signals.size() > kMaxCaseSignals) {
      return InvalidArgumentError("a case holds at most " +
                                  std::to_string(kMaxCaseSignals) +
                                  " signals, videos included (got " +
                                  std::to_string(signals.size()) + ")");
    }
    const auto [videos, frames] = CountVideos(signals);
    if (frames > kMaxCaseVideoFrames) {
      return InvalidArgumentError("a case's videos hold at most " +
                                  std::to_string(kMaxCaseVideoFrames) +
                                  " frames in all (got " +
                                  std::to_string(frames) + ")");
    }

    std::lock_guard lock(connection_->mutex());
    Connection::WriteTransaction transaction(*connection_);
    REMPART_RETURN_IF_ERROR(transaction.Begin());
    const std::int64_t now = connection_->Now();
    std::int64_t case_id = 0;
    {
      sqlite3_stmt* statement = insert_case_.get();
      ResetOnExit reset(statement);
      Binder bind(statement);
      bind.Text(1, new_case.code)
          .Text(2, CategoryName(new_case.category))
          .Text(3, new_case.channel)
          .Blob(4, new_case.secret_salt)
          .Blob(5, new_case.secret_hash)
          .Blob(6, Bytes(new_case.sealed_contact))
          .Int(7, now)
          .Text(8, new_case.language);
      if (bind.code() != SQLITE_OK) {
        return connection_->Error(bind.code(), "bind");
      }
      const int code = sqlite3_step(statement);
      if (code == SQLITE_CONSTRAINT_UNIQUE) {
        return AlreadyExistsError("a case with code " + new_case.code +
                                  " exists");
      }
      if (code != SQLITE_DONE) return connection_->Error(code, "create case");
      case_id = sqlite3_last_insert_rowid(connection_->db());
    }
    REMPART_RETURN_IF_ERROR(AddSignals(case_id, 0, signals));
    CaseEvent first;
    first.at_ms = now;
    first.status = CaseStatus::kReceived;
    first.action = "report";
    first.actor = actor.id;
    REMPART_RETURN_IF_ERROR(AddEvent(case_id, first));
    // Never the contact, sealed or not.
    const AuditEvent event{
        "case.create", new_case.code,
        "{\"category\":" +
            internal::JsonQuote(CategoryName(new_case.category)) +
            ",\"channel\":" + internal::JsonQuote(new_case.channel) +
            ",\"signals\":" + std::to_string(signals.size()) +
            (videos > 0 ? ",\"videos\":" + std::to_string(videos) : "") +
            (signatures > 0 ? ",\"patches\":" + std::to_string(signatures)
                            : "") +
            "}"};
    auto record = connection_->AppendAudit(actor, event, now);
    if (!record) return record.error();
    auto created = LoadCase(new_case.code);
    if (!created) return created.error();
    REMPART_RETURN_IF_ERROR(transaction.Commit());
    return created;
  }

  Result<Case> GetCase(std::string_view code) override {
    REMPART_RETURN_IF_ERROR(ValidateCaseCode(code));
    std::lock_guard lock(connection_->mutex());
    return LoadCase(code);
  }

  Result<std::vector<Case>> ListCases(const CaseFilter& filter) override {
    if (filter.limit == 0 || filter.limit > kMaxCaseListLimit) {
      return InvalidArgumentError("case list limit must be 1…" +
                                  std::to_string(kMaxCaseListLimit));
    }
    if (filter.status.has_value() &&
        static_cast<int>(*filter.status) >
            static_cast<int>(CaseStatus::kRejected)) {
      return InvalidArgumentError("unknown case status");
    }
    if (filter.category.has_value() &&
        static_cast<int>(*filter.category) >
            static_cast<int>(Category::kChildAbuse)) {
      return InvalidArgumentError("unknown category");
    }
    if (filter.pdq_radius < 0 || filter.pdq_radius > 256) {
      return InvalidArgumentError("PDQ radius must be 0…256");
    }
    if (filter.code.has_value()) {
      REMPART_RETURN_IF_ERROR(ValidateCaseCode(*filter.code));
    }
    std::lock_guard lock(connection_->mutex());
    if (filter.code.has_value() || filter.signal.has_value()) {
      return SearchCases(filter);
    }
    std::vector<Case> cases;
    {
      sqlite3_stmt* statement = filter.status.has_value()
                                    ? list_cases_by_status_.get()
                                    : list_cases_.get();
      ResetOnExit reset(statement);
      Binder bind(statement);
      bind.Int(1, filter.after_id)
          .Int(2, static_cast<std::int64_t>(filter.limit));
      if (filter.status.has_value()) {
        bind.Text(3, CaseStatusName(*filter.status));
      }
      if (filter.category.has_value()) {
        bind.Text(4, CategoryName(*filter.category));
      } else {
        bind.Null(4);
      }
      if (bind.code() != SQLITE_OK) {
        return connection_->Error(bind.code(), "bind");
      }
      int code = SQLITE_OK;
      while ((code = sqlite3_step(statement)) == SQLITE_ROW) {
        auto found = ReadCaseRow(statement);
        if (!found) return found.error();
        cases.push_back(std::move(*found));
      }
      if (code != SQLITE_DONE) return connection_->Error(code, "list cases");
    }
    for (Case& found : cases) REMPART_RETURN_IF_ERROR(LoadDetails(found));
    return cases;
  }

  Result<Case> SetCaseStatus(std::string_view code, CaseStatus status,
                             std::string_view reason,
                             const Actor& actor) override {
    CaseUpdate update;
    update.status = status;
    update.action = "status";
    update.reason = reason;
    return UpdateCase(code, update, actor);
  }

  Result<Case> UpdateCase(std::string_view code, const CaseUpdate& update,
                          const Actor& actor) override {
    REMPART_RETURN_IF_ERROR(ValidateCaseCode(code));
    if (static_cast<int>(update.status) >
        static_cast<int>(CaseStatus::kRejected)) {
      return InvalidArgumentError("unknown case status");
    }
    REMPART_RETURN_IF_ERROR(ValidateToken("case action", update.action, true));
    REMPART_RETURN_IF_ERROR(ValidateReason(update.status, update.reason));
    REMPART_RETURN_IF_ERROR(
        ValidateToken("reason code", update.reason_code, false));
    REMPART_RETURN_IF_ERROR(internal::ValidateText(
        "case message", update.message, kMaxCaseMessageBytes));
    REMPART_RETURN_IF_ERROR(
        internal::ValidateText("case note", update.note, kMaxCaseNoteBytes));
    if (update.sealed_reply.size() > kMaxSealedReplyBytes) {
      return InvalidArgumentError("sealed reply is longer than " +
                                  std::to_string(kMaxSealedReplyBytes) +
                                  " bytes");
    }
    if (update.add_signals.size() > kMaxCaseSignals) {
      return ResourceExhaustedError("a case holds at most " +
                                    std::to_string(kMaxCaseSignals) +
                                    " signals");
    }
    REMPART_RETURN_IF_ERROR(
        internal::CheckNoBareVideoNames(update.add_signals));
    if (update.add_videos.size() > kMaxCaseVideos) {
      return ResourceExhaustedError("a case holds at most " +
                                    std::to_string(kMaxCaseVideos) + " videos");
    }
    auto names = internal::NameCaseVideos(update.add_videos);
    if (!names) return names.error();
    REMPART_RETURN_IF_ERROR(ValidateActor(actor));
    std::lock_guard lock(connection_->mutex());
    Connection::WriteTransaction transaction(*connection_);
    REMPART_RETURN_IF_ERROR(transaction.Begin());
    auto before = LoadCase(code);
    if (!before) return before.error();
    REMPART_RETURN_IF_ERROR(CheckFrom(*before, update.only_from));
    // The signals and videos the case does not hold yet, in order, once
    // each.
    REMPART_RETURN_IF_ERROR(
        ValidateCasePatches(update.add_patches, update.add_signals));
    const std::vector<CaseSignalRow> added =
        NewSignalRows(before->signals, update.add_signals, *names,
                      update.add_videos, update.add_patches);
    if (before->signals.size() + added.size() > kMaxCaseSignals) {
      return ResourceExhaustedError(
          "a case holds at most " + std::to_string(kMaxCaseSignals) +
          " signals (it has " + std::to_string(before->signals.size()) + ")");
    }
    const auto [videos_added, frames_added] = CountVideos(added);
    if (before->videos.size() + videos_added > kMaxCaseVideos) {
      return ResourceExhaustedError(
          "a case holds at most " + std::to_string(kMaxCaseVideos) +
          " videos (it has " + std::to_string(before->videos.size()) + ")");
    }
    const std::size_t frames_held = CountFrames(before->videos);
    if (frames_held + frames_added > kMaxCaseVideoFrames) {
      return ResourceExhaustedError("a case's videos hold at most " +
                                    std::to_string(kMaxCaseVideoFrames) +
                                    " frames in all (it has " +
                                    std::to_string(frames_held) + ")");
    }
    if (!update.sealed_reply.empty() &&
        before->replies.size() >= kMaxCaseReplies) {
      return ResourceExhaustedError("a case takes at most " +
                                    std::to_string(kMaxCaseReplies) +
                                    " replies");
    }
    const std::int64_t now = connection_->Now();
    REMPART_RETURN_IF_ERROR(
        AddSignals(before->id, before->signals.size(), added));
    if (!update.sealed_reply.empty()) {
      sqlite3_stmt* statement = insert_reply_.get();
      Binder bind(statement);
      bind.Int(1, before->id).Int(2, now).Blob(3, Bytes(update.sealed_reply));
      if (bind.code() != SQLITE_OK) {
        ResetOnExit reset(statement);
        return connection_->Error(bind.code(), "bind");
      }
      REMPART_RETURN_IF_ERROR(connection_->StepDone(statement, "add reply"));
    }
    REMPART_RETURN_IF_ERROR(SetRow(before->id, update.status, update.reason,
                                   update.reason_code, update.message, now));
    CaseEvent step;
    step.at_ms = now;
    step.status = update.status;
    step.action = update.action;
    step.reason = update.reason;
    step.reason_code = update.reason_code;
    step.note = update.note;
    step.actor = actor.id;
    REMPART_RETURN_IF_ERROR(AddEvent(before->id, step));
    std::string details =
        "{\"from\":" + internal::JsonQuote(CaseStatusName(before->status)) +
        ",\"status\":" + internal::JsonQuote(CaseStatusName(update.status)) +
        ",\"reason\":" + internal::JsonQuote(update.reason);
    // Lengths only: the texts are for the people concerned, not the log.
    if (!update.reason_code.empty()) {
      details += ",\"reason_code\":" + internal::JsonQuote(update.reason_code);
    }
    if (!added.empty()) {
      details += ",\"signals_added\":" + std::to_string(added.size());
    }
    if (videos_added > 0) {
      details += ",\"videos_added\":" + std::to_string(videos_added);
    }
    if (const std::size_t signatures = CountPatches(added); signatures > 0) {
      details += ",\"patches_added\":" + std::to_string(signatures);
    }
    if (!update.message.empty()) {
      details += ",\"message_bytes\":" + std::to_string(update.message.size());
    }
    if (!update.note.empty()) {
      details += ",\"note_bytes\":" + std::to_string(update.note.size());
    }
    if (!update.sealed_reply.empty()) {
      details += ",\"reply\":true";
    }
    details += "}";
    const AuditEvent event{"case." + update.action, before->code,
                           std::move(details)};
    auto record = connection_->AppendAudit(actor, event, now);
    if (!record) return record.error();
    auto after = LoadCase(code);
    if (!after) return after.error();
    REMPART_RETURN_IF_ERROR(transaction.Commit());
    return after;
  }

  Result<Case> PublishCase(std::string_view code, std::string_view bank,
                           std::string_view source_org, std::string_view note,
                           const Actor& actor) override {
    REMPART_RETURN_IF_ERROR(ValidateCaseCode(code));
    REMPART_RETURN_IF_ERROR(ValidateBankName(bank));
    REMPART_RETURN_IF_ERROR(
        internal::ValidateText("case note", note, kMaxCaseNoteBytes));
    REMPART_RETURN_IF_ERROR(ValidateActor(actor));
    std::lock_guard lock(connection_->mutex());
    Connection::WriteTransaction transaction(*connection_);
    REMPART_RETURN_IF_ERROR(transaction.Begin());
    auto before = LoadCase(code);
    if (!before) return before.error();
    if (before->status == CaseStatus::kVerified ||
        before->published.has_value()) {
      return AlreadyExistsError("case " + before->code +
                                " is already verified");
    }
    EntryInput entry;
    entry.category = before->category;
    entry.source_org = source_org;
    entry.external_id = before->code;
    std::vector<NewEntry> entries;
    entries.reserve(before->signals.size());
    // Case::videos[k] holds the frames of the k-th video's name.
    std::size_t videos = 0;
    for (std::size_t i = 0; i < before->signals.size(); ++i) {
      NewEntry added;
      added.input = entry;
      added.input.signal = before->signals[i];
      if (before->signals[i].kind() != SignalKind::kPdq) {
        added.input.quality.reset();
        added.input.pdq_mode.reset();
      }
      if (before->signals[i].kind() == SignalKind::kVpdq) {
        if (videos >= before->videos.size()) {
          return InternalError("case " + before->code +
                               " has a video's name without its frames");
        }
        added.input.frames = before->videos[videos++];
      }
      for (const CasePatches& patch : before->patches) {
        if (added.input.signal.kind() == SignalKind::kPdq &&
            patch.pdq == added.input.signal.pdq()) {
          added.input.patches = patch.signature;
        }
      }
      Status valid = ValidateNewEntry(added);
      if (!valid.ok()) return valid.WithContext("entry " + std::to_string(i));
      entries.push_back(std::move(added));
    }
    std::vector<std::int64_t> entry_ids;
    auto outcome = entries_->Add(bank, entries, actor, &entry_ids);
    if (!outcome) return outcome.error();
    if (entry_ids.size() != entries.size()) {
      return InternalError("published entries and their ids differ in count");
    }
    const std::int64_t now = connection_->Now();
    {
      sqlite3_stmt* statement = insert_case_entry_.get();
      ResetOnExit reset(statement);
      for (std::size_t i = 0; i < entry_ids.size(); ++i) {
        sqlite3_reset(statement);
        Binder bind(statement);
        bind.Int(1, before->id)
            .Int(2, entry_ids[i])
            .Int(3, static_cast<std::int64_t>(i));
        if (bind.code() != SQLITE_OK) {
          return connection_->Error(bind.code(), "bind");
        }
        const int step = sqlite3_step(statement);
        if (step != SQLITE_DONE) {
          return connection_->Error(step, "link case to entry");
        }
      }
    }
    {
      sqlite3_stmt* statement = set_published_.get();
      Binder bind(statement);
      bind.Int(1, before->id).Text(2, bank).Int(3, now);
      if (bind.code() != SQLITE_OK) {
        ResetOnExit reset(statement);
        return connection_->Error(bind.code(), "bind");
      }
      REMPART_RETURN_IF_ERROR(
          connection_->StepDone(statement, "mark case published"));
    }
    REMPART_RETURN_IF_ERROR(
        SetRow(before->id, CaseStatus::kVerified, "", "", "", now));
    CaseEvent step;
    step.at_ms = now;
    step.status = CaseStatus::kVerified;
    step.action = "verify";
    step.note = note;
    step.actor = actor.id;
    REMPART_RETURN_IF_ERROR(AddEvent(before->id, step));
    const AuditEvent event{
        "case.verify", before->code,
        "{\"from\":" + internal::JsonQuote(CaseStatusName(before->status)) +
            R"(,"status":"verified","bank":)" + internal::JsonQuote(bank) +
            ",\"entries\":" + std::to_string(entry_ids.size()) +
            ",\"added\":" + std::to_string(outcome->added) +
            (videos > 0 ? ",\"videos\":" + std::to_string(videos) : "") +
            (note.empty() ? std::string()
                          : ",\"note_bytes\":" + std::to_string(note.size())) +
            "}"};
    auto record = connection_->AppendAudit(actor, event, now);
    if (!record) return record.error();
    auto after = LoadCase(code);
    if (!after) return after.error();
    REMPART_RETURN_IF_ERROR(transaction.Commit());
    return after;
  }

  Result<std::size_t> RecordOutcome(std::int64_t entry_id, OutcomeKind kind,
                                    std::string_view platform,
                                    const Actor& actor) override {
    if (static_cast<int>(kind) > static_cast<int>(OutcomeKind::kRemoval)) {
      return InvalidArgumentError("unknown outcome kind");
    }
    if (platform.empty()) {
      return InvalidArgumentError("an outcome names its platform");
    }
    REMPART_RETURN_IF_ERROR(
        internal::ValidateText("platform", platform, kMaxActorBytes));
    REMPART_RETURN_IF_ERROR(ValidateActor(actor));
    std::lock_guard lock(connection_->mutex());
    Connection::WriteTransaction transaction(*connection_);
    REMPART_RETURN_IF_ERROR(transaction.Begin());
    std::vector<std::pair<std::int64_t, std::string>> linked;
    {
      sqlite3_stmt* statement = cases_of_entry_.get();
      ResetOnExit reset(statement);
      Binder bind(statement);
      bind.Int(1, entry_id);
      if (bind.code() != SQLITE_OK) {
        return connection_->Error(bind.code(), "bind");
      }
      int code = SQLITE_OK;
      while ((code = sqlite3_step(statement)) == SQLITE_ROW) {
        linked.emplace_back(sqlite3_column_int64(statement, 0),
                            std::string(ColumnText(statement, 1)));
      }
      if (code != SQLITE_DONE) {
        return connection_->Error(code, "find the cases of an entry");
      }
    }
    if (linked.empty()) {
      return NotFoundError("entry " + std::to_string(entry_id) +
                           " was not published from a case");
    }
    const std::int64_t now = connection_->Now();
    std::size_t recorded = 0;
    for (const auto& [case_id, case_code] : linked) {
      sqlite3_stmt* statement = insert_outcome_.get();
      Binder bind(statement);
      bind.Int(1, case_id)
          .Text(2, OutcomeKindName(kind))
          .Text(3, platform)
          .Int(4, entry_id)
          .Int(5, now);
      if (bind.code() != SQLITE_OK) {
        ResetOnExit reset(statement);
        return connection_->Error(bind.code(), "bind");
      }
      REMPART_RETURN_IF_ERROR(
          connection_->StepDone(statement, "record outcome"));
      if (sqlite3_changes(connection_->db()) == 0) continue;
      ++recorded;
      const AuditEvent event{
          "case.outcome", case_code,
          "{\"kind\":" + internal::JsonQuote(OutcomeKindName(kind)) +
              ",\"platform\":" + internal::JsonQuote(platform) +
              ",\"entry_id\":" + std::to_string(entry_id) + "}"};
      auto record = connection_->AppendAudit(actor, event, now);
      if (!record) return record.error();
    }
    // A repeated match writes nothing: the transaction rolls back empty.
    if (recorded == 0) return recorded;
    REMPART_RETURN_IF_ERROR(transaction.Commit());
    return recorded;
  }

  Result<std::vector<std::int64_t>> PublishedEntryIds() override {
    std::lock_guard lock(connection_->mutex());
    sqlite3_stmt* statement = published_entry_ids_.get();
    ResetOnExit reset(statement);
    std::vector<std::int64_t> ids;
    int code = SQLITE_OK;
    while ((code = sqlite3_step(statement)) == SQLITE_ROW) {
      ids.push_back(sqlite3_column_int64(statement, 0));
    }
    if (code != SQLITE_DONE) {
      return connection_->Error(code, "read published entries");
    }
    return ids;
  }

 private:
  // The rest of these run with the mutex held.

  // AlreadyExists unless `found` is in one of `only_from` (or it is empty).
  static Status CheckFrom(const Case& found,
                          const std::vector<CaseStatus>& only_from) {
    if (only_from.empty() || std::find(only_from.begin(), only_from.end(),
                                       found.status) != only_from.end()) {
      return OkStatus();
    }
    std::string expected;
    for (CaseStatus status : only_from) {
      if (!expected.empty()) expected += " or ";
      expected += CaseStatusName(status);
    }
    return AlreadyExistsError("case " + found.code + " is " +
                              std::string(CaseStatusName(found.status)) +
                              "; this step needs it " + expected);
  }

  Status AddSignals(std::int64_t case_id, std::size_t first_position,
                    const std::vector<CaseSignalRow>& signals) {
    sqlite3_stmt* statement = insert_signal_.get();
    ResetOnExit reset(statement);
    for (std::size_t i = 0; i < signals.size(); ++i) {
      sqlite3_reset(statement);
      Binder bind(statement);
      bind.Int(1, case_id)
          .Int(2, static_cast<std::int64_t>(first_position + i))
          .Int(3, KindCode(signals[i].signal.kind()))
          .Blob(4, signals[i].signal.bytes());
      // Bound without a copy: lives until the step below.
      std::vector<std::uint8_t> frames;
      if (signals[i].frames != nullptr) {
        frames = internal::EncodeVpdqFrames(*signals[i].frames);
        bind.Blob(5, frames);
      } else {
        bind.Null(5);
      }
      std::vector<std::uint8_t> patches;
      if (signals[i].patches != nullptr) {
        patches = hash::EncodePatches(*signals[i].patches);
        bind.Blob(6, patches);
      } else {
        bind.Null(6);
      }
      if (bind.code() != SQLITE_OK) {
        return connection_->Error(bind.code(), "bind");
      }
      const int code = sqlite3_step(statement);
      if (code != SQLITE_DONE) {
        return connection_->Error(code, "add case signal");
      }
    }
    return OkStatus();
  }

  Status SetRow(std::int64_t case_id, CaseStatus status,
                std::string_view reason, std::string_view reason_code,
                std::string_view message, std::int64_t now) {
    sqlite3_stmt* statement = update_case_.get();
    Binder bind(statement);
    bind.Int(1, case_id)
        .Text(2, CaseStatusName(status))
        .Text(3, reason)
        .Text(4, reason_code)
        .Text(5, message)
        .Int(6, now);
    if (bind.code() != SQLITE_OK) {
      ResetOnExit reset(statement);
      return connection_->Error(bind.code(), "bind");
    }
    return connection_->StepDone(statement, "set case status");
  }

  Status AddEvent(std::int64_t case_id, const CaseEvent& event) {
    sqlite3_stmt* statement = insert_event_.get();
    Binder bind(statement);
    bind.Int(1, case_id)
        .Int(2, event.at_ms)
        .Text(3, CaseStatusName(event.status))
        .Text(4, event.reason)
        .Text(5, event.actor)
        .Text(6, event.action)
        .Text(7, event.reason_code)
        .Text(8, event.note);
    if (bind.code() != SQLITE_OK) {
      ResetOnExit reset(statement);
      return connection_->Error(bind.code(), "bind");
    }
    return connection_->StepDone(statement, "add case step");
  }

  // The case read by `statement` (bound, not stepped), whole; NotFound
  // when it returns no row.
  Result<Case> LoadWith(sqlite3_stmt* statement, const std::string& what) {
    Case found;
    {
      ResetOnExit reset(statement);
      const int step = sqlite3_step(statement);
      if (step == SQLITE_DONE) return NotFoundError("no case " + what);
      if (step != SQLITE_ROW) return connection_->Error(step, "read case");
      auto row = ReadCaseRow(statement);
      if (!row) return row.error();
      found = std::move(*row);
    }
    REMPART_RETURN_IF_ERROR(LoadDetails(found));
    return found;
  }

  Result<Case> LoadCase(std::string_view code) {
    sqlite3_stmt* statement = get_case_.get();
    Binder bind(statement);
    bind.Text(1, code);
    if (bind.code() != SQLITE_OK) {
      ResetOnExit reset(statement);
      return connection_->Error(bind.code(), "bind");
    }
    return LoadWith(statement, "with code " + std::string(code));
  }

  Result<Case> LoadCaseById(std::int64_t id) {
    sqlite3_stmt* statement = get_case_by_id_.get();
    Binder bind(statement);
    bind.Int(1, id);
    if (bind.code() != SQLITE_OK) {
      ResetOnExit reset(statement);
      return connection_->Error(bind.code(), "bind");
    }
    return LoadWith(statement, "with id " + std::to_string(id));
  }

  // ListCases() by code or signal: the candidate ids in order, then each
  // case read and filtered until the page is full.
  Result<std::vector<Case>> SearchCases(const CaseFilter& filter) {
    std::vector<Case> cases;
    if (filter.code.has_value()) {
      auto found = LoadCase(*filter.code);
      if (!found) {
        if (found.error().code() == StatusCode::kNotFound) return cases;
        return found.error();
      }
      if (CasePasses(*found, filter)) cases.push_back(std::move(*found));
      return cases;
    }
    std::vector<std::int64_t> ids;
    const Signal& signal = *filter.signal;
    if (signal.kind() == SignalKind::kPdq) {
      sqlite3_stmt* statement = scan_pdq_signals_.get();
      ResetOnExit reset(statement);
      Binder bind(statement);
      bind.Int(1, filter.after_id);
      if (bind.code() != SQLITE_OK) {
        return connection_->Error(bind.code(), "bind");
      }
      int code = SQLITE_OK;
      while ((code = sqlite3_step(statement)) == SQLITE_ROW) {
        const std::int64_t case_id = sqlite3_column_int64(statement, 0);
        if (!ids.empty() && ids.back() == case_id) continue;
        if (PdqDistance(ColumnBlob(statement, 1), signal.bytes()) <=
            filter.pdq_radius) {
          ids.push_back(case_id);
        }
      }
      if (code != SQLITE_DONE) return connection_->Error(code, "scan cases");
    } else {
      sqlite3_stmt* statement = cases_with_signal_.get();
      ResetOnExit reset(statement);
      Binder bind(statement);
      bind.Int(1, KindCode(signal.kind()))
          .Blob(2, signal.bytes())
          .Int(3, filter.after_id);
      if (bind.code() != SQLITE_OK) {
        return connection_->Error(bind.code(), "bind");
      }
      int code = SQLITE_OK;
      while ((code = sqlite3_step(statement)) == SQLITE_ROW) {
        ids.push_back(sqlite3_column_int64(statement, 0));
      }
      if (code != SQLITE_DONE) return connection_->Error(code, "find cases");
    }
    for (std::int64_t id : ids) {
      if (cases.size() >= filter.limit) break;
      auto found = LoadCaseById(id);
      if (!found) return found.error();
      if (CasePasses(*found, filter)) cases.push_back(std::move(*found));
    }
    return cases;
  }

  // Fills the signals, history, replies, published entries and outcomes of
  // `found`, whose row is read.
  Status LoadDetails(Case& found) {
    found.signals.clear();
    found.videos.clear();
    found.patches.clear();
    found.history.clear();
    found.replies.clear();
    found.outcomes.clear();
    const auto bind_id = [&](sqlite3_stmt* statement) {
      Binder bind(statement);
      bind.Int(1, found.id);
      return bind.code() == SQLITE_OK ? OkStatus()
                                      : connection_->Error(bind.code(), "bind");
    };
    const auto read_all = [&](sqlite3_stmt* statement, std::string_view what,
                              const std::function<Status()>& row) -> Status {
      ResetOnExit reset(statement);
      REMPART_RETURN_IF_ERROR(bind_id(statement));
      int code = SQLITE_OK;
      while ((code = sqlite3_step(statement)) == SQLITE_ROW) {
        REMPART_RETURN_IF_ERROR(row());
      }
      if (code != SQLITE_DONE) return connection_->Error(code, what);
      return OkStatus();
    };
    sqlite3_stmt* signals = case_signals_.get();
    REMPART_RETURN_IF_ERROR(read_all(signals, "read case signals", [&] {
      auto signal = SignalFromColumns(sqlite3_column_int(signals, 0),
                                      ColumnBlob(signals, 1));
      if (!signal) {
        return InternalError("case " + found.code +
                             " has an unreadable signal");
      }
      if (signal->kind() == SignalKind::kVpdq) {
        auto frames = internal::DecodeVpdqFrames(ColumnBlob(signals, 2));
        if (!frames) {
          return InternalError("case " + found.code +
                               " has a video with unreadable frames (" +
                               frames.error().message() + ")");
        }
        found.videos.push_back(std::move(*frames));
      }
      if (sqlite3_column_type(signals, 3) != SQLITE_NULL) {
        auto patches = hash::DecodePatches(ColumnBlob(signals, 3));
        if (!patches || signal->kind() != SignalKind::kPdq) {
          return InternalError("case " + found.code +
                               " has an unreadable patch signature");
        }
        found.patches.push_back({signal->pdq(), std::move(*patches)});
      }
      found.signals.push_back(*signal);
      return OkStatus();
    }));
    sqlite3_stmt* events = case_events_.get();
    REMPART_RETURN_IF_ERROR(read_all(events, "read case history", [&] {
      CaseEvent event;
      event.at_ms = sqlite3_column_int64(events, 0);
      auto status = ParseCaseStatus(ColumnText(events, 1));
      if (!status) {
        return InternalError("case " + found.code +
                             " has a step with an unknown status");
      }
      event.status = *status;
      event.reason = ColumnText(events, 2);
      event.actor = ColumnText(events, 3);
      event.action = ColumnText(events, 4);
      event.reason_code = ColumnText(events, 5);
      event.note = ColumnText(events, 6);
      found.history.push_back(std::move(event));
      return OkStatus();
    }));
    sqlite3_stmt* replies = case_replies_.get();
    REMPART_RETURN_IF_ERROR(read_all(replies, "read case replies", [&] {
      const std::span<const std::uint8_t> sealed = ColumnBlob(replies, 1);
      found.replies.push_back({sqlite3_column_int64(replies, 0),
                               std::string(sealed.begin(), sealed.end())});
      return OkStatus();
    }));
    if (found.published.has_value()) {
      found.published->entry_ids.clear();
      sqlite3_stmt* entries = case_entries_.get();
      REMPART_RETURN_IF_ERROR(read_all(entries, "read case entries", [&] {
        found.published->entry_ids.push_back(sqlite3_column_int64(entries, 0));
        return OkStatus();
      }));
    }
    sqlite3_stmt* outcomes = case_outcomes_.get();
    return read_all(outcomes, "read case outcomes", [&] {
      CaseOutcome outcome;
      outcome.at_ms = sqlite3_column_int64(outcomes, 0);
      outcome.kind = ColumnText(outcomes, 1) == "removal"
                         ? OutcomeKind::kRemoval
                         : OutcomeKind::kMatch;
      outcome.platform = ColumnText(outcomes, 2);
      outcome.entry_id = sqlite3_column_int64(outcomes, 3);
      found.outcomes.push_back(std::move(outcome));
      return OkStatus();
    });
  }

  std::shared_ptr<Connection> connection_;
  std::shared_ptr<EntryWriter> entries_;
  StatementPtr insert_case_;
  StatementPtr insert_signal_;
  StatementPtr insert_event_;
  StatementPtr get_case_;
  StatementPtr get_case_by_id_;
  StatementPtr list_cases_;
  StatementPtr list_cases_by_status_;
  StatementPtr case_signals_;
  StatementPtr case_events_;
  StatementPtr update_case_;
  StatementPtr case_replies_;
  StatementPtr insert_reply_;
  StatementPtr case_entries_;
  StatementPtr insert_case_entry_;
  StatementPtr set_published_;
  StatementPtr case_outcomes_;
  StatementPtr cases_of_entry_;
  StatementPtr insert_outcome_;
  StatementPtr published_entry_ids_;
  StatementPtr cases_with_signal_;
  StatementPtr scan_pdq_signals_;
};

}  // namespace

Result<std::unique_ptr<CaseStore>> MakeCaseStore(
    std::shared_ptr<Connection> connection,
    std::shared_ptr<EntryWriter> entries) {
  auto cases = std::make_unique<SqliteCaseStore>(std::move(connection),
                                                 std::move(entries));
  REMPART_RETURN_IF_ERROR(cases->Prepare());
  return std::unique_ptr<CaseStore>(std::move(cases));
}

}  // namespace rempart::store::sqlite
