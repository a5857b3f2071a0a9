#include "rempart/service/auth.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <mutex>

namespace rempart::service {
namespace {

constexpr std::string_view kKeyPrefix = "rmp_";
constexpr std::size_t kKeyIdChars = 12;
constexpr std::size_t kKeySecretChars = 52;  // 256 bits in base32.
constexpr std::string_view kRfc4648Lower = "abcdefghijklmnopqrstuvwxyz234567";
constexpr std::string_view kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr std::size_t kCaseCodeChars = 8;     // 40 bits.
constexpr std::size_t kCaseSecretChars = 20;  // 100 bits.

// `count` characters drawn uniformly from `alphabet` (32 symbols).
std::string RandomText(std::string_view alphabet, std::size_t count) {
  std::string text(count, '\0');
  for (char& c : text) c = alphabet[randombytes_uniform(32)];
  return text;
}

// Groups of four joined by '-'.
std::string Grouped(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i > 0 && i % 4 == 0) out += '-';
    out += text[i];
  }
  return out;
}

// The Crockford symbols of `typed` in canonical form, separators ('-',
// spaces) dropped; nullopt for any other character.
std::optional<std::string> CrockfordSymbols(std::string_view typed) {
  std::string out;
  for (char c : typed) {
    if (c == '-' || c == ' ') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c == 'O') c = '0';
    if (c == 'I' || c == 'L') c = '1';
    if (kCrockford.find(c) == std::string_view::npos) return std::nullopt;
    out += c;
  }
  return out;
}

bool AllOf(std::string_view text, std::string_view alphabet) {
  return std::all_of(text.begin(), text.end(), [&](char c) {
    return alphabet.find(c) != std::string_view::npos;
  });
}

}  // namespace

Status InitCrypto() {
  // sodium_init() is thread-safe and returns 1 once already initialised.
  if (sodium_init() < 0) return InternalError("libsodium failed to start");
  return OkStatus();
}

Salt RandomSalt() {
  Salt salt;
  randombytes_buf(salt.data(), salt.size());
  return salt;
}

SecretHash HashSecret(const Salt& salt, std::string_view secret) {
  SecretHash hash;
  crypto_generichash(hash.data(), hash.size(),
                     reinterpret_cast<const unsigned char*>(secret.data()),
                     secret.size(), salt.data(), salt.size());
  return hash;
}

bool SecretMatches(const Salt& salt, const SecretHash& expected,
                   std::string_view secret) {
  const SecretHash actual = HashSecret(salt, secret);
  return sodium_memcmp(actual.data(), expected.data(), actual.size()) == 0;
}

IssuedKey IssueKey(std::string_view name, store::Role role,
                   int rate_per_second) {
  IssuedKey issued;
  const std::string key_id = RandomText(kRfc4648Lower, kKeyIdChars);
  const std::string secret = RandomText(kRfc4648Lower, kKeySecretChars);
  issued.token = std::string(kKeyPrefix) + key_id + "_" + secret;
  store::ApiKey& record = issued.record;
  record.key_id = key_id;
  record.name = std::string(name);
  record.role = role;
  record.rate_per_second = rate_per_second;
  record.salt = RandomSalt();
  record.secret_hash = HashSecret(record.salt, secret);
  return issued;
}

Result<KeyToken> ParseKeyToken(std::string_view token) {
  const std::size_t expected =
      kKeyPrefix.size() + kKeyIdChars + 1 + kKeySecretChars;
  if (token.size() != expected || !token.starts_with(kKeyPrefix) ||
      token[kKeyPrefix.size() + kKeyIdChars] != '_') {
    return InvalidArgumentError("not a Rempart API key");
  }
  KeyToken parsed{token.substr(kKeyPrefix.size(), kKeyIdChars),
                  token.substr(kKeyPrefix.size() + kKeyIdChars + 1)};
  if (!AllOf(parsed.key_id, kRfc4648Lower) ||
      !AllOf(parsed.secret, kRfc4648Lower)) {
    return InvalidArgumentError("not a Rempart API key");
  }
  return parsed;
}

IssuedCase IssueCaseCredentials() {
  IssuedCase issued;
  issued.code = "RMP-" + Grouped(RandomText(kCrockford, kCaseCodeChars));
  issued.secret = Grouped(RandomText(kCrockford, kCaseSecretChars));
  issued.salt = RandomSalt();
  issued.hash = HashSecret(issued.salt, issued.secret);
  return issued;
}

Result<std::string> NormalizeCaseSecret(std::string_view typed) {
  if (typed.size() > 64) return InvalidArgumentError("not a case secret");
  auto symbols = CrockfordSymbols(typed);
  if (!symbols || symbols->size() != kCaseSecretChars) {
    return InvalidArgumentError("not a case secret");
  }
  return Grouped(*symbols);
}

Result<std::string> NormalizeCaseCode(std::string_view typed) {
  if (typed.size() > 32) return InvalidArgumentError("not a case code");
  auto symbols = CrockfordSymbols(typed);
  // "RMP" reads as R, M, P: all Crockford symbols, so it survives.
  if (!symbols || symbols->size() != 3 + kCaseCodeChars ||
      !symbols->starts_with("RMP")) {
    return InvalidArgumentError("not a case code");
  }
  return "RMP-" + Grouped(std::string_view(*symbols).substr(3));
}

Status KeyRing::Reload() {
  auto keys = keys_.ListKeys();
  if (!keys) return keys.error();
  std::unordered_map<std::string, store::ApiKey> by_id;
  for (store::ApiKey& key : *keys) {
    std::string id = key.key_id;
    by_id.emplace(std::move(id), std::move(key));
  }
  std::unique_lock lock(mutex_);
  by_id_.swap(by_id);
  return OkStatus();
}

void KeyRing::Put(const store::ApiKey& key) {
  std::unique_lock lock(mutex_);
  by_id_[key.key_id] = key;
}

Result<Principal> KeyRing::Authenticate(std::string_view authorization) const {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() < kBearer.size() ||
      !std::equal(kBearer.begin(), kBearer.end(), authorization.begin(),
                  [](char a, char b) {
                    return std::tolower(static_cast<unsigned char>(a)) ==
                           std::tolower(static_cast<unsigned char>(b));
                  })) {
    return PermissionDeniedError(
        "the Authorization header must be 'Bearer <API key>'");
  }
  auto token = ParseKeyToken(authorization.substr(kBearer.size()));
  if (!token) return PermissionDeniedError("not a Rempart API key");
  std::shared_lock lock(mutex_);
  auto found = by_id_.find(std::string(token->key_id));
  // The same answer for an unknown key, a revoked one and a wrong secret:
  // the caller learns nothing about which key ids exist.
  const Status denied = PermissionDeniedError("unknown or revoked API key");
  if (found == by_id_.end()) return denied;
  const store::ApiKey& key = found->second;
  if (key.revoked_at_ms.has_value()) return denied;
  if (!SecretMatches(key.salt, key.secret_hash, token->secret)) return denied;
  return Principal{key.key_id, key.role, key.rate_per_second};
}

std::size_t KeyRing::size() const {
  std::shared_lock lock(mutex_);
  return by_id_.size();
}

}  // namespace rempart::service
