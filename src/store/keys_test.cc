// The KeyStore (keys.h) on SQLite, and the key vocabulary.
#include "rempart/store/keys.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rempart/core/hex.h"
#include "store/sqlite_database_test.h"

namespace rempart::store {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(RoleTest, NamesRoundTrip) {
  for (Role role : {Role::kAdmin, Role::kAnalyst, Role::kPlatform}) {
    auto parsed = ParseRole(RoleName(role));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, role);
  }
  EXPECT_EQ(RoleName(Role::kAnalyst), "analyst");
  auto unknown = ParseRole("Admin");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_THAT(unknown.error().message(), HasSubstr("admin, analyst, platform"));
}

TEST(ValidateKeyIdTest, AcceptsLowercaseLettersAndDigits) {
  EXPECT_TRUE(ValidateKeyId("a").ok());
  EXPECT_TRUE(ValidateKeyId("platformx2026").ok());
  EXPECT_TRUE(ValidateKeyId(std::string(32, 'z')).ok());
  for (const std::string& bad :
       {std::string(), std::string(33, 'a'), std::string("Upper"),
        std::string("with-dash"), std::string("with space"),
        std::string("nul\0", 4)}) {
    EXPECT_EQ(ValidateKeyId(bad).code(), StatusCode::kInvalidArgument) << bad;
  }
}

class KeyStoreTest : public SqliteDatabaseTest {
 protected:
  static ApiKey Key(const std::string& id, Role role = Role::kPlatform) {
    ApiKey key;
    key.key_id = id;
    key.name = "Key " + id;
    key.role = role;
    key.rate_per_second = 20;
    for (std::size_t i = 0; i < key.salt.size(); ++i) {
      key.salt[i] = static_cast<std::uint8_t>(i + 1);
    }
    key.secret_hash.fill(0xab);
    return key;
  }
  const Actor kAdmin{"local:root"};
};

TEST_F(KeyStoreTest, CreatesGetsAndListsKeys) {
  now_ms_ = 1'700'000'000'500;
  ApiKey key = Key("platformx", Role::kPlatform);
  key.revoked_at_ms = 5;  // Set by the store, not the caller.
  auto created = db_.keys->CreateKey(key, kAdmin);
  ASSERT_TRUE(created.has_value()) << created.status().ToString();
  EXPECT_EQ(created->created_at_ms, 1'700'000'000'500);
  EXPECT_FALSE(created->revoked_at_ms.has_value());
  ASSERT_TRUE(
      db_.keys->CreateKey(Key("analyst1", Role::kAnalyst), kAdmin).has_value());
  ASSERT_TRUE(
      db_.keys->CreateKey(Key("admin", Role::kAdmin), kAdmin).has_value());

  Reopen();
  auto got = db_.keys->GetKey("platformx");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->name, "Key platformx");
  EXPECT_EQ(got->role, Role::kPlatform);
  EXPECT_EQ(got->rate_per_second, 20);
  EXPECT_EQ(got->salt, key.salt);
  EXPECT_EQ(got->secret_hash, key.secret_hash);
  EXPECT_EQ(got->created_at_ms, 1'700'000'000'500);
  EXPECT_FALSE(got->revoked_at_ms.has_value());

  auto keys = db_.keys->ListKeys();
  ASSERT_TRUE(keys.has_value());
  ASSERT_EQ(keys->size(), 3u);
  EXPECT_EQ((*keys)[0].key_id, "admin");
  EXPECT_EQ((*keys)[1].key_id, "analyst1");
  EXPECT_EQ((*keys)[1].role, Role::kAnalyst);
  EXPECT_EQ((*keys)[2].key_id, "platformx");
}

TEST_F(KeyStoreTest, ErrorsAndNoRecordForThem) {
  ASSERT_TRUE(db_.keys->CreateKey(Key("taken"), kAdmin).has_value());
  ASSERT_EQ(AuditCount(), 1);
  auto again = db_.keys->CreateKey(Key("taken"), kAdmin);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code(), StatusCode::kAlreadyExists);

  ApiKey long_name = Key("other");
  long_name.name = std::string(kMaxKeyNameBytes + 1, 'n');
  ApiKey negative = Key("other");
  negative.rate_per_second = -1;
  ApiKey bad_role = Key("other");
  bad_role.role = static_cast<Role>(7);
  for (const ApiKey& bad :
       {Key("Bad-Id"), Key(""), long_name, negative, bad_role}) {
    auto result = db_.keys->CreateKey(bad, kAdmin);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code(), StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(db_.keys->CreateKey(Key("other"), Actor{""}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(db_.keys->GetKey("nobody").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(db_.keys->GetKey("No Body").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(db_.keys->RevokeKey("nobody", kAdmin).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(AuditCount(), 1);
  EXPECT_EQ(db_.keys->ListKeys()->size(), 1u);
}

TEST_F(KeyStoreTest, RevokingKeepsTheKeyAndTheFirstTime) {
  ASSERT_TRUE(db_.keys->CreateKey(Key("platformx"), kAdmin).has_value());
  now_ms_ = 1'700'000'001'000;
  auto revoked = db_.keys->RevokeKey("platformx", Actor{"key:admin"});
  ASSERT_TRUE(revoked.has_value());
  EXPECT_EQ(revoked->revoked_at_ms, 1'700'000'001'000);
  now_ms_ = 1'700'000'002'000;
  auto twice = db_.keys->RevokeKey("platformx", kAdmin);
  ASSERT_TRUE(twice.has_value());
  EXPECT_EQ(twice->revoked_at_ms, 1'700'000'001'000);
  auto got = db_.keys->GetKey("platformx");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->revoked_at_ms, 1'700'000'001'000);
  EXPECT_EQ(db_.keys->ListKeys()->size(), 1u);
  // A revoked key's id stays taken.
  EXPECT_EQ(db_.keys->CreateKey(Key("platformx"), kAdmin).status().code(),
            StatusCode::kAlreadyExists);
}

TEST_F(KeyStoreTest, EachChangeLeavesOneRecordWithoutTheSecret) {
  const ApiKey key = Key("platformx", Role::kPlatform);
  ASSERT_TRUE(db_.keys->CreateKey(key, kAdmin).has_value());
  ASSERT_TRUE(db_.keys->RevokeKey("platformx", Actor{"key:admin"}).has_value());
  ASSERT_TRUE(db_.keys->RevokeKey("platformx", Actor{"key:admin"}).has_value());
  const std::vector<AuditRecord> records = AuditRecords();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].action, "key.create");
  EXPECT_EQ(records[0].actor, "local:root");
  EXPECT_EQ(records[0].target, "platformx");
  EXPECT_EQ(records[0].details,
            "{\"name\":\"Key platformx\",\"role\":\"platform\","
            "\"rate_per_second\":20}");
  EXPECT_THAT(records[0].details, Not(HasSubstr(HexEncode(key.secret_hash))));
  EXPECT_THAT(records[0].details, Not(HasSubstr(HexEncode(key.salt))));
  EXPECT_EQ(records[1].action, "key.revoke");
  EXPECT_EQ(records[1].actor, "key:admin");
  EXPECT_EQ(records[1].details, "{}");
  EXPECT_EQ(records[2].details, "{\"unchanged\":true}");
  EXPECT_TRUE(Verify().ok());
  EXPECT_TRUE(db_.store->CheckIntegrity().ok());
}

}  // namespace
}  // namespace rempart::store
