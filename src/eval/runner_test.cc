// Tests of the evaluation run on a small corpus folder made for the test:
// four synthetic PNGs, a manifest and a JPEG that does not decode.
#include "rempart/eval/runner.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <string>
#include <vector>

#include "tests/support/textured_picture.h"

namespace rempart::eval {
namespace {

namespace fs = std::filesystem;

enum Matcher : std::uint8_t { kPdq, kPdqDihedral, kPdqConfirmed, kRobust };

// A fresh folder under the system's temporary folder, removed with it.
class TemporaryFolder {
 public:
  explicit TemporaryFolder(const std::string& name)
      : path_(fs::temp_directory_path() /
              ("rempart_runner_test_" + std::to_string(::getpid()) + "_" +
               name)) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TemporaryFolder() {
    std::error_code error;
    fs::remove_all(path_, error);
  }
  TemporaryFolder(const TemporaryFolder&) = delete;
  TemporaryFolder& operator=(const TemporaryFolder&) = delete;
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void WriteText(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

void WritePng(const fs::path& path, const media::Image& image) {
  // R = G = B, so OpenCV's BGR order does not matter.
  const cv::Mat mat(image.height(), image.width(), CV_8UC3,
                    const_cast<std::uint8_t*>(image.pixels().data()));
  ASSERT_TRUE(cv::imwrite(path.string(), mat)) << path;
}

// picture-1.png … picture-N.png, MANIFEST.tsv and broken.jpg.
void MakeCorpus(const fs::path& folder, int pictures) {
  for (int i = 1; i <= pictures; ++i) {
    WritePng(folder / ("picture-" + std::to_string(i) + ".png"),
             testing::TexturedPicture(30 + static_cast<std::uint64_t>(i)));
  }
  WriteText(folder / "MANIFEST.tsv", "file\tsource\npicture-1.png\ttest\n");
  // A JPEG start, then nothing a decoder can use.
  WriteText(folder / "broken.jpg",
            std::string("\xff\xd8\xff\xe0\x00\x10JFIF\x00", 11) +
                std::string(200, '\x42'));
}

std::int64_t Sum(const std::vector<std::int64_t>& histogram) {
  return std::accumulate(histogram.begin(), histogram.end(), std::int64_t{0});
}

class RunEvalTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    corpus_ = new TemporaryFolder("corpus");
    MakeCorpus(corpus_->path(), 4);
    EvalOptions options;
    options.corpus = corpus_->path();
    options.transforms = {"mirror", "crop-10"};
    options.limit = 0;
    options.threads = 2;
    options.seed = 5;
    options.progress = [](std::uint64_t done, std::uint64_t total) {
      EXPECT_LE(done, total);
      last_progress_ = {done, total};
    };
    auto report = RunEval(options);
    ASSERT_TRUE(report) << report.error().message();
    report_ = new EvalReport(std::move(*report));
  }
  static void TearDownTestSuite() {
    delete report_;
    report_ = nullptr;
    delete corpus_;
    corpus_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(report_, nullptr); }

  static TemporaryFolder* corpus_;
  static EvalReport* report_;
  static std::pair<std::uint64_t, std::uint64_t> last_progress_;
};

TemporaryFolder* RunEvalTest::corpus_ = nullptr;
EvalReport* RunEvalTest::report_ = nullptr;
std::pair<std::uint64_t, std::uint64_t> RunEvalTest::last_progress_;

TEST_F(RunEvalTest, CountsPicturesAndNamesTheSkippedOne) {
  EXPECT_EQ(report_->images, 4);
  EXPECT_EQ(report_->skipped, 1);
  ASSERT_EQ(report_->skipped_files.size(), 1u);
  EXPECT_EQ(report_->skipped_files[0].rfind("broken.jpg: ", 0), 0u)
      << report_->skipped_files[0];
  EXPECT_EQ(report_->corpus, corpus_->path().string());
  EXPECT_EQ(report_->seed, 5u);
  EXPECT_EQ(report_->working_side, 1024);
  EXPECT_EQ(report_->threads, 2);
  EXPECT_GT(report_->seconds, 0);
  // The progress callback ended on everything done.
  EXPECT_EQ(last_progress_.first, last_progress_.second);
  EXPECT_GT(last_progress_.second, 0u);
}

TEST_F(RunEvalTest, ListsTheMatchersAndTheTransformsInOrder) {
  ASSERT_EQ(report_->matchers.size(), 4u);
  EXPECT_EQ(report_->matchers[kPdq].name, "pdq");
  EXPECT_EQ(report_->matchers[kPdqDihedral].name, "pdq-dihedral");
  EXPECT_EQ(report_->matchers[kPdqConfirmed].name, "pdq-confirmed");
  EXPECT_EQ(report_->matchers[kRobust].name, "robust");
  ASSERT_EQ(report_->transforms.size(), 3u);
  EXPECT_EQ(report_->transforms[0].name, "original");
  EXPECT_EQ(report_->transforms[1].name, "mirror");
  EXPECT_EQ(report_->transforms[2].name, "crop-10");
  for (const TransformOutcome& transform : report_->transforms) {
    EXPECT_FALSE(transform.description.empty()) << transform.name;
    EXPECT_EQ(transform.by_matcher.size(), report_->matchers.size());
  }
}

TEST_F(RunEvalTest, EveryMatcherFindsEveryOriginal) {
  const auto& original = report_->transforms[0];
  for (std::size_t m = 0; m < original.by_matcher.size(); ++m) {
    EXPECT_EQ(original.by_matcher[m].queries, 4) << report_->matchers[m].name;
    EXPECT_EQ(original.by_matcher[m].found, 4) << report_->matchers[m].name;
    EXPECT_EQ(original.by_matcher[m].false_matches, 0)
        << report_->matchers[m].name;
    EXPECT_DOUBLE_EQ(Recall(*report_, 0, static_cast<int>(m)), 1.0);
    // An original is its own bank entry: PDQ distance 0.
    if (m != kRobust) {
      EXPECT_EQ(original.by_matcher[m].source_scores[0], 4)
          << report_->matchers[m].name;
    }
  }
}

TEST_F(RunEvalTest, EveryQueryMeetsEveryOtherOriginal) {
  for (const TransformOutcome& transform : report_->transforms) {
    for (std::size_t m = 0; m < transform.by_matcher.size(); ++m) {
      SCOPED_TRACE(transform.name + ", " + report_->matchers[m].name);
      const Outcome& outcome = transform.by_matcher[m];
      EXPECT_EQ(outcome.queries, 4);
      EXPECT_EQ(outcome.pairs, 4 * 3);
      EXPECT_LE(outcome.found, outcome.queries);
      EXPECT_LE(outcome.false_matches, outcome.pairs);
      const std::size_t bins =
          static_cast<std::size_t>(report_->matchers[m].max_score) + 1;
      ASSERT_EQ(outcome.source_scores.size(), bins);
      ASSERT_EQ(outcome.other_scores.size(), bins);
      EXPECT_EQ(Sum(outcome.source_scores), outcome.queries);
      EXPECT_EQ(Sum(outcome.other_scores), outcome.pairs);
      // found and false_matches are the histograms up to the threshold.
      const int threshold = report_->matchers[m].threshold;
      EXPECT_EQ(std::accumulate(outcome.source_scores.begin(),
                                outcome.source_scores.begin() + threshold + 1,
                                std::int64_t{0}),
                outcome.found);
      EXPECT_EQ(std::accumulate(outcome.other_scores.begin(),
                                outcome.other_scores.begin() + threshold + 1,
                                std::int64_t{0}),
                outcome.false_matches);
      EXPECT_GE(outcome.seconds, 0);
    }
  }
}

TEST_F(RunEvalTest, MirrorsNeedTheDihedralVariants) {
  const auto& mirror = report_->transforms[1].by_matcher;
  EXPECT_EQ(mirror[kPdqDihedral].found, 4);
  EXPECT_EQ(mirror[kRobust].found, 4);
  // Plain PDQ of a mirror image is far from its original's.
  EXPECT_LT(mirror[kPdq].found, 4);
}

TEST_F(RunEvalTest, NamesEveryFalseMatch) {
  std::int64_t false_matches = 0;
  for (const TransformOutcome& transform : report_->transforms) {
    for (const Outcome& outcome : transform.by_matcher) {
      false_matches += outcome.false_matches;
    }
  }
  ASSERT_LE(false_matches, static_cast<std::int64_t>(kMaxFalseMatchExamples));
  EXPECT_EQ(static_cast<std::int64_t>(report_->false_match_examples.size()),
            false_matches);
  for (const FalseMatch& example : report_->false_match_examples) {
    EXPECT_NE(example.query, example.matched);
    EXPECT_EQ(example.query.rfind("picture-", 0), 0u) << example.query;
    EXPECT_EQ(example.matched.rfind("picture-", 0), 0u) << example.matched;
    EXPECT_LE(example.score, 31) << example.matcher;
  }
}

TEST_F(RunEvalTest, ForgesOnePdqCollisionPerPicture) {
  EXPECT_EQ(report_->forgeries.forged, 4);
  EXPECT_LE(report_->forgeries.pdq_matched, report_->forgeries.forged);
  EXPECT_LE(report_->forgeries.confirmed, report_->forgeries.pdq_matched);
}

TEST_F(RunEvalTest, LimitKeepsTheFirstPicturesByName) {
  EvalOptions options;
  options.corpus = corpus_->path();
  options.transforms = {"crop-10"};
  options.threads = 1;
  options.seed = 5;
  options.limit = 2;
  auto again = RunEval(options);
  ASSERT_TRUE(again) << again.error().message();
  // broken.jpg sorts before the pictures; the limit counts pictures.
  EXPECT_EQ(again->images, 2);
  EXPECT_EQ(again->skipped, 1);
  ASSERT_EQ(again->transforms.size(), 2u);
  EXPECT_EQ(again->transforms[1].name, "crop-10");
  for (const Outcome& outcome : again->transforms[1].by_matcher) {
    EXPECT_EQ(outcome.pairs, 2);
  }
}

EvalOptions Options(const fs::path& corpus) {
  EvalOptions options;
  options.corpus = corpus;
  options.transforms = {"mirror"};
  options.threads = 1;
  return options;
}

void ExpectInvalid(const EvalOptions& options, const std::string& reason) {
  auto report = RunEval(options);
  ASSERT_FALSE(report) << "accepted; expected: " << reason;
  EXPECT_EQ(report.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(report.error().message().find(reason), std::string::npos)
      << report.error().message();
}

TEST(RunEvalErrorTest, RefusesAMissingFolder) {
  const TemporaryFolder parent("missing");
  ExpectInvalid(Options(parent.path() / "nothing-here"), "is not a folder");
  // A file is not a folder either.
  WriteText(parent.path() / "file.png", "not a folder");
  ExpectInvalid(Options(parent.path() / "file.png"), "is not a folder");
}

TEST(RunEvalErrorTest, RefusesAFolderWithoutTwoPictures) {
  const TemporaryFolder empty("empty");
  ExpectInvalid(Options(empty.path()), "fewer than two decodable pictures");
  WriteText(empty.path() / "MANIFEST.tsv", "file\n");
  WriteText(empty.path() / "broken.jpg", "\xff\xd8\xff");
  ExpectInvalid(Options(empty.path()), "fewer than two decodable pictures");
  WritePng(empty.path() / "one.png", testing::TexturedPicture(40));
  ExpectInvalid(Options(empty.path()), "fewer than two decodable pictures");
}

TEST(RunEvalErrorTest, RefusesAnUnknownTransform) {
  const TemporaryFolder corpus("unknown");
  EvalOptions options = Options(corpus.path());
  options.transforms = {"mirror", "sepia"};
  ExpectInvalid(options, "unknown transform 'sepia'");
}

TEST(RunEvalErrorTest, RefusesAWorkingSideOutOfRange) {
  const TemporaryFolder corpus("side");
  for (int side : {0, 63, 4097, -1}) {
    EvalOptions options = Options(corpus.path());
    options.working_side = side;
    ExpectInvalid(options, "working side must be 64");
  }
}

}  // namespace
}  // namespace rempart::eval
