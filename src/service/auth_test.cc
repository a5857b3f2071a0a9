#include "rempart/service/auth.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

namespace rempart::service {
namespace {

using ::testing::HasSubstr;

// A KeyStore in memory, enough to drive a KeyRing.
class MemoryKeys : public store::KeyStore {
 public:
  Result<store::ApiKey> CreateKey(const store::ApiKey& key,
                                  const store::Actor&) override {
    keys.push_back(key);
    return key;
  }
  Result<store::ApiKey> GetKey(std::string_view id) override {
    for (const auto& key : keys)
      if (key.key_id == id) return key;
    return NotFoundError("no key");
  }
  Result<std::vector<store::ApiKey>> ListKeys() override { return keys; }
  Result<store::ApiKey> RevokeKey(std::string_view id,
                                  const store::Actor&) override {
    for (auto& key : keys) {
      if (key.key_id == id) {
        key.revoked_at_ms = 1;
        return key;
      }
    }
    return NotFoundError("no key");
  }
  std::vector<store::ApiKey> keys;
};

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(InitCrypto().ok()); }
};

TEST_F(AuthTest, IssuedKeysParseAndDiffer) {
  std::set<std::string> tokens;
  for (int i = 0; i < 50; ++i) {
    IssuedKey issued = IssueKey("p", store::Role::kPlatform, 0);
    auto parsed = ParseKeyToken(issued.token);
    ASSERT_TRUE(parsed) << issued.token;
    EXPECT_EQ(parsed->key_id, issued.record.key_id);
    EXPECT_TRUE(SecretMatches(issued.record.salt, issued.record.secret_hash,
                              parsed->secret));
    tokens.insert(issued.token);
  }
  EXPECT_EQ(tokens.size(), 50u);
}

TEST_F(AuthTest, TheStoredHashIsNotTheSecretAndDependsOnTheSalt) {
  const Salt a = RandomSalt();
  const Salt b = RandomSalt();
  EXPECT_NE(HashSecret(a, "secret"), HashSecret(b, "secret"));
  EXPECT_EQ(HashSecret(a, "secret"), HashSecret(a, "secret"));
  EXPECT_FALSE(SecretMatches(a, HashSecret(a, "secret"), "secreT"));
}

TEST_F(AuthTest, MalformedTokensAreRefused) {
  IssuedKey issued = IssueKey("p", store::Role::kPlatform, 0);
  for (std::string bad :
       {std::string(), std::string("rmp_"), issued.token.substr(1),
        issued.token + "a", "xmp_" + issued.token.substr(4),
        issued.token.substr(0, 16) + "-" + issued.token.substr(17)}) {
    EXPECT_FALSE(ParseKeyToken(bad)) << bad;
  }
  std::string upper = issued.token;
  upper.back() = 'A';
  EXPECT_FALSE(ParseKeyToken(upper));
}

TEST_F(AuthTest, KeyRingAuthenticatesOnlyLiveKeysWithTheRightSecret) {
  MemoryKeys keys;
  IssuedKey analyst = IssueKey("hotline", store::Role::kAnalyst, 7);
  IssuedKey revoked = IssueKey("old", store::Role::kAdmin, 0);
  keys.keys = {analyst.record, revoked.record};
  keys.keys[1].revoked_at_ms = 5;
  KeyRing ring(keys);
  ASSERT_TRUE(ring.Reload().ok());
  EXPECT_EQ(ring.size(), 2u);

  auto principal = ring.Authenticate("Bearer " + analyst.token);
  ASSERT_TRUE(principal);
  EXPECT_EQ(principal->key_id, analyst.record.key_id);
  EXPECT_EQ(principal->role, store::Role::kAnalyst);
  EXPECT_EQ(principal->rate_per_second, 7);
  EXPECT_TRUE(ring.Authenticate("bearer " + analyst.token));

  std::string wrong = analyst.token;
  wrong.back() = wrong.back() == 'a' ? 'b' : 'a';
  for (const std::string& header :
       {"Bearer " + wrong, "Bearer " + revoked.token, analyst.token,
        "Basic " + analyst.token, std::string("Bearer "),
        "Bearer " + IssueKey("x", store::Role::kAdmin, 0).token}) {
    auto refused = ring.Authenticate(header);
    ASSERT_FALSE(refused) << header;
    EXPECT_EQ(refused.error().code(), StatusCode::kPermissionDenied);
    EXPECT_THAT(refused.error().message(),
                ::testing::Not(HasSubstr(analyst.token.substr(17))));
  }
}

TEST_F(AuthTest, KeyRingSeesKeysPutAndReloaded) {
  MemoryKeys keys;
  KeyRing ring(keys);
  ASSERT_TRUE(ring.Reload().ok());
  IssuedKey issued = IssueKey("p", store::Role::kPlatform, 0);
  EXPECT_FALSE(ring.Authenticate("Bearer " + issued.token));
  ring.Put(issued.record);
  EXPECT_TRUE(ring.Authenticate("Bearer " + issued.token));
  // Revoked by another process: the next reload takes it away.
  keys.keys = {issued.record};
  keys.keys[0].revoked_at_ms = 9;
  ASSERT_TRUE(ring.Reload().ok());
  EXPECT_FALSE(ring.Authenticate("Bearer " + issued.token));
}

TEST_F(AuthTest, CaseCredentialsAreReadableAndForgiving) {
  IssuedCase issued = IssueCaseCredentials();
  EXPECT_THAT(issued.code,
              ::testing::MatchesRegex(
                  "RMP-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}"));
  EXPECT_EQ(issued.secret.size(), 24u);  // 20 symbols, 4 dashes.
  EXPECT_TRUE(SecretMatches(issued.salt, issued.hash, issued.secret));

  // Typed back in lower case without dashes, it is the same secret.
  std::string typed;
  for (char c : issued.secret)
    if (c != '-') typed += static_cast<char>(std::tolower(c));
  auto normal = NormalizeCaseSecret(typed);
  ASSERT_TRUE(normal);
  EXPECT_EQ(*normal, issued.secret);
  EXPECT_EQ(*NormalizeCaseSecret("oooo-iiii-llll-0000-1111"),
            "0000-1111-1111-0000-1111");
  EXPECT_FALSE(NormalizeCaseSecret("UUUU-0000-0000-0000-0000"));
  EXPECT_FALSE(NormalizeCaseSecret("0000"));

  auto code = NormalizeCaseCode("rmp 7k3q 9xwd");
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, "RMP-7K3Q-9XWD");
  EXPECT_FALSE(NormalizeCaseCode("RMX-7K3Q-9XWD"));
  EXPECT_FALSE(NormalizeCaseCode("RMP-7K3Q-9XW"));
  EXPECT_FALSE(NormalizeCaseCode(std::string(1000, 'A')));
}

}  // namespace
}  // namespace rempart::service
