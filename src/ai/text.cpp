// Text handling for the classifier: UTF-8, character tokens, loading and de-duplicating the data.
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "ai/ai.h"
#include "ai/internal.h"
#include "core/utf8.h"

namespace yiwang::ai {

std::size_t char_count(std::string_view utf8) {
  return valid_utf8(utf8) ? core::utf8_length(utf8) : utf8.size();
}

std::vector<std::string> token_list(std::string_view utf8) {
  std::vector<std::string> out;
  std::string run;
  auto flush = [&] {
    if (run.empty()) return;
    // Long digit runs are phone numbers, ids and dates: one shape token instead of noise.
    bool digits = run.find_first_not_of("0123456789") == std::string::npos;
    out.push_back(digits && run.size() > 4 ? std::string("#num") : run);
    run.clear();
  };
  for (char32_t c : core::decode_utf8(utf8)) {
    if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;  // full-width ASCII forms
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')) {
      run.push_back(static_cast<char>(c));
    } else if (c >= 'A' && c <= 'Z') {
      run.push_back(static_cast<char>(c - 'A' + 'a'));
    } else {
      flush();
      if (core::is_han(c)) {
        std::string t;
        core::append_utf8(t, c);
        out.push_back(std::move(t));
      }
    }
  }
  flush();
  return out;
}

std::string tokens_of(std::string_view utf8) {
  std::string out;
  for (const auto& t : token_list(utf8)) {
    if (!out.empty()) out.push_back(' ');
    out += t;
  }
  return out;
}

namespace {

std::string edge_key(const std::u32string& s, std::size_t n, bool head) {
  std::u32string part = s.size() <= n ? s : head ? s.substr(0, n) : s.substr(s.size() - n);
  std::string out;
  for (char32_t c : part) core::append_utf8(out, c);
  return out;
}

std::u32string squeezed(std::string_view text) {
  std::u32string out;
  for (const auto& t : token_list(text))
    for (char32_t c : core::decode_utf8(t)) out.push_back(c);
  return out;
}

Result<std::vector<nlohmann::json>> read_jsonl(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    return fail(ErrorCode::invalid_input, "", "无法读取数据文件：" + path,
                "cannot read data file " + path);
  std::vector<nlohmann::json> rows;
  std::string line;
  int no = 0;
  while (std::getline(in, line)) {
    ++no;
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object())
      return fail(ErrorCode::invalid_input, "",
                  path + " 第 " + std::to_string(no) + " 行不是 JSON 对象",
                  path + ": line " + std::to_string(no) + " is not a JSON object");
    rows.push_back(std::move(j));
  }
  return rows;
}

std::string str(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

Result<std::vector<Example>> load_labelled(const std::string& path) {
  auto rows = read_jsonl(path);
  if (!rows) return fail(rows.error());
  std::vector<Example> out;
  int no = 0;
  for (const auto& j : *rows) {
    ++no;
    std::string title = str(j, "title"), text = str(j, "text"), label = str(j, "label");
    if (label.empty() || (title.empty() && text.empty()))
      return fail(ErrorCode::invalid_input, "",
                  path + " 第 " + std::to_string(no) + " 条缺少 text 或 label",
                  path + ": row " + std::to_string(no) + " lacks text or label");
    out.push_back({title.empty() ? text : title + "\n" + text, label});
  }
  return out;
}

Result<std::vector<Example>> load_segmented_extra(const std::string& path,
                                                  const std::string& labelled_path) {
  auto labelled = read_jsonl(labelled_path);
  if (!labelled) return fail(labelled.error());
  std::set<std::int64_t> exclude;
  for (const auto& j : *labelled)
    if (j.contains("row") && j["row"].is_number_integer())
      exclude.insert(j["row"].get<std::int64_t>());
  auto rows = read_jsonl(path);
  if (!rows) return fail(rows.error());
  // Near-duplicate keys of the excluded rows, taken from their segmented form so that both sides
  // have had the same stop words removed.
  std::set<std::string> heads, tails;
  for (const auto& j : *rows) {
    if (!j.contains("row") || !exclude.count(j["row"].get<std::int64_t>())) continue;
    auto s = squeezed(str(j, "words"));
    heads.insert(edge_key(s, 30, true));
    tails.insert(edge_key(s, 30, false));
  }
  std::vector<Example> out;
  for (const auto& j : *rows) {
    if (!j.contains("row") || exclude.count(j["row"].get<std::int64_t>())) continue;
    auto words = str(j, "words"), label = str(j, "label");
    auto s = squeezed(words);
    if (label.empty() || s.empty()) continue;
    if (heads.count(edge_key(s, 30, true)) || tails.count(edge_key(s, 30, false))) continue;
    out.push_back({words, label});
  }
  return deduplicate(out);
}

std::vector<Example> deduplicate(const std::vector<Example>& examples) {
  std::set<std::string> heads, tails;
  std::vector<Example> out;
  for (const auto& e : examples) {
    auto s = squeezed(e.text);
    auto h = edge_key(s, 40, true), t = edge_key(s, 40, false);
    // Very short texts share edges by chance; compare them whole.
    if (s.size() < 40) h = t = "=" + h;
    if (heads.count(h) || tails.count(t)) continue;
    heads.insert(h);
    tails.insert(t);
    out.push_back(e);
  }
  return out;
}

}  // namespace yiwang::ai
