// The login throttling rules on plain values (login_guard.h): free failures, doubling waits up to
// the cap, forgetting, and which keys hold an attempt back.
#include "identity/login_guard.h"

#include <gtest/gtest.h>

namespace yiwang::identity::guard {
namespace {

constexpr core::Millis kNow = 1'000'000'000;

TEST(LoginGuard, WaitsAfterTheFreeFailuresDoubleUpToTheCap) {
  const Limit limit{3, 1000, 15 * 60 * 1000, 24 * 3600 * 1000LL};
  const struct {
    std::int64_t failures;
    core::Millis since_last;  // ms between the last failure and now
    core::Millis wait;
  } cases[] = {
      {0, 0, 0},      {1, 0, 0},          {3, 0, 0},
      {4, 0, 1000},   {4, 400, 600},      {4, 1000, 0},
      {5, 0, 2000},   {6, 0, 4000},       {13, 0, 512'000},
      {14, 0, 900'000}, {200, 0, 900'000}, {200, 24 * 3600 * 1000LL, 0},  // forgotten
  };
  for (const auto& c : cases) {
    const Counter counter{c.failures, kNow - c.since_last};
    EXPECT_EQ(c.wait, wait_ms(counter, limit, kNow))
        << c.failures << " failures, last " << c.since_last << " ms ago";
  }
}

TEST(LoginGuard, AFailureAfterAQuietPeriodStartsTheCountAgain) {
  const Limit limit{3, 1000, 900'000, 3'600'000};
  EXPECT_EQ(6, after_failure({5, kNow - 10}, limit, kNow).failures);
  EXPECT_EQ(1, after_failure({5, kNow - 3'600'000}, limit, kNow).failures);
  EXPECT_EQ(kNow, after_failure({5, kNow - 10}, limit, kNow).last_failure_ms);
  EXPECT_FALSE(starts_burst({2, kNow}, limit, kNow));
  EXPECT_TRUE(starts_burst({3, kNow}, limit, kNow));
  EXPECT_FALSE(starts_burst({4, kNow}, limit, kNow));
}

TEST(LoginGuard, TheAccountWideKeyDoesNotHoldBackKnownAddressesOrAValidSecondFactor) {
  Policy policy;
  Attempt a;
  a.account = {policy.account.free_failures + 3, kNow};
  EXPECT_EQ(4000, wait_before(a, policy, kNow));
  a.known_address = true;
  EXPECT_EQ(0, wait_before(a, policy, kNow));
  a.known_address = false;
  a.valid_second_factor = true;
  EXPECT_EQ(0, wait_before(a, policy, kNow));
  // The pair and address keys always apply.
  a.pair = {policy.pair.free_failures + 1, kNow};
  EXPECT_EQ(1000, wait_before(a, policy, kNow));
  a.address = {policy.address.free_failures + 2, kNow};
  EXPECT_EQ(2000, wait_before(a, policy, kNow));
  EXPECT_EQ(1, retry_after_seconds(1));
  EXPECT_EQ(2, retry_after_seconds(1001));
}

}  // namespace
}  // namespace yiwang::identity::guard
