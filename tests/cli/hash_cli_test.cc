// Drives the real `rempart` binary as a user or a script would: arguments,
// stdin, stdout, stderr and the exit code.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tests/support/cli_test.h"
#include "tests/support/vectors.h"

namespace rempart {
namespace {

namespace fs = std::filesystem;
using testing::ConformancePath;

using testing::CommandRun;
using testing::ReadAll;
using HashCliTest = testing::CliTest;

const std::string kBridge = "images/upstream/bridge-mods/aaa-orig.jpg";

testing::TsvRow Reference(const std::string& path) {
  for (auto& row :
       testing::ReadTsv(ConformancePath("expected/reference-debian12.tsv"))) {
    if (row.at("path") == path) return row;
  }
  ADD_FAILURE() << "no reference row for " << path;
  return {};
}

TEST_F(HashCliTest, TextLineIsHashQualityPath) {
  const std::string path = ConformancePath(kBridge);
  const CommandRun run = Rempart("hash " + path);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  const auto row = Reference(kBridge);
  EXPECT_EQ(run.out, row.at("pdq_cli") + " " + row.at("quality_cli") + " " +
                         path + "\n");
  EXPECT_EQ(run.err, "");  // Quiet when piped: no progress bar.
}

TEST_F(HashCliTest, JsonHasEverySignalAndDihedrals) {
  const CommandRun run =
      Rempart("hash --format json --dihedral " + ConformancePath(kBridge));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto record = nlohmann::json::parse(run.out);
  const auto row = Reference(kBridge);
  EXPECT_EQ(record["pdq"], row.at("pdq_cli"));
  EXPECT_EQ(record["quality"], std::stoi(row.at("quality_cli")));
  EXPECT_EQ(record["mode"], "cli512");
  EXPECT_EQ(record["md5"], row.at("md5"));
  EXPECT_EQ(record["sha256"], row.at("sha256"));
  EXPECT_EQ(record["width"], std::stoi(row.at("width")));
  EXPECT_EQ(record["height"], std::stoi(row.at("height")));
  EXPECT_EQ(record["format"], "jpeg");
  EXPECT_EQ(record["dihedral"]["rot90"], row.at("dih_rot90"));
  EXPECT_EQ(record["dihedral"]["flipminus1"], row.at("dih_flipminus1"));
  EXPECT_TRUE(record["error"].is_null());
}

TEST_F(HashCliTest, FullResolutionModeIsRecorded) {
  const std::string wide = "images/synthetic/resize-wide-2000x20.png";
  const CommandRun run =
      Rempart("hash --mode fullres --format tsv " + ConformancePath(wide));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("\t" + Reference(wide).at("pdq_fullres") + "\t"),
            std::string::npos);
  EXPECT_NE(run.out.find("\tfullres\t"), std::string::npos);
}

TEST_F(HashCliTest, DirectoryOutputIsSortedAndIdenticalForAnyJobs) {
  const std::string folder = ConformancePath("images/upstream/bridge-mods");
  const CommandRun one = Rempart("hash --format tsv -j 1 " + folder);
  const CommandRun two = Rempart("hash --format tsv -j 2 " + folder);
  const CommandRun eight = Rempart("hash --format tsv -j 8 " + folder);
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(one.out, two.out);
  EXPECT_EQ(one.out, eight.out);
  std::istringstream lines(one.out);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line.rfind("path\tpdq\tquality\tmode\tmd5\tsha256", 0), 0u);
  std::vector<std::string> paths;
  while (std::getline(lines, line))
    paths.push_back(line.substr(0, line.find('\t')));
  EXPECT_EQ(paths.size(), 12u);
  EXPECT_TRUE(std::is_sorted(paths.begin(), paths.end()));
}

TEST_F(HashCliTest, BrokenFilesAreReportedAndExitOne) {
  const fs::path good = Write("good.jpg", ReadAll(ConformancePath(kBridge)));
  std::string truncated = ReadAll(ConformancePath(kBridge));
  truncated.resize(truncated.size() / 2);
  const fs::path bad = Write("truncated.jpg", truncated);
  const CommandRun run =
      Rempart("hash --format tsv " + good.string() + " " + bad.string() + " " +
              (dir_ / "missing.png").string());
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("truncated.jpg: InvalidArgument"), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("missing.png: NotFound"), std::string::npos)
      << run.err;
  std::istringstream lines(run.out);
  std::string header, first, second, third;
  std::getline(lines, header);
  std::getline(lines, first);
  std::getline(lines, second);
  std::getline(lines, third);
  EXPECT_EQ(first.back(), '\t');  // Empty error column: success.
  // The failed row still carries the exact-match digests of its bytes.
  EXPECT_NE(second.find("InvalidArgument"), std::string::npos);
  EXPECT_EQ(second.find("\t\t\t\t"), second.find('\t'));
  EXPECT_NE(third.find("NotFound"), std::string::npos);
}

TEST_F(HashCliTest, DirectoryWalkSkipsFilesThatAreNotImages) {
  Write("photos/a.jpg", ReadAll(ConformancePath(kBridge)));
  Write("photos/notes.txt", "not a photo");
  Write("photos/deeper/b.png",
        ReadAll(ConformancePath("images/synthetic/palette-180x120.png")));
  const CommandRun run = Rempart("hash " + (dir_ / "photos").string());
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(std::count(run.out.begin(), run.out.end(), '\n'), 2);
  EXPECT_EQ(run.out.find("notes.txt"), std::string::npos);
  // Named explicitly, the same file is an error.
  const CommandRun named =
      Rempart("hash " + (dir_ / "photos/notes.txt").string());
  EXPECT_EQ(named.exit_code, 1);
  EXPECT_NE(named.err.find("notes.txt"), std::string::npos);
}

TEST_F(HashCliTest, ReadsStdin) {
  const CommandRun run = Rempart("hash -", ConformancePath(kBridge));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, Reference(kBridge).at("pdq_cli") + " 100 -\n");
}

TEST_F(HashCliTest, LimitsAreEnforcedFromFlags) {
  const CommandRun run =
      Rempart("hash --max-pixels 1000 " + ConformancePath(kBridge));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("ResourceExhausted"), std::string::npos) << run.err;
}

TEST_F(HashCliTest, FastModeStaysCloseToExact) {
  const CommandRun run =
      Rempart("hash --fast --format json " + ConformancePath(kBridge));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto record = nlohmann::json::parse(run.out);
  EXPECT_EQ(record["width"], std::stoi(Reference(kBridge).at("width")));
  EXPECT_EQ(record["fast"], true);
  // Fast mode is not bit-exact, but within 4 bits of the reference.
  const std::string fast = record["pdq"];
  const std::string exact = Reference(kBridge).at("pdq_cli");
  int distance = 0;
  for (std::size_t i = 0; i < fast.size(); ++i) {
    distance += __builtin_popcount(std::stoi(fast.substr(i, 1), nullptr, 16) ^
                                   std::stoi(exact.substr(i, 1), nullptr, 16));
  }
  EXPECT_LE(distance, 4);
}

TEST_F(HashCliTest, UsageErrorsExitTwo) {
  EXPECT_EQ(Rempart("").exit_code, 2);
  EXPECT_EQ(Rempart("hash").exit_code, 2);
  EXPECT_EQ(Rempart("hash --format xml x.jpg").exit_code, 2);
  EXPECT_EQ(Rempart("hash --no-such-flag x.jpg").exit_code, 2);
  EXPECT_EQ(Rempart("hash - -").exit_code, 2);
  EXPECT_EQ(Rempart("frobnicate").exit_code, 2);
}

TEST_F(HashCliTest, HelpExplainsAndExitsZero) {
  const CommandRun run = Rempart("hash --help");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.find("Examples"), std::string::npos);
  EXPECT_NE(run.out.find("--dihedral"), std::string::npos);
  EXPECT_NE(run.out.find("--fast"), std::string::npos);
  EXPECT_NE(run.out.find("Exit status"), std::string::npos);
}

}  // namespace
}  // namespace rempart
