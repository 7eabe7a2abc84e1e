// Private to the identity module: helpers shared by identity.cpp (accounts), sessions.cpp
// (signing in and out) and second_factor.cpp (TOTP). Defined in identity.cpp.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/field_cipher.h"
#include "identity/identity.h"

namespace yiwang::identity::detail {

inline constexpr std::size_t kMaxPasswordBytes = 1024;  // bounds the hashing work per request
inline constexpr std::size_t kTokenBytes = 32;

// Column list shared by every query that builds a Principal (positions matter: see principal_at).
inline constexpr const char* kUserColumns =
    "u.id, u.username, u.kind, u.display_name, u.id_number, u.division_code, u.phone, u.dept_id, "
    "u.roles, u.assurance, u.active";
inline constexpr std::size_t kUserColumnCount = 11;

tl::unexpected<Error> invalid(std::string field, std::string zh, std::string en);
tl::unexpected<Error> unauthenticated();
tl::unexpected<Error> admin_only();
tl::unexpected<Error> security_admin_only();
tl::unexpected<Error> no_user();
// The user as recorded in events: personal numbers masked, never secrets.
std::string user_record(const Principal& p);
bool is_admin(const Principal& p);
bool is_security_admin(const Principal& p);
// Invalid unless `roles` holds at most one of the three administrator roles (三员分立).
Status check_role_separation(const std::set<Role>& roles);

// The Principal of a row selected with kUserColumns from column `base`, its sealed columns opened.
Principal principal_at(const store::Row& row, const core::FieldCipher& cipher,
                       std::size_t base = 0);
std::optional<Principal> load_user(store::Tx& tx, const core::FieldCipher& cipher,
                                   std::string_view id);


// Our tokens are 64 lowercase hex characters; anything else cannot match and costs no store read.
bool plausible_token(std::string_view token);
void ensure_sodium();
std::string hash_password(std::string_view password, const Options& o);
bool verify_password(const std::string& hash, std::string_view password);

// Forbidden unless the caller is a window clerk (受理人员: in-person identity checks); a guard
// of the verification route and verify_in_person's first check.
Status window_clerks_only(const Principal& by);

}  // namespace yiwang::identity::detail
