// Identity assurance: verifying an account's id number in person (a window clerk) or remotely
// (population-registry match plus a one-time code to the registry's phone).
#include <nlohmann/json.hpp>

#include "core/digest.h"
#include "events/events.h"
#include "identity/identity.h"
#include "identity/internal.h"

namespace yiwang::identity {

using namespace detail;

namespace {

using nlohmann::json;

constexpr core::Millis kCodeValidityMs = 5LL * 60 * 1000;
constexpr core::Millis kResendAfterMs = 60LL * 1000;
constexpr int kMaxSendsPerDay = 5;
constexpr int kMaxAttempts = 5;

std::string code_hash(const std::string& user_id, std::string_view code) {
  return core::sha256_hex(user_id + ":" + std::string(code));
}

tl::unexpected<Error> wrong_code() {
  return invalid("/code", "核验码错误或已过期，请重新获取",
                 "wrong or expired code; request a new one");
}

}  // namespace

std::vector<std::string> verified_account_ids(store::Tx& tx, std::string_view id_number) {
  std::vector<std::string> ids;
  if (id_number.empty()) return ids;
  for (const auto& row : tx.query("SELECT id FROM users WHERE id_number_index = ? AND "
                                  "assurance <> 'claimed' AND active = 1",
                                  {tx.cipher().index(id_number, core::kIdNumberIndex)})) {
    ids.push_back(row.text(0));
  }
  return ids;
}

std::vector<std::string> officials_of(store::Tx& tx, std::string_view dept_id,
                                      const std::vector<Role>& roles) {
  std::vector<std::string> ids;
  if (dept_id.empty() || roles.empty()) return ids;
  std::string any;
  store::Params params{std::string(dept_id)};
  for (Role r : roles) {
    any += std::string(any.empty() ? "" : " OR ") + "(',' || roles || ',') LIKE ?";
    params.emplace_back("%," + std::string(to_string(r)) + ",%");
  }
  const std::string sql =
      "SELECT id FROM users WHERE kind = 'official' AND active = 1 AND dept_id = ? AND (" + any +
      ") ORDER BY id";
  for (const auto& row : tx.query(sql, params)) {
    ids.push_back(row.text(0));
  }
  return ids;
}

std::string verified_id_number_of(store::Tx& tx, std::string_view user_id) {
  if (user_id.empty()) return "";
  auto row = tx.query_one(
      "SELECT id_number FROM users WHERE id = ? AND assurance <> 'claimed' AND kind <> 'official'",
      {std::string(user_id)});
  return row ? tx.cipher().open_cell(row->text(0), "users.id_number", user_id) : "";
}

void Service::on_verified(VerifiedListener listener) {
  verified_listeners_.push_back(std::move(listener));
}

void Service::set_sms_sender(SmsSender* sender) { sms_ = sender; }

Status Service::upsert_registry_record(const std::string& id_number, const std::string& name,
                                       const std::string& phone) {
  const std::string key = cipher().index(id_number, core::kIdNumberIndex);
  auto sealed = [&](std::string_view column, const std::string& value) {
    return cipher().seal_cell(value, column, key);
  };
  return store_.write([&](store::Tx& tx) -> Status {
    tx.exec(
        "INSERT INTO population_records (id_index, id_number, name, phone) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (id_index) DO UPDATE SET id_number = excluded.id_number, "
        "name = excluded.name, phone = excluded.phone",
        {key, sealed("population_records.id_number", id_number),
         sealed("population_records.name", name), sealed("population_records.phone", phone)});
    return {};
  });
}

// Raises `user` to `level` in `tx`, records who and how, and runs the listeners.
Status Service::mark_verified(store::Tx& tx, Principal& user, Assurance level,
                              std::string_view method, const events::Actor& actor) {
  // One verified account per person or business: another account that claimed the same number
  // (perhaps first, perhaps not its owner) stays claimed.
  if (!user.id_number.empty() &&
      tx.query_one("SELECT 1 FROM users WHERE kind = ? AND id_number_index = ? AND id <> ? AND "
                   "assurance <> 'claimed'",
                   {std::string(to_string(user.kind)),
                    tx.cipher().index(user.id_number, core::kIdNumberIndex), user.user_id})) {
    return fail(ErrorCode::conflict, "/id_number", "该证件号码已由另一账号完成核验",
                "another account with this id number is verified already");
  }
  const std::string before = user_record(user);
  user.assurance = level;
  tx.exec(
      "UPDATE users SET assurance = ?, verified_method = ?, verified_at_ms = ? WHERE id = ?",
      {std::string(to_string(level)), std::string(method), clock_.now_ms(), user.user_id});
  events::append(tx, clock_,
                 {.type = "user.verified",
                  .subject_type = "user",
                  .subject_id = user.user_id,
                  .actor = actor,
                  .before_json = before,
                  .after_json = user_record(user),
                  .data_json = json{{"method", method}}.dump()});
  for (const auto& listener : verified_listeners_) {
    if (auto st = listener(tx, user); !st) return st;
  }
  return {};
}

Status detail::window_clerks_only(const Principal& by) {
  if (by.is_official() && by.has_role(Role::clerk)) return {};
  return fail(ErrorCode::forbidden, "", "只有窗口受理人员可以当面核验身份",
              "only window clerks verify identities in person");
}

Result<Principal> Service::verify_in_person(std::string_view user_id, const Principal& by) {
  if (auto st = detail::window_clerks_only(by); !st) return fail(st.error());
  if (by.user_id == user_id) {
    return fail(ErrorCode::forbidden, "", "不能核验自己的账号", "nobody verifies their own account");
  }
  return store_.write([&](store::Tx& tx) -> Result<Principal> {
    auto user = load_user(tx, cipher(), user_id);
    if (!user) return no_user();
    if (user->is_official() || user->id_number.empty()) {
      return invalid("/id", "只核验个人和企业账号的证件号码",
                     "only citizens' and businesses' id numbers are verified");
    }
    if (user->assurance == Assurance::in_person) {
      return fail(ErrorCode::conflict, "", "该账号已当面核验", "already verified in person");
    }
    if (auto st = mark_verified(tx, *user, Assurance::in_person, "counter", actor_of(by)); !st)
      return fail(st.error());
    return *user;
  });
}

Result<std::string> Service::start_verification(const Principal& who) {
  if (who.kind != Kind::citizen) {
    return fail(ErrorCode::conflict, "", "企业账号请到窗口核验营业执照",
                "businesses verify at a service window");
  }
  if (who.id_verified()) {
    return fail(ErrorCode::conflict, "", "账号已完成实名核验", "already verified");
  }
  // One answer for "no sender" and "no match": the registry is not probed through this route.
  auto unavailable = [] {
    return fail(ErrorCode::conflict, "", "无法在线核验：请携带身份证到政务服务窗口办理",
                "cannot verify online: bring your identity card to a service window");
  };
  if (!sms_) return unavailable();
  const core::Millis now = clock_.now_ms();
  const std::string today = core::format_date(core::china_date(now));
  const std::string code = random_.digits(6);
  std::string phone;
  std::optional<Error> refused;
  auto st = store_.write([&](store::Tx& tx) -> Status {
    refused.reset();
    const std::string key = cipher().index(who.id_number, core::kIdNumberIndex);
    auto reg = tx.query_one("SELECT name, phone FROM population_records WHERE id_index = ?", {key});
    const std::string name =
        reg ? cipher().open_cell(reg->text(0), "population_records.name", key) : "";
    phone = reg ? cipher().open_cell(reg->text(1), "population_records.phone", key) : "";
    if (!reg || name != who.display_name || phone.empty()) {
      refused = unavailable().value();
      return {};
    }
    auto prev = tx.query_one(
        "SELECT sent_at_ms, day, sends FROM verification_codes WHERE user_id = ?", {who.user_id});
    const std::int64_t sends = prev && prev->text(1) == today ? prev->int64(2) : 0;
    if (prev && now - prev->int64(0) < kResendAfterMs) {
      Error e{ErrorCode::rate_limited, "", "核验码已发送，请稍后再试", "a code was just sent"};
      e.retry_after_s = static_cast<int>((prev->int64(0) + kResendAfterMs - now + 999) / 1000);
      refused = e;
      return {};
    }
    if (sends >= kMaxSendsPerDay) {
      Error e{ErrorCode::rate_limited, "", "今日获取核验码次数已达上限，请明日再试",
              "too many codes today; try tomorrow"};
      e.retry_after_s = 3600;
      refused = e;
      return {};
    }
    tx.exec(
        "INSERT INTO verification_codes (user_id, code_hash, expires_at_ms, attempts, sent_at_ms, "
        "day, sends) VALUES (?, ?, ?, 0, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET "
        "code_hash = excluded.code_hash, expires_at_ms = excluded.expires_at_ms, attempts = 0, "
        "sent_at_ms = excluded.sent_at_ms, day = excluded.day, sends = excluded.sends",
        {who.user_id, code_hash(who.user_id, code), now + kCodeValidityMs, now, today, sends + 1});
    events::append(tx, clock_,
                   {.type = "user.verification_started",
                    .subject_type = "user",
                    .subject_id = who.user_id,
                    .actor = actor_of(who),
                    .data_json = json{{"channel", "sms"}, {"to", mask_phone(phone)}}.dump()});
    return {};
  });
  if (!st) return fail(st.error());
  if (refused) return fail(*refused);
  // Sent after the commit: a code that was not stored is never sent.
  if (auto sent = sms_->send(phone, "【一网】您的实名核验码为 " + code +
                                        "，5 分钟内有效。如非本人操作，请忽略。");
      !sent) {
    return fail(sent.error());
  }
  return mask_phone(phone);
}

Result<Principal> Service::confirm_verification(const Principal& who, std::string_view code) {
  const core::Millis now = clock_.now_ms();
  bool wrong = false;
  auto done = store_.write([&](store::Tx& tx) -> Result<Principal> {
    wrong = false;
    auto user = load_user(tx, cipher(), who.user_id);
    if (!user) return no_user();
    if (user->id_verified()) return *user;
    auto row = tx.query_one(
        "SELECT code_hash, expires_at_ms, attempts FROM verification_codes WHERE user_id = ?",
        {who.user_id});
    if (!row || row->int64(1) <= now || row->int64(2) >= kMaxAttempts) return wrong_code();
    if (row->text(0) != code_hash(who.user_id, code)) {
      // A wrong try must count: the closure succeeds and reports through `wrong`.
      tx.exec("UPDATE verification_codes SET attempts = attempts + 1 WHERE user_id = ?",
              {who.user_id});
      wrong = true;
      return *user;
    }
    tx.exec("DELETE FROM verification_codes WHERE user_id = ?", {who.user_id});
    if (auto st = mark_verified(tx, *user, Assurance::verified, "sms", actor_of(who)); !st)
      return fail(st.error());
    return *user;
  });
  if (done && wrong) return wrong_code();
  return done;
}

}  // namespace yiwang::identity
