#include "core/rate_limit.h"

#include <algorithm>

namespace yiwang::core {

RateLimiter::RateLimiter(int limit, Millis window_ms, std::size_t max_keys)
    : limit_(limit), window_ms_(window_ms), max_keys_(max_keys) {}

void RateLimiter::drop_quiet_locked(Millis now) {
  for (auto it = windows_.begin(); it != windows_.end();) {
    it = now - it->second.start >= window_ms_ ? windows_.erase(it) : std::next(it);
  }
  // Still full of live keys (a flood of addresses): start over rather than grow without bound.
  if (windows_.size() >= max_keys_) windows_.clear();
}

Millis RateLimiter::acquire(std::string_view key, Millis now) {
  MutexLock lock(mu_);
  auto it = windows_.find(std::string(key));
  if (it == windows_.end()) {
    if (windows_.size() >= max_keys_) drop_quiet_locked(now);
    windows_.emplace(std::string(key), Window{now, 1});
    return 0;
  }
  Window& w = it->second;
  if (now - w.start >= window_ms_) w = Window{now, 0};
  if (w.count >= limit_) return std::max<Millis>(1, w.start + window_ms_ - now);
  ++w.count;
  return 0;
}

Status RateLimiter::check(std::string_view key, Millis now, std::string message_zh,
                          std::string message_en) {
  const Millis wait = acquire(key, now);
  if (wait == 0) return {};
  Error e{ErrorCode::rate_limited, "", std::move(message_zh), std::move(message_en)};
  e.retry_after_s = static_cast<int>((wait + 999) / 1000);
  return fail(std::move(e));
}

}  // namespace yiwang::core
