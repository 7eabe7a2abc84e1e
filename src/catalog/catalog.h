// Service catalog (事项) per GB/T 39046-2020: items, their versions, application forms, workflows
// and 秒批 (instant approval) rules, with Chinese full-text search.
//
// Items are versioned: every change publishes a new immutable version; a case keeps the version
// it was filed under (`get_version`). `code` is the implementation code (实施编码, ≤ 24 chars).
// Search uses a Xapian index with CJK n-grams, rebuilt from the store at start and updated on
// every publish.
//
// Thread-safe. Changes are events in the outbox ("item.published"). The search index lives in the
// process: items published by another process sharing a PostgreSQL database are searchable here
// after a restart (get() always reads the store).
//
// Files: catalog.cpp publishing, versions, validation · form.cpp application forms · rules.h/.cpp
// 秒批 rules (pure: evaluated on facts) · items_json.h/.cpp the item document · search_index.h/.cpp
// the Xapian index · routes.cpp the HTTP routes.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/rules.h"
#include "core/clock.h"
#include "core/result.h"
#include "identity/identity.h"
#include "store/store.h"

namespace yiwang::http {
class Router;
}

namespace yiwang::catalog {

// GB/T 39046 A.1 item type codes ("01" 行政许可 … "07" 行政确认 … "20" 公共服务).
bool valid_item_type(std::string_view code);
std::string_view item_type_name(std::string_view code);
// A.2 exercise level "1".."7", A.4 service object "1".."6", A.5 handling form "1","2","3","4","9",
// A.6 case type "1" 即办件, "2" 承诺件, "9" 其他.

enum class LimitUnit { working_days, natural_days };

struct Material {
  std::string name;
  std::string issuing_body;  // 来源渠道 / 出具单位
  int originals = 0;
  int copies = 0;
  bool mandatory = true;
  std::string note;
  std::string certificate_type;  // satisfied by an electronic certificate of this type (免提交)
};

// One typed field of the application form. Types: string, text, integer, number, boolean, date,
// enum, citizen_id, uscc, phone. Validation: required, min/max (numbers), max_length, options
// (enum).
struct FormField {
  std::string name;  // [a-z][a-z0-9_]*
  std::string label_zh;
  std::string label_en;
  std::string type = "string";
  bool required = false;
  std::optional<double> min;
  std::optional<double> max;
  int max_length = 200;
  std::vector<std::string> options;
};

// A workflow step after acceptance. kind: "review" (审查) or "decide" (决定, grants or denies);
// a review step with several departments is a joint step (并联审批): all must approve.
struct WorkflowStep {
  std::string name;  // "审查", "现场核查", "决定"
  std::string kind = "review";
  std::vector<std::string> dept_ids;  // empty = the implementing department
  std::string role = "reviewer";      // identity::Role name
};

struct Faq {
  std::string question;
  std::string answer;
};

struct Item {
  std::string code;        // 实施编码 (implementation code), unique, ≤ 24
  std::string basic_code;  // 基本编码, ≤ 10
  int version = 0;         // assigned on publish
  std::string name;
  std::string item_type;       // A.1
  std::string exercise_level;  // A.2
  std::string dept_id;         // implementing department
  std::vector<std::string> joint_dept_ids;
  std::string legal_basis;
  int legal_limit = 0;
  int promised_limit = 0;
  LimitUnit limit_unit = LimitUnit::working_days;
  std::string limit_note;
  std::string acceptance_conditions;
  std::string procedure;
  std::vector<Material> materials;
  bool fee = false;
  std::string fee_basis;
  std::string tongban_scope;                 // 全国 / 跨省 / 跨市 / 跨县 / ""
  std::vector<std::string> service_objects;  // A.4 codes
  std::vector<std::string> handling_forms;   // A.5 codes
  std::string case_type = "2";               // A.6
  int online_depth = 4;                      // 网办深度 Ⅰ–Ⅳ
  int max_visits = 0;                        // 到现场次数
  // The lowest identity assurance an applicant filing online needs (identity::Assurance names:
  // "claimed", "verified", "in_person"); a window clerk's filing has checked the identity card.
  std::string min_assurance = "claimed";
  std::string result_name;                   // 审批结果名称
  std::string result_certificate_type;       // certificate issued on completion, "" if none
  std::string place;
  std::string hours;
  std::string consult_phone;
  std::string supervise_phone;
  std::vector<Faq> faqs;
  std::vector<FormField> form;
  std::vector<WorkflowStep> workflow;  // empty: one review step by the dept, then decide
  std::string instant_rules_json;      // 秒批 rule set (see rules.h); "" = none
  bool active = true;
  core::Millis published_at_ms = 0;
};

struct SearchQuery {
  std::string q;  // Chinese free text; "" lists all
  std::string dept_id;
  std::string item_type;
  std::string service_object;
  int limit = 20;
  int offset = 0;
  bool include_inactive = false;  // withdrawn items are hidden from the public list
};

struct SearchResult {
  std::vector<Item> items;  // current versions
  std::int64_t total = 0;
  // The words people use: the query is also searched for the official terms of the colloquial
  // phrases it contains (lexicon::synonyms), and for the item names or phrases it spells in
  // pinyin or initials or sounds like (a typo). `suggestion` is the phrase understood when the
  // query was read that way ("kfd" → "开饭店", "营业执造" → "营业执照"): "did you mean".
  std::string suggestion;
  // Nothing, or only a loose match of a few characters, was found: the page offers the
  // assistant instead.
  bool weak = false;
};

std::vector<store::Migration> migrations();

// The item's JSON document: field names are the member names above, plus "item_type_name" and
// "published_at" (RFC 3339; both output only), `limit_unit` as "working_days" / "natural_days" and
// `instant_rules` as the rule set object (absent or null when there is none).
std::string item_to_json(const Item& item);
// Strict parse of that document (unknown fields are invalid_input with their path; "version",
// "published_at_ms", "published_at" and "item_type_name" are accepted and ignored). Checks types
// only: publish() validates the content. Used by the routes and the demo seeder
// (data/demo/items.json is an array of such documents).
Result<Item> item_from_json(std::string_view json_text);

enum class PublishMode {
  create_or_update,
  create_only,  // conflict when the code exists (POST /items)
  update_only,  // not_found when it does not (PUT /items/{code})
};

class ParsedDocs;

struct ItemHead {
  int version = 0;
  bool active = true;
};

class Service {
 public:
  Service(store::Store& store, const core::Clock& clock);
  ~Service();

  // Validates all fields (codes against GB/T 39046 tables, form definition, workflow, rules) and
  // publishes version 1 (new code) or the next version. invalid_input with the field path.
  // Only admins may publish (forbidden otherwise); validation names the offending field. Writes
  // the version, the current pointer and the "item.published" event in one transaction.
  Result<Item> publish(const Item& item, const identity::Principal& by);
  Result<Item> publish(const Item& item, const identity::Principal& by, PublishMode mode);
  Result<Item> get(std::string_view code);  // current version
  // The current version number and active flag of an item: one indexed read, so that readers
  // may cache what they derive from a version.
  Result<ItemHead> head(std::string_view code);
  Result<Item> get_version(std::string_view code, int version);
  // Ranked by relevance (item names first), then by how often the item is applied for.
  Result<SearchResult> search(const SearchQuery& query);
  // How many applications each item has had (item code → count), which ranks equally relevant
  // items; the app sets it at start and refreshes it. Items not named count 0.
  void set_popularity(const std::map<std::string, std::int64_t>& filed);
  // Admins only; withdrawing an item hides it from search (cases already filed keep it).
  Status set_active(std::string_view code, bool active, const identity::Principal& by);

  // Evaluates the current version's 秒批 rules against a hypothetical application, after
  // validating `form_json` against its form. Admins and approvers only. Writes nothing.
  Result<RuleEvaluation> dry_run(std::string_view code, const std::string& form_json,
                                 const ApplicantFacts& applicant, const identity::Principal& by);

  // Validates form data against the item's form; invalid_input names "/form/<field>".
  static Status validate_form(const Item& item, const std::string& form_json);

 private:
  struct Index;
  store::Store& store_;
  const core::Clock& clock_;
  std::unique_ptr<Index> index_;
  std::unique_ptr<ParsedDocs> docs_;  // parsed stored documents, by their text
};

// GET /api/v1/items, GET /api/v1/items/{code}, GET /api/v1/items/{code}/versions/{version},
// POST /api/v1/items, PUT /api/v1/items/{code}, PUT /api/v1/items/{code}/active,
// POST /api/v1/items/{code}/instant-rules/dry-run.
void register_routes(http::Router& router, Service& service, identity::Service& identity);

}  // namespace yiwang::catalog
