// Open311 GeoReport v2 bodies and queries (src/open311/internal.h): POST /requests bodies,
// form-encoded or JSON, with the api_key also allowed in the query; GET /requests filters with
// ISO 8601 dates; and the XML the answers are written in.
//
// Input: the first byte picks the Content-Type (form, JSON, JSON with parameters, another type),
// then "<query>\n<body>". Checks: a parsed request's lat/long are finite; a date filter survives
// format_datetime → parse_datetime to the second; every answer the routes would write, as XML,
// has balanced elements and no character XML 1.0 forbids.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "open311/internal.h"

namespace yiwang {
namespace {

using open311::detail::Json;

// The XML of an answer: after the declaration, elements that nest properly, and text without the
// C0 controls XML 1.0 forbids (xml_escape drops them) or a raw '<' / '&' outside markup.
void check_xml(const std::string& xml) {
  auto decl_end = xml.find("?>\n");
  fuzz::check(xml.starts_with("<?xml") && decl_end != std::string::npos, "an XML declaration");
  std::vector<std::string> open;
  for (std::size_t i = decl_end + 3; i < xml.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(xml[i]);
    fuzz::check(c >= 0x20 || c == '\t' || c == '\n' || c == '\r', "no forbidden control");
    if (c == '&') {
      auto semi = xml.find(';', i);
      fuzz::check(semi != std::string::npos && semi - i <= 6, "'&' starts a reference");
    } else if (c == '<') {
      auto close = xml.find('>', i);
      fuzz::check(close != std::string::npos, "a tag ends");
      std::string name = xml.substr(i + 1, close - i - 1);
      if (!name.empty() && name[0] == '/') {
        fuzz::check(!open.empty() && open.back() == name.substr(1), "elements nest properly");
        open.pop_back();
      } else {
        fuzz::check(!name.empty() && name.find_first_of("<&\"' ") == std::string::npos,
                    "an element name");
        open.push_back(name);
      }
      i = close;
    } else if (c == '>') {
      fuzz::check(false, "no raw '>' in text");
    }
  }
  fuzz::check(open.empty(), "every element is closed");
}

}  // namespace
}  // namespace yiwang

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace yiwang;
  if (size < 1) return 0;
  static const char* const kTypes[] = {
      "application/x-www-form-urlencoded", "application/json; charset=utf-8",
      "Application/X-WWW-Form-Urlencoded ; charset=utf-8", "text/plain"};
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  auto nl = rest.find('\n');
  std::string query(rest.substr(0, nl));
  std::string body(nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1));

  http::Request request;
  request.method = "POST";
  request.headers["content-type"] = kTypes[data[0] % 4];
  request.body = body;
  if (!http::set_target(request, "/open311/v2/requests.xml?" + query)) return 0;

  Json answer = Json::array();
  if (auto in = open311::detail::request_input(request)) {
    for (auto coordinate : {in->lat, in->lon}) {
      fuzz::check(!coordinate || std::isfinite(*coordinate), "coordinates are finite");
    }
    answer.push_back({{"service_request_id", in->service_code},
                      {"token", in->api_key},
                      {"service_notice", in->description},
                      {"address", in->address_string},
                      {"media_url", in->media_url},
                      {"lat", in->lat ? Json(*in->lat) : Json()},
                      {"long", in->lon ? Json(*in->lon) : Json()}});
  } else {
    fuzz::check(!in.error().message_en.empty(), "a refusal says why");
    answer.push_back({{"code", 400},
                      {"description", in.error().message_zh + " / " + in.error().message_en},
                      {"field", in.error().field}});
  }
  check_xml(open311::detail::to_xml("service_requests", answer));

  if (auto q = open311::detail::request_query(request)) {
    for (auto t : {q->start_ms, q->end_ms}) {
      if (!t) continue;
      auto again = open311::parse_datetime(open311::format_datetime(*t));
      fuzz::check(again.has_value(), "a formatted date-time parses");
      fuzz::check(*again == *t - ((*t % 1000) + 1000) % 1000, "a date-time survives to the second");
    }
    Json ids = Json::array();
    for (const auto& id : q->ids) ids.push_back(id);
    check_xml(open311::detail::to_xml("service_requests",
                                      {{"ids", ids}, {"service_code", q->service_code}}));
  }
  return 0;
}
