// What the fuzz targets share: an invariant check that turns a broken promise into a crash the
// fuzzer records (with the input that caused it), and the problem body every refused input must
// still produce. Header-only; each target is one fuzz/<name>_fuzz.cpp.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "http/http.h"

namespace yiwang::fuzz {

// Aborts with `what` when `ok` is false: a property the code under test promises does not hold.
inline void check(bool ok, std::string_view what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz invariant broken: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

// The RFC 9457 body of `error` must be one JSON object carrying the status and the field.
inline void check_problem(const Error& error, const http::Request& request) {
  http::Response r = http::problem(error, request);
  check(r.status >= 400 && r.status <= 599, "a problem has an error status");
  auto body = nlohmann::json::parse(r.body, nullptr, false);
  check(body.is_object(), "a problem body is one JSON object");
  check(body.value("status", 0) == r.status, "a problem body repeats its status");
}

}  // namespace yiwang::fuzz
