#include "rempart/hash/patches.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "rempart/core/hex.h"
#include "tests/support/picture_edits.h"
#include "tests/support/textured_picture.h"

namespace rempart::hash {
namespace {

using media::Image;
using media::PixelFormat;
using testing::TexturedPicture;

// `image` scaled down by 2 on each side, each pixel the mean of a 2×2 box.
Image HalfSize(const Image& image) {
  Image half(image.width() / 2, image.height() / 2, image.format());
  const int channels = image.channels();
  for (int y = 0; y < half.height(); ++y) {
    const std::uint8_t* top = image.row(2 * y);
    const std::uint8_t* bottom = image.row(2 * y + 1);
    std::uint8_t* out = half.mutable_row(y);
    for (int x = 0; x < half.width(); ++x) {
      for (int c = 0; c < channels; ++c) {
        const int left = 2 * x * channels + c;
        const int right = left + channels;
        out[x * channels + c] = static_cast<std::uint8_t>(
            (top[left] + top[right] + bottom[left] + bottom[right] + 2) / 4);
      }
    }
  }
  return half;
}

// `image` mirrored left to right.
Image Mirrored(const Image& image) {
  Image mirrored(image.width(), image.height(), image.format());
  const int channels = image.channels();
  for (int y = 0; y < image.height(); ++y) {
    const std::uint8_t* in = image.row(y);
    std::uint8_t* out = mirrored.mutable_row(y);
    for (int x = 0; x < image.width(); ++x) {
      std::copy(in + x * channels, in + (x + 1) * channels,
                out + (image.width() - 1 - x) * channels);
    }
  }
  return mirrored;
}

Image Flat(int width, int height, std::uint8_t grey) {
  Image image(width, height, PixelFormat::kRgb8);
  std::fill(image.mutable_pixels().begin(), image.mutable_pixels().end(), grey);
  return image;
}

std::vector<Patch> HashOrDie(const Image& image,
                             const PatchOptions& options = {}) {
  PatchHasher hasher;
  auto patches = hasher.Hash(image.view(), options);
  EXPECT_TRUE(patches) << patches.error().message();
  return patches ? std::move(*patches) : std::vector<Patch>{};
}

// The smallest distance from `hash` to any of `hashes`.
int Nearest(const PdqHash& hash, const std::vector<PdqHash>& hashes) {
  int best = PdqHash::kBits;
  for (const PdqHash& other : hashes) {
    best = std::min(best, Distance(hash, other));
  }
  return best;
}

// The share of `query`'s patches with a hash within `radius` of one of
// `hashes`.
double ShareFound(const std::vector<Patch>& query,
                  const std::vector<PdqHash>& hashes, int radius) {
  if (query.empty()) return 0;
  int found = 0;
  for (const Patch& patch : query) {
    if (Nearest(patch.hash, hashes) <= radius) ++found;
  }
  return static_cast<double>(found) / static_cast<double>(query.size());
}

std::vector<PdqHash> HashesOf(const std::vector<Patch>& patches) {
  std::vector<PdqHash> hashes;
  hashes.reserve(patches.size());
  for (const Patch& patch : patches) hashes.push_back(patch.hash);
  return hashes;
}

void ExpectSamePatches(const std::vector<Patch>& a,
                       const std::vector<Patch>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].x, b[i].x) << "patch " << i;
    EXPECT_EQ(a[i].y, b[i].y) << "patch " << i;
    EXPECT_EQ(a[i].side, b[i].side) << "patch " << i;
    EXPECT_EQ(a[i].hash, b[i].hash) << "patch " << i;
    EXPECT_EQ(a[i].quality, b[i].quality) << "patch " << i;
    EXPECT_EQ(a[i].dihedral, b[i].dihedral) << "patch " << i;
    EXPECT_EQ(a[i].turned, b[i].turned) << "patch " << i;
  }
}

TEST(PatchHasherTest, RefusesAViewWhoseBufferDoesNotMatch) {
  const std::vector<std::uint8_t> pixels(10 * 10 * 3 - 1);
  const media::ImageView view{10, 10, PixelFormat::kRgb8, pixels};
  PatchHasher hasher;
  auto patches = hasher.Hash(view);
  ASSERT_FALSE(patches);
  EXPECT_EQ(patches.error().code(), StatusCode::kInvalidArgument);
  const media::ImageView empty{0, 0, PixelFormat::kGray8, {}};
  EXPECT_FALSE(hasher.Hash(empty));
}

TEST(PatchHasherTest, TinyAndFlatPicturesHaveNoPatches) {
  EXPECT_TRUE(HashOrDie(Flat(1, 1, 90)).empty());
  EXPECT_TRUE(HashOrDie(Flat(10, 10, 90)).empty());
  EXPECT_TRUE(HashOrDie(Flat(400, 300, 200)).empty());
  EXPECT_TRUE(HashOrDie(Flat(2000, 3, 10)).empty());
  Image grey(400, 300, PixelFormat::kGray8);
  EXPECT_TRUE(HashOrDie(grey).empty());
}

TEST(PatchHasherTest, TinyTexturedPicturesAreHashedSafely) {
  // Pictures smaller than the detector's unit are interpolated up; what
  // they give must still be well formed.
  for (const auto& [width, height] :
       {std::pair{1, 1}, {2, 3}, {10, 10}, {17, 5}}) {
    for (const Patch& patch : HashOrDie(TexturedPicture(3, width, height))) {
      EXPECT_GE(patch.x, 0.0f);
      EXPECT_LE(patch.x, 1.0f);
      EXPECT_GT(patch.side, 0.0f);
      EXPECT_LE(patch.side, 1.0f);
    }
  }
}

TEST(PatchHasherTest, TexturedPictureHasWellFormedPatches) {
  const Image picture = TexturedPicture(1);
  PatchOptions options;
  const auto patches = HashOrDie(picture, options);
  ASSERT_GE(patches.size(), 5u);
  EXPECT_LE(static_cast<int>(patches.size()), options.max_patches);
  for (const Patch& patch : patches) {
    EXPECT_GE(patch.x, 0.0f);
    EXPECT_LE(patch.x, 1.0f);
    EXPECT_GE(patch.y, 0.0f);
    EXPECT_LE(patch.y, 1.0f);
    EXPECT_GT(patch.side, 0.0f);
    EXPECT_LE(patch.side, 1.0f);
    // The window lies inside the picture (sides are fractions of the
    // longer side), give or take a pixel of the detector's unit.
    const float half = patch.side * 400 / 2;
    EXPECT_GE(patch.x * 400 - half, -2.0f);
    EXPECT_LE(patch.x * 400 + half, 402.0f);
    EXPECT_GE(patch.y * 300 - half, -2.0f);
    EXPECT_LE(patch.y * 300 + half, 302.0f);
    EXPECT_GE(patch.quality, options.min_quality);
    EXPECT_LE(patch.quality, 100);
    EXPECT_FALSE(patch.dihedral.has_value());
    EXPECT_TRUE(patch.turned.empty());
  }
  // Distinct places: no two patches share both centre and side.
  for (std::size_t i = 0; i < patches.size(); ++i) {
    for (std::size_t j = i + 1; j < patches.size(); ++j) {
      EXPECT_FALSE(patches[i].x == patches[j].x &&
                   patches[i].y == patches[j].y &&
                   patches[i].side == patches[j].side)
          << i << " and " << j;
    }
  }
}

TEST(PatchHasherTest, OptionsBoundTheCountAndTheQuality) {
  const Image picture = TexturedPicture(2);
  PatchOptions few;
  few.max_patches = 3;
  EXPECT_EQ(HashOrDie(picture, few).size(), 3u);
  PatchOptions none;
  none.max_patches = 0;
  EXPECT_TRUE(HashOrDie(picture, none).empty());
  PatchOptions strict;
  strict.min_quality = 90;
  strict.max_patches = 200;
  PatchOptions lenient = strict;
  lenient.min_quality = 0;
  const auto strict_patches = HashOrDie(picture, strict);
  const auto lenient_patches = HashOrDie(picture, lenient);
  EXPECT_LT(strict_patches.size(), lenient_patches.size());
  for (const Patch& patch : strict_patches) EXPECT_GE(patch.quality, 90);
}

TEST(PatchHasherTest, SmallPicturesScaledUpKeepOnlyTheirOwnScales) {
  // 200 pixels on the longer side, worked on at 800: blobs finer than
  // min_source_sigma pixels of the picture exist only by interpolation.
  const Image picture = HalfSize(TexturedPicture(6));
  const int longer = std::max(picture.width(), picture.height());
  PatchOptions any;
  any.work_side = 4 * longer;
  any.min_sigma = 3.0f;
  any.max_patches = 200;
  PatchOptions limited = any;
  limited.min_source_sigma = 2.0f;
  const auto all_patches = HashOrDie(picture, any);
  const auto limited_patches = HashOrDie(picture, limited);
  ASSERT_FALSE(limited_patches.empty());
  EXPECT_LT(limited_patches.size(), all_patches.size());
  // A side is 10 blob scales, in fractions of the longer side.
  const auto narrowest = [&](const std::vector<Patch>& patches) {
    float side = 1.0f;
    for (const Patch& patch : patches) side = std::min(side, patch.side);
    return side * static_cast<float>(longer) / 10.0f;
  };
  EXPECT_LT(narrowest(all_patches), 2.0f);
  EXPECT_GE(narrowest(limited_patches), 2.0f * 0.999f);
}

TEST(PatchHasherTest, IsDeterministic) {
  const Image picture = TexturedPicture(4);
  PatchOptions options;
  options.dihedral = true;
  options.turns = {-5.0f, 5.0f};
  PatchHasher hasher;
  auto first = hasher.Hash(picture.view(), options);
  // The hasher's scratch memory holds another picture in between.
  ASSERT_TRUE(hasher.Hash(TexturedPicture(5, 640, 480).view(), options));
  auto second = hasher.Hash(picture.view(), options);
  ASSERT_TRUE(first && second);
  ASSERT_FALSE(first->empty());
  ExpectSamePatches(*first, *second);
  ExpectSamePatches(*first, HashOrDie(picture, options));
}

TEST(PatchHasherTest, DihedralVariantsOnlyWhenAsked) {
  const Image picture = TexturedPicture(7);
  const auto plain = HashOrDie(picture);
  ASSERT_FALSE(plain.empty());
  for (const Patch& patch : plain) EXPECT_FALSE(patch.dihedral.has_value());
  PatchOptions options;
  options.dihedral = true;
  const auto with = HashOrDie(picture, options);
  ASSERT_EQ(with.size(), plain.size());
  for (std::size_t i = 0; i < with.size(); ++i) {
    ASSERT_TRUE(with[i].dihedral.has_value());
    EXPECT_EQ(with[i].hash, plain[i].hash);
    const auto& variants = *with[i].dihedral;
    EXPECT_EQ(variants[static_cast<int>(Dihedral::kOriginal)], with[i].hash);
    // The variants are other hashes (a window is not symmetric).
    EXPECT_NE(variants[static_cast<int>(Dihedral::kFlipY)], with[i].hash);
  }
}

TEST(PatchHasherTest, MirrorVariantsFindTheMirroredPicture) {
  const Image picture = TexturedPicture(8);
  PatchOptions options;
  options.dihedral = true;
  const auto original = HashOrDie(picture, options);
  const auto mirrored = HashOrDie(Mirrored(picture));
  ASSERT_FALSE(original.empty());
  ASSERT_FALSE(mirrored.empty());
  std::vector<PdqHash> flipped;
  flipped.reserve(original.size());
  for (const Patch& patch : original) {
    flipped.push_back((*patch.dihedral)[static_cast<int>(Dihedral::kFlipY)]);
  }
  EXPECT_GE(ShareFound(mirrored, flipped, 40), 0.5);
}

TEST(PatchHasherTest, OneTurnedHashPerAngle) {
  const Image picture = TexturedPicture(9);
  for (const std::vector<float>& turns :
       {std::vector<float>{}, {8.0f}, {-8.0f, -4.0f, 4.0f, 8.0f}}) {
    PatchOptions options;
    options.turns = turns;
    const auto patches = HashOrDie(picture, options);
    ASSERT_FALSE(patches.empty());
    for (const Patch& patch : patches) {
      EXPECT_EQ(patch.turned.size(), turns.size());
    }
  }
  // A turn of 0° samples the same window as the patch itself.
  PatchOptions zero;
  zero.turns = {0.0f};
  for (const Patch& patch : HashOrDie(picture, zero)) {
    ASSERT_EQ(patch.turned.size(), 1u);
    EXPECT_EQ(patch.turned[0], patch.hash);
  }
}

TEST(PatchHasherTest, PassesAppendEachLookWithoutTurns) {
  const Image picture = TexturedPicture(12);
  PatchOptions main;
  main.max_patches = 20;
  main.dihedral = true;
  main.turns = {-4.0f, 4.0f};
  PatchOptions coarse = main;
  coarse.work_side = 256;
  coarse.max_patches = 8;
  coarse.turns.clear();
  PatchOptions fine = main;
  fine.work_side = 900;
  fine.max_patches = 12;
  fine.turns.clear();
  const auto alone = HashOrDie(picture, main);
  const auto coarser = HashOrDie(picture, coarse);
  const auto finer = HashOrDie(picture, fine);
  ASSERT_FALSE(alone.empty());
  ASSERT_FALSE(coarser.empty());
  ASSERT_FALSE(finer.empty());

  PatchOptions looks = main;
  looks.passes = {{256, 8}, {900, 12}};
  const auto all = HashOrDie(picture, looks);
  ASSERT_EQ(all.size(), alone.size() + coarser.size() + finer.size());
  std::vector<Patch> expected = alone;
  expected.insert(expected.end(), coarser.begin(), coarser.end());
  expected.insert(expected.end(), finer.begin(), finer.end());
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].hash, expected[i].hash) << "patch " << i;
    EXPECT_EQ(all[i].x, expected[i].x) << "patch " << i;
    EXPECT_EQ(all[i].side, expected[i].side) << "patch " << i;
    EXPECT_TRUE(all[i].dihedral.has_value()) << "patch " << i;
    EXPECT_EQ(all[i].turned.size(), i < alone.size() ? 2u : 0u)
        << "patch " << i;
  }
  // The coarse look's windows are larger than the main look's smallest.
  const auto smallest = [](const std::vector<Patch>& patches) {
    float side = 1;
    for (const Patch& patch : patches) side = std::min(side, patch.side);
    return side;
  };
  EXPECT_GT(smallest(coarser), smallest(alone));
  EXPECT_LT(smallest(finer), smallest(alone));
}

TEST(PatchHasherTest, SignHashesTheCentredCropsAsked) {
  // Larger than kCropWorkSide, so that the crops are hashed averaged down.
  const Image picture = TexturedPicture(21, 1000, 750);
  PatchHasher hasher;
  auto bank = hasher.Sign(picture.view(), BankPatchOptions());
  ASSERT_TRUE(bank) << bank.error().message();
  const std::vector<float> keeps = BankPatchOptions().crop_keeps;
  ASSERT_EQ(keeps.size(), 6u);
  EXPECT_EQ(keeps.front(), 1.0f);
  ASSERT_EQ(bank->crops.size(), keeps.size());
  for (std::size_t i = 0; i < keeps.size(); ++i) {
    const CentredCrop& crop = bank->crops[i];
    EXPECT_EQ(crop.keep, keeps[i]);
    EXPECT_FALSE(crop.dihedral.has_value());
    EXPECT_GE(crop.quality, BankPatchOptions().min_quality);
    if (i > 0) {
      // Each a fifth smaller than the last, and a different picture.
      EXPECT_NEAR(keeps[i - 1] / keeps[i], 1.2f, 1e-4f);
      EXPECT_GT(Distance(crop.hash, bank->crops[i - 1].hash), 31) << i;
    }
    // The same crop cut by hand and hashed whole lands on it (within PDQ's
    // match distance: cut at full size, then averaged down, its pixels
    // differ a little).
    const int width = static_cast<int>(std::lround(1000 * crop.keep));
    const int height = static_cast<int>(std::lround(750 * crop.keep));
    const Image cut = testing::Crop(picture, (1000 - width) / 2,
                                    (750 - height) / 2, width, height);
    PatchOptions whole;
    whole.max_patches = 0;
    whole.crop_keeps = {1.0f};
    auto copy = hasher.Sign(cut.view(), whole);
    ASSERT_TRUE(copy) << copy.error().message();
    ASSERT_EQ(copy->crops.size(), 1u);
    EXPECT_LE(Distance(copy->crops[0].hash, crop.hash), 31) << "crop " << i;
  }

  // A query's crops come with their dihedral variants; Hash() has none.
  auto query = hasher.Sign(picture.view(), QueryPatchOptions());
  ASSERT_TRUE(query) << query.error().message();
  ASSERT_EQ(query->crops.size(), QueryPatchOptions().crop_keeps.size());
  EXPECT_EQ(query->crops.size(), 10u);
  EXPECT_NEAR(query->crops.back().keep * 1.2f, 1.0f, 0.03f);
  for (const CentredCrop& crop : query->crops) {
    ASSERT_TRUE(crop.dihedral.has_value());
    EXPECT_EQ((*crop.dihedral)[0], crop.hash);
  }
  EXPECT_EQ(bank->patches.size(),
            HashOrDie(picture, BankPatchOptions()).size());
}

TEST(PatchHasherTest, CropsTooSmallOrTooFlatAreLeftOut) {
  PatchOptions options;
  options.crop_keeps = {1.0f, 0.5f, 0.1f,
                        0.0f, 1.5f, std::numeric_limits<float>::quiet_NaN()};
  options.min_quality = 0;
  PatchHasher hasher;
  // 0.1 of 40 pixels is 4, under PDQ's 5; 0, 1.5 and NaN are not keeps.
  auto small = hasher.Sign(TexturedPicture(3, 40, 40).view(), options);
  ASSERT_TRUE(small) << small.error().message();
  ASSERT_EQ(small->crops.size(), 2u);
  EXPECT_EQ(small->crops[0].keep, 1.0f);
  EXPECT_EQ(small->crops[1].keep, 0.5f);
  // A flat picture has no crop of PDQ quality min_quality or more.
  options.min_quality = 1;
  auto flat = hasher.Sign(Flat(300, 200, 90).view(), options);
  ASSERT_TRUE(flat) << flat.error().message();
  EXPECT_TRUE(flat->crops.empty());
  EXPECT_TRUE(flat->empty());
}

TEST(PatchProbeTest, SignKeepsAProbeOnlyWhenAsked) {
  const Image picture = TexturedPicture(5);
  PatchHasher hasher;
  std::shared_ptr<const PatchProbe> probe;
  auto with = hasher.Sign(picture.view(), QueryPatchOptions(), &probe);
  ASSERT_TRUE(with) << with.error().message();
  ASSERT_NE(probe, nullptr);
  // The probe changes nothing of the patches.
  auto without = hasher.Sign(picture.view(), QueryPatchOptions());
  ASSERT_TRUE(without) << without.error().message();
  ExpectSamePatches(with->patches, without->patches);
}

// The probe hashes a patch's own window, in every pose, as the look did:
// it samples the same planes the same way.
TEST(PatchProbeTest, HashesEachPatchsWindowAsTheLookDid) {
  PatchOptions options;
  options.max_patches = 40;
  options.dihedral = true;
  options.turns = {-8.0f, 4.0f};
  PatchHasher hasher;
  std::shared_ptr<const PatchProbe> kept;
  auto signature = hasher.Sign(TexturedPicture(6).view(), options, &kept);
  ASSERT_TRUE(signature) << signature.error().message();
  ASSERT_GE(signature->patches.size(), 10u);
  const PatchProbe& probe = *kept;
  for (const Patch& patch : signature->patches) {
    PatchProbe::Window window{patch.x, patch.y, patch.side, 0, 0};
    for (int v = 0; v < kDihedralCount; ++v) {
      window.dihedral = v;
      const auto seen = probe.Hash(window);
      ASSERT_TRUE(seen.has_value()) << "pose " << v;
      // Positions go through a fraction and back: a rounding apart.
      EXPECT_LE(Distance(seen->hash, (*patch.dihedral)[v]), 2) << "pose " << v;
      EXPECT_NEAR(seen->quality, patch.quality, 1);
      EXPECT_EQ(seen->x, patch.x);
      EXPECT_EQ(seen->side, patch.side);
    }
    window.dihedral = 0;
    for (std::size_t t = 0; t < options.turns.size(); ++t) {
      window.degrees = options.turns[t];
      const auto seen = probe.Hash(window);
      ASSERT_TRUE(seen.has_value());
      EXPECT_LE(Distance(seen->hash, patch.turned[t]), 2) << "turn " << t;
    }
  }
  // Elsewhere, another window: far from the patch's hash.
  const Patch& first = signature->patches.front();
  const auto moved =
      probe.Hash({first.x < 0.5f ? first.x + first.side : first.x - first.side,
                  first.y, first.side, 0, 0});
  if (moved) {
    EXPECT_GT(Distance(moved->hash, first.hash), 40);
  }
}

TEST(PatchProbeTest, RefusesWindowsTheLookWouldNotHash) {
  PatchOptions options;
  options.work_side = 500;
  options.min_sigma = 2.0f;  // Windows of 20 work pixels or more.
  PatchHasher hasher;
  std::shared_ptr<const PatchProbe> kept;
  auto signature = hasher.Sign(TexturedPicture(7).view(), options, &kept);
  ASSERT_TRUE(signature) << signature.error().message();
  const PatchProbe& probe = *kept;
  const auto hashed = [&](PatchProbe::Window window) {
    return probe.Hash(window).has_value();
  };
  EXPECT_TRUE(hashed({0.5f, 0.5f, 0.2f, 0, 0}));
  EXPECT_TRUE(hashed({0.5f, 0.5f, 0.2f, -8.0f, 7}));
  EXPECT_TRUE(hashed({0.5f, 0.5f, 21.0f / 500, 0, 0}));
  EXPECT_FALSE(hashed({0.5f, 0.5f, 19.0f / 500, 0, 0}));  // Too narrow.
  EXPECT_FALSE(hashed({0.05f, 0.5f, 0.2f, 0, 0}));        // Leaves the left.
  EXPECT_FALSE(hashed({0.5f, 0.98f, 0.2f, 0, 0}));        // Leaves the bottom.
  EXPECT_FALSE(hashed({1.5f, 0.5f, 0.2f, 0, 0}));
  EXPECT_FALSE(hashed({0.5f, 0.5f, 2.0f, 0, 0}));
  EXPECT_FALSE(hashed({0.5f, 0.5f, -0.2f, 0, 0}));
  EXPECT_FALSE(hashed({std::nanf(""), 0.5f, 0.2f, 0, 0}));
  EXPECT_FALSE(hashed({0.5f, 0.5f, std::nanf(""), 0, 0}));
  EXPECT_FALSE(hashed({0.5f, 0.5f, 0.2f, 0, kDihedralCount}));
  EXPECT_FALSE(hashed({0.5f, 0.5f, 0.2f, 0, -1}));
  // A look too small to hash keeps an empty probe.
  options.work_side = 12;
  auto tiny = hasher.Sign(Flat(100, 100, 128).view(), options, &kept);
  ASSERT_TRUE(tiny) << tiny.error().message();
  ASSERT_NE(kept, nullptr);
  EXPECT_FALSE(kept->Hash({0.5f, 0.5f, 0.5f, 0, 0}).has_value());
}

TEST(PatchHasherTest, HalfSizeCopyFindsTheOriginalsPatches) {
  const Image picture = TexturedPicture(10);
  PatchOptions options;
  options.max_patches = 64;
  const auto original = HashOrDie(picture, options);
  const auto half = HashOrDie(HalfSize(picture), options);
  ASSERT_GE(original.size(), 10u);
  ASSERT_GE(half.size(), 10u);
  EXPECT_GE(ShareFound(half, HashesOf(original), 40), 0.5);
  // An unrelated picture's patches rarely come that close.
  const auto other = HashOrDie(TexturedPicture(11), options);
  EXPECT_LT(ShareFound(other, HashesOf(original), 40), 0.2);
}

// A signature as a hasher would make it, with every field varied.
PatchSignature SampleSignature(int count, std::uint64_t seed, int width = 4096,
                               int height = 3072) {
  std::mt19937_64 random(seed);
  PatchSignature signature{width, height, {}};
  signature.patches.resize(static_cast<std::size_t>(count));
  for (Patch& patch : signature.patches) {
    patch.x = static_cast<float>(random() % 100'001) / 100'000.0f;
    patch.y = static_cast<float>(random() % 100'001) / 100'000.0f;
    patch.side = static_cast<float>(random() % 100'000 + 1) / 100'000.0f;
    patch.quality = static_cast<int>(random() % 101);
    patch.hash = PdqHash({random(), random(), random(), random()});
  }
  return signature;
}

// `signature` with `count` random centred crops.
PatchSignature WithCrops(PatchSignature signature, int count,
                         std::uint64_t seed) {
  std::mt19937_64 random(seed);
  signature.crops.resize(static_cast<std::size_t>(count));
  for (CentredCrop& crop : signature.crops) {
    crop.keep = kMinCropKeep + (1 - kMinCropKeep) *
                                   static_cast<float>(random() % 100'001) /
                                   100'000.0f;
    crop.quality = static_cast<int>(random() % 101);
    crop.hash = PdqHash({random(), random(), random(), random()});
  }
  return signature;
}

void ExpectCloseCrops(const std::vector<CentredCrop>& decoded,
                      const std::vector<CentredCrop>& crops) {
  ASSERT_EQ(decoded.size(), crops.size());
  for (std::size_t i = 0; i < crops.size(); ++i) {
    EXPECT_NEAR(decoded[i].keep, crops[i].keep, 1.0f / 65535.0f) << i;
    EXPECT_EQ(decoded[i].hash, crops[i].hash) << "crop " << i;
    EXPECT_EQ(decoded[i].quality, crops[i].quality) << "crop " << i;
    EXPECT_FALSE(decoded[i].dihedral.has_value());
  }
}

void ExpectCloseCopies(const std::vector<Patch>& decoded,
                       const std::vector<Patch>& patches) {
  constexpr float kStep = 1.0f / 65535.0f;
  ASSERT_EQ(decoded.size(), patches.size());
  for (std::size_t i = 0; i < patches.size(); ++i) {
    EXPECT_NEAR(decoded[i].x, patches[i].x, kStep) << "patch " << i;
    EXPECT_NEAR(decoded[i].y, patches[i].y, kStep) << "patch " << i;
    EXPECT_NEAR(decoded[i].side, patches[i].side, kStep) << "patch " << i;
    EXPECT_EQ(decoded[i].hash, patches[i].hash) << "patch " << i;
    EXPECT_EQ(decoded[i].quality, patches[i].quality) << "patch " << i;
    EXPECT_FALSE(decoded[i].dihedral.has_value());
    EXPECT_TRUE(decoded[i].turned.empty());
  }
}

TEST(PatchesFormatTest, WritesTheDocumentedLayout) {
  Patch patch;
  patch.x = 0.5f;
  patch.y = 1.0f;
  patch.side = 0.25f;
  patch.quality = 87;
  patch.hash = *PdqHash::FromHex(
      "c8feb0fc73910f830fc6307cf039e7030fc61b9cf8717cf00fce00070003fffe");
  // 640 × 480 is written as its shape, 4096 × 3072 (0x1000 × 0x0c00).
  const PatchSignature signature{640, 480, {patch, patch}};
  const auto bytes = EncodePatches(signature);
  ASSERT_EQ(bytes.size(), kPatchesHeaderBytes + 2 * kPatchRecordBytes);
  EXPECT_EQ(std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + 7),
            (std::vector<std::uint8_t>{1, 0x10, 0x00, 0x0c, 0x00, 0, 2}));
  const std::vector<std::uint8_t> record(bytes.begin() + 7,
                                         bytes.begin() + 7 + 7);
  // 32767.5 and 16383.75 round to 32768 (0x8000) and 16384 (0x4000).
  EXPECT_EQ(record, (std::vector<std::uint8_t>{0x80, 0x00, 0xff, 0xff, 0x40,
                                               0x00, 87}));
  const auto hash = patch.hash.ToBytes();
  EXPECT_EQ(std::vector<std::uint8_t>(bytes.begin() + 14, bytes.begin() + 46),
            std::vector<std::uint8_t>(hash.begin(), hash.end()));
  EXPECT_EQ(FormatPatches(signature).substr(0, 14 + 14 + 8),
            "0110000c000002"
            "8000ffff400057"
            "c8feb0fc");
}

TEST(PatchesFormatTest, WritesTheShapeNotTheSize) {
  const auto shape = [](int width, int height) {
    auto decoded = DecodePatches(EncodePatches({width, height, {}}));
    EXPECT_TRUE(decoded) << decoded.error().message();
    return std::pair{decoded->width, decoded->height};
  };
  EXPECT_EQ(shape(640, 480), std::pair(4096, 3072));
  EXPECT_EQ(shape(4096 * 3, 3072 * 3), std::pair(4096, 3072));
  EXPECT_EQ(shape(480, 640), std::pair(3072, 4096));
  EXPECT_EQ(shape(1, 1), std::pair(4096, 4096));
  EXPECT_EQ(shape(100'000, 3), std::pair(4096, 1));  // Rounded, at least 1.
  EXPECT_EQ(shape(1000, 333), std::pair(4096, 1364));
  EXPECT_EQ(shape(0, 480), std::pair(4096, 4096));  // Unknown: a square.
  EXPECT_EQ(shape(-5, -5), std::pair(4096, 4096));
}

TEST(PatchesFormatTest, SizesFollowTheCount) {
  EXPECT_EQ(kPatchRecordBytes, 39u);
  EXPECT_EQ(EncodePatches({1, 1, {}}),
            (std::vector<std::uint8_t>{1, 0x10, 0, 0x10, 0, 0, 0}));
  EXPECT_EQ(FormatPatches({1, 1, {}}), "01100010000000");
  EXPECT_EQ(EncodePatches(SampleSignature(64, 1)).size(), 2'503u);
  EXPECT_EQ(FormatPatches(SampleSignature(64, 1)).size(), 5'006u);
  EXPECT_EQ(EncodePatches(SampleSignature(kMaxPatches, 2)).size(), 9'991u);
  // With crops: one more byte for their count, 35 a crop.
  EXPECT_EQ(kCropRecordBytes, 35u);
  EXPECT_EQ(EncodePatches(WithCrops(SampleSignature(64, 1), 6, 1)).size(),
            2'714u);
  EXPECT_EQ(EncodePatches(WithCrops(SampleSignature(0, 1), 1, 1)).size(), 43u);
  EXPECT_EQ(
      EncodePatches(WithCrops(SampleSignature(kMaxPatches, 2), kMaxCrops, 2))
          .size(),
      kMaxPatchesBytes);
  EXPECT_EQ(kMaxPatchesBytes, 10'552u);
}

TEST(PatchesFormatTest, WritesCropsAsVersionTwo) {
  CentredCrop crop;
  crop.keep = 0.5f;
  crop.quality = 42;
  crop.hash = *PdqHash::FromHex(
      "c8feb0fc73910f830fc6307cf039e7030fc61b9cf8717cf00fce00070003fffe");
  PatchSignature signature = SampleSignature(1, 7, 640, 480);
  const auto without = EncodePatches(signature);
  EXPECT_EQ(without[0], 1);  // No crops: version 1, as before crops.
  signature.crops = {crop, crop};
  const auto bytes = EncodePatches(signature);
  ASSERT_EQ(bytes.size(), without.size() + 1 + 2 * kCropRecordBytes);
  EXPECT_EQ(bytes[0], 2);
  EXPECT_TRUE(
      std::equal(without.begin() + 1, without.end(), bytes.begin() + 1));
  const std::size_t at = without.size();
  EXPECT_EQ(bytes[at], 2);  // The crops' count.
  // 0.5 × 65535 = 32767.5 rounds to 32768 (0x8000); quality 42 (0x2a).
  EXPECT_EQ(
      std::vector<std::uint8_t>(bytes.begin() + at + 1, bytes.begin() + at + 4),
      (std::vector<std::uint8_t>{0x80, 0x00, 42}));
  const auto hash = crop.hash.ToBytes();
  EXPECT_EQ(std::vector<std::uint8_t>(bytes.begin() + at + 4,
                                      bytes.begin() + at + 36),
            std::vector<std::uint8_t>(hash.begin(), hash.end()));
  EXPECT_EQ(FormatPatches(signature).substr(2 * at, 8),
            "02800"
            "02a");
}

TEST(PatchesFormatTest, WritesAtMostMaxPatchesTheFirstOnes) {
  const auto signature = SampleSignature(kMaxPatches + 10, 3);
  auto decoded = DecodePatches(EncodePatches(signature));
  ASSERT_TRUE(decoded) << decoded.error().message();
  ExpectCloseCopies(
      decoded->patches,
      std::vector<Patch>(signature.patches.begin(),
                         signature.patches.begin() + kMaxPatches));
}

TEST(PatchesFormatTest, RoundTripsBytesAndText) {
  for (int count : {0, 1, 7, 64, kMaxPatches}) {
    const auto signature =
        SampleSignature(count, 100 + count, 1 + count * 15, 4096);
    const auto bytes = EncodePatches(signature);
    auto decoded = DecodePatches(bytes);
    ASSERT_TRUE(decoded) << decoded.error().message();
    EXPECT_EQ(decoded->width, signature.width);
    EXPECT_EQ(decoded->height, signature.height);
    ExpectCloseCopies(decoded->patches, signature.patches);
    EXPECT_EQ(EncodePatches(*decoded), bytes);

    const std::string text = FormatPatches(signature);
    EXPECT_EQ(text, HexEncode(bytes));
    auto parsed = ParsePatches(text);
    ASSERT_TRUE(parsed) << parsed.error().message();
    ExpectCloseCopies(parsed->patches, signature.patches);
    std::string upper = text;
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](char c) { return c >= 'a' && c <= 'f' ? c - 32 : c; });
    auto parsed_upper = ParsePatches(upper);
    ASSERT_TRUE(parsed_upper) << parsed_upper.error().message();
    EXPECT_EQ(FormatPatches(*parsed_upper), text);
  }
}

void ExpectRefused(const Result<PatchSignature>& result,
                   const std::string& reason) {
  ASSERT_FALSE(result) << "accepted; expected: " << reason;
  EXPECT_EQ(result.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.error().message().find(reason), std::string::npos)
      << result.error().message();
}

TEST(PatchesFormatTest, RoundTripsCrops) {
  for (int patches : {0, 3, 64}) {
    for (int crops : {1, 6, kMaxCrops}) {
      const auto signature =
          WithCrops(SampleSignature(patches, 200 + patches), crops, crops);
      const auto bytes = EncodePatches(signature);
      auto decoded = DecodePatches(bytes);
      ASSERT_TRUE(decoded) << decoded.error().message();
      ExpectCloseCopies(decoded->patches, signature.patches);
      ExpectCloseCrops(decoded->crops, signature.crops);
      EXPECT_EQ(EncodePatches(*decoded), bytes);
      auto parsed = ParsePatches(FormatPatches(signature));
      ASSERT_TRUE(parsed) << parsed.error().message();
      ExpectCloseCrops(parsed->crops, signature.crops);
    }
  }
  // More than kMaxCrops: the first ones are written.
  const auto many = WithCrops(SampleSignature(2, 8), kMaxCrops + 3, 8);
  auto decoded = DecodePatches(EncodePatches(many));
  ASSERT_TRUE(decoded) << decoded.error().message();
  ExpectCloseCrops(decoded->crops,
                   std::vector<CentredCrop>(many.crops.begin(),
                                            many.crops.begin() + kMaxCrops));
  // What cannot be written is clamped: keeps to kMinCropKeep…1, qualities
  // to 0…100.
  auto odd = WithCrops(SampleSignature(0, 9), 4, 9);
  odd.crops[0].keep = 0.0f;
  odd.crops[0].quality = 300;
  odd.crops[1].keep = 7.0f;
  odd.crops[1].quality = -1;
  odd.crops[2].keep = std::numeric_limits<float>::quiet_NaN();
  odd.crops[3].keep = 0.05f;
  decoded = DecodePatches(EncodePatches(odd));
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_NEAR(decoded->crops[0].keep, kMinCropKeep, 1e-4f);
  EXPECT_EQ(decoded->crops[0].quality, 100);
  EXPECT_EQ(decoded->crops[1].keep, 1.0f);
  EXPECT_EQ(decoded->crops[1].quality, 0);
  EXPECT_NEAR(decoded->crops[2].keep, kMinCropKeep, 1e-4f);
  EXPECT_NEAR(decoded->crops[3].keep, kMinCropKeep, 1e-4f);
  EXPECT_GE(decoded->crops[3].keep, kMinCropKeep);
}

TEST(PatchesFormatTest, DecodeRefusesBrokenCrops) {
  const auto valid = EncodePatches(WithCrops(SampleSignature(2, 9), 2, 9));
  ASSERT_TRUE(DecodePatches(valid));
  const std::size_t at = 7 + 2 * 39;  // The crops' count.
  // A version 2 signature holds at least one crop, at most kMaxCrops.
  auto none = std::vector<std::uint8_t>(valid.begin(), valid.begin() + at);
  ExpectRefused(DecodePatches(none),
                "2 patches and a crop count take at least");
  none.push_back(0);
  ExpectRefused(DecodePatches(none), "0 centred crops in a version 2");
  auto many = valid;
  many[at] = kMaxCrops + 1;
  ExpectRefused(DecodePatches(many), "17 centred crops");
  auto count = valid;
  count[at] = 3;
  ExpectRefused(DecodePatches(count), "2 patches and 3 crops take exactly 191");
  auto shorter = valid;
  shorter.pop_back();
  ExpectRefused(DecodePatches(shorter), "and 2 crops take exactly 156");
  auto longer = valid;
  longer.push_back(0);
  ExpectRefused(DecodePatches(longer), "157 bytes");
  auto keep = valid;
  keep[at + 1 + 35] = 0x19;  // 6553: under a tenth.
  keep[at + 1 + 35 + 1] = 0x99;
  ExpectRefused(DecodePatches(keep), "crop 2 keeps 6553/65535");
  keep[at + 1 + 35 + 1] = 0x9a;  // 6554: a tenth, rounded.
  EXPECT_TRUE(DecodePatches(keep));
  auto quality = valid;
  quality[at + 1 + 2] = 101;
  ExpectRefused(DecodePatches(quality), "crop 1 has quality 101");
  // A version 1 signature cannot hold crops.
  auto one = valid;
  one[0] = 1;
  ExpectRefused(DecodePatches(one), "2 patches take exactly 85");
}

TEST(PatchesFormatTest, RoundTripsAHashersSignature) {
  PatchOptions options;
  options.dihedral = true;
  options.turns = {4.0f};
  const Image picture = TexturedPicture(12);
  PatchHasher hasher;
  auto signature = hasher.Sign(picture.view(), options);
  ASSERT_TRUE(signature) << signature.error().message();
  EXPECT_EQ(signature->width, picture.width());
  EXPECT_EQ(signature->height, picture.height());
  ASSERT_FALSE(signature->patches.empty());
  auto parsed = ParsePatches(FormatPatches(*signature));
  ASSERT_TRUE(parsed) << parsed.error().message();
  ExpectCloseCopies(parsed->patches, signature->patches);
}

TEST(PatchesFormatTest, ClampsWhatCannotBeWritten) {
  PatchSignature signature{10, 10, std::vector<Patch>(4)};
  auto& patches = signature.patches;
  patches[0].x = -0.5f;
  patches[0].y = 7.0f;
  patches[0].side = 0.0f;
  patches[0].quality = 150;
  patches[1].x = std::numeric_limits<float>::quiet_NaN();
  patches[1].y = std::numeric_limits<float>::infinity();
  patches[1].side = 2.0f;
  patches[1].quality = -3;
  patches[2].side = 1e-9f;
  patches[3].side = -1.0f;
  patches[3].y = -std::numeric_limits<float>::infinity();
  auto decoded = DecodePatches(EncodePatches(signature));
  ASSERT_TRUE(decoded) << decoded.error().message();
  ASSERT_EQ(decoded->patches.size(), 4u);
  const auto& out = decoded->patches;
  EXPECT_EQ(out[0].x, 0.0f);
  EXPECT_EQ(out[0].y, 1.0f);
  EXPECT_EQ(out[0].side, 1.0f / 65535.0f);
  EXPECT_EQ(out[0].quality, 100);
  EXPECT_EQ(out[1].x, 0.0f);
  EXPECT_EQ(out[1].y, 1.0f);
  EXPECT_EQ(out[1].side, 1.0f);
  EXPECT_EQ(out[1].quality, 0);
  EXPECT_EQ(out[2].side, 1.0f / 65535.0f);
  EXPECT_EQ(out[3].side, 1.0f / 65535.0f);
  EXPECT_EQ(out[3].y, 0.0f);
}

// A valid two-patch signature to break.
std::vector<std::uint8_t> Valid() {
  return EncodePatches(SampleSignature(2, 9));
}

TEST(PatchesFormatTest, DecodeRefusesEveryBrokenRule) {
  ExpectRefused(DecodePatches({}), "shorter than the 7-byte header");
  ExpectRefused(
      DecodePatches(std::vector<std::uint8_t>{1, 0x10, 0, 0x10, 0, 0}),
      "shorter than the 7-byte header");

  auto version = Valid();
  version[0] = 3;
  ExpectRefused(DecodePatches(version), "version 3 is not supported");
  version[0] = 0;
  ExpectRefused(DecodePatches(version), "version 0 is not supported");

  // The shape: the longer side exactly 4096, the shorter at least 1.
  auto shape = Valid();
  shape[1] = 0x0f;  // 3840 × 3072
  ExpectRefused(DecodePatches(shape), "shape 3840×3072 is not one");
  shape[1] = 0x20;  // 8192 × 3072
  ExpectRefused(DecodePatches(shape), "shape 8192×3072");
  shape[1] = 0x10;
  shape[3] = 0;
  shape[4] = 0;  // 4096 × 0
  ExpectRefused(DecodePatches(shape), "shape 4096×0");
  shape[4] = 1;
  EXPECT_TRUE(DecodePatches(shape));

  // 257 patches, with the bytes for all of them.
  std::vector<std::uint8_t> many =
      EncodePatches(SampleSignature(kMaxPatches, 4));
  const auto one = Valid();
  many.insert(many.end(), one.begin() + 7, one.begin() + 7 + 39);
  many[5] = 0x01;
  many[6] = 0x01;
  ExpectRefused(DecodePatches(many), "257 patches, more than 256");
  many[5] = 0xff;
  many[6] = 0xff;
  ExpectRefused(DecodePatches(many), "65535 patches, more than 256");

  auto shorter = Valid();
  shorter.pop_back();
  ExpectRefused(DecodePatches(shorter),
                "84 bytes, but 2 patches take exactly 85");
  auto longer = Valid();
  longer.push_back(0);
  ExpectRefused(DecodePatches(longer),
                "86 bytes, but 2 patches take exactly 85");
  auto count = Valid();
  count[6] = 3;
  ExpectRefused(DecodePatches(count), "3 patches take exactly 124");
  ExpectRefused(
      DecodePatches(std::vector<std::uint8_t>{1, 0x10, 0, 0x10, 0, 0, 0, 0}),
      "0 patches take exactly 7");

  auto quality = Valid();
  quality[7 + 39 + 6] = 101;
  ExpectRefused(DecodePatches(quality), "patch 2 has quality 101");
  quality[7 + 39 + 6] = 255;
  ExpectRefused(DecodePatches(quality), "patch 2 has quality 255");
  quality[7 + 39 + 6] = 100;
  EXPECT_TRUE(DecodePatches(quality));

  auto side = Valid();
  side[7 + 4] = 0;
  side[7 + 5] = 0;
  ExpectRefused(DecodePatches(side), "patch 1 has a side of 0");
  side[7 + 5] = 1;
  EXPECT_TRUE(DecodePatches(side));

  // Every position is a valid fraction, edges included.
  auto edges = Valid();
  std::fill(edges.begin() + 7, edges.begin() + 7 + 4, 0x00);
  std::fill(edges.begin() + 7 + 39, edges.begin() + 7 + 39 + 6, 0xff);
  auto decoded = DecodePatches(edges);
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_EQ(decoded->patches[0].x, 0.0f);
  EXPECT_EQ(decoded->patches[1].y, 1.0f);
  EXPECT_EQ(decoded->patches[1].side, 1.0f);
}

TEST(PatchesFormatTest, ParseRefusesBadText) {
  const std::string valid = HexEncode(Valid());
  ASSERT_TRUE(ParsePatches(valid));
  ExpectRefused(ParsePatches(""), "shorter than the 7-byte header");
  ExpectRefused(ParsePatches(valid.substr(1)), "odd number of hex digits");
  ExpectRefused(ParsePatches(valid + "0"), "odd number of hex digits");
  std::string letter = valid;
  letter[10] = 'g';
  ExpectRefused(ParsePatches(letter), "character 11 is not a hex digit");
  ExpectRefused(ParsePatches(" " + valid + " "), "not a hex digit");
  ExpectRefused(ParsePatches("0x" + valid), "not a hex digit");
  std::string version = valid;
  version[1] = '3';
  ExpectRefused(ParsePatches(version), "version 3 is not supported");
  // Text longer than the largest signature is refused before decoding,
  // whatever it holds.
  const std::string largest =
      FormatPatches(WithCrops(SampleSignature(kMaxPatches, 5), kMaxCrops, 5));
  ASSERT_EQ(largest.size(), 2 * kMaxPatchesBytes);
  ASSERT_TRUE(ParsePatches(largest));
  ExpectRefused(ParsePatches(largest + "00"), "more than the 21104");
  ExpectRefused(ParsePatches(std::string(1 << 20, 'z')), "more than the 21104");
}

}  // namespace
}  // namespace rempart::hash
