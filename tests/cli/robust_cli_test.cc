// The second stage from the command line, as a hotline and a platform would
// use it: `rempart hash --patches` lists pictures with their signatures,
// `rempart bank import` banks them, and `rempart match --robust` finds a
// crop that plain PDQ misses.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/bmp.h"
#include "tests/support/cli_test.h"
#include "tests/support/picture_edits.h"
#include "tests/support/textured_picture.h"

namespace rempart {
namespace {

namespace fs = std::filesystem;
using testing::CommandRun;
using testing::ReadAll;

// The cells of a tab-separated line.
std::vector<std::string> Cells(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream in(line);
  std::string cell;
  while (std::getline(in, cell, '\t')) cells.push_back(cell);
  if (!line.empty() && line.back() == '\t') cells.emplace_back();
  return cells;
}

class RobustCliTest : public testing::CliTest {
 protected:
  CommandRun Run(const std::string& args) {
    return Rempart(args + " --data " + (dir_ / "data").string());
  }

  // Three pictures banked in "hotline" with their signatures, from a list
  // `rempart hash --patches` wrote; the crop of the second and an
  // unrelated picture beside them.
  void BankThreePictures() {
    for (int i = 1; i <= 3; ++i) {
      Write("bank/picture-" + std::to_string(i) + ".bmp",
            testing::Bmp(testing::TexturedPicture(60 + i)));
    }
    Write("crop.bmp",
          testing::Bmp(testing::Middle(testing::TexturedPicture(62))));
    Write("other.bmp",
          testing::Bmp(testing::Middle(testing::TexturedPicture(90))));
    const CommandRun hashed =
        Rempart("hash -q --patches --format tsv " + (dir_ / "bank").string());
    ASSERT_EQ(hashed.exit_code, 0) << hashed.err;
    list_ = Write("list.tsv", hashed.out);
    ASSERT_EQ(Run("bank create hotline").exit_code, 0);
    const CommandRun imported =
        Run("bank import hotline -q --source-org "
            "'Hotline A' " +
            list_.string());
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
  }

  fs::path list_;
};

TEST_F(RobustCliTest, HashWritesEachPicturesSignature) {
  BankThreePictures();
  std::stringstream lines(ReadAll(list_));
  std::string line;
  ASSERT_TRUE(std::getline(lines, line));
  const std::vector<std::string> header = Cells(line);
  const auto column =
      std::find(header.begin(), header.end(), "patches") - header.begin();
  ASSERT_LT(column, static_cast<long>(header.size())) << line;
  EXPECT_EQ(header.back(), "error");
  int rows = 0;
  while (std::getline(lines, line)) {
    const std::vector<std::string> cells = Cells(line);
    ASSERT_EQ(cells.size(), header.size()) << line;
    const std::string& patches = cells[static_cast<std::size_t>(column)];
    // Version 2, the shape of a 4:3 picture (4096 × 3072), records of 39
    // bytes, then the 6 centred crops: a count and records of 35 bytes.
    EXPECT_EQ(patches.substr(0, 10), "0210000c00") << line;
    const std::size_t count = std::stoul(patches.substr(10, 4), nullptr, 16);
    EXPECT_GT(count, 10u);
    ASSERT_EQ(patches.size() / 2, 7 + 39 * count + 1 + 35 * 6) << line;
    EXPECT_EQ(patches.substr(2 * (7 + 39 * count), 2), "06") << line;
    ++rows;
  }
  EXPECT_EQ(rows, 3);

  const CommandRun json = Rempart("hash --patches --format json " +
                                  (dir_ / "bank/picture-1.bmp").string());
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto record = nlohmann::json::parse(json.out);
  EXPECT_EQ(record["patches"].get<std::string>().substr(0, 2), "02");

  const CommandRun text =
      Rempart("hash --patches " + (dir_ / "bank/picture-1.bmp").string());
  EXPECT_EQ(text.exit_code, 2);
  EXPECT_NE(text.err.find("--patches needs --format tsv or json"),
            std::string::npos)
      << text.err;
}

TEST_F(RobustCliTest, TheSecondStageFindsACropPdqMisses) {
  BankThreePictures();
  const std::string crop = (dir_ / "crop.bmp").string();
  const CommandRun plain = Run("match -q " + crop);
  EXPECT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(plain.out, crop + ": no match\n");

  const CommandRun robust = Run("match -q --robust " + crop);
  EXPECT_EQ(robust.exit_code, 0) << robust.err;
  // Each row of the list made three entries (PDQ, MD5, SHA-256): the
  // second picture's PDQ entry is entry 4. Only it matches.
  EXPECT_EQ(robust.out.rfind(crop + ": MATCH bank hotline entry 4 (pdq, "
                                    "second stage: ",
                             0),
            0u)
      << robust.out;
  EXPECT_NE(robust.out.find("Hotline A"), std::string::npos);
  EXPECT_EQ(std::count(robust.out.begin(), robust.out.end(), '\n'), 1)
      << robust.out;

  const CommandRun json = Run("match -q --robust --format json " + crop);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto record = nlohmann::json::parse(json.out);
  ASSERT_EQ(record["matches"].size(), 1u) << json.out;
  EXPECT_EQ(record["matches"][0]["entry"], 4);
  EXPECT_GE(record["matches"][0]["patches"].get<int>(), 2);

  const CommandRun tsv = Run("match -q --robust --format tsv " + crop);
  ASSERT_EQ(tsv.exit_code, 0) << tsv.err;
  std::stringstream lines(tsv.out);
  std::string line;
  ASSERT_TRUE(std::getline(lines, line));
  std::vector<std::string> header = Cells(line);
  ASSERT_GE(header.size(), 2u);
  EXPECT_EQ(header[header.size() - 2], "patches");
  EXPECT_EQ(header.back(), "crop");
  ASSERT_TRUE(std::getline(lines, line));
  const std::vector<std::string> row = Cells(line);
  ASSERT_EQ(row.size(), header.size()) << line;
  EXPECT_GE(std::stoi(row[row.size() - 2]), 2) << line;
  EXPECT_EQ(row.back(), "") << line;  // Found by its patches.

  // The untouched picture is a first-stage match, reported as such.
  const CommandRun whole =
      Run("match -q --robust " + (dir_ / "bank/picture-2.bmp").string());
  EXPECT_NE(whole.out.find("entry 4 (pdq, distance 0)"), std::string::npos)
      << whole.out;
  EXPECT_EQ(whole.out.find("second stage"), std::string::npos) << whole.out;

  // An unrelated picture matches nothing.
  const std::string other = (dir_ / "other.bmp").string();
  EXPECT_EQ(Run("match -q --robust " + other).out, other + ": no match\n");
}

TEST_F(RobustCliTest, MinPatchesSetsTheGroupAMatchNeeds) {
  BankThreePictures();
  const std::string crop = (dir_ / "crop.bmp").string();
  const std::string other = (dir_ / "other.bmp").string();
  // Every second-stage hit has at least the patches asked for (votes that
  // agree, and windows a second look found where they said), or was found
  // by one of the entry's centred crops: the crop keeps the middle half of
  // each side, the bank's crop of 48 % within a few bits.
  int largest = 0;
  int by_crop = 0;
  for (const int n : {2, 3, 6, 16}) {
    const std::string args =
        "match -q --robust --format json --min-patches " + std::to_string(n);
    const CommandRun json = Run(args + " " + crop);
    ASSERT_EQ(json.exit_code, 0) << json.err;
    const auto record = nlohmann::json::parse(json.out);
    ASSERT_EQ(record["matches"].size(), 1u) << json.out;
    for (const auto& hit : record["matches"]) {
      ASSERT_TRUE(hit.contains("patches")) << json.out;
      EXPECT_EQ(hit["entry"], 4) << json.out;
      if (hit.contains("crop")) {
        ++by_crop;
        EXPECT_LT(hit["patches"].get<int>(), n) << json.out;
        EXPECT_EQ(hit["crop"], 48) << json.out;
        EXPECT_LE(hit["distance"].get<int>(), 31) << json.out;
      } else {
        EXPECT_GE(hit["patches"].get<int>(), n) << json.out;
      }
      largest = std::max(largest, hit["patches"].get<int>());
    }
    EXPECT_EQ(Run("match -q --robust --min-patches " + std::to_string(n) + " " +
                  other)
                  .out,
              other + ": no match\n");
  }
  EXPECT_GE(largest, 3);
  EXPECT_GE(by_crop, 1);  // 16 agreeing patches are more than a crop has.
  const CommandRun text = Run("match -q --robust --min-patches 16 " + crop);
  EXPECT_NE(text.out.find("second stage: its centred crop of 48 % of each "
                          "side, within "),
            std::string::npos)
      << text.out;
  // Out of range, or without the second stage: a usage error.
  for (const std::string args :
       {"--robust --min-patches 1", "--robust --min-patches 17",
        "--min-patches 3"}) {
    const CommandRun wrong = Run("match -q " + args + " " + crop);
    EXPECT_EQ(wrong.exit_code, 2) << args;
    EXPECT_NE(wrong.err.find("min-patches"), std::string::npos) << wrong.err;
  }
}

TEST_F(RobustCliTest, ReimportingWithSignaturesSignsTheHashesABankHad) {
  for (int i = 1; i <= 2; ++i) {
    Write("bank/picture-" + std::to_string(i) + ".bmp",
          testing::Bmp(testing::TexturedPicture(60 + i)));
  }
  const std::string crop =
      Write("crop.bmp",
            testing::Bmp(testing::Middle(testing::TexturedPicture(62))))
          .string();
  const std::string bank = (dir_ / "bank").string();
  const fs::path plain =
      Write("plain.tsv", Rempart("hash -q --format tsv " + bank).out);
  const fs::path signed_list = Write(
      "signed.tsv", Rempart("hash -q --patches --format tsv " + bank).out);
  ASSERT_EQ(Run("bank create hotline").exit_code, 0);
  ASSERT_EQ(Run("bank import hotline -q " + plain.string()).exit_code, 0);
  EXPECT_EQ(Run("match -q --robust " + crop).out, crop + ": no match\n");

  const CommandRun again =
      Run("bank import hotline -q " + signed_list.string());
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("0 new, 6 already present (2 of them took a patch "
                           "signature)"),
            std::string::npos)
      << again.err;
  EXPECT_NE(Run("match -q --robust " + crop).out.find("second stage"),
            std::string::npos);
}

TEST_F(RobustCliTest, ExportsCarryTheSignaturesAndRevocationStopsThem) {
  BankThreePictures();
  const fs::path exported = dir_ / "export.tsv";
  ASSERT_EQ(Run("bank export hotline " + exported.string() + " --format tsv")
                .exit_code,
            0);
  // Every signature of the list comes back out, byte for byte (the shape
  // and the positions were already in their shared form).
  const std::string listed = ReadAll(list_);
  const std::string out = ReadAll(exported);
  std::stringstream lines(listed);
  std::string line;
  std::getline(lines, line);
  const std::vector<std::string> header = Cells(line);
  const auto column = static_cast<std::size_t>(
      std::find(header.begin(), header.end(), "patches") - header.begin());
  int found = 0;
  while (std::getline(lines, line)) {
    const std::string patches = Cells(line).at(column);
    ASSERT_FALSE(patches.empty());
    if (out.find("\t" + patches + "\t") != std::string::npos) ++found;
  }
  EXPECT_EQ(found, 3) << out.substr(0, 300);

  // Imported into another data directory from the export, the second stage
  // works there too: signatures travel with the list.
  ASSERT_EQ(
      Rempart("bank create copy --data " + (dir_ / "data2").string()).exit_code,
      0);
  ASSERT_EQ(Rempart("bank import copy -q " + exported.string() + " --data " +
                    (dir_ / "data2").string())
                .exit_code,
            0);
  const std::string crop = (dir_ / "crop.bmp").string();
  EXPECT_NE(Rempart("match -q --robust " + crop + " --data " +
                    (dir_ / "data2").string())
                .out.find("MATCH bank copy"),
            std::string::npos);

  // Revoking the entry by its PDQ hash stops the second stage too.
  std::stringstream rows(listed);
  std::getline(rows, line);
  std::getline(rows, line);
  std::getline(rows, line);  // picture-2.bmp, the second row.
  const std::string pdq = Cells(line).at(1);
  ASSERT_EQ(Run("bank revoke hotline " + pdq + " --reason 'not the person'")
                .exit_code,
            0);
  EXPECT_EQ(Run("match -q --robust " + crop).out, crop + ": no match\n");
}

}  // namespace
}  // namespace rempart
