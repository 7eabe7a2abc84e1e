// CaseIssuer: issues the result certificate when a case whose item results in one completes.
#include <cstdio>

#include "certificates/certificates.h"
#include "events/events.h"

namespace yiwang::certificates {

struct CaseIssuer::Impl {
  Service& service;
  CaseResolver resolve;
  events::Follower follower;

  Impl(Service& s, store::Store& store, CaseResolver r)
      : service(s),
        resolve(std::move(r)),
        follower(store, "certificates",
                 [this](store::Tx& tx, const events::Event& e) { return handle(tx, e); }) {}

  yiwang::Status handle(store::Tx& tx, const events::Event& e) {
    if (e.type != "case.completed") return {};
    auto result = resolve(tx, e.subject_id);
    if (!result) return {};
    auto issued = service.issue_for_case(tx, *result);
    if (issued) return {};
    const Error& err = issued.error();
    // A case whose data cannot make a certificate (e.g. an applicant id that is no valid id
    // number) must not stall the stream for every later case; it is logged and skipped. Store
    // trouble and bugs stop the follower so that the event is retried.
    if (err.code == ErrorCode::invalid_input || err.code == ErrorCode::not_found) {
      std::fprintf(stderr, "certificates: case %s: no certificate issued: %s (%s)\n",
                   e.subject_id.c_str(), err.message_en.c_str(), err.field.c_str());
      return {};
    }
    return fail(err);
  }
};

CaseIssuer::CaseIssuer(Service& service, store::Store& store, CaseResolver resolve)
    : impl_(std::make_unique<Impl>(service, store, std::move(resolve))) {}

CaseIssuer::~CaseIssuer() = default;

Result<int> CaseIssuer::poll_once(int max_events) {
  return impl_->follower.poll_once(max_events);
}

}  // namespace yiwang::certificates
