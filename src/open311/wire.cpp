// The GeoReport v2 wire formats (internal.h): POST bodies and query strings in, XML out, and the
// spec's date-times (open311.h).
#include <cctype>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "http/json_api.h"
#include "open311/internal.h"

namespace yiwang::open311 {

namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// Reads exactly `n` digits at s[i].
bool digits(std::string_view s, std::size_t& i, std::size_t n, int& out) {
  if (i + n > s.size()) return false;
  out = 0;
  for (std::size_t k = 0; k < n; ++k) {
    char c = s[i + k];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  i += n;
  return true;
}

}  // namespace

std::optional<core::Millis> parse_datetime(std::string_view s) {
  std::size_t i = 0;
  int y, mo, d;
  if (!digits(s, i, 4, y) || i >= s.size() || s[i++] != '-' || !digits(s, i, 2, mo) ||
      i >= s.size() || s[i++] != '-' || !digits(s, i, 2, d)) {
    return std::nullopt;
  }
  core::Date date{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(mo)},
                  std::chrono::day{static_cast<unsigned>(d)}};
  if (!date.ok()) return std::nullopt;
  if (i == s.size()) return core::china_midnight(date);
  if (s[i] != 'T' && s[i] != 't') return std::nullopt;
  ++i;
  int h, mi, sec = 0;
  if (!digits(s, i, 2, h) || i >= s.size() || s[i++] != ':' || !digits(s, i, 2, mi)) {
    return std::nullopt;
  }
  std::int64_t ms = 0;
  if (i < s.size() && s[i] == ':') {
    ++i;
    if (!digits(s, i, 2, sec)) return std::nullopt;
    if (i < s.size() && s[i] == '.') {
      ++i;
      std::size_t start = i, scale = 100;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        if (scale > 0) ms += (s[i] - '0') * static_cast<std::int64_t>(scale);
        scale /= 10;
        ++i;
      }
      if (i == start || i - start > 9) return std::nullopt;
    }
  }
  if (h > 23 || mi > 59 || sec > 59) return std::nullopt;
  if (i >= s.size()) return std::nullopt;  // the spec requires a time zone
  std::int64_t offset_min = 0;
  if (s[i] == 'Z' || s[i] == 'z') {
    ++i;
  } else if (s[i] == '+' || s[i] == '-') {
    int sign = s[i++] == '-' ? -1 : 1;
    int oh, om;
    if (!digits(s, i, 2, oh)) return std::nullopt;
    if (i < s.size() && s[i] == ':') ++i;
    if (!digits(s, i, 2, om) || oh > 23 || om > 59) return std::nullopt;
    offset_min = sign * (oh * 60 + om);
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  return static_cast<core::Millis>(core::days_from_epoch(date)) * core::kDayMs +
         ((h * 60 + mi - offset_min) * 60 + sec) * 1000LL + ms;
}

std::string format_datetime(core::Millis t) {
  const core::Millis local = t + core::kChinaOffsetMs;
  const std::int64_t days = floor_div(local, core::kDayMs);
  const std::int64_t secs = (local - days * core::kDayMs) / 1000;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02d+08:00",
                core::format_date(core::date_from_days(static_cast<std::int32_t>(days))).c_str(),
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                static_cast<int>(secs % 60));
  return buf;
}

namespace detail {

namespace {

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

}  // namespace

std::string to_xml(std::string_view root, const Json& v) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml_element(out, root, v);
  out += '\n';
  return out;
}

Error invalid(std::string field, std::string zh, std::string en) {
  return Error{ErrorCode::invalid_input, std::move(field), std::move(zh), std::move(en)};
}

Result<std::map<std::string, std::string>> post_params(const http::Request& req) {
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

Result<RequestInput> request_input(const http::Request& req) {
  auto params = post_params(req);
  if (!params) return tl::unexpected(params.error());
  auto& p = *params;
  if (!p.count("api_key")) {
    if (auto q = req.query_param("api_key")) p["api_key"] = *q;  // some clients send it there
  }
  RequestInput in;
  in.remote_address = req.remote_address;
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

Result<RequestQuery> request_query(const http::Request& req) {
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

}  // namespace detail

}  // namespace yiwang::open311
