// Open311 GeoReport v2 routes: parse (form or JSON), call one service function, write JSON or XML.
// Errors use the spec's format, [{"code": <HTTP status>, "description": "…"}] / <errors>, not
// RFC 9457, because Open311 clients parse that: each handler answers with a response in either
// case. The routes are open to anyone (the route helper's `open`); a request's API key is the
// service's check.
#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "identity/routes.h"
#include "open311/open311.h"

namespace yiwang::open311 {

namespace {

using http::PathParams;
using http::Request;
using http::Response;
using Json = nlohmann::ordered_json;

constexpr const char* kBase = "/open311/v2";
constexpr const char* kSpecification = "http://wiki.open311.org/GeoReport_v2";

enum class Format { json, xml };

// ---- XML ----------------------------------------------------------------------------------------

void xml_escape(std::string& out, std::string_view text) {
  for (unsigned char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 forbids most C0 controls even as references; input is validated, so drop.
        if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') out += static_cast<char>(c);
    }
  }
}

// The element name of an array's items, as the spec's XML examples name them.
std::string_view item_name(std::string_view array_name) {
  static const std::map<std::string_view, std::string_view> names = {
      {"endpoints", "endpoint"}, {"formats", "format"},   {"attributes", "attribute"},
      {"values", "value"},       {"services", "service"}, {"service_requests", "request"},
      {"errors", "error"}};
  auto it = names.find(array_name);
  return it != names.end() ? it->second : "item";
}

void xml_element(std::string& out, std::string_view name, const Json& v) {
  out += '<';
  out += name;
  out += '>';
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) xml_element(out, it.key(), it.value());
  } else if (v.is_array()) {
    for (const auto& item : v) xml_element(out, item_name(name), item);
  } else if (v.is_string()) {
    xml_escape(out, v.get_ref<const std::string&>());
  } else if (!v.is_null()) {
    xml_escape(out, v.dump());
  }
  out += "</";
  out += name;
  out += '>';
}

std::string to_xml(std::string_view root, const Json& v) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml_element(out, root, v);
  out += '\n';
  return out;
}

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

Error invalid(std::string field, std::string zh, std::string en) {
  return Error{ErrorCode::invalid_input, std::move(field), std::move(zh), std::move(en)};
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

// Parameters of a POST body, form-encoded (the spec) or a JSON object of strings and numbers.
Result<std::map<std::string, std::string>> post_params(const Request& req) {
  std::string type = req.header("content-type");
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  for (auto& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::map<std::string, std::string> out;
  auto put = [&](std::string k, std::string v) -> Status {
    if (!out.emplace(k, std::move(v)).second) {
      return tl::unexpected(invalid(k, "参数重复：" + k, "parameter given twice: " + k));
    }
    return {};
  };
  if (type == "application/x-www-form-urlencoded") {
    std::string_view rest = req.body;
    while (!rest.empty()) {
      auto amp = rest.find('&');
      std::string_view pair = rest.substr(0, amp);
      rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
      if (pair.empty()) continue;
      auto eq = pair.find('=');
      auto k = http::percent_decode(pair.substr(0, eq), true);
      auto v = http::percent_decode(
          eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
      if (!k || !v) {
        return tl::unexpected(invalid("", "表单编码有误", "malformed form encoding"));
      }
      if (auto s = put(*k, *v); !s) return tl::unexpected(s.error());
    }
    return out;
  }
  if (type == "application/json") {
    // The platform's strict reader: size and depth limits, one object, no repeated member.
    auto j = http::parse_object(req);
    if (!j) {
      Error e = j.error();
      if (!e.field.empty() && e.field.front() == '/') e.field.erase(0, 1);  // Open311 names
      return tl::unexpected(std::move(e));
    }
    for (auto it = j->begin(); it != j->end(); ++it) {
      const Json& v = it.value();
      if (v.is_string()) {
        out[it.key()] = v.get<std::string>();
      } else if (v.is_number()) {
        out[it.key()] = v.dump();
      } else if (!v.is_null()) {
        return tl::unexpected(invalid(it.key(), "参数须为字符串或数字：" + it.key(),
                                      "parameter must be a string or a number: " + it.key()));
      }
    }
    return out;
  }
  return tl::unexpected(Error{ErrorCode::unsupported_media, "",
                              "请以 application/x-www-form-urlencoded 或 JSON 提交",
                              "send application/x-www-form-urlencoded or application/json"});
}

Result<RequestInput> request_input(const Request& req) {
  auto params = post_params(req);
  if (!params) return tl::unexpected(params.error());
  auto& p = *params;
  if (!p.count("api_key")) {
    if (auto q = req.query_param("api_key")) p["api_key"] = *q;  // some clients send it there
  }
  RequestInput in;
  std::map<std::string, std::string*> strings = {{"api_key", &in.api_key},
                                                 {"service_code", &in.service_code},
                                                 {"address_string", &in.address_string},
                                                 {"description", &in.description},
                                                 {"media_url", &in.media_url},
                                                 {"email", &in.email},
                                                 {"first_name", &in.first_name},
                                                 {"last_name", &in.last_name},
                                                 {"phone", &in.phone},
                                                 {"device_id", &in.device_id},
                                                 {"account_id", &in.account_id}};
  for (const auto& [k, v] : p) {
    if (auto it = strings.find(k); it != strings.end()) {
      *it->second = v;
    } else if (k == "lat" || k == "long") {
      double d = 0;
      std::size_t used = 0;
      bool ok = !v.empty() && v.size() <= 32 &&
                v.find_first_not_of("0123456789+-.eE") == std::string::npos;
      try {
        if (ok) d = std::stod(v, &used);
      } catch (const std::exception&) {
        ok = false;
      }
      if (!ok || used != v.size()) {
        return tl::unexpected(invalid(k, k + " 须为十进制度数", k + " must be decimal degrees"));
      }
      (k == "lat" ? in.lat : in.lon) = d;
    } else if (k == "jurisdiction_id") {
      // One jurisdiction per server: accepted and ignored, as the spec allows.
    } else if (k.rfind("attribute[", 0) == 0) {
      return tl::unexpected(invalid(k, "该服务没有附加属性", "this service has no attributes"));
    } else {
      return tl::unexpected(invalid(k, "未知参数：" + k, "unknown parameter: " + k));
    }
  }
  return in;
}

Result<RequestQuery> request_query(const Request& req) {
  static const std::set<std::string, std::less<>> known = {
      "service_request_id", "service_code", "start_date", "end_date", "status",
      "jurisdiction_id",    "api_key"};
  std::set<std::string> seen;
  for (const auto& [k, v] : req.query) {
    if (!known.count(k)) {
      return tl::unexpected(invalid(k, "未知参数：" + k, "unknown parameter: " + k));
    }
    if (!seen.insert(k).second) {
      return tl::unexpected(invalid(k, "参数重复：" + k, "parameter given twice: " + k));
    }
  }
  RequestQuery q;
  if (auto ids = req.query_param("service_request_id")) {
    std::string_view rest = *ids;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      std::string id(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      while (!id.empty() && id.front() == ' ') id.erase(0, 1);
      while (!id.empty() && id.back() == ' ') id.pop_back();
      if (!id.empty()) q.ids.push_back(id);
    }
    if (q.ids.empty()) {
      return tl::unexpected(
          invalid("service_request_id", "service_request_id 为空", "service_request_id is empty"));
    }
  }
  if (auto c = req.query_param("service_code")) q.service_code = *c;
  for (auto [name, slot] :
       {std::pair{"start_date", &q.start_ms}, std::pair{"end_date", &q.end_ms}}) {
    if (auto v = req.query_param(name)) {
      auto t = parse_datetime(*v);
      if (!t) {
        return tl::unexpected(invalid(name, std::string(name) + " 须为带时区的 ISO 8601 时间",
                                      std::string(name) + " must be ISO 8601 with a time zone"));
      }
      *slot = *t;
    }
  }
  if (auto s = req.query_param("status")) {
    bool open = false, closed = false;
    std::string_view rest = *s;
    while (!rest.empty() || (!open && !closed)) {
      auto comma = rest.find(',');
      std::string_view one = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      if (one == "open")
        open = true;
      else if (one == "closed")
        closed = true;
      else {
        return tl::unexpected(
            invalid("status", "status 须为 open 或 closed", "status must be open or closed"));
      }
    }
    if (open != closed) q.open = open;
  }
  return q;
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
    auto [code, fmt] = *split;
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
    auto [id, fmt] = *split;
    return answer(fmt, only_jurisdiction(req).and_then([&] { return service.request(id); }),
                  [&](const ServiceRequest& r) {
                    return respond(fmt, 200, "service_requests", Json::array({request_json(r)}));
                  });
  });

  api.open("GET", base + "/tokens/{file}", [&service](const Request&, const PathParams& p) {
    auto split = split_format(p.at("file"));
    if (!split) return Result<Response>(error(Format::json, unknown_format()));
    auto [token, fmt] = *split;
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
