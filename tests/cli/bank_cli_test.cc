// `rempart bank` and `rempart match` driven as a hotline analyst or a
// platform's script would, on a data directory of their own.
#include <gtest/gtest.h>

#include <string>

#include "tests/support/cli_test.h"
#include "tests/support/vectors.h"

namespace rempart {
namespace {

using testing::CommandRun;
using testing::ConformancePath;
using testing::ReadAll;

const std::string kPdqA =
    "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22";
const std::string kPdqB =
    "6227401f601ff4ccafcc9fad4b0d95d371a2eb7265a3285234d228ca94deeb2d";

class BankCliTest : public testing::CliTest {
 protected:
  // `rempart ARGS --data DIR` for bank and match subcommands.
  CommandRun Run(const std::string& args,
                 const std::string& stdin_path = "/dev/null") {
    return Rempart(args + " --data " + (dir_ / "data").string(), stdin_path);
  }
  void CreateBank(const std::string& name) {
    ASSERT_EQ(Run("bank create " + name).exit_code, 0);
  }
  // Everything but the two timestamp columns of a CSV export.
  static std::string WithoutTimestamps(const std::string& csv) {
    std::string result;
    std::size_t start = 0;
    while (start < csv.size()) {
      std::size_t end = csv.find('\n', start);
      if (end == std::string::npos) end = csv.size();
      std::string line = csv.substr(start, end - start);
      for (int column = 0; column < 2; ++column) {
        line = line.substr(0, line.rfind(','));
      }
      result += line + "\n";
      start = end + 1;
    }
    return result;
  }
};

TEST_F(BankCliTest, CreateListAndStats) {
  CreateBank("hotline");
  const CommandRun again = Run("bank create hotline");
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("AlreadyExists"), std::string::npos);
  EXPECT_EQ(Run("bank create 'Bad Name'").exit_code, 2);
  const CommandRun list = Run("bank list");
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_EQ(list.out.rfind("hotline\t", 0), 0u) << list.out;
  const CommandRun stats = Run("bank stats hotline --format json");
  EXPECT_NE(stats.out.find("\"total\":0"), std::string::npos) << stats.out;
  EXPECT_EQ(Run("bank stats nobody").exit_code, 1);
}

TEST_F(BankCliTest, ImportReportsEachBadLineAndSkipsIt) {
  CreateBank("hotline");
  const auto list =
      Write("list.txt", "# verified 2026-11\n" + kPdqA +
                            "\t100\tcase-1\n"
                            "not-a-hash\n" +
                            kPdqB + "\t30\n\n" + kPdqB.substr(0, 60) + "\n" +
                            kPdqB + "\n");
  const CommandRun run = Run("bank import hotline " + list.string());
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("list.txt:3:"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("list.txt:4: PDQ quality 30"), std::string::npos);
  EXPECT_NE(run.err.find("list.txt:6:"), std::string::npos);
  EXPECT_NE(run.err.find("2 new, 0 already present, 3 bad lines"),
            std::string::npos)
      << run.err;
  // The same list again adds nothing.
  const CommandRun again = Run("bank import hotline " + list.string());
  EXPECT_NE(again.err.find("0 new, 2 already present"), std::string::npos);
  EXPECT_NE(Run("bank stats hotline --format json").out.find("\"pdq\":2"),
            std::string::npos);
}

TEST_F(BankCliTest, StrictImportRefusesTheWholeList) {
  CreateBank("hotline");
  const auto list = Write("list.txt", kPdqA + "\nzz\n" + kPdqB + "\n");
  const CommandRun run = Run("bank import --strict hotline " + list.string());
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("nothing imported"), std::string::npos) << run.err;
  EXPECT_NE(Run("bank stats hotline --format json").out.find("\"total\":0"),
            std::string::npos);
  // From stdin, clean: everything goes in.
  const auto clean = Write("clean.txt", kPdqA + "\n" + kPdqB + "\n");
  EXPECT_EQ(Run("bank import --strict hotline -", clean.string()).exit_code, 0);
}

TEST_F(BankCliTest, CsvExportRoundTripsLosslessly) {
  CreateBank("source");
  CreateBank("copy");
  const auto csv = Write(
      "entries.csv",
      "kind,value,quality,mode,category,source_org,external_id\n"
      "pdq," +
          kPdqA +
          ",91,cli512,sextortion,\"Hotline, \"\"North\"\"\","
          "\"ref\nwith newline\"\n"
          "md5,0123456789abcdef0123456789abcdef,,,synthetic,Hotline Süd,é-7\n"
          "pdq," +
          kPdqB + ",77,fullres,intimate_image,Platform X,\n");
  ASSERT_EQ(Run("bank import source " + csv.string()).exit_code, 0);
  ASSERT_EQ(Run("bank revoke source " + kPdqB + " --reason 'appeal upheld'")
                .exit_code,
            0);
  const auto first = dir_ / "first.csv";
  ASSERT_EQ(Run("bank export source " + first.string()).exit_code, 0);
  ASSERT_EQ(Run("bank import copy " + first.string()).exit_code, 0);
  const auto second = dir_ / "second.csv";
  ASSERT_EQ(Run("bank export copy " + second.string()).exit_code, 0);
  const std::string exported = ReadAll(first);
  EXPECT_NE(exported.find("appeal upheld"), std::string::npos);
  EXPECT_NE(exported.find("\"Hotline, \"\"North\"\"\""), std::string::npos);
  EXPECT_EQ(WithoutTimestamps(ReadAll(second)), WithoutTimestamps(exported));
}

TEST_F(BankCliTest, MatchPhotosAndHashesAndRevocationStopsMatches) {
  CreateBank("hotline");
  const auto list = Write("list.txt", kPdqA + "\t100\tcase-9\n");
  ASSERT_EQ(Run("bank import hotline --source-org 'Hotline A' " + list.string())
                .exit_code,
            0);
  const std::string photo =
      ConformancePath("images/upstream/bridge-mods/blur-a-little.jpg");
  const CommandRun match = Run("match " + photo);
  EXPECT_EQ(match.exit_code, 0) << match.err;
  EXPECT_NE(match.out.find("MATCH bank hotline"), std::string::npos)
      << match.out;
  EXPECT_NE(match.out.find("Hotline A, ref case-9"), std::string::npos);

  const CommandRun by_hash = Run("match --format tsv " + kPdqB + " " + kPdqA);
  const std::string expected_row = kPdqA + "\thotline\t1\tpdq\t" + kPdqA +
                                   "\t0\tintimate_image\tHotline A\tcase-9"
                                   "\t\t\t\t\t\t\n";
  EXPECT_NE(by_hash.out.find(expected_row), std::string::npos) << by_hash.out;
  EXPECT_EQ(by_hash.out.find(kPdqB + "\t"), std::string::npos);

  ASSERT_EQ(Run("bank revoke hotline " + kPdqA + " --reason 'not the person'")
                .exit_code,
            0);
  EXPECT_NE(Run("match " + photo).out.find("no match"), std::string::npos);
}

TEST_F(BankCliTest, DihedralMatchesRotatedCopies) {
  CreateBank("hotline");
  const std::string original = ConformancePath(
      "images/upstream/reg-test-input/dih/bridge-1-original.jpg");
  const std::string rotated = ConformancePath(
      "images/upstream/reg-test-input/dih/bridge-2-rotate-90.jpg");
  const CommandRun hashed = Rempart("hash --format tsv " + original);
  ASSERT_EQ(hashed.exit_code, 0);
  const auto hashes = Write("hashes.tsv", hashed.out);
  ASSERT_EQ(Run("bank import hotline " + hashes.string()).exit_code, 0);
  const CommandRun plain = Run("match --format json " + rotated);
  EXPECT_NE(plain.out.find("\"matches\":[]"), std::string::npos) << plain.out;
  const CommandRun dihedral = Run("match --dihedral --format json " + rotated);
  EXPECT_NE(dihedral.out.find("\"kind\":\"pdq\""), std::string::npos)
      << dihedral.out;
}

TEST_F(BankCliTest, MatchWithoutAStoreSaysWhereItLooked) {
  const CommandRun run = Run("match " + kPdqA);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("no banks in"), std::string::npos) << run.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "data"));
}

TEST_F(BankCliTest, SnapshotsAreWrittenAndUsed) {
  CreateBank("hotline");
  const auto list = Write("list.txt", kPdqA + "\n");
  ASSERT_EQ(Run("bank import hotline " + list.string()).exit_code, 0);
  const CommandRun snapshot = Run("bank snapshot");
  EXPECT_EQ(snapshot.exit_code, 0) << snapshot.err;
  EXPECT_TRUE(
      std::filesystem::exists(dir_ / "data/snapshots/hotline.snapshot"));
  // An entry added after the snapshot is caught up from the store.
  const auto more = Write("more.txt", kPdqB + "\n");
  ASSERT_EQ(Run("bank import hotline " + more.string()).exit_code, 0);
  EXPECT_NE(Run("match " + kPdqB).out.find("MATCH"), std::string::npos);
}

}  // namespace
}  // namespace rempart
