// The certificate lifecycle rule as a table: one row per (status, requested status), no store.
#include <gtest/gtest.h>

#include "certificates/certificates.h"

namespace yiwang::certificates {
namespace {

using S = CertificateStatus;

struct Row {
  S from;
  S to;
  const char* event;  // "" = refused with conflict
};

constexpr Row kRows[] = {
    {S::valid, S::suspended, "certificate.suspended"},
    {S::valid, S::revoked, "certificate.revoked"},
    {S::valid, S::valid, ""},
    {S::suspended, S::valid, "certificate.reinstated"},
    {S::suspended, S::revoked, "certificate.revoked"},
    {S::suspended, S::suspended, ""},
    {S::revoked, S::valid, ""},
    {S::revoked, S::suspended, ""},
    {S::revoked, S::revoked, ""},
    {S::expired, S::valid, ""},
    {S::expired, S::suspended, ""},
    {S::expired, S::revoked, ""},
};

TEST(CertificateLifecycle, EveryStatusChangeAsATable) {
  for (const Row& row : kRows) {
    SCOPED_TRACE(std::string(to_string(row.from)) + " → " + std::string(to_string(row.to)));
    auto event = status_change_event(row.from, row.to);
    if (*row.event) {
      ASSERT_TRUE(event);
      EXPECT_EQ(row.event, *event);
    } else {
      ASSERT_FALSE(event);
      EXPECT_EQ(ErrorCode::conflict, event.error().code);
      EXPECT_EQ("/status", event.error().field);
      EXPECT_EQ("cannot change a " + std::string(to_string(row.from)) + " certificate to " +
                    std::string(to_string(row.to)),
                event.error().message_en);
    }
  }
}

TEST(CertificateLifecycle, StatusNamesRoundTrip) {
  for (S s : {S::valid, S::suspended, S::revoked, S::expired}) {
    EXPECT_EQ(s, parse_status(to_string(s)));
  }
  EXPECT_FALSE(parse_status("gone"));
  EXPECT_EQ("suspended", to_string(S::suspended));
}

}  // namespace
}  // namespace yiwang::certificates
