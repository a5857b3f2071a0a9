// The SQLite CaseStore. A case is a row of cases (its current status and
// reason, kept in step with the history by the same transactions), its
// signals in case_signals (in the order first given; UNIQUE per case, so a
// duplicate is stored once) and its steps in case_events. A case is read
// whole: the row, then its signals and its history by the case's id.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "store/sqlite/sqlite_connection.h"
#include "store/store_internal.h"

namespace rempart::store::sqlite {
namespace {

// The columns ReadCaseRow() reads, in its order.
#define REMPART_CASE_COLUMNS                                                \
  "id, code, category, channel, status, reason, secret_salt, secret_hash, " \
  "sealed_contact, created_at, updated_at"

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
  return found;
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
  explicit SqliteCaseStore(std::shared_ptr<Connection> connection)
      : connection_(std::move(connection)) {}

  Status Prepare() {
    const std::array<std::pair<const char*, StatementPtr*>, 9> statements = {{
        {"INSERT INTO cases(code, category, channel, status, reason, "
         "secret_salt, secret_hash, sealed_contact, created_at, updated_at) "
         "VALUES (?1, ?2, ?3, 'received', '', ?4, ?5, ?6, ?7, ?7)",
         &insert_case_},
        {"INSERT INTO case_signals(case_id, position, kind, value) "
         "VALUES (?1, ?2, ?3, ?4)",
         &insert_signal_},
        {"INSERT INTO case_events(case_id, at, status, reason, actor) "
         "VALUES (?1, ?2, ?3, ?4, ?5)",
         &insert_event_},
        {"SELECT " REMPART_CASE_COLUMNS " FROM cases WHERE code = ?1",
         &get_case_},
        {"SELECT " REMPART_CASE_COLUMNS
         " FROM cases WHERE id > ?1 ORDER BY id LIMIT ?2",
         &list_cases_},
        // Walks cases_by_status (status, id): one status, in id order.
        {"SELECT " REMPART_CASE_COLUMNS
         " FROM cases WHERE status = ?3 AND id > ?1 ORDER BY id LIMIT ?2",
         &list_cases_by_status_},
        {"SELECT kind, value FROM case_signals WHERE case_id = ?1 "
         "ORDER BY position",
         &case_signals_},
        {"SELECT at, status, reason, actor FROM case_events "
         "WHERE case_id = ?1 ORDER BY id",
         &case_events_},
        {"UPDATE cases SET status = ?2, reason = ?3, updated_at = ?4 "
         "WHERE id = ?1",
         &update_status_},
    }};
    for (const auto& [sql, statement] : statements) {
      REMPART_RETURN_IF_ERROR(connection_->PrepareStatement(sql, *statement));
    }
    return OkStatus();
  }

  Result<Case> CreateCase(const NewCase& new_case,
                          const Actor& actor) override {
    REMPART_RETURN_IF_ERROR(ValidateCaseCode(new_case.code));
    if (new_case.signals.empty()) {
      return InvalidArgumentError("a case needs at least one signal");
    }
    if (new_case.signals.size() > kMaxCaseSignals) {
      return InvalidArgumentError(
          "a case holds at most " + std::to_string(kMaxCaseSignals) +
          " signals (got " + std::to_string(new_case.signals.size()) + ")");
    }
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
    REMPART_RETURN_IF_ERROR(ValidateActor(actor));
    // First occurrences, in order. Quadratic, but over at most
    // kMaxCaseSignals small values.
    std::vector<Signal> signals;
    signals.reserve(new_case.signals.size());
    for (const Signal& signal : new_case.signals) {
      if (std::find(signals.begin(), signals.end(), signal) == signals.end()) {
        signals.push_back(signal);
      }
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
          .Int(7, now);
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
    {
      sqlite3_stmt* statement = insert_signal_.get();
      ResetOnExit reset(statement);
      for (std::size_t i = 0; i < signals.size(); ++i) {
        sqlite3_reset(statement);
        Binder bind(statement);
        bind.Int(1, case_id)
            .Int(2, static_cast<std::int64_t>(i))
            .Int(3, KindCode(signals[i].kind()))
            .Blob(4, signals[i].bytes());
        if (bind.code() != SQLITE_OK) {
          return connection_->Error(bind.code(), "bind");
        }
        const int code = sqlite3_step(statement);
        if (code != SQLITE_DONE) {
          return connection_->Error(code, "add case signal");
        }
      }
    }
    REMPART_RETURN_IF_ERROR(
        AddEvent(case_id, now, CaseStatus::kReceived, "", actor));
    // Never the contact, sealed or not.
    const AuditEvent event{
        "case.create", new_case.code,
        "{\"category\":" +
            internal::JsonQuote(CategoryName(new_case.category)) +
            ",\"channel\":" + internal::JsonQuote(new_case.channel) +
            ",\"signals\":" + std::to_string(signals.size()) + "}"};
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
    std::lock_guard lock(connection_->mutex());
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
    REMPART_RETURN_IF_ERROR(ValidateCaseCode(code));
    if (static_cast<int>(status) > static_cast<int>(CaseStatus::kRejected)) {
      return InvalidArgumentError("unknown case status");
    }
    REMPART_RETURN_IF_ERROR(ValidateReason(status, reason));
    REMPART_RETURN_IF_ERROR(ValidateActor(actor));
    std::lock_guard lock(connection_->mutex());
    Connection::WriteTransaction transaction(*connection_);
    REMPART_RETURN_IF_ERROR(transaction.Begin());
    auto before = LoadCase(code);
    if (!before) return before.error();
    const std::int64_t now = connection_->Now();
    {
      sqlite3_stmt* statement = update_status_.get();
      Binder bind(statement);
      bind.Int(1, before->id)
          .Text(2, CaseStatusName(status))
          .Text(3, reason)
          .Int(4, now);
      if (bind.code() != SQLITE_OK) {
        ResetOnExit reset(statement);
        return connection_->Error(bind.code(), "bind");
      }
      REMPART_RETURN_IF_ERROR(
          connection_->StepDone(statement, "set case status"));
    }
    REMPART_RETURN_IF_ERROR(AddEvent(before->id, now, status, reason, actor));
    const AuditEvent event{
        "case.status", before->code,
        "{\"from\":" + internal::JsonQuote(CaseStatusName(before->status)) +
            ",\"status\":" + internal::JsonQuote(CaseStatusName(status)) +
            ",\"reason\":" + internal::JsonQuote(reason) + "}"};
    auto record = connection_->AppendAudit(actor, event, now);
    if (!record) return record.error();
    auto after = LoadCase(code);
    if (!after) return after.error();
    REMPART_RETURN_IF_ERROR(transaction.Commit());
    return after;
  }

 private:
  // The rest of these run with the mutex held.

  Status AddEvent(std::int64_t case_id, std::int64_t at_ms, CaseStatus status,
                  std::string_view reason, const Actor& actor) {
    sqlite3_stmt* statement = insert_event_.get();
    Binder bind(statement);
    bind.Int(1, case_id)
        .Int(2, at_ms)
        .Text(3, CaseStatusName(status))
        .Text(4, reason)
        .Text(5, actor.id);
    if (bind.code() != SQLITE_OK) {
      ResetOnExit reset(statement);
      return connection_->Error(bind.code(), "bind");
    }
    return connection_->StepDone(statement, "add case step");
  }

  Result<Case> LoadCase(std::string_view code) {
    Case found;
    {
      sqlite3_stmt* statement = get_case_.get();
      ResetOnExit reset(statement);
      Binder bind(statement);
      bind.Text(1, code);
      if (bind.code() != SQLITE_OK) {
        return connection_->Error(bind.code(), "bind");
      }
      const int step = sqlite3_step(statement);
      if (step == SQLITE_DONE) {
        return NotFoundError("no case with code " + std::string(code));
      }
      if (step != SQLITE_ROW) return connection_->Error(step, "read case");
      auto row = ReadCaseRow(statement);
      if (!row) return row.error();
      found = std::move(*row);
    }
    REMPART_RETURN_IF_ERROR(LoadDetails(found));
    return found;
  }

  // Fills the signals and history of `found`, whose row is read.
  Status LoadDetails(Case& found) {
    found.signals.clear();
    found.history.clear();
    {
      sqlite3_stmt* statement = case_signals_.get();
      ResetOnExit reset(statement);
      Binder bind(statement);
      bind.Int(1, found.id);
      if (bind.code() != SQLITE_OK) {
        return connection_->Error(bind.code(), "bind");
      }
      int code = SQLITE_OK;
      while ((code = sqlite3_step(statement)) == SQLITE_ROW) {
        auto signal = SignalFromColumns(sqlite3_column_int(statement, 0),
                                        ColumnBlob(statement, 1));
        if (!signal) {
          return InternalError("case " + found.code +
                               " has an unreadable signal");
        }
        found.signals.push_back(*signal);
      }
      if (code != SQLITE_DONE) {
        return connection_->Error(code, "read case signals");
      }
    }
    sqlite3_stmt* statement = case_events_.get();
    ResetOnExit reset(statement);
    Binder bind(statement);
    bind.Int(1, found.id);
    if (bind.code() != SQLITE_OK) {
      return connection_->Error(bind.code(), "bind");
    }
    int code = SQLITE_OK;
    while ((code = sqlite3_step(statement)) == SQLITE_ROW) {
      CaseEvent event;
      event.at_ms = sqlite3_column_int64(statement, 0);
      auto status = ParseCaseStatus(ColumnText(statement, 1));
      if (!status) {
        return InternalError("case " + found.code +
                             " has a step with an unknown status");
      }
      event.status = *status;
      event.reason = ColumnText(statement, 2);
      event.actor = ColumnText(statement, 3);
      found.history.push_back(std::move(event));
    }
    if (code != SQLITE_DONE) {
      return connection_->Error(code, "read case history");
    }
    return OkStatus();
  }

  std::shared_ptr<Connection> connection_;
  StatementPtr insert_case_;
  StatementPtr insert_signal_;
  StatementPtr insert_event_;
  StatementPtr get_case_;
  StatementPtr list_cases_;
  StatementPtr list_cases_by_status_;
  StatementPtr case_signals_;
  StatementPtr case_events_;
  StatementPtr update_status_;
};

}  // namespace

Result<std::unique_ptr<CaseStore>> MakeCaseStore(
    std::shared_ptr<Connection> connection) {
  auto cases = std::make_unique<SqliteCaseStore>(std::move(connection));
  REMPART_RETURN_IF_ERROR(cases->Prepare());
  return std::unique_ptr<CaseStore>(std::move(cases));
}

}  // namespace rempart::store::sqlite
