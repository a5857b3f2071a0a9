// The PDQ forgery of forge.h.
//
// The change is kept as one 64×64 field in luma units, accumulated over the
// rounds, and the forgery is always rendered afresh from the untouched
// source plus that field: rounding and clamping never compound, and each
// round corrects what the previous rendering lost (to the box filter, to
// rounding, to pixels already at 0 or 255) by measuring the DCT the
// picture really has. Adding the same amount to R, G and B moves PDQ's luma
// by that amount, since its weights sum to one.
//
// Cell (i, j) of PDQ's 64×64 buffer samples the filtered picture at
// ((j + ½)·width/64, (i + ½)·height/64) (spec §7, after the 512×512 squash
// of kCli mode, which keeps those fractions), so the field is stretched by
// bilinear interpolation between those centres.
#include "rempart/eval/forge.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "hash/pdq_internal.h"

namespace rempart::eval {
namespace {

using hash::internal::kBufferSide;
using hash::internal::kDctSide;

using Field = std::array<double, hash::internal::kBufferCells>;

// PDQ's buffer, DCT and hash of `image` in kCli mode, as PdqHasher computes
// them (a picture that is 64×64 after the squash skips the filter, §5).
struct PdqState {
  hash::internal::Dct16 dct{};
  hash::PdqHash hash;
};

PdqState HashState(const media::ImageView& image, std::vector<float>& luma,
                   std::vector<float>& scratch) {
  const auto [rows, cols] = hash::internal::ComputeLuma(image, true, luma);
  hash::internal::Buffer64 buffer{};
  if (rows == kBufferSide && cols == kBufferSide) {
    std::copy(luma.begin(), luma.end(), buffer.begin());
  } else {
    hash::internal::FilterAndDecimate(luma, scratch, rows, cols, buffer);
  }
  PdqState state;
  hash::internal::Dct(buffer, state.dct);
  state.hash = hash::internal::Threshold(state.dct);
  return state;
}

// Bilinear weights from the 64 cell centres to `length` pixels.
struct Tap {
  int low = 0;
  int high = 0;
  double fraction = 0;  // Weight of `high`.
};

std::vector<Tap> Taps(int length) {
  std::vector<Tap> taps(length);
  for (int p = 0; p < length; ++p) {
    const double position =
        std::clamp((p + 0.5) * kBufferSide / length - 0.5, 0.0,
                   static_cast<double>(kBufferSide - 1));
    const int low = std::min(static_cast<int>(position), kBufferSide - 2);
    taps[p] = {low, low + 1, position - low};
  }
  return taps;
}

// source + field, rounded and clamped, into `out` (RGB).
void Render(const media::ImageView& source, const Field& field,
            const std::vector<Tap>& columns, const std::vector<Tap>& rows,
            media::Image& out) {
  const int channels = media::ChannelCount(source.format);
  std::array<double, kBufferSide> line{};
  for (int y = 0; y < source.height; ++y) {
    const Tap& row = rows[y];
    for (int j = 0; j < kBufferSide; ++j) {
      line[j] = (1 - row.fraction) * field[row.low * kBufferSide + j] +
                row.fraction * field[row.high * kBufferSide + j];
    }
    const std::uint8_t* in = source.row(y);
    std::uint8_t* dst = out.mutable_row(y);
    for (int x = 0; x < source.width; ++x) {
      const Tap& column = columns[x];
      const double change = (1 - column.fraction) * line[column.low] +
                            column.fraction * line[column.high];
      const std::uint8_t* pixel =
          in + static_cast<std::size_t>(x) * static_cast<std::size_t>(channels);
      for (int c = 0; c < 3; ++c) {
        const double value =
            std::floor(pixel[channels == 1 ? 0 : c] + change + 0.5);
        dst[3 * x + c] =
            static_cast<std::uint8_t>(std::clamp(value, 0.0, 255.0));
      }
    }
  }
}

// Steps 2 and 3 of forge.h: the 64×64 change that moves every coefficient
// to the target's side of the median by `margin` (a fraction of the
// spread), except the `spare` wrong bits that would cost most.
Field CoefficientChange(const hash::internal::Dct16& dct,
                        const hash::PdqHash& target, double margin, int spare) {
  hash::internal::Dct16 sorted = dct;
  auto middle = sorted.begin() + (sorted.size() / 2 - 1);
  std::nth_element(sorted.begin(), middle, sorted.end());
  const double median = *middle;
  double spread = 0;
  for (const float value : dct) spread += std::abs(value - median);
  spread /= static_cast<double>(dct.size());
  const double distance = margin * spread;

  std::array<double, hash::internal::kDctCells> change{};
  for (int k = 0; k < kDctSide * kDctSide; ++k) {
    if (target.bit(k)) {
      change[k] = std::max(0.0, median + distance - dct[k]);
    } else {
      change[k] = std::min(0.0, median - distance - dct[k]);
    }
  }
  // The `spare` dearest bits still wrong stay wrong.
  std::vector<std::pair<double, int>> wrong;
  for (int k = 0; k < kDctSide * kDctSide; ++k) {
    const bool set = dct[k] > median;
    if (set != target.bit(k)) wrong.emplace_back(std::abs(change[k]), k);
  }
  const auto left = std::min<std::ptrdiff_t>(
      spare, static_cast<std::ptrdiff_t>(wrong.size()));
  std::partial_sort(wrong.begin(), wrong.begin() + left, wrong.end(),
                    std::greater<>());
  for (auto it = wrong.begin(); it != wrong.begin() + left; ++it) {
    change[it->second] = 0;
  }
  // Δbuffer = Dᵀ·ΔC·D, D the 16×64 DCT matrix with orthonormal rows.
  const auto& matrix = hash::internal::DctMatrix();
  std::array<double, hash::internal::kDctMatrixCells> half{};  // ΔC·D
  for (int i = 0; i < kDctSide; ++i) {
    for (int j = 0; j < kDctSide; ++j) {
      const double weight = change[i * kDctSide + j];
      if (weight == 0) continue;
      for (int c = 0; c < kBufferSide; ++c) {
        half[i * kBufferSide + c] += weight * matrix[j * kBufferSide + c];
      }
    }
  }
  Field field{};
  for (int i = 0; i < kDctSide; ++i) {
    for (int r = 0; r < kBufferSide; ++r) {
      const double weight = matrix[i * kBufferSide + r];
      for (int c = 0; c < kBufferSide; ++c) {
        field[r * kBufferSide + c] += weight * half[i * kBufferSide + c];
      }
    }
  }
  return field;
}

}  // namespace

Result<Forgery> ForgePdqCollision(const media::ImageView& source,
                                  const hash::PdqHash& target,
                                  const ForgeOptions& options) {
  if (!source.IsValid()) {
    return InvalidArgumentError("pixel buffer does not match " +
                                std::to_string(source.width) + "x" +
                                std::to_string(source.height) + " pixels");
  }
  if (source.width < hash::internal::kMinHashableSide ||
      source.height < hash::internal::kMinHashableSide) {
    return InvalidArgumentError(
        "a picture under 5 pixels a side has no PDQ "
        "to forge");
  }
  if (options.goal < 0 || options.goal > hash::PdqHash::kBits ||
      options.max_rounds < 1 || !(options.initial_margin >= 0) ||
      !(options.margin_growth >= 1)) {
    return InvalidArgumentError(
        "forge options out of range (goal 0…256, max_rounds ≥ 1, "
        "initial_margin ≥ 0, margin_growth ≥ 1)");
  }
  const std::vector<Tap> columns = Taps(source.width);
  const std::vector<Tap> rows = Taps(source.height);
  std::vector<float> luma;
  std::vector<float> scratch;
  Field field{};
  media::Image current(source.width, source.height, media::PixelFormat::kRgb8);
  Forgery best;
  best.distance = hash::PdqHash::kBits + 1;
  double margin = options.initial_margin;
  for (int round = 0; round <= options.max_rounds; ++round) {
    Render(source, field, columns, rows, current);
    const PdqState state = HashState(current.view(), luma, scratch);
    const int distance = hash::Distance(state.hash, target);
    if (distance < best.distance) {
      best.image = current.Clone();
      best.hash = state.hash;
      best.distance = distance;
      best.rounds = round;
    }
    if (distance <= options.goal || round == options.max_rounds) break;
    const Field change =
        CoefficientChange(state.dct, target, margin, options.goal / 2);
    for (std::size_t i = 0; i < field.size(); ++i) field[i] += change[i];
    margin *= options.margin_growth;
  }

  const int channels = media::ChannelCount(source.format);
  std::uint64_t total = 0;
  int largest = 0;
  for (int y = 0; y < source.height; ++y) {
    const std::uint8_t* in = source.row(y);
    const std::uint8_t* out = best.image.row(y);
    for (int x = 0; x < source.width; ++x) {
      for (int c = 0; c < 3; ++c) {
        const int before = in[static_cast<std::size_t>(x) * channels +
                              (channels == 1 ? 0 : c)];
        const int change = std::abs(out[3 * x + c] - before);
        total += static_cast<std::uint64_t>(change);
        largest = std::max(largest, change);
      }
    }
  }
  best.mean_absolute_change =
      static_cast<double>(total) /
      (3.0 * static_cast<double>(source.width) * source.height);
  best.max_absolute_change = largest;
  return best;
}

}  // namespace rempart::eval
