// The SQLite KeyStore: one row per API key in api_keys, keyed by key id.
// Rows are never deleted: a revoked key keeps its row (and so its id stays
// taken), so that the audit log's "key:<id>" actors always name one key.
#include <string>
#include <utility>
#include <vector>

#include "store/sqlite/sqlite_connection.h"
#include "store/store_internal.h"

namespace rempart::store::sqlite {
namespace {

// The columns ReadKey() reads, in its order.
#define REMPART_KEY_COLUMNS                                              \
  "key_id, name, role, rate_per_second, salt, secret_hash, created_at, " \
  "revoked_at"

Result<ApiKey> ReadKey(sqlite3_stmt* statement) {
  ApiKey key;
  key.key_id = ColumnText(statement, 0);
  const auto bad_row = [&](std::string_view what) {
    return InternalError("api key " + key.key_id + " has " + std::string(what));
  };
  key.name = ColumnText(statement, 1);
  auto role = ParseRole(ColumnText(statement, 2));
  if (!role) return bad_row("an unknown role");
  key.role = *role;
  key.rate_per_second = sqlite3_column_int(statement, 3);
  if (!ColumnArray(statement, 4, key.salt) ||
      !ColumnArray(statement, 5, key.secret_hash)) {
    return bad_row("a malformed salt or hash");
  }
  key.created_at_ms = sqlite3_column_int64(statement, 6);
  if (sqlite3_column_type(statement, 7) != SQLITE_NULL) {
    key.revoked_at_ms = sqlite3_column_int64(statement, 7);
  }
  return key;
}

class SqliteKeyStore final : public KeyStore {
 public:
  explicit SqliteKeyStore(std::shared_ptr<Connection> connection)
      : connection_(std::move(connection)) {}

  Status Prepare() {
    const std::array<std::pair<const char*, StatementPtr*>, 4> statements = {{
        {"INSERT INTO api_keys(key_id, name, role, rate_per_second, salt, "
         "secret_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
         &insert_key_},
        {"SELECT " REMPART_KEY_COLUMNS " FROM api_keys WHERE key_id = ?1",
         &get_key_},
        {"SELECT " REMPART_KEY_COLUMNS " FROM api_keys ORDER BY key_id",
         &list_keys_},
        {"UPDATE api_keys SET revoked_at = ?2 WHERE key_id = ?1", &revoke_key_},
    }};
    for (const auto& [sql, statement] : statements) {
      REMPART_RETURN_IF_ERROR(connection_->PrepareStatement(sql, *statement));
    }
    return OkStatus();
  }

  Result<ApiKey> CreateKey(const ApiKey& key, const Actor& actor) override {
    REMPART_RETURN_IF_ERROR(ValidateKeyId(key.key_id));
    REMPART_RETURN_IF_ERROR(
        internal::ValidateText("key name", key.name, kMaxKeyNameBytes));
    if (static_cast<int>(key.role) > static_cast<int>(Role::kPlatform)) {
      return InvalidArgumentError("unknown role");
    }
    if (key.rate_per_second < 0) {
      return InvalidArgumentError("rate_per_second is negative");
    }
    REMPART_RETURN_IF_ERROR(ValidateActor(actor));
    std::lock_guard lock(connection_->mutex());
    Connection::WriteTransaction transaction(*connection_);
    REMPART_RETURN_IF_ERROR(transaction.Begin());
    ApiKey created = key;
    created.created_at_ms = connection_->Now();
    created.revoked_at_ms.reset();
    {
      sqlite3_stmt* statement = insert_key_.get();
      ResetOnExit reset(statement);
      Binder bind(statement);
      bind.Text(1, created.key_id)
          .Text(2, created.name)
          .Text(3, RoleName(created.role))
          .Int(4, created.rate_per_second)
          .Blob(5, created.salt)
          .Blob(6, created.secret_hash)
          .Int(7, created.created_at_ms);
      if (bind.code() != SQLITE_OK) {
        return connection_->Error(bind.code(), "bind");
      }
      const int code = sqlite3_step(statement);
      if (code == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return AlreadyExistsError("an API key with id '" + created.key_id +
                                  "' exists");
      }
      if (code != SQLITE_DONE) return connection_->Error(code, "create key");
    }
    // Name and role, never the salt or the hash.
    const AuditEvent event{
        "key.create", created.key_id,
        "{\"name\":" + internal::JsonQuote(created.name) +
            ",\"role\":" + internal::JsonQuote(RoleName(created.role)) +
            ",\"rate_per_second\":" + std::to_string(created.rate_per_second) +
            "}"};
    auto record = connection_->AppendAudit(actor, event, created.created_at_ms);
    if (!record) return record.error();
    REMPART_RETURN_IF_ERROR(transaction.Commit());
    return created;
  }

  Result<ApiKey> GetKey(std::string_view key_id) override {
    REMPART_RETURN_IF_ERROR(ValidateKeyId(key_id));
    std::lock_guard lock(connection_->mutex());
    return LoadKey(key_id);
  }

  Result<std::vector<ApiKey>> ListKeys() override {
    std::lock_guard lock(connection_->mutex());
    sqlite3_stmt* statement = list_keys_.get();
    ResetOnExit reset(statement);
    std::vector<ApiKey> keys;
    int code = SQLITE_OK;
    while ((code = sqlite3_step(statement)) == SQLITE_ROW) {
      auto key = ReadKey(statement);
      if (!key) return key.error();
      keys.push_back(std::move(*key));
    }
    if (code != SQLITE_DONE) return connection_->Error(code, "list keys");
    return keys;
  }

  Result<ApiKey> RevokeKey(std::string_view key_id,
                           const Actor& actor) override {
    REMPART_RETURN_IF_ERROR(ValidateKeyId(key_id));
    REMPART_RETURN_IF_ERROR(ValidateActor(actor));
    std::lock_guard lock(connection_->mutex());
    Connection::WriteTransaction transaction(*connection_);
    REMPART_RETURN_IF_ERROR(transaction.Begin());
    auto key = LoadKey(key_id);
    if (!key) return key.error();
    const std::int64_t now = connection_->Now();
    std::string details = "{}";
    if (key->revoked_at_ms.has_value()) {
      // The first revocation stands; the request is still recorded.
      details = "{\"unchanged\":true}";
    } else {
      sqlite3_stmt* statement = revoke_key_.get();
      Binder bind(statement);
      bind.Text(1, key_id).Int(2, now);
      if (bind.code() != SQLITE_OK) {
        ResetOnExit reset(statement);
        return connection_->Error(bind.code(), "bind");
      }
      REMPART_RETURN_IF_ERROR(connection_->StepDone(statement, "revoke key"));
      key->revoked_at_ms = now;
    }
    const AuditEvent event{"key.revoke", key->key_id, std::move(details)};
    auto record = connection_->AppendAudit(actor, event, now);
    if (!record) return record.error();
    REMPART_RETURN_IF_ERROR(transaction.Commit());
    return key;
  }

 private:
  // With the mutex held.
  Result<ApiKey> LoadKey(std::string_view key_id) {
    sqlite3_stmt* statement = get_key_.get();
    ResetOnExit reset(statement);
    Binder bind(statement);
    bind.Text(1, key_id);
    if (bind.code() != SQLITE_OK) {
      return connection_->Error(bind.code(), "bind");
    }
    const int code = sqlite3_step(statement);
    if (code == SQLITE_DONE) {
      return NotFoundError("no API key with id '" + std::string(key_id) + "'");
    }
    if (code != SQLITE_ROW) return connection_->Error(code, "read key");
    return ReadKey(statement);
  }

  std::shared_ptr<Connection> connection_;
  StatementPtr insert_key_;
  StatementPtr get_key_;
  StatementPtr list_keys_;
  StatementPtr revoke_key_;
};

}  // namespace

Result<std::unique_ptr<KeyStore>> MakeKeyStore(
    std::shared_ptr<Connection> connection) {
  auto keys = std::make_unique<SqliteKeyStore>(std::move(connection));
  REMPART_RETURN_IF_ERROR(keys->Prepare());
  return std::unique_ptr<KeyStore>(std::move(keys));
}

}  // namespace rempart::store::sqlite
