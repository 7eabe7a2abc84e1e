// Contention: a write the store gave up on after its retries (PostgreSQL serialization failures
// among concurrent writers) fails with conflict and kContendedEn. A background loop (an event
// follower, a sweep) simply runs again on its next round, with nothing lost: such a failure is
// worth reporting only when it persists.
#pragma once

#include <string_view>

#include "core/result.h"

namespace yiwang::store {

inline constexpr std::string_view kContendedEn = "too many concurrent changes; please retry";

inline bool is_contention(const Error& e) {
  return e.code == ErrorCode::conflict && e.message_en == kContendedEn;
}

// A background loop's failures in a row: any failure but contention is reported at once,
// contention from the kPersisting-th round in a row on. Not thread-safe: one per loop.
class FailureStreak {
 public:
  static constexpr int kPersisting = 3;

  // Counts a failed round; whether to report `e` now.
  bool report(const Error& e) {
    ++in_a_row_;
    return !is_contention(e) || in_a_row_ >= kPersisting;
  }
  void succeeded() { in_a_row_ = 0; }

 private:
  int in_a_row_ = 0;
};

}  // namespace yiwang::store
