#include "rempart/match/patch_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/support/textured_picture.h"

namespace rempart::match {
namespace {

using media::Image;
using media::PixelFormat;
using testing::TexturedPicture;

PatchSignature Signature(const Image& image,
                         const hash::PatchOptions& options) {
  hash::PatchHasher hasher;
  auto patches = hasher.Hash(image.view(), options);
  EXPECT_TRUE(patches) << patches.error().message();
  return {image.width(), image.height(),
          patches ? std::move(*patches) : std::vector<hash::Patch>{}};
}

// The part of `image` from (left, top), width × height.
Image Crop(const Image& image, int left, int top, int width, int height) {
  Image out(width, height, image.format());
  const int channels = image.channels();
  for (int y = 0; y < height; ++y) {
    const std::uint8_t* in = image.row(top + y) + left * channels;
    std::copy(in, in + width * channels, out.mutable_row(y));
  }
  return out;
}

Image Mirrored(const Image& image) {
  Image out(image.width(), image.height(), image.format());
  const int channels = image.channels();
  for (int y = 0; y < image.height(); ++y) {
    const std::uint8_t* in = image.row(y);
    std::uint8_t* row = out.mutable_row(y);
    for (int x = 0; x < image.width(); ++x) {
      std::copy(in + x * channels, in + (x + 1) * channels,
                row + (image.width() - 1 - x) * channels);
    }
  }
  return out;
}

// `image` at half size (2×2 box means) on a flat canvas of `width` ×
// `height`, its top-left corner at (left, top).
Image EmbeddedSmaller(const Image& image, int width, int height, int left,
                      int top) {
  Image canvas(width, height, image.format());
  std::fill(canvas.mutable_pixels().begin(), canvas.mutable_pixels().end(),
            std::uint8_t{235});
  const int channels = image.channels();
  for (int y = 0; y < image.height() / 2; ++y) {
    const std::uint8_t* upper = image.row(2 * y);
    const std::uint8_t* lower = image.row(2 * y + 1);
    std::uint8_t* out = canvas.mutable_row(top + y) + left * channels;
    for (int x = 0; x < image.width() / 2; ++x) {
      for (int c = 0; c < channels; ++c) {
        const int a = 2 * x * channels + c;
        const int b = a + channels;
        out[x * channels + c] = static_cast<std::uint8_t>(
            (upper[a] + upper[b] + lower[a] + lower[b] + 2) / 4);
      }
    }
  }
  return canvas;
}

// Five bank pictures, ids 1…5.
class PatchIndexTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    bank_ = new PatchIndex();
    bank_patches_ = 0;
    for (std::int64_t id = 1; id <= 5; ++id) {
      const PatchSignature signature =
          Signature(Picture(id), BankPatchOptions());
      bank_patches_ += signature.patches.size();
      bank_->Add(id, signature);
    }
  }
  static void TearDownTestSuite() {
    delete bank_;
    bank_ = nullptr;
  }

  static Image Picture(std::int64_t id) {
    return TexturedPicture(static_cast<std::uint64_t>(20 + id));
  }

  static std::vector<PatchCandidate> Search(const Image& query) {
    return bank_->Search(Signature(query, QueryPatchOptions()));
  }

  // `id` is the best candidate, by a clear margin: its group reaches
  // min_group and is larger than any other picture's. (Unrelated pictures
  // may share a chance pair of patches; see AnUnrelatedPictureMatchesNothing.)
  static void ExpectFound(const std::vector<PatchCandidate>& candidates,
                          std::int64_t id) {
    ASSERT_FALSE(candidates.empty());
    EXPECT_EQ(candidates.front().id, id);
    EXPECT_GE(candidates.front().group, PatchMatchOptions{}.min_group);
    EXPECT_LE(candidates.front().worst_distance, PatchMatchOptions{}.radius);
    if (candidates.size() > 1) {
      EXPECT_GT(candidates.front().group, candidates[1].group)
          << "picture " << candidates[1].id << " ties";
    }
  }

  static PatchIndex* bank_;
  static std::size_t bank_patches_;
};

PatchIndex* PatchIndexTest::bank_ = nullptr;
std::size_t PatchIndexTest::bank_patches_ = 0;

TEST_F(PatchIndexTest, CountsPicturesAndPatches) {
  EXPECT_EQ(bank_->pictures(), 5u);
  EXPECT_EQ(bank_->patches(), bank_patches_);
  EXPECT_GT(bank_patches_, 5u * 10);
  EXPECT_LE(bank_patches_,
            5u * static_cast<std::size_t>(BankPatchOptions().max_patches));
}

TEST_F(PatchIndexTest, FindsThePictureItself) {
  ExpectFound(Search(Picture(2)), 2);
}

TEST_F(PatchIndexTest, FindsTheCentralCrop) {
  // The central 60 % of each side.
  ExpectFound(Search(Crop(Picture(2), 80, 60, 240, 180)), 2);
}

TEST_F(PatchIndexTest, FindsTheMirroredPicture) {
  ExpectFound(Search(Mirrored(Picture(2))), 2);
}

TEST_F(PatchIndexTest, FindsThePictureSmallerOnAFlatCanvas) {
  ExpectFound(Search(EmbeddedSmaller(Picture(2), 400, 300, 130, 90)), 2);
}

TEST_F(PatchIndexTest, EveryBankPictureFindsItself) {
  for (std::int64_t id = 1; id <= 5; ++id) {
    SCOPED_TRACE("picture " + std::to_string(id));
    const auto candidates = Search(Picture(id));
    ExpectFound(candidates, id);
    // The same pixels (sampled at the query's finer work side): many bank
    // patches agree.
    if (!candidates.empty()) {
      EXPECT_GE(candidates.front().group, 10);
    }
  }
}

TEST_F(PatchIndexTest, AnUnrelatedPictureMatchesNothing) {
  for (const auto& candidate : Search(TexturedPicture(26))) {
    EXPECT_LT(candidate.group, PatchMatchOptions{}.min_group)
        << "picture " << candidate.id;
  }
  // Two unrelated pictures can share a pair of patches in one geometry by
  // chance, rarely; never more.
  int matched = 0;
  for (std::uint64_t seed = 100; seed < 110; ++seed) {
    const auto candidates = Search(TexturedPicture(seed));
    if (candidates.empty()) continue;
    EXPECT_LE(candidates.front().group, 2) << "seed " << seed;
    if (candidates.front().group >= PatchMatchOptions{}.min_group) ++matched;
  }
  EXPECT_LE(matched, 2);
}

TEST_F(PatchIndexTest, CheckPatchesAgreesWithTheIndex) {
  const PatchSignature query =
      Signature(Crop(Picture(2), 80, 60, 240, 180), QueryPatchOptions());
  const auto candidates = bank_->Search(query);
  for (std::int64_t id = 1; id <= 5; ++id) {
    const PatchCandidate checked =
        CheckPatches(query, Signature(Picture(id), BankPatchOptions()), id);
    EXPECT_EQ(checked.id, id);
    const auto it = std::find_if(
        candidates.begin(), candidates.end(),
        [id](const PatchCandidate& candidate) { return candidate.id == id; });
    EXPECT_EQ(checked.group, it == candidates.end() ? 0 : it->group)
        << "picture " << id;
  }
}

TEST_F(PatchIndexTest, CandidatesAreBestFirst) {
  PatchMatchOptions loose;
  loose.radius = 70;  // Chance votes for every picture.
  const auto candidates =
      bank_->Search(Signature(Picture(3), QueryPatchOptions()), loose);
  ASSERT_FALSE(candidates.empty());
  EXPECT_EQ(candidates.front().id, 3);
  for (std::size_t i = 1; i < candidates.size(); ++i) {
    EXPECT_GE(candidates[i - 1].group, candidates[i].group);
    EXPECT_GE(candidates[i].group, 1);
    EXPECT_LE(candidates[i].worst_distance, loose.radius);
  }
}

TEST_F(PatchIndexTest, AQueryWithoutPatchesHasNoCandidates) {
  Image flat(400, 300, PixelFormat::kRgb8);
  const PatchSignature query = Signature(flat, QueryPatchOptions());
  EXPECT_TRUE(query.patches.empty());
  EXPECT_TRUE(bank_->Search(query).empty());
}

TEST(PatchIndexEmptyTest, HasNoCandidates) {
  PatchIndex index;
  EXPECT_EQ(index.pictures(), 0u);
  EXPECT_EQ(index.patches(), 0u);
  EXPECT_TRUE(index.Search(Signature(TexturedPicture(21), QueryPatchOptions()))
                  .empty());
  // A picture without patches counts as a picture, and is never a
  // candidate.
  index.Add(7, {400, 300, {}});
  EXPECT_EQ(index.pictures(), 1u);
  EXPECT_EQ(index.patches(), 0u);
  EXPECT_TRUE(index.Search(Signature(TexturedPicture(21), QueryPatchOptions()))
                  .empty());
}

}  // namespace
}  // namespace rempart::match
