// core::RateLimiter: counts per key in fixed windows, says how long to wait, bounded memory.
#include "core/rate_limit.h"

#include <gtest/gtest.h>

namespace yiwang::core {
namespace {

TEST(RateLimiter, AllowsTheLimitPerWindowThenSaysHowLongToWait) {
  RateLimiter limiter(3, 60'000);
  EXPECT_EQ(0, limiter.acquire("10.0.0.1", 1'000));
  EXPECT_EQ(0, limiter.acquire("10.0.0.1", 2'000));
  EXPECT_EQ(0, limiter.acquire("10.0.0.1", 3'000));
  EXPECT_EQ(58'000, limiter.acquire("10.0.0.1", 3'000));
  EXPECT_EQ(0, limiter.acquire("10.0.0.2", 3'000));  // another key has its own window
  EXPECT_EQ(1'000, limiter.acquire("10.0.0.1", 60'000));
  EXPECT_EQ(0, limiter.acquire("10.0.0.1", 61'000));  // a new window
}

TEST(RateLimiter, CheckIs429WithRetryAfterSeconds) {
  RateLimiter limiter(1, 10'000);
  EXPECT_TRUE(limiter.check("k", 0, "太频繁", "too often"));
  auto refused = limiter.check("k", 2'500, "太频繁", "too often");
  ASSERT_FALSE(refused);
  EXPECT_EQ(ErrorCode::rate_limited, refused.error().code);
  EXPECT_EQ(8, refused.error().retry_after_s);
  EXPECT_EQ("太频繁", refused.error().message_zh);
}

TEST(RateLimiter, AFloodOfKeysDoesNotGrowTheTableWithoutBound) {
  RateLimiter limiter(1, 60'000, 100);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(0, limiter.acquire("k" + std::to_string(i), i));
  // The table was cleared whenever it filled: a recent key is still counted, an early one is
  // allowed again.
  EXPECT_NE(0, limiter.acquire("k999", 1000));
  EXPECT_EQ(0, limiter.acquire("k5", 1000));
}

}  // namespace
}  // namespace yiwang::core
