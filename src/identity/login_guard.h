// Login throttling as pure rules: growing delays instead of a lock that outsiders could trigger.
//
// Failed logins are counted on three keys: the account from this address (`pair`), the account
// from anywhere (`account`) and the address for any account (`address`). Each key allows a few
// failures free; after that every further attempt must wait twice as long as the one before, up
// to a cap, and an attempt made too early is refused before the password is checked (429 with
// Retry-After) and counts nothing. A client that waits the time it is told gets its attempt, so
// the right password always gets in eventually — the account is never locked. The account-wide
// key, which anyone can push by guessing from many addresses, does not hold back an address the
// account has signed in from before, nor an attempt carrying a valid second factor.
// Counters are forgotten after a quiet period without failures. Usernames, not account ids, key
// the counters, so that unknown and known usernames are throttled alike (no enumeration).
//
// No store, no clock: the identity service reads the counters, asks these rules, writes back.
#pragma once

#include <cstdint>
#include <optional>

#include "core/clock.h"

namespace yiwang::identity::guard {

enum class Scope { pair, account, address };

struct Counter {
  std::int64_t failures = 0;
  core::Millis last_failure_ms = 0;
};

struct Limit {
  std::int64_t free_failures = 0;  // failures before any wait
  core::Millis first_wait_ms = 0;  // the wait after the first failure beyond the free ones
  core::Millis max_wait_ms = 0;
  core::Millis forget_after_ms = 0;  // a counter quiet this long counts as zero
};

struct Policy {
  Limit pair{3, 1000, 15LL * 60 * 1000, 24LL * 3600 * 1000};
  Limit account{10, 1000, 15LL * 60 * 1000, 24LL * 3600 * 1000};
  Limit address{30, 1000, 15LL * 60 * 1000, 3600LL * 1000};
};

const Limit& limit_of(const Policy& policy, Scope scope);

// The counter as it stands at `now` (zero once quiet for forget_after_ms).
Counter current(const Counter& c, const Limit& limit, core::Millis now);

// How long from `now` until the key allows another attempt; 0 = now.
core::Millis wait_ms(const Counter& c, const Limit& limit, core::Millis now);

// The counter after one more failure at `now`.
Counter after_failure(const Counter& c, const Limit& limit, core::Millis now);

// True when this failure is the one that brings the key to its first wait: a burst worth an
// alert (recorded as a security event for the administrators).
bool starts_burst(const Counter& before, const Limit& limit, core::Millis now);

struct Attempt {
  Counter pair;
  Counter account;
  Counter address;
  bool known_address = false;      // the account signed in from this address before
  bool valid_second_factor = false;
};

// The wait before this attempt may be checked, over the keys that apply; 0 = check it now.
core::Millis wait_before(const Attempt& a, const Policy& policy, core::Millis now);

// Whole seconds for Retry-After: rounded up, at least 1.
int retry_after_seconds(core::Millis wait);

}  // namespace yiwang::identity::guard
