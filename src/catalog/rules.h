// 秒批 (instant approval) rules: declarative conditions, stored as JSON data on an item.
//
// Rule set JSON: {"rules": [{"id": "age", "description_zh": "…", "description_en": "…",
//                            "when": <condition>}, …]}
// Condition: {"all": [c…]} | {"any": [c…]} | {"not": c} |
//            {"fact": "<name>", "op": "eq|ne|lt|le|gt|ge|in|starts_with|exists", "value": v}
// Facts: "form.<field>" (the application's form values), "applicant.kind", "applicant.age",
//        "applicant.division_code", "applicant.open_cases_same_item" (number of the applicant's
//        open cases of this item, excluding the current one).
// A case is approved instantly when every rule holds; otherwise it goes to manual review.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace yiwang::catalog {

struct FormField;

struct RuleOutcome {
  std::string id;
  std::string description_zh;
  bool passed = false;
  std::string detail;                // why it failed ("applicant.age = 75, needs ≥ 80")
};

struct RuleEvaluation {
  bool eligible = false;             // all rules hold and there is at least one rule
  std::vector<RuleOutcome> outcomes;
};

// Facts as JSON text values keyed by fact name ("applicant.age" -> "81", "form.x" -> "\"a\"").
using Facts = std::map<std::string, std::string>;

// invalid_input with a field path under "/instant_rules" for unknown facts, operators, malformed
// conditions, or "form.<field>" naming no field of `form`.
Status validate_rules(const std::string& rules_json, const std::vector<FormField>& form);
Result<RuleEvaluation> evaluate_rules(const std::string& rules_json, const Facts& facts);

// What the platform knows about an applicant; unknown values are left empty and their facts are
// absent (a rule on an absent fact fails with "<fact> missing").
struct ApplicantFacts {
  std::string kind;                          // "citizen" / "business"
  std::optional<int> age;
  std::string division_code;
  std::optional<std::int64_t> open_cases_same_item;
};

// Facts for evaluate_rules: "form.<key>" for every member of the form object (form_json may be
// "" for none; invalid_input when it is not a JSON object) and the applicant's known facts.
Result<Facts> make_facts(const std::string& form_json, const ApplicantFacts& applicant);

}  // namespace yiwang::catalog
