// Identity and access (统一身份认证): natural persons, legal persons, officials, departments,
// administrative divisions, sessions.
//
// Natural persons are identified by a 公民身份号码 (GB 11643, check digit validated), legal persons
// by a 统一社会信用代码 (GB 32100, check character validated). Officials belong to one department
// and hold one or more roles. Passwords are Argon2id hashes (libsodium); session tokens are opaque
// random strings stored only as SHA-256 hashes, expiring. Repeated failed logins slow further
// attempts down (growing delays per account, per address and per both: login_guard.h) instead of
// locking the account, so outsiders cannot shut its owner out. Officials sign in with a second
// factor (TOTP, RFC 6238: totp.h), issued when their account is created; citizens may add one.
// Every change is an event in the outbox (who, when, what).
//
// Thread-safe: all state is in the store.
//
// Files: identity.cpp accounts, departments, divisions · sessions.cpp signing in and out ·
// login_guard.h/.cpp the throttling rules (pure) · second_factor.cpp TOTP factors and recovery
// codes · totp.h/.cpp RFC 6238 through liboath · validators.cpp GB 11643 and GB 32100 ·
// password_policy.h/.cpp which new passwords are accepted (libpwquality) · internal.h helpers
// shared by these files · routes.h the route helper bound to the sessions (every module's routes
// use it) · routes.cpp the routes · at_rest.cpp personal data sealed in the store.
//
// At rest (等保 三级 数据保密性): id numbers, phone numbers (accounts and the population registry),
// registry names and second-factor secrets are stored sealed by the store's data key
// (core::FieldCipher, store::Store::use_cipher); accounts are found by id number through its keyed
// index. `seal_at_rest` seals what an older version stored in the clear.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/rate_limit.h"
#include "core/result.h"
#include "identity/login_guard.h"
#include "store/store.h"

namespace yiwang::http {
class Router;
}
namespace yiwang::events {
struct Actor;
}
namespace yiwang::core {
class FieldCipher;
}

namespace yiwang::identity {

enum class Kind { citizen, business, official };

// Official roles. Names are the API strings.
// The three administrators of 等保 level 3 are kept apart (三员分立): `admin` (系统管理员) runs the
// system (catalog, calendars, certificate types, knowledge base, departments), `security_admin`
// (安全管理员) manages accounts, roles and second factors, `auditor` (审计管理员) reads and exports
// the audit trail. An account holds at most one of the three, none does another's job, and no one
// changes their own roles.
enum class Role { clerk, reviewer, approver, supervisor, admin, security_admin, auditor };

// True for the three administrator roles (they are mutually exclusive on one account).
bool is_administrator_role(Role r);

// How sure the platform is that the account's holder is the person (or business) its id number
// names, lowest first. A self-registered number is only `claimed`; `verified` came through a
// remote trusted channel (a population-registry match plus a one-time code to the registry's
// phone); `in_person` from a window clerk who checked the identity card or licence. Personal data
// (certificates, 免提交, data-use records) binds to an account only from `verified` up.
enum class Assurance { claimed, verified, in_person };

std::string_view to_string(Kind k);
std::string_view to_string(Role r);
std::string_view to_string(Assurance a);
std::optional<Kind> parse_kind(std::string_view s);
std::optional<Role> parse_role(std::string_view s);
std::optional<Assurance> parse_assurance(std::string_view s);

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
  Assurance assurance = Assurance::claimed;
  bool active = true;  // false: deactivated (cannot sign in)

  bool has_role(Role r) const { return roles.count(r) > 0; }
  bool is_official() const { return kind == Kind::official; }
  bool id_verified() const { return assurance != Assurance::claimed; }
  // The id number personal data may bind to: the verified one; "" while it is only claimed.
  std::string verified_id_number() const { return id_verified() ? id_number : std::string(); }
};

// Sends the one-time codes of identity verification. The platform ships a sender that writes
// each message to a log (the demo's); a deployment plugs in its SMS gateway.
class SmsSender {
 public:
  virtual ~SmsSender() = default;
  virtual Status send(const std::string& phone, const std::string& text) = 0;
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

// The second factor offered at sign-in: a current TOTP code or one unused recovery code.
struct SecondFactor {
  std::string totp = {};
  std::string recovery_code = {};
};

// A factor as handed to its owner, once: the base32 secret, the otpauth:// URI an authenticator
// app scans, and ten one-time recovery codes (empty while the factor waits for confirmation).
struct Enrolment {
  std::string secret;
  std::string otpauth_uri;
  std::vector<std::string> recovery_codes;
};

struct Options {
  core::Millis session_ttl_ms = 8LL * 3600 * 1000;
  guard::Policy throttle;  // delays after failed logins
  // Officials change their password at least this often (等保 口令定期更换); 0 = never expires.
  core::Millis official_password_max_age_ms = 90LL * 24 * 3600 * 1000;
  // 等保 level 3: officials (every role) sign in with a second factor. Module tests that only need
  // a signed-in official turn this off; the identity and API tests keep it on.
  bool officials_need_second_factor = true;
  std::string totp_issuer = "Yiwang";
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

// The accounts whose id number `id_number` is verified (not merely claimed), inside the caller's
// transaction: whom personal data about that person may reach (notices of its use).
std::vector<std::string> verified_account_ids(store::Tx& tx, std::string_view id_number);
// The id number of account `user_id` when it is verified (not merely claimed), else "": the person
// a matter about that account concerns (用证 by need).
std::string verified_id_number_of(store::Tx& tx, std::string_view user_id);
// The active officials of department `dept_id` holding any of `roles`, inside the caller's
// transaction, ordered by id: whom a department's work notices reach.
std::vector<std::string> officials_of(store::Tx& tx, std::string_view dept_id,
                                      const std::vector<Role>& roles);

class Service {
 public:
  Service(store::Store& store, const core::Clock& clock, core::Random& random,
          Options options = {});

  // Success: the new account. Errors: forbidden unless `by` is an admin (by == nullptr: bootstrap/
  // CLI, acting as "system"); invalid_input with the request field ("/username", "/id_number",
  // "/dept_id", "/roles", …); conflict for a taken username or an id number already registered for
  // that kind (one account per person or business). An official gets a second factor in the same
  // transaction when officials need one; it is written to `issued` (to hand to the person).
  Result<Principal> create_user(const NewUser& user, const Principal* by,
                                Enrolment* issued = nullptr);
  // Self-registration (the public register endpoint): citizens and businesses only (invalid_input
  // on "/kind" otherwise); the new user is the actor of its user.created event. The id number is
  // only claimed (Assurance::claimed). rate_limited after 10 registrations an hour from one
  // client address.
  Result<Principal> register_self(const NewUser& user, std::string_view remote_address = "");
  // Errors: unauthenticated for an unknown username or a wrong password (indistinguishable); for
  // the right password of an account that needs a second factor, unauthenticated with type
  // "mfa-required" when none was given, "mfa-invalid" for a wrong, reused or expired code (counted
  // as a failure), "mfa-not-enrolled" for an official without a factor (an admin issues one);
  // rate_limited with retry_after_s while failures make this attempt wait (nothing is checked and
  // nothing counted then).
  Result<LoginResult> login(std::string_view username, std::string_view password,
                            std::string_view remote_address, const SecondFactor& factor = {});
  // Changes the password with the full credentials of a sign-in (throttled alike, the second
  // factor when the account has one; also when the password has expired) and ends every session
  // of the account. invalid_input "/new_password" for a new password the policy refuses or equal
  // to the old; the errors of login() otherwise.
  Status change_password(std::string_view username, std::string_view password,
                         const SecondFactor& factor, std::string_view new_password,
                         std::string_view remote_address);
  // Admins only, never on their own account: a deactivated account cannot sign in and its
  // sessions end; reactivation restores it. not_found; conflict when already so.
  Status set_active(std::string_view user_id, bool active, const Principal& by);
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
  // Admins only: clears the account's failure counters (its delays).
  Status unlock(std::string_view user_id, const Principal& by);

  // Second factor, self-service: a new secret, pending until confirm_second_factor sees a code
  // from it (the active factor, if any, keeps working meanwhile). unauthenticated for a wrong
  // password. The Enrolment has no recovery codes yet.
  Result<Enrolment> begin_second_factor(const Principal& who, std::string_view password);
  // The pending secret becomes the active one; ten new recovery codes replace the old ones.
  // invalid_input "/totp" for a code that is not the pending secret's; conflict when none pends.
  Result<Enrolment> confirm_second_factor(const Principal& who, std::string_view totp);
  // Citizens and businesses may drop their factor (password and a current code); forbidden for
  // officials, who must keep one.
  Status remove_second_factor(const Principal& who, std::string_view password,
                              std::string_view totp);
  // Admins (another admin's, not their own), or nullptr for the platform itself (the CLI, the
  // demo): a new active factor for someone who lost theirs, returned once to hand over.
  Result<Enrolment> reset_second_factor(std::string_view user_id, const Principal* by);
  // Whether the account has an active factor.
  Result<bool> has_second_factor(std::string_view user_id);

  // Identity verification (assurance.cpp). A window clerk (an official with the clerk role) who
  // checked the person's identity card verifies a citizen's or business's account in person:
  // forbidden for anyone else and for one's own account; not_found; conflict when already in
  // person. Listeners run inside the same transaction (linking cases filed at a window).
  Result<Principal> verify_in_person(std::string_view user_id, const Principal& by);
  // Remote verification, step 1: the account's id number and name must match the population
  // registry (population_registry, loaded by the data bureau); a 6-digit code goes to the
  // registry's phone through the SMS sender. Success: that phone, masked. conflict when already
  // verified, when no sender is configured, or on no match (the same answer: no probing of the
  // registry); rate_limited with retry_after_s for a new code within a minute or over 5 a day.
  Result<std::string> start_verification(const Principal& who);
  // Step 2: the code (5 minutes, 5 tries). invalid_input "/code" for a wrong or expired one.
  Result<Principal> confirm_verification(const Principal& who, std::string_view code);
  // Called inside the transaction that verifies an account.
  using VerifiedListener = std::function<Status(store::Tx&, const Principal&)>;
  void on_verified(VerifiedListener listener);
  // The sender of verification codes (not owned); none: remote verification is unavailable.
  void set_sms_sender(SmsSender* sender);
  // Loads or replaces one person's registry record (the data bureau's import; the demo's seed).
  Status upsert_registry_record(const std::string& id_number, const std::string& name,
                                const std::string& phone);

  // Seals what is still stored in the clear (rows an older version wrote), in batches; returns
  // how many values it sealed. Run at start, before serving; a second run finds nothing.
  Result<std::int64_t> seal_at_rest();

  // `by` must be an admin, or nullptr for bootstrap. Errors: invalid_input ("/id", "/name",
  // "/uscc", "/division_code", "/parent_id"), conflict for a taken id or USCC.
  Result<Department> create_department(const Department& d, const Principal* by);
  Result<std::vector<Department>> list_departments();
  Result<Department> get_department(std::string_view id);
  Status upsert_division(const Division& d);  // system act; no event when nothing changes
  Result<std::vector<Division>> list_divisions(std::string_view parent_code);

 private:
  Result<Principal> create(const NewUser& user, const Principal* by, bool self,
                           Enrolment* issued);
  Result<LoginResult> sign_in(std::string_view username, std::string_view password,
                              std::string_view remote_address, const SecondFactor& factor,
                              const std::string* new_password_hash);
  void burn_verify(std::string_view password);
  core::Millis open_session(store::Tx& tx, const Principal& user, const std::string& token_hash,
                            core::Millis now, std::string_view remote_address);
  // second_factor.cpp: writes a new active factor and recovery codes for `user_id` in `tx`.
  Enrolment issue_factor(store::Tx& tx, const std::string& user_id, const std::string& username,
                         const std::string& secret, const events::Actor& actor, core::Millis now);

  Status mark_verified(store::Tx& tx, Principal& user, Assurance level, std::string_view method,
                       const events::Actor& actor);

  const core::FieldCipher& cipher() const { return *store_.cipher(); }

  store::Store& store_;
  const core::Clock& clock_;
  core::Random& random_;
  Options options_;
  // Set at start-up by the app, before requests are served; read-only afterwards.
  std::vector<VerifiedListener> verified_listeners_;
  SmsSender* sms_ = nullptr;
  // A hash verified against when the username is unknown, so that both cases take as long.
  std::once_flag dummy_once_;
  std::string dummy_hash_;
  core::RateLimiter registrations_{10, 3600LL * 1000};  // per client address
};

// Routes: /api/v1/auth/{login,logout,register}, /me, /users…, /departments, /divisions.
void register_routes(http::Router& router, Service& service);

}  // namespace yiwang::identity
