// HTTP routes of the certificate library: parse, call one service function, map the result.
#include "identity/routes.h"
#include "certificates/certificates.h"
#include "certificates/internal.h"

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

Json public_record_json(const PublicRecord& rec) {
  return {{"identifier", rec.identifier}, {"name", rec.name},
          {"type_name", rec.type_name},   {"issuer_name", rec.issuer_name},
          {"issue_date", rec.issue_date}, {"valid_from", rec.valid_from},
          {"valid_to", rec.valid_to},     {"status", std::string(to_string(rec.status))}};
}

Json matches_json(const std::string& item_code, const std::vector<Service::MaterialMatch>& found) {
  auto certificate = [](const Certificate& c) {
    return Json{{"identifier", c.identifier},
                {"name", c.name},
                {"number", c.number},
                {"issuer_name", c.issuer_name},
                {"valid_to", c.valid_to}};
  };
  auto match = [&](const Service::MaterialMatch& m) {
    return Json{{"material", m.material},
                {"certificate_type", m.certificate_type},
                {"certificates", http::array_of(m.certificates, certificate)}};
  };
  return {{"item_code", item_code}, {"items", http::array_of(found, match)}};
}

Json annotated_json(const Service::AnnotatedCopy& copy) {
  Json j = cert_json(copy.certificate, true);
  j["annotation"] = {{"used_by", copy.used_by},
                     {"dept", copy.used_by_dept},
                     {"use_cause", copy.use_cause},
                     {"used_at", core::format_instant(copy.used_at_ms)},
                     {"valid_until", core::format_instant(copy.valid_until_ms)},
                     {"note_zh", "本件为加注件，仅限" + copy.use_cause + "使用"}};
  return j;
}

Response text_response(std::string content_type, std::string body) {
  Response r;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

Result<NewCertificate> parse_new_certificate(const Request& req) {
  http::ObjectReader r(req);
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
  if (auto st = r.finish(); !st) return fail(st.error());
  return in;
}

// A failed import is a problem that lists every row error (beside the first one's message).
Response import_problem(const ImportReport& report, const Request& req) {
  const Error& first = report.row_errors.front();
  const std::string count = std::to_string(report.row_errors.size());
  Response r =
      http::problem(Error{ErrorCode::invalid_input, first.field,
                          "导入失败，共" + count + "处错误，未导入任何证照：" + first.message_zh,
                          count + " error(s), nothing imported: " + first.message_en},
                    req);
  Json body = Json::parse(r.body, nullptr, false);
  body["errors"] = http::array_of(report.row_errors, [](const Error& e) {
    return Json{{"field", e.field}, {"message_zh", e.message_zh}, {"message_en", e.message_en}};
  });
  r.body = body.dump();
  return r;
}

Result<Response> import(const Request& req, Service& service, const identity::Principal& by) {
  const std::string type = req.header("content-type");
  if (type.rfind("text/csv", 0) != 0) {
    return fail(ErrorCode::unsupported_media, "", "请以text/csv提交",
                "send the certificates as text/csv");
  }
  auto report = service.import_csv(req.body, by);
  if (!report) return fail(report.error());
  if (!report->row_errors.empty()) return import_problem(*report, req);
  return http::ok({{"imported", report->imported}});
}

// Departments use a certificate only with a stated cause; the copy they get is annotated.
Result<Json> get_or_use(const Request& req, const PathParams& p, Service& service,
                        const identity::Principal& by) {
  const std::string& id = p.at("identifier");
  if (by.is_official()) {
    return service
        .use(id, req.query_param("use_cause").value_or(""), by,
             req.query_param("matter").value_or(""))
        .map(annotated_json);
  }
  return service.get(id, by).map([](const Certificate& c) { return cert_json(c, true); });
}

struct StatusChange {
  CertificateStatus to;
  std::string reason;
};

Result<StatusChange> parse_status_change(const Request& req) {
  http::ObjectReader r(req);
  std::string status = r.required_string("status", 20);
  std::string reason = r.required_string("reason", 2000);
  if (auto st = r.finish(); !st) return fail(st.error());
  auto to = parse_status(status);
  if (!to) {
    return fail(ErrorCode::invalid_input, "/status", "状态应为valid、suspended或revoked",
                "status must be valid, suspended or revoked");
  }
  return StatusChange{*to, std::move(reason)};
}

struct Presenting {
  std::vector<std::string> claims;
  std::string verifier;
  std::string purpose;
};

Result<Presenting> parse_presenting(const Request& req) {
  http::ObjectReader r(req);
  Presenting out;
  std::optional<Json> list = r.optional_array("claims");
  out.verifier = r.required_string("verifier", 1000);
  out.purpose = r.required_string("purpose", 2000);
  if (auto st = r.finish(); !st) return fail(st.error());
  if (list) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      if (!(*list)[i].is_string()) {
        return fail(ErrorCode::invalid_input, "/claims/" + std::to_string(i), "应为字符串",
                    "must be a string");
      }
      out.claims.push_back((*list)[i].get<std::string>());
    }
  }
  return out;
}

Result<Response> present(const Request& req, const PathParams& p, Service& service,
                         const identity::Principal& by) {
  auto in = parse_presenting(req);
  if (!in) return fail(in.error());
  return service.present(p.at("identifier"), in->claims, in->verifier, in->purpose, by)
      .map([&](const std::string& presentation) {
        Json out{{"identifier", p.at("identifier")},
                 {"claims", in->claims},
                 {"verifier", in->verifier},
                 {"purpose", in->purpose},
                 {"presentation", presentation}};
        // For a verifier to scan from the holder's phone; absent when it does not fit.
        if (auto svg = detail::qr_svg(presentation)) out["qr_svg"] = *svg;
        return http::created(out);
      });
}

Result<CertificateType> parse_type(const Request& req, const PathParams& p) {
  auto body = http::parse_object(req);
  if (!body) return fail(body.error());
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
  if (auto st = r.finish(); !st) return fail(st.error());
  if (t.code != p.at("code")) {
    return fail(ErrorCode::invalid_input, "/code", "类型代码与地址不一致",
                "code differs from the one in the path");
  }
  return t;
}

Result<std::string> parse_presentation(const Request& req) {
  http::ObjectReader r(req);
  std::string presentation = r.required_string("presentation", 200000);
  if (auto st = r.finish(); !st) return fail(st.error());
  return presentation;
}

Result<std::string> item_code_param(const Request& req) {
  auto item = req.query_param("item_code");
  if (!item || item->empty()) {
    return fail(ErrorCode::invalid_input, "/item_code", "请指定事项编码", "item_code is required");
  }
  return *item;
}

// Issuer metadata and status lists, read by verifiers outside the platform.
void register_issuer_routes(identity::Routes& api, Service& service) {
  api.open("GET", "/.well-known/jwt-vc-issuer", [&](const Request&, const PathParams&) {
    return Result<Response>(text_response("application/json", service.issuer_metadata_json()));
  });
  api.open("GET", "/.well-known/jwt-vc-issuer/issuers/{dept}",
           [&](const Request&, const PathParams& p) {
             return service.issuer_metadata_json(p.at("dept")).map([](std::string meta) {
               return text_response("application/json", std::move(meta));
             });
           });
  api.open("GET", "/api/v1/status-lists/{id}", [&](const Request&, const PathParams& p) {
    return service.status_list(p.at("id")).map([](std::string jwt) {
      Response r = text_response("application/statuslist+jwt", std::move(jwt));
      r.headers.emplace_back("Cache-Control", "no-cache");
      return r;
    });
  });
  api.open("POST", "/api/v1/presentations/verify", [&](const Request& req, const PathParams&) {
    return parse_presentation(req)
        .and_then([&](const std::string& presentation) {
          return service.verify_presentation(presentation);
        })
        .map(verification_json);
  });
}

// The built-in pages: the page the printed QR code opens (it reads the public record) and the
// holder's wallet (everything it shows comes from the authenticated API).
void register_pages(http::Router& router) {
  router.add_asset("/verify/certificates/{identifier}", generated::certificate_verify_html,
                   "text/html; charset=utf-8");
  router.add_asset("/verify/certificate.js", generated::certificate_verify_js,
                   "text/javascript; charset=utf-8");
  router.add_asset("/wallet", generated::wallet_html, "text/html; charset=utf-8");
  router.add_asset("/wallet/app.js", generated::wallet_js, "text/javascript; charset=utf-8");
}

}  // namespace

void register_routes(http::Router& router, Service& service, identity::Service& identity) {
  identity::Routes api(router, identity);
  using identity::Principal;
  register_issuer_routes(api, service);

  api.open("GET", "/api/v1/certificate-types", [&](const Request&, const PathParams&) {
    return service.types().map([](const std::vector<CertificateType>& types) {
      return Json{{"items", http::array_of(types, type_json)}};
    });
  });
  api.add_if("PUT", "/api/v1/certificate-types/{code}", identity::system_admin_only,
          [&](const Request& req, const PathParams& p, const Principal& by) {
            return parse_type(req, p)
                .and_then([&](const CertificateType& t) { return service.put_type(t, by); })
                .map(type_json);
          });
  api.add_if("POST", "/api/v1/certificates", &Service::may_issue,
          [&](const Request& req, const PathParams&, const Principal& by) {
            return parse_new_certificate(req)
                .and_then([&](const NewCertificate& in) { return service.issue(in, by); })
                .map([](const Certificate& c) {
                  return http::created(cert_json(c, true), "/api/v1/certificates/" + c.identifier);
                });
          });
  api.add_if("POST", "/api/v1/certificates/import", &Service::may_issue,
          [&](const Request& req, const PathParams&, const Principal& by) {
            return import(req, service, by);
          });
  api.add("GET", "/api/v1/certificates/{identifier}",
          [&](const Request& req, const PathParams& p, const Principal& by) {
            return get_or_use(req, p, service, by);
          });
  api.add_if("POST", "/api/v1/certificates/{identifier}/status",
          [&](const Principal& by, const PathParams& p) {
            return service.may_change_status(p.at("identifier"), by);
          },
          [&](const Request& req, const PathParams& p, const Principal& by) {
            return parse_status_change(req)
                .and_then([&](const StatusChange& s) {
                  return service.change_status(p.at("identifier"), s.to, s.reason, by);
                })
                .map([](const Certificate& c) { return cert_json(c, false); });
          });
  // What the printed QR code leads to: public, without holder data.
  api.open("GET", "/api/v1/certificates/{identifier}/verification",
           [&](const Request&, const PathParams& p) {
             return service.public_record(p.at("identifier")).map(public_record_json);
           });
  api.add("GET", "/api/v1/certificates/{identifier}/pdf",
          [&](const Request&, const PathParams& p, const Principal& by) {
            return service.pdf(p.at("identifier"), by).map([](std::string pdf) {
              Response r = text_response("application/pdf", std::move(pdf));
              r.headers.emplace_back("Content-Disposition", "inline; filename=\"certificate.pdf\"");
              return r;
            });
          });
  api.add("GET", "/api/v1/wallet/matches",
          [&](const Request& req, const PathParams&, const Principal& by) -> Result<Json> {
            auto item = item_code_param(req);
            if (!item) return fail(item.error());
            return service.matches(*item, by).map(
                [&](const std::vector<Service::MaterialMatch>& found) {
                  return matches_json(*item, found);
                });
          });
  api.add("GET", "/api/v1/wallet/certificates",
          [&](const Request&, const PathParams&, const Principal& by) {
            return service.wallet(by).map([](const std::vector<Certificate>& list) {
              return Json{{"items", http::array_of(list, [](const Certificate& c) {
                             return cert_json(c, true);
                           })}};
            });
          });
  // The holder's data-use record: which department used which of their certificates, for what.
  api.add("GET", "/api/v1/wallet/uses",
          [&](const Request&, const PathParams&, const Principal& by) {
            return service.uses(by).map([](const std::vector<UseRecord>& list) {
              return Json{{"uses", http::array_of(list, [](const UseRecord& u) {
                             return Json{{"identifier", u.identifier},
                                         {"type_name", u.type_name},
                                         {"used_by_dept", u.used_by_dept},
                                         {"use_cause", u.use_cause},
                                         {"matter", u.matter},
                                         {"supervisory", u.supervisory},
                                         {"used_at", core::format_instant(u.used_at_ms)}};
                           })}};
            });
          });
  api.add_if("POST", "/api/v1/wallet/certificates/{identifier}/presentations",
          [&](const Principal& by, const PathParams& p) -> Status {
            if (auto st = identity::public_members_only(by); !st) return st;
            return service.may_present(p.at("identifier"), by);
          },
          [&](const Request& req, const PathParams& p, const Principal& by) {
            return present(req, p, service, by);
          });
  register_pages(router);
}

}  // namespace yiwang::certificates
