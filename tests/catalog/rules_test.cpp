// 秒批 rule language: validation paths and evaluation outcomes. Pure functions, no store.
#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "catalog/rules.h"

namespace yiwang::catalog {
namespace {

const char* kElderly = R"({"rules": [
  {"id": "age", "description_zh": "申请人年满80周岁", "description_en": "80 or older",
   "when": {"fact": "applicant.age", "op": "ge", "value": 80}},
  {"id": "residence", "description_zh": "户籍在本市",
   "when": {"fact": "applicant.division_code", "op": "starts_with", "value": "3201"}},
  {"id": "no_open_case", "description_zh": "无在办件",
   "when": {"fact": "applicant.open_cases_same_item", "op": "eq", "value": 0}}]})";

std::vector<FormField> form() {
  FormField kind;
  kind.name = "kind";
  kind.label_zh = "类别";
  kind.type = "enum";
  kind.options = {"a", "b"};
  FormField count;
  count.name = "count";
  count.label_zh = "数量";
  count.type = "integer";
  return {kind, count};
}

Facts elderly(int age, std::string division = "320102", int open = 0) {
  ApplicantFacts a;
  a.kind = "citizen";
  a.age = age;
  a.division_code = std::move(division);
  a.open_cases_same_item = open;
  return make_facts("", a).value();
}

TEST(Rules, ValidSetPasses) {
  EXPECT_TRUE(validate_rules(kElderly, form()));
  EXPECT_TRUE(validate_rules("", form()));
  EXPECT_TRUE(validate_rules(R"({"rules": [{"id": "x", "description_zh": "类别", "when":
      {"any": [{"fact": "form.kind", "op": "in", "value": ["a"]},
               {"not": {"fact": "form.count", "op": "exists"}}]}}]})",
                             form()));
}

void expect_invalid(const std::string& rules, const std::string& field) {
  auto st = validate_rules(rules, form());
  ASSERT_FALSE(st) << rules;
  EXPECT_EQ(ErrorCode::invalid_input, st.error().code);
  EXPECT_EQ(field, st.error().field) << st.error().message_en;
}

TEST(Rules, InvalidSetsNameTheirPath) {
  expect_invalid("not json", "/instant_rules");
  expect_invalid(R"({"rules": {}})", "/instant_rules/rules");
  expect_invalid(R"({"rules": [], "extra": 1})", "/instant_rules/extra");
  // Unknown fact.
  expect_invalid(R"({"rules": [{"id": "a", "description_zh": "x",
      "when": {"fact": "applicant.income", "op": "gt", "value": 1}}]})",
                 "/instant_rules/rules/0/when/fact");
  // A form fact naming no field of the form.
  expect_invalid(R"({"rules": [{"id": "a", "description_zh": "x",
      "when": {"all": [{"fact": "form.kind", "op": "eq", "value": "a"},
                       {"fact": "form.colour", "op": "eq", "value": "red"}]}}]})",
                 "/instant_rules/rules/0/when/all/1/fact");
  expect_invalid(R"({"rules": [{"id": "a", "description_zh": "x",
      "when": {"fact": "applicant.age", "op": "between", "value": 1}}]})",
                 "/instant_rules/rules/0/when/op");
  expect_invalid(R"({"rules": [{"id": "a", "description_zh": "x",
      "when": {"fact": "applicant.age", "op": "in", "value": 80}}]})",
                 "/instant_rules/rules/0/when/value");
  expect_invalid(R"({"rules": [{"id": "a", "description_zh": "x",
      "when": {"fact": "applicant.age", "op": "ge"}}]})",
                 "/instant_rules/rules/0/when/value");
  expect_invalid(R"({"rules": [{"id": "a", "description_zh": "x", "when": {"all": []}}]})",
                 "/instant_rules/rules/0/when/all");
  expect_invalid(
      R"({"rules": [{"id": "a", "description_zh": "x", "when": {"fact": "applicant.age", "op": "exists"}},
                              {"id": "a", "description_zh": "y", "when": {"fact": "applicant.age", "op": "exists"}}]})",
      "/instant_rules/rules/1/id");
  expect_invalid(R"({"rules": [{"id": "a", "when": {"fact": "applicant.age", "op": "exists"}}]})",
                 "/instant_rules/rules/0/description_zh");
}

TEST(Rules, ElderlyAllowanceAt81IsEligible) {
  auto r = evaluate_rules(kElderly, elderly(81));
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->eligible);
  ASSERT_EQ(3u, r->outcomes.size());
  EXPECT_EQ("age", r->outcomes[0].id);
  EXPECT_EQ("申请人年满80周岁", r->outcomes[0].description_zh);
  EXPECT_TRUE(r->outcomes[0].passed);
}

TEST(Rules, ElderlyAllowanceAt79FailsWithDetail) {
  auto r = evaluate_rules(kElderly, elderly(79));
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->eligible);
  EXPECT_FALSE(r->outcomes[0].passed);
  EXPECT_EQ("applicant.age = 79, needs ≥ 80", r->outcomes[0].detail);
  EXPECT_TRUE(r->outcomes[1].passed);
  EXPECT_TRUE(r->outcomes[2].passed);
}

TEST(Rules, OtherCityAndOpenCaseFail) {
  auto r = evaluate_rules(kElderly, elderly(85, "110105", 1));
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->eligible);
  EXPECT_TRUE(r->outcomes[0].passed);
  EXPECT_FALSE(r->outcomes[1].passed);
  EXPECT_EQ("applicant.division_code = \"110105\", needs starting with \"3201\"",
            r->outcomes[1].detail);
  EXPECT_FALSE(r->outcomes[2].passed);
}

TEST(Rules, MissingFactFailsTheRuleWithoutError) {
  Facts facts = elderly(90);
  facts.erase("applicant.age");
  auto r = evaluate_rules(kElderly, facts);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->eligible);
  EXPECT_FALSE(r->outcomes[0].passed);
  EXPECT_EQ("applicant.age missing", r->outcomes[0].detail);
}

TEST(Rules, ComparesNumbersNumericallyAndTextAsText) {
  // Numerically 9 < 10, but as text "9" > "10": the comparison must be numeric.
  const char* numeric = R"({"rules": [{"id": "n", "description_zh": "x",
      "when": {"fact": "form.count", "op": "lt", "value": 10}}]})";
  EXPECT_TRUE(evaluate_rules(numeric, {{"form.count", "9"}})->eligible);
  EXPECT_FALSE(evaluate_rules(numeric, {{"form.count", "10"}})->eligible);
  // Dates compare as text.
  const char* dates = R"({"rules": [{"id": "d", "description_zh": "x",
      "when": {"fact": "form.day", "op": "ge", "value": "2026-01-01"}}]})";
  EXPECT_TRUE(evaluate_rules(dates, {{"form.day", "\"2026-03-01\""}})->eligible);
  EXPECT_FALSE(evaluate_rules(dates, {{"form.day", "\"2025-12-31\""}})->eligible);
}

TEST(Rules, InAnyNotAndEmptySets) {
  const char* set = R"({"rules": [{"id": "k", "description_zh": "x", "when":
      {"any": [{"fact": "form.kind", "op": "in", "value": ["a", "b"]},
               {"not": {"fact": "applicant.kind", "op": "eq", "value": "citizen"}}]}}]})";
  EXPECT_TRUE(
      evaluate_rules(set, {{"form.kind", "\"b\""}, {"applicant.kind", "\"citizen\""}})->eligible);
  auto r = evaluate_rules(set, {{"form.kind", "\"c\""}, {"applicant.kind", "\"citizen\""}});
  EXPECT_FALSE(r->eligible);
  EXPECT_NE(std::string::npos, r->outcomes[0].detail.find("none holds")) << r->outcomes[0].detail;
  EXPECT_TRUE(
      evaluate_rules(set, {{"form.kind", "\"c\""}, {"applicant.kind", "\"business\""}})->eligible);
  // No rules: never instantly approved.
  EXPECT_FALSE(evaluate_rules(R"({"rules": []})", {})->eligible);
  EXPECT_FALSE(evaluate_rules("", {})->eligible);
  EXPECT_FALSE(evaluate_rules("{", {}));
}

TEST(Rules, MakeFactsFromFormAndApplicant) {
  ApplicantFacts a;
  a.age = 81;
  auto facts = make_facts(R"({"kind": "a", "count": 3})", a);
  ASSERT_TRUE(facts);
  EXPECT_EQ("\"a\"", facts->at("form.kind"));
  EXPECT_EQ("3", facts->at("form.count"));
  EXPECT_EQ("81", facts->at("applicant.age"));
  EXPECT_EQ(0u, facts->count("applicant.division_code"));
  EXPECT_FALSE(make_facts("[1]", a));
}

}  // namespace
}  // namespace yiwang::catalog
