// EntryWriter: the writes to banks and entries that more than one SQLite
// interface makes inside its own transaction. The Store adds entries with
// it (AddEntries()), and the CaseStore too, when a verified case publishes
// its signals: the entries, the case's link to them and its new status then
// commit together. Not part of the public API.
//
// Every method runs with the connection's mutex held; the writing ones
// inside a WriteTransaction the caller opened and commits.
#ifndef REMPART_STORE_SQLITE_SQLITE_ENTRIES_H_
#define REMPART_STORE_SQLITE_SQLITE_ENTRIES_H_

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "rempart/core/result.h"
#include "rempart/store/store.h"
#include "store/sqlite/sqlite_connection.h"

namespace rempart::store::sqlite {

// A bank row: its key and what Bank and BankStats show.
struct BankRow {
  std::int64_t id = 0;
  Bank bank;
  BankStats stats;
};

// Changes to a bank's counters made by one transaction.
struct CountDelta {
  std::array<std::int64_t, kKindCodes> active{};  // By KindCode().
  std::int64_t revoked = 0;
};

class EntryWriter {
 public:
  // Prepares the writer's statements on `connection`, which it keeps.
  static Result<std::shared_ptr<EntryWriter>> Make(
      std::shared_ptr<Connection> connection);

  // The bank called `name`, with its counters. InvalidArgument for a bad
  // name, NotFound for none.
  Result<BankRow> LoadBank(std::string_view name);
  // The store's revision. Inside a write transaction, the next one is this
  // plus one until SetRevision() takes it.
  Result<std::int64_t> ReadRevision();
  Status SetRevision(std::int64_t revision);
  Status ApplyDelta(std::int64_t bank_id, const CountDelta& delta,
                    std::int64_t revision);

  // Store::AddEntries() past its validation: adds `entries` to `bank`, a
  // video's frames with its entry, and appends the "entries.add" audit
  // record. When `entry_ids` is given it
  // receives, in input order, the id of the entry holding each input's
  // signal, new or already there.
  Result<AddOutcome> Add(std::string_view bank,
                         std::span<const NewEntry> entries, const Actor& actor,
                         std::vector<std::int64_t>* entry_ids);

 private:
  explicit EntryWriter(std::shared_ptr<Connection> connection)
      : connection_(std::move(connection)) {}
  // Stores the frames of the new video entry `entry_id`.
  Status AddFrames(std::int64_t entry_id,
                   std::span<const hash::VpdqFrame> frames);
  // Flags the PDQ entry of `bank_id` holding input.signal, when it has no
  // signature, stamps it with `revision` and stores input.patches; its id,
  // or 0 when it had a signature already.
  Result<std::int64_t> SignExisting(std::int64_t bank_id,
                                    const EntryInput& input,
                                    std::int64_t revision, std::int64_t now);
  // Stores the patch signature of the new PDQ entry `entry_id`.
  Status AddPatches(std::int64_t entry_id,
                    const hash::PatchSignature& signature);

  std::shared_ptr<Connection> connection_;
  StatementPtr load_bank_;
  StatementPtr current_revision_;
  StatementPtr set_revision_;
  StatementPtr apply_delta_;
  StatementPtr insert_entry_;
  StatementPtr find_entry_id_;
  StatementPtr insert_frames_;
  StatementPtr insert_patches_;
  StatementPtr sign_entry_;
};

}  // namespace rempart::store::sqlite

#endif  // REMPART_STORE_SQLITE_SQLITE_ENTRIES_H_
