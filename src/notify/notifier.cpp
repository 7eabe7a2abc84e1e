#include <algorithm>
#include <stdexcept>

#include "events/events.h"
#include "notify/notify.h"

namespace yiwang::notify {

struct Notifier::State {
  Recipients recipients;
  Post post;
  std::unique_ptr<events::Follower> follower;

  Status handle(store::Tx& tx, const events::Event& e) {
    auto notice = notice_for(e);
    if (!notice) return {};
    std::vector<std::string> to = recipients(tx, e);
    // Nobody is told of their own act (a citizen withdrawing, an official who is also the
    // applicant of a test case).
    std::erase(to, e.actor.user_id);
    std::sort(to.begin(), to.end());
    to.erase(std::unique(to.begin(), to.end()), to.end());
    if (to.empty()) return {};
    return post(tx, to, *notice);
  }
};

Notifier::Notifier(store::Store& store, Recipients recipients, Post post)
    : state_(std::make_unique<State>(State{std::move(recipients), std::move(post), nullptr})) {
  State& s = *state_;
  state_->follower = std::make_unique<events::Follower>(
      store, "notify", [&s](store::Tx& tx, const events::Event& e) { return s.handle(tx, e); });
  // News, not history: on a database with a past, the first start tells nobody of that past.
  if (auto st = state_->follower->start_at_end(); !st) {
    throw std::runtime_error("notify: " + st.error().message_en);
  }
}

Notifier::~Notifier() = default;

Result<int> Notifier::poll_once() {
  return state_->follower->poll_once();
}

}  // namespace yiwang::notify
