#include "cli/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

namespace rempart::cli {
namespace {

std::string FormatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  const auto total = std::llround(seconds);
  char text[32];
  if (total >= 3600) {
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", total / 3600,
                  (total / 60) % 60, total % 60);
  } else {
    std::snprintf(text, sizeof text, "%lld:%02lld", total / 60, total % 60);
  }
  return text;
}

}  // namespace

bool IsTerminal(std::FILE* stream) { return ::isatty(::fileno(stream)) == 1; }

ProgressBar::ProgressBar(std::string label, std::uint64_t total, bool enabled)
    : label_(std::move(label)),
      total_(total),
      enabled_(enabled && IsTerminal(stderr)),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_ - std::chrono::seconds(1)) {}

ProgressBar::~ProgressBar() { Finish(); }

std::string ProgressBar::Render(const std::string& label, std::uint64_t done,
                                std::uint64_t total,
                                std::chrono::duration<double> elapsed,
                                int width) {
  const double fraction = total == 0
                              ? 1.0
                              : std::min(1.0, static_cast<double>(done) /
                                                  static_cast<double>(total));
  const int filled = static_cast<int>(fraction * width);
  std::string bar(filled, '#');
  bar.append(width - filled, '.');
  const double seconds = elapsed.count();
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0.0;
  const double eta =
      rate > 0 ? static_cast<double>(total - std::min(done, total)) / rate
               : NAN;
  char text[256];
  std::snprintf(
      text, sizeof text, "%s [%s] %llu/%llu %3d%% %8.1f/s ETA %s",
      label.c_str(), bar.c_str(), static_cast<unsigned long long>(done),
      static_cast<unsigned long long>(total), static_cast<int>(fraction * 100),
      rate, done >= total ? "0:00" : FormatDuration(eta).c_str());
  return text;
}

void ProgressBar::Update(std::uint64_t done) {
  done_ = done;
  Draw(false);
}

void ProgressBar::Finish() {
  if (!enabled_ || finished_) return;
  Draw(true);
  std::fputc('\n', stderr);
  finished_ = true;
}

void ProgressBar::Draw(bool force) {
  if (!enabled_ || finished_) return;
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  const std::string line = Render(label_, done_, total_, now - start_, 30);
  std::fprintf(stderr, "\r%s\x1b[K", line.c_str());
  std::fflush(stderr);
}

}  // namespace rempart::cli
