// JSON request bodies through the strict readers (http/json_api.h): every route's body parser is
// an http::ObjectReader over http::parse_object. The input is the body.
//
// Drives: the media type check, the size and depth limits, the duplicate-member detection, the
// parse itself; then reads the object as a route would (each member with the reader chosen by
// its name's first character, objects recursively) and finishes. Checks: an accepted body is one
// object whose compact dump parses back, accepted again, to the same value; a refused one has a
// problem body that is one JSON object; a reader that failed never reports success.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "http/json_api.h"

namespace yiwang {
namespace {

using http::Json;

// Reads every member of `object` as a route would, choosing the reader by the member's name, and
// returns the reader's verdict.
Status read_like_a_route(const Json& object, const std::string& path, int depth) {
  http::ObjectReader r(object, path);
  for (auto it = object.begin(); it != object.end(); ++it) {
    const std::string& key = it.key();
    switch (key.empty() ? 0 : static_cast<unsigned char>(key[0]) % 8) {
      case 0:
        r.required_string(key, 8);
        break;
      case 1:
        r.optional_string(key);
        break;
      case 2:
        r.required_int(key, -1000, 1000);
        break;
      case 3:
        r.optional_int(key, INT64_MIN, INT64_MAX);
        break;
      case 4:
        r.optional_bool(key);
        break;
      case 5:
        if (auto inner = r.optional_object(key); inner && depth < 8) {
          auto status = read_like_a_route(*inner, r.path_of(key), depth + 1);
          fuzz::check(status || status.error().field.starts_with(r.path_of(key)),
                      "a nested reader's error lies below its path");
        }
        break;
      case 6:
        r.optional_array(key);
        break;
      default:
        r.optional_any(key);
        break;
    }
  }
  r.has("absent");
  r.optional_string("absent");
  bool failed = r.failed();
  Status status = r.finish();
  fuzz::check(!failed || !status, "a reader that failed does not finish well");
  return status;
}

}  // namespace
}  // namespace yiwang

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace yiwang;
  http::Request request;
  request.method = "POST";
  request.target = request.path = "/api/v1/fuzz";
  request.headers["content-type"] = "application/json; charset=utf-8";
  request.body.assign(reinterpret_cast<const char*>(data), size);

  auto body = http::parse_object(request);
  if (!body) {
    fuzz::check_problem(body.error(), request);
    http::ObjectReader reader(request);  // the reader reports the same first error
    reader.optional_string("name");
    Status status = reader.finish();
    fuzz::check(!status && status.error().code == body.error().code,
                "the reader reports parse_object's error");
    return 0;
  }
  fuzz::check(body->is_object(), "parse_object returns an object");

  // What the server would send back: the dump of an accepted body is JSON that reads the same.
  http::Request again = request;
  again.body = body->dump();
  auto reparsed = http::parse_object(again);
  fuzz::check(reparsed.has_value(), "the dump of an accepted body is accepted");
  fuzz::check(*reparsed == *body, "the dump of an accepted body reads back the same");
  http::json_response(200, *body);

  Status status = read_like_a_route(*body, "", 0);
  if (!status) fuzz::check_problem(status.error(), request);
  return 0;
}
