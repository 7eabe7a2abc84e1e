// Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2): the citizen-facing intake of the
// grid (一网统管) for third-party apps, FixMyStreet-style.
//
// Services are the grid's event classes (grid::Class of kind event): service_code = the 4-digit
// class code, group = the major class. A service request is a grid event with source "public",
// created through grid::Service::report by the platform (by == nullptr).
//
// Design: requests are created at once (realtime). POST returns the service_request_id (the grid
// event id, "GE…") and, besides it, a token that stays resolvable through GET tokens/{token}:
// spec clients ignore the token when an id is present, clients that kept it can still resolve it.
// Intake is one transaction: the grid event (external_ref "open311:<token>") and a row here
// linking token, event, client key and the submitter's contact data, with an
// "open311.request_received" event. Validation (key, service code, location, media, field sizes)
// runs first, so a refused request stores nothing.
//
// Reading: GET requests lists every grid event of the period, from every channel (Open311, the
// platform's own apps, grid supervisors, sensors, the 12345 link), so a city's feed shows what
// its grid handles. Contact data (email, names, phone, device and account ids) never appears in
// a GET response, and free text (description, the address an Open311 submitter typed) is
// published only through disclosure::public_text: personal data in it replaced (an Open311
// submitter's names wherever they occur); a text the redaction cannot make safe waits for the
// grid centre's publication review (disclosure.h), meanwhile a description reads
// privacy::kWithheld and an address is replaced by the grid cell's names. Events from other
// channels have the cell's names as their address and no media (only an Open311 submitter made
// a photo public). The grid's own (authenticated) views keep the original text.
// status is "open" while the grid event is open, "closed" once closed or rejected; status_notes
// names the loop step in Chinese and English.
//
// API keys: random 48-hex strings, stored as SHA-256 only; a revoked or unknown key is forbidden.
// Thread-safe: all state is in the store; the store, clock, randomness, grid and identity
// services the Service is given must outlive it.
//
// Files, by concern:
//   open311.h    this contract
//   service.cpp  keys, services, intake of requests (as grid events) and reading them
//   wire.cpp     the wire formats (internal.h): POST bodies and queries parsed, XML written, the
//                spec's date-times
//   routes.cpp   the GeoReport v2 routes: open to anyone (the key is the service's check), JSON or
//                XML by the path's extension, errors in Open311's format
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/rate_limit.h"
#include "core/result.h"
#include "grid/grid.h"
#include "identity/identity.h"
#include "store/store.h"

namespace yiwang::http {
class Router;
}

namespace yiwang::open311 {

struct Options {
  // Discovery document.
  std::string changeset = "2026-11-22T00:00:00+08:00";  // when the service list last changed
  std::string contact = "城市运行管理中心 12345 / City operations centre, hotline 12345";
  std::string key_service =
      "向城市运行管理中心申请客户端密钥 / Ask the city operations centre for a key";
  // Absolute base URL of the API for discovery and media_url ("https://city.example/open311/v2");
  // empty: relative URLs ("/open311/v2", "/api/v1/files/<sha256>").
  std::string base_url;
  int default_days = 90;   // GET requests without dates: the last 90 days
  int max_results = 1000;  // at most this many requests per GET
  // Anonymous reports per client address and hour (a phone app posts from the phone's address).
  int max_requests_per_address_hour = 60;
  // And per client key and hour: a key serves a whole app, so its cap is high, but a key that
  // leaked cannot flood the centre from many addresses.
  int max_requests_per_key_hour = 5000;
};

struct ApiKey {
  std::string id;  // 16 hex
  std::string name;
  core::Millis created_at_ms = 0;
  bool revoked = false;
};

struct NewApiKey {
  ApiKey key;
  std::string secret;  // shown once; only its hash is stored
};

// One service = one grid event class.
struct ServiceType {
  std::string code;  // "0101"
  std::string name;  // minor class: "暴露垃圾"
  std::string description;
  std::string group;     // major class: "市容环境"
  std::string keywords;  // comma separated
  std::string dept_id;   // default handling department
};

// A POST requests body, already decoded from form or JSON. Strings empty when absent.
struct RequestInput {
  std::string api_key;
  std::string service_code;
  std::optional<double> lat, lon;
  std::string address_string;
  std::string description;
  std::string media_url;
  std::string email, first_name, last_name, phone, device_id, account_id;
  std::string remote_address;  // the client's address: requests are limited per address
};

struct Receipt {
  std::string service_request_id;
  std::string token;
  std::string service_notice;
};

struct ServiceRequest {
  std::string service_request_id;
  std::string status;        // "open" / "closed"
  std::string status_notes;  // "处置中 / being handled"
  std::string service_name;
  std::string service_code;
  std::string description;
  std::string agency_responsible;  // the handling department's name (the grid centre before)
  std::string service_notice;
  core::Millis requested_at_ms = 0;
  core::Millis updated_at_ms = 0;
  std::optional<core::Millis> expected_at_ms;  // 按期结案 deadline while open
  std::string address;
  double lat = 0, lon = 0;
  std::string media_url;  // "" without photo
};

struct RequestQuery {
  std::vector<std::string> ids;  // when set, every other filter is ignored (as the spec says)
  std::string service_code;
  std::optional<core::Millis> start_ms, end_ms;  // requested in [start, end]
  std::optional<bool> open;                      // nullopt: both
};

std::vector<store::Migration> migrations();

// The submitters' contact data is sealed at rest (core/field_cipher.h, the store's data key); this
// seals what an older version stored in the clear. At start, before serving.
Result<std::int64_t> seal_at_rest(store::Store& store);

// The SHA-256 (hex) under which a key is stored.
std::string key_hash(std::string_view secret);

// Stores `secret` as a key named "demo" unless a key with that secret exists (then returns it,
// unchanged, also when revoked). For the demo's well-known key "yiwang-demo-key".
Result<ApiKey> ensure_demo_key(store::Store& store, std::string_view secret,
                               const core::Clock& clock);
Result<ApiKey> ensure_demo_key(store::Store& store, std::string_view secret);  // system clock

// ISO 8601 (the W3C note's subset the spec requires): "2026-03-02T08:30:00+08:00",
// "…Z", optional fraction; a bare date "2026-03-02" is 00:00 China time. nullopt when invalid.
std::optional<core::Millis> parse_datetime(std::string_view s);
// "2026-03-02T08:30:00+08:00" (China time, whole seconds).
std::string format_datetime(core::Millis t);

class Service {
 public:
  Service(store::Store& store, const core::Clock& clock, core::Random& random, grid::Service& grid,
          identity::Service& identity, Options options = {});

  const Options& options() const { return options_; }

  // -- Keys. Admins only (forbidden; by == nullptr is the system/CLI); invalid_input "/name"
  // (1–64 characters). Events "open311.key_created" / "open311.key_revoked" (no secret).
  Result<NewApiKey> create_key(std::string_view name, const identity::Principal* by);
  Status revoke_key(std::string_view id, const identity::Principal* by);  // not_found
  Result<std::vector<ApiKey>> list_keys(const identity::Principal& by);
  // forbidden when the key is missing, unknown or revoked.
  Result<ApiKey> check_key(std::string_view secret);

  // -- Services.
  Result<std::vector<ServiceType>> services();
  Result<ServiceType> service(std::string_view code);  // not_found

  // -- Requests. Errors (nothing stored): forbidden for a bad key; invalid_input with the
  // Open311 parameter name as field: "service_code" (missing or unknown), "lat"/"long" (missing,
  // malformed, or outside every grid cell), "address_string" (names no grid cell),
  // "media_url" (not one of our /api/v1/files/<sha256>), "description", "email", ….
  Result<Receipt> submit(const RequestInput& in);
  Result<std::string> resolve_token(std::string_view token);  // service_request_id; not_found
  Result<std::vector<ServiceRequest>> requests(const RequestQuery& q);  // newest first
  Result<ServiceRequest> request(std::string_view id);  // any grid event; not_found

  // Requests from before the publication review: their descriptions and addresses the redaction
  // cannot make safe are held for the grid centre's review, once (disclosure::backfill). At
  // start, after sealing.
  Result<std::int64_t> hold_public_texts();

 private:
  // The grid report of a checked request (service, contact fields, media, place).
  Result<grid::NewReport> report_of(const RequestInput& in);

  store::Store& store_;
  const core::Clock& clock_;
  core::Random& random_;
  grid::Service& grid_;
  identity::Service& identity_;
  Options options_;
  core::RateLimiter submissions_{options_.max_requests_per_address_hour, 3600LL * 1000};
  core::RateLimiter key_submissions_{options_.max_requests_per_key_hour, 3600LL * 1000};
};

// GET /open311/v2/discovery.{json,xml}, services.{fmt}, services/{code}.{fmt},
// requests.{fmt} (GET, POST), requests/{id}.{fmt}, tokens/{token}.{fmt}. Errors in the Open311
// format [{"code":…, "description":…}] (XML <errors><error>…) with the matching HTTP status.
void register_routes(http::Router& router, Service& service, identity::Service& identity);

}  // namespace yiwang::open311
