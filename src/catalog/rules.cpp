#include "catalog/rules.h"

#include <set>

#include <nlohmann/json.hpp>

#include "catalog/catalog.h"

namespace yiwang::catalog {
namespace {

using Json = nlohmann::json;

constexpr int kMaxDepth = 16;
constexpr const char* kRoot = "/instant_rules";

const std::set<std::string, std::less<>> kApplicantFacts = {
    "applicant.kind", "applicant.age", "applicant.division_code", "applicant.open_cases_same_item"};
const std::set<std::string, std::less<>> kOps = {"eq", "ne", "lt",          "le",    "gt",
                                                 "ge", "in", "starts_with", "exists"};

tl::unexpected<Error> bad(const std::string& field, const std::string& zh, const std::string& en) {
  return fail(ErrorCode::invalid_input, field, "秒批规则无效：" + zh,
              "invalid instant rule: " + en);
}

// Structural check of one condition. `form` is null when only the shape matters (evaluation).
Status check_condition(const Json& c, const std::string& path, const std::vector<FormField>* form,
                       int depth) {
  if (depth > kMaxDepth) return bad(path, "嵌套过深", "conditions nested too deeply");
  if (!c.is_object()) return bad(path, "条件应为对象", "a condition must be an object");
  auto only = [&](std::initializer_list<const char*> allowed) -> Status {
    for (auto it = c.begin(); it != c.end(); ++it) {
      bool ok = false;
      for (const char* a : allowed) ok = ok || it.key() == a;
      if (!ok)
        return bad(path + "/" + it.key(), "未知字段 " + it.key(), "unknown field " + it.key());
    }
    return {};
  };
  for (const char* group : {"all", "any"}) {
    if (c.contains(group)) {
      if (auto st = only({group}); !st) return st;
      const Json& list = c[group];
      std::string p = path + "/" + group;
      if (!list.is_array() || list.empty()) {
        return bad(p, std::string(group) + " 应为非空数组",
                   std::string(group) + " must be a non-empty array");
      }
      for (std::size_t i = 0; i < list.size(); ++i) {
        if (auto st = check_condition(list[i], p + "/" + std::to_string(i), form, depth + 1); !st) {
          return st;
        }
      }
      return {};
    }
  }
  if (c.contains("not")) {
    if (auto st = only({"not"}); !st) return st;
    return check_condition(c["not"], path + "/not", form, depth + 1);
  }
  if (auto st = only({"fact", "op", "value"}); !st) return st;
  if (!c.contains("fact") || !c["fact"].is_string()) {
    return bad(path + "/fact", "缺少事实名称 fact", "fact must be a string");
  }
  std::string fact = c["fact"].get<std::string>();
  bool known = kApplicantFacts.count(fact) > 0;
  if (!known && fact.rfind("form.", 0) == 0 && fact.size() > 5) {
    if (!form) {
      known = true;
    } else {
      for (const auto& f : *form) known = known || f.name == fact.substr(5);
    }
  }
  if (!known) return bad(path + "/fact", "未知事实 " + fact, "unknown fact " + fact);
  if (!c.contains("op") || !c["op"].is_string() || !kOps.count(c["op"].get<std::string>())) {
    return bad(path + "/op", "未知运算符",
               "op must be one of eq ne lt le gt ge in starts_with exists");
  }
  std::string op = c["op"].get<std::string>();
  if (op == "exists") {
    if (c.contains("value"))
      return bad(path + "/value", "exists 不带 value", "exists takes no value");
    return {};
  }
  if (!c.contains("value") || c["value"].is_null()) {
    return bad(path + "/value", "缺少比较值 value", "value is required");
  }
  const Json& v = c["value"];
  if (op == "in") {
    if (!v.is_array() || v.empty())
      return bad(path + "/value", "in 需要非空数组", "in takes a non-empty array");
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (!v[i].is_primitive() || v[i].is_null()) {
        return bad(path + "/value/" + std::to_string(i), "应为标量", "must be a scalar");
      }
    }
  } else if (op == "starts_with") {
    if (!v.is_string())
      return bad(path + "/value", "starts_with 需要字符串", "starts_with takes a string");
  } else if (!v.is_primitive()) {
    return bad(path + "/value", "比较值应为标量", "value must be a scalar");
  }
  return {};
}

Status check_rules(const Json& doc, const std::vector<FormField>* form) {
  std::string root = kRoot;
  if (!doc.is_object()) return bad(root, "规则集应为对象", "the rule set must be an object");
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (it.key() != "rules")
      return bad(root + "/" + it.key(), "未知字段", "unknown field " + it.key());
  }
  if (!doc.contains("rules") || !doc["rules"].is_array()) {
    return bad(root + "/rules", "rules 应为数组", "rules must be an array");
  }
  std::set<std::string> ids;
  const Json& rules = doc["rules"];
  for (std::size_t i = 0; i < rules.size(); ++i) {
    std::string p = root + "/rules/" + std::to_string(i);
    const Json& r = rules[i];
    if (!r.is_object()) return bad(p, "规则应为对象", "a rule must be an object");
    for (auto it = r.begin(); it != r.end(); ++it) {
      const std::string& k = it.key();
      if (k != "id" && k != "description_zh" && k != "description_en" && k != "when") {
        return bad(p + "/" + k, "未知字段 " + k, "unknown field " + k);
      }
    }
    if (!r.contains("id") || !r["id"].is_string() || r["id"].get<std::string>().empty()) {
      return bad(p + "/id", "规则需要 id", "a rule needs a non-empty id");
    }
    if (!ids.insert(r["id"].get<std::string>()).second) {
      return bad(p + "/id", "规则 id 重复", "duplicate rule id");
    }
    if (!r.contains("description_zh") || !r["description_zh"].is_string() ||
        r["description_zh"].get<std::string>().empty()) {
      return bad(p + "/description_zh", "规则需要中文说明", "a rule needs description_zh");
    }
    if (r.contains("description_en") && !r["description_en"].is_string()) {
      return bad(p + "/description_en", "应为字符串", "description_en must be a string");
    }
    if (!r.contains("when"))
      return bad(p + "/when", "规则需要条件 when", "a rule needs a condition");
    if (auto st = check_condition(r["when"], p + "/when", form, 0); !st) return st;
  }
  return {};
}

Result<Json> parse(const std::string& text) {
  Json doc = Json::parse(text, nullptr, false);
  if (doc.is_discarded()) return bad(kRoot, "不是合法的 JSON", "not valid JSON");
  return doc;
}

std::string show(const Json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

std::string op_text(const std::string& op) {
  if (op == "eq") return "=";
  if (op == "ne") return "≠";
  if (op == "lt") return "<";
  if (op == "le") return "≤";
  if (op == "gt") return ">";
  if (op == "ge") return "≥";
  if (op == "in") return "one of";
  if (op == "starts_with") return "starting with";
  return op;
}

// Three-way comparison: numeric when both are numbers, textual otherwise.
int compare(const Json& a, const Json& b) {
  if (a.is_number() && b.is_number()) {
    double x = a.get<double>(), y = b.get<double>();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  std::string x = show(a), y = show(b);
  return x < y ? -1 : (x > y ? 1 : 0);
}

struct Verdict {
  bool passed = false;
  std::string detail;
};

Verdict evaluate(const Json& c, const Facts& facts) {
  if (c.contains("all")) {
    for (const auto& sub : c["all"]) {
      Verdict v = evaluate(sub, facts);
      if (!v.passed) return v;
    }
    return {true, "all conditions hold"};
  }
  if (c.contains("any")) {
    std::string details;
    for (const auto& sub : c["any"]) {
      Verdict v = evaluate(sub, facts);
      if (v.passed) return v;
      details += (details.empty() ? "" : "; ") + v.detail;
    }
    return {false, "none holds: " + details};
  }
  if (c.contains("not")) {
    Verdict v = evaluate(c["not"], facts);
    return {!v.passed, v.passed ? "must not hold: " + v.detail : "holds: not (" + v.detail + ")"};
  }
  std::string fact = c["fact"].get<std::string>();
  std::string op = c["op"].get<std::string>();
  Json actual;
  if (auto it = facts.find(fact); it != facts.end()) {
    actual = Json::parse(it->second, nullptr, false);
    if (actual.is_discarded()) actual = it->second;  // tolerate bare text
  }
  if (actual.is_null()) {
    return {false, fact + " missing"};
  }
  if (op == "exists") return {true, fact + " present"};
  const Json& want = c["value"];
  bool ok = false;
  if (op == "eq")
    ok = compare(actual, want) == 0;
  else if (op == "ne")
    ok = compare(actual, want) != 0;
  else if (op == "lt")
    ok = compare(actual, want) < 0;
  else if (op == "le")
    ok = compare(actual, want) <= 0;
  else if (op == "gt")
    ok = compare(actual, want) > 0;
  else if (op == "ge")
    ok = compare(actual, want) >= 0;
  else if (op == "starts_with")
    ok = show(actual).rfind(show(want), 0) == 0;
  else if (op == "in") {
    for (const auto& w : want) ok = ok || compare(actual, w) == 0;
  }
  std::string rendered_want = op == "in" ? want.dump() : show(want);
  if (want.is_string() && op != "in") rendered_want = "\"" + rendered_want + "\"";
  std::string rendered_actual = actual.is_string() ? "\"" + show(actual) + "\"" : show(actual);
  if (ok) return {true, fact + " = " + rendered_actual + ", " + op_text(op) + " " + rendered_want};
  return {false, fact + " = " + rendered_actual + ", needs " + op_text(op) + " " + rendered_want};
}

}  // namespace

Status validate_rules(const std::string& rules_json, const std::vector<FormField>& form) {
  if (rules_json.empty()) return {};
  auto doc = parse(rules_json);
  if (!doc) return fail(doc.error());
  return check_rules(*doc, &form);
}

Result<RuleEvaluation> evaluate_rules(const std::string& rules_json, const Facts& facts) {
  RuleEvaluation out;
  if (rules_json.empty()) return out;
  auto doc = parse(rules_json);
  if (!doc) return fail(doc.error());
  if (auto st = check_rules(*doc, nullptr); !st) return fail(st.error());
  bool all = true;
  for (const auto& r : (*doc)["rules"]) {
    Verdict v = evaluate(r["when"], facts);
    RuleOutcome o;
    o.id = r["id"].get<std::string>();
    o.description_zh = r["description_zh"].get<std::string>();
    o.passed = v.passed;
    o.detail = std::move(v.detail);
    all = all && o.passed;
    out.outcomes.push_back(std::move(o));
  }
  out.eligible = all && !out.outcomes.empty();
  return out;
}

Result<Facts> make_facts(const std::string& form_json, const ApplicantFacts& applicant) {
  Facts facts;
  if (!form_json.empty()) {
    Json form = Json::parse(form_json, nullptr, false);
    if (form.is_discarded() || !form.is_object()) {
      return fail(ErrorCode::invalid_input, "/form", "表单应为 JSON 对象",
                  "form must be a JSON object");
    }
    for (auto it = form.begin(); it != form.end(); ++it) {
      if (!it->is_null()) facts["form." + it.key()] = it->dump();
    }
  }
  if (!applicant.kind.empty()) facts["applicant.kind"] = Json(applicant.kind).dump();
  if (applicant.age) facts["applicant.age"] = std::to_string(*applicant.age);
  if (!applicant.division_code.empty()) {
    facts["applicant.division_code"] = Json(applicant.division_code).dump();
  }
  if (applicant.open_cases_same_item) {
    facts["applicant.open_cases_same_item"] = std::to_string(*applicant.open_cases_same_item);
  }
  return facts;
}

}  // namespace yiwang::catalog
