#include "store/sealing.h"

#include "core/field_cipher.h"

namespace yiwang::store {
namespace {

constexpr int kBatch = 500;

bool clear(const std::string& cell) {
  return !cell.empty() && !core::FieldCipher::is_sealed(cell);
}

}  // namespace

Result<std::int64_t> seal_clear_cells(Store& store, const std::string& table,
                                      const std::string& key_column,
                                      const std::vector<SealedColumn>& columns) {
  std::string select = "SELECT " + key_column, where;
  for (const auto& c : columns) {
    select += ", COALESCE(" + c.name + ", '')";
    where += std::string(where.empty() ? "" : " OR ") + "(" + c.name + " <> '' AND " + c.name +
             " NOT LIKE 'enc1:%')";
  }
  select += " FROM " + table + " WHERE " + where + " ORDER BY " + key_column + " LIMIT " +
            std::to_string(kBatch);
  std::int64_t total = 0;
  for (;;) {
    auto sealed = store.write([&](Tx& tx) -> Result<std::int64_t> {
      const core::FieldCipher& cipher = tx.cipher();
      std::int64_t n = 0;
      for (const auto& row : tx.query(select)) {
        const std::string key = row.text(0);
        std::string set;
        Params params;
        for (std::size_t i = 0; i < columns.size(); ++i) {
          const std::string cell = row.text(i + 1);
          if (!clear(cell)) continue;
          const SealedColumn& c = columns[i];
          set += std::string(set.empty() ? "" : ", ") + c.name + " = ?";
          params.emplace_back(cipher.seal_cell(cell, table + "." + c.name, key));
          if (!c.index_column.empty()) {
            set += ", " + c.index_column + " = ?";
            params.emplace_back(cipher.index(cell, c.index_context));
          }
          ++n;
        }
        params.emplace_back(key);
        tx.exec("UPDATE " + table + " SET " + set + " WHERE " + key_column + " = ?", params);
      }
      return n;
    });
    if (!sealed) return fail(sealed.error());
    total += *sealed;
    if (*sealed == 0) return total;
  }
}

}  // namespace yiwang::store
