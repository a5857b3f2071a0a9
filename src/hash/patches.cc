#include "rempart/hash/patches.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "hash/pdq_internal.h"
#include "rempart/core/hex.h"

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__EMSCRIPTEN__)
#include <immintrin.h>
#define REMPART_GATHER_AVX2 1
#endif

namespace rempart::hash {
namespace {

using internal::Buffer64;
using internal::Dct16;
using internal::kBufferSide;

// The picture is first scaled down (area average) to this longer side: the
// detector's unit. Blobs are looked for at scales from options.min_sigma up.
constexpr int kScalesPerOctave = 3;
constexpr float kBaseSigma = 1.6f;
constexpr float kAssumedBlur = 0.5f;
// A patch's side, in blob scales.
constexpr float kPatchScales = 10.0f;
// Ratio of principal curvatures above which an extremum is an edge.
constexpr float kEdgeRatio = 10.0f;

constexpr float F(int value) { return static_cast<float>(value); }

struct Plane {
  int width = 0;
  int height = 0;
  std::vector<float> pixels;
  [[nodiscard]] float at(int x, int y) const {
    return pixels[static_cast<std::size_t>(y) * width + x];
  }
};

struct Blob {
  float x = 0;  // Work pixels.
  float y = 0;
  float sigma = 0;
  float response = 0;
  int octave = 0;
};

// Area-average resampling of `src` to width × height, separably.
void ResizeArea(const Plane& src, int width, int height, Plane& dst) {
  auto weights = [](int from, int to) {
    // For each output index: (first input, per-input weights).
    std::vector<std::pair<int, std::vector<float>>> table(to);
    const double scale = static_cast<double>(from) / to;
    for (int i = 0; i < to; ++i) {
      const double begin = i * scale;
      const double end = (i + 1) * scale;
      const int first = static_cast<int>(std::floor(begin));
      const int last = std::min(from - 1, static_cast<int>(std::ceil(end)) - 1);
      std::vector<float> w;
      for (int k = first; k <= last; ++k) {
        const double overlap =
            std::min<double>(end, k + 1) - std::max<double>(begin, k);
        w.push_back(static_cast<float>(overlap / scale));
      }
      table[i] = {first, std::move(w)};
    }
    return table;
  };
  const auto columns = weights(src.width, width);
  const auto rows = weights(src.height, height);
  std::vector<float> temp(static_cast<std::size_t>(src.height) * width);
  for (int y = 0; y < src.height; ++y) {
    const float* in =
        src.pixels.data() + static_cast<std::size_t>(y) * src.width;
    float* out = temp.data() + static_cast<std::size_t>(y) * width;
    for (int x = 0; x < width; ++x) {
      const auto& [first, w] = columns[x];
      float sum = 0;
      for (std::size_t k = 0; k < w.size(); ++k) sum += w[k] * in[first + k];
      out[x] = sum;
    }
  }
  dst.width = width;
  dst.height = height;
  dst.pixels.assign(static_cast<std::size_t>(height) * width, 0.0f);
  for (int y = 0; y < height; ++y) {
    const auto& [first, w] = rows[y];
    float* out = dst.pixels.data() + static_cast<std::size_t>(y) * width;
    for (std::size_t k = 0; k < w.size(); ++k) {
      const float* in =
          temp.data() + static_cast<std::size_t>(first + k) * width;
      for (int x = 0; x < width; ++x) out[x] += w[k] * in[x];
    }
  }
}

// The hot loops are built twice by GCC on x86-64, for AVX2 and for the
// baseline, and the one the processor runs is chosen when the library
// loads. Both are the same element-wise float operations without
// contraction (-ffp-contract=off), so they give the same bits.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define REMPART_HOT_LOOPS __attribute__((target_clones("avx2", "default")))
#else
#define REMPART_HOT_LOOPS
#endif

// Separable Gaussian blur, edges replicated.
REMPART_HOT_LOOPS void GaussianBlur(const Plane& src, float sigma, Plane& dst,
                                    std::vector<float>& temp) {
  const int radius = std::max(1, static_cast<int>(std::ceil(3 * sigma)));
  std::vector<float> kernel(2 * radius + 1);
  float total = 0;
  for (int i = -radius; i <= radius; ++i) {
    kernel[i + radius] = std::exp(-0.5f * F(i * i) / (sigma * sigma));
    total += kernel[i + radius];
  }
  for (float& k : kernel) k /= total;
  const int w = src.width;
  const int h = src.height;
  temp.resize(static_cast<std::size_t>(w) * h);
  // Rows: taps outer and pixels inner, so the inner loop vectorises (a
  // dot product per pixel would not, being a float reduction).
  const int inner_end = std::max(radius, w - radius);
  for (int y = 0; y < h; ++y) {
    const float* in = src.pixels.data() + static_cast<std::size_t>(y) * w;
    float* out = temp.data() + static_cast<std::size_t>(y) * w;
    auto edge = [&](int x) {
      float sum = 0;
      for (int i = -radius; i <= radius; ++i) {
        sum += kernel[i + radius] * in[std::clamp(x + i, 0, w - 1)];
      }
      out[x] = sum;
    };
    for (int x = 0; x < std::min(radius, w); ++x) edge(x);
    if (inner_end > radius) {
      // The kernel is symmetric: one product per pair of taps.
      const float centre = kernel[radius];
      for (int x = radius; x < inner_end; ++x) out[x] = centre * in[x];
      for (int i = 1; i <= radius; ++i) {
        const float tap = kernel[radius + i];
        const float* left = in - i;
        const float* right = in + i;
        for (int x = radius; x < inner_end; ++x) {
          out[x] += tap * (left[x] + right[x]);
        }
      }
    }
    for (int x = std::max(radius, inner_end); x < w; ++x) edge(x);
  }
  dst.width = w;
  dst.height = h;
  dst.pixels.resize(static_cast<std::size_t>(w) * h);
  for (int y = 0; y < h; ++y) {
    float* out = dst.pixels.data() + static_cast<std::size_t>(y) * w;
    const auto row = [&](int i) {
      return temp.data() +
             static_cast<std::size_t>(std::clamp(y + i, 0, h - 1)) * w;
    };
    const float* middle = row(0);
    const float centre = kernel[radius];
    for (int x = 0; x < w; ++x) out[x] = centre * middle[x];
    for (int i = 1; i <= radius; ++i) {
      const float* above = row(-i);
      const float* below = row(i);
      const float k = kernel[radius + i];
      for (int x = 0; x < w; ++x) out[x] += k * (above[x] + below[x]);
    }
  }
}

// Bilinear sample at (x, y) in plane pixels, edges replicated.
float Sample(const Plane& plane, float x, float y) {
  if (x >= 0 && y >= 0 && x < F(plane.width - 1) && y < F(plane.height - 1)) {
    const int x0 = static_cast<int>(x);
    const int y0 = static_cast<int>(y);
    const float fx = x - F(x0);
    const float fy = y - F(y0);
    const float* top =
        plane.pixels.data() + static_cast<std::size_t>(y0) * plane.width + x0;
    const float* bottom = top + plane.width;
    return (top[0] + (top[1] - top[0]) * fx) * (1 - fy) +
           (bottom[0] + (bottom[1] - bottom[0]) * fx) * fy;
  }
  x = std::clamp(x, 0.0f, static_cast<float>(plane.width - 1));
  y = std::clamp(y, 0.0f, static_cast<float>(plane.height - 1));
  const int x0 =
      std::min(static_cast<int>(x), plane.width - 2 < 0 ? 0 : plane.width - 2);
  const int y0 = std::min(static_cast<int>(y),
                          plane.height - 2 < 0 ? 0 : plane.height - 2);
  const int x1 = std::min(x0 + 1, plane.width - 1);
  const int y1 = std::min(y0 + 1, plane.height - 1);
  const float fx = x - F(x0);
  const float fy = y - F(y0);
  const float top = plane.at(x0, y0) * (1 - fx) + plane.at(x1, y0) * fx;
  const float bottom = plane.at(x0, y1) * (1 - fx) + plane.at(x1, y1) * fx;
  return top * (1 - fy) + bottom * fy;
}

// The octave a window `side` work pixels across is sampled from: the
// coarsest whose pixels still number kBufferSide or more across it, already
// smoothed at that octave's base scale.
int WindowOctave(float side, int octave_count) {
  int octave = 0;
  while (octave + 1 < octave_count &&
         side / std::pow(2.0f, static_cast<float>(octave + 1)) >=
             F(kBufferSide)) {
    ++octave;
  }
  return octave;
}

#ifdef REMPART_GATHER_AVX2
// SampleWindow()'s bilinear loop for a window wholly inside the plane, 8
// samples at a time with AVX2 gathers: the same float operations in the
// same order on each sample (no contraction), so the same bits.
__attribute__((target("avx2"))) void SampleInsideAvx2(
    const Plane& plane, float origin_x, float origin_y, float down_x,
    float down_y, float along_x, float along_y, Buffer64& buffer) {
  const float* base = plane.pixels.data();
  const __m256i width = _mm256_set1_epi32(plane.width);
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 step_x = _mm256_set1_ps(along_x);
  const __m256 step_y = _mm256_set1_ps(along_y);
  for (int i = 0; i < kBufferSide; ++i) {
    float* row = buffer.data() + static_cast<std::size_t>(i) * kBufferSide;
    const __m256 row_x = _mm256_set1_ps(origin_x + down_x * F(i));
    const __m256 row_y = _mm256_set1_ps(origin_y + down_y * F(i));
    for (int j = 0; j < kBufferSide; j += 8) {
      const __m256 column =
          _mm256_setr_ps(F(j), F(j + 1), F(j + 2), F(j + 3), F(j + 4), F(j + 5),
                         F(j + 6), F(j + 7));
      const __m256 px = _mm256_add_ps(row_x, _mm256_mul_ps(step_x, column));
      const __m256 py = _mm256_add_ps(row_y, _mm256_mul_ps(step_y, column));
      const __m256i x0 = _mm256_cvttps_epi32(px);
      const __m256i y0 = _mm256_cvttps_epi32(py);
      const __m256 fx = _mm256_sub_ps(px, _mm256_cvtepi32_ps(x0));
      const __m256 fy = _mm256_sub_ps(py, _mm256_cvtepi32_ps(y0));
      const __m256i at = _mm256_add_epi32(_mm256_mullo_epi32(y0, width), x0);
      const __m256 top0 = _mm256_i32gather_ps(base, at, 4);
      const __m256 top1 = _mm256_i32gather_ps(base + 1, at, 4);
      const __m256 bottom0 = _mm256_i32gather_ps(base + plane.width, at, 4);
      const __m256 bottom1 = _mm256_i32gather_ps(base + plane.width + 1, at, 4);
      const __m256 top =
          _mm256_add_ps(top0, _mm256_mul_ps(_mm256_sub_ps(top1, top0), fx));
      const __m256 bottom = _mm256_add_ps(
          bottom0, _mm256_mul_ps(_mm256_sub_ps(bottom1, bottom0), fx));
      _mm256_storeu_ps(row + j,
                       _mm256_add_ps(_mm256_mul_ps(top, _mm256_sub_ps(one, fy)),
                                     _mm256_mul_ps(bottom, fy)));
    }
  }
}

bool HasAvx2() {
  static const bool avx2 = __builtin_cpu_supports("avx2") != 0;
  return avx2;
}
#endif

// Samples into `buffer` the square window `side` work pixels across centred
// on (cx, cy) in work pixels, turned counter-clockwise by `degrees` (y
// down), from `plane`, an octave whose pixel is `unit` work pixels.
REMPART_HOT_LOOPS void SampleWindow(const Plane& plane, float unit, float cx,
                                    float cy, float side, float degrees,
                                    Buffer64& buffer) {
  const float half = side / 2;
  const float step = side / kBufferSide;
  const float radians = degrees * 3.14159265f / 180.0f;
  const float c = std::cos(radians);
  const float sn = std::sin(radians);
  // The window's pixel (u, v) from the centre samples the plane at
  // ((cx + c·u + sn·v) / unit, (cy − sn·u + c·v) / unit). Plane
  // coordinates are affine in the buffer's column j and row i: the
  // window's first pixel plus a step along each (unit is a power of two,
  // so dividing by it is exact).
  const float first = -half + 0.5f * step;
  const float inverse = 1.0f / unit;
  const float along_x = c * step * inverse;    // Per column j.
  const float along_y = -sn * step * inverse;  // Per column j.
  const float down_x = sn * step * inverse;    // Per row i.
  const float down_y = c * step * inverse;     // Per row i.
  const float origin_x = (cx + c * first + sn * first) * inverse;
  const float origin_y = (cy - sn * first + c * first) * inverse;
  // The corners, computed as the loop computes them: when all four are
  // inside, every sample is.
  float low_x = F(plane.width);
  float low_y = F(plane.height);
  float high_x = -1;
  float high_y = -1;
  for (const int i : {0, kBufferSide - 1}) {
    for (const int j : {0, kBufferSide - 1}) {
      const float px = (origin_x + down_x * F(i)) + along_x * F(j);
      const float py = (origin_y + down_y * F(i)) + along_y * F(j);
      low_x = std::min(low_x, px);
      high_x = std::max(high_x, px);
      low_y = std::min(low_y, py);
      high_y = std::max(high_y, py);
    }
  }
  const bool inside = low_x >= 0 && low_y >= 0 && high_x < F(plane.width - 1) &&
                      high_y < F(plane.height - 1);
#ifdef REMPART_GATHER_AVX2
  // Gathers index with 32 bits: every plane here is far smaller.
  if (inside && plane.pixels.size() < (std::size_t{1} << 30) && HasAvx2()) {
    SampleInsideAvx2(plane, origin_x, origin_y, down_x, down_y, along_x,
                     along_y, buffer);
    return;
  }
#endif
  for (int i = 0; i < kBufferSide; ++i) {
    float* row = buffer.data() + static_cast<std::size_t>(i) * kBufferSide;
    const float row_x = origin_x + down_x * F(i);
    const float row_y = origin_y + down_y * F(i);
    if (!inside) {
      for (int j = 0; j < kBufferSide; ++j) {
        row[j] = Sample(plane, row_x + along_x * F(j), row_y + along_y * F(j));
      }
      continue;
    }
    // The whole window is inside the plane: bilinear without checks.
    for (int j = 0; j < kBufferSide; ++j) {
      const float px = row_x + along_x * F(j);
      const float py = row_y + along_y * F(j);
      const int x0 = static_cast<int>(px);
      const int y0 = static_cast<int>(py);
      const float fx = px - F(x0);
      const float fy = py - F(y0);
      const float* top =
          plane.pixels.data() + static_cast<std::size_t>(y0) * plane.width + x0;
      const float* bottom = top + plane.width;
      row[j] = (top[0] + (top[1] - top[0]) * fx) * (1 - fy) +
               (bottom[0] + (bottom[1] - bottom[0]) * fx) * fy;
    }
  }
}

// PDQ's 16×16 DCT of a 64×64 window, summed in another order than
// internal::Dct() (which must follow the reference's): every loop is
// element-wise, so it vectorises. Patches need no reference's bits, only
// the same bits on every build, which IEEE arithmetic without contraction
// gives.
REMPART_HOT_LOOPS void PatchDct(const Buffer64& buffer, Dct16& out) {
  using internal::kDctSide;
  const auto& matrix = internal::DctMatrix();  // 16 × 64, row-major.
  static const auto transposed = [&matrix] {
    internal::DctMatrixTable table{};  // 64 × 16: column k of the matrix.
    for (int i = 0; i < kDctSide; ++i) {
      for (int k = 0; k < kBufferSide; ++k) {
        table[k * kDctSide + i] = matrix[i * kBufferSide + k];
      }
    }
    return table;
  }();
  internal::DctMatrixTable temp{};  // 16 × 64: the matrix times the window.
  for (int i = 0; i < kDctSide; ++i) {
    float* row = temp.data() + static_cast<std::size_t>(i) * kBufferSide;
    for (int k = 0; k < kBufferSide; ++k) {
      const float weight = matrix[i * kBufferSide + k];
      const float* src =
          buffer.data() + static_cast<std::size_t>(k) * kBufferSide;
      for (int j = 0; j < kBufferSide; ++j) row[j] += weight * src[j];
    }
  }
  out.fill(0.0f);
  for (int i = 0; i < kDctSide; ++i) {
    const float* row = temp.data() + static_cast<std::size_t>(i) * kBufferSide;
    float* line = out.data() + static_cast<std::size_t>(i) * kDctSide;
    for (int k = 0; k < kBufferSide; ++k) {
      const float value = row[k];
      const float* basis =
          transposed.data() + static_cast<std::size_t>(k) * kDctSide;
      for (int j = 0; j < kDctSide; ++j) line[j] += value * basis[j];
    }
  }
}

}  // namespace

struct PatchHasher::Scratch {
  Plane work;
  // octaves[o][i]: Gaussian images, kScalesPerOctave + 3 per octave.
  std::vector<std::vector<Plane>> octaves;
  std::vector<Plane> dogs;  // Differences of one octave's neighbours.
  // Per row of a difference: neighbours' extremes (see the detector).
  std::vector<float> high, low, around_high, around_low;
  Plane base;  // The next octave's first image.
  std::vector<float> luma;
  std::vector<float> temp;
};

PatchHasher::PatchHasher() : scratch_(std::make_unique<Scratch>()) {}
PatchHasher::~PatchHasher() = default;

// The bank's centred crops and the query's (BankPatchOptions(),
// QueryPatchOptions()): the query's steps span one of the bank's.
constexpr int kBankCrops = 6;
constexpr float kBankCropStep = 1.2f;
constexpr int kQueryCrops = 10;
constexpr float kQueryCropStep = 1.02f;

PatchOptions BankPatchOptions() {
  PatchOptions options;
  options.max_patches = 64;
  options.work_side = 512;
  options.min_sigma = 3.0f;
  options.contrast = 0.5f;
  options.min_quality = 15;
  // Centred crops from the whole picture down to 40 % of each side, each
  // 1.2 times smaller than the last: a query's own crops (below) fill the
  // steps between.
  float keep = 1;
  for (int i = 0; i < kBankCrops; ++i, keep /= kBankCropStep) {
    options.crop_keeps.push_back(keep);
  }
  return options;
}

PatchOptions QueryPatchOptions() {
  PatchOptions options;
  options.max_patches = 300;
  options.work_side = 640;
  options.min_sigma = 1.6f;
  options.contrast = 0.5f;
  options.dihedral = true;
  options.turns = {-8.0f, -4.0f, 4.0f, 8.0f};
  options.min_quality = 15;
  // Coarser for crops (the bank's blobs zoomed in), finer for screenshots
  // (the bank's blobs shrunk); no turns on these looks (ROBUSTNESS.md).
  options.passes = {{320, 150}, {1024, 200}};
  // Centred crops 1.02 times smaller each, from the whole picture to one
  // step of the bank's: a copy cropped evenly by any amount is within 1 %
  // of zoom of one bank crop (PDQ holds a 1 % zoom, not a 3 % one).
  float keep = 1;
  for (int i = 0; i < kQueryCrops; ++i, keep /= kQueryCropStep) {
    options.crop_keeps.push_back(keep);
  }
  return options;
}

struct PatchProbe::Planes {
  // The look's octaves' first images, finest first.
  std::vector<Plane> bases;
  int width = 0;  // The look's picture, in work pixels.
  int height = 0;
  float narrowest = 0;  // The narrowest window the look hashes.
};

PatchProbe::PatchProbe() : planes_(std::make_unique<Planes>()) {}
PatchProbe::~PatchProbe() = default;

std::optional<Patch> PatchProbe::Hash(const Window& window) const {
  const Planes& p = *planes_;
  if (p.bases.empty()) return std::nullopt;
  const float cx = window.x * F(p.width);
  const float cy = window.y * F(p.height);
  const float side = window.side * F(std::max(p.width, p.height));
  const float half = side / 2;
  // The look's own rule: only whole windows, none narrower than its
  // narrowest (not-a-number fails every comparison, so is refused too).
  if (!(side >= p.narrowest && cx - half >= 0 && cy - half >= 0 &&
        cx + half <= F(p.width - 1) && cy + half <= F(p.height - 1))) {
    return std::nullopt;
  }
  if (window.dihedral < 0 || window.dihedral >= kDihedralCount) {
    return std::nullopt;
  }
  const int octave = WindowOctave(side, static_cast<int>(p.bases.size()));
  Buffer64 buffer;
  SampleWindow(p.bases[octave], std::pow(2.0f, F(octave)), cx, cy, side,
               window.degrees, buffer);
  Dct16 dct;
  PatchDct(buffer, dct);
  Patch patch;
  patch.x = window.x;
  patch.y = window.y;
  patch.side = window.side;
  patch.quality = internal::Quality(buffer);
  patch.hash = internal::Threshold(
      window.dihedral == 0 ? dct : internal::DihedralDct(dct, window.dihedral));
  return patch;
}

Result<PatchSignature> PatchHasher::Sign(
    const media::ImageView& image, const PatchOptions& options,
    std::shared_ptr<const PatchProbe>* probe) {
  std::shared_ptr<PatchProbe> kept;
  if (probe != nullptr) kept = std::make_shared<PatchProbe>();
  auto patches = Look(image, options, kept.get());
  if (!patches) return patches.error();
  if (probe != nullptr) *probe = std::move(kept);
  return PatchSignature{image.width, image.height, std::move(*patches),
                        Crops(image, options)};
}

std::vector<CentredCrop> PatchHasher::Crops(const media::ImageView& image,
                                            const PatchOptions& options) {
  std::vector<CentredCrop> crops;
  if (options.crop_keeps.empty()) return crops;
  Scratch& s = *scratch_;
  const auto [rows, cols] = internal::ComputeLuma(image, false, s.luma);
  Plane full{cols, rows, std::move(s.luma)};
  Plane& small = s.work;
  const int longer = std::max(rows, cols);
  if (longer > kCropWorkSide) {
    const float scale = F(kCropWorkSide) / F(longer);
    ResizeArea(
        full, std::max(1, static_cast<int>(std::lround(F(cols) * scale))),
        std::max(1, static_cast<int>(std::lround(F(rows) * scale))), small);
  } else {
    small = std::move(full);
  }
  std::vector<float> crop;
  for (const float keep : options.crop_keeps) {
    if (!(keep > 0 && keep <= 1)) continue;
    const auto w = static_cast<int>(std::lround(F(small.width) * keep));
    const auto h = static_cast<int>(std::lround(F(small.height) * keep));
    if (std::min(w, h) < internal::kMinHashableSide) continue;
    const int x0 = (small.width - w) / 2;
    const int y0 = (small.height - h) / 2;
    crop.resize(static_cast<std::size_t>(w) * h);
    for (int y = 0; y < h; ++y) {
      const float* row =
          &small.pixels[static_cast<std::size_t>(y0 + y) * small.width + x0];
      std::copy(row, row + w, &crop[static_cast<std::size_t>(y) * w]);
    }
    Buffer64 buffer;
    internal::FilterAndDecimate(crop, s.temp, h, w, buffer);
    const int quality = internal::Quality(buffer);
    if (quality < options.min_quality) continue;
    Dct16 dct;
    internal::Dct(buffer, dct);
    CentredCrop& out = crops.emplace_back();
    out.keep = keep;
    out.quality = quality;
    out.hash = internal::Threshold(dct);
    if (options.dihedral) out.dihedral = internal::DihedralHashes(dct);
  }
  s.luma = {};
  return crops;
}

Result<std::vector<Patch>> PatchHasher::Hash(const media::ImageView& image,
                                             const PatchOptions& options) {
  return Look(image, options, nullptr);
}

REMPART_HOT_LOOPS Result<std::vector<Patch>> PatchHasher::Look(
    const media::ImageView& image, const PatchOptions& options,
    PatchProbe* probe) {
  if (!image.IsValid()) {
    return InvalidArgumentError(
        "patches: the pixel buffer does not match "
        "the picture's dimensions");
  }
  Scratch& s = *scratch_;
  const auto [rows, cols] = internal::ComputeLuma(image, false, s.luma);
  Plane full{cols, rows, std::move(s.luma)};
  const int longer = std::max(rows, cols);
  // The detector's unit: the picture at work_side on its longer side,
  // averaged down or interpolated up.
  const float scale = static_cast<float>(options.work_side) / F(longer);
  const int target_w =
      std::max(1, static_cast<int>(std::lround(F(cols) * scale)));
  const int target_h =
      std::max(1, static_cast<int>(std::lround(F(rows) * scale)));
  if (scale < 1.0f) {
    ResizeArea(full, target_w, target_h, s.work);
  } else if (scale > 1.0f) {
    s.work.width = target_w;
    s.work.height = target_h;
    s.work.pixels.resize(static_cast<std::size_t>(target_w) * target_h);
    for (int y = 0; y < target_h; ++y) {
      const float sy = (F(y) + 0.5f) / scale - 0.5f;
      for (int x = 0; x < target_w; ++x) {
        s.work.pixels[static_cast<std::size_t>(y) * target_w + x] =
            Sample(full, (F(x) + 0.5f) / scale - 0.5f, sy);
      }
    }
  } else {
    s.work = std::move(full);
  }
  s.luma = {};
  const int work_w = s.work.width;
  const int work_h = s.work.height;
  std::vector<Patch> patches;
  if (std::min(work_w, work_h) < 16) return patches;

  // The scale space: octaves of Gaussian images, halving until too small.
  const int per_octave = kScalesPerOctave + 3;
  const float k = std::pow(2.0f, 1.0f / kScalesPerOctave);
  // Planes are kept in the scratch between calls: a query hashes three
  // looks, and fresh planes cost page faults.
  int octave_count = 0;
  GaussianBlur(s.work,
               std::sqrt(kBaseSigma * kBaseSigma - kAssumedBlur * kAssumedBlur),
               s.base, s.temp);
  while (std::min(s.base.width, s.base.height) >= 16) {
    if (static_cast<int>(s.octaves.size()) <= octave_count) {
      s.octaves.emplace_back(per_octave);
    }
    auto& octave = s.octaves[octave_count];
    std::swap(octave[0], s.base);
    for (int i = 1; i < per_octave; ++i) {
      const float previous =
          kBaseSigma * std::pow(k, static_cast<float>(i - 1));
      const float next = previous * k;
      GaussianBlur(octave[i - 1], std::sqrt(next * next - previous * previous),
                   octave[i], s.temp);
    }
    // The next octave starts from the image at twice the base scale.
    const Plane& twice = octave[kScalesPerOctave];
    Plane& half = s.base;
    half.width = twice.width / 2;
    half.height = twice.height / 2;
    half.pixels.resize(static_cast<std::size_t>(half.width) * half.height);
    for (int y = 0; y < half.height; ++y) {
      for (int x = 0; x < half.width; ++x) {
        half.pixels[static_cast<std::size_t>(y) * half.width + x] =
            twice.at(2 * x, 2 * y);
      }
    }
    ++octave_count;
  }

  if (probe != nullptr) {
    PatchProbe::Planes& kept = *probe->planes_;
    kept.bases.clear();
    for (int o = 0; o < octave_count; ++o) {
      kept.bases.push_back(s.octaves[o][0]);
    }
    kept.width = work_w;
    kept.height = work_h;
    kept.narrowest = kPatchScales * std::max(options.min_sigma,
                                             options.min_source_sigma * scale);
  }

  // Extrema of the differences of Gaussians.
  std::vector<Blob> blobs;
  s.dogs.resize(per_octave - 1);
  auto& dogs = s.dogs;
  for (auto* row : {&s.high, &s.low, &s.around_high, &s.around_low}) {
    row->resize(static_cast<std::size_t>(work_w));
  }
  for (int o = 0; o < octave_count; ++o) {
    const auto& octave = s.octaves[o];
    const int w = octave[0].width;
    const int h = octave[0].height;
    for (int i = 0; i + 1 < per_octave; ++i) {
      dogs[i].width = w;
      dogs[i].height = h;
      dogs[i].pixels.resize(octave[i].pixels.size());
      for (std::size_t p = 0; p < dogs[i].pixels.size(); ++p) {
        dogs[i].pixels[p] = octave[i + 1].pixels[p] - octave[i].pixels[p];
      }
    }
    const float unit = std::pow(2.0f, static_cast<float>(o));
    for (int i = 1; i + 1 < static_cast<int>(dogs.size()); ++i) {
      const Plane& d = dogs[i];
      for (int y = 1; y + 1 < h; ++y) {
        // Each point's largest and smallest neighbour at its own scale, in
        // loops that vectorise: only a point beyond both (a few in a
        // hundred) is compared across scales.
        const float* top =
            d.pixels.data() + static_cast<std::size_t>(y - 1) * w;
        const float* middle = top + w;
        const float* bottom = middle + w;
        float* high = s.high.data();
        float* low = s.low.data();
        for (int x = 0; x < w; ++x) {
          high[x] = std::max(top[x], bottom[x]);
          low[x] = std::min(top[x], bottom[x]);
        }
        float* around_high = s.around_high.data();
        float* around_low = s.around_low.data();
        for (int x = 1; x + 1 < w; ++x) {
          around_high[x] =
              std::max(std::max(std::max(high[x - 1], high[x]), high[x + 1]),
                       std::max(middle[x - 1], middle[x + 1]));
          around_low[x] =
              std::min(std::min(std::min(low[x - 1], low[x]), low[x + 1]),
                       std::min(middle[x - 1], middle[x + 1]));
        }
        for (int x = 1; x + 1 < w; ++x) {
          const float v = middle[x];
          if (std::abs(v) < options.contrast) continue;
          if (v > 0 ? v <= around_high[x] : v >= around_low[x]) continue;
          bool extremum = true;
          // The same scale first: most points fail there.
          for (const int di : {0, -1, 1}) {
            if (!extremum) break;
            const Plane& n = dogs[i + di];
            for (int dy = -1; dy <= 1 && extremum; ++dy) {
              for (int dx = -1; dx <= 1; ++dx) {
                if (di == 0 && dy == 0 && dx == 0) continue;
                const float u = n.at(x + dx, y + dy);
                if (v > 0 ? u >= v : u <= v) {
                  extremum = false;
                  break;
                }
              }
            }
          }
          if (!extremum) continue;
          // Edges: the Hessian's curvatures differ too much.
          const float dxx = d.at(x + 1, y) + d.at(x - 1, y) - 2 * v;
          const float dyy = d.at(x, y + 1) + d.at(x, y - 1) - 2 * v;
          const float dxy = (d.at(x + 1, y + 1) - d.at(x + 1, y - 1) -
                             d.at(x - 1, y + 1) + d.at(x - 1, y - 1)) /
                            4;
          const float trace = dxx + dyy;
          const float det = dxx * dyy - dxy * dxy;
          if (det <= 0 || trace * trace * kEdgeRatio >=
                              (kEdgeRatio + 1) * (kEdgeRatio + 1) * det) {
            continue;
          }
          // Sub-sample position and scale: a parabola along each axis.
          auto offset = [](float minus, float centre, float plus) {
            const float curvature = minus + plus - 2 * centre;
            if (curvature == 0) return 0.0f;
            return std::clamp(0.5f * (minus - plus) / curvature, -0.5f, 0.5f);
          };
          const float ox = offset(d.at(x - 1, y), v, d.at(x + 1, y));
          const float oy = offset(d.at(x, y - 1), v, d.at(x, y + 1));
          const float os =
              offset(dogs[i - 1].at(x, y), v, dogs[i + 1].at(x, y));
          Blob blob;
          blob.x = (F(x) + ox) * unit;
          blob.y = (F(y) + oy) * unit;
          blob.sigma = kBaseSigma * std::pow(k, F(i) + os) * unit;
          blob.response = std::abs(v);
          blob.octave = o;
          if (blob.sigma >= options.min_sigma &&
              blob.sigma >= options.min_source_sigma * scale) {
            blobs.push_back(blob);
          }
        }
      }
    }
  }
  std::sort(blobs.begin(), blobs.end(), [](const Blob& a, const Blob& b) {
    return a.response > b.response;
  });

  // The strongest blobs whose window fits, one per place and scale.
  std::vector<Blob> kept;
  for (const Blob& blob : blobs) {
    if (static_cast<int>(patches.size()) >= options.max_patches) break;
    const float half = kPatchScales * blob.sigma / 2;
    if (blob.x - half < 0 || blob.y - half < 0 ||
        blob.x + half > F(work_w - 1) || blob.y + half > F(work_h - 1)) {
      continue;
    }
    const bool duplicate =
        std::any_of(kept.begin(), kept.end(), [&](const Blob& other) {
          const float ratio = blob.sigma / other.sigma;
          return ratio > 0.7f && ratio < 1.42f &&
                 std::hypot(blob.x - other.x, blob.y - other.y) <
                     0.5f * std::min(blob.sigma, other.sigma);
        });
    if (duplicate) continue;
    // Sample the window from the octave whose pixels are closest to 64
    // across it, already smoothed at that octave's base scale.
    const float side = 2 * half;
    const int octave = WindowOctave(side, octave_count);
    const Plane& plane = s.octaves[octave][0];
    const float unit = std::pow(2.0f, static_cast<float>(octave));
    Buffer64 buffer;
    auto sample = [&](float degrees) {
      SampleWindow(plane, unit, blob.x, blob.y, side, degrees, buffer);
    };
    sample(0);
    const int quality = internal::Quality(buffer);
    if (quality < options.min_quality) continue;
    Dct16 dct;
    PatchDct(buffer, dct);
    Patch patch;
    patch.x = blob.x / F(work_w);
    patch.y = blob.y / F(work_h);
    patch.side = side / F(std::max(work_w, work_h));
    patch.hash = internal::Threshold(dct);
    patch.quality = quality;
    if (options.dihedral) patch.dihedral = internal::DihedralHashes(dct);
    for (float degrees : options.turns) {
      sample(degrees);
      Dct16 turned;
      PatchDct(buffer, turned);
      patch.turned.push_back(internal::Threshold(turned));
    }
    kept.push_back(blob);
    patches.push_back(patch);
  }
  if (!options.passes.empty()) {
    PatchOptions pass = options;
    pass.passes.clear();
    pass.turns.clear();
    for (const PatchOptions::Pass& more : options.passes) {
      pass.work_side = more.work_side;
      pass.max_patches = more.max_patches;
      auto extra = Look(image, pass, nullptr);
      if (!extra) return extra.error();
      patches.insert(patches.end(), extra->begin(), extra->end());
    }
  }
  return patches;
}

namespace {

// `value` (0…65535) as a 16-bit big-endian integer.
void PutUint16(long value, std::vector<std::uint8_t>& out) {
  out.push_back(static_cast<std::uint8_t>((value >> 8) & 0xff));
  out.push_back(static_cast<std::uint8_t>(value & 0xff));
}

// A fraction 0…1 as a 16-bit big-endian integer, × 65535 and rounded, at
// least `lowest`.
void PutFraction(float fraction, long lowest, std::vector<std::uint8_t>& out) {
  if (!(fraction >= 0.0f)) fraction = 0.0f;  // Negative or not a number.
  PutUint16(std::clamp(std::lround(std::min(fraction, 1.0f) * 65535.0f), lowest,
                       65535L),
            out);
}

// kMinCropKeep as written: round(0.1 × 65535).
constexpr long kMinKeepUnits = 6554;

int GetUint16(std::span<const std::uint8_t> bytes, std::size_t offset) {
  return (bytes[offset] << 8) | bytes[offset + 1];
}

// `width` × `height` scaled so that the longer side is kPatchShapeSide and
// rounded, the shorter at least 1; a square when either is not positive.
std::pair<long, long> Shape(int width, int height) {
  if (width <= 0 || height <= 0) return {kPatchShapeSide, kPatchShapeSide};
  const long longer = std::max(width, height);
  const auto scaled = [longer](long side) {
    return std::max(1L, (2 * side * kPatchShapeSide + longer) / (2 * longer));
  };
  return {scaled(width), scaled(height)};
}

}  // namespace

std::vector<std::uint8_t> EncodePatches(const PatchSignature& signature) {
  const std::span<const Patch> patches = signature.patches;
  const std::size_t count =
      std::min(patches.size(), static_cast<std::size_t>(kMaxPatches));
  const std::span<const CentredCrop> crops = signature.crops;
  const std::size_t crop_count =
      std::min(crops.size(), static_cast<std::size_t>(kMaxCrops));
  std::vector<std::uint8_t> out;
  out.reserve(kPatchesHeaderBytes + count * kPatchRecordBytes + 1 +
              crop_count * kCropRecordBytes);
  out.push_back(crop_count == 0 ? kPatchesVersion : kPatchesWithCropsVersion);
  const auto [width, height] = Shape(signature.width, signature.height);
  PutUint16(width, out);
  PutUint16(height, out);
  PutUint16(static_cast<long>(count), out);
  for (const Patch& patch : patches.first(count)) {
    PutFraction(patch.x, 0, out);
    PutFraction(patch.y, 0, out);
    PutFraction(patch.side, 1, out);
    out.push_back(static_cast<std::uint8_t>(std::clamp(patch.quality, 0, 100)));
    const auto hash = patch.hash.ToBytes();
    out.insert(out.end(), hash.begin(), hash.end());
  }
  if (crop_count == 0) return out;
  out.push_back(static_cast<std::uint8_t>(crop_count));
  for (const CentredCrop& crop : crops.first(crop_count)) {
    PutFraction(crop.keep, kMinKeepUnits, out);
    out.push_back(static_cast<std::uint8_t>(std::clamp(crop.quality, 0, 100)));
    const auto hash = crop.hash.ToBytes();
    out.insert(out.end(), hash.begin(), hash.end());
  }
  return out;
}

Result<PatchSignature> DecodePatches(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < kPatchesHeaderBytes) {
    return InvalidArgumentError("patches: " + std::to_string(bytes.size()) +
                                " bytes, shorter than the 7-byte header");
  }
  const bool with_crops = bytes[0] == kPatchesWithCropsVersion;
  if (bytes[0] != kPatchesVersion && !with_crops) {
    return InvalidArgumentError("patches: version " + std::to_string(bytes[0]) +
                                " is not supported (expected 1 or 2)");
  }
  PatchSignature signature;
  signature.width = GetUint16(bytes, 1);
  signature.height = GetUint16(bytes, 3);
  if (std::max(signature.width, signature.height) != kPatchShapeSide ||
      std::min(signature.width, signature.height) == 0) {
    return InvalidArgumentError(
        "patches: shape " + std::to_string(signature.width) + "×" +
        std::to_string(signature.height) + " is not one whose longer side is " +
        std::to_string(kPatchShapeSide) + " and shorter side at least 1");
  }
  const auto count = static_cast<std::size_t>(GetUint16(bytes, 5));
  if (count > static_cast<std::size_t>(kMaxPatches)) {
    return InvalidArgumentError("patches: " + std::to_string(count) +
                                " patches, more than " +
                                std::to_string(kMaxPatches));
  }
  const std::size_t crops_at = kPatchesHeaderBytes + count * kPatchRecordBytes;
  std::size_t crop_count = 0;
  if (with_crops) {
    if (bytes.size() <= crops_at) {
      return InvalidArgumentError("patches: " + std::to_string(bytes.size()) +
                                  " bytes, but " + std::to_string(count) +
                                  " patches and a crop count take at least " +
                                  std::to_string(crops_at + 1));
    }
    crop_count = bytes[crops_at];
    if (crop_count == 0 || crop_count > static_cast<std::size_t>(kMaxCrops)) {
      return InvalidArgumentError(
          "patches: " + std::to_string(crop_count) +
          " centred crops in a version 2 signature (1…" +
          std::to_string(kMaxCrops) + ")");
    }
  }
  const std::size_t expected =
      with_crops ? crops_at + 1 + crop_count * kCropRecordBytes : crops_at;
  if (bytes.size() != expected) {
    return InvalidArgumentError(
        "patches: " + std::to_string(bytes.size()) + " bytes, but " +
        std::to_string(count) + " patches" +
        (with_crops ? " and " + std::to_string(crop_count) + " crops" : "") +
        " take exactly " + std::to_string(expected));
  }
  std::vector<Patch>& patches = signature.patches;
  patches.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    const auto record = bytes.subspan(
        kPatchesHeaderBytes + i * kPatchRecordBytes, kPatchRecordBytes);
    Patch& patch = patches[i];
    const int side = GetUint16(record, 4);
    if (side == 0) {
      return InvalidArgumentError("patches: patch " + std::to_string(i + 1) +
                                  " has a side of 0");
    }
    patch.quality = record[6];
    if (patch.quality > 100) {
      return InvalidArgumentError(
          "patches: patch " + std::to_string(i + 1) + " has quality " +
          std::to_string(patch.quality) + ", more than 100");
    }
    patch.x = static_cast<float>(GetUint16(record, 0)) / 65535.0f;
    patch.y = static_cast<float>(GetUint16(record, 2)) / 65535.0f;
    patch.side = static_cast<float>(side) / 65535.0f;
    patch.hash = PdqHash::FromBytes(record.subspan<7, 32>());
  }
  std::vector<CentredCrop>& crops = signature.crops;
  crops.resize(crop_count);
  for (std::size_t i = 0; i < crop_count; ++i) {
    const auto record =
        bytes.subspan(crops_at + 1 + i * kCropRecordBytes, kCropRecordBytes);
    CentredCrop& crop = crops[i];
    const int keep = GetUint16(record, 0);
    if (keep < kMinKeepUnits) {
      return InvalidArgumentError("patches: crop " + std::to_string(i + 1) +
                                  " keeps " + std::to_string(keep) +
                                  "/65535 of each side, less than " +
                                  std::to_string(kMinKeepUnits));
    }
    crop.quality = record[2];
    if (crop.quality > 100) {
      return InvalidArgumentError(
          "patches: crop " + std::to_string(i + 1) + " has quality " +
          std::to_string(crop.quality) + ", more than 100");
    }
    crop.keep = static_cast<float>(keep) / 65535.0f;
    crop.hash = PdqHash::FromBytes(record.subspan<3, 32>());
  }
  return signature;
}

std::string FormatPatches(const PatchSignature& signature) {
  return HexEncode(EncodePatches(signature));
}

Result<PatchSignature> ParsePatches(std::string_view text) {
  if (text.size() > 2 * kMaxPatchesBytes) {
    return InvalidArgumentError("patches: " + std::to_string(text.size()) +
                                " characters, more than the " +
                                std::to_string(2 * kMaxPatchesBytes) + " of " +
                                std::to_string(kMaxPatches) + " patches and " +
                                std::to_string(kMaxCrops) + " crops");
  }
  if (text.size() % 2 != 0) {
    return InvalidArgumentError("patches: an odd number of hex digits (" +
                                std::to_string(text.size()) + ")");
  }
  auto bytes = HexDecode(text, text.size() / 2);
  if (!bytes) {
    return InvalidArgumentError("patches: " + bytes.error().message());
  }
  return DecodePatches(*bytes);
}

}  // namespace rempart::hash
