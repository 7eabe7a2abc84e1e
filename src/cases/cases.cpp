// Filing, reading, listing and acting on cases. Every change is one write transaction holding
// the row, its routing and pause rows, and the events; the rules of the state machine live in
// workflow.cpp. Every case returned to a caller is masked for them (masking.cpp).
#include <algorithm>
#include <map>
#include <utility>

#include <nlohmann/json.hpp>

#include "cases/internal.h"
#include "cases/workflow.h"
#include "core/field_cipher.h"
#include "core/names.h"
#include "core/text.h"
#include "store/record_id.h"
#include "store/sealing.h"

namespace yiwang::cases {
namespace {

using Json = nlohmann::json;
using workflow::Record;

constexpr auto kStates =
    core::enum_names<State>("submitted", "correction", "in_review", "suspended", "not_accepted",
                            "granted", "denied", "completed", "withdrawn");
constexpr auto kActions = core::enum_names<Action>(
    "accept", "reject", "request_correction", "resubmit", "approve", "disapprove", "grant", "deny",
    "complete", "withdraw", "suspend", "resume");
// The event each action writes, in kActions order.
constexpr auto kEventTypes = core::enum_names<Action>(
    "case.accepted", "case.not_accepted", "case.correction_requested", "case.resubmitted",
    "case.step_approved", "case.step_disapproved", "case.granted", "case.denied", "case.completed",
    "case.withdrawn", "case.suspended", "case.resumed");
constexpr auto kProcedures =
    core::enum_names<Procedure>("hearing", "expert_review", "extension", "on_site_inspection");

// The row as stored; `c.` so that list() can join.
constexpr const char* kColumns =
    "c.id, c.item_code, c.item_version, c.item_name, c.dept_id, c.case_type, c.state, "
    "c.applicant_user_id, c.applicant_kind, c.applicant_name, c.applicant_id_number, "
    "c.applicant_phone, c.applicant_division, c.channel, c.filed_by, c.form_json, "
    "c.materials_json, c.steps_json, c.current_step, c.resume_state, c.decision, "
    "c.decision_opinion, c.instant_rule, c.procedure_kind, c.limit_days, c.natural_days, "
    "c.submitted_at_ms, c.accepted_at_ms, c.decided_at_ms, c.completed_at_ms, c.updated_at_ms, "
    "c.revision";

Record record_from_row(const store::Row& row, const core::FieldCipher& cipher) {
  Record r;
  Case& c = r.c;
  c.id = row.text(0);
  c.item_code = row.text(1);
  c.item_version = static_cast<int>(row.int64(2));
  c.item_name = row.text(3);
  c.dept_id = row.text(4);
  c.case_type = row.text(5);
  c.state = kStates.stored(row.text(6));
  c.applicant = Applicant{row.text(7),
                          row.text(8),
                          cipher.open_cell(row.text(9), "cases.applicant_name", c.id),
                          cipher.open_cell(row.text(10), "cases.applicant_id_number", c.id),
                          cipher.open_cell(row.text(11), "cases.applicant_phone", c.id),
                          row.text(12)};
  c.channel = row.text(13);
  c.filed_by = row.text(14);
  c.form_json = cipher.open_cell(row.text(15), "cases.form_json", c.id);
  c.materials = workflow::materials_from_json(row.text(16));
  c.steps = workflow::steps_from_json(row.text(17));
  c.current_step = static_cast<int>(row.int64(18));
  r.resume_state = parse_state(row.text(19)).value_or(State::submitted);
  c.decision = row.text(20);
  c.decision_opinion = row.text(21);
  c.instant_rule = row.text(22);
  if (auto p = row.text(23); !p.empty()) c.procedure = parse_procedure(p);
  r.limit_days = static_cast<int>(row.int64(24));
  r.natural_days = row.int64(25) != 0;
  c.submitted_at_ms = row.int64(26);
  c.accepted_at_ms = row.opt_int64(27);
  c.decided_at_ms = row.opt_int64(28);
  c.completed_at_ms = row.opt_int64(29);
  c.updated_at_ms = row.int64(30);
  c.revision = row.int64(31);
  return r;
}

std::string procedure_text(const Case& c) {
  return c.procedure ? std::string(to_string(*c.procedure)) : "";
}

// The keyed index cases are found by (the applicant's id number; "" when there is none).
std::string applicant_id_index(store::Tx& tx, std::string_view id_number) {
  return id_number.empty() ? std::string() : tx.cipher().index(id_number, core::kIdNumberIndex);
}

void insert_case(store::Tx& tx, const Record& r) {
  const Case& c = r.c;
  auto waiting = workflow::waiting_of(c);
  tx.exec(
      "INSERT INTO cases (id, item_code, item_version, item_name, dept_id, case_type, state, "
      "applicant_user_id, applicant_kind, applicant_name, applicant_id_number, applicant_phone, "
      "applicant_id_index, applicant_division, channel, filed_by, form_json, materials_json, "
      "steps_json, current_step, resume_state, decision, decision_opinion, instant_rule, "
      "procedure_kind, limit_days, natural_days, submitted_at_ms, accepted_at_ms, decided_at_ms, "
      "completed_at_ms, updated_at_ms, revision, waiting_role, waiting_depts) VALUES "
      "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
      "?, ?, ?, ?, ?)",
      {c.id,
       c.item_code,
       std::int64_t{c.item_version},
       c.item_name,
       c.dept_id,
       c.case_type,
       std::string(to_string(c.state)),
       c.applicant.user_id,
       c.applicant.kind,
       tx.cipher().seal_cell(c.applicant.name, "cases.applicant_name", c.id),
       tx.cipher().seal_cell(c.applicant.id_number, "cases.applicant_id_number", c.id),
       tx.cipher().seal_cell(c.applicant.phone, "cases.applicant_phone", c.id),
       applicant_id_index(tx, c.applicant.id_number),
       c.applicant.division_code,
       c.channel,
       c.filed_by,
       tx.cipher().seal_cell(c.form_json, "cases.form_json", c.id),
       workflow::materials_to_json(c.materials),
       workflow::steps_to_json(c.steps),
       std::int64_t{c.current_step},
       std::string(to_string(r.resume_state)),
       c.decision,
       c.decision_opinion,
       c.instant_rule,
       procedure_text(c),
       std::int64_t{r.limit_days},
       std::int64_t{r.natural_days ? 1 : 0},
       c.submitted_at_ms,
       store::nullable(c.accepted_at_ms),
       store::nullable(c.decided_at_ms),
       store::nullable(c.completed_at_ms),
       c.updated_at_ms,
       c.revision,
       waiting.role,
       waiting.depts});
}

// Writes the mutable part of the row; false when someone else changed it since it was read.
bool update_case(store::Tx& tx, const Record& r, std::int64_t read_revision) {
  const Case& c = r.c;
  auto waiting = workflow::waiting_of(c);
  return tx.exec(
             "UPDATE cases SET state = ?, form_json = ?, materials_json = ?, steps_json = ?, "
             "current_step = ?, resume_state = ?, decision = ?, decision_opinion = ?, "
             "procedure_kind = ?, accepted_at_ms = ?, decided_at_ms = ?, completed_at_ms = ?, "
             "updated_at_ms = ?, revision = ?, waiting_role = ?, waiting_depts = ? "
             "WHERE id = ? AND revision = ?",
             {std::string(to_string(c.state)),
              tx.cipher().seal_cell(c.form_json, "cases.form_json", c.id),
              workflow::materials_to_json(c.materials), workflow::steps_to_json(c.steps),
              std::int64_t{c.current_step}, std::string(to_string(r.resume_state)), c.decision,
              c.decision_opinion, procedure_text(c), store::nullable(c.accepted_at_ms),
              store::nullable(c.decided_at_ms), store::nullable(c.completed_at_ms), c.updated_at_ms,
              c.revision, waiting.role, waiting.depts, c.id, read_revision}) == 1;
}

std::optional<Record> load(store::Tx& tx, std::string_view id) {
  auto row = tx.query_one(std::string("SELECT ") + kColumns + " FROM cases c WHERE c.id = ?",
                          {std::string(id)});
  if (!row) return std::nullopt;
  return record_from_row(*row, tx.cipher());
}

tl::unexpected<Error> case_not_found() {
  return fail(ErrorCode::not_found, "", "办件不存在", "case not found");
}

// What an event keeps of the case: no personal data (the audit trail is read more widely than
// the case itself).
std::string summary_json(const Case& c) {
  return Json{{"id", c.id},
              {"item_code", c.item_code},
              {"item_version", c.item_version},
              {"dept_id", c.dept_id},
              {"case_type", c.case_type},
              {"channel", c.channel},
              {"state", to_string(c.state)},
              {"current_step", c.current_step},
              {"decision", c.decision},
              {"revision", c.revision}}
      .dump();
}

events::NewEvent case_event(std::string type, const Case& c, events::Actor actor,
                            std::string reason, std::string before, const Json& data) {
  return {.type = std::move(type),
          .subject_type = "case",
          .subject_id = c.id,
          .actor = std::move(actor),
          .reason = std::move(reason),
          .before_json = std::move(before),
          .after_json = summary_json(c),
          .data_json = data.dump()};
}

Json hop_data(std::string_view action, std::string_view from, std::string_view to) {
  return Json{{"action", action}, {"from", from}, {"to", to}};
}

// Sets c.clock from acceptance on; frozen at the decision (or the withdrawal) once there is one.
// Before acceptance, c.acceptance_clock instead.
void fill_clock(store::Tx& tx, const Record& r, Case& c, core::Millis now_ms, int yellow_days,
                const core::WorkingCalendar* calendar = nullptr) {
  c.clock.reset();
  c.acceptance_clock.reset();
  if (c.state == State::submitted) {
    auto view = [&](const core::WorkingCalendar& cal) {
      return detail::clock_view(cal, c.submitted_at_ms, kAcceptanceDays, false, {}, now_ms,
                                yellow_days);
    };
    c.acceptance_clock = calendar ? view(*calendar) : view(detail::load_calendar(tx));
    return;
  }
  if (!c.accepted_at_ms) return;
  core::Millis at = now_ms;
  if (c.decided_at_ms) {
    at = *c.decided_at_ms;
  } else if (!is_open(c.state)) {
    at = c.updated_at_ms;
  }
  std::vector<core::Pause> pauses = detail::load_pauses(tx, c.id);
  if (calendar) {
    c.clock = detail::clock_view(*calendar, *c.accepted_at_ms, r.limit_days, r.natural_days, pauses,
                                 at, yellow_days);
  } else {
    c.clock = detail::clock_view(detail::load_calendar(tx), *c.accepted_at_ms, r.limit_days,
                                 r.natural_days, pauses, at, yellow_days);
  }
}

// Materials name files the filer uploaded (a reference to someone else's upload would let
// anyone attach, and then read through the case, bytes they never had), or a certificate of the
// applicant that the item accepts in place of the material (免提交): verified now, and the
// verification kept with the case for the reviewing official.
Status check_materials(store::Tx& tx, Case& c, const identity::Principal& by,
                       const catalog::Item& item, const CertificateCheck& check) {
  const std::string& user_id = by.user_id;
  for (std::size_t i = 0; i < c.materials.size(); ++i) {
    auto& m = c.materials[i];
    const std::string at = "/materials/" + std::to_string(i);
    if (!m.certificate_id.empty()) {
      // Certificates bind to a verified identity only: with a merely claimed id number anyone
      // could file with a stranger's certificates (#16). A window clerk checked the card.
      if (!by.is_official() && !by.id_verified()) {
        return fail(ErrorCode::forbidden, at + "/certificate_id",
                    "使用电子证照免提交须先完成实名核验（在线核验或到窗口核验）",
                    "using certificates in place of materials needs a verified identity");
      }
      auto wanted = std::find_if(item.materials.begin(), item.materials.end(),
                                 [&](const catalog::Material& im) { return im.name == m.name; });
      if (wanted == item.materials.end() || wanted->certificate_type.empty()) {
        return fail(ErrorCode::invalid_input, at + "/certificate_id", "该材料不能以电子证照代替",
                    "this material cannot be satisfied by a certificate");
      }
      if (!check) {
        return fail(ErrorCode::invalid_input, at + "/certificate_id", "电子证照服务不可用",
                    "certificates are not available");
      }
      auto verified = check(tx, m.certificate_id, wanted->certificate_type, c);
      if (!verified) {
        Error e = verified.error();
        e.field = at + "/certificate_id";
        return fail(std::move(e));
      }
      m.verification_json = std::move(*verified);
      continue;
    }
    auto row = tx.query_one("SELECT 1 FROM file_uploads WHERE sha256 = ? AND user_id = ?",
                            {m.sha256, user_id});
    if (!row) {
      return fail(ErrorCode::invalid_input, at + "/sha256", "未找到您上传的该文件",
                  "no file with this sha256 uploaded by you");
    }
  }
  return {};
}

Status check_material_shape(const std::vector<MaterialRef>& materials) {
  if (materials.size() > 100) {
    return fail(ErrorCode::invalid_input, "/materials", "材料过多（最多 100 份）",
                "too many materials (at most 100)");
  }
  for (std::size_t i = 0; i < materials.size(); ++i) {
    std::string at = "/materials/" + std::to_string(i);
    const auto& m = materials[i];
    if (m.name.empty() || m.name.size() > 600) {
      return fail(ErrorCode::invalid_input, at + "/name", "材料名称无效", "invalid material name");
    }
    if (!m.certificate_id.empty()) {
      if (!m.sha256.empty()) {
        return fail(ErrorCode::invalid_input, at + "/certificate_id",
                    "一份材料只能是上传文件或电子证照之一",
                    "a material is either an uploaded file or a certificate, not both");
      }
      if (m.certificate_id.size() > 200) {
        return fail(ErrorCode::invalid_input, at + "/certificate_id", "证照标识过长",
                    "certificate identifier too long");
      }
      continue;
    }
    if (!core::is_sha256_hex(m.sha256)) {
      return fail(ErrorCode::invalid_input, at + "/sha256", "文件摘要应为 64 位小写十六进制",
                  "sha256 must be 64 lower-case hex digits");
    }
  }
  return {};
}

void link_files(store::Tx& tx, const Case& c) {
  for (const auto& m : c.materials) {
    if (m.sha256.empty()) continue;
    tx.exec("INSERT INTO case_files (sha256, case_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
            {m.sha256, c.id});
  }
}

bool is_official_with(const identity::Principal& by, identity::Role r) {
  return by.is_official() && by.has_role(r);
}

std::string like_escape(std::string_view s) {
  std::string out;
  for (char ch : s) {
    if (ch == '%' || ch == '_' || ch == '\\') out += '\\';
    out += ch;
  }
  return out;
}

constexpr const char* kOpenStates =
    "('submitted','correction','in_review','suspended','granted','denied')";

// Masks `cases` for `by` in `reading` (masking.cpp): the form of each item version is read once,
// and only for copies that are not full. Without it (an item version gone) the policy goes by
// field names and value shapes.
void mask_all(catalog::Service& catalog, const identity::Principal& by, detail::Reading reading,
              std::vector<Case>& cases) {
  std::map<std::pair<std::string, int>, std::vector<catalog::FormField>> forms;
  for (auto& c : cases) {
    if (detail::disclosure_for(c, by, reading) == Disclosure::full) continue;
    auto key = std::pair(c.item_code, c.item_version);
    auto form = forms.find(key);
    if (form == forms.end()) {
      auto item = catalog.get_version(c.item_code, c.item_version);
      form = forms.emplace(key, item ? std::move(item->form) : std::vector<catalog::FormField>{})
                 .first;
    }
    c = detail::mask_for(by, c, reading, form->second);
  }
}

// The one case `by` reads, masked for them.
Result<Case> masked(catalog::Service& catalog, const identity::Principal& by, Result<Case> c) {
  if (!c) return c;
  std::vector<Case> one{std::move(*c)};
  mask_all(catalog, by, detail::Reading::one, one);
  return std::move(one.front());
}

}  // namespace

// ---- Names ----------------------------------------------------------------------------------

std::string_view to_string(State s) {
  return kStates.name(s);
}
std::optional<State> parse_state(std::string_view s) {
  return kStates.parse(s);
}
bool is_open(State s) {
  return s == State::submitted || s == State::correction || s == State::in_review ||
         s == State::suspended || s == State::granted || s == State::denied;
}
std::string_view to_string(Action a) {
  return kActions.name(a);
}
std::optional<Action> parse_action(std::string_view s) {
  return kActions.parse(s);
}
std::string_view event_type(Action a) {
  return kEventTypes.name(a);
}
std::string_view to_string(Procedure p) {
  return kProcedures.name(p);
}
std::optional<Procedure> parse_procedure(std::string_view s) {
  return kProcedures.parse(s);
}

// ---- Filing ---------------------------------------------------------------------------------

namespace {

// Who may file: an applicant for themselves, or a window clerk (接件) naming the applicant.
Status check_filer(const NewCase& nc, const identity::Principal& by) {
  if (auto st = Service::may_file(by); !st) return st;
  const bool clerk = by.is_official();
  if (clerk && !nc.applicant) {
    return fail(ErrorCode::invalid_input, "/applicant", "窗口代办须填写申请人",
                "a clerk must name the applicant");
  }
  if (!clerk && nc.applicant) {
    return fail(ErrorCode::invalid_input, "/applicant", "网上申报的申请人即登录用户本人",
                "online filing is for oneself: applicant is not accepted");
  }
  if (nc.item_code.empty()) {
    return fail(ErrorCode::invalid_input, "/item_code", "请选择事项", "item_code is required");
  }
  return {};
}

// The active item filed under; a clerk only files items their department handles.
Result<catalog::Item> filing_item(catalog::Service& catalog, const NewCase& nc,
                                  const identity::Principal& by) {
  auto item = catalog.get(nc.item_code);
  if (!item && item.error().code != ErrorCode::not_found) return fail(item.error());
  if (!item || !item->active) {
    return fail(ErrorCode::not_found, "/item_code", "事项不存在或已停用",
                "no such item, or it is withdrawn");
  }
  // Items that handle sensitive matters need a verified identity online (a window clerk checked
  // the card). Names are ordered lowest first, so the enum order compares levels.
  const auto needed = identity::parse_assurance(item->min_assurance);
  if (!by.is_official() && needed && by.assurance < *needed) {
    Error e{ErrorCode::forbidden, "/item_code",
            "办理该事项须先完成实名核验（" +
                std::string(*needed == identity::Assurance::in_person ? "到窗口当面核验"
                                                                       : "在线核验或到窗口核验") +
                "）",
            "this item needs a " + item->min_assurance + " identity; verify yours first"};
    e.type = "assurance-required";
    return tl::unexpected(std::move(e));
  }
  if (by.is_official()) {
    auto has = [&](const std::vector<std::string>& depts) {
      return std::find(depts.begin(), depts.end(), by.dept_id) != depts.end();
    };
    bool ours = item->dept_id == by.dept_id || has(item->joint_dept_ids);
    for (const auto& w : item->workflow) ours = ours || has(w.dept_ids);
    if (!ours) {
      return fail(ErrorCode::forbidden, "/item_code", "本部门不办理该事项",
                  "your department does not handle this item");
    }
  }
  return item;
}

// The applicant a window clerk names, checked. Identity offers no lookup by id number: a window
// filing stays unlinked to any account.
Result<Applicant> window_applicant(const Applicant& a) {
  if (a.kind != "citizen" && a.kind != "business") {
    return fail(ErrorCode::invalid_input, "/applicant/kind", "申请人类型应为 citizen 或 business",
                "applicant kind must be citizen or business");
  }
  if (a.name.empty() || a.name.size() > 300) {
    return fail(ErrorCode::invalid_input, "/applicant/name", "请填写申请人名称",
                "applicant name is required");
  }
  bool valid = a.kind == "citizen" ? identity::valid_citizen_id(a.id_number)
                                   : identity::valid_uscc(a.id_number);
  if (!valid) {
    return fail(ErrorCode::invalid_input, "/applicant/id_number",
                a.kind == "citizen" ? "公民身份号码无效" : "统一社会信用代码无效",
                a.kind == "citizen" ? "invalid citizen id number" : "invalid USCC");
  }
  if (a.phone.size() > 32) {
    return fail(ErrorCode::invalid_input, "/applicant/phone", "电话过长", "phone too long");
  }
  if (a.division_code.size() > 12) {
    return fail(ErrorCode::invalid_input, "/applicant/division_code", "行政区划代码无效",
                "invalid division code");
  }
  return Applicant{"", a.kind, a.name, a.id_number, a.phone, a.division_code};
}

// The case as filed, before it has an id or a time.
Result<Record> new_record(const NewCase& nc, const identity::Principal& by,
                          const catalog::Item& item) {
  Record r;
  Case& c = r.c;
  if (by.is_official()) {
    auto applicant = window_applicant(*nc.applicant);
    if (!applicant) return fail(applicant.error());
    c.applicant = std::move(*applicant);
    c.channel = "window";
  } else {
    c.applicant = Applicant{by.user_id,      std::string(identity::to_string(by.kind)),
                            by.display_name, by.id_number,
                            by.phone,        by.division_code};
    c.channel = "online";
  }
  c.item_code = item.code;
  c.item_version = item.version;
  c.item_name = item.name;
  c.dept_id = item.dept_id;
  c.case_type = item.case_type;
  c.state = State::submitted;
  c.filed_by = by.user_id;
  c.form_json = nc.form_json.empty() ? "{}" : Json::parse(nc.form_json).dump();
  c.materials = nc.materials;
  c.steps = workflow::snapshot_steps(item);
  c.current_step = -1;
  c.revision = 1;
  r.limit_days = item.promised_limit > 0 ? item.promised_limit : item.legal_limit;
  r.natural_days = item.limit_unit == catalog::LimitUnit::natural_days;
  return r;
}

// 秒批: the item's rules evaluated on the facts as they stand before the case exists; nullopt
// for an item without rules.
// 秒批 grants without a person looking, so only to an applicant whose identity is verified (an
// online filer with a merely claimed id number goes to an official's review instead) (#16).
Result<std::optional<catalog::RuleEvaluation>> evaluate_instant(store::Tx& tx, const Case& k,
                                                                const catalog::Item& item,
                                                                const identity::Principal& by,
                                                                core::Millis now) {
  if (item.instant_rules_json.empty()) return std::optional<catalog::RuleEvaluation>{};
  if (!by.is_official() && !by.id_verified()) return std::optional<catalog::RuleEvaluation>{};
  catalog::ApplicantFacts facts;
  facts.kind = k.applicant.kind;
  if (k.applicant.kind == "citizen") {
    int age = identity::age_from_citizen_id(k.applicant.id_number, core::china_date(now));
    if (age >= 0) facts.age = age;
  }
  facts.division_code = k.applicant.division_code;
  auto open = tx.query_one(std::string("SELECT COUNT(*) FROM cases WHERE item_code = ? AND "
                                       "applicant_id_index = ? AND state IN ") +
                               kOpenStates,
                           {k.item_code, applicant_id_index(tx, k.applicant.id_number)});
  facts.open_cases_same_item = open ? open->int64(0) : 0;
  auto fact_map = catalog::make_facts(k.form_json, facts);
  if (!fact_map) return fail(fact_map.error());
  auto evaluation = catalog::evaluate_rules(item.instant_rules_json, *fact_map);
  if (!evaluation) return fail(evaluation.error());
  return std::optional<catalog::RuleEvaluation>(std::move(*evaluation));
}

Json outcomes_json(const catalog::RuleEvaluation& e) {
  Json out = Json::array();
  for (const auto& o : e.outcomes) {
    out.push_back({{"id", o.id},
                   {"description_zh", o.description_zh},
                   {"passed", o.passed},
                   {"detail", o.detail}});
  }
  return out;
}

// A case whose 秒批 rules all hold: accepted, granted and delivered in the act of filing, by the
// system, one event per hop after the case.instantly_approved event.
void approve_instantly(store::Tx& tx, const core::Clock& clock, Record& rec, const Json& outcomes,
                       core::Millis now) {
  Case& k = rec.c;
  const std::string before = summary_json(k);
  k.instant_rule = k.item_code + "@v" + std::to_string(k.item_version);
  k.accepted_at_ms = now;
  k.decided_at_ms = now;
  k.completed_at_ms = now;
  k.decision = "granted";
  k.decision_opinion = "秒批：符合全部规则";
  for (auto& s : k.steps) s.status = "skipped";
  k.revision = 2;
  Json idata = hop_data("instant_approve", "submitted", "submitted");
  idata["rule"] = k.instant_rule;
  idata["outcomes"] = outcomes;
  struct Hop {
    const char* type;
    Action action;
    State from, to;
  };
  const Hop hops[] = {{"case.accepted", Action::accept, State::submitted, State::in_review},
                      {"case.granted", Action::grant, State::in_review, State::granted},
                      {"case.completed", Action::complete, State::granted, State::completed}};
  k.state = State::completed;
  if (!update_case(tx, rec, 1)) throw store::StoreError("cases: lost the row just inserted");
  const events::Actor system = events::system_actor();
  events::append(
      tx, clock,
      case_event("case.instantly_approved", k, system, k.decision_opinion, before, idata));
  for (const auto& h : hops) {
    events::append(tx, clock,
                   case_event(h.type, k, system, k.decision_opinion, before,
                              hop_data(to_string(h.action), to_string(h.from), to_string(h.to))));
  }
}

}  // namespace

Status Service::may_file(const identity::Principal& by) {
  if (by.is_official() && !by.has_role(identity::Role::clerk)) {
    return fail(ErrorCode::forbidden, "", "只有窗口人员可以代为申报",
                "only clerks may file for an applicant");
  }
  return {};
}


Result<Case> Service::file(const NewCase& nc, const identity::Principal& by) {
  Impl& m = *impl_;
  if (auto st = check_filer(nc, by); !st) return fail(st.error());
  auto item = filing_item(m.catalog, nc, by);
  if (!item) return fail(item.error());
  if (auto st = catalog::Service::validate_form(*item, nc.form_json); !st) return fail(st.error());
  if (auto st = check_material_shape(nc.materials); !st) return fail(st.error());
  auto r = new_record(nc, by, *item);
  if (!r) return fail(r.error());

  const bool clerk = by.is_official();
  const std::string filer_role = clerk ? "clerk" : std::string(identity::to_string(by.kind));
  const events::Actor filer{by.user_id, filer_role, clerk ? by.dept_id : ""};

  auto filed = m.store.write([&](store::Tx& tx) -> Result<Case> {
    const core::Millis now = m.clock.now_ms();
    Record rec = *r;
    Case& k = rec.c;
    k.submitted_at_ms = now;
    k.updated_at_ms = now;
    auto id = store::new_record_id(tx, m.random, now, {.table = "cases", .prefix = "YW"});
    if (!id) return fail(id.error());
    k.id = std::move(*id);
    if (auto st = check_materials(tx, k, by, *item, m.options.certificate_check); !st)
      return fail(st.error());
    auto instant = evaluate_instant(tx, k, *item, by, now);
    if (!instant) return fail(instant.error());
    const Json outcomes = *instant ? outcomes_json(**instant) : Json::array();

    insert_case(tx, rec);
    for (const auto& d : workflow::departments_of(k)) {
      tx.exec("INSERT INTO case_depts (case_id, dept_id, submitted_at_ms) VALUES (?, ?, ?)",
              {k.id, d, now});
    }
    link_files(tx, k);
    Json data = hop_data("submit", "", "submitted");
    if (*instant) data["instant"] = {{"eligible", (*instant)->eligible}, {"outcomes", outcomes}};
    events::append(tx, m.clock, case_event("case.submitted", k, filer, "", "", data));
    if (*instant && (*instant)->eligible) approve_instantly(tx, m.clock, rec, outcomes, now);
    fill_clock(tx, rec, k, now, m.options.yellow_days);
    return k;
  });
  return masked(m.catalog, by, std::move(filed));
}

// ---- Reading --------------------------------------------------------------------------------

std::optional<Case> find_case(store::Tx& tx, std::string_view id) {
  auto r = load(tx, id);
  if (!r) return std::nullopt;
  return std::move(r->c);
}

Result<std::int64_t> seal_at_rest(store::Store& store) {
  return store::seal_clear_cells(
      store, "cases", "id",
      {{"applicant_id_number", "applicant_id_index", std::string(core::kIdNumberIndex)},
       {"applicant_phone"},
       {"applicant_name"},
       {"form_json"}});
}

Status link_window_cases(store::Tx& tx, const core::Clock& clock,
                         const identity::Principal& verified) {
  const std::string id_number = verified.verified_id_number();
  if (verified.is_official() || id_number.empty()) return {};
  auto rows = tx.query(
      "SELECT id FROM cases WHERE applicant_user_id = '' AND applicant_kind = ? AND "
      "applicant_id_index = ?",
      {std::string(identity::to_string(verified.kind)), applicant_id_index(tx, id_number)});
  for (const auto& row : rows) {
    const std::string id = row.text(0);
    tx.exec("UPDATE cases SET applicant_user_id = ? WHERE id = ?", {verified.user_id, id});
    events::append(tx, clock,
                   {.type = "case.applicant_linked",
                    .subject_type = "case",
                    .subject_id = id,
                    .actor = events::system_actor(),
                    .data_json = Json{{"user_id", verified.user_id}}.dump()});
  }
  return {};
}

Result<Case> Service::get(std::string_view id, const identity::Principal& by) {
  Impl& m = *impl_;
  auto c = m.store.read([&](store::Tx& tx) -> Result<Case> {
    auto r = load(tx, id);
    if (!r || !workflow::may_see(r->c, by)) return case_not_found();
    fill_clock(tx, *r, r->c, m.clock.now_ms(), m.options.yellow_days);
    return std::move(r->c);
  });
  return masked(m.catalog, by, std::move(c));
}

Status Service::may_act(std::string_view id, const identity::Principal& by) {
  return impl_->store.read([&](store::Tx& tx) -> Status {
    auto r = load(tx, id);
    if (!r || !workflow::may_see(r->c, by)) return case_not_found();
    return workflow::may_act_on(r->c, by);
  });
}

Result<CaseList> Service::list(const CaseQuery& q, const identity::Principal& by) {
  Impl& m = *impl_;
  const bool everyone = is_official_with(by, identity::Role::supervisor) ||
                        is_official_with(by, identity::Role::admin);
  if (by.is_official() && !everyone && !workflow::handles_cases(by)) return CaseList{};
  std::string from = " FROM cases c";
  std::string where = " WHERE 1 = 1";
  store::Params join_params, where_params;
  std::string order = " ORDER BY c.submitted_at_ms DESC, c.id DESC";

  if (!by.is_official()) {
    where += " AND c.applicant_user_id = ?";
    where_params.push_back(by.user_id);
  } else if (!everyone || !q.dept_id.empty()) {
    // Officials' scope is their department's routing rows: the (dept_id, submitted_at_ms) index
    // serves both the filter and the order.
    std::string dept = everyone ? q.dept_id : by.dept_id;
    from += " JOIN case_depts cd ON cd.case_id = c.id AND cd.dept_id = ?";
    join_params.push_back(dept);
    order = " ORDER BY cd.submitted_at_ms DESC, c.id DESC";
    if (!everyone && !q.dept_id.empty() && q.dept_id != by.dept_id) {
      where += " AND EXISTS (SELECT 1 FROM case_depts x WHERE x.case_id = c.id AND x.dept_id = ?)";
      where_params.push_back(q.dept_id);
    }
  }
  if (!by.is_official() && !q.dept_id.empty()) {
    where += " AND EXISTS (SELECT 1 FROM case_depts x WHERE x.case_id = c.id AND x.dept_id = ?)";
    where_params.push_back(q.dept_id);
  }
  if (q.state) {
    where += " AND c.state = ?";
    where_params.push_back(std::string(to_string(*q.state)));
  }
  if (!q.item_code.empty()) {
    where += " AND c.item_code = ?";
    where_params.push_back(q.item_code);
  }
  if (q.alert && *q.alert != core::Alert::none) {
    from += " JOIN case_alerts a ON a.case_id = c.id AND a.level = ?";
    join_params.push_back(std::string(core::to_string(*q.alert)));
  }
  if (q.mine && by.is_official()) {
    std::string roles;
    for (auto r : by.roles) {
      roles += roles.empty() ? "?" : ", ?";
      where_params.push_back(std::string(identity::to_string(r)));
    }
    if (roles.empty()) {
      where += " AND 1 = 0";
    } else {
      where += " AND c.waiting_role IN (" + roles + ") AND c.waiting_depts LIKE ? ESCAPE '\\'";
      where_params.push_back("%," + like_escape(by.dept_id) + ",%");
    }
  }
  store::Params params = join_params;
  params.insert(params.end(), where_params.begin(), where_params.end());
  store::Params page = params;
  page.push_back(std::int64_t{std::clamp(q.limit, 1, 200)});
  page.push_back(std::int64_t{std::max(q.offset, 0)});

  auto list = m.store.read([&](store::Tx& tx) -> Result<CaseList> {
    CaseList out;
    auto count = tx.query_one("SELECT COUNT(*)" + from + where, params);
    out.total = count ? count->int64(0) : 0;
    auto rows = tx.query(
        std::string("SELECT ") + kColumns + from + where + order + " LIMIT ? OFFSET ?", page);
    if (rows.empty()) return out;
    const core::Millis now = m.clock.now_ms();
    auto calendar = detail::load_calendar(tx);
    for (const auto& row : rows) {
      Record r = record_from_row(row, tx.cipher());
      fill_clock(tx, r, r.c, now, m.options.yellow_days, &calendar);
      out.cases.push_back(std::move(r.c));
    }
    return out;
  });
  if (list) mask_all(m.catalog, by, detail::Reading::list, list->cases);
  return list;
}

Result<std::vector<Transition>> Service::history(std::string_view id,
                                                 const identity::Principal& by) {
  Impl& m = *impl_;
  return m.store.read([&](store::Tx& tx) -> Result<std::vector<Transition>> {
    auto r = load(tx, id);
    if (!r || !workflow::may_see(r->c, by)) return case_not_found();
    // A supervision reading sees the applicant's acts by their role, not by their account.
    const std::string& applicant = r->c.applicant.user_id;
    const bool withhold =
        !applicant.empty() &&
        detail::disclosure_for(r->c, by, detail::Reading::one) == Disclosure::supervision;
    std::vector<Transition> out;
    for (const auto& e : events::of_subject(tx, "case", id)) {
      Transition t;
      t.seq = e.seq;
      auto data = Json::parse(e.data_json.empty() ? "{}" : e.data_json, nullptr, false);
      if (data.is_object()) {
        t.action = data.value("action", "");
        t.from_state = data.value("from", "");
        t.to_state = data.value("to", "");
      }
      if (t.action.empty()) t.action = e.type;  // events written by others (ratings, alerts)
      t.actor_user_id = withhold && e.actor.user_id == applicant ? "" : e.actor.user_id;
      t.actor_role = e.actor.role;
      t.actor_dept_id = e.actor.dept_id;
      t.opinion = e.reason;
      t.at_ms = e.at_ms;
      out.push_back(std::move(t));
    }
    return out;
  });
}

// ---- Acting ---------------------------------------------------------------------------------

Result<Case> Service::act(std::string_view id, const ActionRequest& a,
                          const identity::Principal& by) {
  Impl& m = *impl_;
  std::optional<catalog::Item> filed_item;  // the version filed under, when materials change
  if (a.action == Action::resubmit && (a.form_json || a.materials)) {
    // The form is checked against the version the case was filed under, read before the write
    // so that the catalog's own transaction does not nest inside ours.
    auto seen = get(id, by);
    if (!seen) return seen;
    if (a.form_json) {
      auto item = m.catalog.get_version(seen->item_code, seen->item_version);
      if (!item) return fail(item.error());
      if (auto st = catalog::Service::validate_form(*item, *a.form_json); !st)
        return fail(st.error());
    }
    if (a.materials) {
      if (auto st = check_material_shape(*a.materials); !st) return fail(st.error());
      auto item = m.catalog.get_version(seen->item_code, seen->item_version);
      if (!item) return fail(item.error());
      filed_item = std::move(*item);
    }
  }
  ActionRequest req = a;
  if (req.form_json)
    req.form_json = Json::parse(req.form_json->empty() ? "{}" : *req.form_json).dump();

  auto acted = m.store.write([&](store::Tx& tx) -> Result<Case> {
    auto r = load(tx, id);
    if (!r || !workflow::may_see(r->c, by)) return case_not_found();
    if (req.expected_revision && *req.expected_revision != r->c.revision) {
      return fail(
          ErrorCode::conflict, "/expected_revision", "办件已被他人修改，请刷新后重试",
          "the case changed since you read it (revision " + std::to_string(r->c.revision) + ")");
    }
    const core::Millis now = m.clock.now_ms();
    auto out = workflow::apply(*r, req, by, now);
    if (!out) return fail(out.error());
    Case& c = out->after.c;
    if (req.materials && filed_item) {
      if (auto st = check_materials(tx, c, by, *filed_item, m.options.certificate_check);
          !st)
        return fail(st.error());
    }
    if (!update_case(tx, out->after, r->c.revision)) {
      return fail(ErrorCode::conflict, "", "办件已被他人修改，请刷新后重试",
                  "the case changed concurrently");
    }
    if (out->pause == workflow::PauseChange::open) {
      auto next = tx.query_one(
          "SELECT COALESCE(MAX(seq), 0) + 1 FROM case_pauses WHERE case_id = ?", {c.id});
      tx.exec(
          "INSERT INTO case_pauses (case_id, seq, kind, start_ms, end_ms) VALUES (?, ?, ?, ?, "
          "NULL)",
          {c.id, next ? next->int64(0) : std::int64_t{1}, out->pause_kind, now});
    } else if (out->pause == workflow::PauseChange::close) {
      tx.exec("UPDATE case_pauses SET end_ms = ? WHERE case_id = ? AND end_ms IS NULL",
              {now, c.id});
    }
    if (req.materials) link_files(tx, c);

    const events::Actor actor{by.user_id, out->actor_role, out->actor_dept};
    const std::string before = summary_json(r->c);
    for (const auto& hop : out->hops) {
      Json data = hop_data(to_string(hop.action), to_string(hop.from), to_string(hop.to));
      if (hop.action == Action::suspend && c.procedure) data["procedure"] = to_string(*c.procedure);
      if (hop.action == Action::approve || hop.action == Action::disapprove) {
        data["step"] = r->c.current_step;
      }
      events::append(tx, m.clock,
                     case_event(std::string(event_type(hop.action)), c, actor, req.opinion, before,
                                std::move(data)));
    }
    fill_clock(tx, out->after, c, now, m.options.yellow_days);
    return std::move(c);
  });
  return masked(m.catalog, by, std::move(acted));
}

}  // namespace yiwang::cases
