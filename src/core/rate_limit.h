// Per-key rate limits in memory: at most `limit` events per key in each window of `window_ms`
// (fixed windows starting at a key's first event). For abuse resistance on open routes
// (registrations, anonymous feedback and reports, per client address): each node limits its own
// share, and a restart forgets — quotas that must hold across nodes are kept in the store.
// Thread-safe. Memory is bounded: quiet keys are dropped when the table fills.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.h"
#include "core/result.h"
#include "core/thread_annotations.h"

namespace yiwang::core {

class RateLimiter {
 public:
  RateLimiter(int limit, Millis window_ms, std::size_t max_keys = 100'000);

  // Counts one event for `key` at `now`: 0 when allowed, else the milliseconds until the key's
  // window ends (the event is not counted then).
  Millis acquire(std::string_view key, Millis now) EXCLUDES(mu_);

  // The same as a Status: rate_limited with Retry-After seconds and the zh/en messages.
  Status check(std::string_view key, Millis now, std::string message_zh, std::string message_en)
      EXCLUDES(mu_);

 private:
  struct Window {
    Millis start = 0;
    int count = 0;
  };
  void drop_quiet_locked(Millis now) REQUIRES(mu_);

  const int limit_;           // constant after construction
  const Millis window_ms_;    // constant after construction
  const std::size_t max_keys_;
  Mutex mu_;
  std::unordered_map<std::string, Window> windows_ GUARDED_BY(mu_);
};

}  // namespace yiwang::core
