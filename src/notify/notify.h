// Notices to the people a matter is about (#17: applicants never got a message): every state
// change of their cases, appeals, certificates and grid reports reaches their inbox, in Chinese
// and English.
//
// Contract:
//   - `notice_for(event)` is pure: the notice an event means to the person it concerns (a
//     template by event type, with the matter's id), or nullopt for events that are not that
//     person's news (internal steps, reads, configuration, alerts for staff).
//   - `Notifier` follows the event stream (follower "notify"). For each event with a notice it
//     asks the wired `Recipients` (src/app: the applicant's account, the appellant's, the
//     certificate holder's verified accounts, a citizen reporter's) whom the subject concerns,
//     leaves out whoever acted (nobody is told of their own act), and hands the notice to the
//     wired `Post` (the inbox) inside the follower's transaction: each notice exactly once, also
//     across restarts. It tells of news, not history: started on a database with a past, it
//     begins at the end of the event stream (events::Follower::start_at_end).
//   - Notices carry no personal data beyond what the recipient already owns: the kind of act, the
//     matter's id and, where the event names it, the department.
//
// Thread-safety: Notifier is polled from one thread at a time (the app's follower loop).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace yiwang::store {
class Store;
class Tx;
}  // namespace yiwang::store
namespace yiwang::events {
struct Event;
}

namespace yiwang::notify {

struct Notice {
  std::string kind;  // the event type, e.g. "case.accepted"
  std::string title_zh, body_zh;
  std::string title_en, body_en;
  std::string subject_type;  // "case", "appeal", "certificate", "grid_event"
  std::string subject_id;
};

// Pure. See the contract.
std::optional<Notice> notice_for(const events::Event& e);
// The event types that have a notice (documentation and tests).
std::vector<std::string> notified_types();

// The accounts (user ids) the subject of `e` concerns; empty when none (e.g. a window case of
// someone without an account, an anonymous caller).
using Recipients = std::function<std::vector<std::string>(store::Tx&, const events::Event&)>;
// Delivers `n` to `user_ids` inside the transaction.
using Post =
    std::function<Status(store::Tx&, const std::vector<std::string>& user_ids, const Notice& n)>;

class Notifier {
 public:
  Notifier(store::Store& store, Recipients recipients, Post post);
  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;
  // Handles the events since the last call; returns how many it read.
  Result<int> poll_once();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace yiwang::notify
