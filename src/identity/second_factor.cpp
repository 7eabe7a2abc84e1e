// Second factors: TOTP secrets (totp.h) and one-time recovery codes, per account.
#include <nlohmann/json.hpp>

#include "core/digest.h"
#include "events/events.h"
#include "identity/identity.h"
#include "identity/internal.h"
#include "identity/totp.h"

namespace yiwang::identity {

using namespace detail;

namespace {

using nlohmann::json;

constexpr int kRecoveryCodes = 10;

// "k7m2-9xq4-p3": 10 characters of an alphabet without look-alikes (no 0/o, 1/l/i), ~50 bits.
std::string new_recovery_code(core::Random& random) {
  static constexpr char kAlphabet[] = "23456789abcdefghjkmnpqrstuvwxyz";
  unsigned char bytes[10];
  random.fill(bytes, sizeof bytes);
  std::string code;
  for (std::size_t i = 0; i < sizeof bytes; ++i) {
    if (i == 4 || i == 8) code += '-';
    code += kAlphabet[bytes[i] % (sizeof kAlphabet - 1)];
  }
  return code;
}

tl::unexpected<Error> wrong_password() {
  return fail(ErrorCode::unauthenticated, "/password", "密码错误", "wrong password");
}

struct FactorRow {
  std::string secret;
  std::string pending;
  std::int64_t last_step = 0;
};

std::optional<FactorRow> factor_of(store::Tx& tx, const core::FieldCipher& cipher,
                                   const std::string& user_id) {
  auto row = tx.query_one("SELECT secret, pending, last_step FROM second_factors WHERE user_id = ?",
                          {user_id});
  if (!row) return std::nullopt;
  return FactorRow{cipher.open_cell(row->text(0), "second_factors.secret", user_id),
                   cipher.open_cell(row->text(1), "second_factors.pending", user_id),
                   row->int64(2)};
}

std::string password_hash_of(store::Tx& tx, const std::string& user_id) {
  auto row = tx.query_one("SELECT password_hash FROM users WHERE id = ?", {user_id});
  return row ? row->text(0) : std::string();
}

}  // namespace

Enrolment Service::issue_factor(store::Tx& tx, const std::string& user_id,
                                const std::string& username, const std::string& secret,
                                const events::Actor& actor, core::Millis now) {
  Enrolment e;
  e.secret = secret;
  e.otpauth_uri = totp::otpauth_uri(options_.totp_issuer, username, secret);
  tx.exec(
      "INSERT INTO second_factors (user_id, secret, pending, last_step, enabled_at_ms) "
      "VALUES (?, ?, '', 0, ?) ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, "
      "pending = '', last_step = 0, enabled_at_ms = excluded.enabled_at_ms",
      {user_id, cipher().seal_cell(secret, "second_factors.secret", user_id), now});
  tx.exec("DELETE FROM recovery_codes WHERE user_id = ?", {user_id});
  for (int i = 0; i < kRecoveryCodes; ++i) {
    std::string code = new_recovery_code(random_);
    tx.exec("INSERT INTO recovery_codes (user_id, code_hash, used_at_ms) VALUES (?, ?, NULL)",
            {user_id, core::sha256_hex(code)});
    e.recovery_codes.push_back(std::move(code));
  }
  // Never the secret or the codes: the record says that a factor was set, by whom, when.
  events::append(tx, clock_,
                 {.type = "user.second_factor_set",
                  .subject_type = "user",
                  .subject_id = user_id,
                  .actor = actor,
                  .data_json = json{{"method", "totp"}, {"recovery_codes", kRecoveryCodes}}.dump()});
  return e;
}

Result<Enrolment> Service::begin_second_factor(const Principal& who, std::string_view password) {
  const std::string secret = totp::new_secret(random_);
  auto hash = store_.read([&](store::Tx& tx) -> Result<std::string> {
    return password_hash_of(tx, who.user_id);
  });
  if (!hash) return fail(hash.error());
  if (password.size() > kMaxPasswordBytes || !verify_password(*hash, password)) {
    return wrong_password();
  }
  return store_.write([&](store::Tx& tx) -> Result<Enrolment> {
    tx.exec(
        "INSERT INTO second_factors (user_id, secret, pending, last_step, enabled_at_ms) "
        "VALUES (?, '', ?, 0, 0) ON CONFLICT (user_id) DO UPDATE SET pending = excluded.pending",
        {who.user_id, cipher().seal_cell(secret, "second_factors.pending", who.user_id)});
    events::append(tx, clock_,
                   {.type = "user.second_factor_started",
                    .subject_type = "user",
                    .subject_id = who.user_id,
                    .actor = actor_of(who)});
    return Enrolment{secret, totp::otpauth_uri(options_.totp_issuer, who.username, secret), {}};
  });
}

Result<Enrolment> Service::confirm_second_factor(const Principal& who, std::string_view code) {
  const core::Millis now = clock_.now_ms();
  return store_.write([&](store::Tx& tx) -> Result<Enrolment> {
    auto f = factor_of(tx, cipher(), who.user_id);
    if (!f || f->pending.empty()) {
      return fail(ErrorCode::conflict, "", "没有待确认的动态口令，请先发起绑定",
                  "no second factor is waiting for confirmation; start one first");
    }
    auto step = totp::matching_step(f->pending, code, now);
    if (!step) {
      return invalid("/totp", "动态口令与新密钥不符，请核对身份验证器中的 6 位数字",
                     "the code is not the new secret's; check the 6 digits in your app");
    }
    Enrolment e = issue_factor(tx, who.user_id, who.username, f->pending, actor_of(who), now);
    tx.exec("UPDATE second_factors SET last_step = ? WHERE user_id = ?", {*step, who.user_id});
    return e;
  });
}

Status Service::remove_second_factor(const Principal& who, std::string_view password,
                                     std::string_view code) {
  if (who.is_official()) {
    return fail(ErrorCode::forbidden, "", "工作人员须使用动态口令，不能解除",
                "officials must keep their second factor");
  }
  const core::Millis now = clock_.now_ms();
  auto hash = store_.read([&](store::Tx& tx) -> Result<std::string> {
    return password_hash_of(tx, who.user_id);
  });
  if (!hash) return fail(hash.error());
  if (password.size() > kMaxPasswordBytes || !verify_password(*hash, password)) {
    return wrong_password();
  }
  return store_.write([&](store::Tx& tx) -> Status {
    auto f = factor_of(tx, cipher(), who.user_id);
    if (!f || f->secret.empty()) {
      return fail(ErrorCode::conflict, "", "账号未绑定动态口令", "no second factor to remove");
    }
    auto step = totp::matching_step(f->secret, code, now);
    if (!step || *step <= f->last_step) {
      return invalid("/totp", "动态口令错误或已使用", "wrong or already used code");
    }
    tx.exec("DELETE FROM second_factors WHERE user_id = ?", {who.user_id});
    tx.exec("DELETE FROM recovery_codes WHERE user_id = ?", {who.user_id});
    events::append(tx, clock_,
                   {.type = "user.second_factor_removed",
                    .subject_type = "user",
                    .subject_id = who.user_id,
                    .actor = actor_of(who)});
    return {};
  });
}

Result<Enrolment> Service::reset_second_factor(std::string_view user_id, const Principal* by) {
  if (by && !is_security_admin(*by)) return security_admin_only();
  if (by && by->user_id == user_id) {
    return fail(ErrorCode::forbidden, "", "不能为自己重置动态口令，请由另一名安全管理员办理",
                "administrators cannot reset their own second factor; another one must");
  }
  const std::string secret = totp::new_secret(random_);
  const core::Millis now = clock_.now_ms();
  return store_.write([&](store::Tx& tx) -> Result<Enrolment> {
    auto user = load_user(tx, cipher(), user_id);
    if (!user) return no_user();
    return issue_factor(tx, user->user_id, user->username, secret, actor_of(by), now);
  });
}

Result<bool> Service::has_second_factor(std::string_view user_id) {
  return store_.read([&](store::Tx& tx) -> Result<bool> {
    auto f = factor_of(tx, cipher(), std::string(user_id));
    return f && !f->secret.empty();
  });
}

}  // namespace yiwang::identity
