// API keys as the store keeps them: never the key itself, only a salted
// hash of its secret part (the service computes and checks it, see
// rempart/service/auth.h).
//
// Thread safety: a KeyStore may be used from any thread.
#ifndef REMPART_STORE_KEYS_H_
#define REMPART_STORE_KEYS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rempart/core/result.h"
#include "rempart/core/status.h"
#include "rempart/store/audit.h"

namespace rempart::store {

enum class Role : std::uint8_t {
  kAdmin,     // Keys, banks, everything.
  kAnalyst,   // Hotline staff: cases, banks' entries, matching.
  kPlatform,  // A platform: matching only.
};

// "admin", "analyst", "platform".
std::string_view RoleName(Role role);
Result<Role> ParseRole(std::string_view name);

// A key's public identifier: 1…32 characters of [a-z0-9]. It is the part of
// the key before its secret and may be logged.
Status ValidateKeyId(std::string_view key_id);

inline constexpr std::size_t kMaxKeyNameBytes = 128;

struct ApiKey {
  std::string key_id;
  // A label for people ("Platform X production"); at most kMaxKeyNameBytes,
  // no NUL.
  std::string name;
  Role role = Role::kPlatform;
  // Requests per second this key may make (a token bucket of that rate and
  // a burst of twice that); 0 means the service's default.
  int rate_per_second = 0;
  std::array<std::uint8_t, 16> salt{};
  std::array<std::uint8_t, 32> secret_hash{};
  std::int64_t created_at_ms = 0;
  std::optional<std::int64_t> revoked_at_ms;
};

class KeyStore {
 public:
  virtual ~KeyStore() = default;
  // Stores a new key (created_at_ms and revoked_at_ms are set by the store)
  // and its audit record ("key.create", target the key id; details name
  // and role, never the hash). AlreadyExists for a taken key id;
  // InvalidArgument for a bad key id, a name over kMaxKeyNameBytes or holding
  // NUL, an unknown role or a negative rate.
  virtual Result<ApiKey> CreateKey(const ApiKey& key, const Actor& actor) = 0;
  // NotFound when no key has this id (revoked keys are found).
  virtual Result<ApiKey> GetKey(std::string_view key_id) = 0;
  // All keys, revoked ones included, ordered by key id.
  virtual Result<std::vector<ApiKey>> ListKeys() = 0;
  // Marks the key revoked ("key.revoke"); revoking twice keeps the first
  // time and is not an error. NotFound for an unknown id.
  virtual Result<ApiKey> RevokeKey(std::string_view key_id,
                                   const Actor& actor) = 0;
};

}  // namespace rempart::store

#endif  // REMPART_STORE_KEYS_H_
