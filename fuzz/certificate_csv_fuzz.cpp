// The CSV of a bulk certificate import (POST /api/v1/certificates/import, text/csv), read by
// certificates::detail::parse_import before any row is checked against the store.
//
// The input is the CSV. Checks: an accepted file has a header and at most 10000 data rows, no
// record that is one empty cell; written back with every cell quoted (RFC 4180, CRLF), it reads
// to the same records.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "certificates/internal.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace yiwang;
  std::string_view csv(reinterpret_cast<const char*>(data), size);
  auto rows = certificates::detail::parse_import(csv);
  if (!rows) {
    fuzz::check(
        rows.error().code == ErrorCode::invalid_input || rows.error().code == ErrorCode::too_large,
        "a refusal is invalid input or too large");
    return 0;
  }
  fuzz::check(!rows->empty() && rows->size() <= 10001, "a header and at most 10000 rows");
  std::string again;
  for (const auto& row : *rows) {
    fuzz::check(!row.empty() && !(row.size() == 1 && row[0].empty()), "no empty record");
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i) again += ',';
      again += '"';
      for (char c : row[i]) again += c == '"' ? std::string("\"\"") : std::string(1, c);
      again += '"';
    }
    again += "\r\n";
  }
  auto reparsed = certificates::detail::parse_csv(again);
  fuzz::check(reparsed && *reparsed == *rows, "records written back read the same");
  return 0;
}
