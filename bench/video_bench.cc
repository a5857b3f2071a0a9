// Video hashing (vPDQ) on one thread: how many times faster than real time,
// and how well copies of a clip still match it.
//
//   rempart_video_bench --clips DIR [--out FILE.json] [--repeat N]
//                       [--only speed|match]
//
// DIR is what bench/video/make_clips.sh makes (scripts/bench.sh video runs
// both, pinned to one core):
//
//   speed/*.mp4  Each clip is hashed `repeat` times (default 3) in exact and
//                in fast mode, one frame per second at the clip's own size,
//                and the median wall time of VideoHasher::Hash — decoding,
//                PDQ of the delivered frames, MD5 and SHA-256 of the file —
//                gives × real time = clip duration / hash time. Each run
//                is followed by one of DecodeVideo alone, to split the time
//                between decoding and hashing.
//   originals/NAME.mp4 and variants/NAME/KIND.*
//                Every clip is hashed once per mode; each variant is
//                compared with its original in both directions at the
//                default thresholds (distance ≤ 31, quality ≥ 50, query
//                ≥ 80 %, target ≥ 0 %), and so is every pair of distinct
//                originals (unrelated videos). Modes: both sides exact, both
//                fast, and the variant fast against the original exact (a
//                platform hashing uploads fast against an exact bank).
//
// Prints tables to stdout and writes everything, per-frame distance
// distributions included, as JSON (default build/bench/video_bench.json)
// for bench/video_plot.py and docs/PERFORMANCE.md.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "rempart/hash/video_signals.h"
#include "rempart/hash/vpdq.h"
#include "rempart/media/video.h"

namespace {

namespace fs = std::filesystem;
using rempart::hash::VideoHasher;
using rempart::hash::VideoSignals;
using rempart::hash::VpdqComparison;
using rempart::hash::VpdqFrame;
using rempart::media::VideoDecodeOptions;
using rempart::media::VideoSource;
using rempart::media::VideoSpeed;
using Json = nlohmann::ordered_json;

// Variants in the order tables list them, with what each one is.
constexpr std::pair<const char*, const char*> kKinds[] = {
    {"reencode-crf32", "H.264 CRF 32, preset veryfast"},
    {"vp9", "VP9 WebM, CRF 33"},
    {"downscale", "640 px wide (half size if no wider)"},
    {"upscale-2x", "2x up"},
    {"trim-middle", "the middle 50 %"},
    {"trim-middle-whole-s", "the middle 50 %, cut on a whole second"},
    {"trim-first-10s", "the first 10 s"},
    {"watermark", "caption + translucent box"},
    {"crop-10", "10 % cropped off each border"},
    {"mirror", "horizontally mirrored"},
    {"fps-4-5", "frame rate x 4/5 (30 -> 24 fps)"},
};

std::string Describe(const std::string& kind) {
  for (const auto& [name, description] : kKinds) {
    if (kind == name) return description;
  }
  return kind;
}

std::vector<fs::path> ListFiles(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir, error)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() &&
        name.find(".partial.") == std::string::npos) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

VideoDecodeOptions Options(VideoSpeed speed) {
  VideoDecodeOptions options;
  options.speed = speed;
  return options;
}

const char* SpeedName(VideoSpeed speed) {
  return speed == VideoSpeed::kExact ? "exact" : "fast";
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

int Percentile(std::vector<int> sorted, double p) {
  if (sorted.empty()) return -1;
  std::sort(sorted.begin(), sorted.end());
  const auto last = static_cast<double>(sorted.size() - 1);
  return sorted[static_cast<std::size_t>(std::lround(p * last))];
}

// Hashes `path`, timing the call; exits on error (a benchmark clip that does
// not hash is a broken setup).
struct Timed {
  VideoSignals signals;
  double seconds = 0;      // Wall clock.
  double cpu_seconds = 0;  // The process's CPU time (all threads).
};

double CpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) +
         1e-9 * static_cast<double>(now.tv_nsec);
}

Timed HashTimed(VideoHasher& hasher, const fs::path& path, VideoSpeed speed) {
  const double cpu_start = CpuSeconds();
  const auto start = std::chrono::steady_clock::now();
  auto signals =
      hasher.Hash(VideoSource::File(path.string()), Options(speed), {});
  const auto stop = std::chrono::steady_clock::now();
  const double cpu_seconds = CpuSeconds() - cpu_start;
  if (!signals) {
    std::fprintf(stderr, "%s (%s): %s\n", path.c_str(), SpeedName(speed),
                 signals.error().ToString().c_str());
    std::exit(1);
  }
  return {*std::move(signals),
          std::chrono::duration<double>(stop - start).count(), cpu_seconds};
}

// Decoding alone (the frames are delivered and dropped): wall seconds.
double DecodeSeconds(const fs::path& path, VideoSpeed speed) {
  const auto start = std::chrono::steady_clock::now();
  const rempart::Status status = rempart::media::DecodeVideo(
      VideoSource::File(path.string()), Options(speed),
      [](const rempart::media::VideoFrame&) { return rempart::OkStatus(); });
  const auto stop = std::chrono::steady_clock::now();
  if (!status.ok()) {
    std::fprintf(stderr, "%s (%s): %s\n", path.c_str(), SpeedName(speed),
                 status.ToString().c_str());
    std::exit(1);
  }
  return std::chrono::duration<double>(stop - start).count();
}

Json ReportJson(const rempart::media::VideoReport& report) {
  return {{"frames_decoded", report.frames_decoded},
          {"frames_delivered", report.frames_delivered},
          {"packets_read", report.packets_read},
          {"packets_skipped", report.packets_skipped},
          {"decode_errors", report.decode_errors},
          {"problem", report.problem}};
}

// How the fast frames of a clip line up with its exact frames: whether
// they carry the same frame numbers, and the PDQ distance between frames
// with the same number.
Json FastAgainstExact(const std::vector<VpdqFrame>& fast,
                      const std::vector<VpdqFrame>& exact) {
  std::map<std::int64_t, const VpdqFrame*> by_number;
  for (const VpdqFrame& frame : exact) by_number[frame.frame_number] = &frame;
  std::vector<int> distances;
  std::size_t unmatched_numbers = 0;
  for (const VpdqFrame& frame : fast) {
    const auto found = by_number.find(frame.frame_number);
    if (found == by_number.end()) {
      ++unmatched_numbers;
      continue;
    }
    distances.push_back(
        rempart::hash::Distance(frame.hash, found->second->hash));
  }
  return {{"same_frame_numbers",
           unmatched_numbers == 0 && fast.size() == exact.size()},
          {"fast_frames_not_in_exact", unmatched_numbers},
          {"distance_p50", Percentile(distances, 0.5)},
          {"distance_p90", Percentile(distances, 0.9)},
          {"distance_max", Percentile(distances, 1.0)}};
}

Json RunSpeed(const fs::path& dir, int repeat) {
  Json rows = Json::array();
  VideoHasher hasher;
  std::printf(
      "\nSpeed: one thread, one frame per second, native size; median of %d "
      "runs (wall clock; cpu = CPU time of the same runs; decode = wall "
      "seconds of DecodeVideo alone)\n",
      repeat);
  std::printf("%-10s %-5s %9s %5s %6s %7s %7s %7s %7s %8s %8s %6s %s\n", "clip",
              "mode", "size", "fps", "kbit/s", "wall_s", "x_real", "cpu_s",
              "x_cpu", "decoded", "skipped", "frames", "fast~exact");
  for (const fs::path& path : ListFiles(dir / "speed")) {
    std::vector<VpdqFrame> exact_frames;
    for (VideoSpeed speed : {VideoSpeed::kExact, VideoSpeed::kFast}) {
      std::vector<double> seconds;
      std::vector<double> cpu_seconds;
      std::vector<double> decode_seconds;
      Timed last;
      for (int run = 0; run < repeat; ++run) {
        last = HashTimed(hasher, path, speed);
        seconds.push_back(last.seconds);
        cpu_seconds.push_back(last.cpu_seconds);
        decode_seconds.push_back(DecodeSeconds(path, speed));
      }
      const double decode_median = Median(decode_seconds);
      const auto& info = last.signals.report.info;
      const double duration = info.duration_seconds;
      const double median = Median(seconds);
      const double cpu_median = Median(cpu_seconds);
      const auto bytes = static_cast<double>(fs::file_size(path));
      const double kbits = duration > 0 ? bytes * 8 / duration / 1000 : 0;
      const auto& report = last.signals.report;
      Json row = {{"clip", path.stem().string()},
                  {"mode", SpeedName(speed)},
                  {"codec", info.codec},
                  {"width", info.width},
                  {"height", info.height},
                  {"fps", info.fps},
                  {"duration_seconds", duration},
                  {"kbit_per_second", kbits},
                  {"seconds", seconds},
                  {"cpu_seconds", cpu_seconds},
                  {"median_seconds", median},
                  {"median_cpu_seconds", cpu_median},
                  {"decode_seconds", decode_seconds},
                  {"median_decode_seconds", decode_median},
                  {"times_real_time", duration / median},
                  {"times_real_time_cpu", duration / cpu_median},
                  {"frames", last.signals.frames.size()},
                  {"report", ReportJson(report)}};
      std::string agreement;
      if (speed == VideoSpeed::kExact) {
        exact_frames = last.signals.frames;
      } else {
        row["fast_vs_exact"] =
            FastAgainstExact(last.signals.frames, exact_frames);
        const Json& check = row["fast_vs_exact"];
        agreement = (check["same_frame_numbers"].get<bool>()
                         ? std::string("same frames, ")
                         : "frame numbers differ, ") +
                    "distance p50 " +
                    std::to_string(check["distance_p50"].get<int>()) + " max " +
                    std::to_string(check["distance_max"].get<int>());
      }
      std::printf(
          "%-10s %-5s %4dx%-4d %5.1f %6.0f %7.2f %7.1f %7.2f %7.1f %7.2f "
          "%8lld %8lld %6zu %s\n",
          path.stem().c_str(), SpeedName(speed), info.width, info.height,
          info.fps, kbits, median, duration / median, cpu_median,
          duration / cpu_median, decode_median,
          static_cast<long long>(report.frames_decoded),
          static_cast<long long>(report.packets_skipped),
          last.signals.frames.size(), agreement.c_str());
      rows.push_back(std::move(row));
      std::fflush(stdout);
    }
  }
  return rows;
}

// For every usable frame of `query`, the distance to the nearest usable
// frame of `target` (the number CompareVpdq thresholds).
std::vector<int> NearestDistances(const std::vector<VpdqFrame>& query,
                                  const std::vector<VpdqFrame>& target) {
  const rempart::hash::VpdqMatchOptions defaults;
  std::vector<int> nearest;
  for (const VpdqFrame& q : query) {
    if (q.quality < defaults.quality_threshold) continue;
    int best = 257;
    for (const VpdqFrame& t : target) {
      if (t.quality < defaults.quality_threshold) continue;
      best = std::min(best, rempart::hash::Distance(q.hash, t.hash));
    }
    if (best <= 256) nearest.push_back(best);
  }
  return nearest;
}

struct Hashes {
  std::vector<VpdqFrame> exact;
  std::vector<VpdqFrame> fast;
  double duration = 0;
  [[nodiscard]] const std::vector<VpdqFrame>& Of(VideoSpeed speed) const {
    return speed == VideoSpeed::kExact ? exact : fast;
  }
};

Hashes HashBoth(VideoHasher& hasher, const fs::path& path) {
  Hashes hashes;
  Timed exact = HashTimed(hasher, path, VideoSpeed::kExact);
  hashes.exact = std::move(exact.signals.frames);
  hashes.duration = exact.signals.report.info.duration_seconds;
  hashes.fast = HashTimed(hasher, path, VideoSpeed::kFast).signals.frames;
  return hashes;
}

// One comparison of `query` (e.g. a variant) against `target` (its
// original): both percentages, the default match in each direction, and
// the nearest-frame distances of the query's frames.
Json Compare(const std::vector<VpdqFrame>& query,
             const std::vector<VpdqFrame>& target) {
  const VpdqComparison forward = rempart::hash::CompareVpdq(query, target);
  const VpdqComparison backward = rempart::hash::CompareVpdq(target, query);
  const std::vector<int> nearest = NearestDistances(query, target);
  return {{"query_frames", query.size()},
          {"target_frames", target.size()},
          {"query_usable", forward.query_usable},
          {"target_usable", forward.target_usable},
          {"query_percent", forward.query_percent},
          {"target_percent", forward.target_percent},
          {"match", forward.match},
          {"match_reverse", backward.match},
          {"nearest_p50", Percentile(nearest, 0.5)},
          {"nearest_p90", Percentile(nearest, 0.9)},
          {"nearest_max", Percentile(nearest, 1.0)},
          {"nearest", nearest}};
}

struct Mode {
  const char* name;
  VideoSpeed query;
  VideoSpeed target;
};
constexpr Mode kModes[] = {
    {"exact", VideoSpeed::kExact, VideoSpeed::kExact},
    {"fast", VideoSpeed::kFast, VideoSpeed::kFast},
    {"fast-vs-exact", VideoSpeed::kFast, VideoSpeed::kExact},
};

Json RunMatch(const fs::path& dir) {
  VideoHasher hasher;
  std::map<std::string, Hashes> originals;
  for (const fs::path& path : ListFiles(dir / "originals")) {
    std::fprintf(stderr, "hashing %s\n", path.c_str());
    originals[path.stem().string()] = HashBoth(hasher, path);
  }
  Json result = {{"originals", Json::array()},
                 {"variants", Json::array()},
                 {"unrelated", Json::array()}};
  for (const auto& [name, hashes] : originals) {
    result["originals"].push_back(
        {{"name", name},
         {"duration_seconds", hashes.duration},
         {"frames", hashes.exact.size()},
         {"fast_vs_exact", Compare(hashes.fast, hashes.exact)}});
  }
  // Variants: kinds in kKinds' order, then any others by name.
  std::vector<std::string> kinds;
  for (const auto& [kind, _] : kKinds) kinds.emplace_back(kind);
  std::map<std::string, std::map<std::string, fs::path>> variants;
  for (const auto& [name, _] : originals) {
    for (const fs::path& path : ListFiles(dir / "variants" / name)) {
      const std::string kind = path.stem().string();
      variants[kind][name] = path;
      if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) {
        kinds.push_back(kind);
      }
    }
  }
  std::printf(
      "\nRobustness: variant as query against its original, default "
      "thresholds\n(matched: query %% >= 80; q%% = variant frames found in "
      "the original, t%% = original frames found in the variant; nearest: "
      "distance from each usable variant frame to the closest original "
      "frame)\n");
  std::printf("%-19s %-13s %8s %7s %7s %7s %7s %8s\n", "variant", "mode",
              "matched", "min_q%", "med_q%", "med_t%", "rev", "near50/90");
  for (const std::string& kind : kinds) {
    if (variants[kind].empty()) continue;
    std::map<std::string, Hashes> hashed;
    for (const auto& [name, path] : variants[kind]) {
      std::fprintf(stderr, "hashing %s\n", path.c_str());
      hashed[name] = HashBoth(hasher, path);
    }
    for (const Mode& mode : kModes) {
      int matched = 0;
      int reverse = 0;
      std::vector<double> query_percents;
      std::vector<double> target_percents;
      std::vector<int> nearest;
      for (const auto& [name, hashes] : hashed) {
        Json row =
            Compare(hashes.Of(mode.query), originals[name].Of(mode.target));
        matched += row["match"].get<bool>() ? 1 : 0;
        reverse += row["match_reverse"].get<bool>() ? 1 : 0;
        query_percents.push_back(row["query_percent"].get<double>());
        target_percents.push_back(row["target_percent"].get<double>());
        for (const Json& distance : row["nearest"]) {
          nearest.push_back(distance.get<int>());
        }
        row["original"] = name;
        row["variant"] = kind;
        row["description"] = Describe(kind);
        row["mode"] = mode.name;
        result["variants"].push_back(std::move(row));
      }
      std::printf(
          "%-19s %-13s %4d/%-3zu %7.1f %7.1f %7.1f %3d/%-3zu %4d/%d\n",
          kind.c_str(), mode.name, matched, hashed.size(),
          *std::min_element(query_percents.begin(), query_percents.end()),
          Median(query_percents), Median(target_percents), reverse,
          hashed.size(), Percentile(nearest, 0.5), Percentile(nearest, 0.9));
      std::fflush(stdout);
    }
  }
  std::printf("\nUnrelated: every pair of distinct originals\n");
  std::printf("%-13s %7s %8s %8s %10s\n", "mode", "pairs", "matched", "max_q%",
              "nearest");
  for (const Mode& mode : kModes) {
    int pairs = 0;
    int matched = 0;
    double max_percent = 0;
    int closest = 256;
    for (const auto& [a, a_hashes] : originals) {
      for (const auto& [b, b_hashes] : originals) {
        if (a == b) continue;
        // Unordered pairs for exact and fast (each comparison is already
        // both ways); ordered ones when the two sides hash differently.
        if (mode.query == mode.target && b < a) continue;
        Json row = Compare(a_hashes.Of(mode.query), b_hashes.Of(mode.target));
        ++pairs;
        const bool either =
            row["match"].get<bool>() || row["match_reverse"].get<bool>();
        matched += either ? 1 : 0;
        max_percent = std::max({max_percent, row["query_percent"].get<double>(),
                                row["target_percent"].get<double>()});
        const int nearest =
            Percentile(row["nearest"].get<std::vector<int>>(), 0);
        if (nearest >= 0) closest = std::min(closest, nearest);
        row["a"] = a;
        row["b"] = b;
        row["mode"] = mode.name;
        row["match_either"] = either;
        result["unrelated"].push_back(std::move(row));
      }
    }
    std::printf("%-13s %7d %8d %8.1f %10d\n", mode.name, pairs, matched,
                max_percent, closest);
  }
  std::printf("\nFast mode against exact mode, same clip\n");
  std::printf("%-12s %7s %7s %7s %9s\n", "original", "frames", "q%", "t%",
              "near50/90/max");
  for (const Json& row : result["originals"]) {
    const Json& compared = row["fast_vs_exact"];
    std::printf("%-12s %7zu %7.1f %7.1f %4d/%d/%d\n",
                row["name"].get<std::string>().c_str(),
                row["frames"].get<std::size_t>(),
                compared["query_percent"].get<double>(),
                compared["target_percent"].get<double>(),
                compared["nearest_p50"].get<int>(),
                compared["nearest_p90"].get<int>(),
                compared["nearest_max"].get<int>());
  }
  return result;
}

}  // namespace

namespace {

int Run(int argc, char** argv) {
  fs::path clips;
  fs::path out = "build/bench/video_bench.json";
  int repeat = 3;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (std::strcmp(argv[i], "--clips") == 0 && has_value) {
      clips = argv[++i];
    } else if (std::strcmp(argv[i], "--out") == 0 && has_value) {
      out = argv[++i];
    } else if (std::strcmp(argv[i], "--repeat") == 0 && has_value) {
      repeat = std::max(1, std::atoi(argv[++i]));
    } else if (std::strcmp(argv[i], "--only") == 0 && has_value) {
      only = argv[++i];
    } else {
      clips.clear();
      break;
    }
  }
  if (clips.empty() || (only != "" && only != "speed" && only != "match")) {
    std::fprintf(stderr,
                 "usage: %s --clips DIR [--out FILE.json] [--repeat N] "
                 "[--only speed|match]\n(DIR from bench/video/make_clips.sh)\n",
                 argv[0]);
    return 2;
  }
  Json result = {{"repeat", repeat}};
  if (only != "match") result["speed"] = RunSpeed(clips, repeat);
  if (only != "speed") result["match"] = RunMatch(clips);
  if (out.has_parent_path()) fs::create_directories(out.parent_path());
  std::ofstream file(out);
  file << result.dump(1) << "\n";
  if (!file) {
    std::fprintf(stderr, "cannot write %s\n", out.c_str());
    return 1;
  }
  std::fprintf(stderr, "wrote %s\n", out.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {  // A clip or file went away: say so.
    std::fprintf(stderr, "video_bench: %s\n", e.what());
    return 1;
  }
}
