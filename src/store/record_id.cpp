#include "store/record_id.h"

namespace yiwang::store {

Result<std::string> new_record_id(Tx& tx, core::Random& random, core::Millis now,
                                  const IdScheme& scheme) {
  std::string head(scheme.prefix);
  if (scheme.dated) head += core::compact_date(core::china_date(now));
  const std::string sql = "SELECT 1 FROM " + std::string(scheme.table) + " WHERE " +
                          std::string(scheme.column) + " = ?";
  for (int draw = 0; draw < 16; ++draw) {
    std::string id = head + random.digits(scheme.digits);
    if (!tx.query_one(sql, {id})) return id;
  }
  return fail(ErrorCode::conflict, "", "编号已用尽，请稍后再试",
              "no free record id in " + std::string(scheme.table) + "; try again later");
}

std::string opaque_id(core::Random& random, std::string_view prefix, int bytes) {
  return std::string(prefix) + random.hex(static_cast<std::size_t>(bytes < 8 ? 8 : bytes));
}

}  // namespace yiwang::store
