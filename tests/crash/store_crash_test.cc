// Kills an importing process with SIGKILL at random points and checks that
// the store it was writing keeps its promises: intact after recovery, every
// acknowledged batch present, no batch half-written, and a re-run of the
// import completes the set without duplicates.
//
// The driver (crash_driver.cc) commits one AddEntries() call per batch and
// prints "ack <total>" after each; the kill lands at a random moment after
// a random number of acks, usually in the middle of a transaction.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "rempart/store/sqlite_store.h"
#include "tests/crash/crash_entries.h"

namespace rempart::crash {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kTotal = 40'000;
constexpr std::int64_t kBatch = 2'000;
constexpr int kRounds = 5;

// A running driver whose stdout the test reads line by line.
class Driver {
 public:
  explicit Driver(const fs::path& store) {
    int fds[2];
    if (::pipe(fds) != 0) return;
    const std::string path = store.string();
    const std::string total = std::to_string(kTotal);
    const std::string batch = std::to_string(kBatch);
    std::vector<char*> argv = {const_cast<char*>(REMPART_CRASH_DRIVER),
                               const_cast<char*>(path.c_str()),
                               const_cast<char*>(total.c_str()),
                               const_cast<char*>(batch.c_str()), nullptr};
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(fds[1], STDOUT_FILENO);
      ::close(fds[0]);
      ::close(fds[1]);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    out_ = ::fdopen(fds[0], "r");
  }
  ~Driver() {
    if (pid_ > 0) Kill();
    if (out_ != nullptr) std::fclose(out_);
  }
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;

  [[nodiscard]] bool started() const { return pid_ > 0 && out_ != nullptr; }

  // Reads the next ack; false at the end of the output.
  bool NextAck(std::int64_t& total) {
    long long value = 0;
    if (std::fscanf(out_, "ack %lld\n", &value) != 1) return false;
    total = value;
    return true;
  }

  // Sends SIGKILL and reaps the process.
  void Kill() {
    ::kill(pid_, SIGKILL);
    Wait();
  }
  // Reaps the process; its exit status, or -1 if it did not exit normally.
  int Wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
  std::FILE* out_ = nullptr;
};

class StoreCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("rempart_crash_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Checks the store holds exactly the first `expected` entries of the
  // import, in order, and is intact.
  static void ExpectPrefix(const fs::path& path, std::int64_t expected) {
    auto opened = store::OpenSqliteStore(path);
    ASSERT_TRUE(opened.has_value()) << opened.status().ToString();
    store::Store& target = **opened;
    Status integrity = target.CheckIntegrity();
    ASSERT_TRUE(integrity.ok()) << integrity.ToString();
    std::int64_t seen = 0;
    Status scan =
        target.ForEachEntry(kBank, {}, [&](const store::Entry& entry) {
          const store::NewEntry want = ImportEntry(seen);
          EXPECT_EQ(entry.input.signal, want.input.signal) << "entry " << seen;
          EXPECT_EQ(entry.input.external_id, want.input.external_id);
          ++seen;
          return seen <= expected;
        });
    ASSERT_TRUE(scan.ok()) << scan.ToString();
    EXPECT_EQ(seen, expected);
    auto stats = target.Stats(kBank);
    ASSERT_TRUE(stats.has_value());
    EXPECT_EQ(stats->total, expected);
    EXPECT_EQ(stats->active_pdq, (expected + 1) / 2);
    EXPECT_EQ(stats->active_sha256, expected / 2);
  }

  fs::path dir_;
};

TEST_F(StoreCrashTest, AcknowledgedBatchesSurviveKillNine) {
  std::mt19937 random(20240611);
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const fs::path path = dir_ / ("round" + std::to_string(round)) / "store.db";

    // Kill after 0…kTotal/kBatch−5 acks, up to 30 ms later.
    const int kill_after = std::uniform_int_distribution<int>(
        0, static_cast<int>(kTotal / kBatch) - 5)(random);
    const int delay_us = std::uniform_int_distribution<int>(0, 30'000)(random);
    std::int64_t acked = 0;
    {
      Driver driver(path);
      ASSERT_TRUE(driver.started());
      for (int i = 0; i < kill_after; ++i) {
        ASSERT_TRUE(driver.NextAck(acked)) << "driver ended early";
      }
      std::this_thread::sleep_for(std::chrono::microseconds(delay_us));
      driver.Kill();
      // Acks written before the kill count as acknowledged too.
      std::int64_t total = 0;
      while (driver.NextAck(total)) acked = total;
    }
    if (!fs::exists(path)) {
      // Killed before the store was even created: nothing was promised.
      ASSERT_EQ(acked, 0);
    } else {
      auto opened = store::OpenSqliteStore(path);
      ASSERT_TRUE(opened.has_value()) << opened.status().ToString();
      auto stats = (*opened)->Stats(kBank);
      const std::int64_t stored = stats.has_value() ? stats->total : 0;
      opened->reset();
      EXPECT_GE(stored, acked) << "an acknowledged batch was lost";
      EXPECT_LE(stored, acked + kBatch);
      EXPECT_EQ(stored % kBatch, 0) << "a batch was half-written";
      ExpectPrefix(path, stored);
    }

    // Re-running the import completes it.
    Driver rerun(path);
    ASSERT_TRUE(rerun.started());
    std::int64_t last = 0;
    std::int64_t total = 0;
    while (rerun.NextAck(total)) last = total;
    EXPECT_EQ(rerun.Wait(), 0);
    EXPECT_EQ(last, kTotal);
    ExpectPrefix(path, kTotal);
  }
}

}  // namespace
}  // namespace rempart::crash
