// Store: where banks and their entries live, durably.
//
// A Store holds banks (named lists of signals, see entry.h) and their
// entries. It is the system of record: an in-memory index is rebuilt from
// it with ForEachEntry() and kept live with ForEachChangeSince(). SQLite is
// the embedded default (sqlite_store.h); other backends implement the same
// contract and pass the same contract tests (src/store/store_contract_test.h).
//
// Durability: a call that changes data runs as one transaction and, when it
// returns OK, the change has reached stable storage ("acknowledged"). When
// it fails, nothing of it is visible.
//
// Revisions: the store keeps one counter, the revision, that only grows.
// Every transaction that changes entries takes the next revision and stamps
// every row it adds or revokes with it. A reader that has seen everything up
// to revision R catches up by reading the rows stamped after R. A row keeps
// only its latest revision, so a reader sees each entry's current state, not
// every step it went through (an entry added and revoked since R shows up
// once, revoked).
//
// Bank names: every method taking one fails with InvalidArgument when it is
// not a valid bank name (ValidateBankName()) and with NotFound when no bank
// has it.
//
// Audit: every call that changes data also appends one record to the
// store's audit log (audit.h) in the same transaction, naming the Actor
// that asked. The overloads without an Actor act as Actor{} ("local").
// A call that fails appends nothing. A call that succeeds without changing
// anything (a batch of signals all already present, revoking a revoked
// entry) is still recorded: someone asked, and the record says that nothing
// changed. Only an empty AddEntries() batch, which asks for nothing, leaves
// no record. An invalid Actor (ValidateActor()) is InvalidArgument.
//
// Thread safety: every method may be called from any thread; a Store
// serializes calls internally. The callbacks of ForEachEntry() and
// ForEachChangeSince() run while the store is held and must not call back
// into the same Store (that deadlocks); a long iteration delays writers.
#ifndef REMPART_STORE_STORE_H_
#define REMPART_STORE_STORE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rempart/core/result.h"
#include "rempart/core/status.h"
#include "rempart/hash/vpdq.h"
#include "rempart/store/audit.h"
#include "rempart/store/entry.h"

namespace rempart::store {

// Bank names: 1…64 characters of [a-z0-9._-], starting with a letter or a
// digit, so that a name is safe in a URL path, a file name and a log line.
inline constexpr std::size_t kMaxBankNameBytes = 64;
// Bank descriptions: free text without NUL bytes.
inline constexpr std::size_t kMaxBankDescriptionBytes = 1024;
// source_org, external_id and revoke_reason: free text without NUL bytes.
inline constexpr std::size_t kMaxEntryTextBytes = 256;

// A video frame's timestamp is at most this many seconds (hash/vpdq.h).
using hash::kMaxVpdqTimestampSeconds;

// OK when `name` is a valid bank name; InvalidArgument saying why not.
Status ValidateBankName(std::string_view name);

// OK when `frames` may be stored as one video (an entry's or a case's):
// 1…hash::kMaxVpdqFrames frames, frame numbers ≥ 0 and strictly
// increasing, quality 0…100, timestamps finite, ≥ 0 and at most
// kMaxVpdqTimestampSeconds. InvalidArgument naming the first bad frame by
// its index ("frame 3: quality 101 is outside 0…100").
Status ValidateVpdqFrames(std::span<const hash::VpdqFrame> frames);

struct Bank {
  std::string name;
  std::string description;
  // Milliseconds since the Unix epoch (UTC).
  std::int64_t created_at_ms = 0;
};

// Counts for one bank.
struct BankStats {
  // Active entries by signal kind.
  std::int64_t active_pdq = 0;
  std::int64_t active_md5 = 0;
  std::int64_t active_sha256 = 0;
  std::int64_t active_vpdq = 0;
  // Revoked entries, all kinds.
  std::int64_t revoked = 0;
  // All entries: the active ones plus the revoked ones.
  std::int64_t total = 0;
  // The revision of the last change to the bank's entries; 0 if none.
  std::int64_t revision = 0;
};

// One entry to add. Imports of exported banks carry revoked entries too, so
// the status is given per entry.
struct NewEntry {
  EntryInput input;
  EntryStatus status = EntryStatus::kActive;
  // Required (non-empty) when status is kRevoked; must be empty otherwise.
  std::string revoke_reason;
};

// OK when `entry` may be stored; InvalidArgument saying why not:
// quality outside 0…100, quality or pdq_mode on a non-PDQ signal, a text
// field longer than kMaxEntryTextBytes or holding a NUL byte, a revoked
// entry without a reason or an active one with a reason; for a kVpdq
// signal, frames that ValidateVpdqFrames() refuses or a signal other than
// Signal::Vpdq(frames) (the video's name); frames on any other kind;
// patches (ValidatePatchSignature()) on anything but a PDQ signal.
Status ValidateNewEntry(const NewEntry& entry);

// OK when `signature` may be stored with a PDQ entry: 1…hash::kMaxPatches
// patches, width and height positive, every patch's centre within 0…1, its
// side within (0, 1] and its quality within 0…100. InvalidArgument naming
// the first bad patch ("patch 3: side 0 is outside (0, 1]").
Status ValidatePatchSignature(const hash::PatchSignature& signature);

struct AddOutcome {
  // Entries created by the call.
  std::size_t added = 0;
  // Inputs whose signal was already in the bank (or earlier in the batch).
  std::size_t unchanged = 0;
  // Of those, the PDQ entries that had no patch signature and took the one
  // given (stamped with the call's revision, so that matchers pick it up).
  std::size_t signed_existing = 0;
  // Ids of the created entries, in input order.
  std::vector<std::int64_t> added_ids;
  // The revision stamped on the created (or newly signed) entries; 0 when
  // there is none.
  std::int64_t revision = 0;
};

// Which entries ForEachEntry() visits.
struct EntryFilter {
  // Only entries with this status, when set.
  std::optional<EntryStatus> status;
  // Only entries with signals of this kind, when set.
  std::optional<SignalKind> kind;
  // Only entries with id > after_id: pass the last id seen to page.
  std::int64_t after_id = 0;
  // Only PDQ entries holding a patch signature, when set (read through an
  // index of those alone, so a bank of millions of plain hashes is not
  // scanned to find its few hundred signatures).
  bool with_patches = false;
};

// Called once per entry; return false to stop early. The Entry is only
// valid during the call (it is reused for the next row). Every Entry a
// Store returns, here or elsewhere, holds its frames when it is a kVpdq
// entry.
using EntryCallback = std::function<bool(const Entry& entry)>;
// Called once per changed entry with the revision stamped on it; return
// false to stop early. The Entry is only valid during the call.
using ChangeCallback =
    std::function<bool(std::int64_t revision, const Entry& entry)>;

class Store {
 public:
  virtual ~Store() = default;

  // Creates an empty bank. InvalidArgument for an invalid name or a
  // description over kMaxBankDescriptionBytes or holding NUL; AlreadyExists
  // if a bank of that name exists.
  // Audited as "bank.create", target the name, details the description.
  virtual Result<Bank> CreateBank(std::string_view name,
                                  std::string_view description,
                                  const Actor& actor) = 0;
  Result<Bank> CreateBank(std::string_view name, std::string_view description) {
    return CreateBank(name, description, Actor{});
  }
  // All banks, ordered by name.
  virtual Result<std::vector<Bank>> ListBanks() = 0;
  // NotFound if there is no such bank.
  virtual Result<Bank> GetBank(std::string_view name) = 0;
  // NotFound if there is no such bank.
  virtual Result<BankStats> Stats(std::string_view bank) = 0;

  // Adds entries to `bank` in one transaction. An entry is unique per
  // (bank, signal kind, signal bytes) (for a video, its name: the same
  // frames are the same entry): an input whose signal is already in
  // the bank, or appears earlier in `entries`, creates nothing, changes
  // nothing (a revoked entry stays revoked) and counts as unchanged.
  // NotFound if there is no such bank. InvalidArgument, naming the index of
  // the first invalid item (see ValidateNewEntry()), when any item is
  // invalid; nothing is written then. An empty `entries` is OK (and not
  // audited). Audited as "entries.add", target the bank, details
  // {"added":N,"unchanged":N,"revision":R}, plus "videos":N (the kVpdq
  // entries added) and "patches":N (the entries added with a patch
  // signature, new entries and existing ones alike) when N > 0. A kVpdq
  // entry's frames and a PDQ entry's patch signature are written in the
  // same transaction. An entry already there keeps the signature it has; one
  // without takes the one given (AddOutcome::signed_existing): re-importing
  // a list made with `rempart hash --patches` signs the hashes a bank had.
  virtual Result<AddOutcome> AddEntries(std::string_view bank,
                                        std::span<const NewEntry> entries,
                                        const Actor& actor) = 0;
  Result<AddOutcome> AddEntries(std::string_view bank,
                                std::span<const NewEntry> entries) {
    return AddEntries(bank, entries, Actor{});
  }

  // Revokes the entry of `bank` holding `signal` (a video's by its name,
  // Signal::Vpdq(frames)): it stays stored with
  // `reason` and never matches again. Returns the entry as it now is.
  // Revoking an entry that is already revoked changes nothing (the first
  // reason and revision are kept) and is not an error. InvalidArgument when
  // `reason` is empty, longer than kMaxEntryTextBytes or holds NUL; NotFound
  // when there is no such bank or the bank has no entry with `signal`.
  // Audited as "entry.revoke", target "<bank>/<signal hex>", details
  // {"kind":…,"reason":…,"revision":R} (with "unchanged":true and revision
  // 0 when the entry was already revoked).
  virtual Result<Entry> Revoke(std::string_view bank, const Signal& signal,
                               std::string_view reason, const Actor& actor) = 0;
  Result<Entry> Revoke(std::string_view bank, const Signal& signal,
                       std::string_view reason) {
    return Revoke(bank, signal, reason, Actor{});
  }

  // The entries of `bank` holding `signal` (none or one today), whatever
  // their status. NotFound if there is no such bank.
  virtual Result<std::vector<Entry>> FindEntries(std::string_view bank,
                                                 const Signal& signal) = 0;
  // NotFound if no entry has this id.
  virtual Result<Entry> GetEntry(std::int64_t id) = 0;

  // Calls `callback` for each entry of `bank` that passes `filter`, in
  // increasing id order, streaming (memory does not grow with the bank).
  // NotFound if there is no such bank.
  virtual Status ForEachEntry(std::string_view bank, const EntryFilter& filter,
                              const EntryCallback& callback) = 0;

  // The store's revision: the last one stamped on any change, 0 for a store
  // that never changed.
  virtual Result<std::int64_t> CurrentRevision() = 0;
  // Calls `callback` for each entry of `bank` stamped with a revision
  // greater than `revision`, in increasing (revision, id) order, with the
  // entry's current state. NotFound if there is no such bank.
  virtual Status ForEachChangeSince(std::string_view bank,
                                    std::int64_t revision,
                                    const ChangeCallback& callback) = 0;

  // Checks the storage and the store's own invariants (references between
  // tables, per-bank counts, revisions, revocation reasons, case histories,
  // a video's frames present and named by its signal, patch signatures
  // only on PDQ entries and readable)
  // and recomputes the audit chain (AuditLog::VerifyAudit()). Internal with
  // a description of the first problems found. Reads everything: its cost
  // grows with the store, audit log included.
  virtual Status CheckIntegrity() = 0;
};

}  // namespace rempart::store

#endif  // REMPART_STORE_STORE_H_
