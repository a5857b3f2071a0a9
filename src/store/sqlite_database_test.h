// A fixture for the tests of the audit log, keys and cases: a fresh SQLite
// database (all four interfaces) per test, in its own directory, with a
// clock the test controls, and a way to edit the file behind its back.
#ifndef REMPART_STORE_SQLITE_DATABASE_TEST_H_
#define REMPART_STORE_SQLITE_DATABASE_TEST_H_

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "rempart/store/sqlite_store.h"

namespace rempart::store {

class SqliteDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("rempart_database_test_" + std::to_string(::getpid()) + "_" +
            std::to_string(counter++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = dir_ / "store.db";
    Reopen();
  }
  void TearDown() override {
    db_ = {};
    std::filesystem::remove_all(dir_);
  }

  SqliteDatabase Open() {
    SqliteOptions options;
    options.clock = [this] { return now_ms_.load(); };
    auto database = OpenSqliteDatabase(path_, std::move(options));
    EXPECT_TRUE(database.has_value()) << database.status().ToString();
    return database.has_value() ? std::move(*database) : SqliteDatabase{};
  }
  void Reopen() {
    db_ = {};
    db_ = Open();
    ASSERT_NE(db_.store, nullptr);
  }

  // Runs `sql` on the file through a connection of its own, as someone
  // with write access to the file could.
  void Tamper(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    const int code = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    EXPECT_EQ(code, SQLITE_OK) << (error != nullptr ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
  }
  // Tamper() after removing the triggers that keep the log append-only.
  void TamperWithAudit(const std::string& sql) {
    Tamper(
        "DROP TRIGGER IF EXISTS audit_log_no_update; "
        "DROP TRIGGER IF EXISTS audit_log_no_delete; " +
        sql);
  }

  std::vector<AuditRecord> AuditRecords(std::int64_t after_seq = 0) {
    std::vector<AuditRecord> records;
    Status status =
        db_.audit->ForEachAudit(after_seq, [&](const AuditRecord& record) {
          records.push_back(record);
          return true;
        });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return records;
  }
  std::int64_t AuditCount() {
    return static_cast<std::int64_t>(AuditRecords().size());
  }
  AuditVerification Verify() {
    auto verification = db_.audit->VerifyAudit();
    EXPECT_TRUE(verification.has_value()) << verification.status().ToString();
    return verification.has_value() ? *verification : AuditVerification{};
  }

  std::filesystem::path dir_;
  std::filesystem::path path_;
  std::atomic<std::int64_t> now_ms_{1'700'000'000'000};
  SqliteDatabase db_;
};

}  // namespace rempart::store

#endif  // REMPART_STORE_SQLITE_DATABASE_TEST_H_
