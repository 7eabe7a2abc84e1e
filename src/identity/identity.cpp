// Identity service: accounts, departments and divisions (sessions.cpp signs in and out,
// second_factor.cpp keeps the TOTP factors).
#include "identity/identity.h"

#include <sodium.h>

#include <algorithm>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/digest.h"
#include "core/names.h"
#include "core/text.h"
#include "core/utf8.h"
#include "events/events.h"
#include "identity/internal.h"
#include "identity/password_policy.h"
#include "identity/totp.h"

namespace yiwang::generated {
std::vector<store::Migration> identity_migrations();
}

namespace yiwang::identity {
namespace detail {

using nlohmann::json;

constexpr int kMaxListLimit = 1000;
constexpr auto kAssurances = core::enum_names<Assurance>("claimed", "verified", "in_person");

tl::unexpected<Error> invalid(std::string field, std::string zh, std::string en) {
  return fail(ErrorCode::invalid_input, std::move(field), std::move(zh), std::move(en));
}

tl::unexpected<Error> unauthenticated() {
  return fail(ErrorCode::unauthenticated, "", "未登录或登录已过期",
              "not logged in or session expired");
}

tl::unexpected<Error> admin_only() {
  return fail(ErrorCode::forbidden, "", "只有系统管理员可以执行此操作",
              "only system administrators may do this");
}

tl::unexpected<Error> security_admin_only() {
  return fail(ErrorCode::forbidden, "", "只有安全管理员可以管理账号、角色和第二因素",
              "only security administrators manage accounts, roles and second factors");
}

tl::unexpected<Error> no_user() {
  return fail(ErrorCode::not_found, "", "用户不存在", "no such user");
}

bool is_admin(const Principal& p) {
  return p.is_official() && p.has_role(Role::admin);
}

bool is_security_admin(const Principal& p) {
  return p.is_official() && p.has_role(Role::security_admin);
}

Status check_role_separation(const std::set<Role>& roles) {
  if (std::count_if(roles.begin(), roles.end(), is_administrator_role) > 1) {
    return invalid("/roles", "系统管理员、安全管理员和审计管理员须由不同账号担任（三员分立）",
                   "the system, security and audit administrator roles need separate accounts");
  }
  return {};
}

std::string roles_text(const std::set<Role>& roles) {
  std::string out;
  for (Role r : roles) {
    if (!out.empty()) out += ',';
    out += to_string(r);
  }
  return out;
}

std::set<Role> roles_from_text(std::string_view text) {
  std::set<Role> roles;
  while (!text.empty()) {
    auto comma = text.find(',');
    if (auto r = parse_role(text.substr(0, comma))) roles.insert(*r);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return roles;
}

Principal principal_at(const store::Row& row, const core::FieldCipher& cipher, std::size_t base) {
  Principal p;
  p.user_id = row.text(base + 0);
  p.username = row.text(base + 1);
  p.kind = parse_kind(row.text(base + 2)).value_or(Kind::citizen);
  p.display_name = row.text(base + 3);
  p.id_number = cipher.open_cell(row.text(base + 4), "users.id_number", p.user_id);
  p.division_code = row.text(base + 5);
  p.phone = cipher.open_cell(row.text(base + 6), "users.phone", p.user_id);
  p.dept_id = row.text(base + 7);
  p.roles = roles_from_text(row.text(base + 8));
  p.assurance = kAssurances.stored(row.text(base + 9));
  p.active = row.int64(base + 10) != 0;
  return p;
}

std::optional<Principal> load_user(store::Tx& tx, const core::FieldCipher& cipher,
                                   std::string_view id) {
  auto row = tx.query_one(std::string("SELECT ") + kUserColumns + " FROM users u WHERE u.id = ?",
                          {std::string(id)});
  if (!row) return std::nullopt;
  return principal_at(*row, cipher);
}


// The user as recorded in events: never the password hash, and personal numbers masked because the
// audit trail is read more widely than the accounts table.
std::string user_record(const Principal& p) {
  json roles = json::array();
  for (Role r : p.roles) roles.push_back(to_string(r));
  return json{{"id", p.user_id},
              {"username", p.username},
              {"kind", to_string(p.kind)},
              {"display_name", p.display_name},
              {"roles", roles},
              {"dept_id", p.dept_id},
              {"division_code", p.division_code},
              {"id_number", mask_id_number(p.id_number)},
              {"phone", mask_phone(p.phone)},
              {"assurance", to_string(p.assurance)}}
      .dump();
}

std::string department_record(const Department& d) {
  return json{{"id", d.id},
              {"name", d.name},
              {"uscc", d.uscc},
              {"division_code", d.division_code},
              {"parent_id", d.parent_id}}
      .dump();
}

std::string division_record(const Division& d) {
  return json{{"code", d.code}, {"name", d.name}, {"parent_code", d.parent_code}}.dump();
}

// Our tokens are 64 lowercase hex characters; anything else cannot match and costs no store read.
bool plausible_token(std::string_view token) {
  return core::is_lower_hex(token, kTokenBytes * 2);
}

void ensure_sodium() {
  static const int ready = sodium_init();
  if (ready < 0) throw std::runtime_error("sodium_init failed");
}

std::string hash_password(std::string_view password, const Options& o) {
  ensure_sodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), o.pwhash_opslimit,
                            o.pwhash_memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("crypto_pwhash_str_alg: out of memory");
  }
  return out;
}

bool verify_password(const std::string& hash, std::string_view password) {
  ensure_sodium();
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool valid_username(std::string_view s) {
  if (s.size() < 3 || s.size() > 32) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool six_digits(std::string_view s) {
  if (s.size() != 6) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

bool valid_phone(std::string_view s) {
  if (s.size() < 5 || s.size() > 20) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == ' ')) return false;
  return true;
}

bool valid_dept_id(std::string_view s) {
  if (s.empty() || s.size() > 32) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  return true;
}

Status check_new_user(const NewUser& u, core::Date today) {
  if (!valid_username(u.username)) {
    return invalid("/username", "用户名须为 3–32 位小写字母、数字或 _ . -",
                   "username must be 3-32 of a-z, 0-9, _ . -");
  }
  if (core::utf8_length(u.password) < 8 || u.password.size() > kMaxPasswordBytes) {
    return invalid("/password", "密码至少 8 个字符", "password must have at least 8 characters");
  }
  if (auto st = check_password(u.username, u.password); !st) return st;
  if (u.display_name.empty() || core::utf8_length(u.display_name) > 100) {
    return invalid("/display_name", "姓名或名称须为 1–100 个字符",
                   "display_name must have 1-100 characters");
  }
  switch (u.kind) {
    case Kind::citizen: {
      if (!valid_citizen_id(u.id_number)) {
        return invalid("/id_number", "公民身份号码无效（GB 11643）",
                       "invalid citizen id number (GB 11643)");
      }
      if (*birth_date_of_citizen_id(u.id_number) > today) {
        return invalid("/id_number", "公民身份号码中的出生日期晚于今天",
                       "the birth date in the id number is in the future");
      }
      break;
    }
    case Kind::business:
      if (!valid_uscc(u.id_number)) {
        return invalid("/id_number", "统一社会信用代码无效（GB 32100）",
                       "invalid unified social credit code (GB 32100)");
      }
      break;
    case Kind::official:
      if (!u.id_number.empty() && !valid_citizen_id(u.id_number)) {
        return invalid("/id_number", "公民身份号码无效（GB 11643）",
                       "invalid citizen id number (GB 11643)");
      }
      if (u.dept_id.empty()) {
        return invalid("/dept_id", "工作人员须属于一个部门", "officials need a department");
      }
      if (u.roles.empty()) {
        return invalid("/roles", "工作人员至少须有一个角色", "officials need at least one role");
      }
      if (Status s = check_role_separation(u.roles); !s) return fail(s.error());
      break;
  }
  if (u.kind != Kind::official) {
    if (!u.dept_id.empty()) {
      return invalid("/dept_id", "只有工作人员属于部门", "only officials belong to a department");
    }
    if (!u.roles.empty()) {
      return invalid("/roles", "只有工作人员有角色", "only officials hold roles");
    }
  }
  if (!u.division_code.empty() && !six_digits(u.division_code)) {
    return invalid("/division_code", "行政区划代码须为 6 位数字",
                   "division_code must be 6 digits (GB/T 2260)");
  }
  if (!u.phone.empty() && !valid_phone(u.phone)) {
    return invalid("/phone", "电话号码无效", "invalid phone number");
  }
  return {};
}

store::Value text_or_null(const std::string& s) {
  if (s.empty()) return nullptr;
  return s;
}

Department department_at(const store::Row& row) {
  return Department{row.text(0), row.text(1), row.text(2), row.text(3), row.text(4)};
}

}  // namespace detail

using namespace detail;

std::string_view to_string(Kind k) {
  switch (k) {
    case Kind::citizen:
      return "citizen";
    case Kind::business:
      return "business";
    case Kind::official:
      return "official";
  }
  return "citizen";
}

std::string_view to_string(Role r) {
  switch (r) {
    case Role::clerk:
      return "clerk";
    case Role::reviewer:
      return "reviewer";
    case Role::approver:
      return "approver";
    case Role::supervisor:
      return "supervisor";
    case Role::admin:
      return "admin";
    case Role::security_admin:
      return "security_admin";
    case Role::auditor:
      return "auditor";
  }
  return "clerk";
}

bool is_administrator_role(Role r) {
  return r == Role::admin || r == Role::security_admin || r == Role::auditor;
}

std::optional<Kind> parse_kind(std::string_view s) {
  for (Kind k : {Kind::citizen, Kind::business, Kind::official})
    if (s == to_string(k)) return k;
  return std::nullopt;
}

std::optional<Assurance> parse_assurance(std::string_view s) { return kAssurances.parse(s); }

std::optional<Role> parse_role(std::string_view s) {
  for (Role r : {Role::clerk, Role::reviewer, Role::approver, Role::supervisor, Role::admin,
                 Role::security_admin, Role::auditor})
    if (s == to_string(r)) return r;
  return std::nullopt;
}

std::string_view to_string(Assurance a) { return kAssurances.name(a); }

std::string_view main_role(const Principal& p) {
  switch (p.kind) {
    case Kind::citizen:
      return "citizen";
    case Kind::business:
      return "business";
    case Kind::official:
      break;
  }
  for (Role r : {Role::admin, Role::security_admin, Role::auditor, Role::supervisor,
                 Role::approver, Role::reviewer, Role::clerk})
    if (p.has_role(r)) return to_string(r);
  return "official";
}

events::Actor actor_of(const Principal& p) {
  return events::Actor{p.user_id, std::string(main_role(p)), p.is_official() ? p.dept_id : ""};
}

events::Actor actor_of(const Principal* p) {
  return p ? actor_of(*p) : events::system_actor();
}

std::vector<store::Migration> migrations() {
  return generated::identity_migrations();
}

Service::Service(store::Store& store, const core::Clock& clock, core::Random& random,
                 Options options)
    : store_(store), clock_(clock), random_(random), options_(options) {
  ensure_sodium();
  if (!store.cipher()) throw std::invalid_argument("identity::Service: the store has no data key");
}

void Service::burn_verify(std::string_view password) {
  std::call_once(dummy_once_, [&] { dummy_hash_ = hash_password(random_.hex(16), options_); });
  verify_password(dummy_hash_, password);
}

Result<Principal> Service::create_user(const NewUser& user, const Principal* by,
                                       Enrolment* issued) {
  if (by && !is_security_admin(*by)) return security_admin_only();
  if (auto st = check_new_user(user, core::china_date(clock_.now_ms())); !st) {
    return fail(st.error());
  }
  return create(user, by, false, issued);
}

Result<Principal> Service::register_self(const NewUser& user, std::string_view remote_address) {
  if (user.kind != Kind::citizen && user.kind != Kind::business) {
    return invalid("/kind", "只能注册个人或企业账号",
                   "only citizen or business accounts may register");
  }
  // Only well-formed registrations count towards the address's limit.
  if (auto st = check_new_user(user, core::china_date(clock_.now_ms())); !st) {
    return fail(st.error());
  }
  if (auto st = registrations_.check(remote_address, clock_.now_ms(), "注册过于频繁，请稍后再试",
                                     "too many registrations from this address; try later");
      !st) {
    return fail(st.error());
  }
  return create(user, nullptr, true, nullptr);
}

Result<Principal> Service::create(const NewUser& user, const Principal* by, bool self,
                                  Enrolment* issued) {
  // Hashing is slow and the write closure may be retried: do it before the transaction.
  const std::string password_hash = hash_password(user.password, options_);
  Principal p;
  p.user_id = "u-" + random_.hex(8);
  p.username = user.username;
  p.kind = user.kind;
  p.display_name = user.display_name;
  p.id_number = user.id_number;
  p.division_code = user.division_code;
  p.phone = user.phone;
  p.dept_id = user.dept_id;
  p.roles = user.roles;
  const events::Actor actor = self ? actor_of(&p) : actor_of(by);
  const bool with_factor = p.is_official() && options_.officials_need_second_factor;
  const std::string secret = with_factor ? totp::new_secret(random_) : std::string();
  const std::string id_index =
      p.id_number.empty() ? std::string() : cipher().index(p.id_number, core::kIdNumberIndex);

  return store_.write([&](store::Tx& tx) -> Result<Principal> {
    if (tx.query_one("SELECT 1 FROM users WHERE username = ?", {p.username})) {
      return fail(ErrorCode::conflict, "/username", "用户名已被使用", "username already taken");
    }
    // A claim blocks nobody: only an account whose number was verified is "the" account.
    if (!id_index.empty() &&
        tx.query_one("SELECT 1 FROM users WHERE kind = ? AND id_number_index = ? AND "
                     "assurance <> 'claimed'",
                     {std::string(to_string(p.kind)), id_index})) {
      return fail(ErrorCode::conflict, "/id_number", "该证件号码已注册账号",
                  "an account with this id number already exists");
    }
    if (p.is_official() && !tx.query_one("SELECT 1 FROM departments WHERE id = ?", {p.dept_id})) {
      return invalid("/dept_id", "部门不存在", "no such department");
    }
    const core::Millis now = clock_.now_ms();
    tx.exec(
        "INSERT INTO users (id, username, kind, display_name, id_number, id_number_index, "
        "division_code, phone, dept_id, roles, password_hash, created_at_ms, active, "
        "password_changed_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)",
        {p.user_id, p.username, std::string(to_string(p.kind)), p.display_name,
         text_or_null(cipher().seal_cell(p.id_number, "users.id_number", p.user_id)),
         text_or_null(id_index), p.division_code,
         cipher().seal_cell(p.phone, "users.phone", p.user_id), p.dept_id,
         roles_text(p.roles), password_hash, now, now});
    events::append(tx, clock_,
                   {.type = "user.created",
                    .subject_type = "user",
                    .subject_id = p.user_id,
                    .actor = actor,
                    .after_json = user_record(p)});
    if (with_factor) {
      Enrolment enrolment = issue_factor(tx, p.user_id, p.username, secret, actor, now);
      if (issued) *issued = std::move(enrolment);
    }
    return p;
  });
}

Result<Principal> Service::get_user(std::string_view user_id) {
  return store_.read([&](store::Tx& tx) -> Result<Principal> {
    auto p = load_user(tx, cipher(), user_id);
    if (!p) return no_user();
    return *p;
  });
}

std::map<std::string, std::string> Service::official_names(const std::vector<std::string>& user_ids,
                                                           const Principal& viewer) {
  std::map<std::string, std::string> names;
  if (!viewer.is_official() || user_ids.empty()) return names;
  // A failed read leaves the timeline with account ids only: names are a courtesy, not data.
  auto read = store_.read([&](store::Tx& tx) -> Status {
    for (const auto& id : std::set<std::string>(user_ids.begin(), user_ids.end())) {
      auto row =
          tx.query_one("SELECT display_name FROM users WHERE id = ? AND kind = 'official'", {id});
      if (row) names.emplace(id, row->text(0));
    }
    return {};
  });
  if (!read) names.clear();
  return names;
}

Result<Principal> Service::find_by_username(std::string_view username) {
  return store_.read([&](store::Tx& tx) -> Result<Principal> {
    auto row =
        tx.query_one(std::string("SELECT ") + kUserColumns + " FROM users u WHERE u.username = ?",
                     {std::string(username)});
    if (!row) return no_user();
    return principal_at(*row, cipher());
  });
}

Result<std::vector<Principal>> Service::list_users(int limit, int offset) {
  limit = std::clamp(limit, 1, kMaxListLimit);
  offset = std::max(offset, 0);
  return store_.read([&](store::Tx& tx) -> Result<std::vector<Principal>> {
    std::vector<Principal> users;
    for (const auto& row : tx.query(std::string("SELECT ") + kUserColumns +
                                        " FROM users u ORDER BY u.username LIMIT ? OFFSET ?",
                                    {std::int64_t{limit}, std::int64_t{offset}})) {
      users.push_back(principal_at(row, cipher()));
    }
    return users;
  });
}

Status Service::set_roles(std::string_view user_id, const std::set<Role>& roles,
                          const Principal& by) {
  if (!is_security_admin(by)) return security_admin_only();
  if (by.user_id == user_id) {
    return fail(ErrorCode::forbidden, "/roles", "不能更改自己的角色",
                "no one changes their own roles");
  }
  if (Status s = check_role_separation(roles); !s) return s;
  return store_.write([&](store::Tx& tx) -> Status {
    auto before = load_user(tx, cipher(), user_id);
    if (!before) return no_user();
    if (!before->is_official()) {
      return invalid("/roles", "只有工作人员有角色", "only officials hold roles");
    }
    if (roles.empty()) {
      return invalid("/roles", "工作人员至少须有一个角色", "officials need at least one role");
    }
    if (before->roles == roles) return {};
    Principal after = *before;
    after.roles = roles;
    tx.exec("UPDATE users SET roles = ? WHERE id = ?", {roles_text(roles), after.user_id});
    events::append(tx, clock_,
                   {.type = "user.roles_changed",
                    .subject_type = "user",
                    .subject_id = after.user_id,
                    .actor = actor_of(&by),
                    .before_json = user_record(*before),
                    .after_json = user_record(after)});
    return {};
  });
}

Status Service::set_active(std::string_view user_id, bool active, const Principal& by) {
  if (!is_security_admin(by)) return security_admin_only();
  if (by.user_id == user_id) {
    return fail(ErrorCode::forbidden, "", "不能停用或启用自己的账号",
                "administrators cannot change their own account's state");
  }
  return store_.write([&](store::Tx& tx) -> Status {
    auto row = tx.query_one("SELECT active FROM users WHERE id = ?", {std::string(user_id)});
    if (!row) return no_user();
    if ((row->int64(0) != 0) == active) {
      return fail(ErrorCode::conflict, "/active", active ? "账号已是启用状态" : "账号已停用",
                  active ? "the account is active already" : "the account is deactivated already");
    }
    tx.exec("UPDATE users SET active = ? WHERE id = ?",
            {std::int64_t{active ? 1 : 0}, std::string(user_id)});
    if (!active) tx.exec("DELETE FROM sessions WHERE user_id = ?", {std::string(user_id)});
    events::append(tx, clock_,
                   {.type = active ? "user.reactivated" : "user.deactivated",
                    .subject_type = "user",
                    .subject_id = std::string(user_id),
                    .actor = actor_of(&by),
                    .before_json = json{{"active", !active}}.dump(),
                    .after_json = json{{"active", active}}.dump()});
    return {};
  });
}

Result<Department> Service::create_department(const Department& d, const Principal* by) {
  if (by && !is_admin(*by)) return admin_only();
  if (!valid_dept_id(d.id)) {
    return invalid("/id", "部门标识须为 1–32 位小写字母、数字、_ 或 -",
                   "department id must be 1-32 of a-z, 0-9, _ -");
  }
  if (d.name.empty() || core::utf8_length(d.name) > 200) {
    return invalid("/name", "部门名称须为 1–200 个字符", "name must have 1-200 characters");
  }
  if (!d.uscc.empty() && !valid_uscc(d.uscc)) {
    return invalid("/uscc", "统一社会信用代码无效（GB 32100）",
                   "invalid unified social credit code (GB 32100)");
  }
  if (!d.division_code.empty() && !six_digits(d.division_code)) {
    return invalid("/division_code", "行政区划代码须为 6 位数字",
                   "division_code must be 6 digits (GB/T 2260)");
  }
  return store_.write([&](store::Tx& tx) -> Result<Department> {
    if (tx.query_one("SELECT 1 FROM departments WHERE id = ?", {d.id})) {
      return fail(ErrorCode::conflict, "/id", "部门标识已存在", "department id already exists");
    }
    if (!d.uscc.empty() && tx.query_one("SELECT 1 FROM departments WHERE uscc = ?", {d.uscc})) {
      return fail(ErrorCode::conflict, "/uscc", "该统一社会信用代码已登记",
                  "a department with this code exists");
    }
    if (!d.parent_id.empty() &&
        !tx.query_one("SELECT 1 FROM departments WHERE id = ?", {d.parent_id})) {
      return invalid("/parent_id", "上级部门不存在", "no such parent department");
    }
    tx.exec(
        "INSERT INTO departments (id, name, uscc, division_code, parent_id, created_at_ms) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        {d.id, d.name, text_or_null(d.uscc), d.division_code, d.parent_id, clock_.now_ms()});
    events::append(tx, clock_,
                   {.type = "department.created",
                    .subject_type = "department",
                    .subject_id = d.id,
                    .actor = actor_of(by),
                    .after_json = department_record(d)});
    return d;
  });
}

Result<std::vector<Department>> Service::list_departments() {
  return store_.read([&](store::Tx& tx) -> Result<std::vector<Department>> {
    std::vector<Department> out;
    for (const auto& row : tx.query("SELECT id, name, uscc, division_code, parent_id "
                                    "FROM departments ORDER BY id")) {
      out.push_back(department_at(row));
    }
    return out;
  });
}

Result<Department> Service::get_department(std::string_view id) {
  return store_.read([&](store::Tx& tx) -> Result<Department> {
    auto row = tx.query_one(
        "SELECT id, name, uscc, division_code, parent_id FROM departments WHERE id = ?",
        {std::string(id)});
    if (!row) return fail(ErrorCode::not_found, "", "部门不存在", "no such department");
    return department_at(*row);
  });
}

Status Service::upsert_division(const Division& d) {
  if (!six_digits(d.code)) {
    return invalid("/code", "行政区划代码须为 6 位数字", "code must be 6 digits (GB/T 2260)");
  }
  if (d.name.empty() || core::utf8_length(d.name) > 100) {
    return invalid("/name", "名称须为 1–100 个字符", "name must have 1-100 characters");
  }
  if (!d.parent_code.empty() && (!six_digits(d.parent_code) || d.parent_code == d.code)) {
    return invalid("/parent_code", "上级行政区划代码无效", "invalid parent_code");
  }
  return store_.write([&](store::Tx& tx) -> Status {
    auto row =
        tx.query_one("SELECT code, name, parent_code FROM divisions WHERE code = ?", {d.code});
    std::string before;
    if (row) {
      Division old{row->text(0), row->text(1), row->text(2)};
      if (old.name == d.name && old.parent_code == d.parent_code) return {};
      before = division_record(old);
      tx.exec("UPDATE divisions SET name = ?, parent_code = ? WHERE code = ?",
              {d.name, d.parent_code, d.code});
    } else {
      tx.exec("INSERT INTO divisions (code, name, parent_code) VALUES (?, ?, ?)",
              {d.code, d.name, d.parent_code});
    }
    events::append(tx, clock_,
                   {.type = "division.upserted",
                    .subject_type = "division",
                    .subject_id = d.code,
                    .actor = events::system_actor(),
                    .before_json = before,
                    .after_json = division_record(d)});
    return {};
  });
}

Result<std::vector<Division>> Service::list_divisions(std::string_view parent_code) {
  return store_.read([&](store::Tx& tx) -> Result<std::vector<Division>> {
    std::vector<Division> out;
    for (const auto& row : tx.query("SELECT code, name, parent_code FROM divisions "
                                    "WHERE parent_code = ? ORDER BY code",
                                    {std::string(parent_code)})) {
      out.push_back(Division{row.text(0), row.text(1), row.text(2)});
    }
    return out;
  });
}

}  // namespace yiwang::identity
