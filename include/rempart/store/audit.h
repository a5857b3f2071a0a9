// The audit log: every change to a store, append-only and hash-chained.
//
// Each record carries the SHA-256 of the record before it (prev_hash) and
// its own hash over its fields and prev_hash (see AuditRecordHash()), so
// editing, deleting or reordering any record breaks the chain from that
// point on and VerifyAudit() names the first broken record. The chain
// cannot show a cut at its end (the newest records removed): operators who
// need that record the head hash elsewhere (`rempart audit verify` prints
// it) and compare later.
//
// Store mutations (banks, entries, keys, cases) append their record in the
// same transaction as the change: a change without its record, or a record
// without its change, is never committed.
//
// Thread safety: an AuditLog may be used from any thread; appends are
// serialized with every other write to the same store (one transaction
// each), so seq numbers have no gaps and the chain stays linear even with
// several processes writing. ForEachAudit()'s callback runs while the store
// is held and must not call back into it.
#ifndef REMPART_STORE_AUDIT_H_
#define REMPART_STORE_AUDIT_H_

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "rempart/core/result.h"
#include "rempart/core/status.h"

namespace rempart::store {

// Who acts: "key:<key id>" for an API key, "case:<case code>" for a victim
// holding a case secret, "local:<user>" for the command line on the
// machine, "system" for the service itself. Free text without NUL, at most
// kMaxActorBytes; never contact data or secrets.
struct Actor {
  std::string id = "local";
};
inline constexpr std::size_t kMaxActorBytes = 128;
inline constexpr std::size_t kMaxAuditActionBytes = 64;
inline constexpr std::size_t kMaxAuditTargetBytes = 512;
// Details a caller appends (the store's own records follow from its own
// limits).
inline constexpr std::size_t kMaxAuditDetailsBytes = 16384;

// OK when `actor.id` is 1…kMaxActorBytes bytes without NUL; InvalidArgument
// saying why not.
Status ValidateActor(const Actor& actor);

// What a caller asks to record (besides what the store records itself for
// its own mutations).
struct AuditEvent {
  // Dotted verb, e.g. "bank.create", "entries.add", "entry.revoke",
  // "key.create", "key.revoke", "case.create", "case.status".
  std::string action;
  // What it acted on: a bank name, "<bank>/<signal hex>", a key id, a case
  // code.
  std::string target;
  // A compact JSON object with the particulars (counts, reasons); "{}" when
  // none. Never image bytes, contact data or secrets.
  std::string details = "{}";
};

// OK when action and target are non-empty, within kMaxAuditActionBytes and
// kMaxAuditTargetBytes, without NUL, and details is within
// kMaxAuditDetailsBytes without NUL. Whether details is a JSON object is
// checked by the backend, which parses it anyway.
Status ValidateAuditEvent(const AuditEvent& event);

using AuditHash = std::array<std::uint8_t, 32>;

struct AuditRecord {
  std::int64_t seq = 0;  // 1, 2, 3… without gaps.
  std::int64_t at_ms = 0;
  std::string actor;
  std::string action;
  std::string target;
  std::string details;
  AuditHash prev_hash{};  // All zero for the first record.
  AuditHash hash{};
};

// SHA-256 over prev_hash and the record's seq, at_ms, actor, action, target
// and details, each length-prefixed (so no two field lists hash alike).
// Byte by byte: the ASCII tag "rempart-audit-v1", prev_hash (32 bytes),
// seq and at_ms (8 bytes each, big-endian two's complement), then for each
// text field its length (8 bytes, big-endian) and its bytes. record.hash is
// ignored. Fixed so that anyone can recompute a chain from an export.
AuditHash AuditRecordHash(const AuditRecord& record);

struct AuditVerification {
  // Records found whole: all of them, or those before first_bad_seq.
  std::int64_t records = 0;
  // Hash of the last whole record (the head of the chain when ok()); zero
  // when there is none.
  AuditHash head{};
  // 0 when the chain is whole; else the seq of the first bad record and
  // what is wrong with it.
  std::int64_t first_bad_seq = 0;
  std::string problem;
  [[nodiscard]] bool ok() const { return first_bad_seq == 0; }
};

using AuditCallback = std::function<bool(const AuditRecord& record)>;

class AuditLog {
 public:
  virtual ~AuditLog() = default;
  // Appends one record in its own transaction and returns it.
  // InvalidArgument for an actor, action or target that is empty, too long
  // (kMaxActorBytes, kMaxAuditActionBytes, kMaxAuditTargetBytes) or holds
  // NUL, or details over kMaxAuditDetailsBytes or not a JSON object.
  virtual Result<AuditRecord> Append(const Actor& actor,
                                     const AuditEvent& event) = 0;
  // Records with seq > after_seq, in seq order; stop early by returning
  // false.
  virtual Status ForEachAudit(std::int64_t after_seq,
                              const AuditCallback& callback) = 0;
  // Recomputes the whole chain, in one read of a consistent snapshot. A
  // broken chain is a value (ok() false), not an error; errors are for
  // failing to read. Linear in the log's size.
  virtual Result<AuditVerification> VerifyAudit() = 0;
};

}  // namespace rempart::store

#endif  // REMPART_STORE_AUDIT_H_
