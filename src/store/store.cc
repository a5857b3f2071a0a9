#include "rempart/store/store.h"

#include <string>

#include "store/store_internal.h"

namespace rempart::store {
namespace internal {

Status ValidateText(std::string_view field, std::string_view text,
                    std::size_t max_bytes) {
  if (text.size() > max_bytes) {
    return InvalidArgumentError(
        std::string(field) + " is " + std::to_string(text.size()) +
        " bytes long (at most " + std::to_string(max_bytes) + ")");
  }
  if (text.find('\0') != std::string_view::npos) {
    return InvalidArgumentError(std::string(field) + " holds a NUL byte");
  }
  return OkStatus();
}

}  // namespace internal
namespace {

bool IsLowerAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

}  // namespace

Status ValidateBankName(std::string_view name) {
  if (name.empty()) return InvalidArgumentError("bank name is empty");
  if (name.size() > kMaxBankNameBytes) {
    return InvalidArgumentError("bank name is " + std::to_string(name.size()) +
                                " characters long (at most " +
                                std::to_string(kMaxBankNameBytes) + ")");
  }
  if (!IsLowerAlnum(name.front())) {
    return InvalidArgumentError(
        "bank name must start with a lowercase letter or a digit");
  }
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (!IsLowerAlnum(c) && c != '.' && c != '_' && c != '-') {
      return InvalidArgumentError(
          "bank name has a character outside [a-z0-9._-] at position " +
          std::to_string(i));
    }
  }
  return OkStatus();
}

Status ValidateNewEntry(const NewEntry& entry) {
  const EntryInput& input = entry.input;
  const bool pdq = input.signal.kind() == SignalKind::kPdq;
  if (input.quality.has_value()) {
    if (!pdq) {
      return InvalidArgumentError("quality is only meaningful for pdq signals");
    }
    if (*input.quality < 0 || *input.quality > 100) {
      return InvalidArgumentError("quality " + std::to_string(*input.quality) +
                                  " is outside 0…100");
    }
  }
  if (input.pdq_mode.has_value() && !pdq) {
    return InvalidArgumentError("pdq_mode is only meaningful for pdq signals");
  }
  REMPART_RETURN_IF_ERROR(internal::ValidateText("source_org", input.source_org,
                                                 kMaxEntryTextBytes));
  REMPART_RETURN_IF_ERROR(internal::ValidateText(
      "external_id", input.external_id, kMaxEntryTextBytes));
  REMPART_RETURN_IF_ERROR(internal::ValidateText(
      "revoke_reason", entry.revoke_reason, kMaxEntryTextBytes));
  if (entry.status == EntryStatus::kRevoked && entry.revoke_reason.empty()) {
    return InvalidArgumentError("a revoked entry needs a revoke_reason");
  }
  if (entry.status == EntryStatus::kActive && !entry.revoke_reason.empty()) {
    return InvalidArgumentError("an active entry cannot have a revoke_reason");
  }
  return OkStatus();
}

}  // namespace rempart::store
