// ProgressBar: a one-line progress display for long jobs, on a terminal.
//
// Draws "label [#####·····] 1234/5000  24%  311.2/s  ETA 0:12" on stderr,
// redrawn at most ten times a second. When stderr is not a terminal (a pipe,
// a file, CI) it draws nothing, so logs stay clean. Used from one thread.
#ifndef REMPART_CLI_PROGRESS_H_
#define REMPART_CLI_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace rempart::cli {

class ProgressBar {
 public:
  // `total` items to do; `enabled` false draws nothing (e.g. --quiet).
  ProgressBar(std::string label, std::uint64_t total, bool enabled);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Records that `done` items are finished and redraws if due.
  void Update(std::uint64_t done);
  // Draws the final state and moves to a fresh line.
  void Finish();

  // The text of the bar for `done` of `total` after `elapsed`; exposed for
  // tests. `width` is the number of cells in the bar.
  static std::string Render(const std::string& label, std::uint64_t done,
                            std::uint64_t total,
                            std::chrono::duration<double> elapsed, int width);

 private:
  void Draw(bool force);

  std::string label_;
  std::uint64_t total_;
  std::uint64_t done_ = 0;
  bool enabled_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

// True when `stream` is a terminal.
bool IsTerminal(std::FILE* stream);

}  // namespace rempart::cli

#endif  // REMPART_CLI_PROGRESS_H_
