// Intake: who may submit through which channel, the form's checks, matters for other channels
// (redirects), replayed submissions (idempotency keys), rate limits, merging of repeats and
// filing. A submission is one write transaction holding the row, the submission record, the
// idempotency key and the event.
#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "appeals/internal.h"
#include "core/field_cipher.h"
#include "core/text.h"
#include "store/record_id.h"

namespace yiwang::appeals {
namespace {

using namespace detail;
using Json = nlohmann::json;

// Merging looks at appeals still waiting for an answer or for closing.
constexpr const char* kMergeableStates =
    "('accepted', 'dispatched', 'returned', 'handling', 'replied')";

// Phone calls are entered by the hotline centre for the caller; everything else is one's own.
Status check_channel(const NewAppeal& n, const identity::Principal& by, const Options& o) {
  if (n.channel == Channel::phone) {
    if (!workflow::is_hotline(by, o)) {
      return fail(ErrorCode::forbidden, "/channel", "只有 12345 热线话务员可以录入来电",
                  "only hotline operators may enter phone calls");
    }
    if (!n.caller) return bad("/caller", "请填写来电人信息", "caller is required for phone calls");
    return {};
  }
  if (by.is_official()) {
    return fail(ErrorCode::forbidden, "/channel", "工作人员只能通过来电渠道代为登记诉求",
                "officials enter appeals for callers through the phone channel only");
  }
  if (n.caller) {
    return bad("/caller", "网上诉求的诉求人即登录用户本人",
               "caller is for phone calls only; online appeals are one's own");
  }
  return {};
}

Status check_texts(const NewAppeal& n) {
  using workflow::check_text;
  if (auto st = check_text(n.title, "/title", 1, 200, false, "标题", "title"); !st) return st;
  if (auto st = check_text(n.text, "/text", 1, 5000, true, "诉求内容", "text"); !st) return st;
  return check_text(n.location, "/location", 0, 500, false, "地点", "location");
}

Status check_coordinates(const NewAppeal& n) {
  if (n.lon.has_value() != n.lat.has_value()) {
    return bad(n.lon ? "/lat" : "/lon", "经度和纬度须同时提供", "lon and lat go together");
  }
  if (n.lon && (!std::isfinite(*n.lon) || *n.lon < -180 || *n.lon > 180)) {
    return bad("/lon", "经度应在 -180 到 180 之间", "lon must be within -180..180");
  }
  if (n.lat && (!std::isfinite(*n.lat) || *n.lat < -90 || *n.lat > 90)) {
    return bad("/lat", "纬度应在 -90 到 90 之间", "lat must be within -90..90");
  }
  return {};
}

// The form of the photo references; whose uploads they are is checked in the transaction.
Status check_photo_refs(const NewAppeal& n) {
  if (n.photos.size() > 9) return bad("/photos", "照片最多 9 张", "at most 9 photos");
  for (std::size_t i = 0; i < n.photos.size(); ++i) {
    const std::string at = "/photos/" + std::to_string(i);
    if (!core::is_sha256_hex(n.photos[i])) {
      return bad(at, "照片引用应为 64 位小写十六进制的 SHA-256",
                 "a photo is referenced by its sha256: 64 lower-case hex digits");
    }
    const auto earlier = n.photos.begin() + static_cast<std::ptrdiff_t>(i);
    if (std::find(n.photos.begin(), earlier, n.photos[i]) != earlier) {
      return bad(at, "照片重复", "duplicate photo");
    }
  }
  return {};
}

Status check_caller(const NewAppeal& n) {
  if (!n.caller) return {};
  const auto& c = *n.caller;
  if (auto st =
          workflow::check_text(c.name, "/caller/name", 0, 100, false, "来电人姓名", "caller name");
      !st)
    return st;
  const bool phone_ok = !c.phone.empty() && c.phone.size() <= 32 &&
                        std::all_of(c.phone.begin(), c.phone.end(), [](char ch) {
                          return (ch >= '0' && ch <= '9') || ch == '+' || ch == '-' || ch == ' ';
                        });
  if (!phone_ok) {
    return bad("/caller/phone", "来电号码无效", "caller phone must be digits (+, -, spaces)");
  }
  return {};
}

Status check_idempotency_key(const NewAppeal& n) {
  const std::string& key = n.idempotency_key;
  if (key.size() <= 100 &&
      std::all_of(key.begin(), key.end(), [](char ch) { return ch > ' ' && ch < 0x7f; })) {
    return {};
  }
  return bad("/idempotency_key", "幂等键应为不超过 100 个可打印 ASCII 字符",
             "Idempotency-Key must be at most 100 printable ASCII characters");
}

// Everything about the submission that needs no store, in the order the API reports it.
Status check_form(const NewAppeal& n) {
  if (auto st = check_texts(n); !st) return st;
  if (auto st = check_coordinates(n); !st) return st;
  if (auto st = check_photo_refs(n); !st) return st;
  if (auto st = check_caller(n); !st) return st;
  if (auto r = find_redirect(n.title + "\n" + n.text)) {
    return bad("/text", r->message_zh, r->message_en);
  }
  return check_idempotency_key(n);
}

// The new appeal as submitted (no id, no times yet). A phone call's appellant is the caller;
// an anonymous appeal keeps no name or phone.
Record new_record(const NewAppeal& n, const identity::Principal& by,
                  const core::FieldCipher& cipher) {
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
  base.identity_key = identity_key_of(n, by, cipher);
  if (n.channel == Channel::phone) {
    if (!n.anonymous) a.appellant = Appellant{"", n.caller->name, n.caller->phone, false};
  } else {
    a.appellant.user_id = by.user_id;
    if (!n.anonymous) {
      a.appellant.name = by.display_name;
      a.appellant.phone = by.phone;
    }
  }
  return base;
}

// One submission inside its write transaction.
struct Intake {
  store::Tx& tx;
  const Options& o;
  const core::Clock& clock;
  core::Random& random;
  const NewAppeal& n;
  const identity::Principal& by;
  const Record& base;
  const core::WorkingCalendar& calendar;
  core::Millis now;
};

std::optional<std::string> filed_as(store::Tx& tx, const std::string& identity_key,
                                    const std::string& idempotency_key) {
  auto row = tx.query_one(
      "SELECT appeal_id FROM appeal_idempotency WHERE identity_key = ? AND idempotency_key = ?",
      {identity_key, idempotency_key});
  if (!row) return std::nullopt;
  return row->text(0);
}

Status check_replay(const Intake& in) {
  if (in.n.idempotency_key.empty()) return {};
  auto seen = filed_as(in.tx, in.base.identity_key, in.n.idempotency_key);
  if (!seen) return {};
  return fail(ErrorCode::conflict, "/idempotency_key", "重复提交：该诉求已受理，编号 " + *seen,
              "replayed submission: already filed as " + *seen);
}

Status check_rate(const Intake& in) {
  const Options& o = in.o;
  auto recent = in.tx.query_one(
      "SELECT COUNT(*), MIN(at_ms) FROM appeal_submissions WHERE identity_key = ? AND at_ms > ?",
      {in.base.identity_key, in.now - o.rate_window_ms});
  if (!recent || recent->int64(0) < o.rate_limit) return {};
  const std::string limit = std::to_string(o.rate_limit);
  Error e{ErrorCode::rate_limited, "", "提交过于频繁：每小时最多 " + limit + " 件，请稍后再试",
          "too many appeals: at most " + limit + " per hour; try again later"};
  // The oldest submission in the window leaves it first.
  e.retry_after_s = static_cast<int>(
      std::max<core::Millis>(1, (recent->int64(1) + o.rate_window_ms - in.now + 999) / 1000));
  return fail(std::move(e));
}

// Each photo is an image the submitter uploaded (Options::photo_check, when set).
Status check_uploads(const Intake& in) {
  const PhotoCheck& check = in.o.photo_check;
  if (!check) return {};
  for (std::size_t i = 0; i < in.n.photos.size(); ++i) {
    if (auto st = check(in.tx, in.n.photos[i], in.by); !st) {
      Error e = st.error();
      e.field = "/photos/" + std::to_string(i);
      return fail(std::move(e));
    }
  }
  return {};
}

void remember_key(const Intake& in, const std::string& appeal_id) {
  if (in.n.idempotency_key.empty()) return;
  in.tx.exec(
      "INSERT INTO appeal_idempotency (identity_key, idempotency_key, appeal_id, at_ms) "
      "VALUES (?, ?, ?, ?)",
      {in.base.identity_key, in.n.idempotency_key, appeal_id, in.now});
}

// Each submission as the person made it (a merged repeat's words are kept here), sealed at rest.
void record_submission(const Intake& in, const std::string& appeal_id,
                       std::optional<double> similarity) {
  const core::FieldCipher& cipher = in.tx.cipher();
  in.tx.exec(
      "INSERT INTO appeal_submissions (identity_key, at_ms, appeal_id, title, text, similarity) "
      "VALUES (?, ?, ?, ?, ?, ?)",
      {in.base.identity_key, in.now, appeal_id,
       cipher.seal_cell(in.n.title, "appeal_submissions.title", appeal_id),
       cipher.seal_cell(in.n.text, "appeal_submissions.text", appeal_id),
       store::nullable(similarity)});
}

struct Repeat {
  std::string id;
  double similarity = 0;
};

// The same matter again from the same person while the first is open: the most similar of
// their recent open appeals at or above the merge threshold.
std::optional<Repeat> repeat_of(const Intake& in) {
  const Options& o = in.o;
  const std::string matter = in.n.title + "\n" + in.n.text;
  std::optional<Repeat> best;
  for (const auto& row :
       in.tx.query(std::string("SELECT id, title, text FROM appeals WHERE identity_key = ? AND "
                               "state IN ") +
                       kMergeableStates +
                       " AND last_submitted_at_ms >= ? ORDER BY last_submitted_at_ms DESC, id "
                       "LIMIT 50",
                   {in.base.identity_key, in.now - o.merge_window_ms})) {
    const core::FieldCipher& cipher = in.tx.cipher();
    const std::string id = row.text(0);
    const double s = similarity(matter, cipher.open_cell(row.text(1), "appeals.title", id) + "\n" +
                                            cipher.open_cell(row.text(2), "appeals.text", id));
    if (s >= o.merge_threshold && s > (best ? best->similarity : 0)) best = Repeat{id, s};
  }
  return best;
}

Result<SubmitResult> merge(const Intake& in, const Repeat& into) {
  auto r = load(in.tx, into.id);
  if (!r) throw store::StoreError("appeals: lost a row just read");
  const std::string before = workflow::summary_json(r->a);
  in.tx.exec(
      "UPDATE appeals SET merged_count = merged_count + 1, last_submitted_at_ms = ?, "
      "updated_at_ms = ?, revision = revision + 1 WHERE id = ?",
      {in.now, in.now, into.id});
  record_submission(in, into.id, into.similarity);
  r->a.merged_count += 1;
  r->a.updated_at_ms = in.now;
  r->a.revision += 1;
  remember_key(in, into.id);
  const Json data{{"similarity", std::round(into.similarity * 1000) / 1000},
                  {"channel", to_string(in.n.channel)}};
  events::append(
      in.tx, in.clock,
      appeal_event("appeal.merged", r->a, identity::actor_of(in.by), "", before, data.dump()));
  fill_clock(r->a, in.calendar, in.now, in.o.yellow_days);
  return SubmitResult{std::move(r->a), true, into.similarity};
}

Result<SubmitResult> file_new(const Intake& in) {
  Record rec = in.base;
  Appeal& k = rec.a;
  k.created_at_ms = in.now;
  k.updated_at_ms = in.now;
  auto id = store::new_record_id(in.tx, in.random, in.now, {.table = "appeals", .prefix = "AP"});
  if (!id) return fail(id.error());
  k.id = std::move(*id);
  k.clock.limit_days = limit_days(in.tx, k.type);
  insert(in.tx, rec, in.now);
  for (const auto& sha : k.photos) {
    in.tx.exec("INSERT INTO appeal_photos (sha256, appeal_id) VALUES (?, ?)", {sha, k.id});
  }
  record_submission(in, k.id, std::nullopt);
  remember_key(in, k.id);
  const Json data{{"action", "submit"},        {"from", ""},
                  {"to", "accepted"},          {"channel", to_string(k.channel)},
                  {"type", to_string(k.type)}, {"limit_days", k.clock.limit_days}};
  events::append(
      in.tx, in.clock,
      appeal_event("appeal.accepted", k, identity::actor_of(in.by), "", "", data.dump()));
  fill_clock(k, in.calendar, in.now, in.o.yellow_days);
  return SubmitResult{std::move(k), false, 0};
}

Result<SubmitResult> take_in(const Intake& in) {
  if (auto st = check_replay(in); !st) return fail(st.error());
  if (auto st = check_rate(in); !st) return fail(st.error());
  if (auto st = check_uploads(in); !st) return fail(st.error());
  if (auto repeat = repeat_of(in)) return merge(in, *repeat);
  return file_new(in);
}

}  // namespace

Result<SubmitResult> Service::submit(const NewAppeal& n, const identity::Principal& by) {
  Impl& m = *impl_;
  if (auto st = check_channel(n, by, m.options); !st) return fail(st.error());
  if (auto st = check_form(n); !st) return fail(st.error());
  const Record base = new_record(n, by, *m.store.cipher());
  auto calendar = calendar_of(m.options);
  if (!calendar) return fail(calendar.error());
  auto result = m.store.write([&](store::Tx& tx) -> Result<SubmitResult> {
    return take_in(
        Intake{tx, m.options, m.clock, m.random, n, by, base, *calendar, m.clock.now_ms()});
  });
  if (result) workflow::mask_for(result->appeal, by, m.options);
  return result;
}

std::optional<std::string> Service::filed_under(const NewAppeal& n, const identity::Principal& by) {
  if (n.idempotency_key.empty()) return std::nullopt;
  auto id = impl_->store.read([&](store::Tx& tx) -> Result<std::optional<std::string>> {
    return filed_as(tx, identity_key_of(n, by, tx.cipher()), n.idempotency_key);
  });
  return id ? *id : std::nullopt;
}

Result<std::int64_t> detail::seal_submissions(store::Store& store) {
  auto clear = [](const std::string& cell) {
    return !cell.empty() && !core::FieldCipher::is_sealed(cell);
  };
  std::int64_t total = 0;
  for (;;) {
    // The table has no key of its own: a row is named by all it holds, so rows alike in every
    // column get the same (sealed) values, and none is overwritten with another's words.
    auto sealed = store.write([&](store::Tx& tx) -> Result<std::int64_t> {
      std::int64_t n = 0;
      for (const auto& row : tx.query(
               "SELECT identity_key, at_ms, appeal_id, title, text FROM appeal_submissions "
               "WHERE (title <> '' AND title NOT LIKE 'enc1:%') OR (text <> '' AND text NOT LIKE "
               "'enc1:%') LIMIT 500")) {
        const std::string id = row.text(2), title = row.text(3), text = row.text(4);
        auto seal = [&](const std::string& cell, const char* column) {
          return clear(cell) ? tx.cipher().seal_cell(cell, column, id) : cell;
        };
        const std::int64_t cells = (clear(title) ? 1 : 0) + (clear(text) ? 1 : 0);
        n += cells * tx.exec(
            "UPDATE appeal_submissions SET title = ?, text = ? WHERE identity_key = ? AND "
            "at_ms = ? AND appeal_id = ? AND title = ? AND text = ?",
            {seal(title, "appeal_submissions.title"), seal(text, "appeal_submissions.text"),
             row.text(0), row.int64(1), id, title, text});
      }
      return n;
    });
    if (!sealed) return fail(sealed.error());
    total += *sealed;
    if (*sealed == 0) return total;
  }
}

Result<std::int64_t> detail::rekey_phone_callers(store::Store& store) {
  std::int64_t total = 0;
  for (;;) {
    auto rekeyed = store.write([&](store::Tx& tx) -> Result<std::int64_t> {
      const core::FieldCipher& cipher = tx.cipher();
      std::int64_t n = 0;
      for (const auto& row : tx.query(
               "SELECT id, identity_key, appellant_phone FROM appeals WHERE identity_key LIKE "
               "'phone:%' AND LENGTH(identity_key) = 70 ORDER BY id LIMIT 500")) {
        const std::string id = row.text(0), old_key = row.text(1);
        const std::string phone = cipher.open_cell(row.text(2), "appeals.appellant_phone", id);
        // Without a phone (never written so) the old digest itself is keyed: unlinkable all the
        // same, and the caller's appeals still share one key.
        const std::string new_key = !phone.empty()
                                        ? phone_key(phone, cipher)
                                        : "phone:" + cipher.index(old_key, "phone-legacy");
        tx.exec("UPDATE appeals SET identity_key = ?, ledger_party = ? WHERE id = ?",
                {new_key, cipher.seal_cell(old_key, "appeals.ledger_party", id), id});
        tx.exec("UPDATE appeal_submissions SET identity_key = ? WHERE identity_key = ?",
                {new_key, old_key});
        tx.exec(
            "DELETE FROM appeal_idempotency WHERE identity_key = ? AND idempotency_key IN "
            "(SELECT idempotency_key FROM appeal_idempotency WHERE identity_key = ?)",
            {old_key, new_key});
        tx.exec("UPDATE appeal_idempotency SET identity_key = ? WHERE identity_key = ?",
                {new_key, old_key});
        ++n;
      }
      return n;
    });
    if (!rekeyed) return fail(rekeyed.error());
    total += *rekeyed;
    if (*rekeyed == 0) return total;
  }
}

}  // namespace yiwang::appeals
