// PDQ, bit for bit.
//
// The reference implementation (Meta's ThreatExchange, pdq/cpp) defines PDQ
// by its floating-point arithmetic, not by a mathematical formula: two
// implementations that compute "the same" box filter with different rounding
// disagree on some bits, most visibly on flat pictures whose DCT is pure
// rounding residue. So this file reproduces the reference's order of float
// operations exactly, and is compiled with -ffp-contract=off (no FMA) and
// without fast-math. shared/spec/pdq.md is the authority; its section
// numbers are cited below.
//
// What we are free to change is everything that does not alter a single
// rounding: memory layout and loop order across *independent* outputs. The
// reference filters columns with a strided walk down each column; we walk
// down all columns at once with one accumulator per column, which performs
// the identical sequence of additions for every column but touches memory
// row by row (and vectorises). The DCT likewise accumulates each output over
// k in increasing order, but updates 64 independent outputs per step.
#include "rempart/hash/pdq.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "hash/pdq_internal.h"

namespace rempart::hash {
namespace internal {
namespace {

// §4: the luma weights, rounded to float.
constexpr float kLumaRed = 0.299f;
constexpr float kLumaGreen = 0.587f;
constexpr float kLumaBlue = 0.114f;

DctMatrixTable MakeDctMatrix() {
  DctMatrixTable matrix{};
  // The scale is rounded to float first, then promoted back to double for
  // the product, as in the reference.
  const auto scale = static_cast<float>(std::sqrt(2.0 / kBufferSide));
  for (int i = 0; i < kDctSide; ++i) {
    for (int k = 0; k < kBufferSide; ++k) {
      const double angle =
          (std::numbers::pi / 2 / kBufferSide) * (i + 1) * (2 * k + 1);
      matrix[i * kBufferSide + k] = static_cast<float>(scale * std::cos(angle));
    }
  }
  return matrix;
}

// §6 over every column at once: identical arithmetic to BoxFilter1D with
// stride `cols` applied to each column, performed row by row.
void BoxFilterColumns(const float* in, float* out, int rows, int cols,
                      int window, std::vector<float>& sums) {
  sums.assign(cols, 0.0f);
  float* sum = sums.data();
  const int half = (window + 2) / 2;
  const int phase1 = half - 1;
  const int phase2 = window - half + 1;
  const int phase3 = rows - window;
  const int phase4 = half - 1;
  int right = 0;
  int left = 0;
  int row_out = 0;
  int count = 0;
  auto row_of = [cols](const float* base, int row) {
    return base + static_cast<std::size_t>(row) * cols;
  };
  for (int i = 0; i < phase1; ++i, ++right, ++count) {
    const float* add = row_of(in, right);
    for (int c = 0; c < cols; ++c) sum[c] += add[c];
  }
  for (int i = 0; i < phase2; ++i, ++right, ++row_out) {
    ++count;
    const float* add = row_of(in, right);
    float* dst = out + static_cast<std::size_t>(row_out) * cols;
    const auto divisor = static_cast<float>(count);
    for (int c = 0; c < cols; ++c) {
      sum[c] += add[c];
      dst[c] = sum[c] / divisor;
    }
  }
  for (int i = 0; i < phase3; ++i, ++right, ++left, ++row_out) {
    const float* add = row_of(in, right);
    const float* remove = row_of(in, left);
    float* dst = out + static_cast<std::size_t>(row_out) * cols;
    const auto divisor = static_cast<float>(count);
    for (int c = 0; c < cols; ++c) {
      sum[c] += add[c];
      sum[c] -= remove[c];
      dst[c] = sum[c] / divisor;
    }
  }
  for (int i = 0; i < phase4; ++i, ++left, ++row_out) {
    --count;
    const float* remove = row_of(in, left);
    float* dst = out + static_cast<std::size_t>(row_out) * cols;
    const auto divisor = static_cast<float>(count);
    for (int c = 0; c < cols; ++c) {
      sum[c] -= remove[c];
      dst[c] = sum[c] / divisor;
    }
  }
}

void BoxFilterRows(const float* in, float* out, int rows, int cols,
                   int window) {
  for (int r = 0; r < rows; ++r) {
    const std::size_t offset = static_cast<std::size_t>(r) * cols;
    BoxFilter1D(in + offset, out + offset, cols, 1, window);
  }
}

// §7: the source index of output sample `i` along a side of `length`.
int DecimationIndex(int i, int length) {
  return static_cast<int>(((i + 0.5) * length) / kBufferSide);
}

}  // namespace

std::array<int, 2> ComputeLuma(const media::ImageView& image,
                               bool squash_to_512, std::vector<float>& luma) {
  const bool squash = squash_to_512 &&
                      (image.width > kCliMaxSide || image.height > kCliMaxSide);
  const int rows = squash ? kCliMaxSide : image.height;
  const int cols = squash ? kCliMaxSide : image.width;
  luma.resize(static_cast<std::size_t>(rows) * cols);
  // §3: destination x reads source floor(x·W/512); 64-bit to avoid overflow.
  std::vector<int> source_columns(cols);
  for (int x = 0; x < cols; ++x) {
    source_columns[x] = squash ? static_cast<int>(static_cast<std::int64_t>(x) *
                                                  image.width / kCliMaxSide)
                               : x;
  }
  const bool gray = image.format == media::PixelFormat::kGray8;
  for (int y = 0; y < rows; ++y) {
    const int source_row = squash
                               ? static_cast<int>(static_cast<std::int64_t>(y) *
                                                  image.height / kCliMaxSide)
                               : y;
    const std::uint8_t* src = image.row(source_row);
    float* dst = luma.data() + static_cast<std::size_t>(y) * cols;
    if (gray) {
      for (int x = 0; x < cols; ++x) {
        dst[x] = static_cast<float>(src[source_columns[x]]);
      }
    } else {
      for (int x = 0; x < cols; ++x) {
        const std::uint8_t* pixel =
            src + static_cast<std::size_t>(3) * source_columns[x];
        // (cR·R + cG·G) + cB·B, each product rounded to float (§4).
        const float red_green = kLumaRed * static_cast<float>(pixel[0]) +
                                kLumaGreen * static_cast<float>(pixel[1]);
        dst[x] = red_green + kLumaBlue * static_cast<float>(pixel[2]);
      }
    }
  }
  return {rows, cols};
}

void BoxFilter1D(const float* in, float* out, int length, int stride,
                 int window) {
  // §6: a single running float sum, grown, slid, then shrunk.
  const int half = (window + 2) / 2;
  const int phase1 = half - 1;
  const int phase2 = window - half + 1;
  const int phase3 = length - window;
  const int phase4 = half - 1;
  const float* right = in;
  const float* left = in;
  float* dst = out;
  float sum = 0.0f;
  int count = 0;
  for (int i = 0; i < phase1; ++i) {
    sum += *right;
    ++count;
    right += stride;
  }
  for (int i = 0; i < phase2; ++i) {
    sum += *right;
    ++count;
    *dst = sum / static_cast<float>(count);
    right += stride;
    dst += stride;
  }
  for (int i = 0; i < phase3; ++i) {
    sum += *right;
    sum -= *left;
    *dst = sum / static_cast<float>(count);
    left += stride;
    right += stride;
    dst += stride;
  }
  for (int i = 0; i < phase4; ++i) {
    sum -= *left;
    --count;
    *dst = sum / static_cast<float>(count);
    left += stride;
    dst += stride;
  }
}

void FilterAndDecimate(std::vector<float>& luma, std::vector<float>& scratch,
                       int rows, int cols, Buffer64& out) {
  const std::size_t size = static_cast<std::size_t>(rows) * cols;
  scratch.resize(size);
  std::vector<float> sums;
  const int window_along_rows = WindowSize(cols);
  const int window_along_cols = WindowSize(rows);
  for (int pass = 0; pass < 2; ++pass) {
    BoxFilterRows(luma.data(), scratch.data(), rows, cols, window_along_rows);
    BoxFilterColumns(scratch.data(), luma.data(), rows, cols, window_along_cols,
                     sums);
  }
  for (int i = 0; i < kBufferSide; ++i) {
    const float* src =
        luma.data() + static_cast<std::size_t>(DecimationIndex(i, rows)) * cols;
    for (int j = 0; j < kBufferSide; ++j) {
      out[i * kBufferSide + j] = src[DecimationIndex(j, cols)];
    }
  }
}

int Quality(const Buffer64& buffer) {
  // §8: integer sum of truncated, scaled neighbour differences.
  auto contribution = [](float a, float b) {
    const auto scaled = static_cast<int>(((a - b) * 100.0f) / 255.0f);
    return scaled < 0 ? -scaled : scaled;
  };
  int gradient_sum = 0;
  for (int i = 0; i < kBufferSide - 1; ++i) {
    for (int j = 0; j < kBufferSide; ++j) {
      gradient_sum += contribution(buffer[i * kBufferSide + j],
                                   buffer[(i + 1) * kBufferSide + j]);
    }
  }
  for (int i = 0; i < kBufferSide; ++i) {
    for (int j = 0; j < kBufferSide - 1; ++j) {
      gradient_sum += contribution(buffer[i * kBufferSide + j],
                                   buffer[i * kBufferSide + j + 1]);
    }
  }
  return std::min(gradient_sum / 90, 100);
}

const DctMatrixTable& DctMatrix() {
  static const DctMatrixTable matrix = MakeDctMatrix();
  return matrix;
}

void Dct(const Buffer64& buffer, Dct16& out) {
  // §9: T = D·A (16×64), then B = T·Dᵀ (16×16); every sum starts at +0 and
  // adds its 64 products in increasing k.
  const auto& matrix = DctMatrix();
  DctMatrixTable temp{};
  for (int i = 0; i < kDctSide; ++i) {
    float* row = temp.data() + static_cast<std::size_t>(i) * kBufferSide;
    for (int k = 0; k < kBufferSide; ++k) {
      const float weight = matrix[i * kBufferSide + k];
      const float* src =
          buffer.data() + static_cast<std::size_t>(k) * kBufferSide;
      for (int j = 0; j < kBufferSide; ++j) row[j] += weight * src[j];
    }
  }
  for (int i = 0; i < kDctSide; ++i) {
    const float* row = temp.data() + static_cast<std::size_t>(i) * kBufferSide;
    for (int j = 0; j < kDctSide; ++j) {
      const float* basis =
          matrix.data() + static_cast<std::size_t>(j) * kBufferSide;
      float sum = 0.0f;
      for (int k = 0; k < kBufferSide; ++k) sum += row[k] * basis[k];
      out[i * kDctSide + j] = sum;
    }
  }
}

PdqHash Threshold(const Dct16& dct) {
  // §10: the lower median is the 128th smallest value (index 127).
  Dct16 sorted = dct;
  auto median = sorted.begin() + (sorted.size() / 2 - 1);
  std::nth_element(sorted.begin(), median, sorted.end());
  const float threshold = *median;
  PdqHash hash;
  for (int k = 0; k < kDctSide * kDctSide; ++k) {
    if (dct[k] > threshold) hash.set_bit(k);
  }
  return hash;
}

namespace {

// Where DihedralDct() puts each coefficient k for each variant, with which
// sign, and which of the variants' sign patterns it uses: read off
// DihedralDct() itself, from a DCT whose values name their index.
struct DihedralTables {
  std::array<std::array<std::uint8_t, kDctCells>, kDihedralCount> to{};
  std::array<std::array<bool, kDctCells>, kDihedralCount> negated{};
  std::array<int, kDihedralCount> pattern{};
  int patterns = 0;
};

const DihedralTables& Tables() {
  static const DihedralTables tables = [] {
    DihedralTables t;
    Dct16 named{};
    for (std::size_t k = 0; k < kDctCells; ++k) {
      named[k] = static_cast<float>(k + 1);
    }
    for (int v = 0; v < kDihedralCount; ++v) {
      const Dct16 out = DihedralDct(named, v);
      for (std::size_t p = 0; p < kDctCells; ++p) {
        const auto k = static_cast<std::size_t>(std::abs(out[p])) - 1;
        t.to[v][k] = static_cast<std::uint8_t>(p);
        t.negated[v][k] = out[p] < 0;
      }
      t.pattern[v] = t.patterns;
      for (int w = 0; w < v; ++w) {
        if (t.negated[w] == t.negated[v]) {
          t.pattern[v] = t.pattern[w];
          break;
        }
      }
      if (t.pattern[v] == t.patterns) ++t.patterns;
    }
    return t;
  }();
  return tables;
}

}  // namespace

std::array<PdqHash, kDihedralCount> DihedralHashes(const Dct16& dct) {
  const DihedralTables& t = Tables();
  std::array<float, kDihedralCount> medians{};
  std::array<bool, kDihedralCount> done{};
  for (int v = 0; v < kDihedralCount; ++v) {
    const int pattern = t.pattern[v];
    if (done[pattern]) continue;
    done[pattern] = true;
    Dct16 signed_values;
    for (std::size_t k = 0; k < kDctCells; ++k) {
      signed_values[k] = t.negated[v][k] ? -dct[k] : dct[k];
    }
    // §10's lower median, of the same values in any order.
    auto median = signed_values.begin() + (kDctCells / 2 - 1);
    std::nth_element(signed_values.begin(), median, signed_values.end());
    medians[pattern] = *median;
  }
  std::array<PdqHash, kDihedralCount> hashes;
  for (int v = 0; v < kDihedralCount; ++v) {
    const float threshold = medians[t.pattern[v]];
    for (std::size_t k = 0; k < kDctCells; ++k) {
      const float value = t.negated[v][k] ? -dct[k] : dct[k];
      if (value > threshold) hashes[v].set_bit(t.to[v][k]);
    }
  }
  return hashes;
}

Dct16 DihedralDct(const Dct16& dct, int variant) {
  // §11: the table of sign flips and transpositions; even 0-based indices
  // are odd frequencies, whose basis functions change sign under a flip.
  Dct16 out{};
  for (int i = 0; i < kDctSide; ++i) {
    for (int j = 0; j < kDctSide; ++j) {
      const float value = dct[i * kDctSide + j];
      const bool i_even = i % 2 == 0;
      const bool j_even = j % 2 == 0;
      const bool sum_odd = (i + j) % 2 == 1;
      const int straight = i * kDctSide + j;
      const int transposed = j * kDctSide + i;
      switch (static_cast<Dihedral>(variant)) {
        case Dihedral::kOriginal:
          out[straight] = value;
          break;
        case Dihedral::kRotate90:
          out[transposed] = j_even ? -value : value;
          break;
        case Dihedral::kRotate180:
          out[straight] = sum_odd ? -value : value;
          break;
        case Dihedral::kRotate270:
          out[transposed] = i_even ? -value : value;
          break;
        case Dihedral::kFlipX:
          out[straight] = i_even ? -value : value;
          break;
        case Dihedral::kFlipY:
          out[straight] = j_even ? -value : value;
          break;
        case Dihedral::kFlipPlus1:
          out[transposed] = value;
          break;
        case Dihedral::kFlipMinus1:
          out[transposed] = sum_odd ? -value : value;
          break;
      }
    }
  }
  return out;
}

}  // namespace internal

std::string_view PdqModeName(PdqMode mode) {
  return mode == PdqMode::kCli ? "cli512" : "fullres";
}

Result<PdqMode> ParsePdqMode(std::string_view name) {
  if (name == "cli512") return PdqMode::kCli;
  if (name == "fullres") return PdqMode::kFullResolution;
  return InvalidArgumentError("unknown PDQ mode '" + std::string(name) +
                              "' (expected cli512 or fullres)");
}

std::string_view DihedralName(Dihedral variant) {
  static constexpr std::array<std::string_view, kDihedralCount> kNames = {
      "orig",  "rot90", "rot180",    "rot270",
      "flipx", "flipy", "flipplus1", "flipminus1"};
  return kNames[static_cast<int>(variant)];
}

PdqHasher::PdqHasher() = default;

Result<PdqResult> PdqHasher::Hash(const media::ImageView& image,
                                  const PdqOptions& options) {
  using internal::kBufferSide;
  if (!image.IsValid()) {
    return InvalidArgumentError("pixel buffer does not match " +
                                std::to_string(image.width) + "x" +
                                std::to_string(image.height) + " pixels");
  }
  PdqResult result;
  result.mode = options.mode;
  if (options.dihedral) result.dihedral.emplace();
  if (image.width < internal::kMinHashableSide ||
      image.height < internal::kMinHashableSide) {
    return result;  // §5: all-zero hashes, quality 0.
  }
  const auto [rows, cols] =
      internal::ComputeLuma(image, options.mode == PdqMode::kCli, luma_);

  internal::Buffer64 buffer{};
  internal::Dct16 dct{};
  const bool shortcut = rows == kBufferSide && cols == kBufferSide;
  if (shortcut) {
    // §5: the plain path copies a 64×64 luma straight in, unfiltered.
    std::copy(luma_.begin(), luma_.end(), buffer.begin());
    result.quality = internal::Quality(buffer);
    internal::Dct(buffer, dct);
    result.hash = internal::Threshold(dct);
    if (!options.dihedral) return result;
  }
  // The filtered path; for a 64×64 input only the dihedral hashes use it
  // (the reference's dihedral path has no shortcut — docs/PDQ.md).
  internal::FilterAndDecimate(luma_, scratch_, rows, cols, buffer);
  const int filtered_quality = internal::Quality(buffer);
  internal::Dct(buffer, dct);
  if (!shortcut) {
    result.quality = filtered_quality;
    result.hash = internal::Threshold(dct);
  }
  if (options.dihedral) *result.dihedral = internal::DihedralHashes(dct);
  return result;
}

}  // namespace rempart::hash
