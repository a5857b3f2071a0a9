// Per-caller rate limits: one token bucket per key (or per address for
// anonymous callers), refilled continuously at the caller's rate, holding
// at most `burst` tokens.
//
// Memory is bounded: beyond max_buckets callers, buckets that are full
// again (callers idle long enough to have regained every token) are
// dropped — forgetting them changes nothing — and if none is, the caller
// is refused rather than the table grown.
#ifndef REMPART_SERVICE_RATE_LIMITER_H_
#define REMPART_SERVICE_RATE_LIMITER_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace rempart::service {

struct RateLimit {
  double per_second = 0;  // Refill rate; <= 0 means unlimited.
  double burst = 0;       // Bucket size; <= 0 means 2 × per_second (≥ 1).
};

class RateLimiter {
 public:
  // `now_us`: a monotonic clock in microseconds (tests inject one).
  explicit RateLimiter(std::size_t max_buckets = 100'000,
                       std::function<std::int64_t()> now_us = {});

  // Takes one token from `caller`'s bucket. 0 when the call may proceed;
  // otherwise the whole seconds (≥ 1) after which it would, for a
  // Retry-After header.
  int Acquire(std::string_view caller, const RateLimit& limit);

 private:
  struct Bucket {
    double tokens = 0;
    std::int64_t updated_us = 0;
    double per_second = 0;
    double burst = 0;
  };
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, Bucket> buckets;
  };
  static constexpr std::size_t kShards = 16;

  std::size_t max_per_shard_;
  std::function<std::int64_t()> now_us_;
  std::array<Shard, kShards> shards_;
};

}  // namespace rempart::service

#endif  // REMPART_SERVICE_RATE_LIMITER_H_
