#include "rempart/service/sealing.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace rempart::service {
namespace {

std::filesystem::path TempDir() {
  auto dir = std::filesystem::temp_directory_path() /
             ("rempart-sealing-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  return dir;
}

TEST(SealingTest, SealsAndOpensWithTheSameKeyOnly) {
  std::array<std::uint8_t, 32> key{};
  key[0] = 1;
  const Sealer sealer = Sealer::FromKey(key);
  const std::string sealed = sealer.Seal("+33 6 12 34 56 78");
  EXPECT_EQ(sealed.find("+33"), std::string::npos);
  EXPECT_NE(sealer.Seal("+33 6 12 34 56 78"), sealed);  // Fresh nonce.
  EXPECT_EQ(*sealer.Open(sealed), "+33 6 12 34 56 78");

  key[0] = 2;
  EXPECT_FALSE(Sealer::FromKey(key).Open(sealed));
  std::string damaged = sealed;
  damaged.back() ^= 1;
  EXPECT_FALSE(sealer.Open(damaged));
  EXPECT_FALSE(sealer.Open("short"));
}

TEST(SealingTest, TheKeyFileIsCreatedPrivateAndReused) {
  const auto dir = TempDir();
  const auto file = dir / "secrets" / "contact.key";
  auto first = Sealer::OpenOrCreate(file);
  ASSERT_TRUE(first) << first.error().ToString();
  struct stat info {};
  ASSERT_EQ(::stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(info.st_size, 32);
  auto second = Sealer::OpenOrCreate(file);
  ASSERT_TRUE(second);
  EXPECT_EQ(*second->Open(first->Seal("x")), "x");
  std::filesystem::remove_all(dir);
}

TEST(SealingTest, AKeyFileOthersCanReadOrOfTheWrongSizeIsRefused) {
  const auto dir = TempDir();
  const auto file = dir / "contact.key";
  ASSERT_TRUE(Sealer::OpenOrCreate(file));
  ::chmod(file.c_str(), 0644);
  EXPECT_FALSE(Sealer::OpenOrCreate(file));
  ::chmod(file.c_str(), 0600);
  { std::ofstream(file, std::ios::app) << "more"; }
  EXPECT_FALSE(Sealer::OpenOrCreate(file));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rempart::service
