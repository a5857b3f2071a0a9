// VideoIndex: one bank's videos, searchable frame by frame.
//
// Every frame of every live video sits in one LiveIndex (a frame index), so
// a query video costs one batch search of its usable frames, whatever the
// number of videos: there is no per-video comparison. Hits are gathered per
// video into the two vPDQ percentages (hash/vpdq.h), which come out equal
// to hash::CompareVpdq against each video (checked by randomized tests).
//
// Frames get ids of their own, contiguous per video, in the order videos
// are added; a video's frames are found from any of its frame ids by a
// binary search over the first ids. Per frame the index keeps one byte
// (its quality) beside the LiveIndex entry.
//
// Thread-safe: any number of searches, with Add() and Revoke() from one
// writer at a time (the Matcher's refresh).
#ifndef REMPART_MATCH_VIDEO_INDEX_H_
#define REMPART_MATCH_VIDEO_INDEX_H_

#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <span>
#include <unordered_map>
#include <vector>

#include "rempart/core/result.h"
#include "rempart/hash/pdq_hash.h"
#include "rempart/hash/vpdq.h"
#include "rempart/index/live_index.h"

namespace rempart::match {

struct VideoInput {
  std::int64_t entry_id = 0;
  std::span<const hash::VpdqFrame> frames;
};

// A video that shares frames with a query video.
struct VideoCandidate {
  std::int64_t entry_id = 0;
  hash::VpdqComparison comparison;
  int best_distance = 0;  // Smallest frame distance seen.
};

// A frame within the radius of a single picture's hash.
struct FrameHit {
  std::int64_t entry_id = 0;
  std::size_t frame_position = 0;  // Index into the video's frames.
  int distance = 0;
};

struct VideoIndexStats {
  std::size_t videos = 0;  // Live videos.
  std::size_t frames = 0;  // Their frames.
  std::size_t memory_bytes = 0;
};

class VideoIndex {
 public:
  explicit VideoIndex(index::LiveOptions options = {});

  // Makes videos searchable. A video already present (by entry id) is left
  // as it is. ResourceExhausted past 2^32 − 1 frames in all.
  Status Add(std::span<const VideoInput> videos);
  // Revoked videos never match again; unknown ids are ignored.
  void Revoke(std::span<const std::int64_t> entry_ids);

  // Every live video with at least one usable frame within
  // options.distance of a usable frame of `query`, with both percentages
  // (whether or not they reach the thresholds: see comparison.match), in
  // no particular order.
  [[nodiscard]] std::vector<VideoCandidate> Search(
      std::span<const hash::VpdqFrame> query,
      const hash::VpdqMatchOptions& options) const;

  // The closest usable frame (quality ≥ quality_threshold) of each live
  // video within `radius` of any of `variants` (a still picture, perhaps a
  // screenshot of the video).
  [[nodiscard]] std::vector<FrameHit> SearchFrames(
      std::span<const hash::PdqHash> variants, int radius,
      int quality_threshold) const;

  [[nodiscard]] VideoIndexStats stats() const;

 private:
  struct Video {
    std::int64_t entry_id = 0;
    std::uint32_t first_frame = 0;
    std::uint32_t frame_count = 0;
    bool revoked = false;
  };

  // The video holding frame `id`; mutex_ held (shared).
  [[nodiscard]] const Video& VideoOf(index::EntryId id) const;
  [[nodiscard]] std::size_t UsableFrames(const Video& video,
                                         int quality_threshold) const;

  index::LiveIndex frames_;
  mutable std::shared_mutex mutex_;    // Guards the members below.
  std::vector<Video> videos_;          // By first_frame, ascending.
  std::vector<std::uint8_t> quality_;  // By frame id.
  std::unordered_map<std::int64_t, std::size_t> by_entry_;  // → videos_ index.
  std::size_t live_videos_ = 0;
  std::size_t live_frames_ = 0;
};

}  // namespace rempart::match

#endif  // REMPART_MATCH_VIDEO_INDEX_H_
