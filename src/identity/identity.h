// Identity and access (统一身份认证): natural persons, legal persons, officials, departments,
// administrative divisions, sessions.
//
// Natural persons are identified by a 公民身份号码 (GB 11643, check digit validated), legal persons
// by a 统一社会信用代码 (GB 32100, check character validated). Officials belong to one department
// and hold one or more roles. Passwords are Argon2id hashes (libsodium); session tokens are opaque
// random strings stored only as SHA-256 hashes, expiring; repeated failed logins lock the account.
// Every change is an event in the outbox (who, when, what).
//
// Thread-safe: all state is in the store.
//
// Files: identity.cpp accounts, sessions, departments, divisions · validators.cpp GB 11643 and
// GB 32100 · password_policy.h/.cpp which new passwords are accepted (libpwquality) · routes.h
// the route helper bound to the sessions (every module's routes use it) · routes.cpp the routes.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "store/store.h"

namespace yiwang::http {
class Router;
}
namespace yiwang::events {
struct Actor;
}

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
  std::set<Role> roles;       // officials only
  std::string dept_id;        // officials only
  std::string id_number;      // citizen: 公民身份号码; business: 统一社会信用代码
  std::string division_code;  // GB/T 2260 code of residence / registration
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
  std::string code;  // 6 digits
  std::string name;
  std::string parent_code;  // "" for provinces
};

struct NewUser {
  std::string username;  // 3..32 of [a-z0-9_.-]
  std::string password;  // ≥ 8 chars
  Kind kind = Kind::citizen;
  std::string display_name;
  std::string id_number;  // required for citizen (GB 11643) and business (GB 32100)
  std::string division_code;
  std::string phone;
  std::string dept_id;   // required for officials
  std::set<Role> roles;  // required (non-empty) for officials
};

struct LoginResult {
  std::string token;  // shown once; only its hash is stored
  core::Millis expires_at_ms = 0;
  Principal user;
};

struct Options {
  core::Millis session_ttl_ms = 8LL * 3600 * 1000;
  int max_failed_logins = 5;  // then locked
  core::Millis lockout_ms = 15LL * 60 * 1000;
  // Argon2id cost; tests lower it. Defaults are libsodium's INTERACTIVE limits.
  unsigned long long pwhash_opslimit = 2;
  std::size_t pwhash_memlimit = 64ull * 1024 * 1024;
};

// GB 11643 and GB 32100 validators (also used by other modules).
bool valid_citizen_id(std::string_view id);  // 18 chars, valid date, check digit
bool valid_uscc(std::string_view code);      // 18 chars over the GB 32100 alphabet, check char
// The check character that completes the first 17 characters; '\0' when they cannot be completed
// (not digits / not in the GB 32100 alphabet). For making valid numbers in demos and tests.
char citizen_id_check(std::string_view first17);
char uscc_check(std::string_view first17);
// Age in whole years on `on` from the birth date embedded in a valid citizen id.
// -1 when the id does not carry a valid birth date.
int age_from_citizen_id(std::string_view id, core::Date on);
// Birth date embedded in a citizen id; nullopt when it has none that is valid.
std::optional<core::Date> birth_date_of_citizen_id(std::string_view id);
// "110105********002X": first 6 and last 4 characters kept, for display to others than the owner.
std::string mask_id_number(std::string_view id);
// "138****5678": first 3 and last 4 characters kept; shorter than 7 characters, all masked.
std::string mask_phone(std::string_view phone);

// The role an actor acts in, for event records: officials' highest role (admin > supervisor >
// approver > reviewer > clerk), "citizen" or "business" otherwise.
std::string_view main_role(const Principal& p);
// `p` as the actor of an event: user id, main role, and the department when `p` is an official.
events::Actor actor_of(const Principal& p);
// The same, or the platform itself (events::system_actor()) when `p` is null: bootstrap, CLI,
// followers and sensors act without a principal.
events::Actor actor_of(const Principal* p);

std::vector<store::Migration> migrations();

class Service {
 public:
  Service(store::Store& store, const core::Clock& clock, core::Random& random,
          Options options = {});

  // Success: the new account. Errors: forbidden unless `by` is an admin (by == nullptr: bootstrap/
  // CLI, acting as "system"); invalid_input with the request field ("/username", "/id_number",
  // "/dept_id", "/roles", …); conflict for a taken username or an id number already registered for
  // that kind (one account per person or business).
  Result<Principal> create_user(const NewUser& user, const Principal* by);
  // Self-registration (the public register endpoint): citizens and businesses only (invalid_input
  // on "/kind" otherwise); the new user is the actor of its user.created event.
  Result<Principal> register_self(const NewUser& user);
  // Errors: unauthenticated for an unknown username or a wrong password (indistinguishable);
  // locked while the account is locked (also on the failure that locks it).
  Result<LoginResult> login(std::string_view username, std::string_view password,
                            std::string_view remote_address);
  Status logout(std::string_view token);
  // unauthenticated when the token is missing, unknown or expired.
  Result<Principal> authenticate(std::string_view token);
  Result<Principal> get_user(std::string_view user_id);
  Result<Principal> find_by_username(std::string_view username);
  // The names of the officials among `user_ids` (user id → display name), for the timelines of
  // cases, appeals and grid events: an official reading one sees who acted, not an account id.
  // Empty for a viewer who is not an official; citizens' and businesses' names are never given.
  std::map<std::string, std::string> official_names(const std::vector<std::string>& user_ids,
                                                    const Principal& viewer);
  Result<std::vector<Principal>> list_users(int limit, int offset);
  // Admins only (forbidden); officials only, with at least one role (invalid_input "/roles");
  // an admin cannot drop their own admin role (conflict), so the last admin cannot lock all out.
  Status set_roles(std::string_view user_id, const std::set<Role>& roles, const Principal& by);
  // Admins only: clears the failure counter and any lock.
  Status unlock(std::string_view user_id, const Principal& by);

  // `by` must be an admin, or nullptr for bootstrap. Errors: invalid_input ("/id", "/name",
  // "/uscc", "/division_code", "/parent_id"), conflict for a taken id or USCC.
  Result<Department> create_department(const Department& d, const Principal* by);
  Result<std::vector<Department>> list_departments();
  Result<Department> get_department(std::string_view id);
  Status upsert_division(const Division& d);  // system act; no event when nothing changes
  Result<std::vector<Division>> list_divisions(std::string_view parent_code);

 private:
  Result<Principal> create(const NewUser& user, const Principal* by, bool self);
  void burn_verify(std::string_view password);
  core::Millis open_session(store::Tx& tx, const Principal& user, const std::string& token_hash,
                            core::Millis now, std::string_view remote_address);
  bool record_failure(store::Tx& tx, const std::string& user_id, std::int64_t failed,
                      core::Millis locked_until, core::Millis now, std::string_view remote_address);

  store::Store& store_;
  const core::Clock& clock_;
  core::Random& random_;
  Options options_;
  // A hash verified against when the username is unknown, so that both cases take as long.
  std::once_flag dummy_once_;
  std::string dummy_hash_;
};

// Routes: /api/v1/auth/{login,logout,register}, /me, /users…, /departments, /divisions.
void register_routes(http::Router& router, Service& service);

}  // namespace yiwang::identity
