#include "match/video_index.h"

#include <algorithm>
#include <limits>
#include <mutex>
#include <string>

namespace rempart::match {

VideoIndex::VideoIndex(index::LiveOptions options)
    : frames_(std::move(options)) {}

Status VideoIndex::Add(std::span<const VideoInput> videos) {
  std::vector<index::PdqEntry> entries;
  {
    std::unique_lock lock(mutex_);
    for (const VideoInput& video : videos) {
      if (video.frames.empty() || by_entry_.contains(video.entry_id)) continue;
      const std::size_t first = quality_.size();
      if (first + video.frames.size() >
          std::numeric_limits<index::EntryId>::max()) {
        return ResourceExhaustedError(
            "video index: more than 2^32 - 1 frames in one bank");
      }
      for (std::size_t i = 0; i < video.frames.size(); ++i) {
        const hash::VpdqFrame& frame = video.frames[i];
        quality_.push_back(
            static_cast<std::uint8_t>(std::clamp(frame.quality, 0, 100)));
        entries.push_back({frame.hash, static_cast<index::EntryId>(first + i)});
      }
      by_entry_.emplace(video.entry_id, videos_.size());
      videos_.push_back(
          {.entry_id = video.entry_id,
           .first_frame = static_cast<std::uint32_t>(first),
           .frame_count = static_cast<std::uint32_t>(video.frames.size()),
           .revoked = false});
      ++live_videos_;
      live_frames_ += video.frames.size();
    }
  }
  // Frame ids are known (above) before any search can return them.
  if (!entries.empty()) frames_.Add(entries, {});
  return OkStatus();
}

void VideoIndex::Revoke(std::span<const std::int64_t> entry_ids) {
  std::vector<index::EntryId> frame_ids;
  std::vector<std::size_t> revoked;
  {
    std::shared_lock lock(mutex_);
    for (const std::int64_t id : entry_ids) {
      const auto found = by_entry_.find(id);
      if (found == by_entry_.end()) continue;
      const Video& video = videos_[found->second];
      if (video.revoked) continue;
      for (std::uint32_t k = 0; k < video.frame_count; ++k) {
        frame_ids.push_back(video.first_frame + k);
      }
      revoked.push_back(found->second);
    }
  }
  if (frame_ids.empty()) return;
  frames_.Revoke(frame_ids);
  std::unique_lock lock(mutex_);
  for (const std::size_t position : revoked) {
    Video& video = videos_[position];
    if (video.revoked) continue;
    video.revoked = true;
    --live_videos_;
    live_frames_ -= video.frame_count;
  }
}

const VideoIndex::Video& VideoIndex::VideoOf(index::EntryId id) const {
  // The last video whose first frame is at or before `id`.
  const auto after =
      std::upper_bound(videos_.begin(), videos_.end(), id,
                       [](index::EntryId frame, const Video& video) {
                         return frame < video.first_frame;
                       });
  return *(after - 1);
}

std::size_t VideoIndex::UsableFrames(const Video& video,
                                     int quality_threshold) const {
  const auto begin = quality_.begin() + video.first_frame;
  return static_cast<std::size_t>(std::count_if(
      begin, begin + video.frame_count,
      [&](std::uint8_t quality) { return quality >= quality_threshold; }));
}

std::vector<VideoCandidate> VideoIndex::Search(
    std::span<const hash::VpdqFrame> query,
    const hash::VpdqMatchOptions& options) const {
  std::vector<hash::PdqHash> usable;
  usable.reserve(query.size());
  for (const hash::VpdqFrame& frame : query) {
    if (frame.quality >= options.quality_threshold) {
      usable.push_back(frame.hash);
    }
  }
  if (usable.empty()) return {};
  const std::vector<std::vector<index::Match>> per_frame =
      frames_.SearchBatch(usable, options.distance);

  struct Tally {
    std::size_t query_matched = 0;
    std::size_t last_query = std::numeric_limits<std::size_t>::max();
    std::vector<bool> target_hit;
    std::size_t target_matched = 0;
    int best_distance = std::numeric_limits<int>::max();
  };
  std::unordered_map<std::size_t, Tally> tallies;  // By videos_ position.
  std::vector<VideoCandidate> candidates;
  std::shared_lock lock(mutex_);
  for (std::size_t q = 0; q < per_frame.size(); ++q) {
    for (const index::Match& match : per_frame[q]) {
      if (quality_[match.id] < options.quality_threshold) continue;
      const Video& video = VideoOf(match.id);
      if (video.revoked) continue;
      Tally& tally = tallies[static_cast<std::size_t>(&video - videos_.data())];
      if (tally.target_hit.empty()) tally.target_hit.resize(video.frame_count);
      if (tally.last_query != q) {
        tally.last_query = q;
        ++tally.query_matched;
      }
      const std::size_t position = match.id - video.first_frame;
      if (!tally.target_hit[position]) {
        tally.target_hit[position] = true;
        ++tally.target_matched;
      }
      tally.best_distance = std::min(tally.best_distance, match.distance);
    }
  }
  candidates.reserve(tallies.size());
  for (const auto& [position, tally] : tallies) {
    const Video& video = videos_[position];
    VideoCandidate candidate;
    candidate.entry_id = video.entry_id;
    candidate.best_distance = tally.best_distance;
    hash::VpdqComparison& comparison = candidate.comparison;
    comparison.query_usable = usable.size();
    comparison.target_usable = UsableFrames(video, options.quality_threshold);
    comparison.query_matched = tally.query_matched;
    comparison.target_matched = tally.target_matched;
    comparison.query_percent =
        hash::VpdqPercent(comparison.query_matched, comparison.query_usable);
    comparison.target_percent =
        hash::VpdqPercent(comparison.target_matched, comparison.target_usable);
    comparison.match = hash::VpdqMatches(comparison, options);
    candidates.push_back(candidate);
  }
  return candidates;
}

std::vector<FrameHit> VideoIndex::SearchFrames(
    std::span<const hash::PdqHash> variants, int radius,
    int quality_threshold) const {
  const std::vector<index::Match> matches = frames_.SearchAny(variants, radius);
  std::unordered_map<std::int64_t, FrameHit> best;
  std::shared_lock lock(mutex_);
  for (const index::Match& match : matches) {
    if (quality_[match.id] < quality_threshold) continue;
    const Video& video = VideoOf(match.id);
    if (video.revoked) continue;
    const FrameHit hit{.entry_id = video.entry_id,
                       .frame_position = match.id - video.first_frame,
                       .distance = match.distance};
    auto [slot, inserted] = best.try_emplace(video.entry_id, hit);
    if (!inserted && (hit.distance < slot->second.distance ||
                      (hit.distance == slot->second.distance &&
                       hit.frame_position < slot->second.frame_position))) {
      slot->second = hit;
    }
  }
  std::vector<FrameHit> hits;
  hits.reserve(best.size());
  for (const auto& [id, hit] : best) hits.push_back(hit);
  return hits;
}

VideoIndexStats VideoIndex::stats() const {
  VideoIndexStats stats;
  const std::size_t index_bytes = frames_.stats().memory_bytes;
  std::shared_lock lock(mutex_);
  stats.videos = live_videos_;
  stats.frames = live_frames_;
  stats.memory_bytes = index_bytes + quality_.capacity() +
                       videos_.capacity() * sizeof(Video) +
                       by_entry_.size() * (sizeof(std::int64_t) * 4);
  return stats;
}

}  // namespace rempart::match
