// The photos benchmarks run over: every JPEG/PNG under a folder (default
// bench/photos, filled by scripts/bench.sh from Debian wallpaper packages;
// override with REMPART_BENCH_PHOTOS), read into memory once.
#ifndef REMPART_BENCH_PHOTO_SET_H_
#define REMPART_BENCH_PHOTO_SET_H_

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "rempart/core/file.h"

namespace rempart::bench {

struct Photo {
  std::string path;
  std::vector<std::uint8_t> bytes;
};

inline const std::vector<Photo>& Photos() {
  static const std::vector<Photo> photos = [] {
    const char* env = std::getenv("REMPART_BENCH_PHOTOS");
    const std::filesystem::path dir = env != nullptr ? env : "bench/photos";
    std::vector<std::string> paths;
    std::error_code error;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, error);
         !error && it != std::filesystem::recursive_directory_iterator();
         it.increment(error)) {
      if (it->is_regular_file()) paths.push_back(it->path().string());
    }
    std::sort(paths.begin(), paths.end());
    std::vector<Photo> loaded;
    for (const std::string& path : paths) {
      auto bytes = ReadFileBytes(path, 1ull << 30);
      if (bytes) loaded.push_back({path, *std::move(bytes)});
    }
    return loaded;
  }();
  return photos;
}

}  // namespace rempart::bench

#endif  // REMPART_BENCH_PHOTO_SET_H_
