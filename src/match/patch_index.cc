#include "rempart/match/patch_index.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace rempart::match {
namespace {

// One query hash (a patch in one orientation or turn) near one bank patch.
struct Vote {
  int query_patch;
  std::size_t bank_patch;
  int pose;  // 0…7: dihedral variant; 8 + i: turn i.
  int distance;
  float scale;     // Query patch side over bank patch side.
  float qx, qy;    // Query patch centre, in the posed query's pixels.
  float bx, by;    // Bank patch centre, in the bank picture's pixels.
};

// Where pixel (x, y) of a width × height picture lands once the picture is
// turned or mirrored as dihedral variant `v` says (hash/pdq.h's order).
void Pose(float x, float y, float width, float height, int v, float& px,
          float& py) {
  switch (v) {
    case 1: px = y; py = width - x; return;           // 90° counter-clockwise
    case 2: px = width - x; py = height - y; return;  // 180°
    case 3: px = height - y; py = x; return;          // 90° clockwise
    case 4: px = x; py = height - y; return;          // top and bottom
    case 5: px = width - x; py = y; return;           // mirror
    case 6: px = y; py = x; return;                   // main diagonal
    case 7: px = height - y; py = width - x; return;  // anti-diagonal
    default: px = x; py = y; return;
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
    if (std::abs(std::log(b.scale / a.scale)) > 0.35f) continue;
    const float qdx = b.qx - a.qx;
    const float qdy = b.qy - a.qy;
    const float bdx = (b.bx - a.bx) * a.scale;
    const float bdy = (b.by - a.by) * a.scale;
    const float qlen = std::hypot(qdx, qdy);
    const float blen = std::hypot(bdx, bdy);
    if (qlen < 1e-3f || blen < 1e-3f) continue;
    if (std::abs(std::log(qlen / blen)) > 0.25f) continue;
    const float angle =
        std::atan2(qdx * bdy - qdy * bdx, qdx * bdx + qdy * bdy);
    if (std::abs(angle) > 0.26f) continue;  // 15°
    const bool reused = std::any_of(group.begin(), group.end(), [&](auto g) {
      return votes[g].bank_patch == b.bank_patch ||
             votes[g].query_patch == b.query_patch;
    });
    if (!reused) group.push_back(j);
  }
  return static_cast<int>(group.size());
}

}  // namespace

hash::PatchOptions BankPatchOptions() {
  hash::PatchOptions options;
  options.max_patches = 64;
  options.work_side = 512;
  options.min_sigma = 3.0f;
  options.contrast = 0.5f;
  return options;
}

hash::PatchOptions QueryPatchOptions() {
  hash::PatchOptions options;
  options.max_patches = 300;
  options.work_side = 640;
  options.min_sigma = 1.6f;
  options.contrast = 0.5f;
  options.dihedral = true;
  options.turns = {-8.0f, -4.0f, 4.0f, 8.0f};
  return options;
}

void PatchIndex::Add(std::int64_t id, const PatchSignature& signature) {
  const float longer =
      static_cast<float>(std::max(signature.width, signature.height));
  for (const hash::Patch& patch : signature.patches) {
    hashes_.push_back(patch.hash);
    stored_.push_back({id, patch.x * signature.width,
                       patch.y * signature.height, patch.side * longer});
  }
  ++pictures_;
}

std::vector<PatchCandidate> PatchIndex::Search(
    const PatchSignature& query, const PatchMatchOptions& options) const {
  const auto width = static_cast<float>(query.width);
  const auto height = static_cast<float>(query.height);
  const float longer = std::max(width, height);
  std::unordered_map<std::int64_t, std::vector<Vote>> by_picture;
  std::vector<std::pair<int, hash::PdqHash>> poses;
  for (int q = 0; q < static_cast<int>(query.patches.size()); ++q) {
    const hash::Patch& patch = query.patches[q];
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
    const float qside = patch.side * longer;
    for (const auto& [pose, query_hash] : poses) {
      float qx = 0;
      float qy = 0;
      Pose(patch.x * width, patch.y * height, width, height,
           pose < hash::kDihedralCount ? pose : 0, qx, qy);
      for (std::size_t b = 0; b < hashes_.size(); ++b) {
        const int distance = hash::Distance(query_hash, hashes_[b]);
        if (distance > options.radius) continue;
        const Stored& stored = stored_[b];
        by_picture[stored.id].push_back({q, b, pose, distance,
                                         qside / stored.side, qx, qy, stored.x,
                                         stored.y});
      }
    }
  }
  std::vector<PatchCandidate> candidates;
  std::vector<std::size_t> group;
  for (const auto& [id, votes] : by_picture) {
    PatchCandidate candidate{id, 0, 0};
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
    candidates.push_back(candidate);
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const PatchCandidate& a, const PatchCandidate& b) {
              return a.group != b.group ? a.group > b.group : a.id < b.id;
            });
  return candidates;
}

}  // namespace rempart::match
