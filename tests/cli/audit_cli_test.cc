// `rempart audit` driven as an operator would: changes made with
// `rempart bank` show up in the log, verify passes on an untouched store and
// fails, naming the record, on one edited behind Rempart's back.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/cli_test.h"

namespace rempart {
namespace {

using testing::CommandRun;

const std::string kPdqA =
    "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22";
const std::string kPdqB =
    "6227401f601ff4ccafcc9fad4b0d95d371a2eb7265a3285234d228ca94deeb2d";

// Exit code of `rempart audit verify` on a broken chain (cli/exit_codes.h).
constexpr int kExitDataDamaged = 4;

class AuditCliTest : public testing::CliTest {
 protected:
  CommandRun Run(const std::string& args) {
    return Rempart(args + " --data " + (dir_ / "data").string());
  }
  // A bank with two entries, one of them revoked: four records.
  void MakeHistory() {
    ASSERT_EQ(Run("bank create hotline --description 'Verified'").exit_code, 0);
    const auto list = Write("list.txt", kPdqA + "\n" + kPdqB + "\n");
    ASSERT_EQ(Run("bank import -q hotline " + list.string()).exit_code, 0);
    ASSERT_EQ(Run("bank revoke hotline " + kPdqB + " --reason 'appeal upheld'")
                  .exit_code,
              0);
    // Already there: nothing added, still recorded.
    ASSERT_EQ(Run("bank import -q hotline " + list.string()).exit_code, 0);
  }
  std::vector<nlohmann::json> List(const std::string& flags = "") {
    const CommandRun run = Run("audit list " + flags);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    std::vector<nlohmann::json> records;
    std::istringstream lines(run.out);
    std::string line;
    while (std::getline(lines, line)) {
      records.push_back(nlohmann::json::parse(line));
    }
    return records;
  }
  void Tamper(const std::string& sql) {
    sqlite3* db = nullptr;
    const std::string path = (dir_ / "data" / "rempart.db").string();
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error),
              SQLITE_OK)
        << (error != nullptr ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
  }
};

TEST_F(AuditCliTest, BankChangesAreListedAndVerify) {
  MakeHistory();
  const std::vector<nlohmann::json> records = List();
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0]["seq"], 1);
  EXPECT_EQ(records[0]["action"], "bank.create");
  EXPECT_EQ(records[0]["target"], "hotline");
  EXPECT_EQ(records[0]["details"]["description"], "Verified");
  EXPECT_EQ(records[0]["actor"].get<std::string>().rfind("local:", 0), 0u);
  EXPECT_EQ(records[1]["action"], "entries.add");
  EXPECT_EQ(records[1]["details"]["added"], 2);
  EXPECT_EQ(records[2]["action"], "entry.revoke");
  EXPECT_EQ(records[2]["target"], "hotline/" + kPdqB);
  EXPECT_EQ(records[2]["details"]["reason"], "appeal upheld");
  EXPECT_EQ(records[3]["action"], "entries.add");
  EXPECT_EQ(records[3]["details"]["added"], 0);
  EXPECT_EQ(records[3]["details"]["unchanged"], 2);
  for (std::size_t i = 1; i < records.size(); ++i) {
    EXPECT_EQ(records[i]["prev_hash"], records[i - 1]["hash"]);
  }

  const CommandRun verify = Run("audit verify");
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_NE(verify.out.find("records\t4\n"), std::string::npos) << verify.out;
  EXPECT_NE(verify.out.find("head\t" + records[3]["hash"].get<std::string>()),
            std::string::npos)
      << verify.out;
  EXPECT_NE(verify.out.find("OK"), std::string::npos);
  const CommandRun json = Run("audit verify --format json");
  EXPECT_EQ(json.exit_code, 0);
  const auto report = nlohmann::json::parse(json.out);
  EXPECT_EQ(report["ok"], true);
  EXPECT_EQ(report["records"], 4);
  EXPECT_EQ(report["head"], records[3]["hash"]);
}

TEST_F(AuditCliTest, ListPagesWithAfterAndLimit) {
  MakeHistory();
  const std::vector<nlohmann::json> page = List("--after 1 --limit 2");
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0]["seq"], 2);
  EXPECT_EQ(page[1]["seq"], 3);
  EXPECT_TRUE(List("--after 4").empty());
  EXPECT_EQ(Run("audit list --limit -1").exit_code, 2);
}

TEST_F(AuditCliTest, AnEditedRecordFailsVerifyWithItsSeq) {
  MakeHistory();
  Tamper(
      "DROP TRIGGER audit_log_no_update;"
      "UPDATE audit_log SET details = '{\"reason\":\"mistake\"}' "
      "WHERE seq = 3");
  const CommandRun verify = Run("audit verify");
  EXPECT_EQ(verify.exit_code, kExitDataDamaged);
  EXPECT_NE(verify.err.find("broken at record 3"), std::string::npos)
      << verify.err;
  EXPECT_NE(verify.out.find("first bad\t3"), std::string::npos) << verify.out;
  const CommandRun json = Run("audit verify --format json");
  EXPECT_EQ(json.exit_code, kExitDataDamaged);
  const auto report = nlohmann::json::parse(json.out);
  EXPECT_EQ(report["ok"], false);
  EXPECT_EQ(report["first_bad_seq"], 3);
  EXPECT_EQ(report["records"], 2);
}

TEST_F(AuditCliTest, ADeletedRecordFailsVerify) {
  MakeHistory();
  Tamper(
      "DROP TRIGGER audit_log_no_delete;"
      "DELETE FROM audit_log WHERE seq = 2");
  const CommandRun verify = Run("audit verify --format json");
  EXPECT_EQ(verify.exit_code, kExitDataDamaged);
  EXPECT_EQ(nlohmann::json::parse(verify.out)["first_bad_seq"], 2);
}

TEST_F(AuditCliTest, WithoutAStoreNothingIsCreated) {
  const CommandRun verify = Run("audit verify");
  EXPECT_EQ(verify.exit_code, 1);
  EXPECT_NE(verify.err.find("no store"), std::string::npos) << verify.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "data" / "rempart.db"));
}

}  // namespace
}  // namespace rempart
