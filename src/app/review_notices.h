// Publication review notices: when a public text is held for review (disclosure.held), the
// department's reviewers (its clerks, reviewers and approvers) are told in their inbox. One unread
// notice stands for the department's whole queue: an official who has not read the last one gets
// no other, so a backlog of fifty texts is one message, not fifty. Internal to the app module.
#pragma once

#include <memory>

#include "core/result.h"

namespace yiwang::store {
class Store;
}
namespace yiwang::core {
class Clock;
class Random;
}  // namespace yiwang::core

namespace yiwang::app {

class ReviewNotices {
 public:
  ReviewNotices(store::Store& store, core::Random& random, const core::Clock& clock);
  ~ReviewNotices();
  ReviewNotices(const ReviewNotices&) = delete;
  ReviewNotices& operator=(const ReviewNotices&) = delete;
  // Handles the events since the last call; returns how many it read.
  Result<int> poll_once();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace yiwang::app
