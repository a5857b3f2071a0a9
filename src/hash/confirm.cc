// The confirmation hash.
//
// Three steps, each chosen to share nothing with PDQ's pipeline but the
// luma weights:
//
// 1. Thumbnail. The picture is averaged to 32×32 cells, each the exact
//    mean of the pixels it covers, fractions of pixels included. Scaling
//    every coordinate by 32 makes cell i of a side of L pixels the interval
//    [i·L, (i+1)·L) and pixel p the interval [32p, 32p + 32), so every
//    overlap is an integer and the sums of R, G and B are exact 64-bit
//    integers: the thumbnail does not depend on summation order, and a
//    turned or mirrored picture gives exactly the turned thumbnail.
//
// 2. Whitened spectrum. The orthonormal 32×32 DCT-II of the thumbnail keeps
//    the coefficients (u, v) with 0 < u² + v² ≤ 16² — a quarter disc of
//    frequencies up to 8 cycles per side, both axes included — and scales
//    each by √(u² + v²). Photographs have amplitude spectra close to 1/f;
//    without this flattening the few lowest frequencies (a bright sky over
//    dark ground) dominate every projection, and unrelated photos share
//    many bits (measured: 1% of pairs of different corpus photos within
//    66 bits with plain low-pass patterns, against within 104 here). The
//    cosine table is computed by a Taylor series in plain arithmetic rather
//    than std::cos, whose last bit differs between C libraries.
//
// 3. Projections. Projection k is the sum of those coefficients with the
//    signs of pattern k; bit k is set when projection k is strictly above
//    the lower median of the 256 (PDQ's rule, so about half the bits are
//    set). The patterns are xoshiro256** output seeded by SHA-256 of the
//    key.
#include "rempart/hash/confirm.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <string>
#include <vector>

#include "hash/pdq_internal.h"
#include "rempart/core/random.h"
#include "rempart/hash/digest.h"

namespace rempart::hash {
namespace {

constexpr int kThumbSide = 32;
constexpr int kThumbCells = kThumbSide * kThumbSide;
// Largest radius u² + v² ≤ kBandRadius² of the kept frequencies.
constexpr int kBandRadius = 16;
constexpr int kBandSide = kBandRadius + 1;  // u, v in 0…16.
// A thumbnail whose values span less than this many grey levels is flat:
// its coefficients would be rounding residue.
constexpr double kFlatRange = 1.0 / 64;
// Scales the thumbnail's gradient sum to PDQ's quality: the median ratio of
// the two (before PDQ's cap at 100) over the corpus photos, sharp and
// blurred.
constexpr double kQualityDivisor = 42.0;

constexpr double kLumaRed = 0.299;
constexpr double kLumaGreen = 0.587;
constexpr double kLumaBlue = 0.114;

// One kept coefficient of the band, in the order bits of a pattern use.
struct BandEntry {
  int u = 0;  // Vertical frequency (row index of the DCT).
  int v = 0;  // Horizontal frequency.
  double weight = 0;
};

std::vector<BandEntry> MakeBand() {
  std::vector<BandEntry> band;
  for (int u = 0; u < kBandSide; ++u) {
    for (int v = 0; v < kBandSide; ++v) {
      const int squared = u * u + v * v;
      if (squared == 0 || squared > kBandRadius * kBandRadius) continue;
      band.push_back({u, v, std::sqrt(static_cast<double>(squared))});
    }
  }
  // One bit of a 256-bit pattern per coefficient.
  assert(band.size() <= static_cast<std::size_t>(PdqHash::kBits));
  return band;
}

const std::vector<BandEntry>& Band() {
  static const std::vector<BandEntry> band = MakeBand();
  // One bit of a 256-bit pattern per coefficient.
  assert(band.size() <= static_cast<std::size_t>(PdqHash::kBits));
  return band;
}

// cos(π·m/64) for any integer m ≥ 0, reduced to [0, π/2] by symmetry and
// summed as a Taylor series in plain double arithmetic (the terms beyond
// the 13th are below 1e-19).
double CosineOf64th(int m) {
  m %= 128;
  if (m > 64) m = 128 - m;
  double sign = 1.0;
  if (m > 32) {
    m = 64 - m;
    sign = -1.0;
  }
  const double angle = std::numbers::pi * m / 64;
  const double square = angle * angle;
  double term = 1.0;
  double sum = 1.0;
  for (int n = 1; n <= 13; ++n) {
    term = -term * square / ((2.0 * n - 1) * (2.0 * n));
    sum += term;
  }
  return sign * sum;
}

// Rows 0…16 of the orthonormal 32-point DCT-II matrix: row u, sample r is
// s(u)·cos(π·u·(2r + 1)/64).
using DctRows = std::array<std::array<double, kThumbSide>, kBandSide>;

DctRows MakeDctRows() {
  DctRows rows{};
  const double scale_zero = std::sqrt(1.0 / kThumbSide);
  const double scale = std::sqrt(2.0 / kThumbSide);
  for (int u = 0; u < kBandSide; ++u) {
    for (int r = 0; r < kThumbSide; ++r) {
      rows[u][r] =
          (u == 0 ? scale_zero : scale) * CosineOf64th(u * (2 * r + 1));
    }
  }
  return rows;
}

const DctRows& DctTable() {
  static const DctRows rows = MakeDctRows();
  return rows;
}

// The cells a side of `length` pixels is averaged into: for each pixel, the
// cells it overlaps and by how much (in 1/32 of a pixel).
struct Overlap {
  int pixel = 0;
  int cell = 0;
  std::uint64_t amount = 0;
};

std::vector<Overlap> Overlaps(int length) {
  std::vector<Overlap> overlaps;
  overlaps.reserve(static_cast<std::size_t>(length) + kThumbSide);
  const std::int64_t cell_length = length;
  for (int pixel = 0; pixel < length; ++pixel) {
    const std::int64_t start = std::int64_t{kThumbSide} * pixel;
    const std::int64_t end = start + kThumbSide;
    for (auto cell = static_cast<int>(start / cell_length);
         cell < kThumbSide && cell * cell_length < end; ++cell) {
      const std::int64_t low = std::max(start, cell * cell_length);
      const std::int64_t high = std::min(end, (cell + 1) * cell_length);
      if (high > low) {
        overlaps.push_back(
            {pixel, cell, static_cast<std::uint64_t>(high - low)});
      }
    }
  }
  return overlaps;
}

using Thumbnail = std::array<double, kThumbCells>;

// Step 1: the exact area average of the luma, row-major.
Thumbnail MakeThumbnail(const media::ImageView& image) {
  const int channels = media::ChannelCount(image.format);
  const std::vector<Overlap> columns = Overlaps(image.width);
  const std::vector<Overlap> rows = Overlaps(image.height);
  // sums[channel][cell]; row_sums[channel][column cell].
  std::vector<std::uint64_t> sums(static_cast<std::size_t>(channels) *
                                  kThumbCells);
  std::vector<std::uint64_t> row_sums(static_cast<std::size_t>(channels) *
                                      kThumbSide);
  auto next_row = rows.begin();
  for (int y = 0; y < image.height; ++y) {
    std::fill(row_sums.begin(), row_sums.end(), 0);
    const std::uint8_t* pixels = image.row(y);
    for (const Overlap& column : columns) {
      const std::uint8_t* pixel =
          pixels + static_cast<std::size_t>(column.pixel) * channels;
      for (int c = 0; c < channels; ++c) {
        row_sums[c * kThumbSide + column.cell] += column.amount * pixel[c];
      }
    }
    for (; next_row != rows.end() && next_row->pixel == y; ++next_row) {
      for (int c = 0; c < channels; ++c) {
        std::uint64_t* cells =
            sums.data() + static_cast<std::size_t>(c) * kThumbCells +
            static_cast<std::size_t>(next_row->cell) * kThumbSide;
        const std::uint64_t* add =
            row_sums.data() + static_cast<std::size_t>(c) * kThumbSide;
        for (int x = 0; x < kThumbSide; ++x) {
          cells[x] += next_row->amount * add[x];
        }
      }
    }
  }
  // Each cell covers width·height in (1/32 pixel)² units.
  const double area = static_cast<double>(image.width) * image.height;
  Thumbnail thumbnail{};
  for (int i = 0; i < kThumbCells; ++i) {
    if (channels == 1) {
      thumbnail[i] = static_cast<double>(sums[i]) / area;
    } else {
      const double red = kLumaRed * static_cast<double>(sums[i]);
      const double green =
          kLumaGreen * static_cast<double>(sums[kThumbCells + i]);
      const double blue =
          kLumaBlue * static_cast<double>(sums[2 * kThumbCells + i]);
      thumbnail[i] = (red + green + blue) / area;
    }
  }
  return thumbnail;
}

int QualityOf(const Thumbnail& thumbnail) {
  double gradient_sum = 0;
  for (int y = 0; y < kThumbSide; ++y) {
    for (int x = 0; x < kThumbSide; ++x) {
      const double value = thumbnail[y * kThumbSide + x];
      if (x + 1 < kThumbSide) {
        gradient_sum += std::abs(value - thumbnail[y * kThumbSide + x + 1]);
      }
      if (y + 1 < kThumbSide) {
        gradient_sum += std::abs(value - thumbnail[(y + 1) * kThumbSide + x]);
      }
    }
  }
  const double quality = gradient_sum * 100.0 / 255.0 / kQualityDivisor;
  return static_cast<int>(std::min(quality, 100.0));
}

// Step 2: coefficient (u, v) for u, v in 0…16.
using Spectrum = std::array<std::array<double, kBandSide>, kBandSide>;

Spectrum Dct(const Thumbnail& thumbnail) {
  const DctRows& table = DctTable();
  // Columns first: partial[u][x] = Σ_y table[u][y]·thumbnail[y][x].
  std::array<std::array<double, kThumbSide>, kBandSide> partial{};
  for (int u = 0; u < kBandSide; ++u) {
    for (int y = 0; y < kThumbSide; ++y) {
      const double weight = table[u][y];
      for (int x = 0; x < kThumbSide; ++x) {
        partial[u][x] += weight * thumbnail[y * kThumbSide + x];
      }
    }
  }
  Spectrum spectrum{};
  for (int u = 0; u < kBandSide; ++u) {
    for (int v = 0; v < kBandSide; ++v) {
      double sum = 0;
      for (int x = 0; x < kThumbSide; ++x) sum += partial[u][x] * table[v][x];
      spectrum[u][v] = sum;
    }
  }
  return spectrum;
}

// The spectrum of the thumbnail turned as `variant` says (Dihedral order).
// Mirroring rows multiplies frequency u by (-1)^u; turning by a quarter
// also swaps u and v.
Spectrum TurnSpectrum(const Spectrum& spectrum, Dihedral variant) {
  Spectrum out{};
  for (int u = 0; u < kBandSide; ++u) {
    for (int v = 0; v < kBandSide; ++v) {
      const double straight = spectrum[u][v];
      const double transposed = spectrum[v][u];
      const double odd_u = u % 2 == 1 ? -1.0 : 1.0;
      const double odd_v = v % 2 == 1 ? -1.0 : 1.0;
      double value = straight;
      switch (variant) {
        case Dihedral::kOriginal:
          break;
        case Dihedral::kRotate90:
          value = odd_u * transposed;
          break;
        case Dihedral::kRotate180:
          value = odd_u * odd_v * straight;
          break;
        case Dihedral::kRotate270:
          value = odd_v * transposed;
          break;
        case Dihedral::kFlipX:
          value = odd_u * straight;
          break;
        case Dihedral::kFlipY:
          value = odd_v * straight;
          break;
        case Dihedral::kFlipPlus1:
          value = transposed;
          break;
        case Dihedral::kFlipMinus1:
          value = odd_u * odd_v * transposed;
          break;
      }
      out[u][v] = value;
    }
  }
  return out;
}

}  // namespace

ConfirmHasher::ConfirmHasher(std::span<const std::uint8_t> key) {
  if (key.empty()) {
    key = {reinterpret_cast<const std::uint8_t*>(kConfirmDefaultKey.data()),
           kConfirmDefaultKey.size()};
  }
  const Sha256Digest digest = Sha256(key);
  std::array<std::uint64_t, 4> state{};
  for (int i = 0; i < 32; ++i) {
    state[i / 8] |= std::uint64_t{digest[i]} << (8 * (i % 8));
  }
  rempart::Xoshiro256 random(state);
  for (auto& pattern : patterns_) {
    for (std::uint64_t& word : pattern) word = random.Next();
  }
}

Result<ConfirmResult> ConfirmHasher::Hash(const media::ImageView& image,
                                          const ConfirmOptions& options) const {
  if (!image.IsValid()) {
    return InvalidArgumentError("pixel buffer does not match " +
                                std::to_string(image.width) + "x" +
                                std::to_string(image.height) + " pixels");
  }
  ConfirmResult result;
  if (options.dihedral) result.dihedral.emplace();
  if (image.width < internal::kMinHashableSide ||
      image.height < internal::kMinHashableSide) {
    return result;
  }
  const Thumbnail thumbnail = MakeThumbnail(image);
  const auto [low, high] =
      std::minmax_element(thumbnail.begin(), thumbnail.end());
  if (*high - *low < kFlatRange) return result;
  result.quality = QualityOf(thumbnail);

  const std::vector<BandEntry>& band = Band();
  const Spectrum spectrum = Dct(thumbnail);
  auto hash_of = [&](const Spectrum& turned) {
    std::vector<double> whitened(band.size());
    for (std::size_t i = 0; i < band.size(); ++i) {
      whitened[i] = turned[band[i].u][band[i].v] * band[i].weight;
    }
    std::array<double, PdqHash::kBits> projections{};
    for (int k = 0; k < PdqHash::kBits; ++k) {
      double sum = 0;
      for (std::size_t i = 0; i < whitened.size(); ++i) {
        const bool positive = ((patterns_[k][i / 64] >> (i % 64)) & 1u) != 0;
        sum += positive ? whitened[i] : -whitened[i];
      }
      projections[k] = sum;
    }
    std::array<double, PdqHash::kBits> sorted = projections;
    auto median = sorted.begin() + (sorted.size() / 2 - 1);
    std::nth_element(sorted.begin(), median, sorted.end());
    ConfirmHash hash;
    for (int k = 0; k < PdqHash::kBits; ++k) {
      if (projections[k] > *median) hash.set_bit(k);
    }
    return hash;
  };
  result.hash = hash_of(spectrum);
  if (options.dihedral) {
    (*result.dihedral)[0] = result.hash;
    for (int variant = 1; variant < kDihedralCount; ++variant) {
      (*result.dihedral)[variant] =
          hash_of(TurnSpectrum(spectrum, static_cast<Dihedral>(variant)));
    }
  }
  return result;
}

}  // namespace rempart::hash
