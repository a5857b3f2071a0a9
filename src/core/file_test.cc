#include "rempart/core/file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace rempart {
namespace {

class FileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("rempart_file_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& content) {
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
  }
  std::filesystem::path dir_;
};

TEST_F(FileTest, ReadsWholeFile) {
  auto bytes = ReadFileBytes(Write("a.bin", "hello"), 100);
  ASSERT_TRUE(bytes.has_value());
  EXPECT_EQ(std::string(bytes->begin(), bytes->end()), "hello");
}

TEST_F(FileTest, EmptyFileIsEmpty) {
  auto bytes = ReadFileBytes(Write("empty", ""), 100);
  ASSERT_TRUE(bytes.has_value());
  EXPECT_TRUE(bytes->empty());
}

TEST_F(FileTest, MissingFileIsNotFound) {
  auto bytes = ReadFileBytes((dir_ / "nope").string(), 100);
  ASSERT_FALSE(bytes.has_value());
  EXPECT_EQ(bytes.error().code(), StatusCode::kNotFound);
}

TEST_F(FileTest, DirectoryIsNotARegularFile) {
  auto bytes = ReadFileBytes(dir_.string(), 100);
  ASSERT_FALSE(bytes.has_value());
  EXPECT_EQ(bytes.error().code(), StatusCode::kInvalidArgument);
}

TEST_F(FileTest, OversizedFileIsRefused) {
  auto bytes = ReadFileBytes(Write("big", std::string(101, 'x')), 100);
  ASSERT_FALSE(bytes.has_value());
  EXPECT_EQ(bytes.error().code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(
      ReadFileBytes(Write("edge", std::string(100, 'x')), 100).has_value());
}

TEST_F(FileTest, StreamLimitCountsBytesActuallyRead) {
  const std::string path = Write("stream", std::string(70000, 'y'));
  std::FILE* stream = std::fopen(path.c_str(), "rb");
  ASSERT_NE(stream, nullptr);
  auto bytes = ReadStreamBytes(stream, 65536);
  std::fclose(stream);
  ASSERT_FALSE(bytes.has_value());
  EXPECT_EQ(bytes.error().code(), StatusCode::kResourceExhausted);

  stream = std::fopen(path.c_str(), "rb");
  auto all = ReadStreamBytes(stream, 70000);
  std::fclose(stream);
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(all->size(), 70000u);
}

}  // namespace
}  // namespace rempart
