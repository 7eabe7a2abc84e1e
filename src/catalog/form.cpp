// Service::validate_form: checks an application's form values against the item's form fields.
#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "core/utf8.h"

namespace yiwang::catalog {
namespace {

using Json = nlohmann::json;

tl::unexpected<Error> bad(const FormField& f, const std::string& zh, const std::string& en) {
  return fail(ErrorCode::invalid_input, "/form/" + f.name, f.label_zh + "：" + zh,
              (f.label_en.empty() ? f.name : f.label_en) + ": " + en);
}

bool digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Mobile: 11 digits starting 1[3-9]. Landline: area code 0 + 2–3 digits, optional '-', 7–8
// digits, optional "-extension".
bool valid_phone(std::string_view s) {
  if (s.size() == 11 && digits(s) && s[0] == '1' && s[1] >= '3') return true;
  if (s.empty() || s[0] != '0') return false;
  std::string_view rest = s;
  std::string_view ext;
  if (auto dash = rest.find('-'); dash != std::string_view::npos) {
    std::string_view area = rest.substr(0, dash);
    std::string_view local = rest.substr(dash + 1);
    if (auto dash2 = local.find('-'); dash2 != std::string_view::npos) {
      ext = local.substr(dash2 + 1);
      local = local.substr(0, dash2);
      if (!digits(ext) || ext.size() > 6) return false;
    }
    return digits(area) && area.size() >= 3 && area.size() <= 4 && digits(local) &&
           local.size() >= 7 && local.size() <= 8;
  }
  return digits(rest) && rest.size() >= 10 && rest.size() <= 12;
}

std::string number_text(double v) {
  if (std::floor(v) == v && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
  return Json(v).dump();
}

Status check_value(const FormField& f, const Json& v) {
  const std::string& t = f.type;
  if (t == "integer" || t == "number") {
    if (!v.is_number()) return bad(f, "应为数字", "must be a number");
    double x = v.get<double>();
    if (t == "integer" && !v.is_number_integer() && std::floor(x) != x) {
      return bad(f, "应为整数", "must be an integer");
    }
    if (f.min && x < *f.min) {
      return bad(f, "不能小于 " + number_text(*f.min), "must be at least " + number_text(*f.min));
    }
    if (f.max && x > *f.max) {
      return bad(f, "不能大于 " + number_text(*f.max), "must be at most " + number_text(*f.max));
    }
    return {};
  }
  if (t == "boolean") {
    if (!v.is_boolean()) return bad(f, "应为是或否", "must be true or false");
    return {};
  }
  if (!v.is_string()) return bad(f, "应为文本", "must be a string");
  const std::string s = v.get<std::string>();
  if (t == "date") {
    core::Date d;
    if (!core::parse_date(s, d))
      return bad(f, "日期格式应为 YYYY-MM-DD", "must be a date YYYY-MM-DD");
  } else if (t == "enum") {
    if (std::find(f.options.begin(), f.options.end(), s) == f.options.end()) {
      return bad(f, "不是可选的值", "is not one of the options");
    }
  } else if (t == "citizen_id") {
    if (!identity::valid_citizen_id(s))
      return bad(f, "公民身份号码无效", "invalid citizen id number");
  } else if (t == "uscc") {
    if (!identity::valid_uscc(s))
      return bad(f, "统一社会信用代码无效", "invalid unified social credit code");
  } else if (t == "phone") {
    if (!valid_phone(s)) return bad(f, "电话号码无效", "invalid phone number");
  } else {  // string, text
    if (f.required && s.empty()) return bad(f, "必填", "is required");
    if (core::utf8_length(s) > static_cast<std::size_t>(f.max_length)) {
      return bad(f, "最多 " + std::to_string(f.max_length) + " 字",
                 "at most " + std::to_string(f.max_length) + " characters");
    }
  }
  return {};
}

}  // namespace

Status Service::validate_form(const Item& item, const std::string& form_json) {
  Json form = form_json.empty() ? Json::object() : Json::parse(form_json, nullptr, false);
  if (form.is_discarded() || !form.is_object()) {
    return fail(ErrorCode::invalid_input, "/form", "表单应为 JSON 对象",
                "form must be a JSON object");
  }
  for (auto it = form.begin(); it != form.end(); ++it) {
    bool known = std::any_of(item.form.begin(), item.form.end(),
                             [&](const FormField& f) { return f.name == it.key(); });
    if (!known) {
      return fail(ErrorCode::invalid_input, "/form/" + it.key(), "未知的表单字段：" + it.key(),
                  "unknown form field: " + it.key());
    }
  }
  for (const auto& f : item.form) {
    auto it = form.find(f.name);
    if (it == form.end() || it->is_null()) {
      if (f.required) return bad(f, "必填", "is required");
      continue;
    }
    if (auto st = check_value(f, *it); !st) return st;
  }
  return {};
}

}  // namespace yiwang::catalog
