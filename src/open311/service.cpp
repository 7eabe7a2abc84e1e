#include <sodium.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "core/field_cipher.h"
#include "core/text.h"
#include "core/text_check.h"
#include "disclosure/disclosure.h"
#include "store/sealing.h"
#include "core/utf8.h"
#include "events/events.h"
#include "open311/open311.h"
#include "privacy/redact.h"

namespace yiwang::generated {
std::vector<store::Migration> open311_migrations();
}  // namespace yiwang::generated

namespace yiwang::open311 {

namespace {

using identity::Principal;
using nlohmann::json;

constexpr std::string_view kFilesPath = "/api/v1/files/";
constexpr std::string_view kRefPrefix = "open311:";

tl::unexpected<Error> bad(std::string field, std::string zh, std::string en) {
  return fail(ErrorCode::invalid_input, std::move(field), std::move(zh), std::move(en));
}

tl::unexpected<Error> bad_key() {
  return fail(ErrorCode::forbidden, "api_key", "api_key 缺失或无效",
              "api_key was not provided or is invalid");
}

tl::unexpected<Error> request_not_found() {
  return fail(ErrorCode::not_found, "service_request_id", "未找到该服务请求",
              "service_request_id was not found");
}

// "https://city.example" of a base URL "https://city.example/open311/v2"; "" without a scheme.
std::string origin_of(const std::string& base_url) {
  auto scheme = base_url.find("://");
  if (scheme == std::string::npos) return "";
  return base_url.substr(0, base_url.find('/', scheme + 3));
}

bool may_manage_keys(const Principal* by) {
  return !by || by->has_role(identity::Role::admin);
}

ApiKey key_of(const store::Row& r) {
  ApiKey k;
  k.id = r.text(0);
  k.name = r.text(1);
  k.created_at_ms = r.int64(2);
  k.revoked = r.int64(3) != 0;
  return k;
}

constexpr const char* kKeySelect = "SELECT id, name, created_at_ms, revoked FROM open311_keys ";

Result<ApiKey> insert_key(store::Tx& tx, const core::Clock& clock, const std::string& name,
                          const std::string& hash, const Principal* by) {
  ApiKey k;
  k.id = hash.substr(0, 16);
  k.name = name;
  k.created_at_ms = clock.now_ms();
  tx.exec(
      "INSERT INTO open311_keys (id, name, key_hash, created_at_ms, revoked) VALUES (?, ?, ?, ?, "
      "0)",
      {k.id, k.name, hash, k.created_at_ms});
  events::append(tx, clock,
                 {.type = "open311.key_created",
                  .subject_type = "open311_key",
                  .subject_id = k.id,
                  .actor = identity::actor_of(by),
                  .after_json = json{{"id", k.id}, {"name", k.name}, {"revoked", false}}.dump()});
  return k;
}

// Our own file references only: the platform runs offline, so it never fetches outside media.
std::optional<std::string> media_sha256(std::string_view url, const Options& o) {
  // base_url is ".../open311/v2"; files live under the same origin.
  if (std::string origin = origin_of(o.base_url); !origin.empty()) {
    if (url.substr(0, origin.size()) == origin) url.remove_prefix(origin.size());
  }
  if (url.substr(0, kFilesPath.size()) != kFilesPath) return std::nullopt;
  url.remove_prefix(kFilesPath.size());
  if (!core::is_sha256_hex(url)) return std::nullopt;
  return std::string(url);
}

std::string status_notes(const grid::GridEvent& e) {
  using grid::State;
  switch (e.state) {
    case State::reported:
      return "已受理，待立案 / received, awaiting registration";
    case State::accepted:
      return "已核实，待批准立案 / verified, awaiting registration";
    case State::registered:
      return "已立案，待派遣 / registered, awaiting dispatch";
    case State::dispatched:
      return e.rework_count > 0 ? "返工处置中 / being handled again after an on-site check"
                                : "处置中 / being handled";
    case State::checking:
      return "已处置，核查中 / handled, being checked on site";
    case State::checked:
      return "核查通过，待结案 / checked, awaiting closure";
    case State::closed:
      return "已结案 / closed";
    case State::rejected:
      return "不予立案 / not registered";
  }
  return "";
}

// What one listing needs besides the events: read once per call.
struct Context {
  std::map<std::string, grid::Class> classes;  // event classes by code
  std::map<std::string, std::string> dept_names;
  core::WorkingCalendar calendar;
  Principal reader;  // an official without roles: may read every grid event, do nothing else
};

Result<Context> context(grid::Service& grid, identity::Service& identity) {
  Context c;
  auto classes = grid.list_classes();
  if (!classes) return fail(classes.error());
  for (auto& k : *classes) {
    if (k.kind == grid::ClassKind::event) c.classes[k.code] = k;
  }
  auto depts = identity.list_departments();
  if (!depts) return fail(depts.error());
  for (const auto& d : *depts) c.dept_names[d.id] = d.name;
  auto cal = grid.calendar();
  if (!cal) return fail(cal.error());
  c.calendar = *cal;
  c.reader.kind = identity::Kind::official;
  c.reader.username = "open311";
  return c;
}

// What a request's own row adds to its grid event: the address as typed and the submitter's
// names, which the public text must not show wherever they occur.
struct Submitted {
  std::string address;
  std::vector<std::string> names;
};

// What the publication review published for a page of requests, where the redaction held a
// description or an address.
struct Published {
  disclosure::ShownMap description;
  disclosure::ShownMap address;
};
Published published(store::Tx& tx, const std::vector<std::string>& ids) {
  using disclosure::Surface;
  auto shown =
      disclosure::shown(tx, {Surface::grid_event_description, Surface::open311_address}, ids);
  return {std::move(shown[Surface::grid_event_description]),
          std::move(shown[Surface::open311_address])};
}

constexpr const char* kSubmittedColumns = "token, address_string, first_name, last_name";
// The contact data, sealed at rest (core/field_cipher.h) under the request's token.
constexpr const char* kSealedColumns[] = {"address_string", "email",     "first_name", "last_name",
                                          "phone",          "device_id", "account_id"};

// The ways a reporter's name may appear in a text (redact skips one-character ones).
std::vector<std::string> names_of(const std::string& first, const std::string& last) {
  return {last + first, first + " " + last, last, first};
}

// The cell's own code or name, as the request placed it, is public; other typed text is not.
bool names_a_cell(const grid::GridEvent& e, const std::string& address) {
  return address == e.where.cell_code || address == e.where.cell_name;
}

// The Submitted of a row whose columns from `at` are kSubmittedColumns.
Submitted submitted_of(const store::Row& row, int at, const core::FieldCipher& cipher) {
  Submitted s;
  const std::string token = row.text(at);
  auto opened = [&](int i, const char* column) {
    return cipher.open_cell(row.text(at + i), std::string("open311_requests.") + column, token);
  };
  s.address = opened(1, "address_string");
  s.names = names_of(opened(2, "first_name"), opened(3, "last_name"));
  return s;
}

// A request as anyone may read it: the description and the typed address through
// disclosure::public_text (an address held and not published falls back to the grid's place
// names), no contact data.
// `submitted` is empty for an event from another channel (the platform's apps, supervisors,
// sensors, 12345): its text is redacted all the same, and its photos stay unpublished (only an
// Open311 submitter made theirs public).
ServiceRequest describe(grid::Service& grid, const Context& c, const Options& o,
                        const grid::GridEvent& e, const std::optional<Submitted>& submitted,
                        const Published& published) {
  ServiceRequest r;
  r.service_request_id = e.id;
  r.status = grid::is_open(e.state) ? "open" : "closed";
  r.status_notes = status_notes(e);
  r.service_code = e.class_code;
  auto cls = c.classes.find(e.class_code);
  r.service_name = cls != c.classes.end() ? cls->second.minor_name : e.class_name;
  const std::vector<std::string> names = submitted ? submitted->names : std::vector<std::string>{};
  r.description = disclosure::public_text(e.description, names, published.description, e.id);
  const std::string dept = e.dept_id.empty() ? grid.options().center_dept_id : e.dept_id;
  auto dn = c.dept_names.find(dept);
  r.agency_responsible = dn != c.dept_names.end() ? dn->second : dept;
  r.requested_at_ms = e.reported_at_ms;
  r.updated_at_ms = e.updated_at_ms;
  // 按期结案: the loop's limits after registration (plus registration itself while unregistered),
  // in working time, as the grid's closed_on_time counts them.
  if (grid::is_open(e.state) && cls != c.classes.end()) {
    const grid::Limits& l = cls->second.limits;
    core::Millis base = e.registered_at_ms.value_or(e.reported_at_ms);
    int minutes = l.total_after_register() + (e.registered_at_ms ? 0 : l.register_);
    r.expected_at_ms =
        grid::add_working_ms(c.calendar, base, minutes * 60000LL, grid.options().hours);
  }
  if (submitted) {
    r.address = names_a_cell(e, submitted->address)
                    ? submitted->address
                    : disclosure::public_text(submitted->address, names, published.address, e.id);
  }
  if (r.address.empty() || r.address == privacy::kWithheld) {
    r.address = e.where.street_name + " " + e.where.community_name + " " + e.where.cell_name;
  }
  r.lat = e.location.lat;
  r.lon = e.location.lon;
  if (submitted && !e.photos.empty()) {
    r.media_url = origin_of(o.base_url) + std::string(kFilesPath) + e.photos.front();
  }
  return r;
}

// The Open311 rows (what their submitters typed) of a page of events, by event id.
std::map<std::string, Submitted> submitted_for(store::Tx& tx, const std::vector<std::string>& ids) {
  std::map<std::string, Submitted> out;
  if (ids.empty()) return out;
  std::string marks;
  store::Params params;
  for (const auto& id : ids) {
    marks += marks.empty() ? "?" : ", ?";
    params.emplace_back(id);
  }
  for (const auto& row : tx.query(std::string("SELECT grid_event_id, ") + kSubmittedColumns +
                                      " FROM open311_requests WHERE grid_event_id IN (" + marks +
                                      ")",
                                  params)) {
    out.emplace(row.text(0), submitted_of(row, 1, tx.cipher()));
  }
  return out;
}

Status check_text(const std::string& value, const char* field, std::size_t max_chars,
                  const char* zh, const char* en) {
  return core::check_text(value, field, {.max = max_chars, .zh = zh, .en = en});
}

}  // namespace

std::vector<store::Migration> migrations() {
  return generated::open311_migrations();
}

std::string key_hash(std::string_view secret) {
  unsigned char md[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(md, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : md) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

Result<ApiKey> ensure_demo_key(store::Store& store, std::string_view secret,
                               const core::Clock& clock) {
  if (secret.empty()) return bad("api_key", "密钥为空", "empty key");
  const std::string hash = key_hash(secret);
  return store.write([&](store::Tx& tx) -> Result<ApiKey> {
    auto row = tx.query_one(std::string(kKeySelect) + "WHERE key_hash = ?", {hash});
    if (row) return key_of(*row);
    return insert_key(tx, clock, "demo", hash, nullptr);
  });
}

Result<ApiKey> ensure_demo_key(store::Store& store, std::string_view secret) {
  core::SystemClock clock;
  return ensure_demo_key(store, secret, clock);
}

Service::Service(store::Store& store, const core::Clock& clock, core::Random& random,
                 grid::Service& grid, identity::Service& identity, Options options)
    : store_(store),
      clock_(clock),
      random_(random),
      grid_(grid),
      identity_(identity),
      options_(std::move(options)) {}

Result<NewApiKey> Service::create_key(std::string_view name, const Principal* by) {
  if (!may_manage_keys(by)) {
    return fail(ErrorCode::forbidden, "", "仅管理员可签发 Open311 密钥",
                "only administrators issue Open311 keys");
  }
  std::string n(name);
  if (n.empty()) return bad("/name", "名称不能为空", "name is required");
  if (auto s = check_text(n, "/name", 64, "名称", "name"); !s) return fail(s.error());
  NewApiKey out;
  out.secret = random_.hex(24);
  const std::string hash = key_hash(out.secret);
  auto k = store_.write(
      [&](store::Tx& tx) -> Result<ApiKey> { return insert_key(tx, clock_, n, hash, by); });
  if (!k) return fail(k.error());
  out.key = *k;
  return out;
}

Status Service::revoke_key(std::string_view id, const Principal* by) {
  if (!may_manage_keys(by)) {
    return fail(ErrorCode::forbidden, "", "仅管理员可吊销 Open311 密钥",
                "only administrators revoke Open311 keys");
  }
  return store_.write([&](store::Tx& tx) -> Status {
    auto row = tx.query_one(std::string(kKeySelect) + "WHERE id = ?", {std::string(id)});
    if (!row) return fail(ErrorCode::not_found, "/id", "密钥不存在", "no such key");
    ApiKey k = key_of(*row);
    if (k.revoked) return {};
    tx.exec("UPDATE open311_keys SET revoked = 1, revoked_at_ms = ? WHERE id = ?",
            {clock_.now_ms(), k.id});
    events::append(tx, clock_,
                   {.type = "open311.key_revoked",
                    .subject_type = "open311_key",
                    .subject_id = k.id,
                    .actor = identity::actor_of(by),
                    .before_json = json{{"id", k.id}, {"name", k.name}, {"revoked", false}}.dump(),
                    .after_json = json{{"id", k.id}, {"name", k.name}, {"revoked", true}}.dump()});
    return {};
  });
}

Result<std::vector<ApiKey>> Service::list_keys(const Principal& by) {
  if (!may_manage_keys(&by)) {
    return fail(ErrorCode::forbidden, "", "仅管理员可查看 Open311 密钥",
                "only administrators list Open311 keys");
  }
  return store_.read([&](store::Tx& tx) -> Result<std::vector<ApiKey>> {
    std::vector<ApiKey> out;
    for (const auto& r : tx.query(std::string(kKeySelect) + "ORDER BY created_at_ms, id")) {
      out.push_back(key_of(r));
    }
    return out;
  });
}

Result<ApiKey> Service::check_key(std::string_view secret) {
  if (secret.empty() || secret.size() > 256) return bad_key();
  const std::string hash = key_hash(secret);
  return store_.read([&](store::Tx& tx) -> Result<ApiKey> {
    auto row = tx.query_one(std::string(kKeySelect) + "WHERE key_hash = ?", {hash});
    if (!row) return bad_key();
    ApiKey k = key_of(*row);
    if (k.revoked) return bad_key();
    return k;
  });
}

Result<std::vector<ServiceType>> Service::services() {
  auto classes = grid_.list_classes();
  if (!classes) return fail(classes.error());
  auto depts = identity_.list_departments();
  if (!depts) return fail(depts.error());
  std::map<std::string, std::string> names;
  for (const auto& d : *depts) names[d.id] = d.name;
  std::vector<ServiceType> out;
  for (const auto& c : *classes) {
    if (c.kind != grid::ClassKind::event) continue;
    ServiceType t;
    t.code = c.code;
    t.name = c.minor_name;
    t.group = c.major_name;
    t.dept_id = c.dept_id;
    auto dn = names.find(c.dept_id);
    const std::string dept = dn != names.end() ? dn->second : c.dept_id;
    t.description = c.major_name + "/" + c.minor_name + "，由" + dept + "处置，按期结案时限 " +
                    std::to_string(c.limits.register_ + c.limits.total_after_register()) +
                    " 个工作分钟";
    t.keywords = c.major_name + "," + c.minor_name;
    out.push_back(std::move(t));
  }
  std::sort(out.begin(), out.end(),
            [](const ServiceType& a, const ServiceType& b) { return a.code < b.code; });
  return out;
}

Result<ServiceType> Service::service(std::string_view code) {
  auto all = services();
  if (!all) return fail(all.error());
  for (auto& s : *all) {
    if (s.code == code) return s;
  }
  return fail(ErrorCode::not_found, "service_code", "未找到该服务类型",
              "service_code was not found");
}

namespace {

// The free-text and contact fields: sizes, then the forms of e-mail and phone.
Status check_contact(const RequestInput& in) {
  struct TextField {
    const std::string& value;
    const char* field;
    std::size_t max;
    const char* zh;
  };
  for (const TextField& f :
       {TextField{in.description, "description", 2000, "描述"},
        TextField{in.address_string, "address_string", 200, "地址"},
        TextField{in.email, "email", 254, "电子邮箱"},
        TextField{in.first_name, "first_name", 64, "名"},
        TextField{in.last_name, "last_name", 64, "姓"}, TextField{in.phone, "phone", 32, "电话"},
        TextField{in.device_id, "device_id", 64, "设备标识"},
        TextField{in.account_id, "account_id", 64, "账户标识"},
        TextField{in.media_url, "media_url", 300, "媒体链接"}}) {
    if (auto s = check_text(f.value, f.field, f.max, f.zh, f.field); !s) return s;
  }
  if (!in.email.empty() && (in.email.find('@') == std::string::npos ||
                            in.email.find_first_of(" \t\r\n") != std::string::npos)) {
    return bad("email", "电子邮箱格式不正确", "email is not an e-mail address");
  }
  if (!in.phone.empty() && in.phone.find_first_not_of("0123456789+- ()") != std::string::npos) {
    return bad("phone", "电话号码格式不正确", "phone may hold only digits, spaces and + - ( )");
  }
  return {};
}

// The place of an address: the centre of the one grid cell it names by code or name (there is no
// geocoder offline), which must lie in that cell.
Result<grid::Point> place_of(grid::Service& grid, const std::string& address) {
  auto cells = grid.list_cells();
  if (!cells) return fail(cells.error());
  const grid::Cell* hit = nullptr;
  int matches = 0;
  for (const auto& c : *cells) {
    if (c.code == address || c.name == address) {
      hit = &c;
      ++matches;
    }
  }
  if (matches != 1) {
    return bad("address_string", "无法定位该地址：请提供 lat/long，或填写网格编码/名称",
               "address_string names no single grid cell; give lat/long");
  }
  grid::Point p{(hit->min_lon + hit->max_lon) / 2, (hit->min_lat + hit->max_lat) / 2};
  auto where = grid.locate(p);
  if (!where || where->cell_code != hit->code) {
    return bad("address_string", "无法定位该地址：请提供 lat/long",
               "address_string cannot be placed; give lat/long");
  }
  return p;
}

// Where the request is: lat and long together, or an address naming a grid cell.
Result<grid::Point> location_of(grid::Service& grid, const RequestInput& in) {
  if (in.lat.has_value() != in.lon.has_value()) {
    const char* field = in.lat ? "long" : "lat";
    return bad(field, "lat 与 long 须同时提供", "lat and long must be given together");
  }
  if (in.lat) {
    if (*in.lat < -90 || *in.lat > 90) return bad("lat", "纬度超出范围", "lat out of range");
    if (*in.lon < -180 || *in.lon > 180) return bad("long", "经度超出范围", "long out of range");
    return grid::Point{*in.lon, *in.lat};
  }
  if (!in.address_string.empty()) return place_of(grid, in.address_string);
  return bad("lat", "须提供位置（lat/long 或 address_string）",
             "a location is required: lat and long, or address_string");
}

// A grid refusal named by the Open311 parameter it concerns.
Error as_open311(Error err, const RequestInput& in) {
  if (err.field == "/location") {
    err.field = in.lat ? "lat" : "address_string";
  } else if (err.field == "/class_code") {
    err.field = "service_code";
  } else if (err.field == "/description") {
    err.field = "description";
  } else if (err.field.rfind("/photos", 0) == 0) {
    err.field = "media_url";
  }
  return err;
}

}  // namespace

// The grid report of a request: a public event of the service's class, described by the
// requester or (the spec makes the description optional) by the service's name, with the
// request's photo and place.
Result<grid::NewReport> Service::report_of(const RequestInput& in) {
  auto svc = service(in.service_code);
  if (!svc) {
    if (svc.error().code != ErrorCode::not_found) return fail(svc.error());
    return bad("service_code", "未知的服务类型 service_code", "unknown service_code");
  }
  if (auto st = check_contact(in); !st) return fail(st.error());
  grid::NewReport r;
  r.source = grid::Source::public_;
  r.kind = grid::ClassKind::event;
  r.class_code = in.service_code;
  r.description = in.description.empty() ? svc->group + "/" + svc->name : in.description;
  if (!in.media_url.empty()) {
    auto sha = media_sha256(in.media_url, options_);
    if (!sha) {
      return bad("media_url", "只接受本平台上传的文件（/api/v1/files/<sha256>），不获取外部链接",
                 "media_url must reference a file uploaded here (/api/v1/files/<sha256>); "
                 "external URLs are not fetched");
    }
    r.photos.push_back(*sha);
  }
  auto where = location_of(grid_, in);
  if (!where) return fail(where.error());
  r.location = *where;
  return r;
}

Result<Receipt> Service::submit(const RequestInput& in) {
  auto key = check_key(in.api_key);
  if (!key) return fail(key.error());
  if (in.service_code.empty()) {
    return bad("service_code", "缺少 service_code", "service_code is required");
  }
  if (auto st = submissions_.check(in.remote_address, clock_.now_ms(), "提交过于频繁，请稍后再试",
                                   "too many requests from this address; try later");
      !st) {
    return fail(st.error());
  }
  if (auto st = key_submissions_.check(key->id, clock_.now_ms(), "该客户端提交过于频繁，请稍后再试",
                                       "too many requests with this key; try later");
      !st) {
    return fail(st.error());
  }
  auto r = report_of(in);
  if (!r) return fail(r.error());
  const std::string token = random_.hex(16);
  r->external_ref = std::string(kRefPrefix) + token;
  auto calendar = grid_.calendar();
  if (!calendar) return fail(calendar.error());
  // The grid event and the request's link and contact data commit together.
  auto e = store_.write([&](store::Tx& tx) -> Result<grid::GridEvent> {
    auto reported = grid_.report(tx, *calendar, *r, nullptr);
    if (!reported) return reported;
    auto sealed = [&](const char* column, const std::string& value) {
      return tx.cipher().seal_cell(value, std::string("open311_requests.") + column, token);
    };
    tx.exec(
        "INSERT INTO open311_requests (token, grid_event_id, key_id, service_code, address_string, "
        "email, first_name, last_name, phone, device_id, account_id, requested_at_ms) VALUES (?, "
        "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {token, reported->id, key->id, in.service_code, sealed("address_string", in.address_string),
         sealed("email", in.email), sealed("first_name", in.first_name),
         sealed("last_name", in.last_name), sealed("phone", in.phone),
         sealed("device_id", in.device_id), sealed("account_id", in.account_id),
         reported->reported_at_ms});
    // The typed address and the description are public (the feed): what the redaction cannot
    // make safe waits for the grid centre's publication review.
    const std::vector<std::string> names = names_of(in.first_name, in.last_name);
    const std::string& centre = grid_.options().center_dept_id;
    using disclosure::Surface;
    disclosure::hold(tx, clock_, {Surface::grid_event_description, reported->id, centre},
                     reported->description, names);
    if (!names_a_cell(*reported, in.address_string)) {
      disclosure::hold(tx, clock_, {Surface::open311_address, reported->id, centre},
                       in.address_string, names);
    }
    events::append(
        tx, clock_,
        {.type = "open311.request_received",
         .subject_type = "grid_event",
         .subject_id = reported->id,
         .actor = identity::actor_of(nullptr),
         .after_json =
             json{{"service_request_id", reported->id}, {"service_code", in.service_code}}.dump(),
         .data_json = json{{"key_id", key->id}, {"client", key->name}}.dump()});
    return reported;
  });
  if (!e) return fail(as_open311(e.error(), in));
  Receipt out;
  out.service_request_id = e->id;
  out.token = token;
  out.service_notice =
      "已收到，将在工作时间内核实立案 / received; it will be verified and "
      "registered during working hours";
  return out;
}

Result<std::string> Service::resolve_token(std::string_view token) {
  if (!core::is_lower_hex(token, 32)) {
    return fail(ErrorCode::not_found, "token", "未找到该 token", "token was not found");
  }
  return store_.read([&](store::Tx& tx) -> Result<std::string> {
    auto row = tx.query_one("SELECT grid_event_id FROM open311_requests WHERE token = ?",
                            {std::string(token)});
    if (!row) return fail(ErrorCode::not_found, "token", "未找到该 token", "token was not found");
    return row->text(0);
  });
}

Result<ServiceRequest> Service::request(std::string_view id) {
  auto ctx = context(grid_, identity_);
  if (!ctx) return fail(ctx.error());
  auto d = grid_.get(id, ctx->reader);
  if (!d) {
    if (d.error().code == ErrorCode::not_found) return request_not_found();
    return fail(d.error());
  }
  auto typed = store_.read([&](store::Tx& tx) -> Result<std::pair<std::map<std::string, Submitted>,
                                                                  Published>> {
    const std::vector<std::string> ids{std::string(id)};
    return std::pair{submitted_for(tx, ids), published(tx, ids)};
  });
  if (!typed) return fail(typed.error());
  auto found = typed->first.find(std::string(id));
  std::optional<Submitted> submitted;
  if (found != typed->first.end()) submitted = found->second;
  return describe(grid_, *ctx, options_, d->event, submitted, typed->second);
}

Result<std::vector<ServiceRequest>> Service::requests(const RequestQuery& q) {
  auto ctx = context(grid_, identity_);
  if (!ctx) return fail(ctx.error());
  std::vector<ServiceRequest> out;
  const std::size_t max = static_cast<std::size_t>(std::max(1, options_.max_results));

  if (!q.ids.empty()) {
    if (q.ids.size() > max) {
      return bad("service_request_id", "一次最多查询 " + std::to_string(max) + " 个编号",
                 "at most " + std::to_string(max) + " ids per query");
    }
    std::set<std::string> seen;
    for (const auto& id : q.ids) {
      if (!seen.insert(id).second) continue;
      auto r = request(id);
      if (r) {
        out.push_back(std::move(*r));
      } else if (r.error().code != ErrorCode::not_found) {
        return fail(r.error());
      }
    }
    return out;
  }

  const core::Millis end = q.end_ms.value_or(clock_.now_ms());
  const core::Millis start =
      q.start_ms.value_or(end - static_cast<core::Millis>(options_.default_days) * core::kDayMs);
  if (start > end) {
    return bad("end_date", "end_date 早于 start_date", "end_date is before start_date");
  }
  // Every grid event the public may see, from every channel, a page at a time; open/closed is
  // the loop's state, filtered after reading.
  constexpr int kPage = 200;
  grid::EventQuery page;
  page.from_ms = std::max<core::Millis>(start, 1);
  page.to_ms = end + 1;  // requested in [start, end]
  page.class_code = q.service_code;
  page.limit = kPage;
  for (page.offset = 0; out.size() < max; page.offset += kPage) {
    auto listed = grid_.list(page, ctx->reader);
    if (!listed) return fail(listed.error());
    std::vector<std::string> ids;
    for (const auto& e : listed->events) ids.push_back(e.id);
    auto typed = store_.read(
        [&](store::Tx& tx) -> Result<std::pair<std::map<std::string, Submitted>, Published>> {
          return std::pair{submitted_for(tx, ids), published(tx, ids)};
        });
    if (!typed) return fail(typed.error());
    for (const auto& e : listed->events) {
      auto found = typed->first.find(e.id);
      std::optional<Submitted> submitted;
      if (found != typed->first.end()) submitted = found->second;
      ServiceRequest r = describe(grid_, *ctx, options_, e, submitted, typed->second);
      if (q.open && (*q.open != (r.status == "open"))) continue;
      out.push_back(std::move(r));
      if (out.size() >= max) break;
    }
    if (static_cast<int>(listed->events.size()) < kPage) break;
  }
  return out;
}

Result<std::int64_t> Service::hold_public_texts() {
  const std::string centre = grid_.options().center_dept_id;
  return disclosure::backfill(store_, clock_, "open311", [&](store::Tx& tx) {
    std::int64_t held = 0;
    for (const auto& row : tx.query(std::string("SELECT grid_event_id, ") + kSubmittedColumns +
                                    " FROM open311_requests")) {
      auto e = grid_.find(tx, row.text(0));
      if (!e) continue;
      const Submitted typed = submitted_of(row, 1, tx.cipher());
      using disclosure::Surface;
      held += disclosure::hold(tx, clock_, {Surface::grid_event_description, e->id, centre},
                               e->description, typed.names);
      if (!names_a_cell(*e, typed.address)) {
        held += disclosure::hold(tx, clock_, {Surface::open311_address, e->id, centre},
                                 typed.address, typed.names);
      }
    }
    return held;
  });
}

Result<std::int64_t> seal_at_rest(store::Store& store) {
  std::vector<store::SealedColumn> columns;
  for (const char* c : kSealedColumns) columns.push_back({c});
  return store::seal_clear_cells(store, "open311_requests", "token", columns);
}

}  // namespace yiwang::open311
