#include "rempart/match/patch_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/textured_picture.h"

namespace rempart::match {
namespace {

using media::Image;
using media::PixelFormat;
using testing::TexturedPicture;

PatchSignature Signature(
    const Image& image, const hash::PatchOptions& options,
    std::shared_ptr<const hash::PatchProbe>* probe = nullptr) {
  hash::PatchHasher hasher;
  auto signature = hasher.Sign(image.view(), options, probe);
  EXPECT_TRUE(signature) << signature.error().message();
  return signature ? std::move(*signature) : PatchSignature{};
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

  // As the matcher searches: with the query's probe, so that short groups
  // are looked at again (PatchMatchOptions::guided).
  static std::vector<PatchCandidate> Search(const Image& query) {
    std::shared_ptr<const hash::PatchProbe> probe;
    const PatchSignature signature =
        Signature(query, QueryPatchOptions(), &probe);
    return bank_->Search(signature, {}, probe.get());
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

// Each patch of a crop's query alone, with the query's probe: a lone vote
// that only the guided look can confirm.
TEST_F(PatchIndexTest, TheGuidedLookConfirmsALoneVoteWhereTheLayoutSays) {
  std::shared_ptr<const hash::PatchProbe> probe;
  const PatchSignature query = Signature(Crop(Picture(2), 100, 75, 200, 150),
                                         QueryPatchOptions(), &probe);
  ASSERT_NE(probe, nullptr);
  const PatchSignature bank = Signature(Picture(2), BankPatchOptions());
  // A lone vote and one window found where it says: a pair.
  PatchMatchOptions pair;
  pair.min_group = 2;
  PatchMatchOptions unguided = pair;
  unguided.guided = false;
  int lone = 0;
  int confirmed = 0;
  int displaced = 0;
  for (const hash::Patch& patch : query.patches) {
    PatchSignature one{query.width, query.height, {patch}};
    if (CheckPatches(one, bank, 2, unguided, probe.get()).group != 1) continue;
    ++lone;
    const PatchCandidate guided = CheckPatches(one, bank, 2, pair, probe.get());
    EXPECT_LE(guided.worst_distance, PatchMatchOptions{}.radius);
    if (guided.group >= pair.min_group) {
      ++confirmed;
      EXPECT_EQ(guided.guided, guided.group - 1);
    } else {
      EXPECT_EQ(guided.group, 1);
      EXPECT_EQ(guided.guided, 0);
    }
    // Without the probe there is nothing to look at.
    EXPECT_EQ(CheckPatches(one, bank, 2, pair).group, 1);
    // The same vote recorded a fifth of the picture away: the look lands
    // where the bank's other patches are not.
    one.patches[0].x = patch.x < 0.5f ? patch.x + 0.2f : patch.x - 0.2f;
    if (CheckPatches(one, bank, 2, pair, probe.get()).group >= 2) ++displaced;
  }
  ASSERT_GE(lone, 10);
  EXPECT_GE(2 * confirmed, lone) << confirmed << " of " << lone;
  EXPECT_LE(5 * displaced, confirmed) << displaced << " of " << lone;
}

// The middle `keep` of each side of `image`.
Image Middle(const Image& image, double keep) {
  const int width = static_cast<int>(std::lround(image.width() * keep));
  const int height = static_cast<int>(std::lround(image.height() * keep));
  return Crop(image, (image.width() - width) / 2, (image.height() - height) / 2,
              width, height);
}

// Found by a centred crop, whatever its patches say.
void ExpectFoundByCrop(const std::vector<PatchCandidate>& candidates,
                       std::int64_t id) {
  ASSERT_FALSE(candidates.empty());
  EXPECT_EQ(candidates.front().id, id);
  EXPECT_GE(candidates.front().crop_distance, 0);
  EXPECT_LE(candidates.front().crop_distance, PatchMatchOptions{}.crop_radius);
  EXPECT_TRUE(candidates.front().matched(PatchMatchOptions{}.min_group));
}

TEST_F(PatchIndexTest, CentredCropsOfAnySizeAreFoundByTheBanksCrops) {
  // From a twentieth to nearly three tenths cut from every side: between
  // and on the bank's crops (1, 0.83, 0.69, 0.58, 0.48, 0.40).
  for (const double keep : {0.97, 0.9, 0.85, 0.76, 0.69, 0.62, 0.5, 0.45}) {
    SCOPED_TRACE("keep " + std::to_string(keep));
    const auto candidates = Search(Middle(Picture(4), keep));
    ExpectFoundByCrop(candidates, 4);
    if (!candidates.empty()) {
      // The bank crop it landed on is the one at or just inside the copy.
      EXPECT_LE(candidates.front().crop_keep, keep + 0.01);
      EXPECT_GT(candidates.front().crop_keep * 1.25, keep);
    }
  }
}

TEST_F(PatchIndexTest, ACropFindsASignatureOfCropsAlone) {
  // A picture whose patches the bank did not keep (too small, too plain):
  // its crops still find its centred crop, with no vote at all.
  PatchSignature crops_alone = Signature(Picture(5), BankPatchOptions());
  ASSERT_FALSE(crops_alone.crops.empty());
  crops_alone.patches.clear();
  PatchIndex index;
  index.Add(5, crops_alone);
  EXPECT_EQ(index.pictures(), 1u);
  EXPECT_EQ(index.patches(), 0u);
  EXPECT_EQ(index.crops(), crops_alone.crops.size());
  std::shared_ptr<const hash::PatchProbe> probe;
  const PatchSignature query =
      Signature(Middle(Picture(5), 0.5), QueryPatchOptions(), &probe);
  const auto candidates = index.Search(query, {}, probe.get());
  ExpectFoundByCrop(candidates, 5);
  ASSERT_FALSE(candidates.empty());
  EXPECT_EQ(candidates.front().group, 0);
  // Revoked, never again.
  const std::int64_t revoked[] = {5};
  index.Revoke(revoked);
  EXPECT_TRUE(index.Search(query, {}, probe.get()).empty());
}

TEST_F(PatchIndexTest, CropsAreCentredOnly) {
  // A quarter of the picture from its corner is no centred crop: whatever
  // finds it, the crops do not.
  for (const auto& candidate :
       Search(Crop(Picture(3), 0, 0, Picture(3).width() / 2,
                   Picture(3).height() / 2))) {
    EXPECT_EQ(candidate.crop_distance, -1) << "picture " << candidate.id;
  }
  // Nor do unrelated pictures' crops meet the bank's.
  for (std::uint64_t seed = 100; seed < 110; ++seed) {
    for (const auto& candidate : Search(TexturedPicture(seed))) {
      EXPECT_EQ(candidate.crop_distance, -1)
          << "seed " << seed << ", picture " << candidate.id;
    }
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
    // Matches first (a centred crop matches whatever its group), then by
    // group.
    const int min_group = loose.min_group;
    EXPECT_GE(candidates[i - 1].matched(min_group),
              candidates[i].matched(min_group));
    if (candidates[i - 1].matched(min_group) ==
        candidates[i].matched(min_group)) {
      EXPECT_GE(candidates[i - 1].group, candidates[i].group);
    }
    EXPECT_GE(candidates[i].group, candidates[i].crop_distance >= 0 ? 0 : 1);
    EXPECT_LE(candidates[i].worst_distance, loose.radius);
  }
}

TEST_F(PatchIndexTest, AQueryWithoutPatchesHasNoCandidates) {
  Image flat(400, 300, PixelFormat::kRgb8);
  const PatchSignature query = Signature(flat, QueryPatchOptions());
  EXPECT_TRUE(query.patches.empty());
  EXPECT_TRUE(query.crops.empty());
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
// Two-patch signatures whose geometry is set by hand: the bank's second
// patch is `bank_degrees` round the first from where the query's is, and
// the query's hashes equal the bank's only in pose `pose` (0: upright, or
// 8 + i: QueryPatchOptions().turns[i]).
struct Layout {
  PatchSignature bank;
  PatchSignature query;
};
Layout TwoPatchLayout(double bank_degrees, int pose) {
  const hash::PdqHash first({0x0123456789abcdefULL, 0xfedcba9876543210ULL,
                             0x0f0f0f0f0f0f0f0fULL, 0x00ff00ff00ff00ffULL});
  const hash::PdqHash second({0x1111111111111111ULL, 0x2222222222222222ULL,
                              0x3333333333333333ULL, 0x4444444444444444ULL});
  const hash::PdqHash unlike({0xaaaaaaaaaaaaaaaaULL, 0x5555555555555555ULL,
                              0xccccccccccccccccULL, 0x3c3c3c3c3c3c3c3cULL});
  const double radians = bank_degrees * 3.14159265358979 / 180.0;
  Layout layout;
  layout.bank = {1000, 1000, {}};
  layout.query = {1000, 1000, {}};
  const auto bank_patch = [&](float x, float y, const hash::PdqHash& hash) {
    hash::Patch patch;
    patch.x = x;
    patch.y = y;
    patch.side = 0.05f;
    patch.hash = hash;
    layout.bank.patches.push_back(patch);
  };
  bank_patch(0.3f, 0.5f, first);
  bank_patch(static_cast<float>(0.3 + 0.3 * std::cos(radians)),
             static_cast<float>(0.5 + 0.3 * std::sin(radians)), second);
  const std::size_t turns = QueryPatchOptions().turns.size();
  const auto query_patch = [&](float x, const hash::PdqHash& hash) {
    hash::Patch patch;
    patch.x = x;
    patch.y = 0.5f;
    patch.side = 0.05f;
    patch.hash = pose == 0 ? hash : unlike;
    std::array<hash::PdqHash, hash::kDihedralCount> variants;
    variants.fill(unlike);
    variants[0] = patch.hash;
    patch.dihedral = variants;
    patch.turned.assign(turns, unlike);
    if (pose >= hash::kDihedralCount) {
      patch.turned[static_cast<std::size_t>(pose - hash::kDihedralCount)] =
          hash;
    }
    layout.query.patches.push_back(patch);
  };
  query_patch(0.3f, first);
  query_patch(0.6f, second);
  return layout;
}

TEST(PatchIndexGeometryTest, TheLayoutMustTurnWithThePose) {
  const std::vector<float> turns = QueryPatchOptions().turns;
  ASSERT_EQ(turns.size(), 4u);
  ASSERT_FLOAT_EQ(turns[3], 8.0f);
  const int upright = 0;
  const int turned_8 = hash::kDihedralCount + 3;
  // Upright hashes and an upright layout: one geometry.
  auto layout = TwoPatchLayout(0.0, upright);
  EXPECT_EQ(CheckPatches(layout.query, layout.bank).group, 2);
  // Hashes that agree only once turned 8°, in a layout turned 8° the same
  // way: one geometry.
  layout = TwoPatchLayout(8.0, turned_8);
  EXPECT_EQ(CheckPatches(layout.query, layout.bank).group, 2);
  // The same hashes in an upright layout, or an upright pose in a layout
  // turned 8° or the other way: two patches that disagree.
  layout = TwoPatchLayout(0.0, turned_8);
  EXPECT_EQ(CheckPatches(layout.query, layout.bank).group, 1);
  layout = TwoPatchLayout(8.0, upright);
  EXPECT_EQ(CheckPatches(layout.query, layout.bank).group, 1);
  layout = TwoPatchLayout(-8.0, turned_8);
  EXPECT_EQ(CheckPatches(layout.query, layout.bank).group, 1);
  // Within the tolerance of 6°.
  layout = TwoPatchLayout(4.0, upright);
  EXPECT_EQ(CheckPatches(layout.query, layout.bank).group, 2);
  layout = TwoPatchLayout(12.0, turned_8);
  EXPECT_EQ(CheckPatches(layout.query, layout.bank).group, 2);
}

TEST(PatchIndexGeometryTest, ScaleAndLengthMustAgree) {
  // The second bank patch 25 % larger than its query patch while the
  // first is not: the two votes' scales disagree.
  auto layout = TwoPatchLayout(0.0, 0);
  layout.bank.patches[1].side = 0.0625f;
  EXPECT_EQ(CheckPatches(layout.query, layout.bank).group, 1);
  // 10 % is within the tolerance.
  layout.bank.patches[1].side = 0.055f;
  EXPECT_EQ(CheckPatches(layout.query, layout.bank).group, 2);
  // The bank's patches 25 % further apart than the query's.
  layout = TwoPatchLayout(0.0, 0);
  layout.bank.patches[1].x = 0.3f + 0.375f;
  EXPECT_EQ(CheckPatches(layout.query, layout.bank).group, 1);
}

}  // namespace rempart::match
