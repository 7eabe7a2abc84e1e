// Private to the participation module: the service's parts and the helpers its sources share
// (not part of the module's contract). Text helpers are defined in common.cpp, the service's
// shared parts in service.cpp.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "events/events.h"
#include "participation/participation.h"

namespace yiwang::participation {

struct Service::Impl {
  store::Store& store;
  const core::Clock& clock;
  core::Random& random;
  identity::Service& identity;
  Options options;
};

// ---- Errors and text (common.cpp) ---------------------------------------------------------------

// A conflict with one of the reason codes listed in participation.h.
tl::unexpected<Error> conflict(std::string_view code, std::string field = "");
tl::unexpected<Error> bad(std::string field, std::string zh, std::string en);
// A free text field, checked by core::check_text (core/text_check.h) under the field's names.
Status check_text(std::string_view value, const std::string& field, std::size_t min,
                  std::size_t max, bool multiline, std::string_view zh_name,
                  std::string_view en_name);
// A key escaped for a JSON pointer ("~" → "~0", "/" → "~1").
std::string pointer_token(std::string_view key);

namespace detail {

// ---- Who is who (service.cpp) -------------------------------------------------------------------

// not_found for a consultation, or for a survey.
tl::unexpected<Error> not_found(bool survey);
// Clerks, reviewers, approvers and admins among officials.
bool is_staff(const identity::Principal& by);
// Creates, publishes, decides and concludes for `dept_id`: its staff, and admins.
bool manages(const identity::Principal& by, const std::string& dept_id);
// Reads the department's drafts and all comments before conclusion: its officials, and admins.
bool of_dept(const identity::Principal* by, const std::string& dept_id);
// Citizens and businesses: who comments and responds.
bool is_public_member(const identity::Principal& by);
tl::unexpected<Error> forbidden_manage();
tl::unexpected<Error> forbidden_public();
// The department a new consultation or survey belongs to, after the role checks: the requested
// one (admins) or the official's own.
Result<std::string> owning_dept(identity::Service& ids, const std::string& requested,
                                const identity::Principal& by);

// The WHERE clause of a list over table alias `t`: what the reader may see, then the state asked
// for (open and closed are told apart by the deadline).
template <class State>
std::string list_where(const identity::Principal* by, std::optional<State> state, core::Millis now,
                       store::Params& params) {
  std::string where;
  if (by && by->is_official() && by->has_role(identity::Role::admin)) {
    where = "1 = 1";
  } else if (by && by->is_official()) {
    where = "(t.state <> 'draft' OR t.dept_id = ?)";
    params.push_back(by->dept_id);
  } else {
    where = "t.state <> 'draft'";
  }
  if (!state) return where;
  const std::string name(to_string(*state));
  if (name == "open") {
    where += " AND t.state = 'open' AND t.closes_at_ms > ?";
    params.push_back(now);
  } else if (name == "closed") {
    where += " AND t.state = 'open' AND t.closes_at_ms <= ?";
    params.push_back(now);
  } else {
    where += " AND t.state = ?";
    params.push_back(name);
  }
  return where;
}

// An event of this module: data_json "" when there is no data.
events::NewEvent event(std::string type, std::string subject_type, std::string subject_id,
                       const identity::Principal& by, std::string reason, std::string before,
                       std::string after, std::string data_json = "");

}  // namespace detail
}  // namespace yiwang::participation
