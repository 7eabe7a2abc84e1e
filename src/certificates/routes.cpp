// HTTP routes of the certificate library: parse, call one service function, map the result.
#include "certificates/certificates.h"
#include "http/json_api.h"

namespace yiwang::generated {
extern const char* const certificate_verify_html;
extern const char* const certificate_verify_js;
extern const char* const wallet_html;
extern const char* const wallet_js;
}  // namespace yiwang::generated

namespace yiwang::certificates {
namespace {

using http::Json;
using http::PathParams;
using http::Request;
using http::Response;

Json cert_json(const Certificate& c, bool with_credential) {
  Json j = {{"identifier", c.identifier},
            {"number", c.number},
            {"name", c.name},
            {"version", c.version},
            {"type_code", c.type_code},
            {"type_name", c.type_name},
            {"issue_date", c.issue_date},
            {"issuer_name", c.issuer_name},
            {"issuer_uscc", c.issuer_uscc},
            {"dept_id", c.dept_id},
            {"valid_from", c.valid_from},
            {"valid_to", c.valid_to},
            {"division_code", c.division_code},
            {"holder_name", c.holder_name},
            {"holder_id", c.holder_id},
            {"holder_id_type", c.holder_id_type},
            {"item_code", c.item_code},
            {"case_id", c.case_id},
            {"data", Json::parse(c.data_json.empty() ? "{}" : c.data_json, nullptr, false)},
            {"status", std::string(to_string(c.status))},
            {"status_reason", c.status_reason},
            {"status_list", {{"id", c.status_list_id}, {"index", c.status_index}}},
            {"issued_at", core::format_instant(c.issued_at_ms)}};
  if (with_credential) j["sd_jwt"] = c.sd_jwt;
  return j;
}

Json type_json(const CertificateType& t) {
  return {{"code", t.code},
          {"name", t.name},
          {"defining_body", t.defining_body},
          {"dept_id", t.dept_id},
          {"holder_kind", t.holder_kind},
          {"validity_years", t.validity_years},
          {"vct", t.vct}};
}

Json verification_json(const Verification& v) {
  Json disclosed = Json::object();
  for (const auto& [k, text] : v.disclosed) disclosed[k] = Json::parse(text, nullptr, false);
  return {{"valid", v.signature_ok && v.status_ok && v.validity_ok},
          {"identifier", v.identifier},
          {"type_name", v.type_name},
          {"issuer", v.issuer},
          {"vct", v.vct},
          {"signature_ok", v.signature_ok},
          {"status_ok", v.status_ok},
          {"validity_ok", v.validity_ok},
          {"disclosed", std::move(disclosed)},
          {"verified_at", core::format_instant(v.verified_at_ms)}};
}

Response text_response(std::string content_type, std::string body) {
  Response r;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

template <class F>
Response authed(const Request& req, identity::Service& identity, F&& f) {
  auto who = identity.authenticate(req.bearer_token());
  if (!who) return http::problem(who.error(), req);
  return f(*who);
}

Response issue(const Request& req, Service& service, const identity::Principal& by) {
  auto body = http::parse_object(req);
  if (!body) return http::problem(body.error(), req);
  http::ObjectReader r(*body);
  NewCertificate in;
  in.type_code = r.required_string("type_code", 64);
  in.number = r.optional_string("number", 64).value_or("");
  in.holder_name = r.required_string("holder_name", 400);
  in.holder_id = r.required_string("holder_id", 32);
  in.holder_id_type = r.optional_string("holder_id_type", 3).value_or("");
  in.valid_from = r.optional_string("valid_from", 10).value_or("");
  in.valid_to = r.optional_string("valid_to", 10).value_or("");
  in.item_code = r.optional_string("item_code", 24).value_or("");
  if (auto data = r.optional_object("data")) in.data_json = data->dump();
  if (auto st = r.finish(); !st) return http::problem(st.error(), req);
  auto c = service.issue(in, by);
  if (!c) return http::problem(c.error(), req);
  return http::created(cert_json(*c, true), "/api/v1/certificates/" + c->identifier);
}

Response import(const Request& req, Service& service, const identity::Principal& by) {
  const std::string type = req.header("content-type");
  if (type.rfind("text/csv", 0) != 0) {
    return http::problem(Error{ErrorCode::unsupported_media, "", "请以text/csv提交",
                               "send the certificates as text/csv"},
                         req);
  }
  auto report = service.import_csv(req.body, by);
  if (!report) return http::problem(report.error(), req);
  if (!report->row_errors.empty()) {
    const Error& first = report->row_errors.front();
    Response r = http::problem(Error{ErrorCode::invalid_input, first.field,
                                     "导入失败，共" + std::to_string(report->row_errors.size()) +
                                         "处错误，未导入任何证照：" + first.message_zh,
                                     std::to_string(report->row_errors.size()) +
                                         " error(s), nothing imported: " + first.message_en},
                               req);
    Json body = Json::parse(r.body, nullptr, false);
    Json errors = Json::array();
    for (const auto& e : report->row_errors) {
      errors.push_back(
          {{"field", e.field}, {"message_zh", e.message_zh}, {"message_en", e.message_en}});
    }
    body["errors"] = std::move(errors);
    r.body = body.dump();
    return r;
  }
  return http::ok({{"imported", report->imported}});
}

Response get_or_use(const Request& req, const PathParams& p, Service& service,
                    const identity::Principal& by) {
  const std::string& id = p.at("identifier");
  if (by.is_official()) {
    // Departments use a certificate only with a stated cause; the copy they get is annotated.
    auto copy = service.use(id, req.query_param("use_cause").value_or(""), by);
    if (!copy) return http::problem(copy.error(), req);
    Json j = cert_json(copy->certificate, true);
    j["annotation"] = {{"used_by", copy->used_by},
                       {"dept", copy->used_by_dept},
                       {"use_cause", copy->use_cause},
                       {"used_at", core::format_instant(copy->used_at_ms)},
                       {"valid_until", core::format_instant(copy->valid_until_ms)},
                       {"note_zh", "本件为加注件，仅限" + copy->use_cause + "使用"}};
    return http::ok(j);
  }
  auto c = service.get(id, by);
  if (!c) return http::problem(c.error(), req);
  return http::ok(cert_json(*c, true));
}

Response change_status(const Request& req, const PathParams& p, Service& service,
                       const identity::Principal& by) {
  auto body = http::parse_object(req);
  if (!body) return http::problem(body.error(), req);
  http::ObjectReader r(*body);
  std::string status = r.required_string("status", 20);
  std::string reason = r.required_string("reason", 2000);
  if (auto st = r.finish(); !st) return http::problem(st.error(), req);
  auto to = parse_status(status);
  if (!to) {
    return http::problem(
        Error{ErrorCode::invalid_input, "/status", "状态应为valid、suspended或revoked",
              "status must be valid, suspended or revoked"},
        req);
  }
  auto c = service.change_status(p.at("identifier"), *to, reason, by);
  if (!c) return http::problem(c.error(), req);
  return http::ok(cert_json(*c, false));
}

Response present(const Request& req, const PathParams& p, Service& service,
                 const identity::Principal& by) {
  auto body = http::parse_object(req);
  if (!body) return http::problem(body.error(), req);
  http::ObjectReader r(*body);
  std::vector<std::string> claims;
  std::optional<Json> list = r.optional_array("claims");
  std::string verifier = r.required_string("verifier", 1000);
  std::string purpose = r.required_string("purpose", 2000);
  if (auto st = r.finish(); !st) return http::problem(st.error(), req);
  if (list) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      if (!(*list)[i].is_string()) {
        return http::problem(Error{ErrorCode::invalid_input, "/claims/" + std::to_string(i),
                                   "应为字符串", "must be a string"},
                             req);
      }
      claims.push_back((*list)[i].get<std::string>());
    }
  }
  auto presentation = service.present(p.at("identifier"), claims, verifier, purpose, by);
  if (!presentation) return http::problem(presentation.error(), req);
  return http::created({{"identifier", p.at("identifier")},
                        {"claims", claims},
                        {"verifier", verifier},
                        {"purpose", purpose},
                        {"presentation", *presentation}});
}

Response put_type(const Request& req, const PathParams& p, Service& service,
                  const identity::Principal& by) {
  auto body = http::parse_object(req);
  if (!body) return http::problem(body.error(), req);
  if (!body->contains("code")) (*body)["code"] = p.at("code");
  http::ObjectReader r(*body);
  CertificateType t;
  t.code = r.required_string("code", 64);
  t.name = r.required_string("name", 200);
  t.defining_body = r.optional_string("defining_body", 200).value_or("");
  t.dept_id = r.required_string("dept_id", 64);
  t.holder_kind = r.required_string("holder_kind", 20);
  t.validity_years = static_cast<int>(r.optional_int("validity_years", 0, 100).value_or(0));
  t.vct = r.optional_string("vct", 500).value_or("");
  if (auto st = r.finish(); !st) return http::problem(st.error(), req);
  if (t.code != p.at("code")) {
    return http::problem(Error{ErrorCode::invalid_input, "/code", "类型代码与地址不一致",
                               "code differs from the one in the path"},
                         req);
  }
  auto put = service.put_type(t, by);
  if (!put) return http::problem(put.error(), req);
  return http::ok(type_json(*put));
}

}  // namespace

void register_routes(http::Router& router, Service& service, identity::Service& identity) {
  router.add("GET", "/.well-known/jwt-vc-issuer", [&](const Request&, const PathParams&) {
    return text_response("application/json", service.issuer_metadata_json());
  });
  router.add("GET", "/.well-known/jwt-vc-issuer/issuers/{dept}",
             [&](const Request& req, const PathParams& p) {
               auto meta = service.issuer_metadata_json(p.at("dept"));
               if (!meta) return http::problem(meta.error(), req);
               return text_response("application/json", *meta);
             });
  router.add("GET", "/api/v1/status-lists/{id}", [&](const Request& req, const PathParams& p) {
    auto jwt = service.status_list(p.at("id"));
    if (!jwt) return http::problem(jwt.error(), req);
    Response r = text_response("application/statuslist+jwt", *jwt);
    r.headers.emplace_back("Cache-Control", "no-cache");
    return r;
  });
  router.add("GET", "/api/v1/certificate-types", [&](const Request& req, const PathParams&) {
    auto types = service.types();
    if (!types) return http::problem(types.error(), req);
    Json items = Json::array();
    for (const auto& t : *types) items.push_back(type_json(t));
    return http::ok({{"items", std::move(items)}});
  });
  router.add(
      "PUT", "/api/v1/certificate-types/{code}", [&](const Request& req, const PathParams& p) {
        return authed(req, identity,
                      [&](const identity::Principal& by) { return put_type(req, p, service, by); });
      });
  router.add("POST", "/api/v1/certificates", [&](const Request& req, const PathParams&) {
    return authed(req, identity,
                  [&](const identity::Principal& by) { return issue(req, service, by); });
  });
  router.add("POST", "/api/v1/certificates/import", [&](const Request& req, const PathParams&) {
    return authed(req, identity,
                  [&](const identity::Principal& by) { return import(req, service, by); });
  });
  router.add("GET", "/api/v1/certificates/{identifier}",
             [&](const Request& req, const PathParams& p) {
               return authed(req, identity, [&](const identity::Principal& by) {
                 return get_or_use(req, p, service, by);
               });
             });
  router.add("POST", "/api/v1/certificates/{identifier}/status",
             [&](const Request& req, const PathParams& p) {
               return authed(req, identity, [&](const identity::Principal& by) {
                 return change_status(req, p, service, by);
               });
             });
  // The page the printed QR code opens; it reads the public record below.
  router.add("GET", "/verify/certificates/{identifier}", [](const Request&, const PathParams&) {
    return http::web_asset(generated::certificate_verify_html, "text/html; charset=utf-8");
  });
  router.add("GET", "/verify/certificate.js", [](const Request&, const PathParams&) {
    return http::web_asset(generated::certificate_verify_js, "text/javascript; charset=utf-8");
  });
  // The holder's wallet page; everything it shows comes from the authenticated API.
  router.add("GET", "/wallet", [](const Request&, const PathParams&) {
    return http::web_asset(generated::wallet_html, "text/html; charset=utf-8");
  });
  router.add("GET", "/wallet/app.js", [](const Request&, const PathParams&) {
    return http::web_asset(generated::wallet_js, "text/javascript; charset=utf-8");
  });
  // What the printed QR code leads to: public, without holder data.
  router.add("GET", "/api/v1/certificates/{identifier}/verification",
             [&](const Request& req, const PathParams& p) {
               auto rec = service.public_record(p.at("identifier"));
               if (!rec) return http::problem(rec.error(), req);
               return http::ok({{"identifier", rec->identifier},
                                {"name", rec->name},
                                {"type_name", rec->type_name},
                                {"issuer_name", rec->issuer_name},
                                {"issue_date", rec->issue_date},
                                {"valid_from", rec->valid_from},
                                {"valid_to", rec->valid_to},
                                {"status", std::string(to_string(rec->status))}});
             });
  router.add(
      "GET", "/api/v1/certificates/{identifier}/pdf", [&](const Request& req, const PathParams& p) {
        return authed(req, identity, [&](const identity::Principal& by) {
          auto pdf = service.pdf(p.at("identifier"), by);
          if (!pdf) return http::problem(pdf.error(), req);
          Response r = text_response("application/pdf", std::move(*pdf));
          r.headers.emplace_back("Content-Disposition", "inline; filename=\"certificate.pdf\"");
          return r;
        });
      });
  router.add("GET", "/api/v1/wallet/matches", [&](const Request& req, const PathParams&) {
    return authed(req, identity, [&](const identity::Principal& by) {
      auto item = req.query_param("item_code");
      if (!item || item->empty()) {
        return http::problem(Error{ErrorCode::invalid_input, "/item_code", "请指定事项编码",
                                   "item_code is required"},
                             req);
      }
      auto found = service.matches(*item, by);
      if (!found) return http::problem(found.error(), req);
      Json items = Json::array();
      for (const auto& m : *found) {
        Json certs = Json::array();
        for (const auto& c : m.certificates) {
          certs.push_back({{"identifier", c.identifier},
                           {"name", c.name},
                           {"number", c.number},
                           {"issuer_name", c.issuer_name},
                           {"valid_to", c.valid_to}});
        }
        items.push_back({{"material", m.material},
                         {"certificate_type", m.certificate_type},
                         {"certificates", std::move(certs)}});
      }
      return http::ok({{"item_code", *item}, {"items", std::move(items)}});
    });
  });
  router.add("GET", "/api/v1/wallet/certificates", [&](const Request& req, const PathParams&) {
    return authed(req, identity, [&](const identity::Principal& by) {
      auto list = service.wallet(by);
      if (!list) return http::problem(list.error(), req);
      Json items = Json::array();
      for (const auto& c : *list) items.push_back(cert_json(c, true));
      return http::ok({{"items", std::move(items)}});
    });
  });
  router.add("POST", "/api/v1/wallet/certificates/{identifier}/presentations",
             [&](const Request& req, const PathParams& p) {
               return authed(req, identity, [&](const identity::Principal& by) {
                 return present(req, p, service, by);
               });
             });
  router.add("POST", "/api/v1/presentations/verify", [&](const Request& req, const PathParams&) {
    auto body = http::parse_object(req);
    if (!body) return http::problem(body.error(), req);
    http::ObjectReader r(*body);
    std::string presentation = r.required_string("presentation", 200000);
    if (auto st = r.finish(); !st) return http::problem(st.error(), req);
    auto v = service.verify_presentation(presentation);
    if (!v) return http::problem(v.error(), req);
    return http::ok(verification_json(*v));
  });
}

}  // namespace yiwang::certificates
