// `rempart eval` driven as a user would: a small corpus folder, the table
// on stdout, report.html and report.json in --out, and usage errors.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/bmp.h"
#include "tests/support/cli_test.h"
#include "tests/support/textured_picture.h"

namespace rempart {
namespace {

namespace fs = std::filesystem;
using testing::CommandRun;
using testing::ReadAll;

class EvalCliTest : public testing::CliTest {
 protected:
  // dir_/corpus: four pictures, a manifest and a JPEG that does not decode.
  fs::path MakeCorpus() {
    for (int i = 1; i <= 4; ++i) {
      Write("corpus/picture-" + std::to_string(i) + ".bmp",
            testing::Bmp(
                testing::TexturedPicture(50 + static_cast<std::uint64_t>(i))));
    }
    Write("corpus/MANIFEST.tsv", "file\tsource\n");
    Write("corpus/broken.jpg",
          std::string("\xff\xd8\xff\xe0", 4) + std::string(100, 'x'));
    return dir_ / "corpus";
  }
};

TEST_F(EvalCliTest, WritesTheTableAndBothReports) {
  const fs::path corpus = MakeCorpus();
  const fs::path out = dir_ / "report";
  const CommandRun run =
      Rempart("eval " + corpus.string() + " --transform mirror --limit 3 -j 2" +
              " --out " + out.string() + " -q");
  ASSERT_EQ(run.exit_code, 0) << run.err;

  // One row per transform, the original first.
  std::istringstream lines(run.out);
  std::string line;
  std::vector<std::string> rows;
  while (std::getline(lines, line)) {
    if (line.rfind("original ", 0) == 0 || line.rfind("mirror ", 0) == 0) {
      rows.push_back(line.substr(0, line.find(' ')));
    }
  }
  EXPECT_EQ(rows, (std::vector<std::string>{"original", "mirror"})) << run.out;
  EXPECT_NE(run.out.find("pdq-dihedral"), std::string::npos) << run.out;
  EXPECT_NE(run.err.find("report.html"), std::string::npos) << run.err;

  const std::string html = ReadAll(out / "report.html");
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u) << html.substr(0, 80);
  EXPECT_NE(html.find("mirror"), std::string::npos);
  const auto json = nlohmann::json::parse(ReadAll(out / "report.json"));
  ASSERT_TRUE(json.contains("transforms"));
  ASSERT_EQ(json["transforms"].size(), 2u);
  EXPECT_EQ(json["transforms"][0]["name"], "original");
  EXPECT_EQ(json["transforms"][1]["name"], "mirror");
  // broken.jpg sorts before the pictures: skipped, then three pictures.
  EXPECT_EQ(json["images"], 3);
  EXPECT_EQ(json["skipped"], 1);
  EXPECT_EQ(json["threads"], 2);
  EXPECT_NE(json["command"].get<std::string>().find("--transform mirror"),
            std::string::npos);
  EXPECT_FALSE(fs::exists(out / "report.json.tmp"));
}

TEST_F(EvalCliTest, AMissingFolderIsAUsageError) {
  const CommandRun run = Rempart("eval /nonexistent/rempart-corpus -q --out " +
                                 (dir_ / "report").string());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("rempart eval:"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("is not a folder"), std::string::npos) << run.err;
  EXPECT_EQ(run.out, "");
  EXPECT_FALSE(fs::exists(dir_ / "report"));
}

TEST_F(EvalCliTest, BadFlagsAreUsageErrors) {
  const fs::path corpus = MakeCorpus();
  const CommandRun side = Rempart("eval " + corpus.string() + " --side 10");
  EXPECT_EQ(side.exit_code, 2);
  EXPECT_NE(side.err.find("--side"), std::string::npos) << side.err;
  const CommandRun transform =
      Rempart("eval " + corpus.string() + " --transform sepia -q");
  EXPECT_EQ(transform.exit_code, 2);
  EXPECT_NE(transform.err.find("unknown transform 'sepia'"), std::string::npos)
      << transform.err;
  const CommandRun missing = Rempart("eval");
  EXPECT_EQ(missing.exit_code, 2);
}

}  // namespace
}  // namespace rempart
