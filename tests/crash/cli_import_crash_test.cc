// Kills `rempart bank import` with SIGKILL while it writes, as a power cut
// or an operator's kill -9 would, and checks the bank afterwards: the store
// passes its integrity check, holds exactly the first whole batches of the
// list (imports commit batches in file order), and re-running the same
// import completes the bank without duplicates.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <thread>

#include "rempart/store/sqlite_store.h"
#include "tests/support/cli_test.h"
#include "tests/support/synthetic_hashes.h"

namespace rempart {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kEntries = 200'000;
constexpr std::size_t kBatch = 50'000;  // bank_command.cc's kImportBatch.
constexpr int kRounds = 4;

class CliImportCrashTest : public testing::CliTest {
 protected:
  // Starts `rempart bank import` on the list and kills it after `delay`.
  void ImportAndKill(const fs::path& list, std::chrono::milliseconds delay) {
    const std::string data = (dir_ / "data").string();
    const pid_t pid = ::fork();
    if (pid == 0) {
      const int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, STDOUT_FILENO);
      ::dup2(null, STDERR_FILENO);
      ::execl(REMPART_BINARY, REMPART_BINARY, "bank", "import", "victims",
              list.c_str(), "-q", "--data", data.c_str(),
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(delay);
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
  }

  // The values stored in the bank, after checking the store's integrity.
  std::set<std::string> StoredValues() {
    auto store = store::OpenSqliteStore(dir_ / "data" / "rempart.db");
    EXPECT_TRUE(store.has_value()) << store.error().ToString();
    if (!store) return {};
    EXPECT_TRUE((*store)->CheckIntegrity().ok());
    std::set<std::string> values;
    EXPECT_TRUE((*store)
                    ->ForEachEntry("victims", {},
                                   [&](const store::Entry& entry) {
                                     values.insert(entry.input.signal.hex());
                                     return true;
                                   })
                    .ok());
    return values;
  }
};

TEST_F(CliImportCrashTest, KilledImportsLeaveWholeBatchesAndResume) {
  testing::Rng rng(23);
  std::vector<std::string> lines;
  std::string text;
  for (std::size_t i = 0; i < kEntries; ++i) {
    lines.push_back(testing::BalancedHash(rng).ToHex());
    text += lines.back() + "\n";
  }
  const fs::path list = Write("list.txt", text);
  ASSERT_EQ(Rempart("bank create victims --data " + (dir_ / "data").string())
                .exit_code,
            0);

  std::mt19937 timing(5);
  std::uniform_int_distribution<int> delay_ms(100, 2500);
  for (int round = 0; round < kRounds; ++round) {
    ImportAndKill(list, std::chrono::milliseconds(delay_ms(timing)));
    const std::set<std::string> stored = StoredValues();
    // Whole batches only, and they are the list's first ones.
    ASSERT_EQ(stored.size() % kBatch == 0 || stored.size() == kEntries, true)
        << stored.size() << " entries after kill " << round;
    for (std::size_t i = 0; i < stored.size(); ++i) {
      ASSERT_EQ(stored.count(lines[i]), 1u) << "line " << i + 1;
    }
  }
  const testing::CommandRun finish =
      Rempart("bank import victims " + list.string() + " -q --data " +
              (dir_ / "data").string());
  EXPECT_EQ(finish.exit_code, 0) << finish.err;
  const std::set<std::string> stored = StoredValues();
  EXPECT_EQ(stored.size(), kEntries);
  EXPECT_EQ(stored, std::set<std::string>(lines.begin(), lines.end()));
}

}  // namespace
}  // namespace rempart
