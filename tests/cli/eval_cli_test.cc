// `rempart eval` driven as a user would: a small corpus folder, the table
// on stdout, report.html and report.json in --out, and usage errors.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/cli_test.h"
#include "tests/support/textured_picture.h"

namespace rempart {
namespace {

namespace fs = std::filesystem;
using testing::CommandRun;
using testing::ReadAll;

void PutLittleEndian(std::string& out, std::uint32_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) {
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  }
}

// `image` (RGB) as an uncompressed 24-bit BMP, bottom row first.
std::string Bmp(const media::Image& image) {
  const std::uint32_t row_bytes = (3 * image.width() + 3) / 4 * 4;
  const std::uint32_t pixel_bytes = row_bytes * image.height();
  std::string out = "BM";
  PutLittleEndian(out, 54 + pixel_bytes, 4);
  PutLittleEndian(out, 0, 4);
  PutLittleEndian(out, 54, 4);  // Pixels start after both headers.
  PutLittleEndian(out, 40, 4);  // BITMAPINFOHEADER.
  PutLittleEndian(out, image.width(), 4);
  PutLittleEndian(out, image.height(), 4);
  PutLittleEndian(out, 1, 2);   // Planes.
  PutLittleEndian(out, 24, 2);  // Bits per pixel.
  PutLittleEndian(out, 0, 4);   // Uncompressed.
  PutLittleEndian(out, pixel_bytes, 4);
  PutLittleEndian(out, 2835, 4);  // 72 dpi.
  PutLittleEndian(out, 2835, 4);
  PutLittleEndian(out, 0, 4);
  PutLittleEndian(out, 0, 4);
  for (int y = image.height() - 1; y >= 0; --y) {
    const std::uint8_t* row = image.row(y);
    std::string line(row_bytes, '\0');
    for (int x = 0; x < image.width(); ++x) {
      line[3 * x] = static_cast<char>(row[3 * x + 2]);  // B, G, R.
      line[3 * x + 1] = static_cast<char>(row[3 * x + 1]);
      line[3 * x + 2] = static_cast<char>(row[3 * x]);
    }
    out += line;
  }
  return out;
}

class EvalCliTest : public testing::CliTest {
 protected:
  // dir_/corpus: four pictures, a manifest and a JPEG that does not decode.
  fs::path MakeCorpus() {
    for (int i = 1; i <= 4; ++i) {
      Write("corpus/picture-" + std::to_string(i) + ".bmp",
            Bmp(testing::TexturedPicture(50 + static_cast<std::uint64_t>(i))));
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
