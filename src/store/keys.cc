#include "rempart/store/keys.h"

#include <array>
#include <string>

#include "store/store_internal.h"

namespace rempart::store {
namespace {

constexpr std::array<std::string_view, 3> kRoleNames = {"admin", "analyst",
                                                        "platform"};
constexpr std::size_t kMaxKeyIdBytes = 32;

}  // namespace

std::string_view RoleName(Role role) {
  return kRoleNames.at(static_cast<std::size_t>(role));
}

Result<Role> ParseRole(std::string_view name) {
  return internal::ParseName<Role>(kRoleNames, name, "role");
}

Status ValidateKeyId(std::string_view key_id) {
  if (key_id.empty()) return InvalidArgumentError("key id is empty");
  if (key_id.size() > kMaxKeyIdBytes) {
    return InvalidArgumentError("key id is " + std::to_string(key_id.size()) +
                                " characters long (at most " +
                                std::to_string(kMaxKeyIdBytes) + ")");
  }
  for (std::size_t i = 0; i < key_id.size(); ++i) {
    const char c = key_id[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
      return InvalidArgumentError(
          "key id has a character outside [a-z0-9] at position " +
          std::to_string(i));
    }
  }
  return OkStatus();
}

}  // namespace rempart::store
