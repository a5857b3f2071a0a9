#include "rempart/service/rate_limiter.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace rempart::service {
namespace {

std::int64_t SteadyMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

RateLimiter::RateLimiter(std::size_t max_buckets,
                         std::function<std::int64_t()> now_us)
    : max_per_shard_(std::max<std::size_t>(1, max_buckets / kShards)),
      now_us_(now_us ? std::move(now_us) : SteadyMicros) {}

int RateLimiter::Acquire(std::string_view caller, const RateLimit& limit) {
  if (limit.per_second <= 0) return 0;
  const double burst =
      limit.burst > 0 ? limit.burst : std::max(1.0, 2 * limit.per_second);
  const std::int64_t now = now_us_();
  Shard& shard = shards_[std::hash<std::string_view>{}(caller) % kShards];
  std::lock_guard lock(shard.mutex);
  // Each bucket refills at its own caller's last known rate.
  auto refill = [&](Bucket& bucket) {
    const double elapsed_s =
        static_cast<double>(now - bucket.updated_us) / 1'000'000.0;
    bucket.tokens =
        std::min(bucket.burst, bucket.tokens + elapsed_s * bucket.per_second);
    bucket.updated_us = now;
  };
  auto found = shard.buckets.find(std::string(caller));
  if (found == shard.buckets.end()) {
    if (shard.buckets.size() >= max_per_shard_) {
      // Drop the buckets that have refilled: they hold no information.
      for (auto it = shard.buckets.begin(); it != shard.buckets.end();) {
        refill(it->second);
        it = it->second.tokens >= it->second.burst ? shard.buckets.erase(it)
                                                   : std::next(it);
      }
      if (shard.buckets.size() >= max_per_shard_) return 1;
    }
    found = shard.buckets
                .emplace(std::string(caller),
                         Bucket{burst, now, limit.per_second, burst})
                .first;
  }
  Bucket& bucket = found->second;
  bucket.per_second = limit.per_second;  // A key's rate may have changed.
  bucket.burst = burst;
  refill(bucket);
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return 0;
  }
  const double wait_s = (1 - bucket.tokens) / limit.per_second;
  return std::max(1, static_cast<int>(std::ceil(wait_s)));
}

}  // namespace rempart::service
