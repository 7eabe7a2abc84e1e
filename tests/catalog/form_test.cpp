// Service::validate_form: each field type, required fields, unknown fields, bounds.
#include <gtest/gtest.h>

#include "catalog/catalog.h"

namespace yiwang::catalog {
namespace {

FormField field(std::string name, std::string type, bool required = false) {
  FormField f;
  f.name = std::move(name);
  f.label_zh = f.name;
  f.type = std::move(type);
  f.required = required;
  return f;
}

Item item_with_form() {
  Item item;
  item.form.push_back(field("name", "string", true));
  item.form.back().max_length = 4;
  item.form.push_back(field("count", "integer"));
  item.form.back().min = 1;
  item.form.back().max = 10;
  item.form.push_back(field("area", "number"));
  item.form.push_back(field("agree", "boolean"));
  item.form.push_back(field("day", "date"));
  item.form.push_back(field("kind", "enum"));
  item.form.back().options = {"甲", "乙"};
  item.form.push_back(field("id_number", "citizen_id"));
  item.form.push_back(field("uscc", "uscc"));
  item.form.push_back(field("phone", "phone"));
  item.form.push_back(field("note", "text"));
  return item;
}

void expect_bad(const std::string& form, const std::string& field) {
  auto st = Service::validate_form(item_with_form(), form);
  ASSERT_FALSE(st) << form;
  EXPECT_EQ(ErrorCode::invalid_input, st.error().code);
  EXPECT_EQ(field, st.error().field) << form << ": " << st.error().message_en;
}

TEST(ValidateForm, AcceptsWellTypedValues) {
  EXPECT_TRUE(Service::validate_form(item_with_form(), R"({"name": "张三丰"})"));
  EXPECT_TRUE(Service::validate_form(item_with_form(), R"({
    "name": "张三", "count": 10, "area": 12.5, "agree": true, "day": "2024-02-29",
    "kind": "乙", "id_number": "11010519491231002X", "uscc": "91350100M000100Y43",
    "phone": "13912345678", "note": null})"));
  EXPECT_TRUE(
      Service::validate_form(item_with_form(), R"({"name": "a", "phone": "0259-8600101"})"));
  EXPECT_TRUE(
      Service::validate_form(item_with_form(), R"({"name": "a", "phone": "025-52345678"})"));
}

TEST(ValidateForm, RejectsEachKindOfError) {
  expect_bad("[]", "/form");
  expect_bad("{", "/form");
  expect_bad(R"({})", "/form/name");                                // required
  expect_bad(R"({"name": ""})", "/form/name");                      // required, empty
  expect_bad(R"({"name": "张三丰张三"})", "/form/name");            // 5 code points > 4
  expect_bad(R"({"name": "a", "colour": "red"})", "/form/colour");  // unknown
  expect_bad(R"({"name": "a", "count": "3"})", "/form/count");      // not a number
  expect_bad(R"({"name": "a", "count": 2.5})", "/form/count");      // not an integer
  expect_bad(R"({"name": "a", "count": 0})", "/form/count");        // below min
  expect_bad(R"({"name": "a", "count": 11})", "/form/count");       // above max
  expect_bad(R"({"name": "a", "area": true})", "/form/area");
  expect_bad(R"({"name": "a", "agree": "yes"})", "/form/agree");
  expect_bad(R"({"name": "a", "day": "2023-02-29"})", "/form/day");  // not a real date
  expect_bad(R"({"name": "a", "day": "2024-2-1"})", "/form/day");
  expect_bad(R"({"name": "a", "kind": "丙"})", "/form/kind");
  expect_bad(R"({"name": "a", "id_number": "110105194912310021"})",
             "/form/id_number");  // check digit
  expect_bad(R"({"name": "a", "uscc": "91350100M000100Y44"})", "/form/uscc");
  expect_bad(R"({"name": "a", "phone": "1391234567"})", "/form/phone");
  expect_bad(R"({"name": "a", "phone": "12345678901"})", "/form/phone");
  expect_bad(R"({"name": "a", "note": 5})", "/form/note");
}

}  // namespace
}  // namespace yiwang::catalog
