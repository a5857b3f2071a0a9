// PatchIndex: the second-stage matcher. Finds the bank pictures that a
// query picture shows, cropped, captioned, framed, screenshotted or turned,
// from their patches (hash/patches.h).
//
// A query's patches are hashed with their eight dihedral variants and a few
// small turns; every patch hash within `radius` of a bank patch is a vote.
// Votes for one picture count only when they agree on one geometry: the
// same orientation and turn, the same scale ratio (patch side over patch
// side), and the same layout (the vector between two query patches is the
// bank vector scaled, and turned by the pose's turn within 6°). A picture
// matches when at least `min_group` votes agree. Unrelated pictures share a
// patch now and then (sky, foliage, walls); they almost never share two in the
// same geometry.
//
// Not thread-safe for Add() and Revoke(); Search() is const and may run
// concurrently with other searches (the Matcher holds a bank's index behind
// a reader-writer lock).
#ifndef REMPART_MATCH_PATCH_INDEX_H_
#define REMPART_MATCH_PATCH_INDEX_H_

#include <cstdint>
#include <memory>
#include <span>
#include <unordered_set>
#include <vector>

#include "rempart/core/result.h"
#include "rempart/hash/patches.h"
#include "rempart/media/image.h"

namespace rempart::match {

using hash::BankPatchOptions;
using hash::PatchSignature;
using hash::QueryPatchOptions;

struct PatchMatchOptions {
  int radius = 40;  // Hamming distance for a patch vote.
  // Agreeing votes for a match. Three: on the evaluation's corpus, two made
  // a handful of false matches between photographs of the same objects,
  // and the centred crops find the tight crops a third vote would cost
  // (docs/ROBUSTNESS.md).
  int min_group = 3;
  // A picture with votes but a group short of min_group is looked at again
  // where its best votes' geometry puts its other patches: windows of the
  // query hashed there (its probe) that are within `radius` of those
  // patches join the group. Only when the search is given the probe.
  bool guided = true;
  // Hamming distance for a centred crop (hash::CentredCrop): the query's
  // own crops against the bank's, PDQ's match distance.
  int crop_radius = 31;
};

struct PatchCandidate {
  std::int64_t id = 0;
  int group = 0;           // Votes in its largest agreeing group.
  int worst_distance = 0;  // Largest patch distance in that group.
  int guided = 0;          // Of the group, windows the guided look found.
  // The closest pair of centred crops within crop_radius, -1 when none:
  // its distance and the bank crop's keep.
  int crop_distance = -1;
  float crop_keep = 0;

  // A match: min_group agreeing patches, or a centred crop.
  [[nodiscard]] bool matched(int min_group) const {
    return group >= min_group || crop_distance >= 0;
  }
};

// The second stage's check of one candidate: `query` (hashed with
// QueryPatchOptions()) against one bank picture's signature, without an
// index. Its group is what PatchIndex::Search() gives that picture.
PatchCandidate CheckPatches(const PatchSignature& query,
                            const PatchSignature& bank, std::int64_t id = 0,
                            const PatchMatchOptions& options = {},
                            const hash::PatchProbe* probe = nullptr);

class PatchIndex {
 public:
  PatchIndex();
  ~PatchIndex();
  PatchIndex(PatchIndex&&) noexcept;
  PatchIndex& operator=(PatchIndex&&) noexcept;

  // Adds a bank picture's signature under `id`. An id already added
  // (revoked or not) is left as it is.
  void Add(std::int64_t id, const PatchSignature& signature);
  // Revoked pictures never match again; unknown ids are ignored. Their
  // patches stay in the scan (revocations are rare; a rebuild drops them).
  void Revoke(std::span<const std::int64_t> ids);
  // Live pictures, and the patches scanned (revoked pictures' included).
  [[nodiscard]] std::size_t pictures() const {
    return ids_.size() - revoked_.size();
  }
  [[nodiscard]] std::size_t patches() const { return stored_.size(); }
  [[nodiscard]] std::size_t crops() const { return crops_.size(); }
  // Whether `id` was added (revoked since or not).
  [[nodiscard]] bool contains(std::int64_t id) const {
    return ids_.contains(id);
  }
  [[nodiscard]] std::size_t memory_bytes() const;

  // Every bank picture with at least one vote or a centred crop within
  // crop_radius of one of the query's, matches first (PatchCandidate::
  // matched()), then by group. `query` must have been hashed with dihedral
  // variants (QueryPatchOptions()). `probe`, the query's (PatchHasher::
  // Sign()), lets a short group grow by looking again (PatchMatchOptions::
  // guided).
  [[nodiscard]] std::vector<PatchCandidate> Search(
      const PatchSignature& query, const PatchMatchOptions& options = {},
      const hash::PatchProbe* probe = nullptr) const;

  // One query hash near one bank patch: defined, and only used, in
  // patch_index.cc (its voting helpers name it from outside the class).
  struct Vote;

 private:
  // Seeds a guided look starts from: a picture's best votes.
  static constexpr std::size_t kGuideSeeds = 4;
  struct Guide;
  // `found` grown by the guided look (PatchMatchOptions::guided) from the
  // picture's votes (sorted here, best first).
  PatchCandidate Guided(const Guide& guide, const PatchCandidate& found,
                        std::vector<Vote>& votes) const;

  struct Stored {
    std::int64_t id;
    float x, y, side;  // Pixels of the bank picture.
  };
  struct Blocks;  // The patch hashes, laid out for the index layer's scans.
  std::unique_ptr<Blocks> blocks_;
  std::vector<Stored> stored_;  // One per patch, in scan order.
  struct StoredCrop {
    std::int64_t id;
    float keep;
    hash::PdqHash hash;
  };
  std::vector<StoredCrop> crops_;
  std::unordered_set<std::int64_t> ids_;
  std::unordered_set<std::int64_t> revoked_;
};

}  // namespace rempart::match

#endif  // REMPART_MATCH_PATCH_INDEX_H_
