// Private to the Open311 module: the GeoReport v2 wire formats that routes.cpp speaks — POST bodies
// (form-encoded or JSON) and query strings in, XML out. Pure functions over http::Request, apart
// from the routes so that they can be driven without a store (fuzz/open311_fuzz.cpp does).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "http/http.h"
#include "open311/open311.h"

namespace yiwang::open311::detail {

using Json = nlohmann::ordered_json;

// invalid_input with the Open311 parameter name as field.
Error invalid(std::string field, std::string zh, std::string en);

// Parameters of a POST body, form-encoded (the spec) or a JSON object of strings and numbers.
// invalid_input for a malformed body or a parameter given twice; unsupported_media otherwise.
Result<std::map<std::string, std::string>> post_params(const http::Request& req);
// The request a POST body asks for (api_key may also come in the query). invalid_input naming
// the parameter: unknown ones, attributes, lat/long that are not decimal degrees.
Result<RequestInput> request_input(const http::Request& req);
// The filters of GET requests: known parameters once each, ISO 8601 dates, status open/closed.
Result<RequestQuery> request_query(const http::Request& req);

// A JSON value as the spec's XML: objects become elements, array items take the singular name
// ("services" → <service>), scalars are escaped text.
std::string to_xml(std::string_view root, const Json& v);

}  // namespace yiwang::open311::detail
