// Sealing what is still stored in the clear: rows written before personal data was sealed at rest
// (identity.h). Accounts and second factors are sealed where they are (store/sealing.h); the old
// clear-text population registry empties into population_records, keyed by the id number's index.
#include <string>

#include "core/field_cipher.h"
#include "identity/identity.h"
#include "identity/internal.h"
#include "store/sealing.h"

namespace yiwang::identity {

Result<std::int64_t> Service::seal_at_rest() {
  auto accounts = store::seal_clear_cells(
      store_, "users", "id",
      {{"id_number", "id_number_index", std::string(core::kIdNumberIndex)}, {"phone"}});
  if (!accounts) return fail(accounts.error());
  auto factors =
      store::seal_clear_cells(store_, "second_factors", "user_id", {{"secret"}, {"pending"}});
  if (!factors) return fail(factors.error());
  std::int64_t sealed = *accounts + *factors;
  for (;;) {
    auto moved = store_.write([&](store::Tx& tx) -> Result<std::int64_t> {
      const core::FieldCipher& c = tx.cipher();
      std::int64_t n = 0;
      for (const auto& row : tx.query("SELECT id_number, name, phone FROM population_registry "
                                      "ORDER BY id_number LIMIT 500")) {
        const std::string id_number = row.text(0);
        const std::string key = c.index(id_number, core::kIdNumberIndex);
        tx.exec(
            "INSERT INTO population_records (id_index, id_number, name, phone) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (id_index) DO NOTHING",
            {key, c.seal_cell(id_number, "population_records.id_number", key),
             c.seal_cell(row.text(1), "population_records.name", key),
             c.seal_cell(row.text(2), "population_records.phone", key)});
        tx.exec("DELETE FROM population_registry WHERE id_number = ?", {id_number});
        n += 3;
      }
      return n;
    });
    if (!moved) return fail(moved.error());
    sealed += *moved;
    if (*moved == 0) return sealed;
  }
}

}  // namespace yiwang::identity
