// Open311 GeoReport v2 routes: parse (form or JSON), call one service function, write JSON or XML.
// Errors use the spec's format, [{"code": <HTTP status>, "description": "…"}] / <errors>, not
// RFC 9457, because Open311 clients parse that: each handler answers with a response in either
// case. The routes are open to anyone (the route helper's `open`); a request's API key is the
// service's check.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "identity/routes.h"
#include "open311/internal.h"
#include "open311/open311.h"

namespace yiwang::open311 {

namespace {

using detail::invalid;
using detail::Json;
using detail::request_input;
using detail::request_query;
using detail::to_xml;
using http::PathParams;
using http::Request;
using http::Response;

constexpr const char* kBase = "/open311/v2";
constexpr const char* kSpecification = "http://wiki.open311.org/GeoReport_v2";

enum class Format { json, xml };

// ---- Answers ------------------------------------------------------------------------------------

Response respond(Format f, int status, std::string_view xml_root, const Json& body) {
  Response r;
  r.status = status;
  if (f == Format::xml) {
    r.content_type = "text/xml; charset=utf-8";
    r.body = to_xml(xml_root, body);
  } else {
    r.content_type = "application/json; charset=utf-8";
    r.body = body.dump();
  }
  return r;
}

int status_of(ErrorCode c) {
  switch (c) {
    case ErrorCode::invalid_input:
      return 400;
    case ErrorCode::unauthenticated:
      return 401;
    case ErrorCode::forbidden:
      return 403;
    case ErrorCode::not_found:
      return 404;
    case ErrorCode::conflict:
      return 409;
    case ErrorCode::too_large:
      return 413;
    case ErrorCode::unsupported_media:
      return 415;
    case ErrorCode::unprocessable:
      return 422;
    case ErrorCode::locked:
      return 423;
    case ErrorCode::rate_limited:
      return 429;
    case ErrorCode::overloaded:
      return 503;
    case ErrorCode::internal:
      return 500;
  }
  return 500;
}

Response error(Format f, const Error& e) {
  const int status = status_of(e.code);
  Json item = Json::object();
  item["code"] = status;
  item["description"] = e.code == ErrorCode::internal ? std::string("内部错误 / internal error")
                                                      : e.message_zh + " / " + e.message_en;
  if (!e.field.empty()) item["field"] = e.field;  // an extension: which parameter
  Response r = respond(f, status, "errors", Json::array({item}));
  if (e.retry_after_s > 0) r.headers.emplace_back("Retry-After", std::to_string(e.retry_after_s));
  return r;
}

// "{name}.json" / "{name}.xml" → name and format.
std::optional<std::pair<std::string, Format>> split_format(const std::string& file) {
  for (auto [ext, f] : {std::pair{".json", Format::json}, std::pair{".xml", Format::xml}}) {
    std::string_view e(ext);
    if (file.size() > e.size() && file.compare(file.size() - e.size(), e.size(), e) == 0) {
      return std::pair{file.substr(0, file.size() - e.size()), f};
    }
  }
  return std::nullopt;
}

Error unknown_format() {
  return Error{ErrorCode::not_found, "", "不支持的格式（.json 或 .xml）",
               "unknown format: use .json or .xml"};
}

// ---- Bodies
// --------------------------------------------------------------------------------------

std::string media_prefix_url(const Options& o) {
  return o.base_url.empty() ? kBase : o.base_url;
}

Json request_json(const ServiceRequest& r) {
  Json j = Json::object();
  j["service_request_id"] = r.service_request_id;
  j["status"] = r.status;
  j["status_notes"] = r.status_notes;
  j["service_name"] = r.service_name;
  j["service_code"] = r.service_code;
  j["description"] = r.description;
  j["agency_responsible"] = r.agency_responsible;
  j["service_notice"] = r.service_notice;
  j["requested_datetime"] = format_datetime(r.requested_at_ms);
  j["updated_datetime"] = format_datetime(r.updated_at_ms);
  j["expected_datetime"] = r.expected_at_ms ? Json(format_datetime(*r.expected_at_ms)) : Json();
  j["address"] = r.address;
  j["address_id"] = nullptr;
  j["zipcode"] = nullptr;
  j["lat"] = r.lat;
  j["long"] = r.lon;
  j["media_url"] = r.media_url.empty() ? Json() : Json(r.media_url);
  return j;
}

Json service_json(const ServiceType& s) {
  Json j = Json::object();
  j["service_code"] = s.code;
  j["service_name"] = s.name;
  j["description"] = s.description;
  j["metadata"] = false;
  j["type"] = "realtime";
  j["keywords"] = s.keywords;
  j["group"] = s.group;
  return j;
}

// The Open311 answer of a result: `ok(value)` in the format asked for, or the error in Open311's
// own format; either way a response.
template <class T, class F>
Result<Response> answer(Format fmt, const Result<T>& r, F&& ok) {
  if (!r) return error(fmt, r.error());
  return ok(*r);
}

Json discovery_json(const Options& o) {
  Json endpoint = Json::object();
  endpoint["specification"] = kSpecification;
  endpoint["url"] = media_prefix_url(o);
  endpoint["changeset"] = o.changeset;
  endpoint["type"] = "production";
  endpoint["formats"] = Json::array({"application/json", "text/xml"});
  Json d = Json::object();
  d["changeset"] = o.changeset;
  d["contact"] = o.contact;
  d["key_service"] = o.key_service;
  d["endpoints"] = Json::array({endpoint});
  return d;
}

// The POST reply: the new request's id and token, with its Location.
Response receipt_response(Format fmt, const Receipt& receipt, const Options& o) {
  Json item = Json::object();
  item["service_request_id"] = receipt.service_request_id;
  item["token"] = receipt.token;
  item["service_notice"] = receipt.service_notice;
  item["account_id"] = nullptr;
  Response r = respond(fmt, 201, "service_requests", Json::array({item}));
  r.headers.emplace_back("Location", media_prefix_url(o) + "/requests/" +
                                         receipt.service_request_id + "." +
                                         (fmt == Format::xml ? "xml" : "json"));
  return r;
}

// GET requests/{id}.{fmt} takes no parameter but jurisdiction_id.
Status only_jurisdiction(const Request& req) {
  for (const auto& [k, v] : req.query) {
    if (k != "jurisdiction_id") {
      return tl::unexpected(invalid(k, "未知参数：" + k, "unknown parameter: " + k));
    }
  }
  return {};
}

// discovery, services, requests (GET and POST) in format `fmt`.
void format_routes(identity::Routes& api, Service& service, const std::string& ext, Format fmt) {
  const std::string base = kBase;
  api.open("GET", base + "/discovery." + ext, [&service, fmt](const Request&, const PathParams&) {
    return Result<Response>(respond(fmt, 200, "discovery", discovery_json(service.options())));
  });

  api.open("GET", base + "/services." + ext, [&service, fmt](const Request&, const PathParams&) {
    return answer(fmt, service.services(), [&](const std::vector<ServiceType>& all) {
      Json list = Json::array();
      for (const auto& s : all) list.push_back(service_json(s));
      return respond(fmt, 200, "services", list);
    });
  });

  api.open(
      "GET", base + "/requests." + ext, [&service, fmt](const Request& req, const PathParams&) {
        auto list =
            request_query(req).and_then([&](const RequestQuery& q) { return service.requests(q); });
        return answer(fmt, list, [&](const std::vector<ServiceRequest>& found) {
          Json out = Json::array();
          for (const auto& r : found) out.push_back(request_json(r));
          return respond(fmt, 200, "service_requests", out);
        });
      });

  api.open(
      "POST", base + "/requests." + ext, [&service, fmt](const Request& req, const PathParams&) {
        auto receipt =
            request_input(req).and_then([&](const RequestInput& in) { return service.submit(in); });
        return answer(fmt, receipt, [&](const Receipt& r) {
          return receipt_response(fmt, r, service.options());
        });
      });
}

// services/{code}.{fmt}, requests/{id}.{fmt}, tokens/{token}.{fmt}: the format from the path (an
// unknown extension is a JSON 404).
void item_routes(identity::Routes& api, Service& service) {
  const std::string base = kBase;
  api.open("GET", base + "/services/{file}", [&service](const Request&, const PathParams& p) {
    auto split = split_format(p.at("file"));
    if (!split) return Result<Response>(error(Format::json, unknown_format()));
    // Plain variables, not a structured binding: lambdas capture them (clang 14 cannot).
    const std::string code = split->first;
    const Format fmt = split->second;
    return answer(fmt, service.service(code), [&](const ServiceType& s) {
      Json d = Json::object();
      d["service_code"] = s.code;
      d["attributes"] = Json::array();
      return respond(fmt, 200, "service_definition", d);
    });
  });

  api.open("GET", base + "/requests/{file}", [&service](const Request& req, const PathParams& p) {
    auto split = split_format(p.at("file"));
    if (!split) return Result<Response>(error(Format::json, unknown_format()));
    const std::string id = split->first;
    const Format fmt = split->second;
    return answer(fmt, only_jurisdiction(req).and_then([&] { return service.request(id); }),
                  [&](const ServiceRequest& r) {
                    return respond(fmt, 200, "service_requests", Json::array({request_json(r)}));
                  });
  });

  api.open("GET", base + "/tokens/{file}", [&service](const Request&, const PathParams& p) {
    auto split = split_format(p.at("file"));
    if (!split) return Result<Response>(error(Format::json, unknown_format()));
    const std::string token = split->first;
    const Format fmt = split->second;
    return answer(fmt, service.resolve_token(token), [&](const std::string& id) {
      Json item = Json::object();
      item["service_request_id"] = id;
      item["token"] = token;
      return respond(fmt, 200, "service_requests", Json::array({item}));
    });
  });
}

}  // namespace

void register_routes(http::Router& router, Service& service, identity::Service& identity) {
  identity::Routes api(router, identity);
  format_routes(api, service, "json", Format::json);
  format_routes(api, service, "xml", Format::xml);
  item_routes(api, service);
}

}  // namespace yiwang::open311
