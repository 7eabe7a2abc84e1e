// Login throttling rules (login_guard.h).
#include "identity/login_guard.h"

#include <algorithm>

namespace yiwang::identity::guard {

const Limit& limit_of(const Policy& policy, Scope scope) {
  switch (scope) {
    case Scope::pair:
      return policy.pair;
    case Scope::account:
      return policy.account;
    case Scope::address:
      break;
  }
  return policy.address;
}

Counter current(const Counter& c, const Limit& limit, core::Millis now) {
  if (c.failures <= 0 || now - c.last_failure_ms >= limit.forget_after_ms) return {};
  return c;
}

core::Millis wait_ms(const Counter& c, const Limit& limit, core::Millis now) {
  const Counter k = current(c, limit, now);
  const std::int64_t beyond = k.failures - limit.free_failures;
  if (beyond <= 0) return 0;
  // first_wait · 2^(beyond-1), capped; the shift is bounded so that it cannot overflow.
  core::Millis wait = limit.max_wait_ms;
  if (beyond - 1 < 40) wait = std::min(limit.max_wait_ms, limit.first_wait_ms << (beyond - 1));
  return std::max<core::Millis>(0, k.last_failure_ms + wait - now);
}

Counter after_failure(const Counter& c, const Limit& limit, core::Millis now) {
  Counter k = current(c, limit, now);
  return Counter{k.failures + 1, now};
}

bool starts_burst(const Counter& before, const Limit& limit, core::Millis now) {
  return current(before, limit, now).failures + 1 == limit.free_failures + 1;
}

core::Millis wait_before(const Attempt& a, const Policy& policy, core::Millis now) {
  core::Millis wait = std::max(wait_ms(a.pair, policy.pair, now),
                               wait_ms(a.address, policy.address, now));
  if (!a.known_address && !a.valid_second_factor) {
    wait = std::max(wait, wait_ms(a.account, policy.account, now));
  }
  return wait;
}

int retry_after_seconds(core::Millis wait) {
  return static_cast<int>(std::max<core::Millis>(1, (wait + 999) / 1000));
}

}  // namespace yiwang::identity::guard
