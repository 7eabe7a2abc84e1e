// What of an audit event goes into the public log, and in which exact bytes.
//
// The log is world-readable, so an entry carries only what the public may know about a government
// act: what was done, when, by which department in which role, to which subject (an opaque id),
// a hash of the decision document and a few whitelisted facts. The party appears only as a salted
// commitment. Keys are sorted and the dump is compact so that the same event always gives the same
// bytes (a verifier may rebuild an entry from an event it was shown).
#include <array>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/digest.h"
#include "events/events.h"
#include "ledger/ledger.h"

namespace yiwang::ledger {
namespace {

using Json = nlohmann::json;

Json parse_object_or_null(const std::string& text) {
  if (text.empty()) return nullptr;
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return nullptr;
  return j;
}

std::string canonical(const Json& j) {
  // nlohmann's default object is a std::map: keys come out sorted.
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// Facts safe to publish: codes, versions, rules and outcomes. Only scalar values are copied, so a
// nested object that might hold personal data never slips through under a whitelisted name.
const std::set<std::string, std::less<>>& public_fields() {
  static const std::set<std::string, std::less<>> fields = {
      "item_code",  "item_version", "code",    "version",   "rule",    "decision",
      "case_type",  "state",        "active",  "type_code", "status",  "scope",
      "valid_from", "valid_until",  "purpose", "outcome",   "channel", "certificate_type",
      // audit.anchored: the head of the audit trail's hash chain (audit.h)
      "sealed_through", "chain_head"};
  return fields;
}

void copy_public(const Json& from, Json& details) {
  if (!from.is_object()) return;
  for (auto it = from.begin(); it != from.end(); ++it) {
    if (!public_fields().contains(it.key())) continue;
    const Json& v = it.value();
    if (!(v.is_string() || v.is_number() || v.is_boolean())) continue;
    if (!details.contains(it.key())) details[it.key()] = v;
  }
  // 秒批 outcomes: which rule checks ran and whether each passed; their free-text details may
  // quote the applicant's data and are left out.
  if (auto o = from.find("outcomes");
      o != from.end() && o->is_array() && !details.contains("outcomes")) {
    Json outcomes = Json::array();
    for (const Json& x : *o) {
      if (!x.is_object()) continue;
      Json one = Json::object();
      if (auto id = x.find("id"); id != x.end() && id->is_string()) one["id"] = *id;
      if (auto p = x.find("passed"); p != x.end() && p->is_boolean()) one["passed"] = *p;
      outcomes.push_back(std::move(one));
    }
    details["outcomes"] = std::move(outcomes);
  }
}

}  // namespace

bool is_government_act(std::string_view event_type) {
  static const std::set<std::string, std::less<>> acts = {
      "case.accepted",          "case.not_accepted",
      "case.granted",           "case.denied",
      "case.completed",         "case.instantly_approved",
      "item.published",         "item.activated",
      "item.deactivated",       "certificate.issued",
      "certificate.revoked",    "certificate.suspended",
      "certificate.reinstated", "certificate.used",
      "grant.created",          "grant.revoked",
      "appeal.replied",         "grid.case_closed",
      "consultation.concluded", "audit.anchored"};
  return acts.contains(event_type);
}

std::string commitment_of(std::string_view salt_hex, std::string_view party) {
  std::string preimage = "yiwang/commitment/v1\n";
  preimage.append(salt_hex);
  preimage.push_back('\n');
  preimage.append(party);
  return core::sha256_hex(preimage);
}

std::optional<std::string> public_entry(const events::Event& event, std::string_view commitment) {
  if (!is_government_act(event.type)) return std::nullopt;
  const Json data = parse_object_or_null(event.data_json);
  const Json after = parse_object_or_null(event.after_json);

  // The decision document as the event recorded it: the opinion and the resulting state. Its hash
  // lets the department later prove which document the act was based on without publishing it.
  const Json document = {{"reason", event.reason}, {"after", after}};

  Json details = Json::object();
  copy_public(data, details);
  copy_public(after, details);

  Json subject = {{"type", event.subject_type}};
  // A user id would identify a person: such subjects are covered by the party commitment only.
  if (event.subject_type != "user") subject["id"] = event.subject_id;

  Json entry = {{"v", 1},
                {"act", event.type},
                {"at", core::format_instant(event.at_ms)},
                {"event_seq", event.seq},
                {"subject", std::move(subject)},
                {"dept", event.actor.dept_id},
                {"role", event.actor.role},
                {"document_sha256", core::sha256_hex(canonical(document))},
                {"details", std::move(details)}};
  if (!commitment.empty()) entry["party"] = std::string(commitment);
  return canonical(entry);
}

}  // namespace yiwang::ledger
