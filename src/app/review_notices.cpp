#include "app/review_notices.h"

#include "cases/cases.h"
#include "core/clock.h"
#include "events/events.h"
#include "identity/identity.h"

namespace yiwang::app {

constexpr const char* kNoticeKind = "disclosure.pending";

struct ReviewNotices::State {
  core::Random& random;
  const core::Clock& clock;
  std::unique_ptr<events::Follower> follower;

  // The held text's department is the actor of its event (hold() acts as the platform for it).
  Status on_held(store::Tx& tx, const events::Event& e) {
    using identity::Role;
    const auto reviewers =
        identity::officials_of(tx, e.actor.dept_id, {Role::clerk, Role::reviewer, Role::approver});
    const auto to = cases::without_unread(tx, reviewers, kNoticeKind);
    if (to.empty()) return {};
    cases::InboxMessage m;
    m.kind = kNoticeKind;
    m.title = "有待公开审核的内容";
    m.body =
        "本部门有公开内容因可能含个人信息而暂缓公开，请到“公开审核”页面处理：编辑后公开，或说明"
        "理由不予公开。本通知读后，再有暂缓公开的内容时会再次提醒。";
    m.subject_type = "disclosure_review";
    m.subject_id = e.subject_id;
    cases::post_to_inbox(tx, random, clock.now_ms(), to, m);
    return {};
  }
};

ReviewNotices::ReviewNotices(store::Store& store, core::Random& random, const core::Clock& clock)
    : state_(std::make_unique<State>(State{random, clock, nullptr})) {
  State& s = *state_;
  state_->follower = std::make_unique<events::Follower>(
      store, "app.review_notices", [&s](store::Tx& tx, const events::Event& e) -> Status {
        return e.type == "disclosure.held" ? s.on_held(tx, e) : Status{};
      });
}

ReviewNotices::~ReviewNotices() = default;

Result<int> ReviewNotices::poll_once() {
  return state_->follower->poll_once();
}

}  // namespace yiwang::app
