// The shared bank and entry writes (sqlite_entries.h). Adding is
// idempotent per (bank, kind, value): INSERT … ON CONFLICT DO NOTHING
// leaves an existing row alone, and sqlite3_changes() tells added from
// unchanged. The rows are stamped with the next revision before deciding to
// take it (the write lock keeps it free until the commit), so a batch that
// adds nothing leaves the revision alone. A video's frames go to
// entry_frames only when its entry row is new: an unchanged video keeps the
// frames it has (the same ones, since the name is their hash). So does a
// patch signature: an unchanged entry keeps the one it has, or none.
#include "store/sqlite/sqlite_entries.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "store/store_internal.h"

namespace rempart::store::sqlite {

Result<std::shared_ptr<EntryWriter>> EntryWriter::Make(
    std::shared_ptr<Connection> connection) {
  std::shared_ptr<EntryWriter> writer(new EntryWriter(std::move(connection)));
  const std::array<std::pair<const char*, StatementPtr*>, 9> statements = {{
      {"SELECT id, name, description, created_at, active_pdq, active_md5, "
       "active_sha256, revoked, revision, active_vpdq FROM banks "
       "WHERE name = ?1",
       &writer->load_bank_},
      {"SELECT revision FROM store_state WHERE id = 1",
       &writer->current_revision_},
      {"UPDATE store_state SET revision = ?1 WHERE id = 1",
       &writer->set_revision_},
      {"UPDATE banks SET active_pdq = active_pdq + ?2, "
       "active_md5 = active_md5 + ?3, active_sha256 = active_sha256 + ?4, "
       "revoked = revoked + ?5, revision = ?6, "
       "active_vpdq = active_vpdq + ?7 WHERE id = ?1",
       &writer->apply_delta_},
      {"INSERT INTO entries(bank_id, kind, value, quality, pdq_mode, "
       "category, source_org, external_id, status, revoke_reason, "
       "created_at, updated_at, revision, has_patches) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12, ?13) "
       "ON CONFLICT (bank_id, kind, value) DO NOTHING",
       &writer->insert_entry_},
      {"SELECT id FROM entries WHERE bank_id = ?1 AND kind = ?2 "
       "AND value = ?3",
       &writer->find_entry_id_},
      {"INSERT INTO entry_frames(entry_id, frames) VALUES (?1, ?2)",
       &writer->insert_frames_},
      {"INSERT INTO entry_patches(entry_id, patches) VALUES (?1, ?2)",
       &writer->insert_patches_},
      // An existing PDQ entry without a signature takes one: flagged and
      // stamped, so a reader of the change log sees it again.
      {"UPDATE entries SET has_patches = 1, revision = ?4, updated_at = ?5 "
       "WHERE bank_id = ?1 AND kind = ?2 AND value = ?3 AND kind = 0 "
       "AND has_patches = 0 RETURNING id",
       &writer->sign_entry_},
  }};
  for (const auto& [sql, statement] : statements) {
    REMPART_RETURN_IF_ERROR(
        writer->connection_->PrepareStatement(sql, *statement));
  }
  return writer;
}

Result<BankRow> EntryWriter::LoadBank(std::string_view name) {
  REMPART_RETURN_IF_ERROR(ValidateBankName(name));
  sqlite3_stmt* statement = load_bank_.get();
  ResetOnExit reset(statement);
  Binder bind(statement);
  bind.Text(1, name);
  if (bind.code() != SQLITE_OK) return connection_->Error(bind.code(), "bind");
  const int code = sqlite3_step(statement);
  if (code == SQLITE_DONE) {
    return NotFoundError("no bank named '" + std::string(name) + "'");
  }
  if (code != SQLITE_ROW) return connection_->Error(code, "read bank");
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
  row.stats.active_vpdq = sqlite3_column_int64(statement, 9);
  row.stats.total = row.stats.active_pdq + row.stats.active_md5 +
                    row.stats.active_sha256 + row.stats.active_vpdq +
                    row.stats.revoked;
  return row;
}

Result<std::int64_t> EntryWriter::ReadRevision() {
  sqlite3_stmt* statement = current_revision_.get();
  ResetOnExit reset(statement);
  const int code = sqlite3_step(statement);
  if (code != SQLITE_ROW) return connection_->Error(code, "read revision");
  return sqlite3_column_int64(statement, 0);
}

Status EntryWriter::SetRevision(std::int64_t revision) {
  sqlite3_stmt* statement = set_revision_.get();
  Binder bind(statement);
  bind.Int(1, revision);
  if (bind.code() != SQLITE_OK) {
    ResetOnExit reset(statement);
    return connection_->Error(bind.code(), "bind");
  }
  return connection_->StepDone(statement, "take a revision");
}

Status EntryWriter::ApplyDelta(std::int64_t bank_id, const CountDelta& delta,
                               std::int64_t revision) {
  sqlite3_stmt* statement = apply_delta_.get();
  Binder bind(statement);
  bind.Int(1, bank_id)
      .Int(2, delta.active[0])
      .Int(3, delta.active[1])
      .Int(4, delta.active[2])
      .Int(5, delta.revoked)
      .Int(6, revision)
      .Int(7, delta.active[3]);
  if (bind.code() != SQLITE_OK) {
    ResetOnExit reset(statement);
    return connection_->Error(bind.code(), "bind");
  }
  return connection_->StepDone(statement, "update bank counts");
}

Status EntryWriter::AddFrames(std::int64_t entry_id,
                              std::span<const hash::VpdqFrame> frames) {
  const std::vector<std::uint8_t> bytes = internal::EncodeVpdqFrames(frames);
  sqlite3_stmt* statement = insert_frames_.get();
  Binder bind(statement);
  bind.Int(1, entry_id).Blob(2, bytes);
  if (bind.code() != SQLITE_OK) {
    ResetOnExit reset(statement);
    return connection_->Error(bind.code(), "bind");
  }
  return connection_->StepDone(statement, "add video frames");
}

Status EntryWriter::AddPatches(std::int64_t entry_id,
                               const hash::PatchSignature& signature) {
  const std::vector<std::uint8_t> bytes = hash::EncodePatches(signature);
  sqlite3_stmt* statement = insert_patches_.get();
  Binder bind(statement);
  bind.Int(1, entry_id).Blob(2, bytes);
  if (bind.code() != SQLITE_OK) {
    ResetOnExit reset(statement);
    return connection_->Error(bind.code(), "bind");
  }
  return connection_->StepDone(statement, "add a patch signature");
}

Result<std::int64_t> EntryWriter::SignExisting(std::int64_t bank_id,
                                               const EntryInput& input,
                                               std::int64_t revision,
                                               std::int64_t now) {
  sqlite3_stmt* statement = sign_entry_.get();
  ResetOnExit reset(statement);
  Binder bind(statement);
  bind.Int(1, bank_id)
      .Int(2, KindCode(input.signal.kind()))
      .Blob(3, input.signal.bytes())
      .Int(4, revision)
      .Int(5, now);
  if (bind.code() != SQLITE_OK) return connection_->Error(bind.code(), "bind");
  const int code = sqlite3_step(statement);
  if (code == SQLITE_DONE) return std::int64_t{0};  // Signed already.
  if (code != SQLITE_ROW) return connection_->Error(code, "sign an entry");
  const std::int64_t id = sqlite3_column_int64(statement, 0);
  // RETURNING gives the row before the update is done: step to the end.
  if (const int done = sqlite3_step(statement); done != SQLITE_DONE) {
    return connection_->Error(done, "sign an entry");
  }
  REMPART_RETURN_IF_ERROR(AddPatches(id, *input.patches));
  return id;
}

Result<AddOutcome> EntryWriter::Add(std::string_view bank,
                                    std::span<const NewEntry> entries,
                                    const Actor& actor,
                                    std::vector<std::int64_t>* entry_ids) {
  auto row = LoadBank(bank);
  if (!row) return row.error();
  AddOutcome outcome;
  // Asks for nothing, so there is nothing to record either.
  if (entries.empty()) return outcome;
  auto current = ReadRevision();
  if (!current) return current.error();
  const std::int64_t revision = *current + 1;
  const std::int64_t now = connection_->Now();

  sqlite3_stmt* statement = insert_entry_.get();
  ResetOnExit reset(statement);
  CountDelta delta;
  std::size_t videos = 0;
  std::size_t signatures = 0;
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
    bind.Int(11, now).Int(12, revision).Int(13, input.patches ? 1 : 0);
    if (bind.code() != SQLITE_OK) {
      return connection_->Error(bind.code(), "bind");
    }
    const int code = sqlite3_step(statement);
    if (code != SQLITE_DONE) return connection_->Error(code, "add entry");
    if (sqlite3_changes(connection_->db()) == 0) {
      ++outcome.unchanged;
      if (input.patches) {
        auto signed_id = SignExisting(row->id, input, revision, now);
        if (!signed_id) return signed_id.error();
        if (*signed_id > 0) {
          ++outcome.signed_existing;
          ++signatures;
        }
      }
      if (entry_ids != nullptr) {
        sqlite3_stmt* find = find_entry_id_.get();
        ResetOnExit reset_find(find);
        Binder bind_find(find);
        bind_find.Int(1, row->id)
            .Int(2, KindCode(input.signal.kind()))
            .Blob(3, input.signal.bytes());
        if (bind_find.code() != SQLITE_OK) {
          return connection_->Error(bind_find.code(), "bind");
        }
        if (sqlite3_step(find) != SQLITE_ROW) {
          return InternalError("an entry present a moment ago is gone");
        }
        entry_ids->push_back(sqlite3_column_int64(find, 0));
      }
      continue;
    }
    ++outcome.added;
    const std::int64_t id = sqlite3_last_insert_rowid(connection_->db());
    outcome.added_ids.push_back(id);
    if (input.signal.kind() == SignalKind::kVpdq) {
      ++videos;
      REMPART_RETURN_IF_ERROR(AddFrames(id, input.frames));
    }
    if (input.patches) {
      ++signatures;
      REMPART_RETURN_IF_ERROR(AddPatches(id, *input.patches));
    }
    if (entry_ids != nullptr) entry_ids->push_back(id);
    if (entry.status == EntryStatus::kRevoked) {
      ++delta.revoked;
    } else {
      ++delta.active.at(KindCode(input.signal.kind()));
    }
  }
  if (outcome.added > 0 || outcome.signed_existing > 0) {
    REMPART_RETURN_IF_ERROR(SetRevision(revision));
    REMPART_RETURN_IF_ERROR(ApplyDelta(row->id, delta, revision));
    outcome.revision = revision;
  }
  // Recorded even when every entry was already there: the submission is
  // an action of its own.
  const AuditEvent event{
      "entries.add", row->bank.name,
      "{\"added\":" + std::to_string(outcome.added) +
          ",\"unchanged\":" + std::to_string(outcome.unchanged) +
          ",\"revision\":" + std::to_string(outcome.revision) +
          (videos > 0 ? ",\"videos\":" + std::to_string(videos) : "") +
          (signatures > 0 ? ",\"patches\":" + std::to_string(signatures) : "") +
          "}"};
  auto record = connection_->AppendAudit(actor, event, now);
  if (!record) return record.error();
  return outcome;
}

}  // namespace rempart::store::sqlite
