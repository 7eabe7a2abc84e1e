// HTTP routes of cases and files: parse strictly, authenticate, one service call, map.
#include "cases/internal.h"
#include "identity/routes.h"

namespace yiwang::cases::detail {
namespace {

using http::Json;
using http::PathParams;
using http::Request;
using http::Response;

Json clock_json(const std::optional<ClockView>& v) {
  if (!v) return nullptr;
  return {{"limit_days", v->limit_days},
          {"natural_days", v->natural_days},
          {"used_days", v->used_days},
          {"remaining_days", v->remaining_days},
          {"deadline", v->deadline ? Json(core::format_date(*v->deadline)) : Json(nullptr)},
          {"paused", v->paused},
          {"alert", core::to_string(v->alert)}};
}

// The case document of a copy the service masked for its reader (Disclosure, masking.cpp): the
// values it withheld (empty in a masked copy) are absent. Lists are lean whatever the disclosure:
// no account id, phone or certificate verification (the case itself has them).
Json case_json(const Case& c, bool in_list) {
  const bool full = c.disclosure == Disclosure::full;
  Json applicant = {{"kind", c.applicant.kind},
                    {"name", c.applicant.name},
                    {"id_number", c.applicant.id_number},
                    {"division_code", c.applicant.division_code}};
  if (!in_list) {
    if (full || !c.applicant.user_id.empty()) applicant["user_id"] = c.applicant.user_id;
    if (full || !c.applicant.phone.empty()) applicant["phone"] = c.applicant.phone;
  }
  Json materials = Json::array();
  for (const auto& m : c.materials) {
    Json o = {{"name", m.name}};
    if (full || !m.sha256.empty()) o["sha256"] = m.sha256;
    if (!m.certificate_id.empty()) o["certificate_id"] = m.certificate_id;
    if (!m.verification_json.empty() && !in_list) {
      o["verification"] = Json::parse(m.verification_json);
    }
    materials.push_back(std::move(o));
  }
  Json steps = Json::array();
  for (const auto& s : c.steps) {
    Json approvals = Json::array();
    for (const auto& a : s.approvals) {
      approvals.push_back({{"dept_id", a.dept_id},
                           {"user_id", a.user_id},
                           {"verdict", a.verdict},
                           {"opinion", a.opinion},
                           {"at", core::format_instant(a.at_ms)}});
    }
    steps.push_back({{"index", s.index},
                     {"name", s.name},
                     {"kind", s.kind},
                     {"dept_ids", s.dept_ids},
                     {"role", s.role},
                     {"status", s.status},
                     {"approvals", std::move(approvals)}});
  }
  Json form = Json::parse(c.form_json.empty() ? "{}" : c.form_json, nullptr, false);
  if (form.is_discarded()) form = Json::object();
  Json doc = {{"id", c.id},
              {"item_code", c.item_code},
              {"item_version", c.item_version},
              {"item_name", c.item_name},
              {"dept_id", c.dept_id},
              {"case_type", c.case_type},
              {"state", to_string(c.state)},
              {"applicant", std::move(applicant)},
              {"channel", c.channel},
              {"form", std::move(form)},
              {"materials", std::move(materials)},
              {"steps", std::move(steps)},
              {"current_step", c.current_step},
              {"decision", c.decision},
              {"decision_opinion", c.decision_opinion},
              {"instant_rule", c.instant_rule},
              {"procedure", c.procedure ? Json(to_string(*c.procedure)) : Json(nullptr)},
              {"submitted_at", core::format_instant(c.submitted_at_ms)},
              {"accepted_at", http::instant_or_null(c.accepted_at_ms)},
              {"decided_at", http::instant_or_null(c.decided_at_ms)},
              {"completed_at", http::instant_or_null(c.completed_at_ms)},
              {"updated_at", core::format_instant(c.updated_at_ms)},
              {"clock", clock_json(c.clock)},
              {"acceptance_clock", clock_json(c.acceptance_clock)},
              {"revision", c.revision},
              {"disclosure", to_string(c.disclosure)}};
  if (full || !c.filed_by.empty()) doc["filed_by"] = c.filed_by;
  return doc;
}

tl::unexpected<Error> bad(std::string field, std::string zh, std::string en) {
  return fail(ErrorCode::invalid_input, std::move(field), std::move(zh), std::move(en));
}

// [{name, sha256 | certificate_id}] at `path`.
Result<std::vector<MaterialRef>> parse_materials(const Json& array, const std::string& path) {
  if (array.size() > 100)
    return bad(path, "材料过多（最多 100 份）", "too many materials (at most 100)");
  std::vector<MaterialRef> out;
  for (std::size_t i = 0; i < array.size(); ++i) {
    std::string at = path + "/" + std::to_string(i);
    if (!array[i].is_object()) return bad(at, "应为对象", "must be an object");
    http::ObjectReader r(array[i], at);
    MaterialRef m;
    m.name = r.required_string("name", 600);
    // Either an upload or a certificate (免提交); check_material_shape says which is missing.
    m.sha256 = r.optional_string("sha256", 64).value_or("");
    m.certificate_id = r.optional_string("certificate_id", 200).value_or("");
    if (auto st = r.finish(); !st) return fail(st.error());
    out.push_back(std::move(m));
  }
  return out;
}

Result<NewCase> parse_new_case(const Request& req) {
  http::ObjectReader r(req);
  NewCase c;
  c.item_code = r.required_string("item_code", 64);
  auto form = r.optional_object("form");
  auto materials = r.optional_array("materials");
  auto applicant = r.optional_object("applicant");
  if (auto st = r.finish(); !st) return fail(st.error());
  c.form_json = form ? form->dump() : "{}";
  if (materials) {
    auto list = parse_materials(*materials, "/materials");
    if (!list) return fail(list.error());
    c.materials = std::move(*list);
  }
  if (applicant) {
    http::ObjectReader a(*applicant, "/applicant");
    Applicant who;
    who.kind = a.required_string("kind", 20);
    who.name = a.required_string("name", 300);
    who.id_number = a.required_string("id_number", 18);
    who.phone = a.optional_string("phone", 32).value_or("");
    who.division_code = a.optional_string("division_code", 12).value_or("");
    if (auto st = a.finish(); !st) return fail(st.error());
    c.applicant = std::move(who);
  }
  return c;
}

Result<ActionRequest> parse_action_request(const Request& req) {
  http::ObjectReader r(req);
  std::string action = r.required_string("action", 40);
  auto opinion = r.optional_string("opinion", 4000);
  auto form = r.optional_object("form");
  auto materials = r.optional_array("materials");
  auto procedure = r.optional_string("procedure", 40);
  auto expected = r.optional_int("expected_revision", 0, INT64_MAX);
  if (auto st = r.finish(); !st) return fail(st.error());
  ActionRequest a;
  auto parsed = parse_action(action);
  if (!parsed) {
    return bad("/action", "未知的操作：" + action, "unknown action: " + action);
  }
  a.action = *parsed;
  a.opinion = opinion.value_or("");
  if (form) a.form_json = form->dump();
  if (materials) {
    auto list = parse_materials(*materials, "/materials");
    if (!list) return fail(list.error());
    a.materials = std::move(*list);
  }
  if (procedure) {
    a.procedure = parse_procedure(*procedure);
    if (!a.procedure) {
      return bad("/procedure",
                 "特别程序应为 hearing、expert_review、extension 或 on_site_inspection",
                 "procedure must be hearing, expert_review, extension or on_site_inspection");
    }
  }
  a.expected_revision = expected;
  return a;
}

Result<CaseQuery> parse_query(const Request& req) {
  CaseQuery q;
  auto page = http::page_of(req);
  if (!page) return fail(page.error());
  q.limit = page->limit;
  q.offset = page->offset;
  if (auto s = req.query_param("state"); s && !s->empty()) {
    q.state = parse_state(*s);
    if (!q.state) return bad("state", "未知的办件状态", "unknown state: " + *s);
  }
  q.dept_id = req.query_param("dept").value_or("");
  q.item_code = req.query_param("item").value_or("");
  if (auto mine = req.query_param("mine"); mine && !mine->empty()) {
    if (*mine != "true" && *mine != "false")
      return bad("mine", "mine 应为 true 或 false", "mine must be true or false");
    q.mine = *mine == "true";
  }
  if (auto alert = req.query_param("alert"); alert && !alert->empty()) {
    if (*alert == "yellow") {
      q.alert = core::Alert::yellow;
    } else if (*alert == "red") {
      q.alert = core::Alert::red;
    } else {
      return bad("alert", "alert 应为 yellow 或 red", "alert must be yellow or red");
    }
  }
  return q;
}

// `names`: the officials' names the reader may see (identity::Service::official_names).
Json transition_json(const Transition& t, const std::map<std::string, std::string>& names) {
  return {{"seq", t.seq},
          {"action", t.action},
          {"from", t.from_state},
          {"to", t.to_state},
          {"actor",
           {{"user_id", t.actor_user_id},
            {"name", http::string_or_null(names, t.actor_user_id)},
            {"role", t.actor_role},
            {"dept_id", t.actor_dept_id}}},
          {"opinion", t.opinion},
          {"at", core::format_instant(t.at_ms)}};
}

Json case_full(const Case& c) {
  return case_json(c, false);
}

Response file_download(FileContent&& file) {
  Response r;
  r.status = 200;
  r.content_type = file.ref.content_type;
  r.body = std::move(file.bytes);
  r.headers = {{"Content-Disposition", "attachment; filename=\"" + file.ref.sha256 + "\""},
               {"X-Content-Type-Options", "nosniff"},
               {"Cache-Control", "private"}};
  return r;
}

}  // namespace

void register_case_routes(http::Router& router, Service& service, identity::Service& identity) {
  identity::Routes api(router, identity);
  using identity::Principal;

  api.add_if(
      "POST", "/api/v1/cases", &Service::may_file,
      [&](const Request& req, const PathParams&, const Principal& who) {
        return parse_new_case(req)
            .and_then([&](const NewCase& c) { return service.file(c, who); })
            .map(
                [](const Case& c) { return http::created(case_full(c), "/api/v1/cases/" + c.id); });
      });

  api.add("GET", "/api/v1/cases", [&](const Request& req, const PathParams&, const Principal& who) {
    return parse_query(req)
        .and_then([&](const CaseQuery& q) { return service.list(q, who); })
        .map([](const CaseList& list) {
          return Json{{"cases", http::array_of(list.cases,
                                               [](const Case& c) { return case_json(c, true); })},
                      {"total", list.total}};
        });
  });

  api.add("GET", "/api/v1/cases/{id}",
          [&](const Request&, const PathParams& p, const Principal& who) {
            return service.get(p.at("id"), who).map(case_full);
          });

  api.add_if("POST", "/api/v1/cases/{id}/actions",
          [&](const Principal& who, const PathParams& p) {
            return service.may_act(p.at("id"), who);
          },
          [&](const Request& req, const PathParams& p, const Principal& who) {
            return parse_action_request(req)
                .and_then([&](const ActionRequest& a) { return service.act(p.at("id"), a, who); })
                .map(case_full);
          });

  api.add("GET", "/api/v1/cases/{id}/history",
          [&](const Request&, const PathParams& p, const Principal& who) {
            return service.history(p.at("id"), who).map([&](const std::vector<Transition>& h) {
              std::vector<std::string> actors;
              for (const auto& t : h) actors.push_back(t.actor_user_id);
              auto names = identity.official_names(actors, who);
              return Json{{"case_id", p.at("id")},
                          {"transitions", http::array_of(h, [&](const Transition& t) {
                             return transition_json(t, names);
                           })}};
            });
          });

  api.add("POST", "/api/v1/files",
          [&](const Request& req, const PathParams&, const Principal& who) {
            return service.put_file(req.header("content-type"), req.body, who, req.remote_address)
                .map([](const FileRef& f) {
                  return http::created(
                      {{"sha256", f.sha256}, {"size", f.size}, {"content_type", f.content_type}},
                      "/api/v1/files/" + f.sha256);
                });
          });

  api.add("GET", "/api/v1/files/{sha256}",
          [&](const Request&, const PathParams& p, const Principal& who) {
            return service.get_file(p.at("sha256"), who).map([](FileContent f) {
              return file_download(std::move(f));
            });
          });
}

}  // namespace yiwang::cases::detail
