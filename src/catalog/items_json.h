// Private to the catalog: the Item <-> JSON mapping (nlohmann stays out of the public headers).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "catalog/catalog.h"

namespace yiwang::catalog::detail {

using Json = nlohmann::json;

Json to_json(const Item& item);
// Strict: unknown fields and wrong types are invalid_input with a JSON-pointer path under `path`.
Result<Item> from_json(const Json& doc, const std::string& path = "");
// The short form used in lists and in event before/after snapshots.
Json summary_json(const Item& item);

std::string_view limit_unit_name(LimitUnit unit);

}  // namespace yiwang::catalog::detail
