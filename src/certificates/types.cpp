// Certificate types (证照类型): defined by administrators, listed by anyone, and the platform's
// standard types seeded for the departments that exist.
#include <algorithm>
#include <cstdio>
#include <map>

#include <nlohmann/json.hpp>

#include "certificates/internal.h"
#include "core/text.h"
#include "core/utf8.h"

namespace yiwang::certificates {
using namespace detail;

namespace {

using Json = nlohmann::json;

Status check_type(const CertificateType& t) {
  bool code_ok = !t.code.empty() && t.code.size() <= 32 &&
                 std::all_of(t.code.begin(), t.code.end(), [](char c) {
                   return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
                 });
  if (!code_ok)
    return fail(ErrorCode::invalid_input, "/code", "证照类型代码应为1–32位数字或大写字母",
                "code must be 1-32 digits or capital letters");
  if (t.name.empty() || core::utf8_length(t.name) > 50)
    return fail(ErrorCode::invalid_input, "/name", "证照类型名称必填，且不超过50字",
                "name is required (at most 50 characters)");
  if (t.holder_kind != "citizen" && t.holder_kind != "business")
    return fail(ErrorCode::invalid_input, "/holder_kind", "持证主体类型应为citizen或business",
                "holder_kind must be citizen or business");
  if (t.validity_years < 0 || t.validity_years > 100)
    return fail(ErrorCode::invalid_input, "/validity_years", "有效年限应在0–100之间",
                "validity_years must be 0..100");
  return {};
}

std::string type_event_json(const CertificateType& x) {
  return Json{{"code", x.code},
              {"name", x.name},
              {"dept_id", x.dept_id},
              {"holder_kind", x.holder_kind},
              {"validity_years", x.validity_years},
              {"vct", x.vct},
              {"defining_body", x.defining_body}}
      .dump();
}

// Writes the type (an update when `exists`). conflict when another type has its name.
Status write_type(store::Tx& tx, const CertificateType& t, bool exists, core::Millis now) {
  try {
    const store::Params p{
        t.name, t.defining_body, t.dept_id, t.holder_kind, std::int64_t{t.validity_years}, t.vct,
        now,    t.code};
    if (exists) {
      tx.exec(
          "UPDATE certificate_types SET name = ?, defining_body = ?, dept_id = ?, "
          "holder_kind = ?, validity_years = ?, vct = ?, updated_at_ms = ? WHERE code = ?",
          p);
    } else {
      tx.exec(
          "INSERT INTO certificate_types (name, defining_body, dept_id, holder_kind, "
          "validity_years, vct, updated_at_ms, code) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          p);
    }
  } catch (const store::ConstraintViolation&) {
    return fail(ErrorCode::conflict, "/name", "已有同名证照类型",
                "another certificate type has this name");
  }
  return {};
}

struct Seed {
  const char* dept;
  const char* name;
  const char* holder_kind;
  int years;
};
// Every certificate the demo items issue or ask for. Validity in years where the type has one
// by law or practice (0 = 长期); modelled as data so a deployment can change it (PUT types).
constexpr Seed kSeeds[] = {
    {"scjg", "营业执照", "business", 0},
    {"scjg", "食品经营许可证", "business", 5},
    {"scjg", "特种设备使用登记证", "business", 0},
    {"scjg", "特种设备安全管理和作业人员证", "citizen", 4},
    {"gaj", "居民身份证", "citizen", 20},
    {"gaj", "居民户口簿", "citizen", 0},
    {"gaj", "养犬登记证", "citizen", 1},
    {"gaj", "居住证", "citizen", 1},
    {"gaj", "机动车驾驶证", "citizen", 6},
    {"gaj", "机动车行驶证", "citizen", 0},
    {"wjw", "公共场所卫生许可证", "business", 4},
    {"wjw", "医师执业证书", "citizen", 0},
    {"wjw", "医师资格证书", "citizen", 0},
    {"wjw", "医疗机构执业许可证", "business", 5},
    {"wjw", "护士执业证书", "citizen", 5},
    {"wjw", "健康证明", "citizen", 1},
    {"wjw", "出生医学证明", "citizen", 0},
    {"wjw", "动物狂犬病免疫证明", "citizen", 1},
    {"mzj", "结婚证", "citizen", 0},
    {"mzj", "最低生活保障证", "citizen", 1},
    {"mzj", "社会团体法人登记证书", "business", 5},
    {"mzj", "残疾人证", "citizen", 0},
    {"rsj", "社会保险参保缴费证明", "citizen", 0},
    {"rsj", "就业创业证", "citizen", 0},
    {"rsj", "人力资源服务许可证", "business", 5},
    {"rsj", "社会保障卡", "citizen", 10},
    {"zjj", "建筑工程施工许可证", "business", 0},
    {"zjj", "商品房预售许可证", "business", 0},
    {"zrzy", "建设工程规划许可证", "business", 0},
    {"zrzy", "不动产权证书", "citizen", 0},
    {"jyj", "教师资格证书", "citizen", 0},
    {"jyj", "民办学校办学许可证", "business", 5},
    {"jyj", "普通话水平测试等级证书", "citizen", 0},
    {"jtj", "道路运输经营许可证", "business", 4},
    {"jtj", "出租汽车驾驶员从业资格证", "citizen", 6},
    {"jtj", "网络预约出租汽车运输证", "business", 8},
};

// Defines the seed's type as the `ordinal`-th of its department, unless the department is
// missing or the name or code is taken; true when it was added.
bool seed_type(store::Tx& tx, const core::Clock& clock, const std::string& base, const Seed& s,
               int ordinal) {
  auto dept = load_dept(tx, s.dept);
  if (!dept || type_by(tx, "name", s.name)) return false;
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "%03d", ordinal);
  CertificateType t{dept->uscc + suffix, s.name, dept->name, dept->id, s.holder_kind, s.years, ""};
  t.vct = base + "/vct/" + t.code;
  if (type_by(tx, "code", t.code)) return false;
  tx.exec(
      "INSERT INTO certificate_types (code, name, defining_body, dept_id, holder_kind, "
      "validity_years, vct, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {t.code, t.name, t.defining_body, t.dept_id, t.holder_kind, std::int64_t{t.validity_years},
       t.vct, clock.now_ms()});
  events::append(
      tx, clock,
      {.type = "certificate.type_defined",
       .subject_type = "certificate_type",
       .subject_id = t.code,
       .actor = events::system_actor(""),
       .after_json = Json{{"code", t.code}, {"name", t.name}, {"dept_id", t.dept_id}}.dump()});
  return true;
}

}  // namespace

Result<CertificateType> Service::put_type(const CertificateType& input,
                                          const identity::Principal& by) {
  Impl& m = *impl_;
  if (!by.is_official() || !by.has_role(identity::Role::admin))
    return fail(ErrorCode::forbidden, "", "只有管理员可以定义证照类型",
                "only administrators define certificate types");
  CertificateType t = input;
  t.name = core::trim(t.name);
  t.defining_body = core::trim(t.defining_body);
  if (auto st = check_type(t); !st) return fail(st.error());
  if (t.vct.empty()) t.vct = m.base + "/vct/" + t.code;
  return m.store.write([&](store::Tx& tx) -> Result<CertificateType> {
    auto dept = load_dept(tx, t.dept_id);
    if (!dept)
      return fail(ErrorCode::invalid_input, "/dept_id", "部门不存在", "unknown department");
    CertificateType out = t;
    if (out.defining_body.empty()) out.defining_body = dept->name;
    auto before = type_by(tx, "code", out.code);
    if (auto st = write_type(tx, out, before.has_value(), m.clock.now_ms()); !st)
      return fail(st.error());
    events::append(tx, m.clock,
                   {.type = "certificate.type_defined",
                    .subject_type = "certificate_type",
                    .subject_id = out.code,
                    .actor = identity::actor_of(by),
                    .before_json = before ? type_event_json(*before) : "",
                    .after_json = type_event_json(out)});
    return out;
  });
}

Result<std::vector<CertificateType>> Service::types() {
  return impl_->store.read([&](store::Tx& tx) -> Result<std::vector<CertificateType>> {
    std::vector<CertificateType> out;
    for (const auto& r : tx.query(std::string("SELECT ") + kTypeColumns +
                                  " FROM certificate_types ORDER BY code")) {
      out.push_back(type_from_row(r));
    }
    return out;
  });
}

Result<int> Service::seed_standard_types() {
  Impl& m = *impl_;
  return m.store.write([&](store::Tx& tx) -> Result<int> {
    int added = 0;
    std::map<std::string, int> ordinal;  // 3-digit suffix within each department
    for (const Seed& s : kSeeds) {
      int n = ++ordinal[s.dept];
      if (seed_type(tx, m.clock, m.base, s, n)) ++added;
    }
    return added;
  });
}

}  // namespace yiwang::certificates
