// The pure rules of publication review: names of surfaces and states, what a public surface
// shows, and who reviews.
#include <array>
#include <utility>

#include "core/digest.h"
#include "disclosure/disclosure.h"
#include "privacy/redact.h"

namespace yiwang::disclosure {
namespace {

constexpr std::array<std::pair<Surface, std::string_view>, 7> kSurfaces{{
    {Surface::appeal_title, "appeal.title"},
    {Surface::appeal_text, "appeal.text"},
    {Surface::appeal_reply, "appeal.reply"},
    {Surface::grid_event_description, "grid_event.description"},
    {Surface::open311_address, "open311.address"},
    {Surface::consultation_comment_text, "consultation_comment.text"},
    {Surface::consultation_comment_reason, "consultation_comment.reason"},
}};

constexpr std::array<std::pair<State, std::string_view>, 3> kStates{{
    {State::pending, "pending"},
    {State::published, "published"},
    {State::withheld, "withheld"},
}};

template <class E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& table, E e) {
  for (const auto& [value, name] : table) {
    if (value == e) return name;
  }
  return "";
}

template <class E, std::size_t N>
std::optional<E> parse(const std::array<std::pair<E, std::string_view>, N>& table,
                       std::string_view s) {
  for (const auto& [value, name] : table) {
    if (name == s) return value;
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(Surface s) {
  return name_of(kSurfaces, s);
}
std::optional<Surface> parse_surface(std::string_view s) {
  return parse(kSurfaces, s);
}
std::string_view to_string(State s) {
  return name_of(kStates, s);
}
std::optional<State> parse_state(std::string_view s) {
  return parse(kStates, s);
}

std::string public_text(std::string_view text, const std::vector<std::string>& known_names,
                        const ShownMap& shown, std::string_view subject_id) {
  privacy::Redacted r = privacy::redact(text, known_names);
  if (!r.held) return std::move(r.text);
  auto it = shown.find(subject_id);
  if (it != shown.end() && it->second.source_sha256 == core::sha256_hex(text)) {
    return it->second.text;
  }
  return std::string(privacy::kWithheld);
}

Status may_review(const identity::Principal& who, std::string_view dept_id) {
  const bool works = who.has_role(identity::Role::clerk) ||
                     who.has_role(identity::Role::reviewer) ||
                     who.has_role(identity::Role::approver);
  if (!who.is_official() || !works) {
    return fail(ErrorCode::forbidden, "", "仅本部门经办、审查、决定人员可审核公开内容",
                "only the department's clerks, reviewers and approvers review publication");
  }
  if (who.dept_id != dept_id) {
    return fail(ErrorCode::not_found, "", "未找到该审核", "review not found");
  }
  return {};
}

}  // namespace yiwang::disclosure
