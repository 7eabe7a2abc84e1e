// The event and component classification table (事部件分类): the built-in table, its rows and its
// edits.
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/text.h"
#include "events/events.h"
#include "grid/internal.h"

namespace yiwang::generated {
extern const char* const grid_classes;
}  // namespace yiwang::generated

namespace yiwang::grid {

namespace {

using Json = nlohmann::json;
using detail::bad;

constexpr const char* kClassColumns =
    "kind, code, major_name, minor_name, dept_id, register_min, dispatch_min, dispose_min, "
    "check_min, close_min";

Class class_of(const store::Row& r) {
  Class c;
  c.kind = *parse_class_kind(r.text(0));
  c.code = r.text(1);
  c.major_name = r.text(2);
  c.minor_name = r.text(3);
  c.dept_id = r.text(4);
  c.limits.register_ = static_cast<int>(r.int64(5));
  c.limits.dispatch = static_cast<int>(r.int64(6));
  c.limits.dispose = static_cast<int>(r.int64(7));
  c.limits.check = static_cast<int>(r.int64(8));
  c.limits.close = static_cast<int>(r.int64(9));
  return c;
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> f;
  std::size_t start = 0;
  while (true) {
    auto tab = line.find('\t', start);
    f.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) break;
    start = tab + 1;
  }
  return f;
}

// One line of data/grid/classes.tsv: kind, major code, major name, minor code, minor name,
// department, then the five limits. The file is built in, so a bad line is a bug: it throws.
Class class_of_line(const std::string& line) {
  std::vector<std::string> f = split_tabs(line);
  if (f.size() != 11) throw std::runtime_error("data/grid/classes.tsv: bad line: " + line);
  Class c;
  auto kind = parse_class_kind(f[0]);
  if (!kind || !core::is_digits(f[1], 2) || !core::is_digits(f[3], 2)) {
    throw std::runtime_error("data/grid/classes.tsv: bad kind or code: " + line);
  }
  c.kind = *kind;
  c.code = f[1] + f[3];
  c.major_name = f[2];
  c.minor_name = f[4];
  c.dept_id = f[5];
  c.limits.register_ = std::stoi(f[6]);
  c.limits.dispatch = std::stoi(f[7]);
  c.limits.dispose = std::stoi(f[8]);
  c.limits.check = std::stoi(f[9]);
  c.limits.close = std::stoi(f[10]);
  return c;
}

std::vector<Class> parse_classes_tsv(std::string_view text) {
  std::vector<Class> out;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    out.push_back(class_of_line(line));
  }
  return out;
}

std::string sql_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

Status check_limits(const Limits& l) {
  for (Step s : {Step::register_, Step::dispatch, Step::dispose, Step::check, Step::close}) {
    int v = l.of(s);
    if (v < 1 || v > 100000) {
      return bad("/limits/" + std::string(to_string(s)), "时限须为 1–100000 个工作分钟",
                 "a limit is 1-100,000 working minutes");
    }
  }
  return {};
}

// The class as its events record it.
std::string class_snapshot(const Class& x) {
  return Json{{"kind", std::string(to_string(x.kind))},
              {"code", x.code},
              {"dept_id", x.dept_id},
              {"limits",
               {{"register", x.limits.register_},
                {"dispatch", x.limits.dispatch},
                {"dispose", x.limits.dispose},
                {"check", x.limits.check},
                {"close", x.limits.close}}}}
      .dump();
}

// Admins only; the code and names, the limits, then the department (asked of identity).
Status check_class(const Class& c, const identity::Principal& by, identity::Service& identity) {
  if (!detail::is_admin(by))
    return detail::forbidden("仅管理员可修改分类", "only admins edit classes");
  if (!core::is_digits(c.code, 4)) {
    return bad("/code", "分类编码须为 4 位数字（大类 2 + 小类 2）",
               "a class code is 4 digits: major 2 + minor 2");
  }
  if (auto st = detail::check_text(c.major_name, "/major_name", 1, 50, false); !st) return st;
  if (auto st = detail::check_text(c.minor_name, "/minor_name", 1, 50, false); !st) return st;
  if (auto st = check_limits(c.limits); !st) return st;
  if (c.dept_id.empty() || !identity.get_department(c.dept_id)) {
    return bad("/dept_id", "处置部门不存在", "no such department");
  }
  return {};
}

// Upserts `c` in the writing transaction: the major name is shared by all minors of a major class.
Result<Class> write_class(store::Tx& tx, const core::Clock& clock, const Class& c,
                          const identity::Principal& by) {
  const std::string kind(to_string(c.kind));
  auto old = detail::load_class(tx, c.kind, c.code);
  auto sibling = tx.query_one(
      "SELECT major_name FROM grid_classes WHERE kind = ? AND code LIKE ? AND code <> ?",
      {kind, c.code.substr(0, 2) + "%", c.code});
  if (sibling && sibling->text(0) != c.major_name) {
    return bad("/major_name", "同一大类名称须一致：" + sibling->text(0),
               "the major class is named " + sibling->text(0));
  }
  tx.exec("DELETE FROM grid_classes WHERE kind = ? AND code = ?", {kind, c.code});
  tx.exec(
      std::string("INSERT INTO grid_classes (") + kClassColumns +
          ", updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {kind, c.code, c.major_name, c.minor_name, c.dept_id,
       static_cast<std::int64_t>(c.limits.register_), static_cast<std::int64_t>(c.limits.dispatch),
       static_cast<std::int64_t>(c.limits.dispose), static_cast<std::int64_t>(c.limits.check),
       static_cast<std::int64_t>(c.limits.close), clock.now_ms()});
  events::append(tx, clock,
                 {.type = "grid.class_saved",
                  .subject_type = "grid_class",
                  .subject_id = kind + ":" + c.code,
                  .actor = identity::actor_of(by),
                  .before_json = old ? class_snapshot(*old) : "",
                  .after_json = class_snapshot(c)});
  return c;
}

}  // namespace

std::vector<Class> default_classes() {
  return parse_classes_tsv(generated::grid_classes);
}

Result<std::vector<Class>> Service::list_classes() {
  return impl_->store.read([&](store::Tx& tx) -> Result<std::vector<Class>> {
    std::vector<Class> out;
    for (const auto& r : tx.query(std::string("SELECT ") + kClassColumns +
                                  " FROM grid_classes ORDER BY kind DESC, code")) {
      out.push_back(class_of(r));
    }
    return out;
  });
}

Result<Class> Service::save_class(const Class& c, const identity::Principal& by) {
  auto& m = *impl_;
  if (auto st = check_class(c, by, m.identity); !st) return fail(st.error());
  return m.store.write([&](store::Tx& tx) { return write_class(tx, m.clock, c, by); });
}

namespace detail {

std::optional<Class> load_class(store::Tx& tx, ClassKind kind, std::string_view code) {
  auto row = tx.query_one(
      std::string("SELECT ") + kClassColumns + " FROM grid_classes WHERE kind = ? AND code = ?",
      {std::string(to_string(kind)), std::string(code)});
  if (!row) return std::nullopt;
  return class_of(*row);
}

std::string default_classes_sql() {
  std::string sql;
  for (const auto& c : default_classes()) {
    sql +=
        "INSERT INTO grid_classes (kind, code, major_name, minor_name, dept_id, register_min, "
        "dispatch_min, dispose_min, check_min, close_min, updated_at_ms) VALUES (" +
        sql_quote(to_string(c.kind)) + ", " + sql_quote(c.code) + ", " + sql_quote(c.major_name) +
        ", " + sql_quote(c.minor_name) + ", " + sql_quote(c.dept_id) + ", " +
        std::to_string(c.limits.register_) + ", " + std::to_string(c.limits.dispatch) + ", " +
        std::to_string(c.limits.dispose) + ", " + std::to_string(c.limits.check) + ", " +
        std::to_string(c.limits.close) + ", 0);\n";
  }
  return sql;
}

}  // namespace detail
}  // namespace yiwang::grid
