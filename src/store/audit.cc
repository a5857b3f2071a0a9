// The audit chain's hash, and the checks every backend makes before it
// appends a record.
//
// The hash input is a byte string anyone can rebuild from an exported log
// (audit.h gives it byte by byte): a version tag, the previous record's
// hash, the two integers at fixed width and the four text fields each after
// its length. Lengths make the encoding injective, so no two different
// records feed SHA-256 the same bytes ("ab"+"c" is not "a"+"bc"); the tag
// keeps a future layout from colliding with this one.
#include "rempart/store/audit.h"

#include <cstdio>
#include <string>
#include <vector>

#include "rempart/hash/digest.h"
#include "store/store_internal.h"

namespace rempart::store {
namespace {

constexpr std::string_view kHashTag = "rempart-audit-v1";

void AppendBigEndian(std::vector<std::uint8_t>& out, std::uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<std::uint8_t>(value >> shift));
  }
}

void AppendField(std::vector<std::uint8_t>& out, std::string_view text) {
  AppendBigEndian(out, text.size());
  out.insert(out.end(), text.begin(), text.end());
}

}  // namespace

namespace internal {

std::string JsonQuote(std::string_view text) {
  std::string quoted;
  quoted.reserve(text.size() + 2);
  quoted += '"';
  for (const char c : text) {
    switch (c) {
      case '"':
        quoted += "\\\"";
        break;
      case '\\':
        quoted += "\\\\";
        break;
      case '\n':
        quoted += "\\n";
        break;
      case '\r':
        quoted += "\\r";
        break;
      case '\t':
        quoted += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof(escaped), "\\u%04x",
                        static_cast<unsigned>(static_cast<unsigned char>(c)));
          quoted += escaped;
        } else {
          quoted += c;
        }
    }
  }
  quoted += '"';
  return quoted;
}

}  // namespace internal

Status ValidateActor(const Actor& actor) {
  if (actor.id.empty()) return InvalidArgumentError("actor is empty");
  return internal::ValidateText("actor", actor.id, kMaxActorBytes);
}

Status ValidateAuditEvent(const AuditEvent& event) {
  if (event.action.empty()) {
    return InvalidArgumentError("audit action is empty");
  }
  REMPART_RETURN_IF_ERROR(internal::ValidateText("audit action", event.action,
                                                 kMaxAuditActionBytes));
  if (event.target.empty()) {
    return InvalidArgumentError("audit target is empty");
  }
  REMPART_RETURN_IF_ERROR(internal::ValidateText("audit target", event.target,
                                                 kMaxAuditTargetBytes));
  return internal::ValidateText("audit details", event.details,
                                kMaxAuditDetailsBytes);
}

AuditHash AuditRecordHash(const AuditRecord& record) {
  std::vector<std::uint8_t> input;
  // Two integers and four lengths, 8 bytes each.
  constexpr std::size_t kFixedBytes = 6 * sizeof(std::uint64_t);
  input.reserve(kHashTag.size() + record.prev_hash.size() + kFixedBytes +
                record.actor.size() + record.action.size() +
                record.target.size() + record.details.size());
  input.insert(input.end(), kHashTag.begin(), kHashTag.end());
  input.insert(input.end(), record.prev_hash.begin(), record.prev_hash.end());
  AppendBigEndian(input, static_cast<std::uint64_t>(record.seq));
  AppendBigEndian(input, static_cast<std::uint64_t>(record.at_ms));
  AppendField(input, record.actor);
  AppendField(input, record.action);
  AppendField(input, record.target);
  AppendField(input, record.details);
  return hash::Sha256(input);
}

}  // namespace rempart::store
