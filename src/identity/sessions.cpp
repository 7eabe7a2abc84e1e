// Signing in and out: login with throttling (login_guard.h) and the second factor, sessions.
#include <sodium.h>

#include <nlohmann/json.hpp>

#include "core/digest.h"
#include "core/utf8.h"
#include "events/events.h"
#include "identity/identity.h"
#include "identity/internal.h"
#include "identity/password_policy.h"
#include "identity/totp.h"

namespace yiwang::identity {

using namespace detail;

namespace {

using nlohmann::json;

tl::unexpected<Error> bad_credentials() {
  return fail(ErrorCode::unauthenticated, "", "用户名或密码错误", "wrong username or password");
}

tl::unexpected<Error> factor_error(std::string type, std::string field, std::string zh,
                                   std::string en) {
  Error e{ErrorCode::unauthenticated, std::move(field), std::move(zh), std::move(en)};
  e.type = std::move(type);
  return fail(std::move(e));
}

tl::unexpected<Error> throttled(core::Millis wait) {
  const int seconds = guard::retry_after_seconds(wait);
  Error e{ErrorCode::rate_limited, "",
          "登录失败次数过多，请 " + std::to_string(seconds) + " 秒后再试",
          "too many failed sign-ins; try again in " + std::to_string(seconds) + " s"};
  e.retry_after_s = seconds;
  return fail(std::move(e));
}

// The three counters of one attempt: the username from this address, the username from
// anywhere, this address for any username.
struct Key {
  guard::Scope scope;
  std::string username;
  std::string address;
};

std::string_view scope_name(guard::Scope s) {
  switch (s) {
    case guard::Scope::pair:
      return "pair";
    case guard::Scope::account:
      return "account";
    case guard::Scope::address:
      break;
  }
  return "address";
}

std::vector<Key> keys_of(std::string_view username, std::string_view address) {
  return {{guard::Scope::pair, std::string(username), std::string(address)},
          {guard::Scope::account, std::string(username), ""},
          {guard::Scope::address, "", std::string(address)}};
}

guard::Counter read_counter(store::Tx& tx, const Key& k) {
  auto row = tx.query_one(
      "SELECT failures, last_failure_ms FROM login_failures WHERE scope = ? AND username = ? "
      "AND address = ?",
      {std::string(scope_name(k.scope)), k.username, k.address});
  if (!row) return {};
  return {row->int64(0), row->int64(1)};
}

// What login needs to know before it checks anything, read in one transaction.
struct Standing {
  guard::Attempt attempt;
  std::optional<Principal> user;
  std::string password_hash;
  bool active = false;
  std::string secret;  // active TOTP secret, "" when none
  std::int64_t last_step = 0;
  core::Millis password_changed_at_ms = 0;
};

bool recovery_code_unused(store::Tx& tx, const std::string& user_id, const std::string& code) {
  return tx
      .query_one(
          "SELECT 1 FROM recovery_codes WHERE user_id = ? AND code_hash = ? AND used_at_ms IS NULL",
          {user_id, core::sha256_hex(code)})
      .has_value();
}

// One failure on every key of the attempt; the key that reaches its first wait raises an alert
// (security.login_burst) for the administrators. The account's own record says it was tried.
void record_failure(store::Tx& tx, const core::Clock& clock, const guard::Policy& policy,
                    const std::vector<Key>& keys, const std::string& user_id,
                    const std::string& address, core::Millis now) {
  for (const Key& k : keys) {
    const guard::Limit& limit = guard::limit_of(policy, k.scope);
    const guard::Counter before = read_counter(tx, k);
    const guard::Counter after = guard::after_failure(before, limit, now);
    tx.exec(
        "INSERT INTO login_failures (scope, username, address, failures, last_failure_ms) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (scope, username, address) DO UPDATE SET "
        "failures = excluded.failures, last_failure_ms = excluded.last_failure_ms",
        {std::string(scope_name(k.scope)), k.username, k.address, after.failures, now});
    if (guard::starts_burst(before, limit, now) && k.scope != guard::Scope::pair) {
      const bool by_address = k.scope == guard::Scope::address;
      events::append(tx, clock,
                     {.type = "security.login_burst",
                      .subject_type = by_address ? "address" : "user",
                      .subject_id = by_address ? address : (user_id.empty() ? k.username : user_id),
                      .actor = events::system_actor(),
                      .data_json = json{{"scope", scope_name(k.scope)},
                                        {"failures", after.failures},
                                        {"username", k.username},
                                        {"remote_address", address}}
                                       .dump()});
    }
  }
  if (!user_id.empty()) {
    events::append(tx, clock,
                   {.type = "user.login_failed",
                    .subject_type = "user",
                    .subject_id = user_id,
                    .actor = events::system_actor(),
                    .data_json = json{{"remote_address", address}}.dump()});
  }
}

// Everything sign-in needs to know before it checks anything, in one read.
Result<Standing> read_standing(store::Store& store, const core::FieldCipher& cipher,
                               const std::vector<Key>& keys, std::string_view username,
                               const std::string& address) {
  return store.read([&](store::Tx& tx) -> Result<Standing> {
    Standing s;
    s.attempt.pair = read_counter(tx, keys[0]);
    s.attempt.account = read_counter(tx, keys[1]);
    s.attempt.address = read_counter(tx, keys[2]);
    auto row = tx.query_one(std::string("SELECT ") + kUserColumns +
                                ", u.password_hash, u.active, u.password_changed_at_ms FROM users u "
                                "WHERE u.username = ?",
                            {std::string(username)});
    if (!row) return s;
    s.user = principal_at(*row, cipher);
    s.password_hash = row->text(kUserColumnCount);
    s.active = row->int64(kUserColumnCount + 1) != 0;
    s.password_changed_at_ms = row->int64(kUserColumnCount + 2);
    s.attempt.known_address =
        tx.query_one("SELECT 1 FROM login_addresses WHERE user_id = ? AND address = ?",
                     {s.user->user_id, address})
            .has_value();
    if (auto f = tx.query_one("SELECT secret, last_step FROM second_factors WHERE user_id = ?",
                              {s.user->user_id})) {
      s.secret = cipher.open_cell(f->text(0), "second_factors.secret", s.user->user_id);
      s.last_step = f->int64(1);
    }
    return s;
  });
}

// The second factor's part of the answer to a right password. `now`: an answer given at once
// and not counted (none enrolled, none given); `refusal`: a wrong code, counted as a failure.
struct FactorCheck {
  std::optional<Error> now;
  std::optional<Error> refusal;
  bool recovery = false;  // a recovery code stands in for the TOTP code
};

FactorCheck check_factor(const Standing& s, const SecondFactor& factor,
                         const std::optional<std::int64_t>& step, bool officials_need_one) {
  FactorCheck c;
  const bool needs = s.user && (!s.secret.empty() ||
                                (s.user->is_official() && officials_need_one));
  if (!needs) return c;
  if (s.secret.empty()) {
    c.now = factor_error("mfa-not-enrolled", "", "账号尚未绑定动态口令，请联系管理员发放",
                         "this account has no second factor yet; ask an administrator for one")
                .value();
  } else if (factor.totp.empty() && factor.recovery_code.empty()) {
    c.now = factor_error("mfa-required", "/totp", "请输入动态口令（身份验证器中的 6 位数字）",
                         "enter the 6-digit code from your authenticator app")
                .value();
  } else {
    c.recovery = !step && !factor.recovery_code.empty();
    if (!step && !c.recovery) {
      c.refusal = factor_error("mfa-invalid", "/totp", "动态口令错误或已使用",
                               "wrong or already used code")
                      .value();
    }
  }
  return c;
}

// A right sign-in: the account's counters cleared, the address remembered, the code's step (or
// the recovery code) used up.
void record_success(store::Tx& tx, const core::Clock& clock, const Principal& user,
                    std::string_view username, const std::string& address, core::Millis now,
                    const std::optional<std::int64_t>& step, const std::string* recovery_code) {
  tx.exec("DELETE FROM login_failures WHERE username = ? AND scope IN ('pair', 'account')",
          {std::string(username)});
  tx.exec(
      "INSERT INTO login_addresses (user_id, address, last_login_ms) VALUES (?, ?, ?) "
      "ON CONFLICT (user_id, address) DO UPDATE SET last_login_ms = excluded.last_login_ms",
      {user.user_id, address, now});
  if (step) {
    tx.exec("UPDATE second_factors SET last_step = ? WHERE user_id = ?", {*step, user.user_id});
  } else if (recovery_code) {
    tx.exec("UPDATE recovery_codes SET used_at_ms = ? WHERE user_id = ? AND code_hash = ?",
            {now, user.user_id, core::sha256_hex(*recovery_code)});
    events::append(tx, clock,
                   {.type = "user.recovery_code_used",
                    .subject_type = "user",
                    .subject_id = user.user_id,
                    .actor = actor_of(user)});
  }
}

}  // namespace

// A new session for a right password: expired ones of the user are purged here, where the user
// writes anyway, keeping authenticate a read. Returns its expiry.
core::Millis Service::open_session(store::Tx& tx, const Principal& user,
                                   const std::string& token_hash, core::Millis now,
                                   std::string_view remote_address) {
  tx.exec("DELETE FROM sessions WHERE user_id = ? AND expires_at_ms <= ?", {user.user_id, now});
  const core::Millis expires = now + options_.session_ttl_ms;
  tx.exec(
      "INSERT INTO sessions (token_hash, user_id, created_at_ms, expires_at_ms, remote_address) "
      "VALUES (?, ?, ?, ?, ?)",
      {token_hash, user.user_id, now, expires, std::string(remote_address)});
  events::append(tx, clock_,
                 {.type = "user.logged_in",
                  .subject_type = "user",
                  .subject_id = user.user_id,
                  .actor = actor_of(user),
                  .data_json = json{{"remote_address", std::string(remote_address)},
                                    {"expires_at", core::format_instant(expires)}}
                                   .dump()});
  return expires;
}

Result<LoginResult> Service::login(std::string_view username, std::string_view password,
                                   std::string_view remote_address, const SecondFactor& factor) {
  return sign_in(username, password, remote_address, factor, nullptr);
}

Status Service::change_password(std::string_view username, std::string_view password,
                                const SecondFactor& factor, std::string_view new_password,
                                std::string_view remote_address) {
  if (core::utf8_length(new_password) < 8 || new_password.size() > kMaxPasswordBytes) {
    return invalid("/new_password", "新密码至少 8 个字符",
                   "the new password must have at least 8 characters");
  }
  if (new_password == password) {
    return invalid("/new_password", "新密码不能与原密码相同",
                   "the new password must differ from the old one");
  }
  if (auto st = check_password(username, new_password); !st) {
    Error e = st.error();
    e.field = "/new_password";
    return fail(std::move(e));
  }
  const std::string hash = hash_password(new_password, options_);
  auto done = sign_in(username, password, remote_address, factor, &hash);
  if (!done) return fail(done.error());
  return {};
}

// Checks credentials (throttled, with the second factor); then opens a session, or with
// `new_password_hash` changes the password (ending every session) instead.
Result<LoginResult> Service::sign_in(std::string_view username, std::string_view password,
                                     std::string_view remote_address, const SecondFactor& factor,
                                     const std::string* new_password_hash) {
  if (password.size() > kMaxPasswordBytes || username.size() > 64) return bad_credentials();
  const std::string address(remote_address);
  const std::vector<Key> keys = keys_of(username, address);
  const core::Millis now = clock_.now_ms();

  auto read = read_standing(store_, cipher(), keys, username, address);
  if (!read) return fail(read.error());
  Standing& s = *read;

  // A code is worth something only if it is current and not used before (RFC 6238 §5.2).
  std::optional<std::int64_t> step;
  if (!s.secret.empty() && !factor.totp.empty()) {
    step = totp::matching_step(s.secret, factor.totp, now);
    if (step && *step <= s.last_step) step.reset();
  }
  s.attempt.valid_second_factor = step.has_value();
  if (core::Millis wait = guard::wait_before(s.attempt, options_.throttle, now); wait > 0) {
    return throttled(wait);
  }

  bool match = false;
  if (s.user) {
    match = verify_password(s.password_hash, password) && s.active;
  } else {
    burn_verify(password);  // same cost as a known user: no enumeration by timing
  }
  const FactorCheck fc =
      match ? check_factor(s, factor, step, options_.officials_need_second_factor) : FactorCheck{};
  if (fc.now) return fail(*fc.now);
  const bool recovery = fc.recovery;
  const std::optional<Error>& refusal = fc.refusal;
  const bool ok = match && !refusal;
  // 等保: officials' passwords expire; the right credentials then only change it.
  if (ok && !new_password_hash && s.user->is_official() &&
      options_.official_password_max_age_ms > 0 &&
      now - s.password_changed_at_ms >= options_.official_password_max_age_ms) {
    return factor_error("password-expired", "/password", "密码已过期，请修改密码后登录",
                        "the password has expired; change it to sign in");
  }
  std::string token = ok && !new_password_hash ? random_.hex(kTokenBytes) : std::string();
  const std::string token_hash = ok ? core::sha256_hex(token) : std::string();
  LoginResult result;
  bool succeeded = false;
  // Failures must commit (they count towards the delays), so the closure reports through
  // `succeeded` and returns success; an Error would roll the counters back.
  auto st = store_.write([&](store::Tx& tx) -> Status {
    succeeded = false;
    if (ok && recovery && !recovery_code_unused(tx, s.user->user_id, factor.recovery_code)) {
      // fall through to the failure below
    } else if (ok) {
      record_success(tx, clock_, *s.user, username, address, now, step,
                     recovery ? &factor.recovery_code : nullptr);
      if (new_password_hash) {
        tx.exec("UPDATE users SET password_hash = ?, password_changed_at_ms = ? WHERE id = ?",
                {*new_password_hash, now, s.user->user_id});
        tx.exec("DELETE FROM sessions WHERE user_id = ?", {s.user->user_id});
        events::append(tx, clock_,
                       {.type = "user.password_changed",
                        .subject_type = "user",
                        .subject_id = s.user->user_id,
                        .actor = actor_of(*s.user),
                        .data_json = json{{"remote_address", address}}.dump()});
        result.user = *s.user;
      } else {
        const core::Millis expires = open_session(tx, *s.user, token_hash, now, address);
        result = LoginResult{token, expires, *s.user};
      }
      succeeded = true;
      return {};
    }
    record_failure(tx, clock_, options_.throttle, keys, s.user ? s.user->user_id : std::string(),
                   address, now);
    return {};
  });
  if (!st) return fail(st.error());
  if (succeeded) return result;
  if (refusal) return fail(*refusal);
  if (match && recovery) {
    return factor_error("mfa-invalid", "/recovery_code", "恢复码错误或已使用",
                        "wrong or already used recovery code");
  }
  return bad_credentials();
}

Status Service::logout(std::string_view token) {
  if (!plausible_token(token)) return unauthenticated();
  const std::string token_hash = core::sha256_hex(token);
  bool ended = false;
  auto st = store_.write([&](store::Tx& tx) -> Status {
    ended = false;
    auto row = tx.query_one(std::string("SELECT ") + kUserColumns +
                                ", s.expires_at_ms FROM sessions s JOIN users u ON u.id = "
                                "s.user_id WHERE s.token_hash = ?",
                            {token_hash});
    if (!row || row->int64(kUserColumnCount) <= clock_.now_ms()) return {};
    Principal user = principal_at(*row, cipher());
    tx.exec("DELETE FROM sessions WHERE token_hash = ?", {token_hash});
    events::append(tx, clock_,
                   {.type = "user.logged_out",
                    .subject_type = "user",
                    .subject_id = user.user_id,
                    .actor = actor_of(&user)});
    ended = true;
    return {};
  });
  if (!st) return st;
  if (!ended) return unauthenticated();
  return {};
}

Result<Principal> Service::authenticate(std::string_view token) {
  if (!plausible_token(token)) return unauthenticated();
  const std::string token_hash = core::sha256_hex(token);
  const core::Millis now = clock_.now_ms();
  auto found = store_.read([&](store::Tx& tx) -> Result<std::optional<Principal>> {
    auto row = tx.query_one(std::string("SELECT ") + kUserColumns +
                                " FROM sessions s JOIN users u ON u.id = s.user_id "
                                "WHERE s.token_hash = ? AND s.expires_at_ms > ? AND u.active = 1",
                            {token_hash, now});
    if (!row) return std::optional<Principal>();
    return principal_at(*row, cipher());
  });
  if (!found) return fail(found.error());
  if (!*found) return unauthenticated();
  return std::move(**found);
}


Status Service::unlock(std::string_view user_id, const Principal& by) {
  if (!is_security_admin(by)) return security_admin_only();
  return store_.write([&](store::Tx& tx) -> Status {
    auto user = load_user(tx, cipher(), user_id);
    if (!user) return no_user();
    auto row = tx.query_one(
        "SELECT COALESCE(SUM(failures), 0) FROM login_failures WHERE username = ? AND scope IN "
        "('pair', 'account')",
        {user->username});
    tx.exec("DELETE FROM login_failures WHERE username = ? AND scope IN ('pair', 'account')",
            {user->username});
    events::append(tx, clock_,
                   {.type = "user.unlocked",
                    .subject_type = "user",
                    .subject_id = user->user_id,
                    .actor = actor_of(&by),
                    .before_json = json{{"failed_logins", row ? row->int64(0) : 0}}.dump(),
                    .after_json = json{{"failed_logins", 0}}.dump()});
    return {};
  });
}

}  // namespace yiwang::identity
