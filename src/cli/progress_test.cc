#include "cli/progress.h"

#include <gtest/gtest.h>

namespace rempart::cli {
namespace {

using std::chrono::duration;

TEST(ProgressBarTest, ShowsCountPercentRateAndEta) {
  const std::string line =
      ProgressBar::Render("hashing", 250, 1000, duration<double>(5.0), 20);
  EXPECT_EQ(line,
            "hashing [#####...............] 250/1000  25%     50.0/s ETA 0:15");
}

TEST(ProgressBarTest, FinishedShowsFullBarAndZeroEta) {
  const std::string line =
      ProgressBar::Render("hashing", 10, 10, duration<double>(2.0), 10);
  EXPECT_EQ(line, "hashing [##########] 10/10 100%      5.0/s ETA 0:00");
}

TEST(ProgressBarTest, NoRateYetHasUnknownEta) {
  const std::string line =
      ProgressBar::Render("importing", 0, 7200, duration<double>(0.0), 4);
  EXPECT_EQ(line, "importing [....] 0/7200   0%      0.0/s ETA --:--");
}

TEST(ProgressBarTest, LongJobsShowHours) {
  const std::string line =
      ProgressBar::Render("x", 1, 10000, duration<double>(1.0), 1);
  EXPECT_NE(line.find("ETA 2:46:39"), std::string::npos) << line;
}

TEST(ProgressBarTest, EmptyJobIsComplete) {
  const std::string line =
      ProgressBar::Render("x", 0, 0, duration<double>(0.0), 2);
  EXPECT_NE(line.find("[##] 0/0 100%"), std::string::npos) << line;
}

}  // namespace
}  // namespace rempart::cli
