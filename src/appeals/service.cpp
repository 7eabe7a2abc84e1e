// Intake, reading, the state machine and roll-ups of appeals. Every change is one write
// transaction holding the row, the submission record and the events.
#include <algorithm>
#include <array>
#include <cmath>
#include <map>

#include <sodium.h>
#include <nlohmann/json.hpp>

#include "appeals/appeals.h"
#include "events/events.h"

namespace yiwang::generated {
std::vector<store::Migration> appeals_migrations();
}

namespace yiwang::appeals {

struct Service::Impl {
  store::Store& store;
  const core::Clock& clock;
  core::Random& random;
  identity::Service& identity;
  Options options;
};

namespace {

using Json = nlohmann::json;

constexpr std::array<std::string_view, 4> kChannels = {"web", "mobile", "phone", "api"};
constexpr std::array<std::string_view, 5> kTypes = {"consult", "help", "complaint", "report",
                                                    "suggestion"};
constexpr std::array<std::string_view, 8> kStates = {
    "accepted", "dispatched", "returned", "handling", "replied", "closed", "called_back", "rated"};
constexpr std::array<std::string_view, 9> kActions = {"dispatch", "return",   "arbitrate",
                                                      "receive",  "reply",    "supervise",
                                                      "close",    "callback", "rate"};
constexpr std::array<std::string_view, 9> kEventTypes = {
    "appeal.dispatched", "appeal.returned",    "appeal.arbitrated",
    "appeal.received",   "appeal.replied",     "appeal.supervised",
    "appeal.closed",     "appeal.called_back", "appeal.rated"};

template <class E, std::size_t N>
std::optional<E> parse_enum(const std::array<std::string_view, N>& names, std::string_view s) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == s) return static_cast<E>(i);
  }
  return std::nullopt;
}

// Merging and arbitration look at appeals still waiting for an answer or for closing.
constexpr const char* kMergeableStates =
    "('accepted', 'dispatched', 'returned', 'handling', 'replied')";

tl::unexpected<Error> bad(std::string field, std::string zh, std::string en) {
  return fail(ErrorCode::invalid_input, std::move(field), std::move(zh), std::move(en));
}

tl::unexpected<Error> not_found() {
  return fail(ErrorCode::not_found, "", "诉求不存在", "appeal not found");
}

std::size_t length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool has_control(std::string_view s, bool allow_newlines) {
  for (unsigned char c : s) {
    if (c == 0x7F) return true;
    if (c < 0x20 && !(allow_newlines && (c == '\n' || c == '\r' || c == '\t'))) return true;
  }
  return false;
}

// A free text field: valid UTF-8, no control characters (newlines where allowed), length.
Status check_text(std::string_view value, const std::string& field, std::size_t min,
                  std::size_t max, bool multiline, const char* zh_name, const char* en_name) {
  if (!valid_utf8(value)) {
    return bad(field, std::string(zh_name) + "不是有效的 UTF-8 文本",
               std::string(en_name) + " is not valid UTF-8");
  }
  if (has_control(value, multiline)) {
    return bad(field, std::string(zh_name) + "含有控制字符",
               std::string(en_name) + " contains control characters");
  }
  std::size_t n = length(value);
  if (min > 0 && n == 0) {
    return bad(field, "请填写" + std::string(zh_name), std::string(en_name) + " is required");
  }
  if (n > max) {
    return bad(field, std::string(zh_name) + "不得超过 " + std::to_string(max) + " 个字符",
               std::string(en_name) + " must be at most " + std::to_string(max) + " characters");
  }
  return {};
}

bool is_hex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char ch) {
           return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
         });
}

std::string sha256_hex(std::string_view bytes) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char b : h) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

// ---- Who is who -------------------------------------------------------------------------------

// Whose submissions merge, count against the rate limit and share idempotency keys: the
// caller's phone for a call (hashed: the key is also the ledger party's preimage), else the
// account.
std::string identity_key_of(const NewAppeal& n, const identity::Principal& by) {
  if (n.channel != Channel::phone || !n.caller) return "user:" + by.user_id;
  std::string digits;
  for (char ch : n.caller->phone) {
    if (ch >= '0' && ch <= '9') digits += ch;
  }
  return "phone:" + sha256_hex(digits);
}

bool is_official_with(const identity::Principal& by, identity::Role r) {
  return by.is_official() && by.has_role(r);
}

// Hotline centre staff who act on appeals: dispatchers and operators.
bool is_hotline(const identity::Principal& by, const Options& o) {
  return by.is_official() && by.dept_id == o.hotline_dept_id &&
         (by.has_role(identity::Role::clerk) || by.has_role(identity::Role::reviewer));
}

// Who reads every appeal: anyone of the hotline centre, supervisors and admins.
bool sees_all(const identity::Principal& by, const Options& o) {
  return by.is_official() &&
         (by.dept_id == o.hotline_dept_id || by.has_role(identity::Role::supervisor) ||
          by.has_role(identity::Role::admin));
}

struct Record {
  Appeal a;
  std::string identity_key;
};

bool is_handler(const identity::Principal& by, const Appeal& a) {
  return by.is_official() && !a.dept_id.empty() && by.dept_id == a.dept_id &&
         (by.has_role(identity::Role::clerk) || by.has_role(identity::Role::reviewer) ||
          by.has_role(identity::Role::approver));
}

bool is_appellant(const identity::Principal& by, const Appeal& a) {
  return !by.is_official() && !a.appellant.user_id.empty() && a.appellant.user_id == by.user_id;
}

bool may_see(const identity::Principal& by, const Appeal& a, const Options& o) {
  if (!by.is_official()) return is_appellant(by, a);
  if (sees_all(by, o)) return true;
  return !a.dept_id.empty() && by.dept_id == a.dept_id;
}

// Masks what this reader may not know of the appellant. The account id goes too: in a small
// department a user id is as good as a name.
void mask_for(Appeal& a, const identity::Principal& by, const Options& o) {
  if (is_appellant(by, a)) return;
  const bool hide = a.anonymous || (a.confidential && !is_hotline(by, o));
  if (!hide) return;
  const std::string user = a.appellant.user_id;
  a.appellant = Appellant{"", "", "", true};
  if (!user.empty() && a.entered_by == user) a.entered_by.clear();
}

// ---- Rows ---------------------------------------------------------------------------------------

constexpr const char* kColumns =
    "id, channel, type, title, text, location, lon, lat, photos_json, anonymous, confidential, "
    "appellant_user_id, appellant_name, appellant_phone, identity_key, entered_by, state, "
    "dept_id, suggested_dept, suggested_confidence, returned_once, return_reason, reply, "
    "callback_result, rating, supervision_count, merged_count, limit_days, created_at_ms, "
    "dispatched_at_ms, replied_at_ms, closed_at_ms, updated_at_ms, revision, public_consent, "
    "suggested_label, reply_check_json, linked_ref";

std::optional<double> opt_real(const store::Row& row, std::size_t i) {
  if (row.is_null(i)) return std::nullopt;
  return row.real(i);
}

template <class E, std::size_t N>
E enum_of(const std::array<std::string_view, N>& names, const std::string& s) {
  auto v = parse_enum<E>(names, s);
  if (!v) throw store::StoreError("appeals: unknown value in row: " + s);
  return *v;
}

std::string quality_json(const std::optional<ReplyQuality>& q) {
  if (!q) return "";
  Json issues = Json::array();
  for (const auto& i : q->issues) {
    issues.push_back(
        {{"code", i.code}, {"message_zh", i.message_zh}, {"message_en", i.message_en}});
  }
  return Json{{"score", q->score},
              {"relevance", q->relevance},
              {"late", q->late},
              {"weak", q->weak},
              {"issues", std::move(issues)}}
      .dump();
}

std::optional<ReplyQuality> quality_from_json(const std::string& text) {
  if (text.empty()) return std::nullopt;
  auto j = Json::parse(text);
  ReplyQuality q;
  q.score = j.at("score").get<double>();
  q.relevance = j.at("relevance").get<double>();
  q.late = j.at("late").get<bool>();
  q.weak = j.at("weak").get<bool>();
  for (const auto& i : j.at("issues")) {
    q.issues.push_back({i.at("code").get<std::string>(), i.at("message_zh").get<std::string>(),
                        i.at("message_en").get<std::string>()});
  }
  return q;
}

Record record_from_row(const store::Row& row) {
  Record r;
  Appeal& a = r.a;
  a.id = row.text(0);
  a.channel = enum_of<Channel>(kChannels, row.text(1));
  a.type = enum_of<Type>(kTypes, row.text(2));
  a.title = row.text(3);
  a.text = row.text(4);
  a.location = row.text(5);
  a.lon = opt_real(row, 6);
  a.lat = opt_real(row, 7);
  for (const auto& p : Json::parse(row.text(8))) a.photos.push_back(p.get<std::string>());
  a.anonymous = row.int64(9) != 0;
  a.confidential = row.int64(10) != 0;
  a.appellant = Appellant{row.text(11), row.text(12), row.text(13), false};
  r.identity_key = row.text(14);
  a.entered_by = row.text(15);
  a.state = enum_of<State>(kStates, row.text(16));
  a.dept_id = row.text(17);
  a.suggested_dept = row.text(18);
  a.suggested_confidence = opt_real(row, 19);
  a.returned_once = row.int64(20) != 0;
  a.return_reason = row.text(21);
  a.reply = row.text(22);
  a.callback_result = row.text(23);
  if (auto v = row.opt_int64(24)) a.rating = static_cast<int>(*v);
  a.supervision_count = static_cast<int>(row.int64(25));
  a.merged_count = static_cast<int>(row.int64(26));
  a.clock.limit_days = static_cast<int>(row.int64(27));
  a.created_at_ms = row.int64(28);
  a.dispatched_at_ms = row.opt_int64(29);
  a.replied_at_ms = row.opt_int64(30);
  a.closed_at_ms = row.opt_int64(31);
  a.updated_at_ms = row.int64(32);
  a.revision = row.int64(33);
  a.public_consent = row.int64(34) != 0;
  a.suggested_label = row.text(35);
  a.reply_check = quality_from_json(row.text(36));
  a.linked_ref = row.text(37);
  return r;
}

store::Value opt(const std::optional<core::Millis>& v) {
  if (v) return *v;
  return nullptr;
}
store::Value opt(const std::optional<double>& v) {
  if (v) return *v;
  return nullptr;
}

std::optional<Record> load(store::Tx& tx, std::string_view id) {
  auto row = tx.query_one(std::string("SELECT ") + kColumns + " FROM appeals WHERE id = ?",
                          {std::string(id)});
  if (!row) return std::nullopt;
  return record_from_row(*row);
}

void insert(store::Tx& tx, const Record& r, core::Millis now) {
  const Appeal& a = r.a;
  Json photos = a.photos;
  tx.exec(
      "INSERT INTO appeals (id, channel, type, title, text, location, lon, lat, photos_json, "
      "anonymous, confidential, appellant_user_id, appellant_name, appellant_phone, "
      "identity_key, entered_by, state, dept_id, suggested_dept, suggested_confidence, "
      "returned_once, return_reason, reply, callback_result, rating, supervision_count, "
      "merged_count, limit_days, created_at_ms, last_submitted_at_ms, dispatched_at_ms, "
      "replied_at_ms, closed_at_ms, updated_at_ms, revision, public_consent, suggested_label, "
      "reply_check_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
      "?, ?, ?, NULL, 0, 0, ?, ?, ?, NULL, NULL, NULL, ?, ?, ?, ?, '')",
      {a.id,
       std::string(to_string(a.channel)),
       std::string(to_string(a.type)),
       a.title,
       a.text,
       a.location,
       opt(a.lon),
       opt(a.lat),
       photos.dump(),
       std::int64_t{a.anonymous ? 1 : 0},
       std::int64_t{a.confidential ? 1 : 0},
       a.appellant.user_id,
       a.appellant.name,
       a.appellant.phone,
       r.identity_key,
       a.entered_by,
       std::string(to_string(a.state)),
       a.dept_id,
       a.suggested_dept,
       opt(a.suggested_confidence),
       std::int64_t{0},
       std::string(),
       std::string(),
       std::string(),
       std::int64_t{a.clock.limit_days},
       a.created_at_ms,
       now,
       a.updated_at_ms,
       a.revision,
       std::int64_t{a.public_consent ? 1 : 0},
       a.suggested_label});
}

// Writes the mutable part; false when the row changed since it was read at `read_revision`.
bool update(store::Tx& tx, const Appeal& a, std::int64_t read_revision) {
  store::Value rating = nullptr;
  if (a.rating) rating = std::int64_t{*a.rating};
  return tx.exec(
             "UPDATE appeals SET state = ?, dept_id = ?, suggested_dept = ?, "
             "suggested_confidence = ?, returned_once = ?, return_reason = ?, reply = ?, "
             "callback_result = ?, rating = ?, supervision_count = ?, dispatched_at_ms = ?, "
             "replied_at_ms = ?, closed_at_ms = ?, updated_at_ms = ?, revision = ?, "
             "suggested_label = ?, reply_check_json = ?, linked_ref = ? WHERE id = ? AND "
             "revision = ?",
             {std::string(to_string(a.state)),
              a.dept_id,
              a.suggested_dept,
              opt(a.suggested_confidence),
              std::int64_t{a.returned_once ? 1 : 0},
              a.return_reason,
              a.reply,
              a.callback_result,
              rating,
              std::int64_t{a.supervision_count},
              opt(a.dispatched_at_ms),
              opt(a.replied_at_ms),
              opt(a.closed_at_ms),
              a.updated_at_ms,
              a.revision,
              a.suggested_label,
              quality_json(a.reply_check),
              a.linked_ref,
              a.id,
              read_revision}) == 1;
}

// What an event keeps of the appeal: codes and counters, no personal data and no free text.
std::string summary_json(const Appeal& a) {
  return Json{{"id", a.id},
              {"type", to_string(a.type)},
              {"channel", to_string(a.channel)},
              {"state", to_string(a.state)},
              {"dept_id", a.dept_id},
              {"returned_once", a.returned_once},
              {"supervision_count", a.supervision_count},
              {"merged_count", a.merged_count},
              {"revision", a.revision}}
      .dump();
}

void append_event(store::Tx& tx, const core::Clock& clock, std::string type, const Appeal& a,
                  const events::Actor& actor, std::string reason, std::string before, Json data) {
  events::NewEvent e;
  e.type = std::move(type);
  e.subject_type = "appeal";
  e.subject_id = a.id;
  e.actor = actor;
  e.reason = std::move(reason);
  e.before_json = std::move(before);
  e.after_json = summary_json(a);
  e.data_json = data.dump();
  events::append(tx, clock, e);
}


// The clock from intake, stopped at the reply.
void fill_clock(Appeal& a, const core::WorkingCalendar& calendar, core::Millis now,
                int yellow_days) {
  const bool stopped = a.replied_at_ms.has_value();
  auto r = core::read_clock(calendar, a.created_at_ms, a.clock.limit_days, {},
                            stopped ? *a.replied_at_ms : now, false, yellow_days);
  a.clock.used_days = r.used_days;
  a.clock.remaining_days = r.remaining_days;
  a.clock.deadline = r.deadline;
  a.clock.alert = r.alert;
  a.clock.stopped = stopped;
}

bool replied_on_time(const core::WorkingCalendar& calendar, core::Millis created_at_ms,
                     int limit_days, core::Millis replied_at_ms, int yellow_days) {
  Appeal a;
  a.created_at_ms = created_at_ms;
  a.clock.limit_days = limit_days;
  a.replied_at_ms = replied_at_ms;
  fill_clock(a, calendar, replied_at_ms, yellow_days);
  return a.clock.alert != core::Alert::red;
}

Result<core::WorkingCalendar> calendar_of(const Options& o) {
  if (o.calendar) return o.calendar();
  return core::WorkingCalendar::china_2026();
}

Status check_dept(identity::Service& ids, const std::string& dept_id, const std::string& field) {
  if (dept_id.empty()) return bad(field, "请选择承办部门", "a department is required");
  auto d = ids.get_department(dept_id);
  if (!d) {
    if (d.error().code != ErrorCode::not_found) return fail(d.error());
    return bad(field, "部门不存在：" + dept_id, "no such department: " + dept_id);
  }
  return {};
}

bool limit_bounds_ok(int days) {
  return days >= 1 && days <= 60;
}

}  // namespace

// ---- Names ----------------------------------------------------------------------------------

std::string_view to_string(Channel c) {
  return kChannels.at(static_cast<std::size_t>(c));
}
std::string_view to_string(Type t) {
  return kTypes.at(static_cast<std::size_t>(t));
}
std::string_view to_string(State s) {
  return kStates.at(static_cast<std::size_t>(s));
}
std::string_view to_string(Action a) {
  return kActions.at(static_cast<std::size_t>(a));
}
std::optional<Channel> parse_channel(std::string_view s) {
  return parse_enum<Channel>(kChannels, s);
}
std::optional<Type> parse_type(std::string_view s) {
  return parse_enum<Type>(kTypes, s);
}
std::optional<State> parse_state(std::string_view s) {
  return parse_enum<State>(kStates, s);
}
std::optional<Action> parse_action(std::string_view s) {
  return parse_enum<Action>(kActions, s);
}
std::string_view event_type(Action a) {
  return kEventTypes.at(static_cast<std::size_t>(a));
}

int default_limit_days(Type t) {
  return t == Type::consult || t == Type::help ? 3 : 13;
}

std::vector<store::Migration> migrations() {
  return generated::appeals_migrations();
}

std::optional<Appeal> find(store::Tx& tx, std::string_view id) {
  auto r = load(tx, id);
  if (!r) return std::nullopt;
  return std::move(r->a);
}

std::optional<std::string> party_of(store::Tx& tx, std::string_view id) {
  auto r = load(tx, id);
  if (!r || r->a.anonymous) return std::nullopt;
  return r->identity_key;
}

Service::Service(store::Store& store, const core::Clock& clock, core::Random& random,
                 identity::Service& identity, Options options)
    : impl_(std::make_unique<Impl>(Impl{store, clock, random, identity, std::move(options)})) {}

Service::~Service() = default;

// ---- Intake ---------------------------------------------------------------------------------

Result<SubmitResult> Service::submit(const NewAppeal& n, const identity::Principal& by) {
  Impl& m = *impl_;
  const Options& o = m.options;
  if (n.channel == Channel::phone) {
    if (!is_hotline(by, o)) {
      return fail(ErrorCode::forbidden, "/channel", "只有 12345 热线话务员可以录入来电",
                  "only hotline operators may enter phone calls");
    }
    if (!n.caller) return bad("/caller", "请填写来电人信息", "caller is required for phone calls");
  } else {
    if (by.is_official()) {
      return fail(ErrorCode::forbidden, "/channel", "工作人员只能通过来电渠道代为登记诉求",
                  "officials enter appeals for callers through the phone channel only");
    }
    if (n.caller) {
      return bad("/caller", "网上诉求的诉求人即登录用户本人",
                 "caller is for phone calls only; online appeals are one's own");
    }
  }
  if (auto st = check_text(n.title, "/title", 1, 200, false, "标题", "title"); !st)
    return fail(st.error());
  if (auto st = check_text(n.text, "/text", 1, 5000, true, "诉求内容", "text"); !st)
    return fail(st.error());
  if (auto st = check_text(n.location, "/location", 0, 500, false, "地点", "location"); !st)
    return fail(st.error());
  if (n.lon.has_value() != n.lat.has_value()) {
    return bad(n.lon ? "/lat" : "/lon", "经度和纬度须同时提供", "lon and lat go together");
  }
  if (n.lon && (!std::isfinite(*n.lon) || *n.lon < -180 || *n.lon > 180)) {
    return bad("/lon", "经度应在 -180 到 180 之间", "lon must be within -180..180");
  }
  if (n.lat && (!std::isfinite(*n.lat) || *n.lat < -90 || *n.lat > 90)) {
    return bad("/lat", "纬度应在 -90 到 90 之间", "lat must be within -90..90");
  }
  if (n.photos.size() > 9) return bad("/photos", "照片最多 9 张", "at most 9 photos");
  for (std::size_t i = 0; i < n.photos.size(); ++i) {
    const std::string at = "/photos/" + std::to_string(i);
    if (!is_hex64(n.photos[i])) {
      return bad(at, "照片引用应为 64 位小写十六进制的 SHA-256",
                 "a photo is referenced by its sha256: 64 lower-case hex digits");
    }
    if (std::find(n.photos.begin(), n.photos.begin() + static_cast<std::ptrdiff_t>(i),
                  n.photos[i]) != n.photos.begin() + static_cast<std::ptrdiff_t>(i)) {
      return bad(at, "照片重复", "duplicate photo");
    }
  }
  if (n.caller) {
    const auto& c = *n.caller;
    if (auto st = check_text(c.name, "/caller/name", 0, 100, false, "来电人姓名", "caller name");
        !st)
      return fail(st.error());
    bool phone_ok = !c.phone.empty() && c.phone.size() <= 32 &&
                    std::all_of(c.phone.begin(), c.phone.end(), [](char ch) {
                      return (ch >= '0' && ch <= '9') || ch == '+' || ch == '-' || ch == ' ';
                    });
    if (!phone_ok) {
      return bad("/caller/phone", "来电号码无效", "caller phone must be digits (+, -, spaces)");
    }
  }
  if (auto r = find_redirect(n.title + "\n" + n.text)) {
    return bad("/text", r->message_zh, r->message_en);
  }
  if (n.idempotency_key.size() > 100 ||
      !std::all_of(n.idempotency_key.begin(), n.idempotency_key.end(),
                   [](char ch) { return ch > ' ' && ch < 0x7f; })) {
    return bad("/idempotency_key", "幂等键应为不超过 100 个可打印 ASCII 字符",
               "Idempotency-Key must be at most 100 printable ASCII characters");
  }

  Record base;
  Appeal& a = base.a;
  a.channel = n.channel;
  a.type = n.type;
  a.title = n.title;
  a.text = n.text;
  a.location = n.location;
  a.lon = n.lon;
  a.lat = n.lat;
  a.photos = n.photos;
  a.anonymous = n.anonymous;
  a.confidential = n.confidential;
  a.public_consent = n.public_consent;
  a.entered_by = by.user_id;
  a.state = State::accepted;
  a.revision = 1;
  base.identity_key = identity_key_of(n, by);
  if (n.channel == Channel::phone) {
    if (!n.anonymous) a.appellant = Appellant{"", n.caller->name, n.caller->phone, false};
  } else {
    a.appellant.user_id = by.user_id;
    if (!n.anonymous) {
      a.appellant.name = by.display_name;
      a.appellant.phone = by.phone;
    }
  }
  auto calendar = calendar_of(o);
  if (!calendar) return fail(calendar.error());
  const std::string matter = n.title + "\n" + n.text;
  const events::Actor actor = identity::actor_of(by);

  Result<SubmitResult> result = fail(ErrorCode::internal, "", "内部错误", "internal error");
  for (int attempt = 0; attempt < 5; ++attempt) {
    bool id_taken = false;
    result = m.store.write([&](store::Tx& tx) -> Result<SubmitResult> {
      id_taken = false;
      const core::Millis now = m.clock.now_ms();
      if (!n.idempotency_key.empty()) {
        if (auto seen =
                tx.query_one("SELECT appeal_id FROM appeal_idempotency WHERE identity_key = ? AND "
                             "idempotency_key = ?",
                             {base.identity_key, n.idempotency_key})) {
          return fail(ErrorCode::conflict, "/idempotency_key",
                      "重复提交：该诉求已受理，编号 " + seen->text(0),
                      "replayed submission: already filed as " + seen->text(0));
        }
      }
      auto recent = tx.query_one(
          "SELECT COUNT(*), MIN(at_ms) FROM appeal_submissions WHERE identity_key = ? AND at_ms > "
          "?",
          {base.identity_key, now - o.rate_window_ms});
      if (recent && recent->int64(0) >= o.rate_limit) {
        Error e{ErrorCode::rate_limited, "",
                "提交过于频繁：每小时最多 " + std::to_string(o.rate_limit) + " 件，请稍后再试",
                "too many appeals: at most " + std::to_string(o.rate_limit) +
                    " per hour; try again later"};
        // The oldest submission in the window leaves it first.
        e.retry_after_s = static_cast<int>(
            std::max<core::Millis>(1, (recent->int64(1) + o.rate_window_ms - now + 999) / 1000));
        return fail(std::move(e));
      }
      auto remember_key = [&](const std::string& appeal_id) {
        if (n.idempotency_key.empty()) return;
        tx.exec(
            "INSERT INTO appeal_idempotency (identity_key, idempotency_key, appeal_id, at_ms) "
            "VALUES (?, ?, ?, ?)",
            {base.identity_key, n.idempotency_key, appeal_id, now});
      };
      if (o.photo_check) {
        for (std::size_t i = 0; i < n.photos.size(); ++i) {
          if (auto st = o.photo_check(tx, n.photos[i], by); !st) {
            Error e = st.error();
            e.field = "/photos/" + std::to_string(i);
            return fail(std::move(e));
          }
        }
      }

      // The same matter again from the same person while the first is open: merged into it.
      std::optional<std::string> best_id;
      double best = 0;
      for (const auto& row : tx.query(
               std::string("SELECT id, title, text FROM appeals WHERE identity_key = ? AND state "
                           "IN ") +
                   kMergeableStates +
                   " AND last_submitted_at_ms >= ? ORDER BY last_submitted_at_ms DESC, id "
                   "LIMIT 50",
               {base.identity_key, now - o.merge_window_ms})) {
        double s = similarity(matter, row.text(1) + "\n" + row.text(2));
        if (s >= o.merge_threshold && s > best) {
          best = s;
          best_id = row.text(0);
        }
      }
      if (best_id) {
        auto r = load(tx, *best_id);
        if (!r) throw store::StoreError("appeals: lost a row just read");
        const std::string before = summary_json(r->a);
        tx.exec(
            "UPDATE appeals SET merged_count = merged_count + 1, last_submitted_at_ms = ?, "
            "updated_at_ms = ?, revision = revision + 1 WHERE id = ?",
            {now, now, *best_id});
        tx.exec(
            "INSERT INTO appeal_submissions (identity_key, at_ms, appeal_id, title, text, "
            "similarity) VALUES (?, ?, ?, ?, ?, ?)",
            {base.identity_key, now, *best_id, n.title, n.text, best});
        r->a.merged_count += 1;
        r->a.updated_at_ms = now;
        r->a.revision += 1;
        remember_key(*best_id);
        append_event(tx, m.clock, "appeal.merged", r->a, actor, "", before,
                     Json{{"similarity", std::round(best * 1000) / 1000},
                          {"channel", to_string(n.channel)}});
        fill_clock(r->a, *calendar, now, o.yellow_days);
        return SubmitResult{std::move(r->a), true, best};
      }

      Record rec = base;
      Appeal& k = rec.a;
      k.created_at_ms = now;
      k.updated_at_ms = now;
      k.id = "AP" + core::compact_date(core::china_date(now)) + m.random.digits(8);
      auto limit = tx.query_one("SELECT days FROM appeal_limits WHERE type = ?",
                                {std::string(to_string(k.type))});
      k.clock.limit_days = limit ? static_cast<int>(limit->int64(0)) : default_limit_days(k.type);
      try {
        insert(tx, rec, now);
        for (const auto& sha : k.photos) {
          tx.exec("INSERT INTO appeal_photos (sha256, appeal_id) VALUES (?, ?)", {sha, k.id});
        }
      } catch (const store::ConstraintViolation&) {
        id_taken = true;
        return fail(ErrorCode::conflict, "", "诉求编号冲突", "appeal id taken");
      }
      tx.exec(
          "INSERT INTO appeal_submissions (identity_key, at_ms, appeal_id, title, text, "
          "similarity) VALUES (?, ?, ?, ?, ?, NULL)",
          {base.identity_key, now, k.id, n.title, n.text});
      remember_key(k.id);
      append_event(tx, m.clock, "appeal.accepted", k, actor, "", "",
                   Json{{"action", "submit"},
                        {"from", ""},
                        {"to", "accepted"},
                        {"channel", to_string(k.channel)},
                        {"type", to_string(k.type)},
                        {"limit_days", k.clock.limit_days}});
      fill_clock(k, *calendar, now, o.yellow_days);
      return SubmitResult{std::move(k), false, 0};
    });
    if (result || !id_taken) break;
  }
  if (result) mask_for(result->appeal, by, o);
  return result;
}

// ---- Reading --------------------------------------------------------------------------------

bool Service::may_see_photo(store::Tx& tx, std::string_view sha256, const identity::Principal& by) {
  for (const auto& row :
       tx.query("SELECT appeal_id FROM appeal_photos WHERE sha256 = ?", {std::string(sha256)})) {
    auto r = load(tx, row.text(0));
    if (r && may_see(by, r->a, impl_->options)) return true;
  }
  return false;
}

std::optional<std::string> Service::filed_under(const NewAppeal& n, const identity::Principal& by) {
  if (n.idempotency_key.empty()) return std::nullopt;
  auto id = impl_->store.read([&](store::Tx& tx) -> Result<std::optional<std::string>> {
    auto row = tx.query_one(
        "SELECT appeal_id FROM appeal_idempotency WHERE identity_key = ? AND "
        "idempotency_key = ?",
        {identity_key_of(n, by), n.idempotency_key});
    if (!row) return std::nullopt;
    return row->text(0);
  });
  return id ? *id : std::nullopt;
}

Result<AppealDetail> Service::get(std::string_view id, const identity::Principal& by) {
  Impl& m = *impl_;
  auto calendar = calendar_of(m.options);
  if (!calendar) return fail(calendar.error());
  return m.store.read([&](store::Tx& tx) -> Result<AppealDetail> {
    auto r = load(tx, id);
    if (!r || !may_see(by, r->a, m.options)) return not_found();
    AppealDetail d;
    d.appeal = std::move(r->a);
    fill_clock(d.appeal, *calendar, m.clock.now_ms(), m.options.yellow_days);
    const std::string appellant = d.appeal.appellant.user_id;
    mask_for(d.appeal, by, m.options);
    const bool hidden = d.appeal.appellant.hidden;
    events::Filter f;
    f.subject_type = "appeal";
    f.subject_id = std::string(id);
    f.limit = 1000;
    for (;;) {
      auto batch = events::list(tx, f);
      for (const auto& e : batch) {
        Transition t;
        t.seq = e.seq;
        t.event = e.type;
        auto data = Json::parse(e.data_json.empty() ? "{}" : e.data_json, nullptr, false);
        auto after = Json::parse(e.after_json.empty() ? "{}" : e.after_json, nullptr, false);
        auto before = Json::parse(e.before_json.empty() ? "{}" : e.before_json, nullptr, false);
        if (before.is_object()) t.from_state = before.value("state", "");
        if (after.is_object()) t.to_state = after.value("state", "");
        t.actor_user_id = hidden && e.actor.user_id == appellant ? "" : e.actor.user_id;
        t.actor_role = e.actor.role;
        t.actor_dept_id = e.actor.dept_id;
        t.reason = e.reason;
        t.at_ms = e.at_ms;
        d.history.push_back(std::move(t));
      }
      if (batch.size() < static_cast<std::size_t>(f.limit)) break;
      f.after_seq = batch.back().seq;
    }
    return d;
  });
}

Result<AppealList> Service::list(const Query& q, const identity::Principal& by) {
  Impl& m = *impl_;
  std::string where = " WHERE 1 = 1";
  store::Params params;
  if (!by.is_official()) {
    where += " AND appellant_user_id = ?";
    params.push_back(by.user_id);
  } else if (!sees_all(by, m.options)) {
    where += " AND dept_id = ?";
    params.push_back(by.dept_id);
  }
  if (!q.dept_id.empty()) {
    where += " AND dept_id = ?";
    params.push_back(q.dept_id);
  }
  if (q.state) {
    where += " AND state = ?";
    params.push_back(std::string(to_string(*q.state)));
  }
  if (q.type) {
    where += " AND type = ?";
    params.push_back(std::string(to_string(*q.type)));
  }
  store::Params page = params;
  page.push_back(std::int64_t{std::clamp(q.limit, 1, 200)});
  page.push_back(std::int64_t{std::max(q.offset, 0)});
  auto calendar = calendar_of(m.options);
  if (!calendar) return fail(calendar.error());
  return m.store.read([&](store::Tx& tx) -> Result<AppealList> {
    AppealList out;
    auto count = tx.query_one("SELECT COUNT(*) FROM appeals" + where, params);
    out.total = count ? count->int64(0) : 0;
    const core::Millis now = m.clock.now_ms();
    for (const auto& row : tx.query(std::string("SELECT ") + kColumns + " FROM appeals" + where +
                                        " ORDER BY created_at_ms DESC, id DESC LIMIT ? OFFSET ?",
                                    page)) {
      Record r = record_from_row(row);
      fill_clock(r.a, *calendar, now, m.options.yellow_days);
      mask_for(r.a, by, m.options);
      out.appeals.push_back(std::move(r.a));
    }
    return out;
  });
}

// ---- Acting ---------------------------------------------------------------------------------

namespace {

struct Rule {
  std::vector<State> from;
  State to;
};

// The state machine: where each action may start and where it leads (supervise stays).
Rule rule_of(Action a) {
  switch (a) {
    case Action::dispatch:
      return {{State::accepted}, State::dispatched};
    case Action::send_back:
      return {{State::dispatched, State::handling}, State::returned};
    case Action::arbitrate:
      return {{State::returned}, State::dispatched};
    case Action::receive:
      return {{State::dispatched}, State::handling};
    case Action::reply:
      return {{State::handling}, State::replied};
    case Action::supervise:
      return {{State::dispatched, State::returned, State::handling}, State::dispatched};
    case Action::close:
      return {{State::replied}, State::closed};
    case Action::callback:
      return {{State::closed}, State::called_back};
    case Action::rate:
      return {{State::closed, State::called_back}, State::rated};
  }
  return {{}, State::accepted};
}

tl::unexpected<Error> forbidden(std::string zh, std::string en) {
  return fail(ErrorCode::forbidden, "", std::move(zh), std::move(en));
}

Status check_role(Action action, const Appeal& a, const identity::Principal& by, const Options& o) {
  switch (action) {
    case Action::dispatch:
    case Action::arbitrate:
    case Action::close:
    case Action::callback:
      if (is_hotline(by, o)) return {};
      return forbidden("只有 12345 热线中心可以执行此操作",
                       "only the hotline centre may " + std::string(to_string(action)));
    case Action::send_back:
    case Action::receive:
    case Action::reply:
      if (is_handler(by, a)) return {};
      return forbidden("只有承办部门可以执行此操作",
                       "only the handling department may " + std::string(to_string(action)));
    case Action::supervise:
      if (is_official_with(by, identity::Role::supervisor)) return {};
      return forbidden("只有监察人员可以督办", "only supervisors may supervise");
    case Action::rate:
      if (is_appellant(by, a)) return {};
      // A caller without an account rates on the callback call; the hotline records it.
      if (a.appellant.user_id.empty() && is_hotline(by, o)) return {};
      return forbidden("只有诉求人可以评价", "only the appellant may rate");
  }
  return forbidden("无权操作", "not allowed");
}

// Fields that belong to another action are refused rather than silently dropped.
// The checker's relevance and completeness, and timeliness read from the appeal's clock now.
Result<ReplyQuality> quality_of(const Options& o, const Appeal& a, std::string_view reply) {
  auto q = o.reply_checker(a.title + "\n" + a.text, reply);
  if (!q) {
    Error e = q.error();
    if (e.code == ErrorCode::invalid_input) e.field = "/reply";
    return fail(std::move(e));
  }
  q->late = a.clock.alert == core::Alert::red;
  if (q->late) {
    q->score = std::max(0.0, q->score - kLatePenalty);
    q->issues.push_back(
        {"late", "答复已超过办理时限（" + std::to_string(a.clock.limit_days) + " 个工作日）",
         "the reply is past the limit of " + std::to_string(a.clock.limit_days) + " working days"});
  }
  q->weak = q->score < kWeakReplyBelow;
  return q;
}

std::string issue_list(const ReplyQuality& q, bool zh) {
  std::string out;
  for (const auto& i : q.issues) {
    if (!out.empty()) out += zh ? "；" : "; ";
    out += zh ? i.message_zh : i.message_en;
  }
  return out;
}

Status check_fields(const ActionRequest& r) {
  const Action a = r.action;
  auto unused = [](const char* field) {
    return bad(field, "此操作不使用该字段", "this action does not take this field");
  };
  if (!r.dept_id.empty() && a != Action::dispatch && a != Action::arbitrate)
    return unused("/dept_id");
  if (!r.reply.empty() && a != Action::reply) return unused("/reply");
  if (!r.result.empty() && a != Action::callback) return unused("/result");
  if (r.level && a != Action::rate) return unused("/level");
  if ((!r.suggested_dept.empty() || r.confidence) && a != Action::dispatch) {
    return unused(r.suggested_dept.empty() ? "/confidence" : "/suggested_dept");
  }
  if (auto st = check_text(r.reason, "/reason", 0, 2000, true, "理由", "reason"); !st) return st;
  if ((a == Action::send_back || a == Action::arbitrate) && r.reason.empty()) {
    return bad("/reason", a == Action::send_back ? "退回须说明理由" : "仲裁须说明理由",
               "a reason is required");
  }
  if (a == Action::reply) {
    if (auto st = check_text(r.reply, "/reply", 1, 5000, true, "答复内容", "reply"); !st) return st;
  }
  if (a == Action::callback) {
    if (auto st = check_text(r.result, "/result", 1, 2000, true, "回访结果", "callback result");
        !st)
      return st;
  }
  if (a == Action::rate && (!r.level || *r.level < 1 || *r.level > 5)) {
    return bad("/level", "评价等级应为 1–5", "level must be 1–5");
  }
  if (r.confidence && (!std::isfinite(*r.confidence) || *r.confidence < 0 || *r.confidence > 1)) {
    return bad("/confidence", "置信度应在 0 到 1 之间", "confidence must be within 0..1");
  }
  if (r.confidence.has_value() != !r.suggested_dept.empty()) {
    return bad(r.confidence ? "/suggested_dept" : "/confidence", "建议部门和置信度须同时提供",
               "suggested_dept and confidence go together");
  }
  return {};
}

}  // namespace

Result<Appeal> Service::act(std::string_view id, const ActionRequest& req,
                            const identity::Principal& by) {
  Impl& m = *impl_;
  const Options& o = m.options;
  if (auto st = check_fields(req); !st) return fail(st.error());
  // Whom it goes to: the dispatcher's choice, or a suggestion confident enough to follow.
  std::string target = req.dept_id;
  if (req.action == Action::dispatch && target.empty() && req.confidence &&
      *req.confidence >= o.auto_dispatch_confidence) {
    target = req.suggested_dept;
  }
  if (req.action == Action::dispatch || req.action == Action::arbitrate) {
    if (auto st = check_dept(m.identity, target, "/dept_id"); !st) return fail(st.error());
  }
  auto calendar = calendar_of(o);
  if (!calendar) return fail(calendar.error());

  auto out = m.store.write([&](store::Tx& tx) -> Result<Appeal> {
    auto r = load(tx, id);
    if (!r || !may_see(by, r->a, o)) return not_found();
    Appeal a = r->a;
    if (req.expected_revision && *req.expected_revision != a.revision) {
      return fail(
          ErrorCode::conflict, "/expected_revision", "诉求已被他人修改，请刷新后重试",
          "the appeal changed since you read it (revision " + std::to_string(a.revision) + ")");
    }
    if (auto st = check_role(req.action, a, by, o); !st) return fail(st.error());
    const Rule rule = rule_of(req.action);
    if (std::find(rule.from.begin(), rule.from.end(), a.state) == rule.from.end()) {
      return fail(ErrorCode::conflict, "/action",
                  "诉求当前状态（" + std::string(to_string(a.state)) + "）不允许此操作",
                  "action " + std::string(to_string(req.action)) + " is not allowed in state " +
                      std::string(to_string(a.state)));
    }
    const core::Millis now = m.clock.now_ms();
    fill_clock(a, *calendar, now, o.yellow_days);
    const State from = a.state;
    Json data{{"action", to_string(req.action)}, {"from", to_string(from)}};
    switch (req.action) {
      case Action::dispatch:
      case Action::arbitrate:
        a.dept_id = target;
        a.dispatched_at_ms = now;
        data["dept_id"] = target;
        if (req.action == Action::dispatch && !req.suggested_dept.empty()) {
          a.suggested_dept = req.suggested_dept;
          a.suggested_confidence = req.confidence;
          data["suggested_dept"] = req.suggested_dept;
          data["confidence"] = *req.confidence;
          // A dispatcher overriding the classifier: a labelled example for retraining.
          data["corrected"] = target != req.suggested_dept;
        }
        break;
      case Action::send_back:
        if (a.returned_once) {
          return fail(ErrorCode::conflict, "/action",
                      "该诉求已退回过一次，须按热线中心仲裁结果办理",
                      "this appeal was returned once already; the hotline's arbitration stands");
        }
        a.returned_once = true;
        a.return_reason = req.reason;
        data["dept_id"] = a.dept_id;
        break;
      case Action::reply:
        if (o.reply_checker) {
          auto q = quality_of(o, a, req.reply);
          if (!q) return fail(q.error());
          if (q->weak && !req.confirm_weak) {
            return fail(ErrorCode::unprocessable, "/reply",
                        "答复质量较弱（" + std::to_string(static_cast<int>(q->score)) + " 分）：" +
                            issue_list(*q, true) + "。请修改，或确认仍然提交。",
                        "weak reply (score " + std::to_string(static_cast<int>(q->score)) +
                            "): " + issue_list(*q, false) + ". Revise it, or confirm to send it.");
          }
          data["reply_score"] = std::round(q->score * 10) / 10;
          data["reply_weak"] = q->weak;
          a.reply_check = std::move(*q);
        }
        a.reply = req.reply;
        a.replied_at_ms = now;
        data["on_time"] = a.clock.alert != core::Alert::red;
        break;
      case Action::supervise:
        if (a.clock.alert != core::Alert::red) {
          return fail(ErrorCode::conflict, "/action", "诉求尚未超期，不能督办",
                      "only an overdue appeal is supervised");
        }
        a.supervision_count += 1;
        data["remaining_days"] = a.clock.remaining_days;
        break;
      case Action::close:
        a.closed_at_ms = now;
        break;
      case Action::callback:
        a.callback_result = req.result;
        break;
      case Action::rate:
        a.rating = *req.level;
        data["level"] = *req.level;
        break;
      case Action::receive:
        break;
    }
    a.state = req.action == Action::supervise ? from : rule.to;
    data["to"] = to_string(a.state);
    a.updated_at_ms = now;
    a.revision += 1;
    if (!update(tx, a, r->a.revision)) {
      return fail(ErrorCode::conflict, "", "诉求已被他人修改，请刷新后重试",
                  "the appeal changed concurrently");
    }
    std::string reason = req.reason;
    if (req.action == Action::reply) reason = req.reply;  // the reply is the act's document
    if (req.action == Action::callback) reason = req.result;
    append_event(tx, m.clock, std::string(event_type(req.action)), a, identity::actor_of(by), reason,
                 summary_json(r->a), std::move(data));
    fill_clock(a, *calendar, now, o.yellow_days);
    return a;
  });
  if (out) mask_for(*out, by, o);
  return out;
}

Result<Appeal> Service::auto_dispatch(std::string_view id, std::string_view dept_id,
                                      double confidence, std::string_view label) {
  auto calendar = calendar_of(impl_->options);
  if (!calendar) return fail(calendar.error());
  auto a = impl_->store.write(
      [&](store::Tx& tx) { return auto_dispatch(tx, id, dept_id, confidence, label); });
  if (a) fill_clock(*a, *calendar, impl_->clock.now_ms(), impl_->options.yellow_days);
  return a;
}

Result<Appeal> Service::auto_dispatch(store::Tx& tx, std::string_view id, std::string_view dept_id,
                                      double confidence, std::string_view label) {
  Impl& m = *impl_;
  const Options& o = m.options;
  if (!std::isfinite(confidence) || confidence < 0 || confidence > 1) {
    return bad("/confidence", "置信度应在 0 到 1 之间", "confidence must be within 0..1");
  }
  const std::string dept(dept_id);
  // Read in the caller's transaction: a follower may not open another one.
  if (dept.empty() || !tx.query_one("SELECT id FROM departments WHERE id = ?", {dept})) {
    return bad("/dept_id", "没有这个部门：" + dept, "no such department: " + dept);
  }
  const bool confident = confidence >= o.auto_dispatch_confidence;
  auto r = load(tx, id);
  if (!r) return not_found();
  Appeal a = r->a;
  if (a.state != State::accepted) {
    return fail(ErrorCode::conflict, "/action", "诉求已派单",
                "the appeal is no longer waiting for dispatch");
  }
  const core::Millis now = m.clock.now_ms();
  a.suggested_dept = dept;
  a.suggested_confidence = confidence;
  a.suggested_label = std::string(label);
  Json data{{"action", confident ? "dispatch" : "classify"},
            {"from", "accepted"},
            {"suggested_dept", dept},
            {"label", label},
            {"confidence", confidence}};
  if (confident) {
    a.state = State::dispatched;
    a.dept_id = dept;
    a.dispatched_at_ms = now;
    data["dept_id"] = dept;
  }
  data["to"] = to_string(a.state);
  a.updated_at_ms = now;
  a.revision += 1;
  if (!update(tx, a, r->a.revision)) {
    return fail(ErrorCode::conflict, "", "诉求已被他人修改", "the appeal changed concurrently");
  }
  append_event(tx, m.clock, confident ? "appeal.dispatched" : "appeal.classified", a,
               events::Actor{"", "system", ""}, "", summary_json(r->a), std::move(data));
  return a;
}

Status Service::link(store::Tx& tx, std::string_view id, std::string_view ref) {
  Impl& m = *impl_;
  auto r = load(tx, id);
  if (!r) return not_found();
  Appeal a = r->a;
  if (!a.linked_ref.empty()) {
    return fail(ErrorCode::conflict, "", "诉求已关联案件 " + a.linked_ref,
                "the appeal is linked to " + a.linked_ref + " already");
  }
  a.linked_ref = std::string(ref);
  a.updated_at_ms = m.clock.now_ms();
  a.revision += 1;
  if (!update(tx, a, r->a.revision)) {
    return fail(ErrorCode::conflict, "", "诉求已被他人修改", "the appeal changed concurrently");
  }
  append_event(tx, m.clock, "appeal.linked", a, events::Actor{"", "system", ""}, "",
               summary_json(r->a), Json{{"ref", ref}});
  return {};
}

Status Service::answer_linked(store::Tx& tx, std::string_view id, std::string_view reply) {
  Impl& m = *impl_;
  auto r = load(tx, id);
  if (!r) return not_found();
  Appeal a = r->a;
  if (a.state != State::dispatched && a.state != State::handling) {
    return fail(ErrorCode::conflict, "/action", "诉求当前状态不能答复",
                "the appeal is not waiting for an answer");
  }
  const events::Actor system{"", "system", a.dept_id};
  const core::Millis now = m.clock.now_ms();
  if (a.state == State::dispatched) {
    Appeal received = a;
    received.state = State::handling;
    received.updated_at_ms = now;
    received.revision += 1;
    if (!update(tx, received, a.revision)) {
      return fail(ErrorCode::conflict, "", "诉求已被他人修改", "the appeal changed concurrently");
    }
    append_event(tx, m.clock, "appeal.received", received, system, "", summary_json(a),
                 Json{{"action", "receive"}, {"from", "dispatched"}, {"to", "handling"}});
    a = received;
  }
  const Appeal before = a;
  a.state = State::replied;
  a.reply = std::string(reply);
  a.replied_at_ms = now;
  a.updated_at_ms = now;
  a.revision += 1;
  if (!update(tx, a, before.revision)) {
    return fail(ErrorCode::conflict, "", "诉求已被他人修改", "the appeal changed concurrently");
  }
  append_event(
      tx, m.clock, "appeal.replied", a, system, a.reply, summary_json(before),
      Json{{"action", "reply"}, {"from", "handling"}, {"to", "replied"}, {"ref", a.linked_ref}});
  return {};
}

Result<ReplyQuality> Service::check_reply(std::string_view id, std::string_view reply,
                                          const identity::Principal& by) {
  Impl& m = *impl_;
  const Options& o = m.options;
  if (!o.reply_checker) {
    return fail(ErrorCode::conflict, "", "未配置答复质量检查", "reply checks are not configured");
  }
  auto calendar = calendar_of(o);
  if (!calendar) return fail(calendar.error());
  return m.store.read([&](store::Tx& tx) -> Result<ReplyQuality> {
    auto r = load(tx, id);
    if (!r || !may_see(by, r->a, o)) return not_found();
    if (!is_handler(by, r->a) && !is_hotline(by, o) &&
        !is_official_with(by, identity::Role::admin)) {
      return fail(ErrorCode::forbidden, "", "只有承办部门和热线中心可以检查答复",
                  "only the handling department and the hotline check replies");
    }
    fill_clock(r->a, *calendar, m.clock.now_ms(), o.yellow_days);
    return quality_of(o, r->a, reply);
  });
}

Result<Board> Service::board(int limit, int offset, std::string_view dept_id) {
  Impl& m = *impl_;
  auto calendar = calendar_of(m.options);
  if (!calendar) return fail(calendar.error());
  const std::string dept(dept_id);
  return m.store.read([&](store::Tx& tx) -> Result<Board> {
    Board out;
    std::map<std::string, BoardDept> depts;
    for (const auto& row :
         tx.query("SELECT dept_id, created_at_ms, limit_days, replied_at_ms FROM appeals "
                  "WHERE replied_at_ms IS NOT NULL AND dept_id <> '' ORDER BY dept_id")) {
      auto& d = depts[row.text(0)];
      d.dept_id = row.text(0);
      ++d.replied;
      if (replied_on_time(*calendar, row.int64(1), static_cast<int>(row.int64(2)), row.int64(3),
                          m.options.yellow_days)) {
        ++d.replied_on_time;
      }
    }
    for (auto& [id, d] : depts) {
      d.on_time_rate = static_cast<double>(d.replied_on_time) / static_cast<double>(d.replied);
      out.departments.push_back(d);
    }
    std::stable_sort(out.departments.begin(), out.departments.end(),
                     [](const BoardDept& a, const BoardDept& b) {
                       return a.on_time_rate.value_or(0) > b.on_time_rate.value_or(0);
                     });

    std::string where = " WHERE public_consent = 1 AND replied_at_ms IS NOT NULL";
    store::Params params;
    if (!dept.empty()) {
      where += " AND dept_id = ?";
      params.push_back(dept);
    }
    auto count = tx.query_one("SELECT COUNT(*) FROM appeals" + where, params);
    out.total = count ? count->int64(0) : 0;
    params.push_back(std::int64_t{std::clamp(limit, 1, 100)});
    params.push_back(std::int64_t{std::max(offset, 0)});
    for (const auto& row :
         tx.query("SELECT id, type, title, text, dept_id, reply, created_at_ms, limit_days, "
                  "replied_at_ms, appellant_name FROM appeals" +
                      where + " ORDER BY replied_at_ms DESC, id DESC LIMIT ? OFFSET ?",
                  params)) {
      const std::vector<std::string> names{row.text(9)};
      BoardEntry e;
      e.id = row.text(0);
      e.type = enum_of<Type>(kTypes, row.text(1));
      e.title = redact_personal(row.text(2), names);
      e.text = redact_personal(row.text(3), names);
      e.dept_id = row.text(4);
      e.reply = redact_personal(row.text(5), names);
      e.created_at_ms = row.int64(6);
      e.replied_at_ms = row.int64(8);
      e.on_time = replied_on_time(*calendar, e.created_at_ms, static_cast<int>(row.int64(7)),
                                  e.replied_at_ms, m.options.yellow_days);
      out.appeals.push_back(std::move(e));
    }
    return out;
  });
}

// ---- Limits and roll-ups ----------------------------------------------------------------------

Result<std::vector<Limit>> Service::limits() {
  return impl_->store.read([&](store::Tx& tx) -> Result<std::vector<Limit>> {
    std::map<Type, int> days;
    for (std::size_t i = 0; i < kTypes.size(); ++i) {
      days[static_cast<Type>(i)] = default_limit_days(static_cast<Type>(i));
    }
    for (const auto& row : tx.query("SELECT type, days FROM appeal_limits")) {
      if (auto t = parse_type(row.text(0))) days[*t] = static_cast<int>(row.int64(1));
    }
    std::vector<Limit> out;
    for (auto [t, d] : days) out.push_back(Limit{t, d});
    return out;
  });
}

Result<Limit> Service::set_limit(Type type, int days, const identity::Principal& by) {
  Impl& m = *impl_;
  if (!is_official_with(by, identity::Role::admin)) {
    return fail(ErrorCode::forbidden, "", "只有管理员可以修改办理时限",
                "only administrators may change limits");
  }
  if (!limit_bounds_ok(days)) {
    return bad("/days", "时限应为 1–60 个工作日", "days must be 1–60 working days");
  }
  return m.store.write([&](store::Tx& tx) -> Result<Limit> {
    const core::Millis now = m.clock.now_ms();
    const std::string t(to_string(type));
    auto row = tx.query_one("SELECT days FROM appeal_limits WHERE type = ?", {t});
    const int before = row ? static_cast<int>(row->int64(0)) : default_limit_days(type);
    tx.exec(
        "INSERT INTO appeal_limits (type, days, updated_by, updated_at_ms) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (type) DO UPDATE SET days = excluded.days, updated_by = excluded.updated_by, "
        "updated_at_ms = excluded.updated_at_ms",
        {t, std::int64_t{days}, by.user_id, now});
    events::NewEvent e;
    e.type = "appeal.limit_changed";
    e.subject_type = "appeal_limit";
    e.subject_id = t;
    e.actor = identity::actor_of(by);
    e.before_json = Json{{"type", t}, {"days", before}}.dump();
    e.after_json = Json{{"type", t}, {"days", days}}.dump();
    events::append(tx, m.clock, e);
    return Limit{type, days};
  });
}

Result<std::vector<DeptRollup>> Service::rollup(const identity::Principal& by,
                                                std::string_view dept_id) {
  Impl& m = *impl_;
  std::string dept(dept_id);
  if (!by.is_official()) {
    return fail(ErrorCode::forbidden, "", "无权查看部门统计", "officials only");
  }
  if (!sees_all(by, m.options)) {
    if (!dept.empty() && dept != by.dept_id) {
      return fail(ErrorCode::forbidden, "/dept", "只能查看本部门的数据",
                  "you see your own department only");
    }
    dept = by.dept_id;
  }
  auto calendar = calendar_of(m.options);
  if (!calendar) return fail(calendar.error());
  return m.store.read([&](store::Tx& tx) -> Result<std::vector<DeptRollup>> {
    const core::Millis now = m.clock.now_ms();
    std::string sql =
        "SELECT dept_id, state, created_at_ms, limit_days, replied_at_ms FROM appeals "
        "WHERE dept_id <> ''";
    store::Params params;
    if (!dept.empty()) {
      sql += " AND dept_id = ?";
      params.push_back(dept);
    }
    std::map<std::string, DeptRollup> by_dept;
    if (!dept.empty()) by_dept[dept].dept_id = dept;
    for (const auto& row : tx.query(sql + " ORDER BY dept_id", params)) {
      auto& r = by_dept[row.text(0)];
      r.dept_id = row.text(0);
      const int limit_days = static_cast<int>(row.int64(3));
      if (auto replied = row.opt_int64(4)) {
        ++r.replied;
        if (replied_on_time(*calendar, row.int64(2), limit_days, *replied, m.options.yellow_days)) {
          ++r.replied_on_time;
        }
        continue;
      }
      auto state = parse_state(row.text(1)).value_or(State::accepted);
      if (state == State::dispatched || state == State::returned || state == State::handling) {
        Appeal a;
        a.created_at_ms = row.int64(2);
        a.clock.limit_days = limit_days;
        fill_clock(a, *calendar, now, m.options.yellow_days);
        ++r.open;
        if (a.clock.alert == core::Alert::red) ++r.overdue;
        if (a.clock.alert == core::Alert::yellow) ++r.yellow;
      }
    }
    std::vector<DeptRollup> out;
    for (auto& [id, r] : by_dept) {
      if (r.replied > 0) {
        r.on_time_rate = static_cast<double>(r.replied_on_time) / static_cast<double>(r.replied);
      }
      out.push_back(std::move(r));
    }
    return out;
  });
}

}  // namespace yiwang::appeals
