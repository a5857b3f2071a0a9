// The contract every Store backend keeps, as a parameterized GoogleTest
// suite. A backend's test file instantiates it with a StoreFactory:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContractTest,
//                            ::testing::Values(SqliteFactory()),
//                            StoreFactoryName);
//
// Each test gets a fresh, empty store and a clock it controls (now_ms_).
#ifndef REMPART_STORE_STORE_CONTRACT_TEST_H_
#define REMPART_STORE_STORE_CONTRACT_TEST_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "rempart/core/result.h"
#include "rempart/store/store.h"

namespace rempart::store {

struct StoreFactory {
  std::string name;
  // Opens the store kept under `dir`, a fresh directory per test: opening
  // the same `dir` again must reopen the same data. `clock` gives the time
  // in milliseconds since the epoch.
  std::function<Result<std::unique_ptr<Store>>(
      const std::filesystem::path& dir, std::function<std::int64_t()> clock)>
      open;
};

inline std::string StoreFactoryName(
    const ::testing::TestParamInfo<StoreFactory>& info) {
  return info.param.name;
}

class StoreContractTest : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("rempart_store_test_" + std::to_string(::getpid()) + "_" +
            std::to_string(counter++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = Open();
    ASSERT_NE(store_, nullptr);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<Store> Open() {
    auto store = GetParam().open(dir_, [this] { return now_ms_.load(); });
    EXPECT_TRUE(store.has_value()) << store.status().ToString();
    return store.has_value() ? std::move(*store) : nullptr;
  }
  // Closes the store and opens it again.
  void Reopen() {
    store_.reset();
    store_ = Open();
    ASSERT_NE(store_, nullptr);
  }

  void CreateBank(const std::string& name) {
    auto bank = store_->CreateBank(name, "test bank");
    ASSERT_TRUE(bank.has_value()) << bank.status().ToString();
  }

  AddOutcome Add(const std::string& bank, const std::vector<NewEntry>& items) {
    auto outcome = store_->AddEntries(bank, items);
    EXPECT_TRUE(outcome.has_value()) << outcome.status().ToString();
    return outcome.has_value() ? *outcome : AddOutcome{};
  }

  std::vector<Entry> Scan(const std::string& bank, EntryFilter filter = {}) {
    std::vector<Entry> entries;
    Status status = store_->ForEachEntry(bank, filter, [&](const Entry& e) {
      entries.push_back(e);
      return true;
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return entries;
  }

  // (revision, entry) pairs since `revision`.
  std::vector<std::pair<std::int64_t, Entry>> Changes(const std::string& bank,
                                                      std::int64_t revision) {
    std::vector<std::pair<std::int64_t, Entry>> changes;
    Status status = store_->ForEachChangeSince(
        bank, revision, [&](std::int64_t changed_at, const Entry& entry) {
          changes.emplace_back(changed_at, entry);
          return true;
        });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return changes;
  }

  BankStats StatsOf(const std::string& bank) {
    auto stats = store_->Stats(bank);
    EXPECT_TRUE(stats.has_value()) << stats.status().ToString();
    return stats.has_value() ? *stats : BankStats{};
  }

  std::int64_t Revision() {
    auto revision = store_->CurrentRevision();
    EXPECT_TRUE(revision.has_value()) << revision.status().ToString();
    return revision.has_value() ? *revision : -1;
  }

  void ExpectIntact() {
    Status status = store_->CheckIntegrity();
    EXPECT_TRUE(status.ok()) << status.ToString();
  }

  std::filesystem::path dir_;
  std::atomic<std::int64_t> now_ms_{1'700'000'000'000};
  std::unique_ptr<Store> store_;
};

}  // namespace rempart::store

#endif  // REMPART_STORE_STORE_CONTRACT_TEST_H_
