// The lifecycle: suspend / reinstate / revoke by the issuing department, expiry by the calendar.
// The allowed changes are one pure rule (status_change_event); the service reads and writes rows.
#include <set>

#include "certificates/internal.h"
#include "core/text.h"
#include "core/utf8.h"

namespace yiwang::certificates {
using namespace detail;

Result<std::string_view> status_change_event(CertificateStatus from, CertificateStatus to) {
  using S = CertificateStatus;
  if (to == S::suspended && from == S::valid) return "certificate.suspended";
  if (to == S::valid && from == S::suspended) return "certificate.reinstated";
  if (to == S::revoked && (from == S::valid || from == S::suspended)) return "certificate.revoked";
  return fail(
      ErrorCode::conflict, "/status",
      "证照当前状态为" + std::string(to_string(from)) + "，不能变更为" + std::string(to_string(to)),
      "cannot change a " + std::string(to_string(from)) + " certificate to " +
          std::string(to_string(to)));
}

namespace {

tl::unexpected<Error> status_forbidden() {
  return fail(ErrorCode::forbidden, "", "只有发证部门的审批人或管理员可以变更证照状态",
              "only approvers or administrators of the issuing department change its status");
}

}  // namespace

Status Service::may_change_status(std::string_view identifier, const identity::Principal& by) {
  if (auto parsed = parse_identifier(identifier); !parsed) return fail(parsed.error());
  return impl_->store.read([&](store::Tx& tx) -> Status {
    auto c = load_cert(tx, identifier);
    if (!c) return not_found();
    if (!may_manage(by, c->dept_id)) return status_forbidden();
    return {};
  });
}

Result<Certificate> Service::change_status(std::string_view identifier, CertificateStatus to,
                                           std::string reason, const identity::Principal& by) {
  Impl& m = *impl_;
  reason = core::trim(reason);
  if (to == CertificateStatus::expired)
    return fail(ErrorCode::invalid_input, "/status", "过期由系统按有效期处理",
                "expiry follows the validity period; use suspended, valid or revoked");
  if (reason.empty() || core::utf8_length(reason) > 500)
    return fail(ErrorCode::invalid_input, "/reason", "须说明理由（不超过500字）",
                "a reason is required (at most 500 characters)");
  if (auto parsed = parse_identifier(identifier); !parsed) return fail(parsed.error());
  return m.store.write([&](store::Tx& tx) -> Result<Certificate> {
    auto c = load_cert(tx, identifier);
    if (!c) return not_found();
    if (!may_manage(by, c->dept_id)) return status_forbidden();
    auto type = status_change_event(c->status, to);
    if (!type) return fail(type.error());
    const std::string before = event_state(*c);
    c->status = to;
    c->status_reason = to == CertificateStatus::valid ? "" : reason;
    tx.exec(
        "UPDATE certificates SET status = ?, status_reason = ?, updated_at_ms = ? "
        "WHERE identifier = ?",
        {std::string(to_string(to)), c->status_reason, m.clock.now_ms(), c->identifier});
    m.bump_list(tx, c->status_list_id);
    events::append(tx, m.clock,
                   {.type = std::string(*type),
                    .subject_type = "certificate",
                    .subject_id = c->identifier,
                    .actor = identity::actor_of(by),
                    .reason = reason,
                    .before_json = before,
                    .after_json = event_state(*c)});
    return *c;
  });
}

Result<int> Service::expire_due() {
  Impl& m = *impl_;
  return m.store.write([&](store::Tx& tx) -> Result<int> {
    auto rows = tx.query(std::string("SELECT ") + kCertColumns +
                             " FROM certificates WHERE status IN ('valid', 'suspended') AND "
                             "valid_to <> '' AND valid_to < ? ORDER BY identifier LIMIT 1000",
                         {m.today()});
    std::set<std::string> lists;
    std::vector<std::pair<Certificate, std::string>> changed;
    for (const auto& r : rows) {
      Certificate c = cert_from_row(r, tx.cipher());
      std::string before = event_state(c);
      c.status = CertificateStatus::expired;
      tx.exec("UPDATE certificates SET status = 'expired', updated_at_ms = ? WHERE identifier = ?",
              {m.clock.now_ms(), c.identifier});
      lists.insert(c.status_list_id);
      changed.emplace_back(std::move(c), std::move(before));
    }
    for (const auto& l : lists) m.bump_list(tx, l);
    for (const auto& [c, before] : changed) {
      events::append(tx, m.clock,
                     {.type = "certificate.expired",
                      .subject_type = "certificate",
                      .subject_id = c.identifier,
                      .actor = events::system_actor(c.dept_id),
                      .reason = "有效期届满",
                      .before_json = before,
                      .after_json = event_state(c)});
    }
    return static_cast<int>(changed.size());
  });
}

}  // namespace yiwang::certificates
