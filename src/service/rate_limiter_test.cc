#include "rempart/service/rate_limiter.h"

#include <gtest/gtest.h>

namespace rempart::service {
namespace {

class RateLimiterTest : public ::testing::Test {
 protected:
  std::int64_t now_us = 1'000'000;
  std::function<std::int64_t()> clock = [this] { return now_us; };
};

TEST_F(RateLimiterTest, ABurstThenTheRate) {
  RateLimiter limiter(1000, clock);
  const RateLimit limit{10, 20};
  for (int i = 0; i < 20; ++i) EXPECT_EQ(limiter.Acquire("a", limit), 0) << i;
  EXPECT_GE(limiter.Acquire("a", limit), 1);
  now_us += 100'000;  // 0.1 s: one token back.
  EXPECT_EQ(limiter.Acquire("a", limit), 0);
  EXPECT_GE(limiter.Acquire("a", limit), 1);
  now_us += 10'000'000;  // Long idle: the bucket is full again, not fuller.
  for (int i = 0; i < 20; ++i) EXPECT_EQ(limiter.Acquire("a", limit), 0) << i;
  EXPECT_GE(limiter.Acquire("a", limit), 1);
}

TEST_F(RateLimiterTest, CallersAreIndependent) {
  RateLimiter limiter(1000, clock);
  const RateLimit limit{1, 1};
  EXPECT_EQ(limiter.Acquire("a", limit), 0);
  EXPECT_GE(limiter.Acquire("a", limit), 1);
  EXPECT_EQ(limiter.Acquire("b", limit), 0);
}

TEST_F(RateLimiterTest, RetryAfterSaysWhenATokenIsBack) {
  RateLimiter limiter(1000, clock);
  const RateLimit slow{0.2, 1};  // One every 5 s.
  EXPECT_EQ(limiter.Acquire("a", slow), 0);
  EXPECT_EQ(limiter.Acquire("a", slow), 5);
  now_us += 4'000'000;
  EXPECT_EQ(limiter.Acquire("a", slow), 1);
}

TEST_F(RateLimiterTest, UnlimitedWhenNoRate) {
  RateLimiter limiter(1000, clock);
  for (int i = 0; i < 10'000; ++i) ASSERT_EQ(limiter.Acquire("a", {0, 0}), 0);
}

TEST_F(RateLimiterTest, MemoryStaysBoundedAndIdleCallersAreForgotten) {
  // 16 shards × 1 bucket each.
  RateLimiter limiter(16, clock);
  const RateLimit limit{1, 1};
  int refused = 0;
  for (int i = 0; i < 1000; ++i) {
    if (limiter.Acquire("caller" + std::to_string(i), limit) != 0) ++refused;
  }
  // The table is full of callers that have spent their token: new ones are
  // refused rather than the table grown.
  EXPECT_GT(refused, 900);
  now_us += 2'000'000;  // Everyone refilled: their buckets can go.
  EXPECT_EQ(limiter.Acquire("newcomer", limit), 0);
}

}  // namespace
}  // namespace rempart::service
