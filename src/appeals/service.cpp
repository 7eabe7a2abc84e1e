// What every part of the appeals service shares: the API names, the appeal's row, its events and
// its clock, and the service's construction.
#include <nlohmann/json.hpp>

#include "appeals/internal.h"
#include "core/digest.h"
#include "core/field_cipher.h"
#include "disclosure/disclosure.h"
#include "store/sealing.h"

namespace yiwang::generated {
std::vector<store::Migration> appeals_migrations();
}

namespace yiwang::appeals {
namespace {

using Json = nlohmann::json;
using detail::kActions;
using detail::kChannels;
using detail::kEventTypes;
using detail::kStates;
using detail::kTypes;

std::optional<double> opt_real(const store::Row& row, std::size_t i) {
  if (row.is_null(i)) return std::nullopt;
  return row.real(i);
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

std::int64_t flag(bool b) {
  return b ? 1 : 0;
}

}  // namespace

// ---- Names ----------------------------------------------------------------------------------

std::string_view to_string(Channel c) {
  return kChannels.name(c);
}
std::string_view to_string(Type t) {
  return kTypes.name(t);
}
std::string_view to_string(State s) {
  return kStates.name(s);
}
std::string_view to_string(Action a) {
  return kActions.name(a);
}
std::optional<Channel> parse_channel(std::string_view s) {
  return kChannels.parse(s);
}
std::optional<Type> parse_type(std::string_view s) {
  return kTypes.parse(s);
}
std::optional<State> parse_state(std::string_view s) {
  return kStates.parse(s);
}
std::optional<Action> parse_action(std::string_view s) {
  return kActions.parse(s);
}
std::string_view event_type(Action a) {
  return kEventTypes.name(a);
}

int default_limit_days(Type t) {
  return t == Type::consult || t == Type::help ? 3 : 13;
}

std::vector<store::Migration> migrations() {
  return generated::appeals_migrations();
}

std::optional<Appeal> find(store::Tx& tx, std::string_view id) {
  auto r = detail::load(tx, id);
  if (!r) return std::nullopt;
  return std::move(r->a);
}

std::optional<std::string> party_of(store::Tx& tx, std::string_view id) {
  auto r = detail::load(tx, id);
  if (!r || r->a.anonymous) return std::nullopt;
  // A caller re-keyed at an upgrade keeps the party the ledger already committed to.
  if (auto kept = tx.query_one("SELECT ledger_party FROM appeals WHERE id = ?", {std::string(id)});
      kept && !kept->text(0).empty()) {
    return tx.cipher().open_cell(kept->text(0), "appeals.ledger_party", r->a.id);
  }
  return r->identity_key;
}

Service::Service(store::Store& store, const core::Clock& clock, core::Random& random,
                 identity::Service& identity, Options options)
    : impl_(std::make_unique<Impl>(Impl{store, clock, random, identity, std::move(options)})) {}

Service::~Service() = default;

namespace detail {

tl::unexpected<Error> bad(std::string field, std::string zh, std::string en) {
  return fail(ErrorCode::invalid_input, std::move(field), std::move(zh), std::move(en));
}

tl::unexpected<Error> not_found() {
  return fail(ErrorCode::not_found, "", "诉求不存在", "appeal not found");
}

tl::unexpected<Error> changed_concurrently(bool ask_to_refresh) {
  return fail(ErrorCode::conflict, "",
              ask_to_refresh ? "诉求已被他人修改，请刷新后重试" : "诉求已被他人修改",
              "the appeal changed concurrently");
}

// ---- Rows ---------------------------------------------------------------------------------------

const char* const kColumns =
    "id, channel, type, title, text, location, lon, lat, photos_json, anonymous, confidential, "
    "appellant_user_id, appellant_name, appellant_phone, identity_key, entered_by, state, "
    "dept_id, suggested_dept, suggested_confidence, returned_once, return_reason, reply, "
    "callback_result, rating, supervision_count, merged_count, limit_days, created_at_ms, "
    "dispatched_at_ms, replied_at_ms, closed_at_ms, updated_at_ms, revision, public_consent, "
    "suggested_label, reply_check_json, linked_ref";

// A statement list: one assignment per column of kColumns.
Record record_from_row(const store::Row& row, const core::FieldCipher& cipher) {
  Record r;
  Appeal& a = r.a;
  a.id = row.text(0);
  a.channel = kChannels.stored(row.text(1));
  a.type = kTypes.stored(row.text(2));
  a.title = cipher.open_cell(row.text(3), "appeals.title", a.id);
  a.text = cipher.open_cell(row.text(4), "appeals.text", a.id);
  a.location = cipher.open_cell(row.text(5), "appeals.location", a.id);
  a.lon = opt_real(row, 6);
  a.lat = opt_real(row, 7);
  for (const auto& p : Json::parse(row.text(8))) a.photos.push_back(p.get<std::string>());
  a.anonymous = row.int64(9) != 0;
  a.confidential = row.int64(10) != 0;
  a.appellant = Appellant{row.text(11),
                          cipher.open_cell(row.text(12), "appeals.appellant_name", a.id),
                          cipher.open_cell(row.text(13), "appeals.appellant_phone", a.id), false};
  r.identity_key = row.text(14);
  a.entered_by = row.text(15);
  a.state = kStates.stored(row.text(16));
  a.dept_id = row.text(17);
  a.suggested_dept = row.text(18);
  a.suggested_confidence = opt_real(row, 19);
  a.returned_once = row.int64(20) != 0;
  a.return_reason = row.text(21);
  a.reply = cipher.open_cell(row.text(22), "appeals.reply", a.id);
  a.callback_result = cipher.open_cell(row.text(23), "appeals.callback_result", a.id);
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

std::optional<Record> load(store::Tx& tx, std::string_view id) {
  auto row = tx.query_one(std::string("SELECT ") + kColumns + " FROM appeals WHERE id = ?",
                          {std::string(id)});
  if (!row) return std::nullopt;
  return record_from_row(*row, tx.cipher());
}

// A statement list: one parameter per column.
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
       tx.cipher().seal_cell(a.title, "appeals.title", a.id),
       tx.cipher().seal_cell(a.text, "appeals.text", a.id),
       tx.cipher().seal_cell(a.location, "appeals.location", a.id),
       store::nullable(a.lon),
       store::nullable(a.lat),
       photos.dump(),
       flag(a.anonymous),
       flag(a.confidential),
       a.appellant.user_id,
       tx.cipher().seal_cell(a.appellant.name, "appeals.appellant_name", a.id),
       tx.cipher().seal_cell(a.appellant.phone, "appeals.appellant_phone", a.id),
       r.identity_key,
       a.entered_by,
       std::string(to_string(a.state)),
       a.dept_id,
       a.suggested_dept,
       store::nullable(a.suggested_confidence),
       std::int64_t{0},
       std::string(),
       std::string(),
       std::string(),
       std::int64_t{a.clock.limit_days},
       a.created_at_ms,
       now,
       a.updated_at_ms,
       a.revision,
       flag(a.public_consent),
       a.suggested_label});
}

bool update(store::Tx& tx, const Appeal& a, std::int64_t read_revision) {
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
              store::nullable(a.suggested_confidence),
              flag(a.returned_once),
              a.return_reason,
              tx.cipher().seal_cell(a.reply, "appeals.reply", a.id),
              tx.cipher().seal_cell(a.callback_result, "appeals.callback_result", a.id),
              store::nullable(a.rating),
              std::int64_t{a.supervision_count},
              store::nullable(a.dispatched_at_ms),
              store::nullable(a.replied_at_ms),
              store::nullable(a.closed_at_ms),
              a.updated_at_ms,
              a.revision,
              a.suggested_label,
              quality_json(a.reply_check),
              a.linked_ref,
              a.id,
              read_revision}) == 1;
}

events::NewEvent appeal_event(std::string type, const Appeal& a, events::Actor actor,
                              std::string reason, std::string before, std::string data_json) {
  return {.type = std::move(type),
          .subject_type = "appeal",
          .subject_id = a.id,
          .actor = std::move(actor),
          .reason = std::move(reason),
          .before_json = std::move(before),
          .after_json = workflow::summary_json(a),
          .data_json = std::move(data_json)};
}

namespace {

// An answer on the board: what the redaction cannot make safe in its title, text or reply waits
// for the publication review of the answering department. How many texts it holds.
std::int64_t hold_board_texts(store::Tx& tx, const core::Clock& clock, const Appeal& a) {
  using disclosure::Surface;
  const std::vector<std::string> names{a.appellant.name};
  std::int64_t held = 0;
  for (const auto& [surface, text] : {std::pair{Surface::appeal_title, &a.title},
                                      std::pair{Surface::appeal_text, &a.text},
                                      std::pair{Surface::appeal_reply, &a.reply}}) {
    held += disclosure::hold(tx, clock, {surface, a.id, a.dept_id}, *text, names) ? 1 : 0;
  }
  return held;
}

// An answer the appellant let the board publish, when it is new or changed.
void hold_for_board(store::Tx& tx, const core::Clock& clock, const Appeal& before,
                    const Appeal& after) {
  if (!after.public_consent || !after.replied_at_ms) return;
  if (before.replied_at_ms && before.reply == after.reply && before.dept_id == after.dept_id) {
    return;
  }
  hold_board_texts(tx, clock, after);
}

}  // namespace

Status write_step(store::Tx& tx, const core::Clock& clock, const Appeal& before,
                  const workflow::Outcome& o, const events::Actor& actor, bool ask_to_refresh) {
  if (!update(tx, o.after.a, before.revision)) return changed_concurrently(ask_to_refresh);
  hold_for_board(tx, clock, before, o.after.a);
  events::append(tx, clock,
                 appeal_event(o.event_type, o.after.a, actor, o.reason,
                              workflow::summary_json(before), o.data_json));
  return {};
}

std::string phone_key(std::string_view phone, const core::FieldCipher& cipher) {
  std::string digits;
  for (char ch : phone) {
    if (ch >= '0' && ch <= '9') digits += ch;
  }
  return "phone:" + cipher.index(digits, "phone");
}

std::string identity_key_of(const NewAppeal& n, const identity::Principal& by,
                            const core::FieldCipher& cipher) {
  if (n.channel != Channel::phone || !n.caller) return "user:" + by.user_id;
  return phone_key(n.caller->phone, cipher);
}

int limit_days(store::Tx& tx, Type type) {
  auto row =
      tx.query_one("SELECT days FROM appeal_limits WHERE type = ?", {std::string(to_string(type))});
  return row ? static_cast<int>(row->int64(0)) : default_limit_days(type);
}

// ---- The clock ----------------------------------------------------------------------------------

Result<core::WorkingCalendar> calendar_of(const Options& o) {
  if (o.calendar) return o.calendar();
  return core::WorkingCalendar::china_2026();
}

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

}  // namespace detail

Result<std::int64_t> hold_public_texts(store::Store& store, const core::Clock& clock) {
  return disclosure::backfill(store, clock, "appeals", [&clock](store::Tx& tx) {
    std::int64_t held = 0;
    for (const auto& row :
         tx.query(std::string("SELECT ") + detail::kColumns +
                  " FROM appeals WHERE public_consent = 1 AND replied_at_ms IS NOT NULL")) {
      held += detail::hold_board_texts(tx, clock, detail::record_from_row(row, tx.cipher()).a);
    }
    return held;
  });
}

Result<std::int64_t> seal_at_rest(store::Store& store) {
  auto appeals = store::seal_clear_cells(
      store, "appeals", "id",
      {{"appellant_name"},
       {"appellant_phone"},
       {"title"},
       {"text"},
       {"location"},
       {"reply"},
       {"callback_result"}});
  if (!appeals) return appeals;
  auto submissions = detail::seal_submissions(store);
  if (!submissions) return submissions;
  auto callers = detail::rekey_phone_callers(store);
  if (!callers) return callers;
  return *appeals + *submissions + *callers;
}

}  // namespace yiwang::appeals
