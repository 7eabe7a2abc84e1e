// Identity and access (统一身份认证): natural persons, legal persons, officials, departments,
// administrative divisions, sessions.
//
// Natural persons are identified by a 公民身份号码 (GB 11643, check digit validated), legal persons
// by a 统一社会信用代码 (GB 32100, check character validated). Officials belong to one department and
// hold one or more roles. Passwords are Argon2id hashes (libsodium); session tokens are opaque
// random strings stored only as SHA-256 hashes, expiring; repeated failed logins lock the account.
// Every change is an event in the outbox (who, when, what).
//
// Thread-safe: all state is in the store.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "store/store.h"

namespace yiwang::identity {

enum class Kind { citizen, business, official };

// Official roles. Names are the API strings.
enum class Role { clerk, reviewer, approver, supervisor, admin };

std::string_view to_string(Kind k);
std::string_view to_string(Role r);
std::optional<Kind> parse_kind(std::string_view s);
std::optional<Role> parse_role(std::string_view s);

struct Principal {
  std::string user_id;
  std::string username;
  Kind kind = Kind::citizen;
  std::string display_name;
  std::set<Role> roles;          // officials only
  std::string dept_id;           // officials only
  std::string id_number;         // citizen: 公民身份号码; business: 统一社会信用代码
  std::string division_code;     // GB/T 2260 code of residence / registration
  std::string phone;

  bool has_role(Role r) const { return roles.count(r) > 0; }
  bool is_official() const { return kind == Kind::official; }
};

struct Department {
  std::string id;             // short stable id, e.g. "scjg"
  std::string name;           // 某市市场监督管理局
  std::string uscc;           // 统一社会信用代码 of the department
  std::string division_code;  // GB/T 2260
  std::string parent_id;      // "" for top level
};

struct Division {
  std::string code;           // 6 digits
  std::string name;
  std::string parent_code;    // "" for provinces
};

struct NewUser {
  std::string username;       // 3..32 of [a-z0-9_.-]
  std::string password;       // ≥ 8 chars
  Kind kind = Kind::citizen;
  std::string display_name;
  std::string id_number;      // required for citizen (GB 11643) and business (GB 32100)
  std::string division_code;
  std::string phone;
  std::string dept_id;        // required for officials
  std::set<Role> roles;       // required (non-empty) for officials
};

struct LoginResult {
  std::string token;          // shown once; only its hash is stored
  core::Millis expires_at_ms = 0;
  Principal user;
};

struct Options {
  core::Millis session_ttl_ms = 8LL * 3600 * 1000;
  int max_failed_logins = 5;                          // then locked
  core::Millis lockout_ms = 15LL * 60 * 1000;
  // Argon2id cost; tests lower it. Defaults are libsodium's INTERACTIVE limits.
  unsigned long long pwhash_opslimit = 2;
  std::size_t pwhash_memlimit = 64ull * 1024 * 1024;
};

// GB 11643 and GB 32100 validators (also used by other modules).
bool valid_citizen_id(std::string_view id);       // 18 chars, valid date, check digit
bool valid_uscc(std::string_view code);           // 18 chars over the GB 32100 alphabet, check char
// Age in whole years on `on` from the birth date embedded in a valid citizen id.
int age_from_citizen_id(std::string_view id, core::Date on);

std::vector<store::Migration> migrations();

class Service {
 public:
  Service(store::Store& store, const core::Clock& clock, core::Random& random, Options options = {});

  Result<Principal> create_user(const NewUser& user, const Principal* by);   // by == nullptr: bootstrap/CLI
  Result<LoginResult> login(std::string_view username, std::string_view password,
                            std::string_view remote_address);
  Status logout(std::string_view token);
  // unauthenticated when the token is missing, unknown or expired.
  Result<Principal> authenticate(std::string_view token);
  Result<Principal> get_user(std::string_view user_id);
  Result<Principal> find_by_username(std::string_view username);
  Result<std::vector<Principal>> list_users(int limit, int offset);
  Status set_roles(std::string_view user_id, const std::set<Role>& roles, const Principal& by);
  Status unlock(std::string_view user_id, const Principal& by);

  Result<Department> create_department(const Department& d, const Principal* by);
  Result<std::vector<Department>> list_departments();
  Result<Department> get_department(std::string_view id);
  Status upsert_division(const Division& d);
  Result<std::vector<Division>> list_divisions(std::string_view parent_code);

 private:
  store::Store& store_;
  const core::Clock& clock_;
  core::Random& random_;
  Options options_;
};

}  // namespace yiwang::identity
