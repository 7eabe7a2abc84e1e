// Publication review (公开审核): what the redaction cannot make safe is held for an official
// rather than published.
//
// Every public surface shows a citizen's words through privacy::redact. When redact holds a text
// (something risky remains, e.g. a digit run it cannot classify), the surface shows
// privacy::kWithheld and the text waits here for an official of the department that owns the
// matter. The official reads the draft (the text with what redact could classify already
// replaced), and either publishes an edited text or decides that it stays withheld, with a
// reason. Each decision is an event (who, when, why; the text published is public anyway).
//
// Contract:
//   - `hold(tx, subject, text, names)` runs in the writer's transaction when a text becomes
//     public (an appeal answered with consent, an Open311 request submitted, a comment or a
//     decision's reason written). A text redact does not hold leaves nothing here (and drops
//     an earlier review of that subject).
//     A held text opens a pending review, keyed by (surface, subject id): the same text again
//     changes nothing; a different text reopens the review (pending, the earlier decision void).
//   - `shown(tx, surface, ids)` is what a public surface needs for one page: for each subject
//     with a published review, the digest of the text it was decided on and the text published.
//     `public_text(text, names, shown, subject_id)` is then what to show: redact's text when it
//     does not hold, the published text when a review published this very text (the digest
//     matches), otherwise privacy::kWithheld. Pure.
//   - Reviews are read and decided only by officials with a working role (clerk, reviewer,
//     approver) of the review's department: `may_review`. Others see nothing of the queue. They
//     are told in their inbox when a text is held (the app follows "disclosure.held": one unread
//     notice stands for the queue), and the routes name the deciding official.
//   - A decision names the revision it was made on (conflict, field "/revision", when another
//     came first): publish {text (1..5000 characters; passed through redact once more, names
//     and numbers it classifies replaced — the official vouches for the rest)}, or withhold
//     {reason}. A later decision may reverse an earlier one (a published text withdrawn).
//   - `backfill` holds, once per source, the texts made public before this review existed.
//   - The draft is sealed at rest (FieldCipher, "disclosure_reviews.draft:<id>").
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "identity/identity.h"
#include "store/store.h"

namespace yiwang::http {
class Router;
}

namespace yiwang::disclosure {

std::vector<store::Migration> migrations();

// Where a text is shown to the public. The names are stable API values.
enum class Surface {
  appeal_title,  // the appeals board
  appeal_text,
  appeal_reply,
  grid_event_description,  // the Open311 requests feed
  open311_address,
  consultation_comment_text,  // a concluded consultation's comments
  consultation_comment_reason,
};
std::string_view to_string(Surface s);  // "appeal.title", "grid_event.description", …
std::optional<Surface> parse_surface(std::string_view s);

struct Subject {
  Surface surface = Surface::appeal_title;
  std::string id;       // the appeal, grid event or comment
  std::string dept_id;  // whose officials review it
};

// In the writer's transaction (see the contract). Returns true when the text is held; a
// store failure throws, as in every statement of a write transaction.
// The review's id is derived from (surface, subject id): "dr-" and 24 hex digits.
bool hold(store::Tx& tx, const core::Clock& clock, const Subject& subject, std::string_view text,
          const std::vector<std::string>& known_names = {});

// Texts made public before this review existed: each source module holds its public texts once
// (at start, before serving). `backfill` runs `hold_all(tx)` (which returns how many texts it
// held) in one write transaction unless `source` ran before, and records that it ran. Returns
// how many were held (0 when it had run).
Result<std::int64_t> backfill(store::Store& store, const core::Clock& clock,
                              std::string_view source,
                              const std::function<std::int64_t(store::Tx&)>& hold_all);

// Published reviews of one surface, by subject id.
struct Shown {
  std::string source_sha256;  // of the text the decision was made on
  std::string text;           // the text published
};
using ShownMap = std::map<std::string, Shown, std::less<>>;
ShownMap shown(store::Tx& tx, Surface surface, const std::vector<std::string>& subject_ids);
// The same for several surfaces of the same subjects, in one query (a board page: title, text
// and reply).
std::map<Surface, ShownMap> shown(store::Tx& tx, const std::vector<Surface>& surfaces,
                                  const std::vector<std::string>& subject_ids);

// What a public surface shows for `text` of `subject_id` (see the contract). Pure.
std::string public_text(std::string_view text, const std::vector<std::string>& known_names,
                        const ShownMap& shown, std::string_view subject_id);

enum class State { pending, published, withheld };
std::string_view to_string(State s);
std::optional<State> parse_state(std::string_view s);

struct Review {
  std::string id;
  Surface surface = Surface::appeal_title;
  std::string subject_id;
  std::string dept_id;
  State state = State::pending;
  std::string draft;  // the held text as redact left it
  std::vector<std::string> kinds;
  core::Millis held_at_ms = 0;
  std::string published_text;
  std::string reason;
  std::string decided_by;  // user id, "" while pending
  std::optional<core::Millis> decided_at_ms;
  std::int64_t revision = 0;
};

// Pure: may `who` read and decide the reviews of `dept_id`? Forbidden otherwise.
Status may_review(const identity::Principal& who, std::string_view dept_id);

struct Decision {
  enum class Kind { publish, withhold } kind = Kind::publish;
  std::string text;    // publish
  std::string reason;  // withhold (required), publish (optional)
  std::optional<std::int64_t> revision;
};

class Service {
 public:
  Service(store::Store& store, const core::Clock& clock);

  struct Listing {
    std::vector<Review> reviews;
    std::int64_t total = 0;
  };
  // The reviews of the caller's department in `state`, oldest held first.
  Result<Listing> list(State state, int limit, int offset, const identity::Principal& who);
  // The guard of decide(): not_found when there is no such review or it is another
  // department's (the caller may not learn it exists), forbidden for a caller who reviews none.
  Status may_decide(std::string_view id, const identity::Principal& who);
  // Errors: invalid_input (field path), not_found, conflict "stale" (revision).
  Result<Review> decide(std::string_view id, const Decision& d, const identity::Principal& who);

 private:
  store::Store& store_;
  const core::Clock& clock_;
};

void register_routes(http::Router& router, Service& service, identity::Service& identity);

}  // namespace yiwang::disclosure
