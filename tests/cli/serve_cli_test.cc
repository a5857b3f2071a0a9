// `rempart serve` as an operator runs it: a process on a fresh data
// directory, reached over HTTP, stopped with a signal.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "tests/support/cli_test.h"
#include "tests/support/http_client.h"

namespace rempart::testing {
namespace {

using ::testing::HasSubstr;

class ServeCliTest : public CliTest {
 protected:
  // Starts `rempart serve ARGS` on a free port; returns once it listens.
  void StartServer(const std::vector<std::string>& args) {
    int out[2];
    ASSERT_EQ(::pipe(out), 0);
    server_ = ::fork();
    ASSERT_GE(server_, 0);
    if (server_ == 0) {
      ::dup2(out[1], 1);
      const int err = ::open((dir_ / "serve.err").c_str(),
                             O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(err, 2);
      ::close(out[0]);
      std::vector<std::string> argv_text = {REMPART_BINARY, "serve", "--listen",
                                            "127.0.0.1:0"};
      argv_text.insert(argv_text.end(), args.begin(), args.end());
      std::vector<char*> argv;
      for (std::string& a : argv_text) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(REMPART_BINARY, argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    // "rempart serve: listening on http://127.0.0.1:PORT (N entries)"
    std::string line;
    char c;
    while (::read(out[0], &c, 1) == 1 && c != '\n') line += c;
    ::close(out[0]);
    const std::size_t paren = line.find(" (");
    const std::size_t colon = line.rfind(':', paren);
    ASSERT_TRUE(line.starts_with("rempart serve: listening on http://") &&
                paren != std::string::npos && colon != std::string::npos)
        << line << ReadAll(dir_ / "serve.err");
    port_ = static_cast<std::uint16_t>(
        std::stoi(line.substr(colon + 1, paren - colon - 1)));
  }

  // Sends `signal` and returns the exit code.
  int Stop(int signal = SIGTERM) {
    ::kill(server_, signal);
    int status = 0;
    ::waitpid(server_, &status, 0);
    server_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  void TearDown() override {
    if (server_ > 0) Stop(SIGKILL);
    CliTest::TearDown();
  }

  pid_t server_ = -1;
  std::uint16_t port_ = 0;
};

TEST_F(ServeCliTest, AFirstStartCreatesTheStoreAndAPrivateAdminKey) {
  const auto data = dir_ / "data";
  StartServer({"--data", data.string()});
  EXPECT_TRUE(std::filesystem::exists(data / "rempart.db"));
  struct stat info {};
  ASSERT_EQ(::stat((data / "secrets" / "admin.key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((data / "secrets" / "contact.key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  std::string key = ReadAll(data / "secrets" / "admin.key");
  key.erase(key.find_last_not_of('\n') + 1);

  EXPECT_EQ(HttpRequest(port_, "GET", "/readyz").status, 200);
  ClientResponse created =
      HttpRequest(port_, "POST", "/v1/banks", R"({"name":"first"})",
                  {{"Authorization", "Bearer " + key}});
  EXPECT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(Stop(), 0);
  const std::string log = ReadAll(dir_ / "serve.err");
  EXPECT_THAT(log, HasSubstr("shutting_down"));
  EXPECT_THAT(log, HasSubstr("stopped"));
  EXPECT_EQ(log.find(key.substr(17)), std::string::npos);  // Never logged.

  // The second start finds the bank and issues no new admin key.
  std::filesystem::remove(data / "secrets" / "admin.key");
  StartServer({"--data", data.string()});
  EXPECT_FALSE(std::filesystem::exists(data / "secrets" / "admin.key"));
  ClientResponse banks = HttpRequest(port_, "GET", "/v1/banks", "",
                                     {{"Authorization", "Bearer " + key}});
  EXPECT_THAT(banks.body, HasSubstr("\"first\""));
  EXPECT_EQ(Stop(SIGINT), 0);
  EXPECT_EQ(Rempart("audit verify --data " + data.string()).exit_code, 0);
}

TEST_F(ServeCliTest, WebRootFromTheFlagServesThePages) {
  const auto web = dir_ / "web";
  std::filesystem::create_directories(web / "console");
  std::ofstream(web / "index.html") << "<!doctype html><title>Report</title>";
  std::ofstream(web / "console" / "index.html") << "<title>Console</title>";
  StartServer({"--data", (dir_ / "data").string(), "--web-root", web.string()});
  ClientResponse page = HttpRequest(port_, "GET", "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("Report"));
  EXPECT_THAT(page.headers["content-security-policy"],
              HasSubstr("default-src 'none'"));
  EXPECT_EQ(HttpRequest(port_, "GET", "/console").status, 308);
  EXPECT_EQ(Stop(), 0);
  EXPECT_THAT(ReadAll(dir_ / "serve.err"), HasSubstr("web_loaded"));

  // A missing root is a warning, not a failure.
  StartServer({"--data", (dir_ / "data").string(), "--web-root",
               (dir_ / "nowhere").string()});
  EXPECT_EQ(HttpRequest(port_, "GET", "/").status, 404);
  EXPECT_EQ(HttpRequest(port_, "GET", "/readyz").status, 200);
  EXPECT_EQ(Stop(), 0);
  EXPECT_THAT(ReadAll(dir_ / "serve.err"), HasSubstr("web_root_missing"));
}

TEST_F(ServeCliTest, KeysFromTheCommandLineWorkAndRevocationsReachTheServer) {
  const auto data = dir_ / "data";
  CommandRun issued =
      Rempart("key create --role platform --name cli --data " + data.string());
  ASSERT_EQ(issued.exit_code, 0) << issued.err;
  std::string key = issued.out;
  key.erase(key.find_last_not_of('\n') + 1);
  StartServer({"--data", data.string(), "--config",
               Write("rempart.toml", "[server]\nrefresh_interval_ms = 100\n")
                   .string()});
  const std::vector<std::pair<std::string, std::string>> auth = {
      {"Authorization", "Bearer " + key}};
  EXPECT_EQ(HttpRequest(port_, "GET", "/v1/banks", "", auth).status, 200);
  ASSERT_EQ(
      Rempart("key revoke " + key.substr(4, 12) + " --data " + data.string())
          .exit_code,
      0);
  int status = 200;
  for (int i = 0; i < 50 && status == 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    status = HttpRequest(port_, "GET", "/v1/banks", "", auth).status;
  }
  EXPECT_EQ(status, 401);
  EXPECT_EQ(Stop(), 0);
}

TEST_F(ServeCliTest, BadSettingsStopStartUpWithTheirName) {
  CommandRun run =
      Rempart("serve --data " + (dir_ / "d").string() + " --config " +
              Write("bad.toml", "[limits]\nmax_jsn_bytes = 5\n").string());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("limits.max_jsn_bytes"));
  run = Rempart("serve --data " + (dir_ / "d").string() + " --listen nowhere");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("HOST:PORT"));
}

}  // namespace
}  // namespace rempart::testing
