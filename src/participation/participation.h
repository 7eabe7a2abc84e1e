// Public participation: 意见征集 (consultations on a draft policy) and 在线调查 (surveys).
//
// Consultations:  draft ─publish→ open ──(closes_at passes)──► closed ─conclude→ concluded
// A draft is seen by its department only. Published, it is public; signed-in citizens and
// businesses comment on a clause ("第一条") or on the whole draft ("") from opens_at until
// closes_at. After closes_at the department decides on every comment (adopted or not, with a
// reason; a decision may be changed until conclusion) and concludes with a summary: the feedback,
// and with it every comment, its masked author and its decision, becomes public. Before that a
// comment is seen by its author and the owning department only. `closed` is never stored: a
// published consultation reads as closed once the clock passes closes_at.
//
// Surveys:  draft ─publish→ open ──(closes_at passes)──► closed
// Questions are single, multiple, scale or text. Each signed-in citizen or business answers once
// (one account per verified identity is identity's rule); answers are checked against the
// questions. Results are public once published and computed when read (live).
//
// Who manages: officials (clerk, reviewer, approver) of the owning department; admins any
// department. Others get forbidden; a draft outside one's department is not_found.
// Refusals change nothing. Every change appends an event ("consultation.created", "…published",
// "…comment_added", "…comment_decided", "…concluded", "survey.created", "…published",
// "…responded") in the same transaction; before/after carry ids, states and counts only, never
// names or comment text. Author names are masked (张三 → 张*) before they are stored. What
// citizens typed reaches other readers only through the redaction: a comment (and its decision's
// reason) as anyone but its author and the owning department read it goes through
// disclosure::public_text (a text it holds waits for the department's publication review and
// reads privacy::kWithheld until published), survey text samples through privacy::redact (a
// sample it holds is left out).
//
// Conflicts carry a reason code (see `reason_code`), which the routes give clients as the problem
// member `code`: "closed", "not_open", "not_closed", "not_draft", "concluded", "undecided"
// (field "/comments/<id>" names the first undecided comment), "already_responded", "duplicate".
//
// Thread-safety and ownership: Service is thread-safe (all state is in the store); the store,
// clock, random source and identity service must outlive it.
//
// Files by concern:
//   participation.h    this contract            internal.h   Service::Impl and shared helpers
//   common.cpp         names, conflict reasons, text checks, instants and masking
//   service.cpp        who is who, the owning department, list visibility, events
//   consultations.cpp  drafts, publication, comments, decisions and the feedback
//   surveys.cpp        questions, responses and the live results
//   routes.cpp         /api/v1/consultations… and /api/v1/surveys… through the route helper
//   migrations/        the tables
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "identity/identity.h"
#include "store/store.h"

namespace yiwang::http {
class Router;
}

namespace yiwang::participation {

enum class ConsultationState { draft, open, closed, concluded };
enum class SurveyState { draft, open, closed };
enum class QuestionKind { single, multiple, scale, text };

std::string_view to_string(ConsultationState s);
std::string_view to_string(SurveyState s);
std::string_view to_string(QuestionKind k);
std::optional<ConsultationState> parse_consultation_state(std::string_view s);
std::optional<SurveyState> parse_survey_state(std::string_view s);
std::optional<QuestionKind> parse_question_kind(std::string_view s);

// RFC 3339 date-time ("2026-12-01T18:00:00+08:00", "…Z", optional fraction) → unix ms.
std::optional<core::Millis> parse_instant(std::string_view s);
// The conflict reason of an error returned by this module ("closed", …), "" for any other error.
std::string_view reason_code(const Error& e);

// ---- Consultations ------------------------------------------------------------------------------

struct Clause {
  std::string number;  // "第一条", 1–30 characters, unique within the draft
  std::string text;    // 1–10,000 characters
  std::int64_t comment_count = 0;
};

struct NewConsultation {
  std::string title;                        // 1–200 characters
  std::string summary;                      // ≤ 5,000 characters
  std::string dept_id;                      // "" = the official's own department
  std::optional<core::Millis> opens_at_ms;  // unset: from publication
  core::Millis closes_at_ms = 0;            // in the future, after opens_at
  std::vector<Clause> clauses;              // 1–200
};

struct Feedback {
  std::string summary;
  core::Millis published_at_ms = 0;
};

struct Consultation {
  std::string id;  // "CS" + yyyymmdd + 8 digits
  std::string title;
  std::string summary;
  std::string dept_id;
  ConsultationState state = ConsultationState::draft;
  std::optional<core::Millis> opens_at_ms;
  core::Millis closes_at_ms = 0;
  std::vector<Clause> clauses;  // filled by get and the writes, empty in lists
  std::int64_t clause_count = 0;
  std::int64_t comment_count = 0;
  std::optional<Feedback> feedback;  // once concluded
  core::Millis created_at_ms = 0;
  std::optional<core::Millis> published_at_ms;
};

struct ConsultationQuery {
  std::optional<ConsultationState> state;  // unset: everything the reader may see
  int limit = 20;
  int offset = 0;
};

struct ConsultationList {
  std::vector<Consultation> consultations;  // newest first
  std::int64_t total = 0;
};

struct Decision {
  bool adopted = false;
  std::string reason;  // 1–2,000 characters
  core::Millis decided_at_ms = 0;
};

struct Comment {
  std::string id;      // "CM" + 16 hex digits
  std::string clause;  // "" = the whole draft
  std::string text;    // redacted for readers other than the author and the department
  std::string author;  // masked display name
  bool mine = false;   // written by the reader
  core::Millis created_at_ms = 0;
  std::optional<Decision> decision;
};

// ---- Surveys ------------------------------------------------------------------------------------

struct Question {
  std::string id;  // [A-Za-z0-9_-]{1,32}, unique: "q1"
  QuestionKind kind = QuestionKind::single;
  std::string text;                  // 1–500 characters
  std::vector<std::string> options;  // single/multiple: 2–20 distinct, 1–200 characters each
  int min = 1, max = 5;              // scale: min < max, 0–100, at most 21 points
  bool required = false;
};

struct NewSurvey {
  std::string title;                // 1–200 characters
  std::string description;          // ≤ 5,000 characters
  std::string dept_id;              // "" = the official's own department
  core::Millis closes_at_ms = 0;    // in the future
  std::vector<Question> questions;  // 1–50
};

struct Survey {
  std::string id;  // "SV" + yyyymmdd + 8 digits
  std::string title;
  std::string description;
  std::string dept_id;
  SurveyState state = SurveyState::draft;
  core::Millis closes_at_ms = 0;
  std::vector<Question> questions;  // filled by get and the writes, empty in lists
  std::int64_t response_count = 0;
  std::optional<bool> responded;  // for a signed-in citizen or business (get only)
  core::Millis created_at_ms = 0;
  std::optional<core::Millis> published_at_ms;
};

struct SurveyList {
  std::vector<Survey> surveys;  // newest first
  std::int64_t total = 0;
};

// One answer as the client sent it; the kind is checked against the question by `respond`.
// monostate: null (no answer). A string for single/text, strings for multiple, an integer for
// scale.
using AnswerValue =
    std::variant<std::monostate, std::string, std::vector<std::string>, std::int64_t>;
struct Answer {
  std::string question_id;
  AnswerValue value;
};

struct SurveyResponse {
  std::string id;  // "SR" + 16 hex digits
  std::string survey_id;
  core::Millis created_at_ms = 0;
};

struct QuestionResult {
  std::string id;
  QuestionKind kind = QuestionKind::single;
  std::string text;
  std::vector<std::pair<std::string, std::int64_t>> counts;  // single/multiple, in option order
  std::vector<std::pair<int, std::int64_t>> histogram;       // scale: every point min..max
  std::optional<double> mean;                                // scale, when answered
  std::int64_t answered = 0;                                 // responses that answered it
  std::vector<std::string> samples;  // text: ≤ 20 latest, redacted; held ones left out
};

struct SurveyResults {
  std::string survey_id;
  SurveyState state = SurveyState::draft;
  std::int64_t response_count = 0;
  std::vector<QuestionResult> questions;
};

struct Options {
  int max_comments_per_person = 50;  // per consultation, against flooding
  int page_max = 100;
};

std::vector<store::Migration> migrations();
// Comments, decision reasons and free-text survey answers are sealed at rest
// (core/field_cipher.h; contexts "consultation_comments.<column>:<id>" and
// "survey_answers.value:<response>/<question>"). Seals what an older version stored in the clear;
// run at start before serving. Returns how many it sealed.
Result<std::int64_t> seal_at_rest(store::Store& store);

class Service {
 public:
  Service(store::Store& store, const core::Clock& clock, core::Random& random,
          identity::Service& identity, Options options = {});
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // `by` nullptr: an anonymous reader (public data only).

  // Officials of `dept_id` (or admins); invalid_input with the field ("/title", "/closes_at",
  // "/clauses/3/number", …); forbidden for citizens, supervisors and other departments.
  Result<Consultation> create_consultation(const NewConsultation& c, const identity::Principal& by);
  // Whether `by` may start consultations and surveys at all (a department's staff, admins), asked
  // before the body is read.
  static Status may_create(const identity::Principal& by);
  // Whether `by` manages consultation `id` (decides comments, concludes): not_found outside their
  // view, forbidden for others; asked before the body is read, and decide/conclude check again.
  Status may_manage(std::string_view id, const identity::Principal& by);
  // draft → open. conflict "not_draft" when already published; invalid_input "/closes_at" when
  // the deadline has already passed.
  Result<Consultation> publish_consultation(std::string_view id, const identity::Principal& by);
  Result<ConsultationList> list_consultations(const ConsultationQuery& q,
                                              const identity::Principal* by);
  // not_found for a draft outside the reader's department.
  Result<Consultation> get_consultation(std::string_view id, const identity::Principal* by);
  // Citizens and businesses, while open: conflict "not_open" before opens_at, "closed" after
  // closes_at or once concluded, "duplicate" for the same text on the same clause again;
  // invalid_input "/clause" (no such clause), "/text" (1–2,000 characters);
  // rate_limited beyond max_comments_per_person.
  Result<Comment> add_comment(std::string_view id, std::string_view clause, std::string_view text,
                              const identity::Principal& by);
  // All comments once concluded; before that the department's staff see all, authors their own,
  // others none. `clause` filters ("" the whole-draft comments); oldest first.
  Result<std::vector<Comment>> comments(std::string_view id, std::optional<std::string> clause,
                                        const identity::Principal* by);
  // The owning department, after closes_at and before conclusion (conflict "not_closed" /
  // "concluded"); invalid_input "/reason".
  Result<Comment> decide(std::string_view id, std::string_view comment_id, bool adopted,
                         std::string_view reason, const identity::Principal& by);
  // closed → concluded with the feedback summary (1–5,000 characters). conflict "undecided"
  // (field "/comments/<id>") while a comment has no decision, "not_closed" before closes_at.
  Result<Consultation> conclude(std::string_view id, std::string_view summary,
                                const identity::Principal& by);

  // Comments from before the publication review: their texts and decisions' reasons the
  // redaction cannot make safe are held for the department's review, once
  // (disclosure::backfill). At start.
  Result<std::int64_t> hold_public_texts();

  Result<Survey> create_survey(const NewSurvey& s, const identity::Principal& by);
  Result<Survey> publish_survey(std::string_view id, const identity::Principal& by);
  Result<SurveyList> list_surveys(std::optional<SurveyState> state, int limit, int offset,
                                  const identity::Principal* by);
  Result<Survey> get_survey(std::string_view id, const identity::Principal* by);
  // Citizens and businesses, once each, while open. Errors: invalid_input "/answers/<qid>"
  // (unknown question, wrong type, unknown option, out of range, missing required answer, text
  // over 2,000 characters; "/answers" when nothing is answered); conflict "already_responded",
  // "closed"; not_found for a draft (the public does not see drafts).
  Result<SurveyResponse> respond(std::string_view id, const std::vector<Answer>& answers,
                                 const identity::Principal& by);
  // Public once published (drafts: the department only).
  Result<SurveyResults> results(std::string_view id, const identity::Principal* by);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// /api/v1/consultations…, /api/v1/surveys… (see docs/design/participation-and-appeals-api.md).
void register_routes(http::Router& router, Service& service, identity::Service& identity);

}  // namespace yiwang::participation
