// How far fast mode's PDQ lands from exact mode's on real photos: the
// Hamming distance distribution (median, p99, max, share within 4 bits) and,
// with --svg FILE, a histogram for docs/PERFORMANCE.md.
//
//   rempart_fast_vs_exact [--svg FILE]      photos from REMPART_BENCH_PHOTOS
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "bench/photo_set.h"
#include "rempart/hash/image_signals.h"
#include "rempart/media/decode.h"

namespace {

void WriteHistogramSvg(const std::string& path,
                       const std::vector<int>& distances) {
  const int max_distance =
      std::max(8, *std::max_element(distances.begin(), distances.end()));
  std::vector<int> counts(max_distance + 1, 0);
  for (int distance : distances) ++counts[distance];
  const int tallest = *std::max_element(counts.begin(), counts.end());
  const int width = 640;
  const int height = 320;
  const int left = 50;
  const int bottom = 40;
  const double bar =
      static_cast<double>(width - left - 20) / (max_distance + 1);
  std::ofstream svg(path);
  svg << "<svg xmlns='http://www.w3.org/2000/svg' width='" << width
      << "' height='" << height
      << "' font-family='sans-serif' font-size='12'>\n"
      << "<rect width='100%' height='100%' fill='white'/>\n"
      << "<text x='" << width / 2
      << "' y='18' text-anchor='middle'>PDQ distance, fast vs exact mode ("
      << distances.size() << " photos)</text>\n";
  for (int d = 0; d <= max_distance; ++d) {
    const double h = tallest == 0 ? 0
                                  : (height - bottom - 40) * counts[d] /
                                        static_cast<double>(tallest);
    const double x = left + d * bar;
    svg << "<rect x='" << x + 1 << "' y='" << height - bottom - h << "' width='"
        << bar - 2 << "' height='" << h << "' fill='"
        << (d <= 4 ? "#2a7" : "#c44") << "'/>\n";
    svg << "<text x='" << x + bar / 2 << "' y='" << height - bottom + 15
        << "' text-anchor='middle'>" << d << "</text>\n";
    if (counts[d] > 0) {
      svg << "<text x='" << x + bar / 2 << "' y='" << height - bottom - h - 4
          << "' text-anchor='middle'>" << counts[d] << "</text>\n";
    }
  }
  svg << "<text x='" << width / 2 << "' y='" << height - 8
      << "' text-anchor='middle'>Hamming distance (bits; green: within the "
         "4-bit target)</text>\n"
      << "</svg>\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::string svg_path;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--svg") == 0 && i + 1 < argc) {
      svg_path = argv[++i];
    } else {
      std::fprintf(stderr, "usage: %s [--svg FILE]\n", argv[0]);
      return 2;
    }
  }
  const auto& photos = rempart::bench::Photos();
  if (photos.empty()) {
    std::fprintf(
        stderr,
        "no photos: run scripts/bench.sh or set REMPART_BENCH_PHOTOS\n");
    return 1;
  }
  rempart::hash::ImageHasher hasher;
  rempart::hash::ImageHashOptions exact;
  rempart::hash::ImageHashOptions fast;
  fast.speed = rempart::hash::Speed::kFast;
  // Fast mode, and for comparison the DCT-scaled decodes fast mode rejected.
  std::vector<int> distances;
  std::vector<int> scaled_512;
  std::vector<int> scaled_256;
  rempart::hash::PdqHasher pdq;
  auto scaled_distance = [&pdq](const rempart::bench::Photo& photo,
                                const rempart::hash::PdqHash& exact_hash,
                                int side) {
    rempart::media::DecodeOptions options;
    options.min_side_for_scaling = side;
    auto decoded = rempart::media::DecodeImage(photo.bytes, options);
    if (!decoded) return 256;
    auto result = pdq.Hash(decoded->image.view());
    return result ? rempart::hash::Distance(exact_hash, result->hash) : 256;
  };
  for (const auto& photo : photos) {
    auto a = hasher.Hash(photo.bytes, exact);
    auto b = hasher.Hash(photo.bytes, fast);
    if (!a || !b) {
      std::fprintf(stderr, "%s: cannot hash\n", photo.path.c_str());
      continue;
    }
    distances.push_back(rempart::hash::Distance(a->pdq.hash, b->pdq.hash));
    scaled_512.push_back(scaled_distance(photo, a->pdq.hash, 512));
    scaled_256.push_back(scaled_distance(photo, a->pdq.hash, 256));
  }
  if (distances.empty()) return 1;
  std::printf("variant\tphotos\tmedian\tp90\tp99\tmax\twithin_4_bits\n");
  auto report = [](const char* name, std::vector<int> sorted) {
    std::sort(sorted.begin(), sorted.end());
    auto percentile = [&sorted](double p) {
      const auto last = static_cast<double>(sorted.size() - 1);
      return sorted[static_cast<std::size_t>(std::llround(p * last))];
    };
    const auto within = std::count_if(sorted.begin(), sorted.end(),
                                      [](int d) { return d <= 4; });
    std::printf("%s\t%zu\t%d\t%d\t%d\t%d\t%.1f%%\n", name, sorted.size(),
                percentile(0.5), percentile(0.9), percentile(0.99),
                sorted.back(),
                100.0 * static_cast<double>(within) /
                    static_cast<double>(sorted.size()));
  };
  report("fast", distances);
  report("dct_scaled_min_side_512", scaled_512);
  report("dct_scaled_min_side_256", scaled_256);
  if (!svg_path.empty()) WriteHistogramSvg(svg_path, distances);
  return 0;
}
