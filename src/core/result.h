// Result and error types shared by every module.
//
// Expected failures (bad input, not found, illegal transition, permission, overload) are values:
// functions return Result<T>, which holds either a T or an Error. Exceptions are reserved for bugs
// and start-up failures; the HTTP layer catches them once per request and reports `internal`.
// Error codes are a small closed set; http::problem() maps each to one HTTP status and RFC 9457 type.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include <tl/expected.hpp>

namespace yiwang {

enum class ErrorCode {
  invalid_input,       // 400: malformed or semantically invalid input; `field` names the path
  unauthenticated,     // 401: no or expired session
  forbidden,           // 403: authenticated but role or department scope does not allow it
  not_found,           // 404
  conflict,            // 409: illegal state transition, duplicate, concurrent change
  too_large,           // 413: body or file over its limit
  unprocessable,       // 422: well-formed but refused on its merits (a weak reply not confirmed)
  unsupported_media,   // 415: content type not accepted
  locked,              // 423: account locked after repeated failures
  rate_limited,        // 429
  overloaded,          // 503 with Retry-After
  internal,            // 500: a bug; details go to the log, not the client
};

struct Error {
  ErrorCode code = ErrorCode::internal;
  std::string field;       // JSON pointer-like path of the offending input ("/form/age"), or ""
  std::string message_zh;  // shown to Chinese users
  std::string message_en;
  // rate_limited / overloaded: seconds until a retry may succeed (Retry-After); 0 = the default.
  int retry_after_s = 0;
  // A finer problem type than the code's own, in kebab case ("mfa-required"): clients that must
  // tell two failures of one status apart read it from the problem's `type`. "" = the code's name.
  std::string type = {};
};

template <class T>
using Result = tl::expected<T, Error>;
using Status = tl::expected<void, Error>;

inline tl::unexpected<Error> fail(ErrorCode code, std::string field, std::string message_zh,
                                  std::string message_en) {
  return tl::unexpected<Error>(
      Error{code, std::move(field), std::move(message_zh), std::move(message_en)});
}

inline tl::unexpected<Error> fail(Error error) { return tl::unexpected<Error>(std::move(error)); }

// Stable kebab-case name used in problem `type` URIs and logs ("invalid-input").
std::string_view to_string(ErrorCode code);

}  // namespace yiwang
