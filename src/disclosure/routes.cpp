// HTTP routes of publication review: the department's queue and the decisions on it, through
// the route helper. Officials only; each sees their own department's reviews.
#include <map>

#include "disclosure/disclosure.h"
#include "http/json_api.h"
#include "identity/routes.h"

namespace yiwang::disclosure {
namespace {

using http::Json;
using http::PathParams;
using http::Request;
using identity::Principal;

// Longer than any valid value, so that the service's own limit gives the precise message.
constexpr std::size_t kLongText = 200000;

// `names`: the officials' names the reader may see (identity::Service::official_names); the
// decider is shown by name, their account id kept for the page to tell "you".
using Names = std::map<std::string, std::string>;

Json review_json(const Review& r, const Names& names) {
  const auto name = names.find(r.decided_by);
  return {{"id", r.id},
          {"surface", to_string(r.surface)},
          {"subject_id", r.subject_id},
          {"dept_id", r.dept_id},
          {"state", to_string(r.state)},
          {"draft", r.draft},
          {"kinds", r.kinds},
          {"held_at", core::format_instant(r.held_at_ms)},
          {"published_text", r.published_text},
          {"reason", r.reason},
          {"decided_by", r.decided_by},
          {"decided_by_name", name == names.end() ? "" : name->second},
          {"decided_at", http::instant_or_null(r.decided_at_ms)},
          {"revision", r.revision}};
}

Result<State> state_of(const Request& req) {
  auto s = req.query_param("state");
  if (!s) return State::pending;
  if (auto state = parse_state(*s)) return *state;
  return fail(ErrorCode::invalid_input, "/state", "state 须为 pending、published 或 withheld",
              "state must be pending, published or withheld");
}

Result<Decision> decision_of(const Request& req) {
  http::ObjectReader r(req);
  Decision d;
  const std::string kind = r.required_string("decision", 20);
  d.text = r.optional_string("text", kLongText).value_or("");
  d.reason = r.optional_string("reason", kLongText).value_or("");
  d.revision = r.optional_int("revision", 0, INT32_MAX);
  if (auto st = r.finish(); !st) return fail(st.error());
  if (kind == "publish") {
    d.kind = Decision::Kind::publish;
  } else if (kind == "withhold") {
    d.kind = Decision::Kind::withhold;
    if (!d.text.empty()) {
      return fail(ErrorCode::invalid_input, "/text", "不予公开时不应提交公开文本",
                  "a withhold decision carries no text");
    }
  } else {
    return fail(ErrorCode::invalid_input, "/decision", "decision 须为 publish 或 withhold",
                "decision must be publish or withhold");
  }
  return d;
}

}  // namespace

void register_routes(http::Router& router, Service& service, identity::Service& identity) {
  identity::Routes api(router, identity);
  api.add("GET", "/api/v1/disclosure/reviews",
          [&](const Request& req, const PathParams&, const Principal& who) -> Result<Json> {
            auto state = state_of(req);
            if (!state) return fail(state.error());
            auto page = http::page_of(req, 50, 200);
            if (!page) return fail(page.error());
            auto listing = service.list(*state, page->limit, page->offset, who);
            if (!listing) return fail(listing.error());
            std::vector<std::string> deciders;
            for (const Review& r : listing->reviews) {
              if (!r.decided_by.empty()) deciders.push_back(r.decided_by);
            }
            const Names names = identity.official_names(deciders, who);
            Json reviews = Json::array();
            for (const Review& r : listing->reviews) reviews.push_back(review_json(r, names));
            return Json{{"reviews", std::move(reviews)}, {"total", listing->total}};
          });

  api.add_if(
      "POST", "/api/v1/disclosure/reviews/{id}/decision",
      [&](const Principal& who, const PathParams& p) {
        return service.may_decide(p.at("id"), who);
      },
      [&](const Request& req, const PathParams& p, const Principal& who) -> Result<Json> {
        auto d = decision_of(req);
        if (!d) return fail(d.error());
        auto r = service.decide(p.at("id"), *d, who);
        if (!r) return fail(r.error());
        return review_json(*r, identity.official_names({r->decided_by}, who));
      });
}

}  // namespace yiwang::disclosure
