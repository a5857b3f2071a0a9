// A GoogleTest fixture that drives the real `rempart` binary as a user or a
// script would: arguments, stdin, stdout, stderr and the exit code, in a
// fresh temporary directory per test. REMPART_BINARY is the binary's path.
#ifndef REMPART_TESTS_SUPPORT_CLI_TEST_H_
#define REMPART_TESTS_SUPPORT_CLI_TEST_H_

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace rempart::testing {

struct CommandRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("rempart_cli_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Runs `rempart ARGS` through the shell; `args` is shell text.
  CommandRun Rempart(const std::string& args,
                     const std::string& stdin_path = "/dev/null") {
    const std::filesystem::path out = dir_ / "stdout";
    const std::filesystem::path err = dir_ / "stderr";
    const std::string command = std::string(REMPART_BINARY) + " " + args +
                                " <" + stdin_path + " >" + out.string() +
                                " 2>" + err.string();
    const int status = std::system(command.c_str());
    CommandRun run;
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.out = ReadAll(out);
    run.err = ReadAll(err);
    return run;
  }

  std::filesystem::path Write(const std::string& name,
                              const std::string& content) {
    const std::filesystem::path path = dir_ / name;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  std::filesystem::path dir_;
};

}  // namespace rempart::testing

#endif  // REMPART_TESTS_SUPPORT_CLI_TEST_H_
