#include "rempart/match/patch_index.h"

#include <algorithm>
#include <cmath>
#include <span>
#include <unordered_map>

#include "index/scan.h"

namespace rempart::match {
namespace {}  // namespace

// One query hash (a patch in one orientation or turn) near one bank patch.
struct PatchIndex::Vote {
  int query_patch;
  std::size_t bank_patch;
  int pose;  // 0…7: dihedral variant; 8 + i: turn i.
  int distance;
  float scale;   // Query patch side over bank patch side.
  float qx, qy;  // Query patch centre, in the posed query's pixels.
  float bx, by;  // Bank patch centre, in the bank picture's pixels.
  float turn;    // The pose's turn in radians (0 for dihedral variants).
};

namespace {

using Vote = PatchIndex::Vote;

// How far two votes of one geometry may disagree. The same picture's votes
// agree far closer (ROBUSTNESS.md has the measured spread): within 0.12 in
// log scale, 0.08 in log length and 0.05 rad of the pose's turn.
constexpr float kScaleTolerance = 0.2f;    // |log| of the patch scale ratios.
constexpr float kLengthTolerance = 0.15f;  // |log| of the layout's lengths.
constexpr float kAngleTolerance = 0.1f;    // Radians (6°) off the pose's turn.
constexpr float kRadiansPerDegree = 3.14159265f / 180.0f;
// A lone vote and a window the guided look confirms it with: within 32 bits
// each on average, about PDQ's own match distance; and the vote itself
// within 32. Looser pairs confirmed unrelated pictures on the evaluation's
// corpus (ROBUSTNESS.md).
constexpr int kGuidedPair = 64;

// Where pixel (x, y) of a width × height picture lands once the picture is
// turned or mirrored as dihedral variant `v` says (hash/pdq.h's order).
void Pose(float x, float y, float width, float height, int v, float& px,
          float& py) {
  switch (v) {
    case 1:
      px = y;
      py = width - x;
      return;  // 90° counter-clockwise
    case 2:
      px = width - x;
      py = height - y;
      return;  // 180°
    case 3:
      px = height - y;
      py = x;
      return;  // 90° clockwise
    case 4:
      px = x;
      py = height - y;
      return;  // top and bottom
    case 5:
      px = width - x;
      py = y;
      return;  // mirror
    case 6:
      px = y;
      py = x;
      return;  // main diagonal
    case 7:
      px = height - y;
      py = width - x;
      return;  // anti-diagonal
    default:
      px = x;
      py = y;
      return;
  }
}

// The largest set of votes agreeing on one geometry with `seed`.
int GroupAround(const std::vector<Vote>& votes, std::size_t seed,
                std::vector<std::size_t>& group) {
  const Vote& a = votes[seed];
  group.assign(1, seed);
  for (std::size_t j = 0; j < votes.size(); ++j) {
    const Vote& b = votes[j];
    if (j == seed || b.pose != a.pose) continue;
    if (std::abs(std::log(b.scale / a.scale)) > kScaleTolerance) continue;
    const float qdx = b.qx - a.qx;
    const float qdy = b.qy - a.qy;
    const float bdx = (b.bx - a.bx) * a.scale;
    const float bdy = (b.by - a.by) * a.scale;
    const float qlen = std::hypot(qdx, qdy);
    const float blen = std::hypot(bdx, bdy);
    if (qlen < 1e-3f || blen < 1e-3f) continue;
    if (std::abs(std::log(qlen / blen)) > kLengthTolerance) continue;
    const float angle =
        std::atan2(qdx * bdy - qdy * bdx, qdx * bdx + qdy * bdy);
    if (std::abs(angle - a.turn) > kAngleTolerance) continue;
    const bool reused = std::any_of(group.begin(), group.end(), [&](auto g) {
      return votes[g].bank_patch == b.bank_patch ||
             votes[g].query_patch == b.query_patch;
    });
    if (!reused) group.push_back(j);
  }
  return static_cast<int>(group.size());
}

// Every hash of a query patch with the pose it stands for.
void Poses(const hash::Patch& patch,
           std::vector<std::pair<int, hash::PdqHash>>& poses) {
  poses.clear();
  if (patch.dihedral) {
    for (int v = 0; v < hash::kDihedralCount; ++v) {
      poses.emplace_back(v, (*patch.dihedral)[v]);
    }
  } else {
    poses.emplace_back(0, patch.hash);
  }
  for (std::size_t t = 0; t < patch.turned.size(); ++t) {
    poses.emplace_back(hash::kDihedralCount + static_cast<int>(t),
                       patch.turned[t]);
  }
}

// The largest agreeing group among one picture's votes.
PatchCandidate Best(std::int64_t id, const std::vector<Vote>& votes) {
  PatchCandidate candidate{id, 0, 0, 0};
  std::vector<std::size_t> group;
  for (std::size_t seed = 0; seed < votes.size(); ++seed) {
    const int size = GroupAround(votes, seed, group);
    if (size > candidate.group) {
      candidate.group = size;
      candidate.worst_distance = 0;
      for (std::size_t g : group) {
        candidate.worst_distance =
            std::max(candidate.worst_distance, votes[g].distance);
      }
    }
  }
  return candidate;
}

// The query picture's pixel (x, y) that lands at (px, py) once it is posed
// as dihedral variant `v` says: Pose()'s inverse. width and height are the
// picture's, before the pose.
void Unpose(float px, float py, float width, float height, int v, float& x,
            float& y) {
  const bool swapped = v == 1 || v == 3 || v == 6 || v == 7;
  const int inverse = v == 1 ? 3 : v == 3 ? 1 : v;
  Pose(px, py, swapped ? height : width, swapped ? width : height, inverse, x,
       y);
}

}  // namespace

struct PatchIndex::Blocks {
  std::vector<index::HashBlock> blocks;
};

struct PatchIndex::Guide {
  const hash::PatchProbe& probe;
  float width, height;  // The query picture's.
  int radius;
  int min_group;
};

PatchCandidate PatchIndex::Guided(const Guide& guide,
                                  const PatchCandidate& found,
                                  std::vector<Vote>& votes) const {
  const float longer = std::max(guide.width, guide.height);
  const int min_quality = hash::QueryPatchOptions().min_quality;
  std::sort(votes.begin(), votes.end(), [](const Vote& a, const Vote& b) {
    return a.distance < b.distance;
  });
  PatchCandidate best = found;
  const std::size_t seeds = std::min(votes.size(), kGuideSeeds);
  for (std::size_t seed = 0; seed < seeds; ++seed) {
    const Vote& a = votes[seed];
    // Best first: the rest are further still. Most chance votes for
    // unrelated pictures are this far (the look's cost is theirs).
    if (2 * a.distance > kGuidedPair) break;
    // The bank picture's patches: stored one after another.
    std::size_t first = a.bank_patch;
    while (first > 0 && stored_[first - 1].id == stored_[a.bank_patch].id) {
      --first;
    }
    const int variant = a.pose < hash::kDihedralCount ? a.pose : 0;
    const float degrees = a.turn / kRadiansPerDegree;
    const float c = std::cos(a.turn);
    const float sn = std::sin(a.turn);
    int group = 1;
    int worst = a.distance;
    for (std::size_t j = first;
         j < stored_.size() && stored_[j].id == stored_[a.bank_patch].id; ++j) {
      if (j == a.bank_patch) continue;
      // Where the seed's geometry puts bank patch j in the posed query:
      // the bank vector scaled, and turned back by the pose's turn.
      const Stored& b = stored_[j];
      // Mostly the seed's own window again (as wide, centres within half
      // a side): its hash follows the seed's, right or wrong, and
      // confirms nothing.
      const Stored& seed_patch = stored_[a.bank_patch];
      const float ratio = b.side / seed_patch.side;
      if (ratio > 0.5f && ratio < 2.0f &&
          std::hypot(b.x - seed_patch.x, b.y - seed_patch.y) <
              0.25f * (b.side + seed_patch.side)) {
        continue;
      }
      const float dx = (b.x - a.bx) * a.scale;
      const float dy = (b.y - a.by) * a.scale;
      float x = 0;
      float y = 0;
      Unpose(a.qx + c * dx + sn * dy, a.qy - sn * dx + c * dy, guide.width,
             guide.height, variant, x, y);
      const auto seen =
          guide.probe.Hash({x / guide.width, y / guide.height,
                            b.side * a.scale / longer, degrees, variant});
      if (!seen || seen->quality < min_quality) continue;
      const auto& block = blocks_->blocks[j / index::HashBlock::kEntries];
      const std::size_t slot = j % index::HashBlock::kEntries;
      const hash::PdqHash bank(std::array<std::uint64_t, 4>{
          block.words[0][slot], block.words[1][slot], block.words[2][slot],
          block.words[3][slot]});
      const int distance = hash::Distance(seen->hash, bank);
      if (distance > guide.radius || a.distance + distance > kGuidedPair) {
        continue;
      }
      ++group;
      worst = std::max(worst, distance);
      if (group >= guide.min_group) break;
    }
    if (group > best.group) {
      best.group = group;
      best.worst_distance = worst;
      best.guided = group - 1;
    }
    if (best.group >= guide.min_group) break;
  }
  return best;
}

PatchCandidate CheckPatches(const PatchSignature& query,
                            const PatchSignature& bank, std::int64_t id,
                            const PatchMatchOptions& options,
                            const hash::PatchProbe* probe) {
  PatchIndex index;
  index.Add(id, bank);
  const auto candidates = index.Search(query, options, probe);
  return candidates.empty() ? PatchCandidate{id, 0, 0, 0} : candidates.front();
}

PatchIndex::PatchIndex() : blocks_(std::make_unique<Blocks>()) {}
PatchIndex::~PatchIndex() = default;
PatchIndex::PatchIndex(PatchIndex&&) noexcept = default;
PatchIndex& PatchIndex::operator=(PatchIndex&&) noexcept = default;

void PatchIndex::Add(std::int64_t id, const PatchSignature& signature) {
  if (!ids_.insert(id).second) return;
  const auto width = static_cast<float>(signature.width);
  const auto height = static_cast<float>(signature.height);
  const float longer = std::max(width, height);
  for (const hash::Patch& patch : signature.patches) {
    const std::size_t slot = stored_.size() % index::HashBlock::kEntries;
    if (!blocks_) blocks_ = std::make_unique<Blocks>();  // Moved from.
    auto& blocks = blocks_->blocks;
    if (slot == 0) blocks.push_back({});
    for (int w = 0; w < 4; ++w) {
      blocks.back().words[w][slot] = patch.hash.words()[w];
    }
    stored_.push_back(
        {id, patch.x * width, patch.y * height, patch.side * longer});
  }
  for (const hash::CentredCrop& crop : signature.crops) {
    crops_.push_back({id, crop.keep, crop.hash});
  }
}

void PatchIndex::Revoke(std::span<const std::int64_t> ids) {
  for (std::int64_t id : ids) {
    if (ids_.contains(id)) revoked_.insert(id);
  }
}

std::size_t PatchIndex::memory_bytes() const {
  const std::size_t blocks = blocks_ ? blocks_->blocks.capacity() : 0;
  // Hash sets: a node and a bucket per id, roughly.
  return blocks * sizeof(index::HashBlock) +
         stored_.capacity() * sizeof(Stored) +
         crops_.capacity() * sizeof(StoredCrop) +
         (ids_.size() + revoked_.size()) *
             (sizeof(std::int64_t) + 2 * sizeof(void*));
}

std::vector<PatchCandidate> PatchIndex::Search(
    const PatchSignature& query, const PatchMatchOptions& options,
    const hash::PatchProbe* probe) const {
  const auto width = static_cast<float>(query.width);
  const auto height = static_cast<float>(query.height);
  const float longer = std::max(width, height);
  // Every pose of every query patch, scanned against the bank in one batch.
  struct Posed {
    int patch;
    int pose;
    float x, y, side;
  };
  std::vector<hash::PdqHash> hashes;
  std::vector<Posed> posed;
  std::vector<std::pair<int, hash::PdqHash>> poses;
  const std::vector<float> turns = hash::QueryPatchOptions().turns;
  for (int q = 0; q < static_cast<int>(query.patches.size()); ++q) {
    const hash::Patch& patch = query.patches[q];
    Poses(patch, poses);
    for (const auto& [pose, query_hash] : poses) {
      float x = 0;
      float y = 0;
      Pose(patch.x * width, patch.y * height, width, height,
           pose < hash::kDihedralCount ? pose : 0, x, y);
      hashes.push_back(query_hash);
      posed.push_back({q, pose, x, y, patch.side * longer});
    }
  }
  // Centred crops: every pose of the query's against every bank crop.
  struct CropHit {
    int distance;
    float keep;
  };
  std::unordered_map<std::int64_t, CropHit> crop_hits;
  for (const hash::CentredCrop& crop : query.crops) {
    const std::span<const hash::PdqHash> crop_poses =
        crop.dihedral ? std::span<const hash::PdqHash>(*crop.dihedral)
                      : std::span<const hash::PdqHash>(&crop.hash, 1);
    for (const StoredCrop& stored : crops_) {
      for (const hash::PdqHash& pose : crop_poses) {
        const int distance = hash::Distance(pose, stored.hash);
        if (distance > options.crop_radius) continue;
        if (!revoked_.empty() && revoked_.contains(stored.id)) continue;
        auto [hit, added] =
            crop_hits.try_emplace(stored.id, CropHit{distance, stored.keep});
        if (!added && distance < hit->second.distance) {
          hit->second = {distance, stored.keep};
        }
      }
    }
  }
  std::vector<std::vector<index::Match>> found(hashes.size());
  if (blocks_ && !stored_.empty()) {
    index::ScanBatch(index::BestScanKernel(), blocks_->blocks, stored_.size(),
                     {}, hashes, options.radius, found);
  }
  std::unordered_map<std::int64_t, std::vector<Vote>> by_picture;
  for (std::size_t k = 0; k < found.size(); ++k) {
    const Posed& p = posed[k];
    for (const index::Match& match : found[k]) {
      const Stored& stored = stored_[match.id];
      if (!revoked_.empty() && revoked_.contains(stored.id)) continue;
      const int turn = p.pose - hash::kDihedralCount;
      by_picture[stored.id].push_back(
          {p.patch, match.id, p.pose, match.distance, p.side / stored.side, p.x,
           p.y, stored.x, stored.y,
           turn >= 0 && turn < static_cast<int>(turns.size())
               ? turns[turn] * kRadiansPerDegree
               : 0.0f});
    }
  }
  std::vector<PatchCandidate> candidates;
  candidates.reserve(by_picture.size() + crop_hits.size());
  for (auto& [id, votes] : by_picture) {
    candidates.push_back(Best(id, votes));
    PatchCandidate& candidate = candidates.back();
    const auto crop = crop_hits.find(id);
    if (crop != crop_hits.end()) {
      candidate.crop_distance = crop->second.distance;
      candidate.crop_keep = crop->second.keep;
      crop_hits.erase(crop);
    }
    if (options.guided && probe != nullptr &&
        !candidate.matched(options.min_group)) {
      candidate =
          Guided({*probe, width, height, options.radius, options.min_group},
                 candidate, votes);
    }
  }
  for (const auto& [id, crop] : crop_hits) {
    PatchCandidate& candidate = candidates.emplace_back();
    candidate.id = id;
    candidate.crop_distance = crop.distance;
    candidate.crop_keep = crop.keep;
  }
  const int min_group = options.min_group;
  std::sort(candidates.begin(), candidates.end(),
            [min_group](const PatchCandidate& a, const PatchCandidate& b) {
              const bool a_matched = a.matched(min_group);
              if (a_matched != b.matched(min_group)) return a_matched;
              if (a.group != b.group) return a.group > b.group;
              return a.id < b.id;
            });
  return candidates;
}

}  // namespace rempart::match
