// HTTP routes of appeals: parse strictly, one service call, map — through the route helper.
#include <cmath>

#include "appeals/appeals.h"
#include "identity/routes.h"

namespace yiwang::appeals {
namespace {

using http::Json;
using http::PathParams;
using http::Request;
using http::Response;
using identity::Principal;

// Longer than any valid value, so that the service's own limit gives the precise message.
constexpr std::size_t kLongText = 200000;

Json quality_json(const ReplyQuality& q) {
  return {
      {"score", std::round(q.score * 10) / 10},
      {"relevance", std::round(q.relevance * 1000) / 1000},
      {"late", q.late},
      {"weak", q.weak},
      {"issues", http::array_of(q.issues, [](const QualityIssue& i) {
         return Json{{"code", i.code}, {"message_zh", i.message_zh}, {"message_en", i.message_en}};
       })}};
}

Json clock_json(const ClockView& c) {
  return {{"limit_days", c.limit_days},
          {"used_days", c.used_days},
          {"remaining_days", c.remaining_days},
          {"deadline", c.deadline ? Json(core::format_date(*c.deadline)) : Json(nullptr)},
          {"stopped", c.stopped},
          {"alert", core::to_string(c.alert)}};
}

Json appellant_json(const Appellant& p) {
  Json appellant = {{"hidden", p.hidden}};
  if (!p.hidden) {
    appellant["user_id"] = p.user_id;
    appellant["name"] = p.name;
    appellant["phone"] = p.phone;
  }
  return appellant;
}

// The appeal document: one key per field of Appeal.
Json appeal_json(const Appeal& a) {
  Json location = {{"text", a.location}};
  if (a.lon && a.lat) {
    location["lon"] = *a.lon;
    location["lat"] = *a.lat;
  }
  return {{"id", a.id},
          {"channel", to_string(a.channel)},
          {"type", to_string(a.type)},
          {"title", a.title},
          {"text", a.text},
          {"location", std::move(location)},
          {"photos", a.photos},
          {"anonymous", a.anonymous},
          {"confidential", a.confidential},
          {"public_consent", a.public_consent},
          {"appellant", appellant_json(a.appellant)},
          {"entered_by", a.entered_by},
          {"state", to_string(a.state)},
          {"dept_id", a.dept_id},
          {"suggested_dept", a.suggested_dept},
          {"suggested_label", a.suggested_label},
          {"suggested_confidence", http::or_null(a.suggested_confidence)},
          {"returned_once", a.returned_once},
          {"return_reason", a.return_reason},
          {"reply", a.reply},
          {"reply_check", a.reply_check ? quality_json(*a.reply_check) : Json(nullptr)},
          {"linked_ref", a.linked_ref},
          {"callback_result", a.callback_result},
          {"rating", http::or_null(a.rating)},
          {"supervision_count", a.supervision_count},
          {"merged_count", a.merged_count},
          {"created_at", core::format_instant(a.created_at_ms)},
          {"dispatched_at", http::instant_or_null(a.dispatched_at_ms)},
          {"replied_at", http::instant_or_null(a.replied_at_ms)},
          {"closed_at", http::instant_or_null(a.closed_at_ms)},
          {"updated_at", core::format_instant(a.updated_at_ms)},
          {"clock", clock_json(a.clock)},
          {"revision", a.revision}};
}

// `names`: the officials' names the reader may see (identity::Service::official_names).
Json transition_json(const Transition& t, const std::map<std::string, std::string>& names) {
  return {{"seq", t.seq},
          {"event", t.event},
          {"from", t.from_state},
          {"to", t.to_state},
          {"actor_user_id", t.actor_user_id},
          {"actor_name", http::string_or_null(names, t.actor_user_id)},
          {"actor_role", t.actor_role},
          {"actor_dept_id", t.actor_dept_id},
          {"reason", t.reason},
          {"at", core::format_instant(t.at_ms)}};
}

Json rollup_json(const DeptRollup& d) {
  return {{"dept_id", d.dept_id},
          {"open", d.open},
          {"yellow", d.yellow},
          {"overdue", d.overdue},
          {"replied", d.replied},
          {"replied_on_time", d.replied_on_time},
          {"on_time_rate", http::or_null(d.on_time_rate)}};
}

Json board_json(const Board& b) {
  return {{"appeals", http::array_of(b.appeals,
                                     [](const BoardEntry& e) {
                                       return Json{
                                           {"id", e.id},
                                           {"type", to_string(e.type)},
                                           {"title", e.title},
                                           {"text", e.text},
                                           {"dept_id", e.dept_id},
                                           {"reply", e.reply},
                                           {"created_at", core::format_instant(e.created_at_ms)},
                                           {"replied_at", core::format_instant(e.replied_at_ms)},
                                           {"on_time", e.on_time}};
                                     })},
          {"total", b.total},
          {"departments", http::array_of(b.departments, [](const BoardDept& d) {
             return Json{{"dept_id", d.dept_id},
                         {"replied", d.replied},
                         {"replied_on_time", d.replied_on_time},
                         {"on_time_rate", http::or_null(d.on_time_rate)}};
           })}};
}

Json limit_json(const Limit& l) {
  return {{"type", to_string(l.type)}, {"days", l.days}};
}

tl::unexpected<Error> bad(std::string field, std::string zh, std::string en) {
  return fail(ErrorCode::invalid_input, std::move(field), std::move(zh), std::move(en));
}

// A number member, when present: `error` is set for anything but a number.
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

Result<std::vector<std::string>> parse_photos(const Json& photos) {
  if (photos.size() > 9) return bad("/photos", "照片最多 9 张", "at most 9 photos");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < photos.size(); ++i) {
    if (!photos[i].is_string()) {
      return bad("/photos/" + std::to_string(i), "须为字符串", "must be a string");
    }
    out.push_back(photos[i].get<std::string>());
  }
  return out;
}

Result<Caller> parse_caller(const Json& caller) {
  http::ObjectReader cr(caller, "/caller");
  Caller who;
  who.name = cr.optional_string("name", kLongText).value_or("");
  who.phone = cr.required_string("phone", 64);
  if (auto st = cr.finish(); !st) return fail(st.error());
  return who;
}

// The enumerations of a new appeal, named in the messages.
Status parse_kinds(const std::string& channel, const std::string& type, NewAppeal& n) {
  auto c = parse_channel(channel);
  if (!c) {
    return bad("/channel", "渠道应为 web、mobile、phone 或 api",
               "channel must be web, mobile, phone or api");
  }
  n.channel = *c;
  auto t = parse_type(type);
  if (!t) {
    return bad("/type",
               "诉求类型应为 consult（咨询）、help（求助）、complaint（投诉）、report（举报）或 "
               "suggestion（建议）",
               "type must be consult, help, complaint, report or suggestion");
  }
  n.type = *t;
  return {};
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
  if (auto st = parse_kinds(channel, type, n); !st) return fail(st.error());
  if (photos) {
    auto list = parse_photos(*photos);
    if (!list) return fail(list.error());
    n.photos = std::move(*list);
  }
  if (caller) {
    auto who = parse_caller(*caller);
    if (!who) return fail(who.error());
    n.caller = std::move(*who);
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

Result<int> parse_days(const Request& req) {
  http::ObjectReader r(req);
  auto days = r.required_int("days", INT32_MIN, INT32_MAX);
  if (auto st = r.finish(); !st) return fail(st.error());
  return static_cast<int>(days);
}

Result<std::string> parse_reply(const Request& req) {
  http::ObjectReader r(req);
  auto reply = r.required_string("reply", kLongText);
  if (auto st = r.finish(); !st) return fail(st.error());
  return reply;
}

// Problem extension members are added to the problem the helper would have sent: these errors
// become responses here, the others are returned to the helper as they are.
Response with_members(const Error& e, const Request& req, const Json& members) {
  Response r = http::problem(e, req);
  Json body = Json::parse(r.body, nullptr, false);
  if (!body.is_object()) return r;
  body.update(members);
  r.body = body.dump();
  return r;
}

// A replayed submission names the appeal filed first (code "replayed"); a matter for another
// channel names the channel (member "redirect"), so that a client can show it without parsing
// the message.
Result<Response> submit_problem(const Error& e, const Request& req, const NewAppeal& n,
                                Service& service, const Principal& me) {
  if (e.code == ErrorCode::conflict && e.field == "/idempotency_key") {
    Json members{{"code", "replayed"}};
    if (auto id = service.filed_under(n, me)) members["appeal_id"] = *id;
    return with_members(e, req, members);
  }
  if (e.code != ErrorCode::invalid_input || e.field != "/text") return fail(e);
  auto redirect = find_redirect(n.title + "\n" + n.text);
  if (!redirect) return fail(e);
  return with_members(e, req,
                      {{"redirect",
                        {{"rule", redirect->rule},
                         {"channel_zh", redirect->channel_zh},
                         {"channel_en", redirect->channel_en}}}});
}

// 201 for a new appeal, 200 for a repeat merged into an open one.
Response submitted(const SubmitResult& r) {
  Json body = appeal_json(r.appeal);
  body["merged"] = r.merged;
  if (!r.merged) return http::created(body, "/api/v1/appeals/" + r.appeal.id);
  body["similarity"] = std::round(r.similarity * 1000) / 1000;
  return http::ok(body);
}

// A weak reply: the department sees every reason at once, as the check found them.
Result<Response> act_problem(const Error& e, const Request& req, const std::string& id,
                             const ActionRequest& a, Service& service, const Principal& me) {
  if (e.code != ErrorCode::unprocessable) return fail(e);
  Json members{{"code", "weak_reply"}};
  if (auto q = service.check_reply(id, a.reply, me)) members["reply_check"] = quality_json(*q);
  return with_members(e, req, members);
}

void add_intake_routes(identity::Routes& api, Service& service) {
  api.add_if("POST", "/api/v1/appeals",
          [&](const Principal& who) { return service.may_submit(who); },
          [&](const Request& req, const PathParams&, const Principal& who) -> Result<Response> {
            auto n = parse_new_appeal(req);
            if (!n) return fail(n.error());
            auto r = service.submit(*n, who);
            if (!r) return submit_problem(r.error(), req, *n, service, who);
            return submitted(*r);
          });

  api.add_if("POST", "/api/v1/appeals/{id}/actions",
          [&](const Principal& who, const PathParams& p) {
            return service.may_act(p.at("id"), who);
          },
          [&](const Request& req, const PathParams& p, const Principal& who) -> Result<Response> {
            auto a = parse_action_request(req);
            if (!a) return fail(a.error());
            auto r = service.act(p.at("id"), *a, who);
            if (!r) return act_problem(r.error(), req, p.at("id"), *a, service, who);
            return http::ok(appeal_json(*r));
          });

  api.add_if("POST", "/api/v1/appeals/{id}/reply-check",
          [&](const Principal& who, const PathParams& p) {
            return service.may_act(p.at("id"), who, true);
          },
          [&](const Request& req, const PathParams& p, const Principal& who) {
            return parse_reply(req)
                .and_then([&](const std::string& reply) {
                  return service.check_reply(p.at("id"), reply, who);
                })
                .map(quality_json);
          });
}

void add_reading_routes(identity::Routes& api, Service& service, identity::Service& identity) {
  api.add("GET", "/api/v1/appeals",
          [&](const Request& req, const PathParams&, const Principal& who) {
            return parse_query(req)
                .and_then([&](const Query& q) { return service.list(q, who); })
                .map([](const AppealList& list) {
                  return Json{{"items", http::array_of(list.appeals, appeal_json)},
                              {"total", list.total}};
                });
          });

  api.add("GET", "/api/v1/appeals/rollup",
          [&](const Request& req, const PathParams&, const Principal& who) {
            return service.rollup(who, req.query_param("dept").value_or(""))
                .map([](const std::vector<DeptRollup>& r) {
                  return Json{{"departments", http::array_of(r, rollup_json)}};
                });
          });

  api.add("GET", "/api/v1/appeals/{id}",
          [&](const Request&, const PathParams& p, const Principal& who) {
            return service.get(p.at("id"), who).map([&](const AppealDetail& d) {
              std::vector<std::string> actors;
              for (const auto& t : d.history) actors.push_back(t.actor_user_id);
              auto names = identity.official_names(actors, who);
              Json body = appeal_json(d.appeal);
              body["history"] = http::array_of(
                  d.history, [&](const Transition& t) { return transition_json(t, names); });
              return body;
            });
          });

  // Public: the answered appeals whose appellants agreed, and every department's on-time rate.
  api.open("GET", "/api/v1/appeals/board", [&](const Request& req, const PathParams&) {
    return http::page_of(req)
        .and_then([&](const http::Page& page) {
          return service.board(page.limit, page.offset, req.query_param("dept_id").value_or(""));
        })
        .map([](const Board& b) {
          Response r = http::ok(board_json(b));
          r.headers.emplace_back("Cache-Control", "public, max-age=60");
          return r;
        });
  });
}

void add_limit_routes(identity::Routes& api, Service& service) {
  api.add("GET", "/api/v1/appeals/limits",
          [&](const Request&, const PathParams&, const Principal&) {
            return service.limits().map([](const std::vector<Limit>& limits) {
              return Json{{"limits", http::array_of(limits, limit_json)}};
            });
          });

  api.add_if("PUT", "/api/v1/appeals/limits/{type}", identity::system_admin_only,
          [&](const Request& req, const PathParams& p, const Principal& who) -> Result<Json> {
            auto days = parse_days(req);
            if (!days) return fail(days.error());
            auto type = parse_type(p.at("type"));
            if (!type)
              return fail(ErrorCode::not_found, "", "没有这种诉求类型", "no such appeal type");
            return service.set_limit(*type, *days, who).map(limit_json);
          });
}

}  // namespace

void register_routes(http::Router& router, Service& service, identity::Service& identity) {
  identity::Routes api(router, identity);
  add_intake_routes(api, service);
  add_reading_routes(api, service, identity);
  add_limit_routes(api, service);
}

}  // namespace yiwang::appeals
