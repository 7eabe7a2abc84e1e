#include "catalog/catalog.h"

#include <algorithm>
#include <optional>
#include <set>
#include <shared_mutex>
#include <stdexcept>
#include <unordered_map>

#include "catalog/items_json.h"
#include "catalog/search_index.h"
#include "core/text_check.h"
#include "core/utf8.h"
#include "events/events.h"

namespace yiwang::generated {
std::vector<store::Migration> catalog_migrations();
}

namespace yiwang::catalog {
namespace {

using detail::Json;

struct TypeName {
  const char* code;
  const char* name;
};
constexpr TypeName kItemTypes[] = {
    {"01", "行政许可"}, {"02", "行政处罚"},     {"03", "行政强制"}, {"04", "行政征收"},
    {"05", "行政给付"}, {"06", "行政检查"},     {"07", "行政确认"}, {"08", "行政奖励"},
    {"09", "行政裁决"}, {"10", "其他行政权力"}, {"20", "公共服务"},
};

const std::set<std::string, std::less<>> kExerciseLevels = {"1", "2", "3", "4", "5", "6", "7"};
const std::set<std::string, std::less<>> kServiceObjects = {"1", "2", "3", "4", "5", "6"};
const std::set<std::string, std::less<>> kHandlingForms = {"1", "2", "3", "4", "9"};
const std::set<std::string, std::less<>> kCaseTypes = {"1", "2", "9"};
const std::set<std::string, std::less<>> kTongban = {"", "全国", "跨省", "跨市", "跨县"};
const std::set<std::string, std::less<>> kFieldTypes = {"string",  "text", "integer", "number",
                                                        "boolean", "date", "enum",    "citizen_id",
                                                        "uscc",    "phone"};

constexpr std::size_t kMaxText = 20000;  // any free-text field of an item
constexpr std::size_t kMaxList = 200;    // materials, form fields, steps, FAQs

tl::unexpected<Error> bad(std::string field, std::string zh, std::string en) {
  return fail(ErrorCode::invalid_input, std::move(field), std::move(zh), std::move(en));
}

bool alnum(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  });
}

bool field_name_ok(std::string_view s) {
  if (s.empty() || s.size() > 64 || s[0] < 'a' || s[0] > 'z') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::string at(std::string_view list, std::size_t i) {
  return "/" + std::string(list) + "/" + std::to_string(i);
}

Status check_text(const std::string& value, const std::string& field, std::size_t max) {
  return core::check_text(value, field, {.max = max});
}

Status check_codes(const std::vector<std::string>& codes,
                   const std::set<std::string, std::less<>>& allowed, const std::string& list,
                   const char* what_zh, const char* what_en) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < codes.size(); ++i) {
    if (!allowed.count(codes[i]) || !seen.insert(codes[i]).second) {
      return bad(at(list, i), std::string("无效或重复的") + what_zh + "代码",
                 std::string("invalid or duplicate ") + what_en + " code");
    }
  }
  return {};
}

Status validate_form_definition(const std::vector<FormField>& form) {
  if (form.size() > kMaxList) return bad("/form", "表单字段过多", "too many form fields");
  std::set<std::string> names;
  for (std::size_t i = 0; i < form.size(); ++i) {
    const FormField& f = form[i];
    std::string p = at("form", i);
    if (!field_name_ok(f.name)) {
      return bad(p + "/name", "字段名须为小写字母开头的 [a-z0-9_]",
                 "name must match [a-z][a-z0-9_]*");
    }
    if (!names.insert(f.name).second) return bad(p + "/name", "字段名重复", "duplicate field name");
    if (f.label_zh.empty()) return bad(p + "/label_zh", "缺少中文标签", "label_zh is required");
    if (auto st = check_text(f.label_zh, p + "/label_zh", 200); !st) return st;
    if (auto st = check_text(f.label_en, p + "/label_en", 200); !st) return st;
    if (!kFieldTypes.count(f.type)) return bad(p + "/type", "未知字段类型", "unknown field type");
    if (f.type == "enum") {
      if (f.options.empty())
        return bad(p + "/options", "枚举字段需要选项", "an enum needs options");
      std::set<std::string> seen;
      for (std::size_t j = 0; j < f.options.size(); ++j) {
        if (f.options[j].empty() || !seen.insert(f.options[j]).second) {
          return bad(p + "/options/" + std::to_string(j), "选项为空或重复",
                     "empty or duplicate option");
        }
      }
    } else if (!f.options.empty()) {
      return bad(p + "/options", "只有枚举字段有选项", "only enum fields take options");
    }
    if (f.min && f.max && *f.min > *f.max)
      return bad(p + "/min", "最小值大于最大值", "min exceeds max");
    if ((f.min || f.max) && f.type != "integer" && f.type != "number") {
      return bad(p + (f.min ? "/min" : "/max"), "只有数值字段有取值范围",
                 "only integer and number fields take min/max");
    }
    if (f.max_length < 1 || f.max_length > 100000) {
      return bad(p + "/max_length", "长度上限应在 1–100000", "max_length must be 1..100000");
    }
  }
  return {};
}

Status validate_workflow(const std::vector<WorkflowStep>& steps) {
  if (steps.size() > 20) return bad("/workflow", "环节过多", "too many steps");
  int decides = 0;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const WorkflowStep& s = steps[i];
    std::string p = at("workflow", i);
    if (s.name.empty()) return bad(p + "/name", "缺少环节名称", "step name is required");
    if (auto st = check_text(s.name, p + "/name", 100); !st) return st;
    if (s.kind != "review" && s.kind != "decide") {
      return bad(p + "/kind", "环节类型应为 review 或 decide", "kind must be review or decide");
    }
    if (!identity::parse_role(s.role)) return bad(p + "/role", "未知角色", "unknown role");
    std::set<std::string> seen;
    for (std::size_t j = 0; j < s.dept_ids.size(); ++j) {
      if (s.dept_ids[j].empty() || !seen.insert(s.dept_ids[j]).second) {
        return bad(p + "/dept_ids/" + std::to_string(j), "部门为空或重复",
                   "empty or duplicate department");
      }
    }
    if (s.kind == "decide") {
      ++decides;
      if (i + 1 != steps.size()) {
        return bad(p + "/kind", "决定环节必须是最后一步", "the decide step must be the last");
      }
    }
  }
  if (!steps.empty() && decides != 1) {
    return bad("/workflow", "流程须以唯一的决定环节结束",
               "the workflow needs exactly one decide step, last");
  }
  return {};
}

// Everything that needs no store: one check per GB/T 39046 field, in field order. Long, but one
// linear list reads best whole (splitting it would only scatter the field order).
Status validate_static(const Item& item) {
  if (item.code.empty() || item.code.size() > 24 || !alnum(item.code)) {
    return bad("/code", "实施编码应为 1–24 位字母数字", "code must be 1–24 letters or digits");
  }
  if (item.basic_code.empty() || item.basic_code.size() > 10 || !alnum(item.basic_code)) {
    return bad("/basic_code", "基本编码应为 1–10 位字母数字",
               "basic_code must be 1–10 letters or digits");
  }
  if (item.name.empty()) return bad("/name", "缺少事项名称", "name is required");
  if (auto st = check_text(item.name, "/name", 200); !st) return st;
  if (!valid_item_type(item.item_type)) {
    return bad("/item_type", "事项类型不在 GB/T 39046 附录 A.1 中", "item_type is not an A.1 code");
  }
  if (!kExerciseLevels.count(item.exercise_level)) {
    return bad("/exercise_level", "行使层级应为 1–7", "exercise_level must be 1–7");
  }
  if (item.dept_id.empty()) return bad("/dept_id", "缺少实施部门", "dept_id is required");
  {
    std::set<std::string> seen;
    for (std::size_t i = 0; i < item.joint_dept_ids.size(); ++i) {
      const auto& d = item.joint_dept_ids[i];
      if (d.empty() || d == item.dept_id || !seen.insert(d).second) {
        return bad(at("joint_dept_ids", i), "联办部门为空、重复或为实施部门",
                   "joint department empty, duplicate or the implementing one");
      }
    }
  }
  if (item.legal_limit < 0)
    return bad("/legal_limit", "法定时限不能为负", "legal_limit must be ≥ 0");
  if (item.promised_limit < 0) {
    return bad("/promised_limit", "承诺时限不能为负", "promised_limit must be ≥ 0");
  }
  if (item.legal_limit > 0 && item.promised_limit > item.legal_limit) {
    return bad("/promised_limit", "承诺时限不能超过法定时限", "promised_limit exceeds legal_limit");
  }
  if (!kTongban.count(item.tongban_scope)) {
    return bad("/tongban_scope", "通办范围应为 全国/跨省/跨市/跨县",
               "tongban_scope must be 全国/跨省/跨市/跨县 or empty");
  }
  if (auto st = check_codes(item.service_objects, kServiceObjects, "service_objects", "服务对象",
                            "service object");
      !st)
    return st;
  if (auto st = check_codes(item.handling_forms, kHandlingForms, "handling_forms", "办理形式",
                            "handling form");
      !st)
    return st;
  if (!kCaseTypes.count(item.case_type)) {
    return bad("/case_type", "办件类型应为 1、2 或 9", "case_type must be 1, 2 or 9");
  }
  if (item.online_depth < 1 || item.online_depth > 4) {
    return bad("/online_depth", "网办深度应为 1–4", "online_depth must be 1–4");
  }
  if (item.max_visits < 0 || item.max_visits > 10) {
    return bad("/max_visits", "到现场次数应为 0–10", "max_visits must be 0–10");
  }
  if (!identity::parse_assurance(item.min_assurance)) {
    return bad("/min_assurance", "实名核验级别应为 claimed、verified 或 in_person",
               "min_assurance must be claimed, verified or in_person");
  }
  const std::pair<const std::string*, const char*> texts[] = {
      {&item.legal_basis, "/legal_basis"},
      {&item.limit_note, "/limit_note"},
      {&item.acceptance_conditions, "/acceptance_conditions"},
      {&item.procedure, "/procedure"},
      {&item.fee_basis, "/fee_basis"},
      {&item.result_name, "/result_name"},
      {&item.result_certificate_type, "/result_certificate_type"},
      {&item.place, "/place"},
      {&item.hours, "/hours"},
      {&item.consult_phone, "/consult_phone"},
      {&item.supervise_phone, "/supervise_phone"}};
  for (const auto& [text, field] : texts) {
    if (auto st = check_text(*text, field, kMaxText); !st) return st;
  }
  if (item.materials.size() > kMaxList) return bad("/materials", "材料过多", "too many materials");
  for (std::size_t i = 0; i < item.materials.size(); ++i) {
    const Material& m = item.materials[i];
    std::string p = at("materials", i);
    if (m.name.empty()) return bad(p + "/name", "缺少材料名称", "material name is required");
    if (auto st = check_text(m.name, p + "/name", 200); !st) return st;
    if (auto st = check_text(m.issuing_body, p + "/issuing_body", 200); !st) return st;
    if (auto st = check_text(m.note, p + "/note", 2000); !st) return st;
    if (m.originals < 0 || m.originals > 100)
      return bad(p + "/originals", "原件份数应为 0–100", "originals must be 0–100");
    if (m.copies < 0 || m.copies > 100)
      return bad(p + "/copies", "复印件份数应为 0–100", "copies must be 0–100");
  }
  if (item.faqs.size() > kMaxList) return bad("/faqs", "问答过多", "too many FAQs");
  for (std::size_t i = 0; i < item.faqs.size(); ++i) {
    std::string p = at("faqs", i);
    if (item.faqs[i].question.empty())
      return bad(p + "/question", "缺少问题", "question is required");
    if (item.faqs[i].answer.empty()) return bad(p + "/answer", "缺少回答", "answer is required");
    if (auto st = check_text(item.faqs[i].question, p + "/question", 1000); !st) return st;
    if (auto st = check_text(item.faqs[i].answer, p + "/answer", 5000); !st) return st;
  }
  if (auto st = validate_form_definition(item.form); !st) return st;
  if (auto st = validate_workflow(item.workflow); !st) return st;
  return validate_rules(item.instant_rules_json, item.form);
}

// Departments belong to identity; their table is read directly so the check shares the
// publishing transaction.
std::optional<std::string> department_name(store::Tx& tx, const std::string& id) {
  auto row = tx.query_one("SELECT name FROM departments WHERE id = ?", {id});
  if (!row) return std::nullopt;
  return row->text(0);
}

Status check_departments(store::Tx& tx, const Item& item) {
  auto missing = [](std::string field) {
    return bad(std::move(field), "部门不存在", "no such department");
  };
  if (!department_name(tx, item.dept_id)) return missing("/dept_id");
  for (std::size_t i = 0; i < item.joint_dept_ids.size(); ++i) {
    if (!department_name(tx, item.joint_dept_ids[i])) return missing(at("joint_dept_ids", i));
  }
  for (std::size_t i = 0; i < item.workflow.size(); ++i) {
    const auto& ids = item.workflow[i].dept_ids;
    for (std::size_t j = 0; j < ids.size(); ++j) {
      if (!department_name(tx, ids[j])) {
        return missing(at("workflow", i) + "/dept_ids/" + std::to_string(j));
      }
    }
  }
  return {};
}

}  // namespace

// Parsed stored documents, by their text. Parsing is a pure function of the text, and the read
// API parses the same few documents over and over: it was most of GET /items/{code}'s time.
// Keyed by content rather than by code and version, so it needs no invalidation and cannot mix
// up two stores.
class ParsedDocs {
 public:
  std::optional<Item> find(const std::string& doc) {
    std::shared_lock lock(mu_);
    auto it = items_.find(doc);
    if (it == items_.end()) return std::nullopt;
    return it->second;
  }
  void add(const std::string& doc, const Item& item) {
    std::unique_lock lock(mu_);
    if (items_.size() >= kMaxEntries) items_.clear();  // bounded; refilled by the next reads
    items_.emplace(doc, item);
  }

 private:
  static constexpr std::size_t kMaxEntries = 512;
  std::shared_mutex mu_;
  std::unordered_map<std::string, Item> items_;
};

namespace {

Result<Item> parse_doc(ParsedDocs& parsed, const std::string& doc, bool active) {
  std::optional<Item> item = parsed.find(doc);
  if (!item) {
    Json j = Json::parse(doc, nullptr, false);
    if (j.is_discarded()) {
      return fail(ErrorCode::internal, "", "事项数据损坏", "stored item document is not JSON");
    }
    auto fresh = detail::from_json(j);
    if (!fresh) {
      return fail(ErrorCode::internal, "", "事项数据损坏",
                  "stored item: " + fresh.error().message_en);
    }
    parsed.add(doc, *fresh);
    item = std::move(*fresh);
  }
  item->active = active;
  return std::move(*item);
}

tl::unexpected<Error> no_item(std::string_view code) {
  return fail(ErrorCode::not_found, "", "事项不存在：" + std::string(code),
              "no such item: " + std::string(code));
}

bool is_admin(const identity::Principal& by) {
  return by.is_official() && by.has_role(identity::Role::admin);
}

}  // namespace

bool valid_item_type(std::string_view code) {
  for (const auto& t : kItemTypes) {
    if (code == t.code) return true;
  }
  return false;
}

std::string_view item_type_name(std::string_view code) {
  for (const auto& t : kItemTypes) {
    if (code == t.code) return t.name;
  }
  return "";
}

std::vector<store::Migration> migrations() {
  return generated::catalog_migrations();
}

std::string item_to_json(const Item& item) {
  return detail::to_json(item).dump();
}

Result<Item> item_from_json(std::string_view json_text) {
  Json j = Json::parse(json_text, nullptr, false);
  if (j.is_discarded()) return bad("", "不是合法的 JSON", "not valid JSON");
  return detail::from_json(j);
}

Service::Service(store::Store& store, const core::Clock& clock)
    : store_(store),
      clock_(clock),
      index_(std::make_unique<Index>()),
      docs_(std::make_unique<ParsedDocs>()) {
  struct Loaded {
    Item item;
    std::string dept_name;
  };
  auto loaded = store_.read([this](store::Tx& tx) -> Result<std::vector<Loaded>> {
    std::vector<Loaded> out;
    auto rows = tx.query(
        "SELECT v.doc, i.active, i.dept_id FROM items i JOIN item_versions v "
        "ON v.code = i.code AND v.version = i.current_version ORDER BY i.code");
    for (const auto& row : rows) {
      auto item = parse_doc(*docs_, row.text(0), row.int64(1) != 0);
      if (!item) return fail(item.error());
      out.push_back({std::move(*item), department_name(tx, row.text(2)).value_or("")});
    }
    return out;
  });
  if (!loaded) throw std::runtime_error("catalog: cannot load items: " + loaded.error().message_en);
  for (const auto& l : *loaded) index_->upsert(l.item, l.dept_name);
}

Service::~Service() = default;

Result<Item> Service::publish(const Item& item, const identity::Principal& by) {
  return publish(item, by, PublishMode::create_or_update);
}

Result<Item> Service::publish(const Item& input, const identity::Principal& by, PublishMode mode) {
  if (!is_admin(by)) {
    return fail(ErrorCode::forbidden, "", "只有管理员可以发布事项",
                "only administrators may publish items");
  }
  if (auto st = validate_static(input); !st) return fail(st.error());
  struct Published {
    Item item;
    std::string dept_name;
  };
  auto published = store_.write([&](store::Tx& tx) -> Result<Published> {
    if (auto st = check_departments(tx, input); !st) return fail(st.error());
    Item item = input;
    item.published_at_ms = clock_.now_ms();
    std::string before;
    auto current = tx.query_one(
        "SELECT i.current_version, i.active, v.doc FROM items i JOIN item_versions v "
        "ON v.code = i.code AND v.version = i.current_version WHERE i.code = ?",
        {item.code});
    if (current && mode == PublishMode::create_only) {
      return fail(ErrorCode::conflict, "/code", "实施编码已存在：" + item.code,
                  "an item with this code exists: " + item.code);
    }
    if (!current && mode == PublishMode::update_only) return no_item(item.code);
    if (current) {
      auto old = parse_doc(*docs_, current->text(2), current->int64(1) != 0);
      if (!old) return fail(old.error());
      before = detail::summary_json(*old).dump();
      item.version = static_cast<int>(current->int64(0)) + 1;
    } else {
      item.version = 1;
    }
    std::string doc = detail::to_json(item).dump();
    tx.exec(
        "INSERT INTO item_versions (code, version, doc, published_at_ms, published_by) "
        "VALUES (?, ?, ?, ?, ?)",
        {item.code, std::int64_t{item.version}, doc, item.published_at_ms, by.user_id});
    const store::Params fields = {std::int64_t{item.version},
                                  item.name,
                                  item.dept_id,
                                  item.item_type,
                                  item.case_type,
                                  std::int64_t{item.active ? 1 : 0},
                                  item.published_at_ms,
                                  item.code};
    if (current) {
      tx.exec(
          "UPDATE items SET current_version = ?, name = ?, dept_id = ?, item_type = ?, "
          "case_type = ?, active = ?, updated_at_ms = ? WHERE code = ?",
          fields);
      tx.exec("DELETE FROM item_service_objects WHERE code = ?", {item.code});
    } else {
      tx.exec(
          "INSERT INTO items (current_version, name, dept_id, item_type, case_type, active, "
          "updated_at_ms, code) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          fields);
    }
    for (const auto& o : item.service_objects) {
      tx.exec("INSERT INTO item_service_objects (code, object) VALUES (?, ?)", {item.code, o});
    }
    events::NewEvent e;
    e.type = "item.published";
    e.subject_type = "item";
    e.subject_id = item.code;
    e.actor = identity::actor_of(by);
    e.reason = item.version == 1 ? "新事项发布" : "事项更新发布";
    e.before_json = before;
    e.after_json = detail::summary_json(item).dump();
    e.data_json = Json{{"code", item.code},
                       {"version", item.version},
                       {"name", item.name},
                       {"dept_id", item.dept_id}}
                      .dump();
    events::append(tx, clock_, e);
    return Published{std::move(item), department_name(tx, input.dept_id).value_or("")};
  });
  if (!published) return fail(published.error());
  index_->upsert(published->item, published->dept_name);
  return std::move(published->item);
}

Result<ItemHead> Service::head(std::string_view code) {
  std::string key(code);
  return store_.read([&](store::Tx& tx) -> Result<ItemHead> {
    auto row = tx.query_one("SELECT current_version, active FROM items WHERE code = ?", {key});
    if (!row) return no_item(key);
    return ItemHead{static_cast<int>(row->int64(0)), row->int64(1) != 0};
  });
}

Result<Item> Service::get(std::string_view code) {
  std::string key(code);
  return store_.read([&](store::Tx& tx) -> Result<Item> {
    auto row = tx.query_one(
        "SELECT v.doc, i.active FROM items i JOIN item_versions v "
        "ON v.code = i.code AND v.version = i.current_version WHERE i.code = ?",
        {key});
    if (!row) return no_item(key);
    return parse_doc(*docs_, row->text(0), row->int64(1) != 0);
  });
}

Result<Item> Service::get_version(std::string_view code, int version) {
  std::string key(code);
  return store_.read([&](store::Tx& tx) -> Result<Item> {
    auto row = tx.query_one(
        "SELECT v.doc, i.active FROM item_versions v JOIN items i ON i.code = v.code "
        "WHERE v.code = ? AND v.version = ?",
        {key, std::int64_t{version}});
    if (!row) {
      return fail(ErrorCode::not_found, "", "事项版本不存在", "no such item version");
    }
    return parse_doc(*docs_, row->text(0), row->int64(1) != 0);
  });
}

Result<SearchResult> Service::search(const SearchQuery& query) {
  if (query.limit < 0 || query.limit > 1000 || query.offset < 0) {
    return bad("/limit", "分页参数无效", "invalid paging");
  }
  if (!core::valid_utf8_text(query.q)) {
    return bad("/q", "检索词含有无效字符", "the query is not valid text");
  }
  if (core::utf8_length(query.q) > 200) return bad("/q", "检索词过长", "query too long");
  return index_->search(query);
}

void Service::set_popularity(const std::map<std::string, std::int64_t>& filed) {
  index_->set_popularity(filed);
}

Status Service::set_active(std::string_view code, bool active, const identity::Principal& by) {
  if (!is_admin(by)) {
    return fail(ErrorCode::forbidden, "", "只有管理员可以启用或停用事项",
                "only administrators may activate or withdraw items");
  }
  std::string key(code);
  auto st = store_.write([&](store::Tx& tx) -> Status {
    auto row = tx.query_one("SELECT active, current_version FROM items WHERE code = ?", {key});
    if (!row) return no_item(key);
    bool was = row->int64(0) != 0;
    tx.exec("UPDATE items SET active = ?, updated_at_ms = ? WHERE code = ?",
            {std::int64_t{active ? 1 : 0}, clock_.now_ms(), key});
    events::NewEvent e;
    e.type = active ? "item.activated" : "item.deactivated";
    e.subject_type = "item";
    e.subject_id = key;
    e.actor = identity::actor_of(by);
    e.before_json = Json{{"code", key}, {"active", was}}.dump();
    e.after_json = Json{{"code", key}, {"active", active}}.dump();
    e.data_json = Json{{"code", key}, {"version", row->int64(1)}}.dump();
    events::append(tx, clock_, e);
    return {};
  });
  if (!st) return st;
  index_->set_active(key, active);
  return {};
}

Result<RuleEvaluation> Service::dry_run(std::string_view code, const std::string& form_json,
                                        const ApplicantFacts& applicant,
                                        const identity::Principal& by) {
  if (!by.is_official() ||
      !(by.has_role(identity::Role::admin) || by.has_role(identity::Role::approver))) {
    return fail(ErrorCode::forbidden, "", "只有管理员或审批人可以试算秒批规则",
                "only administrators and approvers may dry-run instant rules");
  }
  auto item = get(code);
  if (!item) return fail(item.error());
  if (auto st = validate_form(*item, form_json); !st) return fail(st.error());
  auto facts = make_facts(form_json, applicant);
  if (!facts) return fail(facts.error());
  return evaluate_rules(item->instant_rules_json, *facts);
}

}  // namespace yiwang::catalog
