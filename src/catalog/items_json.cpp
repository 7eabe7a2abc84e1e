#include "catalog/items_json.h"

#include <optional>
#include <set>

namespace yiwang::catalog::detail {
namespace {

Error bad(const std::string& field, std::string zh, std::string en) {
  return Error{ErrorCode::invalid_input, field, std::move(zh), std::move(en)};
}

// Reads one JSON object strictly; remembers the first error and the keys it has read so that
// unknown keys can be reported by finish().
class Reader {
 public:
  Reader(const Json& object, std::string path) : object_(object), path_(std::move(path)) {}

  const Json* get(std::string_view key) {
    read_.insert(std::string(key));
    auto it = object_.find(std::string(key));
    if (it == object_.end() || it->is_null()) return nullptr;
    return &*it;
  }
  std::string at(std::string_view key) const { return path_ + "/" + std::string(key); }

  void str(std::string_view key, std::string& out) {
    if (error_) return;
    if (const Json* v = get(key)) {
      if (!v->is_string()) return type_error(key, "字符串", "a string");
      out = v->get<std::string>();
    }
  }
  void integer(std::string_view key, int& out) {
    if (error_) return;
    if (const Json* v = get(key)) {
      if (!v->is_number_integer()) return type_error(key, "整数", "an integer");
      auto n = v->get<std::int64_t>();
      if (n < -1000000000 || n > 1000000000)
        return type_error(key, "范围内的整数", "an integer in range");
      out = static_cast<int>(n);
    }
  }
  void int64(std::string_view key, std::int64_t& out) {
    if (error_) return;
    if (const Json* v = get(key)) {
      if (!v->is_number_integer()) return type_error(key, "整数", "an integer");
      out = v->get<std::int64_t>();
    }
  }
  void number(std::string_view key, std::optional<double>& out) {
    if (error_) return;
    if (const Json* v = get(key)) {
      if (!v->is_number()) return type_error(key, "数值", "a number");
      out = v->get<double>();
    }
  }
  void boolean(std::string_view key, bool& out) {
    if (error_) return;
    if (const Json* v = get(key)) {
      if (!v->is_boolean()) return type_error(key, "布尔值", "a boolean");
      out = v->get<bool>();
    }
  }
  void strings(std::string_view key, std::vector<std::string>& out) {
    if (error_) return;
    if (const Json* v = get(key)) {
      if (!v->is_array()) return type_error(key, "字符串数组", "an array of strings");
      out.clear();
      for (std::size_t i = 0; i < v->size(); ++i) {
        if (!(*v)[i].is_string()) {
          error_ = bad(at(key) + "/" + std::to_string(i), "应为字符串", "must be a string");
          return;
        }
        out.push_back((*v)[i].get<std::string>());
      }
    }
  }
  // Calls `each(element, path)` for every element of an array of objects.
  template <class F>
  void objects(std::string_view key, F&& each) {
    if (error_) return;
    if (const Json* v = get(key)) {
      if (!v->is_array()) return type_error(key, "对象数组", "an array of objects");
      for (std::size_t i = 0; i < v->size() && !error_; ++i) {
        std::string p = at(key) + "/" + std::to_string(i);
        if (!(*v)[i].is_object()) {
          error_ = bad(p, "应为对象", "must be an object");
          return;
        }
        if (auto st = each((*v)[i], p); !st) error_ = st.error();
      }
    }
  }
  void fail(Error e) {
    if (!error_) error_ = std::move(e);
  }

  Status finish() {
    if (error_) return yiwang::fail(*error_);
    for (auto it = object_.begin(); it != object_.end(); ++it) {
      if (!read_.count(it.key())) {
        return yiwang::fail(ErrorCode::invalid_input, at(it.key()), "未知字段：" + it.key(),
                            "unknown field: " + it.key());
      }
    }
    return {};
  }

 private:
  void type_error(std::string_view key, std::string zh, std::string en) {
    error_ = bad(at(key), "应为" + zh, "must be " + en);
  }
  const Json& object_;
  std::string path_;
  std::set<std::string> read_;
  std::optional<Error> error_;
};

}  // namespace

std::string_view limit_unit_name(LimitUnit unit) {
  return unit == LimitUnit::natural_days ? "natural_days" : "working_days";
}

Json to_json(const Item& item) {
  Json materials = Json::array();
  for (const auto& m : item.materials) {
    materials.push_back({{"name", m.name},
                         {"issuing_body", m.issuing_body},
                         {"originals", m.originals},
                         {"copies", m.copies},
                         {"mandatory", m.mandatory},
                         {"note", m.note},
                         {"certificate_type", m.certificate_type}});
  }
  Json faqs = Json::array();
  for (const auto& f : item.faqs) faqs.push_back({{"question", f.question}, {"answer", f.answer}});
  Json form = Json::array();
  for (const auto& f : item.form) {
    Json j = {{"name", f.name},      {"label_zh", f.label_zh}, {"label_en", f.label_en},
              {"type", f.type},      {"required", f.required}, {"max_length", f.max_length},
              {"options", f.options}};
    // Absent bounds are left out rather than null: the OpenAPI schema types them as numbers.
    if (f.min) j["min"] = *f.min;
    if (f.max) j["max"] = *f.max;
    form.push_back(std::move(j));
  }
  Json workflow = Json::array();
  for (const auto& s : item.workflow) {
    workflow.push_back(
        {{"name", s.name}, {"kind", s.kind}, {"dept_ids", s.dept_ids}, {"role", s.role}});
  }
  Json rules = nullptr;
  if (!item.instant_rules_json.empty()) {
    rules = Json::parse(item.instant_rules_json, nullptr, false);
    if (rules.is_discarded()) rules = nullptr;  // publish() never stores malformed rules
  }
  return Json{
      {"code", item.code},
      {"basic_code", item.basic_code},
      {"version", item.version},
      {"name", item.name},
      {"item_type", item.item_type},
      {"item_type_name", std::string(item_type_name(item.item_type))},
      {"exercise_level", item.exercise_level},
      {"dept_id", item.dept_id},
      {"joint_dept_ids", item.joint_dept_ids},
      {"legal_basis", item.legal_basis},
      {"legal_limit", item.legal_limit},
      {"promised_limit", item.promised_limit},
      {"limit_unit", std::string(limit_unit_name(item.limit_unit))},
      {"limit_note", item.limit_note},
      {"acceptance_conditions", item.acceptance_conditions},
      {"procedure", item.procedure},
      {"materials", std::move(materials)},
      {"fee", item.fee},
      {"fee_basis", item.fee_basis},
      {"tongban_scope", item.tongban_scope},
      {"service_objects", item.service_objects},
      {"handling_forms", item.handling_forms},
      {"case_type", item.case_type},
      {"online_depth", item.online_depth},
      {"max_visits", item.max_visits},
      {"min_assurance", item.min_assurance},
      {"result_name", item.result_name},
      {"result_certificate_type", item.result_certificate_type},
      {"place", item.place},
      {"hours", item.hours},
      {"consult_phone", item.consult_phone},
      {"supervise_phone", item.supervise_phone},
      {"faqs", std::move(faqs)},
      {"form", std::move(form)},
      {"workflow", std::move(workflow)},
      {"instant_rules", std::move(rules)},
      {"active", item.active},
      {"published_at_ms", item.published_at_ms},
      {"published_at", item.published_at_ms ? core::format_instant(item.published_at_ms) : ""}};
}

Json summary_json(const Item& item) {
  return Json{{"code", item.code},
              {"basic_code", item.basic_code},
              {"version", item.version},
              {"name", item.name},
              {"item_type", item.item_type},
              {"item_type_name", std::string(item_type_name(item.item_type))},
              {"dept_id", item.dept_id},
              {"case_type", item.case_type},
              {"legal_limit", item.legal_limit},
              {"promised_limit", item.promised_limit},
              {"limit_unit", std::string(limit_unit_name(item.limit_unit))},
              {"service_objects", item.service_objects},
              {"handling_forms", item.handling_forms},
              {"online_depth", item.online_depth},
              {"min_assurance", item.min_assurance},
              {"fee", item.fee},
              {"instant_approval", !item.instant_rules_json.empty()},
              {"active", item.active}};
}

// One strict read per field of the item document, in document order: long, but a linear parser
// reads best whole.
Result<Item> from_json(const Json& doc, const std::string& path) {
  if (!doc.is_object()) {
    return fail(ErrorCode::invalid_input, path, "事项应为 JSON 对象",
                "an item must be a JSON object");
  }
  Item item;
  Reader r(doc, path);
  r.str("code", item.code);
  r.str("basic_code", item.basic_code);
  r.integer("version", item.version);
  r.str("name", item.name);
  r.str("item_type", item.item_type);
  {
    std::string ignored;
    r.str("item_type_name", ignored);  // output only
  }
  r.str("exercise_level", item.exercise_level);
  r.str("dept_id", item.dept_id);
  r.strings("joint_dept_ids", item.joint_dept_ids);
  r.str("legal_basis", item.legal_basis);
  r.integer("legal_limit", item.legal_limit);
  r.integer("promised_limit", item.promised_limit);
  {
    std::string unit = "working_days";
    r.str("limit_unit", unit);
    if (unit == "natural_days") {
      item.limit_unit = LimitUnit::natural_days;
    } else if (unit != "working_days") {
      r.fail(bad(r.at("limit_unit"), "时限单位应为 working_days 或 natural_days",
                 "limit_unit must be working_days or natural_days"));
    }
  }
  r.str("limit_note", item.limit_note);
  r.str("acceptance_conditions", item.acceptance_conditions);
  r.str("procedure", item.procedure);
  r.objects("materials", [&](const Json& j, const std::string& p) -> Status {
    Material m;
    Reader mr(j, p);
    mr.str("name", m.name);
    mr.str("issuing_body", m.issuing_body);
    mr.integer("originals", m.originals);
    mr.integer("copies", m.copies);
    mr.boolean("mandatory", m.mandatory);
    mr.str("note", m.note);
    mr.str("certificate_type", m.certificate_type);
    if (auto st = mr.finish(); !st) return st;
    item.materials.push_back(std::move(m));
    return {};
  });
  r.boolean("fee", item.fee);
  r.str("fee_basis", item.fee_basis);
  r.str("tongban_scope", item.tongban_scope);
  r.strings("service_objects", item.service_objects);
  r.strings("handling_forms", item.handling_forms);
  r.str("case_type", item.case_type);
  r.integer("online_depth", item.online_depth);
  r.integer("max_visits", item.max_visits);
  r.str("min_assurance", item.min_assurance);
  r.str("result_name", item.result_name);
  r.str("result_certificate_type", item.result_certificate_type);
  r.str("place", item.place);
  r.str("hours", item.hours);
  r.str("consult_phone", item.consult_phone);
  r.str("supervise_phone", item.supervise_phone);
  r.objects("faqs", [&](const Json& j, const std::string& p) -> Status {
    Faq f;
    Reader fr(j, p);
    fr.str("question", f.question);
    fr.str("answer", f.answer);
    if (auto st = fr.finish(); !st) return st;
    item.faqs.push_back(std::move(f));
    return {};
  });
  r.objects("form", [&](const Json& j, const std::string& p) -> Status {
    FormField f;
    Reader fr(j, p);
    fr.str("name", f.name);
    fr.str("label_zh", f.label_zh);
    fr.str("label_en", f.label_en);
    fr.str("type", f.type);
    fr.boolean("required", f.required);
    fr.number("min", f.min);
    fr.number("max", f.max);
    fr.integer("max_length", f.max_length);
    fr.strings("options", f.options);
    if (auto st = fr.finish(); !st) return st;
    item.form.push_back(std::move(f));
    return {};
  });
  r.objects("workflow", [&](const Json& j, const std::string& p) -> Status {
    WorkflowStep s;
    Reader sr(j, p);
    sr.str("name", s.name);
    sr.str("kind", s.kind);
    sr.strings("dept_ids", s.dept_ids);
    sr.str("role", s.role);
    if (auto st = sr.finish(); !st) return st;
    item.workflow.push_back(std::move(s));
    return {};
  });
  if (const Json* rules = r.get("instant_rules")) {
    if (!rules->is_object()) {
      r.fail(bad(r.at("instant_rules"), "秒批规则应为对象", "instant_rules must be an object"));
    } else {
      item.instant_rules_json = rules->dump();
    }
  }
  r.boolean("active", item.active);
  r.int64("published_at_ms", item.published_at_ms);
  {
    std::string ignored;
    r.str("published_at", ignored);  // output only
  }
  if (auto st = r.finish(); !st) return fail(st.error());
  return item;
}

}  // namespace yiwang::catalog::detail
