// AI dispatch of new appeals, as a follower of the event stream: intake stays fast and never
// fails because a model is missing, and a restart resumes where the follower stopped.
#include "appeals/appeals.h"
#include "core/field_cipher.h"
#include "events/events.h"

namespace yiwang::appeals {

AutoDispatcher::AutoDispatcher(Service& service, store::Store& store, Classify classify) {
  auto handle = [&service, classify = std::move(classify)](store::Tx& tx,
                                                           const events::Event& e) -> Status {
    if (e.type != "appeal.accepted" || e.subject_type != "appeal") return {};
    auto row = tx.query_one("SELECT title, text, state FROM appeals WHERE id = ?", {e.subject_id});
    if (!row || row->text(2) != to_string(State::accepted)) return {};
    const core::FieldCipher& cipher = tx.cipher();
    auto s = classify(cipher.open_cell(row->text(0), "appeals.title", e.subject_id) + "\n" +
                      cipher.open_cell(row->text(1), "appeals.text", e.subject_id));
    // No model, or nothing to classify: the dispatcher's queue has it already.
    if (!s || s->dept_id.empty()) return {};
    auto dispatched = service.auto_dispatch(tx, e.subject_id, s->dept_id, s->confidence, s->label);
    if (!dispatched && dispatched.error().code == ErrorCode::internal) {
      return fail(dispatched.error());
    }
    // A mapping to an unknown department or a person's dispatch first: left to the dispatcher.
    return {};
  };
  follower_ = std::make_unique<events::Follower>(store, "appeals.auto_dispatch", std::move(handle));
}

AutoDispatcher::~AutoDispatcher() = default;

Result<int> AutoDispatcher::poll_once() {
  return follower_->poll_once();
}

}  // namespace yiwang::appeals
