// The CSV of a bulk import (internal.h): records, then the header and row limits.
#include <string>
#include <string_view>
#include <vector>

#include "certificates/internal.h"

namespace yiwang::certificates::detail {

// One linear scanner: it reads best whole.
std::optional<std::vector<std::vector<std::string>>> parse_csv(std::string_view text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string cell;
  bool quoted = false, any = false;
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // BOM
  for (std::size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    any = true;
    if (quoted) {
      if (ch == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          cell += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        cell += ch;
      }
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      row.push_back(std::move(cell));
      cell.clear();
    } else if (ch == '\n' || ch == '\r') {
      if (ch == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      row.push_back(std::move(cell));
      cell.clear();
      if (!(row.size() == 1 && row[0].empty())) rows.push_back(std::move(row));
      row.clear();
      any = false;
    } else {
      cell += ch;
    }
  }
  if (quoted) return std::nullopt;
  if (any) {
    row.push_back(std::move(cell));
    if (!(row.size() == 1 && row[0].empty())) rows.push_back(std::move(row));
  }
  return rows;
}

Result<CsvRows> parse_import(std::string_view csv) {
  auto rows = parse_csv(csv);
  if (!rows)
    return fail(ErrorCode::invalid_input, "", "CSV格式错误：引号未闭合",
                "malformed CSV: unterminated quote");
  if (rows->empty())
    return fail(ErrorCode::invalid_input, "", "CSV为空", "the CSV has no header row");
  if (rows->size() > 10001)
    return fail(ErrorCode::too_large, "", "一次最多导入10000行", "at most 10000 rows per import");
  return std::move(*rows);
}

}  // namespace yiwang::certificates::detail
