// Credentials: API keys for organisations, case secrets for victims.
//
// An API key reads "rmp_<key id>_<secret>": the key id (12 characters of
// [a-z2-7]) names the key in logs and the audit log; the secret (52
// characters, 256 random bits in base32) is shown once, when the key is
// issued, and never stored. The store keeps a 16-byte random salt and the
// BLAKE2b-256 of the secret keyed by that salt (libsodium's
// crypto_generichash). A deliberately slow password hash (Argon2) would buy
// nothing here — 256 random bits cannot be guessed however fast the hash —
// and would cost milliseconds on every request.
//
// A case is followed with its code ("RMP-7K3Q-9XWD", store/cases.h) and a
// secret of 100 random bits, written for people: 20 characters of
// Crockford base32 in groups of four ("8F2K-…"), read case-insensitively,
// with O/I/L read as 0/1/1. The store keeps it salted and hashed the same
// way.
//
// Comparisons of hashes run in constant time (sodium_memcmp).
#ifndef REMPART_SERVICE_AUTH_H_
#define REMPART_SERVICE_AUTH_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "rempart/core/result.h"
#include "rempart/core/status.h"
#include "rempart/store/keys.h"

namespace rempart::service {

// Initialises libsodium; safe to call many times. Internal if it fails.
Status InitCrypto();

using Salt = std::array<std::uint8_t, 16>;
using SecretHash = std::array<std::uint8_t, 32>;

Salt RandomSalt();
SecretHash HashSecret(const Salt& salt, std::string_view secret);
bool SecretMatches(const Salt& salt, const SecretHash& expected,
                   std::string_view secret);

// A newly issued key: the token to hand over once, and what to store.
struct IssuedKey {
  std::string token;
  store::ApiKey record;
};
IssuedKey IssueKey(std::string_view name, store::Role role,
                   int rate_per_second);

struct KeyToken {
  std::string_view key_id;
  std::string_view secret;
};
// Splits "rmp_<id>_<secret>"; InvalidArgument when it is not shaped so.
Result<KeyToken> ParseKeyToken(std::string_view token);

// A new case's code and secret, and the secret's salt and hash.
struct IssuedCase {
  std::string code;
  std::string secret;
  Salt salt{};
  SecretHash hash{};
};
IssuedCase IssueCaseCredentials();
// The canonical form of a case secret as typed by a person (upper case,
// O→0, I/L→1, groups re-made); InvalidArgument when it cannot be one.
Result<std::string> NormalizeCaseSecret(std::string_view typed);
// The canonical form of a typed case code; InvalidArgument when not one.
Result<std::string> NormalizeCaseCode(std::string_view typed);

// Who is calling.
struct Principal {
  std::string key_id;  // Empty for an anonymous caller.
  store::Role role = store::Role::kPlatform;
  int rate_per_second = 0;
  [[nodiscard]] bool anonymous() const { return key_id.empty(); }
};

// The keys of a KeyStore, cached in memory so that checking a request
// costs one hash and no store access. Reload() picks up keys created or
// revoked by another process (the CLI).
class KeyRing {
 public:
  explicit KeyRing(store::KeyStore& keys) : keys_(keys) {}
  Status Reload();
  // Adds or replaces one key (after the service issued or revoked it).
  void Put(const store::ApiKey& key);
  // The principal of an "Authorization: Bearer <token>" header value.
  // PermissionDenied (→ 401) for a malformed header, an unknown or revoked
  // key or a wrong secret; the message never echoes the secret.
  Result<Principal> Authenticate(std::string_view authorization) const;
  [[nodiscard]] std::size_t size() const;

 private:
  store::KeyStore& keys_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, store::ApiKey> by_id_;
};

}  // namespace rempart::service

#endif  // REMPART_SERVICE_AUTH_H_
