// Issuance: by an official of the issuing department, on case completion (the CaseIssuer), and
// the bulk import of historical certificates from CSV (all rows or none).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "certificates/internal.h"
#include "core/text.h"
#include "core/utf8.h"

namespace yiwang::certificates {
using namespace detail;

namespace {

using Json = nlohmann::json;

// The last day of a validity of `years` starting on `from` (2026-03-01 + 5 → 2031-02-28).
core::Date validity_end(core::Date from, int years) {
  using namespace std::chrono;
  year_month_day end{from.year() + std::chrono::years{years}, from.month(), from.day()};
  if (!end.ok()) end = year_month_day{end.year() / end.month() / last};
  return core::date_from_days(core::days_from_epoch(end) - 1);
}

std::string infer_id_type(std::string_view id) {
  if (identity::valid_citizen_id(id)) return "111";
  if (identity::valid_uscc(id)) return "001";
  return "";
}

// Trims the holder's name and id, infers the id type when not given and checks both.
Status check_holder(NewCertificate& in, const std::string& prefix) {
  in.holder_name = core::trim(in.holder_name);
  in.holder_id = core::trim(in.holder_id);
  if (in.holder_name.empty() || core::utf8_length(in.holder_name) > 100)
    return fail(invalid(prefix + "/holder_name", "持证主体名称必填，且不超过100字",
                        "holder_name is required (at most 100 characters)"));
  if (in.holder_id_type.empty()) in.holder_id_type = infer_id_type(in.holder_id);
  if (in.holder_id_type.empty()) {
    return fail(invalid(prefix + "/holder_id",
                        "持证主体证件号码无效（应为公民身份号码或统一社会信用代码）",
                        "holder_id is neither a valid citizen id number nor a credit code"));
  } else if (in.holder_id_type == "111") {
    if (!identity::valid_citizen_id(in.holder_id))
      return fail(invalid(prefix + "/holder_id", "公民身份号码无效",
                          "holder_id is not a valid citizen id number (GB 11643)"));
  } else if (in.holder_id_type == "001") {
    if (!identity::valid_uscc(in.holder_id))
      return fail(invalid(prefix + "/holder_id", "统一社会信用代码无效",
                          "holder_id is not a valid unified social credit code (GB 32100)"));
  } else {
    return fail(invalid(prefix + "/holder_id_type",
                        "证件类型须为111（公民身份号码）或001（统一社会信用代码）",
                        "holder_id_type must be 111 (citizen id) or 001 (credit code)"));
  }
  return {};
}

// Fills in valid_from (the issue date) and valid_to (from the type's validity) and checks them.
Status check_validity(NewCertificate& in, const CertificateType& type, const std::string& prefix,
                      const std::string& issue_date) {
  if (in.valid_from.empty()) in.valid_from = issue_date;
  auto from = date_of(in.valid_from);
  if (!from)
    return fail(invalid(prefix + "/valid_from", "日期格式应为YYYY-MM-DD",
                        "valid_from must be a date YYYY-MM-DD"));
  if (in.valid_to.empty() && type.validity_years > 0)
    in.valid_to = core::format_date(validity_end(*from, type.validity_years));
  if (!in.valid_to.empty()) {
    auto to = date_of(in.valid_to);
    if (!to)
      return fail(invalid(prefix + "/valid_to", "日期格式应为YYYY-MM-DD",
                          "valid_to must be a date YYYY-MM-DD"));
    if (core::days_from_epoch(*to) < core::days_from_epoch(*from))
      return fail(
          invalid(prefix + "/valid_to", "有效期截止日早于起始日", "valid_to is before valid_from"));
  }
  return {};
}

// The type-specific data: a JSON object whose keys are no standard or JWT claim names.
Status check_data(NewCertificate& in, const std::string& prefix) {
  Json data = Json::parse(in.data_json.empty() ? "{}" : in.data_json, nullptr, false);
  if (!data.is_object())
    return fail(invalid(prefix + "/data", "证照信息须为JSON对象", "data must be a JSON object"));
  const auto& reserved = standard_claims();
  for (const auto& [k, v] : data.items()) {
    if (k.empty() || k.size() > 64 || k[0] == '_' ||
        std::find(reserved.begin(), reserved.end(), k) != reserved.end() || k == "iss" ||
        k == "vct" || k == "status" || k == "cnf" || k == "iat" || k == "exp" || k == "nbf")
      return fail(invalid(prefix + "/data/" + k, "该字段名不可用", "this field name is reserved"));
  }
  in.data_json = data.dump();
  return {};
}

// Validates the input against the type and fills in defaults. Fields are the request's names
// under `prefix`.
Status check_input(NewCertificate& in, const CertificateType& type, const std::string& prefix,
                   const std::string& issue_date) {
  if (auto st = check_holder(in, prefix); !st) return st;
  if (core::utf8_length(in.number) > 64)
    return fail(invalid(prefix + "/number", "证照编号过长", "number is too long (max 64)"));
  if (auto st = check_validity(in, type, prefix, issue_date); !st) return st;
  return check_data(in, prefix);
}

// The certificate `in` makes, before its status slot and credential.
Certificate draft(const NewCertificate& in, const CertificateType& type, const Dept& dept,
                  const std::string& issue_date, const std::string& holder_user_id,
                  const IdentifierParts& parts, std::string identifier) {
  Certificate c;
  c.identifier = std::move(identifier);
  c.version = parts.version;
  c.number =
      in.number.empty() ? dept.division_code + issue_date.substr(0, 4) + parts.serial : in.number;
  c.name = type.name;
  c.type_code = type.code;
  c.type_name = type.name;
  c.issue_date = issue_date;
  c.issuer_name = dept.name;
  c.issuer_uscc = dept.uscc;
  c.dept_id = dept.id;
  c.valid_from = in.valid_from;
  c.valid_to = in.valid_to;
  c.division_code = dept.division_code;
  c.holder_name = in.holder_name;
  c.holder_id = in.holder_id;
  c.holder_id_type = in.holder_id_type;
  c.holder_user_id = holder_user_id;
  c.item_code = in.item_code;
  c.case_id = in.case_id;
  c.data_json = in.data_json;
  return c;
}

// Inserts the certificate's row; conflict when its identifier is taken.
Status insert_row(store::Tx& tx, const Certificate& c, core::Millis now) {
  try {
    const core::FieldCipher& cipher = tx.cipher();
    tx.exec(std::string("INSERT INTO certificates (") + kCertColumns +
                ", updated_at_ms, holder_id_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {c.identifier,
             c.number,
             c.name,
             std::int64_t{c.version},
             c.type_code,
             c.type_name,
             c.issue_date,
             c.issuer_name,
             c.issuer_uscc,
             c.dept_id,
             c.valid_from,
             c.valid_to,
             c.division_code,
             cipher.seal_cell(c.holder_name, "certificates.holder_name", c.identifier),
             cipher.seal_cell(c.holder_id, "certificates.holder_id", c.identifier),
             c.holder_id_type,
             c.holder_user_id,
             c.item_code,
             c.case_id,
             cipher.seal_cell(c.data_json, "certificates.data_json", c.identifier),
             std::string(to_string(c.status)),
             c.status_reason,
             c.status_list_id,
             c.status_index,
             cipher.seal_cell(c.sd_jwt, "certificates.sd_jwt", c.identifier),
             c.issued_at_ms,
             now,
             cipher.index(c.holder_id, core::kIdNumberIndex)});
  } catch (const store::ConstraintViolation&) {
    return fail(ErrorCode::conflict, "/identifier", "证照标识已存在",
                "a certificate with this identifier exists");
  }
  return {};
}

// ---- CSV import
// ----------------------------------------------------------------------------------

// The columns of the header by name; unknown, repeated and missing columns are added to `errors`.
std::map<std::string, std::size_t> read_header(const std::vector<std::string>& header,
                                               std::vector<Error>& errors) {
  static const std::set<std::string> known = {
      "identifier", "type_code",  "number",   "holder_name", "holder_id", "holder_id_type",
      "issue_date", "valid_from", "valid_to", "item_code",   "data_json"};
  static const std::vector<std::string> required = {"type_code", "number", "holder_name",
                                                    "holder_id", "issue_date"};
  std::map<std::string, std::size_t> column;
  for (std::size_t i = 0; i < header.size(); ++i) {
    std::string name = core::trim(header[i]);
    if (!known.count(name) || column.count(name)) {
      errors.push_back(invalid("/header/" + name, "未知或重复的列", "unknown or repeated column"));
    }
    column[name] = i;
  }
  for (const auto& name : required) {
    if (!column.count(name))
      errors.push_back(invalid("/header/" + name, "缺少必需的列", "required column missing"));
  }
  return column;
}

// A data row read by column name (trimmed; "" for a missing column).
struct CsvRow {
  const std::vector<std::string>& cells;
  const std::map<std::string, std::size_t>& column;
  std::string operator()(const std::string& name) const {
    auto it = column.find(name);
    if (it == column.end() || it->second >= cells.size()) return "";
    return core::trim(cells[it->second]);
  }
};

// A row ready to insert.
struct Ready {
  NewCertificate in;
  CertificateType type;
  std::string issue_date;
  std::optional<std::string> identifier;
};

// A row's own identifier: well-formed, of the row's type and the department's USCC, and neither
// repeated in the file (`seen`) nor existing.
Status check_row_identifier(store::Tx& tx, const std::string& id, const std::string& at,
                            const CertificateType& type, const Dept& dept,
                            std::set<std::string>& seen) {
  auto parts = parse_identifier(id, at + "/identifier");
  if (!parts) return fail(parts.error());
  if (parts->type_code != type.code || parts->issuer_uscc != dept.uscc) {
    return fail(invalid(at + "/identifier", "证照标识的类型代码或发证机构代码与本行不符",
                        "identifier's type code or issuer code does not match"));
  }
  if (!seen.insert(id).second ||
      tx.query_one("SELECT 1 FROM certificates WHERE identifier = ?", {id})) {
    return fail(invalid(at + "/identifier", "证照标识重复", "identifier already exists"));
  }
  return {};
}

}  // namespace

// ---- Service::Impl -----------------------------------------------------------------------------

std::string Service::Impl::next_serial(store::Tx& tx, const std::string& type_code,
                                       const std::string& uscc) {
  for (;;) {
    auto row = tx.query_one(
        "SELECT next_serial FROM certificate_serials WHERE type_code = ? AND issuer_uscc = ?",
        {type_code, uscc});
    std::int64_t n = row ? row->int64(0) : 1;
    if (row) {
      tx.exec(
          "UPDATE certificate_serials SET next_serial = ? WHERE type_code = ? AND "
          "issuer_uscc = ?",
          {n + 1, type_code, uscc});
    } else {
      tx.exec(
          "INSERT INTO certificate_serials (type_code, issuer_uscc, next_serial) VALUES (?, ?, "
          "?)",
          {type_code, uscc, n + 1});
    }
    char serial[24];
    std::snprintf(serial, sizeof serial, "%08lld", static_cast<long long>(n));
    // Imported certificates keep their historical serials; skip any taken.
    IdentifierParts parts{type_code, uscc, serial, 1};
    if (!tx.query_one("SELECT 1 FROM certificates WHERE identifier = ?",
                      {format_identifier(parts)})) {
      return serial;
    }
  }
}

Result<Certificate> Service::Impl::insert(store::Tx& tx, const NewCertificate& in,
                                          const CertificateType& type, const Dept& dept,
                                          const std::string& issue_date,
                                          const std::string& holder_user_id,
                                          const std::optional<std::string>& identifier,
                                          const events::Actor& actor) {
  const core::Millis now = clock.now_ms();
  const std::string id =
      identifier
          ? *identifier
          : format_identifier({type.code, dept.uscc, next_serial(tx, type.code, dept.uscc), 1});
  auto parts = parse_identifier(id);
  if (!parts) return fail(parts.error());
  Certificate c = draft(in, type, dept, issue_date, holder_user_id, *parts, id);
  c.status = (!c.valid_to.empty() && c.valid_to < today()) ? CertificateStatus::expired
                                                           : CertificateStatus::valid;
  c.issued_at_ms = now;
  auto [list_id, index] = status_slot(tx, dept.id);
  c.status_list_id = list_id;
  c.status_index = index;

  CredentialInput ci;
  ci.issuer = issuer(dept.id);
  ci.vct = type.vct.empty() ? base + "/vct/" + type.code : type.vct;
  ci.issued_at = now / 1000;
  if (auto from = date_of(c.valid_from)) ci.valid_from = core::china_midnight(*from) / 1000;
  if (auto to = date_of(c.valid_to))
    ci.expires_at = (core::china_midnight(*to) + core::kDayMs) / 1000;
  ci.status_list_uri = list_uri(list_id);
  ci.status_index = index;
  ci.claims = claims_of(c);
  c.sd_jwt = issue_sd_jwt(ci, key_for_issuing(tx, dept.id));

  if (auto st = insert_row(tx, c, now); !st) return fail(st.error());
  events::append(tx, clock,
                 {.type = "certificate.issued",
                  .subject_type = "certificate",
                  .subject_id = c.identifier,
                  .actor = actor,
                  .after_json = event_state(c),
                  .data_json = Json{{"item_code", c.item_code}, {"case_id", c.case_id}}.dump()});
  return c;
}

// ---- Issuance ----------------------------------------------------------------------------------

Result<Certificate> Service::issue(const NewCertificate& input, const identity::Principal& by) {
  Impl& m = *impl_;
  return m.store.write([&](store::Tx& tx) -> Result<Certificate> {
    auto type = type_by(tx, "code", input.type_code);
    if (!type)
      return fail(ErrorCode::invalid_input, "/type_code", "证照类型不存在",
                  "unknown certificate type");
    if (!may_manage(by, type->dept_id))
      return fail(ErrorCode::forbidden, "", "只有发证部门的审批人或管理员可以发证",
                  "only approvers or administrators of the issuing department issue it");
    auto dept = load_dept(tx, type->dept_id);
    if (!dept) return fail(ErrorCode::internal, "", "发证部门不存在", "issuing department missing");
    NewCertificate in = input;
    in.case_id.clear();  // only the case follower links a case
    const std::string issue_date = m.today();
    if (auto st = check_input(in, *type, "", issue_date); !st) return fail(st.error());
    return m.insert(tx, in, *type, *dept, issue_date, "", std::nullopt, identity::actor_of(by));
  });
}

Result<std::optional<Certificate>> Service::issue_for_case(store::Tx& tx,
                                                           const CaseResult& result) {
  Impl& m = *impl_;
  using Issued = std::optional<Certificate>;
  if (result.decision != "granted") return Issued{};
  if (auto row = tx.query_one(
          std::string("SELECT ") + kCertColumns + " FROM certificates WHERE case_id = ?",
          {result.case_id});
      row && !result.case_id.empty()) {
    return Issued(cert_from_row(*row, tx.cipher()));
  }
  // The catalog reads in its own snapshot: items are published long before cases complete.
  auto item = m.catalog.get(result.item_code);
  if (!item) {
    if (item.error().code == ErrorCode::not_found) return Issued{};
    return fail(item.error());
  }
  if (item->result_certificate_type.empty()) return Issued{};
  auto type = type_by(tx, "name", item->result_certificate_type);
  if (!type) return Issued{};
  auto dept = load_dept(tx, type->dept_id);
  if (!dept) return Issued{};
  NewCertificate in;
  in.type_code = type->code;
  in.holder_name = result.holder_name;
  in.holder_id = result.holder_id;
  in.item_code = result.item_code;
  in.case_id = result.case_id;
  in.data_json = Json{{"item_name", item->name}}.dump();
  const core::Millis when = result.completed_at_ms ? result.completed_at_ms : m.clock.now_ms();
  const std::string issue_date = core::format_date(core::china_date(when));
  if (auto st = check_input(in, *type, "", issue_date); !st) return fail(st.error());
  return m
      .insert(tx, in, *type, *dept, issue_date, result.holder_user_id, std::nullopt,
              events::system_actor(type->dept_id))
      .map([](Certificate c) { return Issued(std::move(c)); });
}

namespace {

// Reads data row `n` into a Ready (a row error otherwise).
Result<Ready> prepare_row(store::Tx& tx, const identity::Principal& by,
                          const std::optional<Dept>& dept, const CsvRow& cell, std::size_t n,
                          std::set<std::string>& seen_ids) {
  const std::string at = "/rows/" + std::to_string(n);
  auto type = type_by(tx, "code", cell("type_code"));
  if (!type) return fail(invalid(at + "/type_code", "证照类型不存在", "unknown certificate type"));
  if (!dept || !may_manage(by, type->dept_id)) {
    return fail(invalid(at + "/type_code", "不是本部门发放的证照类型",
                        "not a type your department issues"));
  }
  Ready x;
  x.type = *type;
  x.in.type_code = type->code;
  x.in.number = cell("number");
  x.in.holder_name = cell("holder_name");
  x.in.holder_id = cell("holder_id");
  x.in.holder_id_type = cell("holder_id_type");
  x.in.valid_from = cell("valid_from");
  x.in.valid_to = cell("valid_to");
  x.in.item_code = cell("item_code");
  x.in.data_json = cell("data_json");
  if (x.in.data_json.empty()) x.in.data_json = "{}";
  x.issue_date = cell("issue_date");
  if (x.in.number.empty())
    return fail(invalid(at + "/number", "证照编号必填", "number is required"));
  if (!date_of(x.issue_date)) {
    return fail(invalid(at + "/issue_date", "日期格式应为YYYY-MM-DD",
                        "issue_date must be a date YYYY-MM-DD"));
  }
  if (auto st = check_input(x.in, x.type, at, x.issue_date); !st) {
    Error e = st.error();
    if (e.field == at + "/data" || e.field.rfind(at + "/data/", 0) == 0)
      e.field = at + "/data_json";
    return fail(std::move(e));
  }
  if (std::string id = cell("identifier"); !id.empty()) {
    if (auto st = check_row_identifier(tx, id, at, *type, *dept, seen_ids); !st)
      return fail(st.error());
    x.identifier = id;
  }
  return x;
}

// Every data row ready to insert; the errors of the others are added to `errors`.
std::vector<Ready> prepare_rows(store::Tx& tx, const identity::Principal& by,
                                const std::optional<Dept>& dept, const CsvRows& rows,
                                const std::map<std::string, std::size_t>& column,
                                std::vector<Error>& errors) {
  std::vector<Ready> ready;
  std::set<std::string> seen_ids;
  for (std::size_t n = 1; n < rows.size(); ++n) {
    if (rows[n].size() != rows.front().size()) {
      errors.push_back(invalid("/rows/" + std::to_string(n), "列数与表头不一致",
                               "column count differs from the header"));
      continue;
    }
    auto x = prepare_row(tx, by, dept, CsvRow{rows[n], column}, n, seen_ids);
    if (x) {
      ready.push_back(std::move(*x));
    } else {
      errors.push_back(x.error());
    }
  }
  return ready;
}

}  // namespace

Status Service::may_issue(const identity::Principal& by) {
  if (by.is_official() &&
      (by.has_role(identity::Role::approver) || by.has_role(identity::Role::admin))) {
    return {};
  }
  return fail(ErrorCode::forbidden, "", "只有发证部门的审批人或管理员可以发证或导入证照",
              "only approvers or administrators of the issuing department issue certificates");
}

Result<ImportReport> Service::import_csv(std::string_view csv, const identity::Principal& by) {
  Impl& m = *impl_;
  if (auto st = may_issue(by); !st) return fail(st.error());
  auto rows = parse_import(csv);
  if (!rows) return fail(rows.error());
  ImportReport report;
  const auto column = read_header(rows->front(), report.row_errors);
  if (!report.row_errors.empty()) return report;

  auto written = m.store.write([&](store::Tx& tx) -> Status {
    auto dept = load_dept(tx, by.dept_id);
    report = ImportReport{};
    auto ready = prepare_rows(tx, by, dept, *rows, column, report.row_errors);
    if (!report.row_errors.empty()) {
      // Nothing half-imported: roll back whatever serials or keys were touched.
      return fail(ErrorCode::invalid_input, "", "导入失败", "import failed");
    }
    for (const auto& x : ready) {
      auto c =
          m.insert(tx, x.in, x.type, *dept, x.issue_date, "", x.identifier, identity::actor_of(by));
      if (!c) return fail(c.error());
    }
    report.imported = static_cast<int>(ready.size());
    return {};
  });
  if (!written) {
    if (!report.row_errors.empty()) return report;
    return fail(written.error());
  }
  return report;
}

}  // namespace yiwang::certificates
