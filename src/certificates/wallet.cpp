// The holder's side and the use of certificates: the wallet, 免提交 matches, presentations with
// consent and their verification, 用证 with a use cause (加注件), and the checked use of a
// certificate inside a case filing.
#include <algorithm>
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

constexpr core::Millis kAnnotatedCopyValidityMs = 30 * core::kDayMs;

// The issuer of a credential, read from its (unverified) payload, to find the keys it must
// verify against.
std::optional<std::string> payload_issuer(std::string_view sd_jwt) {
  auto jwt = sd_jwt.substr(0, sd_jwt.find('~'));
  auto dot1 = jwt.find('.');
  if (dot1 == std::string_view::npos) return std::nullopt;
  auto dot2 = jwt.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos) return std::nullopt;
  auto payload = base64url_decode(jwt.substr(dot1 + 1, dot2 - dot1 - 1));
  if (!payload) return std::nullopt;
  Json p = Json::parse(*payload, nullptr, false);
  if (!p.is_object() || !p.contains("iss") || !p["iss"].is_string()) return std::nullopt;
  return p["iss"].get<std::string>();
}

std::string disclosed_string(const std::map<std::string, std::string>& disclosed,
                             const std::string& name) {
  auto it = disclosed.find(name);
  if (it == disclosed.end()) return "";
  Json v = Json::parse(it->second, nullptr, false);
  return v.is_string() ? v.get<std::string>() : "";
}

// A 用证 row and its "certificate.used" event.
struct Use {
  std::string used_by;  // user id, "" for the platform
  std::string dept_id;
  std::string cause;
  core::Millis at_ms = 0;
  events::Actor actor;
  Json data;
  std::string matter = {};
  bool supervisory = false;
};

void record_use(store::Tx& tx, const core::Clock& clock, const std::string& id,
                const Certificate& c, const Use& u) {
  tx.exec(
      "INSERT INTO certificate_uses (id, identifier, used_by, used_by_dept, use_cause, "
      "used_at_ms, valid_until_ms, matter, supervisory) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {id, c.identifier, u.used_by, u.dept_id, u.cause, u.at_ms,
       u.at_ms + kAnnotatedCopyValidityMs, u.matter, std::int64_t{u.supervisory ? 1 : 0}});
  events::append(tx, clock,
                 {.type = "certificate.used",
                  .subject_type = "certificate",
                  .subject_id = c.identifier,
                  .actor = u.actor,
                  .reason = u.cause,
                  .data_json = u.data.dump()});
}

}  // namespace

// ---- Wallet ------------------------------------------------------------------------------------

Result<std::vector<Certificate>> Service::wallet(const identity::Principal& holder) {
  Impl& m = *impl_;
  return m.store.read([&](store::Tx& tx) -> Result<std::vector<Certificate>> {
    std::vector<Certificate> out;
    store::Rows rows;
    // By id number only for a verified one: a claimed number is anybody's to type (#16).
    const std::string id_number = holder.verified_id_number();
    if (!holder.is_official() && !id_number.empty()) {
      rows = tx.query(std::string("SELECT ") + kCertColumns +
                          " FROM certificates WHERE holder_id_index = ? OR holder_user_id = ? "
                          "ORDER BY issued_at_ms DESC, identifier",
                      {tx.cipher().index(id_number, core::kIdNumberIndex), holder.user_id});
    } else {
      rows = tx.query(std::string("SELECT ") + kCertColumns +
                          " FROM certificates WHERE holder_user_id = ? "
                          "ORDER BY issued_at_ms DESC, identifier",
                      {holder.user_id});
    }
    for (const auto& r : rows) out.push_back(cert_from_row(r, tx.cipher()));
    return out;
  });
}

Result<std::vector<Service::MaterialMatch>> Service::matches(std::string_view item_code,
                                                             const identity::Principal& holder) {
  auto item = impl_->catalog.get(item_code);
  if (!item) return fail(item.error());
  auto mine = wallet(holder);
  if (!mine) return fail(mine.error());
  const std::string today = impl_->today();
  std::vector<MaterialMatch> out;
  for (const auto& material : item->materials) {
    if (material.certificate_type.empty()) continue;
    MaterialMatch match{material.name, material.certificate_type, {}};
    for (const auto& c : *mine) {
      const bool in_force = c.status == CertificateStatus::valid && c.valid_from <= today &&
                            (c.valid_to.empty() || c.valid_to >= today);
      if (c.type_name == material.certificate_type && in_force) match.certificates.push_back(c);
    }
    out.push_back(std::move(match));
  }
  return out;
}

// ---- Presentations -----------------------------------------------------------------------------

Status Service::may_present(std::string_view identifier, const identity::Principal& holder) {
  if (auto parsed = parse_identifier(identifier); !parsed) return fail(parsed.error());
  return impl_->store.read([&](store::Tx& tx) -> Status {
    auto c = load_cert(tx, identifier);
    if (!c || !holder_matches(*c, holder)) return not_found();
    return {};
  });
}

Result<std::string> Service::present(std::string_view identifier,
                                     const std::vector<std::string>& claims, std::string verifier,
                                     std::string purpose, const identity::Principal& holder) {
  Impl& m = *impl_;
  verifier = core::trim(verifier);
  purpose = core::trim(purpose);
  if (verifier.empty() || core::utf8_length(verifier) > 200)
    return fail(ErrorCode::invalid_input, "/verifier", "须写明向谁出示（不超过200字）",
                "verifier is required (at most 200 characters)");
  if (purpose.empty() || core::utf8_length(purpose) > 500)
    return fail(ErrorCode::invalid_input, "/purpose", "须写明用证事由（不超过500字）",
                "purpose is required (at most 500 characters)");
  if (claims.empty())
    return fail(ErrorCode::invalid_input, "/claims", "至少选择一项出示的信息",
                "choose at least one claim to disclose");
  if (auto parsed = parse_identifier(identifier); !parsed) return fail(parsed.error());
  return m.store.write([&](store::Tx& tx) -> Result<std::string> {
    auto c = load_cert(tx, identifier);
    if (!c || !holder_matches(*c, holder)) return not_found();
    if (c->status != CertificateStatus::valid)
      return fail(ErrorCode::conflict, "",
                  "证照状态为" + std::string(to_string(c->status)) + "，不能出示",
                  "a " + std::string(to_string(c->status)) + " certificate cannot be presented");
    const auto names = claim_names(*c);
    std::set<std::string> chosen;
    for (std::size_t i = 0; i < claims.size(); ++i) {
      if (std::find(names.begin(), names.end(), claims[i]) == names.end())
        return fail(ErrorCode::invalid_input, "/claims/" + std::to_string(i), "证照没有该项信息",
                    "the certificate has no such claim");
      chosen.insert(claims[i]);
    }
    std::vector<std::string> list(chosen.begin(), chosen.end());
    auto presentation = select_disclosures(c->sd_jwt, list);
    if (!presentation) return fail(presentation.error());
    tx.exec(
        "INSERT INTO certificate_presentations (id, identifier, holder_user_id, verifier, "
        "purpose, claims_json, created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
        {m.new_id(), c->identifier, holder.user_id, verifier, purpose, Json(list).dump(),
         m.clock.now_ms()});
    events::append(
        tx, m.clock,
        {.type = "certificate.presented",
         .subject_type = "certificate",
         .subject_id = c->identifier,
         .actor = identity::actor_of(holder),
         .reason = purpose,
         .data_json = Json{{"verifier", verifier}, {"purpose", purpose}, {"claims", list}}.dump()});
    return *presentation;
  });
}

Result<Verification> Service::verify_presentation(std::string_view presentation) {
  Impl& m = *impl_;
  auto problem = [](std::string zh, std::string en) {
    return fail(ErrorCode::invalid_input, "/presentation", std::move(zh), std::move(en));
  };
  auto iss = payload_issuer(presentation);
  const std::string prefix = m.base + "/issuers/";
  if (!iss) return problem("出示内容格式错误", "malformed presentation");
  if (iss->rfind(prefix, 0) != 0) return problem("签发者不是本平台", "unknown issuer");
  const std::string dept = iss->substr(prefix.size());
  return m.store.read([&](store::Tx& tx) -> Result<Verification> {
    auto jwks = m.jwks(tx, dept);
    if (jwks.empty()) return problem("签发者不是本平台", "unknown issuer");
    const core::Millis now = m.clock.now_ms();
    auto vc = verify_sd_jwt(presentation, jwks, now / 1000);
    if (!vc) {
      Error e = vc.error();
      e.field = "/presentation";
      return fail(std::move(e));
    }
    const std::string list_prefix = m.base + "/api/v1/status-lists/";
    if (vc->status_list_uri.rfind(list_prefix, 0) != 0)
      return problem("状态列表不是本平台的", "unknown status list");
    auto row = tx.query_one(std::string("SELECT ") + kCertColumns +
                                " FROM certificates WHERE status_list_id = ? AND status_index = ?",
                            {vc->status_list_uri.substr(list_prefix.size()), vc->status_index});
    if (!row) return problem("证照不存在", "certificate unknown to its issuer");
    const Certificate c = cert_from_row(*row, tx.cipher());
    if (c.status == CertificateStatus::revoked)
      return problem("证照已吊销：" + c.status_reason, "certificate revoked");
    if (c.status == CertificateStatus::suspended)
      return problem("证照已暂停使用：" + c.status_reason, "certificate suspended");
    if (c.status == CertificateStatus::expired || (!c.valid_to.empty() && c.valid_to < m.today()))
      return problem("证照已过期", "certificate expired");
    if (c.valid_from > m.today()) return problem("证照尚未生效", "certificate not yet valid");
    Verification v;
    v.disclosed = vc->disclosed;
    v.issuer = vc->issuer;
    v.vct = vc->vct;
    v.identifier = disclosed_string(v.disclosed, "identifier");
    v.type_name = disclosed_string(v.disclosed, "name");
    v.holder_id = disclosed_string(v.disclosed, "holder_id");
    v.signature_ok = v.status_ok = v.validity_ok = true;
    v.holder_ok = false;  // no holder binding asked for here
    v.presentation = std::string(presentation);
    v.verified_at_ms = now;
    return v;
  });
}

// ---- 用证 and 免提交 ----------------------------------------------------------------------------

void Service::set_need_checks(MatterCheck check, UseNotifier notify) {
  impl_->matter_check = std::move(check);
  impl_->use_notifier = std::move(notify);
}

Result<Service::AnnotatedCopy> Service::use(std::string_view identifier, std::string use_cause,
                                            const identity::Principal& by,
                                            std::string_view matter) {
  Impl& m = *impl_;
  if (!by.is_official() || by.roles.empty())
    return fail(ErrorCode::forbidden, "", "只有部门工作人员可以用证",
                "only department officials use certificates");
  use_cause = core::trim(use_cause);
  if (use_cause.empty() || core::utf8_length(use_cause) > 200)
    return fail(ErrorCode::invalid_input, "/use_cause", "用证须说明用证事由（不超过200字）",
                "a use cause (用证事由) is required (at most 200 characters)");
  // By need: within a matter of the official's department that concerns the holder, or a
  // supervisor's read, marked for review.
  const bool supervisory = matter.empty() && by.has_role(identity::Role::supervisor);
  if (matter.empty() && !supervisory) {
    return fail(ErrorCode::invalid_input, "/matter",
                "用证须指明所办理的事项（办件 case:办件号、诉求 appeal:诉求号或网格事件 "
                "grid_event:事件号）",
                "name the matter the certificate is used in (case:<id>, appeal:<id> or "
                "grid_event:<id>)");
  }
  if (matter.size() > 100) {
    return fail(ErrorCode::invalid_input, "/matter", "事项标识过长", "matter too long");
  }
  if (auto parsed = parse_identifier(identifier); !parsed) return fail(parsed.error());
  return m.store.write([&](store::Tx& tx) -> Result<AnnotatedCopy> {
    auto c = load_cert(tx, identifier);
    if (!c) return not_found();
    if (!supervisory) {
      if (!m.matter_check) {
        return fail(ErrorCode::forbidden, "/matter", "无法核对用证事项", "matters cannot be checked");
      }
      auto person = m.matter_check(tx, matter, by);
      if (!person) return fail(person.error());
      if (person->empty() || *person != c->holder_id) {
        return fail(ErrorCode::forbidden, "/matter", "该事项不涉及此证照的持证人",
                    "the matter does not concern this certificate's holder");
      }
    }
    AnnotatedCopy copy;
    copy.certificate = std::move(*c);
    copy.used_by = by.user_id;
    copy.used_by_dept = by.dept_id;
    copy.use_cause = use_cause;
    copy.used_at_ms = m.clock.now_ms();
    copy.valid_until_ms = copy.used_at_ms + kAnnotatedCopyValidityMs;
    const Certificate& cert = copy.certificate;
    record_use(tx, m.clock, m.new_id(), cert,
               {.used_by = by.user_id,
                .dept_id = by.dept_id,
                .cause = use_cause,
                .at_ms = copy.used_at_ms,
                .actor = identity::actor_of(by),
                .data = Json{{"use_cause", use_cause},
                             {"matter", std::string(matter)},
                             {"supervisory", supervisory},
                             {"valid_until", core::format_instant(copy.valid_until_ms)},
                             {"type_code", cert.type_code},
                             {"dept_id", cert.dept_id}},
                .matter = std::string(matter),
                .supervisory = supervisory});
    if (m.use_notifier) {
      auto told = m.use_notifier(tx, UseNotice{cert.identifier, cert.type_name, cert.holder_id,
                                               cert.holder_user_id, by.dept_id, use_cause,
                                               std::string(matter), supervisory});
      if (!told) return fail(told.error());
    }
    return copy;
  });
}

Result<std::vector<UseRecord>> Service::uses(const identity::Principal& holder, int limit) {
  auto mine = wallet(holder);
  if (!mine) return fail(mine.error());
  Impl& m = *impl_;
  return m.store.read([&](store::Tx& tx) -> Result<std::vector<UseRecord>> {
    std::vector<UseRecord> out;
    if (mine->empty()) return out;
    // One query for the whole wallet, newest first.
    std::map<std::string, std::string> type_of;
    std::string in;
    store::Params params;
    for (const auto& c : *mine) {
      type_of[c.identifier] = c.type_name;
      in += in.empty() ? "?" : ", ?";
      params.push_back(c.identifier);
    }
    params.push_back(std::int64_t{limit});
    for (const auto& r :
         tx.query("SELECT identifier, used_by_dept, use_cause, matter, supervisory, "
                  "used_at_ms FROM certificate_uses WHERE identifier IN (" +
                      in + ") ORDER BY used_at_ms DESC, identifier LIMIT ?",
                  params)) {
      out.push_back(UseRecord{r.text(0), type_of[r.text(0)], r.text(1), r.text(2), r.text(3),
                              r.int64(4) != 0, r.int64(5)});
    }
    return out;
  });
}

Result<Verification> Service::verify_for_material(store::Tx& tx, std::string_view identifier,
                                                  std::string_view type_name,
                                                  std::string_view applicant_id,
                                                  const MaterialUse& use) {
  Impl& m = *impl_;
  auto problem = [](std::string zh, std::string en) {
    return fail(ErrorCode::invalid_input, "/materials", std::move(zh), std::move(en));
  };
  auto parsed = parse_identifier(identifier, "/materials");
  if (!parsed) return fail(parsed.error());
  auto c = load_cert(tx, identifier);
  if (!c) return problem("证照不存在", "certificate not found");
  if (c->type_name != type_name)
    return problem("证照类型不符：需要" + std::string(type_name),
                   "certificate is not of the required type");
  if (c->holder_id != applicant_id)
    return problem("证照持有人不是申请人", "certificate belongs to another holder");
  if (c->status != CertificateStatus::valid)
    return problem("证照状态为" + std::string(to_string(c->status)),
                   "certificate " + std::string(to_string(c->status)));
  const std::string today = m.today();
  if (!c->valid_to.empty() && c->valid_to < today)
    return problem("证照已过期", "certificate expired");
  if (c->valid_from > today) return problem("证照尚未生效", "certificate not yet valid");
  const core::Millis now = m.clock.now_ms();
  auto vc = verify_sd_jwt(c->sd_jwt, m.jwks(tx, c->dept_id), now / 1000);
  if (!vc)
    return problem("证照签名验证失败：" + vc.error().message_zh,
                   "signature check failed: " + vc.error().message_en);
  Verification v;
  v.identifier = c->identifier;
  v.type_name = c->type_name;
  v.holder_id = c->holder_id;
  v.signature_ok = v.status_ok = v.validity_ok = v.holder_ok = true;
  // Government use within statutory duty: the deciding official sees the whole certificate.
  v.presentation = c->sd_jwt;
  v.verified_at_ms = now;
  v.disclosed = vc->disclosed;
  v.issuer = vc->issuer;
  v.vct = vc->vct;
  const std::string cause = "免提交：办理" + use.item_name + "（申报号 " + use.case_id + "）";
  record_use(tx, m.clock, m.new_id(), *c,
             {.used_by = "",
              .dept_id = use.dept_id,
              .cause = cause,
              .at_ms = now,
              .actor = events::system_actor(use.dept_id),
              .data = Json{{"use_cause", cause},
                           {"case_id", use.case_id},
                           {"consent", "applicant filed with it"},
                           {"type_code", c->type_code},
                           {"dept_id", c->dept_id}}});
  return v;
}

}  // namespace yiwang::certificates
