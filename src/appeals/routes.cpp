// HTTP routes of appeals: parse strictly, authenticate, one service call, map.
#include <cmath>

#include "appeals/appeals.h"
#include "http/json_api.h"

namespace yiwang::appeals {
namespace {

using http::Json;
using http::PathParams;
using http::Request;
using http::Response;

// Longer than any valid value, so that the service's own limit gives the precise message.
constexpr std::size_t kLongText = 200000;

Json instant(const std::optional<core::Millis>& t) {
  return t ? Json(core::format_instant(*t)) : Json(nullptr);
}

std::string_view alert_name(core::Alert a) {
  switch (a) {
    case core::Alert::yellow:
      return "yellow";
    case core::Alert::red:
      return "red";
    case core::Alert::none:
      break;
  }
  return "none";
}

Json quality_json(const ReplyQuality& q) {
  Json issues = Json::array();
  for (const auto& i : q.issues) {
    issues.push_back(
        {{"code", i.code}, {"message_zh", i.message_zh}, {"message_en", i.message_en}});
  }
  return {{"score", std::round(q.score * 10) / 10},
          {"relevance", std::round(q.relevance * 1000) / 1000},
          {"late", q.late},
          {"weak", q.weak},
          {"issues", std::move(issues)}};
}

Json appeal_json(const Appeal& a) {
  Json appellant = {{"hidden", a.appellant.hidden}};
  if (!a.appellant.hidden) {
    appellant["user_id"] = a.appellant.user_id;
    appellant["name"] = a.appellant.name;
    appellant["phone"] = a.appellant.phone;
  }
  Json location = {{"text", a.location}};
  if (a.lon && a.lat) {
    location["lon"] = *a.lon;
    location["lat"] = *a.lat;
  }
  return {
      {"id", a.id},
      {"channel", to_string(a.channel)},
      {"type", to_string(a.type)},
      {"title", a.title},
      {"text", a.text},
      {"location", std::move(location)},
      {"photos", a.photos},
      {"anonymous", a.anonymous},
      {"confidential", a.confidential},
      {"public_consent", a.public_consent},
      {"appellant", std::move(appellant)},
      {"entered_by", a.entered_by},
      {"state", to_string(a.state)},
      {"dept_id", a.dept_id},
      {"suggested_dept", a.suggested_dept},
      {"suggested_label", a.suggested_label},
      {"suggested_confidence",
       a.suggested_confidence ? Json(*a.suggested_confidence) : Json(nullptr)},
      {"returned_once", a.returned_once},
      {"return_reason", a.return_reason},
      {"reply", a.reply},
      {"reply_check", a.reply_check ? quality_json(*a.reply_check) : Json(nullptr)},
      {"linked_ref", a.linked_ref},
      {"callback_result", a.callback_result},
      {"rating", a.rating ? Json(*a.rating) : Json(nullptr)},
      {"supervision_count", a.supervision_count},
      {"merged_count", a.merged_count},
      {"created_at", core::format_instant(a.created_at_ms)},
      {"dispatched_at", instant(a.dispatched_at_ms)},
      {"replied_at", instant(a.replied_at_ms)},
      {"closed_at", instant(a.closed_at_ms)},
      {"updated_at", core::format_instant(a.updated_at_ms)},
      {"clock",
       {{"limit_days", a.clock.limit_days},
        {"used_days", a.clock.used_days},
        {"remaining_days", a.clock.remaining_days},
        {"deadline", a.clock.deadline ? Json(core::format_date(*a.clock.deadline)) : Json(nullptr)},
        {"stopped", a.clock.stopped},
        {"alert", alert_name(a.clock.alert)}}},
      {"revision", a.revision}};
}

tl::unexpected<Error> bad(std::string field, std::string zh, std::string en) {
  return fail(ErrorCode::invalid_input, std::move(field), std::move(zh), std::move(en));
}

std::optional<double> number(http::ObjectReader& r, const Json& body, std::string_view key,
                             Error& error) {
  if (!body.contains(std::string(key))) return std::nullopt;
  auto v = r.optional_any(key);
  if (!v || !v->is_number()) {
    error = Error{ErrorCode::invalid_input, "/" + std::string(key), "须为数字", "must be a number"};
    return std::nullopt;
  }
  return v->get<double>();
}

Result<NewAppeal> parse_new_appeal(const Request& req) {
  auto body = http::parse_object(req);
  if (!body) return fail(body.error());
  http::ObjectReader r(*body);
  NewAppeal n;
  auto channel = r.required_string("channel", 20);
  auto type = r.required_string("type", 20);
  n.title = r.required_string("title", kLongText);
  n.text = r.required_string("text", kLongText);
  n.location = r.optional_string("location", kLongText).value_or("");
  Error number_error;
  n.lon = number(r, *body, "lon", number_error);
  n.lat = number(r, *body, "lat", number_error);
  auto photos = r.optional_array("photos");
  n.anonymous = r.optional_bool("anonymous").value_or(false);
  n.confidential = r.optional_bool("confidential").value_or(false);
  n.public_consent = r.optional_bool("public_consent").value_or(false);
  auto caller = r.optional_object("caller");
  if (auto st = r.finish(); !st) return fail(st.error());
  if (!number_error.field.empty()) return fail(number_error);
  auto c = parse_channel(channel);
  if (!c)
    return bad("/channel", "渠道应为 web、mobile、phone 或 api",
               "channel must be web, mobile, phone or api");
  n.channel = *c;
  auto t = parse_type(type);
  if (!t) {
    return bad("/type",
               "诉求类型应为 consult（咨询）、help（求助）、complaint（投诉）、report（举报）或 "
               "suggestion（建议）",
               "type must be consult, help, complaint, report or suggestion");
  }
  n.type = *t;
  if (photos) {
    if (photos->size() > 9) return bad("/photos", "照片最多 9 张", "at most 9 photos");
    for (std::size_t i = 0; i < photos->size(); ++i) {
      if (!(*photos)[i].is_string()) {
        return bad("/photos/" + std::to_string(i), "须为字符串", "must be a string");
      }
      n.photos.push_back((*photos)[i].get<std::string>());
    }
  }
  if (caller) {
    http::ObjectReader cr(*caller, "/caller");
    Caller who;
    who.name = cr.optional_string("name", kLongText).value_or("");
    who.phone = cr.required_string("phone", 64);
    if (auto st = cr.finish(); !st) return fail(st.error());
    n.caller = std::move(who);
  }
  n.idempotency_key = req.header("idempotency-key");
  return n;
}

Result<ActionRequest> parse_action_request(const Request& req) {
  auto body = http::parse_object(req);
  if (!body) return fail(body.error());
  http::ObjectReader r(*body);
  auto action = r.required_string("action", 40);
  ActionRequest a;
  a.dept_id = r.optional_string("dept_id", 64).value_or("");
  a.reason = r.optional_string("reason", kLongText).value_or("");
  a.reply = r.optional_string("reply", kLongText).value_or("");
  a.result = r.optional_string("result", kLongText).value_or("");
  if (auto level = r.optional_int("level", INT32_MIN, INT32_MAX))
    a.level = static_cast<int>(*level);
  a.suggested_dept = r.optional_string("suggested_dept", 64).value_or("");
  Error number_error;
  a.confidence = number(r, *body, "confidence", number_error);
  a.expected_revision = r.optional_int("expected_revision", 0, INT64_MAX);
  a.confirm_weak = r.optional_bool("confirm_weak").value_or(false);
  if (auto st = r.finish(); !st) return fail(st.error());
  if (!number_error.field.empty()) return fail(number_error);
  auto parsed = parse_action(action);
  if (!parsed) return bad("/action", "未知的操作：" + action, "unknown action: " + action);
  a.action = *parsed;
  return a;
}

Response with_members(Response r, const Json& members) {
  Json body = Json::parse(r.body, nullptr, false);
  if (!body.is_object()) return r;
  body.update(members);
  r.body = body.dump();
  return r;
}

// A refused matter names the right channel as problem extension members, so that a client can
// show it without parsing the message.
Response submit_problem(const Error& e, const Request& req, const NewAppeal* n, Service& service,
                        const identity::Principal& me) {
  Response r = http::problem(e, req);
  if (n && e.code == ErrorCode::conflict && e.field == "/idempotency_key") {
    Json members{{"code", "replayed"}};
    if (auto id = service.filed_under(*n, me)) members["appeal_id"] = *id;
    return with_members(std::move(r), members);
  }
  if (!n || e.code != ErrorCode::invalid_input || e.field != "/text") return r;
  auto redirect = find_redirect(n->title + "\n" + n->text);
  if (!redirect) return r;
  Json body = Json::parse(r.body, nullptr, false);
  if (!body.is_object()) return r;
  body["redirect"] = {{"rule", redirect->rule},
                      {"channel_zh", redirect->channel_zh},
                      {"channel_en", redirect->channel_en}};
  r.body = body.dump();
  return r;
}

Result<Query> parse_query(const Request& req) {
  Query q;
  auto page = http::page_of(req);
  if (!page) return fail(page.error());
  q.limit = page->limit;
  q.offset = page->offset;
  if (auto s = req.query_param("state"); s && !s->empty()) {
    q.state = parse_state(*s);
    if (!q.state) return bad("state", "未知的诉求状态：" + *s, "unknown state: " + *s);
  }
  if (auto s = req.query_param("type"); s && !s->empty()) {
    q.type = parse_type(*s);
    if (!q.type) return bad("type", "未知的诉求类型：" + *s, "unknown type: " + *s);
  }
  q.dept_id = req.query_param("dept").value_or(req.query_param("dept_id").value_or(""));
  return q;
}

}  // namespace

void register_routes(http::Router& router, Service& service, identity::Service& identity) {
  auto who = [&identity](const Request& req) { return identity.authenticate(req.bearer_token()); };

  router.add("POST", "/api/v1/appeals", [&service, who](const Request& req, const PathParams&) {
    auto me = who(req);
    if (!me) return http::problem(me.error(), req);
    auto n = parse_new_appeal(req);
    if (!n) return http::problem(n.error(), req);
    auto r = service.submit(*n, *me);
    if (!r) return submit_problem(r.error(), req, &*n, service, *me);
    Json body = appeal_json(r->appeal);
    body["merged"] = r->merged;
    if (r->merged) {
      body["similarity"] = std::round(r->similarity * 1000) / 1000;
      return http::ok(body);
    }
    return http::created(body, "/api/v1/appeals/" + r->appeal.id);
  });

  router.add("GET", "/api/v1/appeals", [&service, who](const Request& req, const PathParams&) {
    auto me = who(req);
    if (!me) return http::problem(me.error(), req);
    auto q = parse_query(req);
    if (!q) return http::problem(q.error(), req);
    auto r = service.list(*q, *me);
    if (!r) return http::problem(r.error(), req);
    Json items = Json::array();
    for (const auto& a : r->appeals) items.push_back(appeal_json(a));
    return http::ok({{"items", std::move(items)}, {"total", r->total}});
  });

  router.add("GET", "/api/v1/appeals/rollup",
             [&service, who](const Request& req, const PathParams&) {
               auto me = who(req);
               if (!me) return http::problem(me.error(), req);
               auto r = service.rollup(*me, req.query_param("dept").value_or(""));
               if (!r) return http::problem(r.error(), req);
               Json items = Json::array();
               for (const auto& d : *r) {
                 items.push_back(
                     {{"dept_id", d.dept_id},
                      {"open", d.open},
                      {"yellow", d.yellow},
                      {"overdue", d.overdue},
                      {"replied", d.replied},
                      {"replied_on_time", d.replied_on_time},
                      {"on_time_rate", d.on_time_rate ? Json(*d.on_time_rate) : Json(nullptr)}});
               }
               return http::ok({{"departments", std::move(items)}});
             });

  router.add("GET", "/api/v1/appeals/limits",
             [&service, who](const Request& req, const PathParams&) {
               auto me = who(req);
               if (!me) return http::problem(me.error(), req);
               auto r = service.limits();
               if (!r) return http::problem(r.error(), req);
               Json items = Json::array();
               for (const auto& l : *r) {
                 items.push_back({{"type", to_string(l.type)}, {"days", l.days}});
               }
               return http::ok({{"limits", std::move(items)}});
             });

  router.add("PUT", "/api/v1/appeals/limits/{type}",
             [&service, who](const Request& req, const PathParams& p) {
               auto me = who(req);
               if (!me) return http::problem(me.error(), req);
               auto body = http::parse_object(req);
               if (!body) return http::problem(body.error(), req);
               http::ObjectReader r(*body);
               auto days = r.required_int("days", INT32_MIN, INT32_MAX);
               if (auto st = r.finish(); !st) return http::problem(st.error(), req);
               auto type = parse_type(p.at("type"));
               if (!type) {
                 return http::problem(
                     Error{ErrorCode::not_found, "", "没有这种诉求类型", "no such appeal type"},
                     req);
               }
               auto l = service.set_limit(*type, static_cast<int>(days), *me);
               if (!l) return http::problem(l.error(), req);
               return http::ok({{"type", to_string(l->type)}, {"days", l->days}});
             });

  router.add("GET", "/api/v1/appeals/{id}",
             [&service, &identity, who](const Request& req, const PathParams& p) {
               auto me = who(req);
               if (!me) return http::problem(me.error(), req);
               auto d = service.get(p.at("id"), *me);
               if (!d) return http::problem(d.error(), req);
               Json body = appeal_json(d->appeal);
               std::vector<std::string> actors;
               for (const auto& t : d->history) actors.push_back(t.actor_user_id);
               auto names = identity.official_names(actors, *me);
               Json history = Json::array();
               for (const auto& t : d->history) {
                 history.push_back({{"seq", t.seq},
                                    {"event", t.event},
                                    {"from", t.from_state},
                                    {"to", t.to_state},
                                    {"actor_user_id", t.actor_user_id},
                                    {"actor_name", http::string_or_null(names, t.actor_user_id)},
                                    {"actor_role", t.actor_role},
                                    {"actor_dept_id", t.actor_dept_id},
                                    {"reason", t.reason},
                                    {"at", core::format_instant(t.at_ms)}});
               }
               body["history"] = std::move(history);
               return http::ok(body);
             });

  router.add("POST", "/api/v1/appeals/{id}/actions",
             [&service, who](const Request& req, const PathParams& p) {
               auto me = who(req);
               if (!me) return http::problem(me.error(), req);
               auto a = parse_action_request(req);
               if (!a) return http::problem(a.error(), req);
               auto r = service.act(p.at("id"), *a, *me);
               if (r) return http::ok(appeal_json(*r));
               Response problem = http::problem(r.error(), req);
               if (r.error().code != ErrorCode::unprocessable) return problem;
               // A weak reply: the department sees every reason at once, as the check found them.
               Json members{{"code", "weak_reply"}};
               if (auto q = service.check_reply(p.at("id"), a->reply, *me)) {
                 members["reply_check"] = quality_json(*q);
               }
               return with_members(std::move(problem), members);
             });

  router.add("POST", "/api/v1/appeals/{id}/reply-check",
             [&service, who](const Request& req, const PathParams& p) {
               auto me = who(req);
               if (!me) return http::problem(me.error(), req);
               auto body = http::parse_object(req);
               if (!body) return http::problem(body.error(), req);
               http::ObjectReader r(*body);
               auto reply = r.required_string("reply", kLongText);
               if (auto st = r.finish(); !st) return http::problem(st.error(), req);
               auto q = service.check_reply(p.at("id"), reply, *me);
               if (!q) return http::problem(q.error(), req);
               return http::ok(quality_json(*q));
             });

  // Public: the answered appeals whose appellants agreed, and every department's on-time rate.
  router.add("GET", "/api/v1/appeals/board", [&service](const Request& req, const PathParams&) {
    auto page = http::page_of(req);
    if (!page) return http::problem(page.error(), req);
    auto b = service.board(page->limit, page->offset, req.query_param("dept_id").value_or(""));
    if (!b) return http::problem(b.error(), req);
    Json appeals = Json::array();
    for (const auto& e : b->appeals) {
      appeals.push_back({{"id", e.id},
                         {"type", to_string(e.type)},
                         {"title", e.title},
                         {"text", e.text},
                         {"dept_id", e.dept_id},
                         {"reply", e.reply},
                         {"created_at", core::format_instant(e.created_at_ms)},
                         {"replied_at", core::format_instant(e.replied_at_ms)},
                         {"on_time", e.on_time}});
    }
    Json departments = Json::array();
    for (const auto& d : b->departments) {
      departments.push_back(
          {{"dept_id", d.dept_id},
           {"replied", d.replied},
           {"replied_on_time", d.replied_on_time},
           {"on_time_rate", d.on_time_rate ? Json(*d.on_time_rate) : Json(nullptr)}});
    }
    Response r = http::ok({{"appeals", std::move(appeals)},
                           {"total", b->total},
                           {"departments", std::move(departments)}});
    r.headers.emplace_back("Cache-Control", "public, max-age=60");
    return r;
  });
}

}  // namespace yiwang::appeals
