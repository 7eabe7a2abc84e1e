#include "audit/audit.h"

namespace yiwang::audit {
namespace {

// The audit administrator reads everything; supervisors oversee case handling (电子监察) but not
// identity or configuration changes; the system and security administrators read none of it.
bool may_read(const identity::Principal& who, const events::Filter& filter) {
  if (!who.is_official()) return false;
  if (who.has_role(identity::Role::auditor)) return true;
  if (!who.has_role(identity::Role::supervisor)) return false;
  return filter.subject_type == "case" || filter.subject_type == "rectification";
}

}  // namespace

Result<std::vector<events::Event>> query(store::Store& store, const events::Filter& filter,
                                         const identity::Principal& who) {
  if (!may_read(who, filter)) {
    return fail(ErrorCode::forbidden, "", "无权查询该审计记录",
                "not allowed to read these audit records");
  }
  return store.read([&](store::Tx& tx) -> Result<std::vector<events::Event>> {
    return events::list(tx, filter);
  });
}

}  // namespace yiwang::audit
