// Helpers for JSON route handlers. Include only from routes.cpp files (it pulls in nlohmann/json).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/result.h"
#include "http/http.h"

namespace yiwang::http {

using Json = nlohmann::json;

Response json_response(int status, const Json& body);
Response ok(const Json& body);
Response created(const Json& body, std::string location = "");
Response no_content();
inline Response error_response(const Error& e, const Request& r) {
  return problem(e, r);
}

// Parses the body as one JSON object. Errors: unsupported_media unless Content-Type is JSON,
// invalid_input for malformed JSON or a non-object, with field "" and a precise message.
Result<Json> parse_object(const Request& request);

// Reads fields of a JSON object strictly: wrong types and missing required fields are
// invalid_input errors with the field path; `finish()` reports any field that was never read
// (unknown fields are an error, so typos do not pass silently). Stops at the first error.
class ObjectReader {
 public:
  ObjectReader(const Json& object, std::string path = "");
  // Reads the body of `request`, parsed as by parse_object(): a body that is not one JSON object
  // (or not JSON at all) is the reader's first error — finish() reports it and reads before that
  // return nothing — so a route's parser is one reader from its first line to finish().
  explicit ObjectReader(const Request& request);
  ObjectReader(const ObjectReader&) = delete;
  ObjectReader& operator=(const ObjectReader&) = delete;

  std::string required_string(std::string_view key, std::size_t max_len = 10000);
  std::optional<std::string> optional_string(std::string_view key, std::size_t max_len = 10000);
  std::int64_t required_int(std::string_view key, std::int64_t min, std::int64_t max);
  std::optional<std::int64_t> optional_int(std::string_view key, std::int64_t min,
                                           std::int64_t max);
  std::optional<bool> optional_bool(std::string_view key);
  std::optional<Json> optional_object(std::string_view key);
  std::optional<Json> optional_array(std::string_view key);
  std::optional<Json> optional_any(std::string_view key);
  bool has(std::string_view key) const;
  std::string path_of(std::string_view key) const;  // "/form/age"

  // First error met so far, or after finish() an unknown field.
  Status finish();
  bool failed() const { return error_.has_value(); }
  const std::optional<Error>& error() const { return error_; }

 private:
  const Json* lookup(std::string_view key);
  void set_error(Error e);
  std::optional<Json> owned_;  // the parsed body, when read from a request
  const Json& object_;
  std::string path_;
  std::set<std::string, std::less<>> read_;
  std::optional<Error> error_;
};

// Paging from ?limit=&offset= with bounds (limit default 20, max 200). invalid_input on bad values.
struct Page {
  int limit = 20;
  int offset = 0;
};
Result<Page> page_of(const Request& request, int default_limit = 20, int max_limit = 200);

// m[key] as a JSON string, null when absent (an actor's name the reader may not see).
Json string_or_null(const std::map<std::string, std::string>& m, const std::string& key);

// An optional value as JSON: the value, or null when empty.
template <class T>
Json or_null(const std::optional<T>& v) {
  return v ? Json(*v) : Json(nullptr);
}
// An optional instant as RFC 3339 in UTC+8 ("2026-11-22T09:30:00.000+08:00"), or null.
Json instant_or_null(const std::optional<core::Millis>& t);

// A JSON array of f(x) for each x of `list`.
template <class List, class F>
Json array_of(const List& list, F&& f) {
  Json out = Json::array();
  for (const auto& x : list) out.push_back(f(x));
  return out;
}

}  // namespace yiwang::http
