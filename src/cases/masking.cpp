// Minimum-necessary personal data in case documents (等保 level 3): who reads a case decides what
// of its personal data their copy carries (Disclosure in cases.h). Pure functions: the service
// reads the case and its item version's form, and masks every case it returns with mask_for.
#include <algorithm>
#include <array>

#include "cases/internal.h"
#include "cases/workflow.h"
#include "core/names.h"
#include "core/utf8.h"
#include "privacy/mask.h"

namespace yiwang::cases {
namespace {

constexpr auto kDisclosures = core::enum_names<Disclosure>("full", "masked", "supervision");

}  // namespace

std::string_view to_string(Disclosure d) {
  return kDisclosures.name(d);
}

namespace detail {
namespace {

using Json = nlohmann::json;

// The roles that work cases (as opposed to watching them: supervisor, admin).
bool handles_cases(const identity::Principal& p) {
  using identity::Role;
  return p.has_role(Role::clerk) || p.has_role(Role::reviewer) || p.has_role(Role::approver);
}

bool has(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

// A mobile number (1[3-9] and 9 digits) or a long-distance one (0, area code and number: 10–12
// digits), with an optional +86 / 86 prefix and one separator between area code and number.
bool looks_like_phone(std::string_view s) {
  if (s.starts_with("+86")) s.remove_prefix(3);
  std::string digits;
  int separators = 0;
  for (char ch : s) {
    if (ch >= '0' && ch <= '9') {
      digits += ch;
    } else if ((ch == '-' || ch == ' ') && !digits.empty() && ++separators <= 1) {
      continue;
    } else {
      return false;
    }
  }
  if (digits.size() == 13 && digits.starts_with("86")) digits.erase(0, 2);
  if (digits.empty()) return false;
  if (digits.size() == 11 && digits[0] == '1' && digits[1] >= '3') return separators == 0;
  return digits[0] == '0' && digits.size() >= 10 && digits.size() <= 12;
}

// What `field` (of `form`, or unknown) holds in `value`.
FieldKind kind_of(const std::vector<catalog::FormField>& form, const std::string& name,
                  const Json& value) {
  auto f = std::find_if(form.begin(), form.end(),
                        [&](const catalog::FormField& x) { return x.name == name; });
  return field_kind(name, f == form.end() ? std::string_view() : std::string_view(f->type), value);
}

// The form as `d` shows it; every value the policy withholds is left out.
std::string mask_form(const std::string& form_json, const std::vector<catalog::FormField>& form,
                      Disclosure d) {
  Json in = Json::parse(form_json.empty() ? "{}" : form_json, nullptr, false);
  if (!in.is_object()) return "{}";
  Json out = Json::object();
  for (const auto& [name, value] : in.items()) {
    const bool text = value.is_string();
    switch (kind_of(form, name, value)) {
      case FieldKind::id_number:
        if (text) out[name] = identity::mask_id_number(value.get<std::string>());
        break;
      case FieldKind::phone:
        if (text) out[name] = identity::mask_phone(value.get<std::string>());
        break;
      case FieldKind::address:
        if (auto district = text ? district_of(value.get<std::string>()) : ""; !district.empty()) {
          out[name] = district;
        }
        break;
      case FieldKind::value:
        out[name] = value;
        break;
      case FieldKind::text:
        if (d == Disclosure::masked) out[name] = value;
        break;
    }
  }
  return out.dump();
}

// Of a certificate's verification (免提交), what supervision needs: the checks and when they were
// made, not the identifier, the holder or the presentation with its disclosed claims.
std::string verification_checks(const std::string& verification_json) {
  if (verification_json.empty()) return "";
  Json in = Json::parse(verification_json, nullptr, false);
  if (!in.is_object()) return "";
  Json out = Json::object();
  for (const char* key :
       {"type_name", "signature_ok", "status_ok", "validity_ok", "holder_ok", "verified_at"}) {
    if (in.contains(key)) out[key] = in[key];
  }
  return out.dump();
}

}  // namespace

Disclosure disclosure_for(const Case& c, const identity::Principal& viewer, Reading reading) {
  if (!viewer.is_official()) {
    const bool own = !viewer.user_id.empty() && c.applicant.user_id == viewer.user_id;
    return own ? Disclosure::full : Disclosure::supervision;
  }
  const bool filed_it = !viewer.user_id.empty() && c.filed_by == viewer.user_id;
  bool handling = filed_it;
  if (!handling && handles_cases(viewer) && !viewer.dept_id.empty()) {
    auto depts = workflow::departments_of(c);
    handling = std::find(depts.begin(), depts.end(), viewer.dept_id) != depts.end();
  }
  if (!handling) return Disclosure::supervision;
  return reading == Reading::one ? Disclosure::full : Disclosure::masked;
}

Case mask_for(const identity::Principal& viewer, const Case& c, Reading reading,
              const std::vector<catalog::FormField>& form) {
  Case out = c;
  out.disclosure = disclosure_for(c, viewer, reading);
  if (out.disclosure == Disclosure::full) return out;
  const bool supervision = out.disclosure == Disclosure::supervision;

  Applicant& a = out.applicant;
  if (out.filed_by == a.user_id) out.filed_by.clear();  // filed online: the same account id
  a.user_id.clear();
  a.id_number = identity::mask_id_number(a.id_number);
  a.phone = reading == Reading::list ? "" : identity::mask_phone(a.phone);
  if (supervision) a.name = privacy::mask_name(a.name);
  out.form_json = mask_form(c.form_json, form, out.disclosure);
  for (auto& m : out.materials) {
    if (!supervision) {
      m.verification_json.clear();  // lists: the checks are read on the case itself
      continue;
    }
    m.sha256.clear();
    m.certificate_id = identity::mask_id_number(m.certificate_id);
    m.verification_json = verification_checks(m.verification_json);
  }
  return out;
}

FieldKind field_kind(std::string_view name, std::string_view declared_type, const Json& value) {
  if (declared_type == "citizen_id" || declared_type == "uscc") return FieldKind::id_number;
  if (declared_type == "phone") return FieldKind::phone;
  if (name.ends_with("id_number") || has(name, "id_card") || name == "uscc" ||
      name.ends_with("_uscc")) {
    return FieldKind::id_number;
  }
  if (has(name, "phone") || has(name, "mobile") || name == "tel" || name.ends_with("_tel")) {
    return FieldKind::phone;
  }
  if (has(name, "address")) return FieldKind::address;
  const bool free_text =
      declared_type.empty() || declared_type == "string" || declared_type == "text";
  if (free_text && value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    if (identity::valid_citizen_id(s) || identity::valid_uscc(s)) return FieldKind::id_number;
    if (looks_like_phone(s)) return FieldKind::phone;
  }
  if (declared_type.empty()) {
    return value.is_number() || value.is_boolean() ? FieldKind::value : FieldKind::text;
  }
  constexpr std::array<std::string_view, 4> kValues = {"enum", "integer", "number", "boolean"};
  return std::find(kValues.begin(), kValues.end(), declared_type) != kValues.end()
             ? FieldKind::value
             : FieldKind::text;
}

std::string district_of(std::string_view address) {
  // A 区 that ends 小区, 园区, 社区, 街区, 景区, 校区 or 厂区 is a place within a district.
  static const std::u32string kNotDistrict = U"小园社街景校厂";
  std::u32string cps = core::decode_utf8(address);
  for (std::size_t i = 0; i < cps.size(); ++i) {
    const char32_t c = cps[i];
    const bool district =
        c == U'县' || c == U'旗' ||
        (c == U'区' && (i == 0 || kNotDistrict.find(cps[i - 1]) == std::u32string::npos));
    if (district) return core::encode_utf8(std::u32string_view(cps).substr(0, i + 1));
  }
  for (std::size_t i = 0; i < cps.size(); ++i) {
    if (cps[i] == U'市' && (i + 1 == cps.size() || cps[i + 1] != U'场')) {
      return core::encode_utf8(std::u32string_view(cps).substr(0, i + 1));
    }
  }
  return "";
}

}  // namespace detail
}  // namespace yiwang::cases
