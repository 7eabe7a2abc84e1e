#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>

#include <xapian.h>
#include <nlohmann/json.hpp>

#include "assistant/assistant.h"
#include "assistant/lexicon.h"
#include "assistant/text.h"
#include "catalog/catalog.h"
#include "events/events.h"
#include "identity/identity.h"

namespace yiwang::generated {
std::vector<store::Migration> assistant_migrations();
}

namespace yiwang::assistant {
namespace {

using Json = nlohmann::json;

// Item names count five times as much as the rest of a guide, passage sections twice.
constexpr Xapian::termcount kNameWeight = 5;
constexpr Xapian::termcount kSectionWeight = 2;
// A recognised item name or code outranks any text match.
constexpr double kNameBoost = 50.0;
// An item whose name a synonym mapping gives is likely, but the citizen's words still rank.
constexpr double kSynonymNameBoost = 8.0;
constexpr double kSynonymNameConfidence = 0.8;
// The official terms a colloquial phrase maps to weigh more than the citizen's own words.
constexpr double kExpansionWeight = 1.5;
constexpr double kUnigramWeight = 0.25;
constexpr int kCandidates = 12;

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// "食品经营许可（新办）" → "食品经营许可", "开办餐馆“一件事”" → "开办餐馆".
std::string short_name(const std::string& name) {
  std::string s = name;
  for (const char* open : {"（", "(", "“", "\""}) {
    auto p = s.find(open);
    if (p != std::string::npos && p > 0) s = s.substr(0, p);
  }
  return text::trim(s);
}

std::string limit_unit_zh(catalog::LimitUnit u) {
  return u == catalog::LimitUnit::working_days ? "个工作日" : "个自然日";
}

std::string item_link(const Options& o, const std::string& code) {
  return o.web_base + "/items/" + code;
}

std::string materials_text(const catalog::Item& item) {
  std::string out;
  int n = 0;
  for (const auto& m : item.materials) {
    out += std::to_string(++n) + ". " + m.name;
    std::vector<std::string> notes;
    if (m.originals > 0) notes.push_back("原件" + std::to_string(m.originals) + "份");
    if (m.copies > 0) notes.push_back("复印件" + std::to_string(m.copies) + "份");
    if (!m.mandatory)
      notes.push_back(m.note.empty() ? "非必需" : "非必需：" + m.note);
    else if (!m.note.empty())
      notes.push_back(m.note);
    if (!m.certificate_type.empty()) notes.push_back("可用电子" + m.certificate_type + "免提交");
    if (!notes.empty()) {
      out += "（";
      for (std::size_t i = 0; i < notes.size(); ++i) out += (i ? "，" : "") + notes[i];
      out += "）";
    }
    out += "\n";
  }
  return out;
}

std::string limit_text(const catalog::Item& item) {
  std::string out;
  if (item.case_type == "1") out = "即办件，材料齐全当场办结。";
  if (item.legal_limit > 0)
    out += "法定办结时限" + std::to_string(item.legal_limit) + limit_unit_zh(item.limit_unit);
  if (item.promised_limit > 0) {
    out += (item.legal_limit > 0 ? "，" : "") + std::string("承诺办结时限") +
           std::to_string(item.promised_limit) + limit_unit_zh(item.limit_unit);
  }
  if (!out.empty()) out += "。";
  if (!item.limit_note.empty())
    out += item.limit_note + (item.limit_note.find("。") == std::string::npos ? "。" : "");
  return out;
}

// The sections of an item guide, as the passages an answer may quote.
std::vector<std::pair<std::string, std::string>> item_sections(const catalog::Item& item) {
  std::vector<std::pair<std::string, std::string>> s;
  if (!item.acceptance_conditions.empty()) s.emplace_back("conditions", item.acceptance_conditions);
  if (!item.materials.empty()) s.emplace_back("materials", materials_text(item));
  s.emplace_back("time_limit", limit_text(item));
  s.emplace_back("fee", item.fee ? "收费。" + item.fee_basis : std::string("不收费。"));
  if (!item.place.empty()) s.emplace_back("place", item.place);
  if (!item.hours.empty()) s.emplace_back("hours", item.hours);
  if (!item.consult_phone.empty())
    s.emplace_back("phone",
                   "咨询电话" + item.consult_phone +
                       (item.supervise_phone.empty() ? "" : "，监督电话" + item.supervise_phone));
  if (!item.procedure.empty()) s.emplace_back("procedure", item.procedure);
  std::string online = item.online_depth >= 3 ? "可在网上全程办理" : "可在网上预约、预审";
  if (item.max_visits == 0)
    online += "，不用跑现场";
  else
    online += "，到现场" + std::to_string(item.max_visits) + "次";
  s.emplace_back("online", online + "。");
  for (const auto& f : item.faqs) s.emplace_back("faq", f.question + " " + f.answer);
  return s;
}

const char* section_title_zh(const std::string& key) {
  static const std::map<std::string, const char*> names = {
      {"conditions", "受理条件"}, {"materials", "申请材料"},
      {"time_limit", "办理时限"}, {"fee", "收费"},
      {"place", "办理地点"},      {"hours", "办理时间"},
      {"phone", "咨询电话"},      {"procedure", "办理流程"},
      {"online", "网上办理"},     {"faq", "常见问题"}};
  auto it = names.find(key);
  return it == names.end() ? "" : it->second;
}

struct StoredPassage {
  Passage passage;
  std::string title;  // document title
};

struct Hit {
  std::string key;  // "I<code>" or "P<doc>#<pos>"
  double weight = 0;
  double coverage = 0;
  std::set<std::string> matched;
};

struct Plan {
  Rewritten rw;
  std::vector<std::string> topic_terms;  // bigrams (or unigrams when no bigram)
  std::vector<std::vector<std::string>> expansion_terms;
  std::string recognised_code;  // by name or code
  bool by_code = false;
  std::set<std::string> named_by_synonym;  // item codes
};

std::vector<std::string> strong_terms(const std::string& s) {
  auto all = text::terms(s);
  std::vector<std::string> strong, weak;
  for (auto& t : all) (t.unigram ? weak : strong).push_back(t.text);
  auto& pick = strong.empty() ? weak : strong;
  std::sort(pick.begin(), pick.end());
  pick.erase(std::unique(pick.begin(), pick.end()), pick.end());
  return pick;
}

// Share of the wanted terms a text has. A CJK bigram missing as such but with both characters
// present counts a little ("老人" in "老年人").
double overlap(const std::vector<std::string>& terms, const std::set<std::string>& have) {
  if (terms.empty()) return 0;
  double n = 0;
  for (const auto& t : terms) {
    if (have.count(t)) {
      n += 1;
      continue;
    }
    auto u = text::decode(t);
    if (u.size() == 2 && text::is_cjk(u[0]) && have.count(text::encode(u.substr(0, 1))) &&
        have.count(text::encode(u.substr(1, 1)))) {
      n += 0.3;
    }
  }
  return n / terms.size();
}

std::set<std::string> term_set(const std::string& s) {
  std::set<std::string> out;
  for (auto& t : text::terms(text::normalize(s))) out.insert(t.text);
  return out;
}

identity::Principal system_actor() {
  identity::Principal p;
  p.user_id = "system";
  p.username = "system";
  p.kind = identity::Kind::official;
  p.roles.insert(identity::Role::admin);
  return p;
}

// The assistant's own acts (following the catalog) are recorded as user "system".
events::Actor event_actor(const identity::Principal& by) {
  events::Actor a;
  a.user_id = by.user_id;
  a.role = by.user_id == "system" ? "system" : std::string(identity::main_role(by));
  a.dept_id = by.dept_id;
  return a;
}

Status require_admin(const identity::Principal& by) {
  if (by.is_official() && by.has_role(identity::Role::admin)) return {};
  return fail(ErrorCode::forbidden, "", "只有管理员可以管理知识库文档",
              "only administrators may manage knowledge-base documents");
}

Document document_of(const store::Row& r) {
  Document d;
  d.id = r.text(0);
  d.title = r.text(1);
  d.format = r.text(2);
  d.source = r.text(3);
  d.sha256 = r.text(4);
  d.version = static_cast<int>(r.int64(5));
  d.passages = static_cast<int>(r.int64(6));
  d.chars = static_cast<int>(r.int64(7));
  d.created_at_ms = r.int64(8);
  d.updated_at_ms = r.int64(9);
  return d;
}

constexpr const char* kDocColumns =
    "id, title, format, source, sha256, version, passages, chars, created_at_ms, updated_at_ms";

}  // namespace

std::string_view to_string(Format f) {
  switch (f) {
    case Format::text:
      return "text";
    case Format::markdown:
      return "markdown";
    case Format::html:
      return "html";
    case Format::pdf:
      return "pdf";
  }
  return "text";
}

std::optional<Format> parse_format(std::string_view name) {
  if (name == "text") return Format::text;
  if (name == "markdown") return Format::markdown;
  if (name == "html") return Format::html;
  if (name == "pdf") return Format::pdf;
  return std::nullopt;
}

std::optional<Format> format_of_path(std::string_view path) {
  auto dot = path.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  std::string ext(path.substr(dot + 1));
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == "txt") return Format::text;
  if (ext == "md" || ext == "markdown") return Format::markdown;
  if (ext == "html" || ext == "htm") return Format::html;
  if (ext == "pdf") return Format::pdf;
  return std::nullopt;
}

std::vector<store::Migration> migrations() {
  return generated::assistant_migrations();
}

identity::Principal system_principal() {
  return system_actor();
}

Result<std::vector<EvalCase>> parse_eval_cases(std::string_view jsonl) {
  std::vector<EvalCase> out;
  std::size_t start = 0;
  int line_no = 0;
  while (start < jsonl.size()) {
    auto end = jsonl.find('\n', start);
    if (end == std::string_view::npos) end = jsonl.size();
    auto line = text::trim(jsonl.substr(start, end - start));
    start = end + 1;
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    auto j = Json::parse(line, nullptr, false);
    auto bad = [&](const std::string& why) {
      return fail(ErrorCode::invalid_input, "/lines/" + std::to_string(line_no),
                  "第" + std::to_string(line_no) + "行：" + why,
                  "line " + std::to_string(line_no) + ": " + why);
    };
    if (!j.is_object() || !j.contains("q") || !j["q"].is_string())
      return bad("expected {q, expect}");
    EvalCase c;
    c.q = j["q"].get<std::string>();
    if (j.contains("expect") && j["expect"].is_string()) {
      c.expect.push_back(j["expect"].get<std::string>());
    } else if (j.contains("expect") && j["expect"].is_array()) {
      for (const auto& e : j["expect"]) {
        if (!e.is_string()) return bad("expect must be strings");
        c.expect.push_back(e.get<std::string>());
      }
    }
    if (c.expect.empty()) return bad("expect missing");
    out.push_back(std::move(c));
  }
  return out;
}

struct Service::Impl {
  store::Store& store;
  const core::Clock& clock;
  core::Random& random;
  catalog::Service& catalog;
  Options options;
  Lexicon lexicon;

  mutable std::mutex mu;  // Xapian objects are not thread-safe; guards everything below
  Xapian::WritableDatabase db{std::string(), Xapian::DB_BACKEND_INMEMORY};
  std::map<std::string, catalog::Item> items;     // active items by code
  std::map<std::string, std::string> names;       // short and full item names → code
  std::map<std::string, Document> docs;           // by id
  std::map<std::string, StoredPassage> passages;  // "doc#pos"
  std::int64_t cursor = 0;
  int section_count = 0;

  Impl(store::Store& s, const core::Clock& c, core::Random& r, catalog::Service& cat, Options o)
      : store(s),
        clock(c),
        random(r),
        catalog(cat),
        options(std::move(o)),
        lexicon(Lexicon::load()) {}

  // ---- index maintenance (callers hold mu) ----------------------------------------------------

  void put_item(const catalog::Item& item) {
    drop_item(item.code);
    if (!item.active) return;
    Xapian::Document doc;
    Xapian::TermGenerator gen;
    gen.set_flags(Xapian::TermGenerator::FLAG_CJK_NGRAM);
    gen.set_document(doc);
    gen.index_text(text::normalize(item.name), kNameWeight);
    gen.increase_termpos();
    gen.index_text(item.code);
    for (const auto& [key, body] : item_sections(item)) {
      gen.increase_termpos();
      gen.index_text(text::normalize(body));
    }
    gen.increase_termpos();
    gen.index_text(text::normalize(item.result_name));
    doc.add_term("XN" + upper(item.code));
    doc.add_boolean_term("QI" + item.code);
    doc.add_boolean_term("Kitem");
    doc.set_data("I" + item.code);
    db.replace_document("QI" + item.code, doc);
    items[item.code] = item;
    section_count += static_cast<int>(item_sections_count(item));
    names[text::normalize(item.name)] = item.code;
    auto s = text::normalize(short_name(item.name));
    if (text::code_points(s) >= 3) names.emplace(s, item.code);
  }

  static std::size_t item_sections_count(const catalog::Item& item) {
    return item_sections(item).size();
  }

  void drop_item(const std::string& code) {
    auto it = items.find(code);
    if (it == items.end()) return;
    section_count -= static_cast<int>(item_sections_count(it->second));
    for (auto n = names.begin(); n != names.end();)
      n = n->second == code ? names.erase(n) : std::next(n);
    items.erase(it);
    db.delete_document("QI" + code);
  }

  void put_document(const Document& d, const std::vector<Passage>& ps) {
    auto old = docs.find(d.id);
    if (old != docs.end() && old->second.version > d.version) return;
    drop_document(d.id);
    for (const auto& p : ps) {
      Xapian::Document doc;
      Xapian::TermGenerator gen;
      gen.set_flags(Xapian::TermGenerator::FLAG_CJK_NGRAM);
      gen.set_document(doc);
      if (!p.section.empty()) {
        gen.index_text(text::normalize(p.section), kSectionWeight);
        gen.increase_termpos();
      }
      gen.index_text(text::normalize(p.text));
      std::string key = d.id + "#" + std::to_string(p.position);
      doc.add_boolean_term("QP" + key);
      doc.add_boolean_term("XDOC" + d.id);
      doc.add_boolean_term("Kdoc");
      doc.set_data("P" + key);
      db.replace_document("QP" + key, doc);
      passages[key] = {p, d.title};
    }
    docs[d.id] = d;
  }

  void drop_document(const std::string& id) {
    if (!docs.count(id)) return;
    db.delete_document("XDOC" + id);
    for (auto it = passages.lower_bound(id + "#");
         it != passages.end() && it->second.passage.doc_id == id;) {
      it = passages.erase(it);
    }
    docs.erase(id);
  }

  Result<std::pair<Document, std::vector<Passage>>> load_document(store::Tx& tx,
                                                                  const std::string& id) {
    auto row = tx.query_one(
        std::string("SELECT ") + kDocColumns + " FROM assistant_documents WHERE id = ?", {id});
    if (!row) {
      return fail(ErrorCode::not_found, "/id", "没有这个文档：" + id, "no such document: " + id);
    }
    std::vector<Passage> ps;
    for (const auto& r : tx.query("SELECT position, section, text FROM assistant_passages WHERE "
                                  "doc_id = ? ORDER BY position",
                                  {id})) {
      ps.push_back({id, static_cast<int>(r.int64(0)), r.text(1), r.text(2)});
    }
    return std::make_pair(document_of(*row), std::move(ps));
  }

  void rebuild() {
    auto seq =
        store.read([](store::Tx& tx) -> Result<std::int64_t> { return events::last_seq(tx); });
    if (!seq) throw std::runtime_error("assistant: " + seq.error().message_en);
    std::vector<catalog::Item> all;
    for (int offset = 0;; offset += 1000) {
      catalog::SearchQuery q;
      q.limit = 1000;
      q.offset = offset;
      auto page = catalog.search(q);
      if (!page) throw std::runtime_error("assistant: " + page.error().message_en);
      all.insert(all.end(), page->items.begin(), page->items.end());
      if (page->items.size() < 1000) break;
    }
    using Loaded = std::vector<std::pair<Document, std::vector<Passage>>>;
    auto loaded = store.read([&](store::Tx& tx) -> Result<Loaded> {
      Loaded out;
      for (const auto& r : tx.query("SELECT id FROM assistant_documents ORDER BY id")) {
        auto d = load_document(tx, r.text(0));
        if (d) out.push_back(std::move(*d));
      }
      return out;
    });
    if (!loaded) throw std::runtime_error("assistant: " + loaded.error().message_en);
    std::lock_guard lock(mu);
    cursor = *seq;
    for (const auto& item : all) put_item(item);
    for (const auto& [d, ps] : *loaded) put_document(d, ps);
    db.commit();
  }

  // ---- retrieval ------------------------------------------------------------------------------

  Plan plan(const std::string& normalized) const {
    Plan p;
    p.rw = rewrite(lexicon, normalized);
    p.topic_terms = strong_terms(p.rw.topic);
    for (const auto& e : p.rw.expansions) p.expansion_terms.push_back(strong_terms(e));
    // Item codes (实施编码) typed or pasted into the question.
    for (const auto& t : text::terms(normalized)) {
      if (t.unigram || t.text.size() < 10) continue;
      auto it = items.find(upper(t.text));
      if (it != items.end()) {
        p.recognised_code = it->first;
        p.by_code = true;
        return p;
      }
    }
    // Items named by the official terms a colloquial phrase maps to (养狗 → 养犬登记).
    for (const auto& e : p.rw.expansions) {
      std::size_t start = 0;
      while (start < e.size()) {
        auto end = e.find(' ', start);
        if (end == std::string::npos) end = e.size();
        auto it = names.find(e.substr(start, end - start));
        if (it != names.end()) p.named_by_synonym.insert(it->second);
        start = end + 1;
      }
    }
    // The longest item name the question mentions.
    std::size_t best = 0;
    for (const auto& [name, code] : names) {
      auto len = text::code_points(name);
      if (len > best && normalized.find(name) != std::string::npos) {
        best = len;
        p.recognised_code = code;
      }
    }
    return p;
  }

  Xapian::Query query_of(const Plan& p, const std::string& restrict_doc) const {
    std::vector<Xapian::Query> parts;
    auto add_text = [&](const std::string& s, double factor) {
      for (const auto& t : text::terms(s)) {
        parts.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query(t.text),
                           factor * (t.unigram ? kUnigramWeight : 1.0));
      }
    };
    add_text(p.rw.topic, 1.0);
    for (const auto& e : p.rw.expansions) add_text(e, kExpansionWeight);
    if (!p.recognised_code.empty()) {
      parts.emplace_back(Xapian::Query::OP_SCALE_WEIGHT,
                         Xapian::Query("XN" + upper(p.recognised_code)), kNameBoost);
    }
    for (const auto& code : p.named_by_synonym) {
      parts.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query("XN" + upper(code)),
                         kSynonymNameBoost);
    }
    Xapian::Query q(Xapian::Query::OP_OR, parts.begin(), parts.end());
    if (!restrict_doc.empty())
      q = Xapian::Query(Xapian::Query::OP_FILTER, q, Xapian::Query("XDOC" + restrict_doc));
    return q;
  }

  std::vector<Hit> search(const Plan& p, const std::string& restrict_doc = "") const {
    std::vector<Hit> hits;
    Xapian::Query q = query_of(p, restrict_doc);
    if (q.empty()) return hits;
    Xapian::Enquire enquire(db);
    enquire.set_query(q);
    enquire.set_weighting_scheme(Xapian::BM25Weight());
    Xapian::MSet mset = enquire.get_mset(0, kCandidates);
    for (auto it = mset.begin(); it != mset.end(); ++it) {
      Hit h;
      h.key = it.get_document().get_data();
      h.weight = it.get_weight();
      for (auto t = enquire.get_matching_terms_begin(it); t != enquire.get_matching_terms_end(it);
           ++t) {
        h.matched.insert(*t);
      }
      double c = overlap(p.topic_terms, h.matched);
      for (const auto& e : p.expansion_terms) c = std::max(c, 0.95 * overlap(e, h.matched));
      h.coverage = c;
      hits.push_back(std::move(h));
    }
    return hits;
  }

  // ---- answers --------------------------------------------------------------------------------

  Source item_source(const catalog::Item& item, const std::string& intent, double score) const {
    Source s;
    s.kind = "item";
    s.ref = item.code;
    s.title = item.name;
    s.link = item_link(options, item.code);
    s.score = score;
    std::string snippet;
    for (const auto& [key, body] : item_sections(item)) {
      if (key == (intent.empty() ? "conditions" : intent)) {
        snippet = body;
        break;
      }
    }
    if (snippet.empty()) snippet = item.acceptance_conditions;
    s.snippet = text::clip(text::trim(snippet), 120);
    return s;
  }

  std::string compose_item(const catalog::Item& item, const std::string& intent,
                           const Plan& p) const {
    std::string out = "【" + item.name + "】\n";
    auto sections = item_sections(item);
    // An FAQ whose question the citizen asked almost word for word answers first.
    std::string faq;
    double best_faq = 0;
    for (const auto& f : item.faqs) {
      double c = overlap(p.topic_terms, term_set(f.question));
      if (c > best_faq && c >= 0.6) {
        best_faq = c;
        faq = "常见问题：" + f.question + "\n答：" + f.answer + "\n";
      }
    }
    auto section = [&](const std::string& key) -> std::string {
      for (const auto& [k, body] : sections)
        if (k == key)
          return std::string(section_title_zh(k)) + "：" + (k == "materials" ? "\n" : "") + body +
                 (k == "materials" ? "" : "\n");
      return "";
    };
    if (intent.empty() || intent == "conditions" || intent == "procedure") {
      out += faq;
      if (!intent.empty())
        out += section(intent);
      else {
        out += section("conditions");
        out += section("materials");
        out += section("time_limit");
      }
    } else {
      out += section(intent);
      if (intent == "materials") out += section("time_limit");
      if (intent == "place") out += section("hours");
      if (intent == "hours") out += section("place");
      out += faq;
    }
    out += "网上申请：" + item_link(options, item.code) + "\n";
    return out;
  }

  std::string compose_passage(const StoredPassage& sp, const Plan& p, std::string* snippet) const {
    auto sents = text::sentences(sp.passage.text);
    std::vector<std::string> wanted = p.topic_terms;
    for (const auto& e : p.expansion_terms) wanted.insert(wanted.end(), e.begin(), e.end());
    std::vector<std::pair<double, std::size_t>> scored;
    for (std::size_t i = 0; i < sents.size(); ++i) {
      auto have = term_set(sents[i]);
      double s = 0;
      for (const auto& w : wanted) s += have.count(w);
      scored.emplace_back(s, i);
    }
    std::stable_sort(scored.begin(), scored.end(),
                     [](auto& a, auto& b) { return a.first > b.first; });
    std::vector<std::size_t> keep;
    for (std::size_t k = 0; k < scored.size() && keep.size() < 2; ++k) {
      if (scored[k].first > 0 || keep.empty()) keep.push_back(scored[k].second);
    }
    std::sort(keep.begin(), keep.end());
    std::string quote;
    for (auto i : keep) quote += sents[i];
    if (snippet) *snippet = text::clip(quote, 120);
    std::string where = "《" + sp.title + "》";
    if (!sp.passage.section.empty()) where += "（" + sp.passage.section + "）";
    return "根据" + where + "：\n" + quote + "\n";
  }

  Source passage_source(const std::string& key, const StoredPassage& sp, const Plan& p,
                        double score) const {
    Source s;
    s.kind = "document";
    s.ref = key;
    s.title = sp.title + (sp.passage.section.empty() ? "" : " · " + sp.passage.section);
    compose_passage(sp, p, &s.snippet);
    s.score = score;
    return s;
  }

  Answer handoff(Answer a, const std::string& why_zh, const std::string& why_en) const {
    a.handoff = true;
    Handoff h;
    h.note_zh = why_zh;
    h.note_en = why_en;
    a.handoff_contact = h;
    std::string guess = a.answer;
    a.answer = why_zh + "如需人工帮助，请拨打" + h.name + "（" + h.phone +
               "），工作人员会为您解答。" +
               (a.sources.empty() ? "" : "\n以下内容可能相关，仅供参考：\n" + guess);
    return a;
  }

  Answer answer_item(const catalog::Item& item, const std::string& intent, const Plan& p,
                     double confidence) const {
    Answer a;
    a.answer = compose_item(item, intent, p);
    a.intent = intent;
    a.confidence = confidence;
    a.sources.push_back(item_source(item, intent, confidence));
    a.context = Context{"item", item.code};
    return a;
  }

  Result<Answer> ask(const Question& q) const {
    if (q.question.size() > kMaxQuestionChars * 4 ||
        text::code_points(q.question) > kMaxQuestionChars) {
      return fail(
          ErrorCode::too_large, "/question",
          "问题太长，请不超过" + std::to_string(kMaxQuestionChars) + "个字",
          "the question is longer than " + std::to_string(kMaxQuestionChars) + " characters");
    }
    if (!text::valid_utf8(q.question) || text::has_controls(q.question)) {
      return fail(ErrorCode::invalid_input, "/question", "问题含有无法识别的字符",
                  "the question is not valid text (binary or invalid UTF-8)");
    }
    std::string normalized = text::normalize(q.question);
    bool has_text = false;
    for (char32_t c : text::decode(normalized)) {
      has_text = has_text || text::is_cjk(c) || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z');
    }
    if (!has_text) {
      return fail(ErrorCode::invalid_input, "/question", "请输入您的问题", "the question is empty");
    }
    auto kind = blocked_kind(lexicon, normalized);
    if (kind == "injection") {
      return fail(
          ErrorCode::invalid_input, "/question", "问题中含有指令性内容，请直接描述您要办理的事情",
          "the question contains instructions to the assistant; please ask about a service");
    }
    if (kind == "abuse") {
      return fail(ErrorCode::invalid_input, "/question", "请文明用语，直接描述您要办理的事情",
                  "please ask politely about the service you need");
    }
    if (q.context && q.context->kind != "item" && q.context->kind != "document") {
      return fail(ErrorCode::invalid_input, "/context/kind", "context.kind 应为 item 或 document",
                  "context.kind must be item or document");
    }

    std::lock_guard lock(mu);
    Plan p = plan(normalized);
    const std::string& intent = p.rw.intent;

    if (!p.recognised_code.empty()) {
      const auto& item = items.at(p.recognised_code);
      Answer a = answer_item(item, intent, p, p.by_code ? 0.99 : 0.95);
      for (const auto& h : search(p)) {
        if (a.sources.size() >= 3) break;
        add_source(a, h, p);
      }
      return a;
    }

    // A follow-up names no topic of its own: "需要带什么材料？", "在哪里办？".
    bool no_topic = p.topic_terms.empty() && p.rw.expansions.empty();
    if (q.context && (no_topic || (!intent.empty() && text::code_points(p.rw.topic) <= 2))) {
      if (q.context->kind == "item") {
        auto it = items.find(q.context->ref);
        if (it != items.end()) {
          Answer a = answer_item(it->second, intent, p, 0.9);
          a.follow_up = true;
          return a;
        }
      } else {
        auto doc_id = q.context->ref.substr(0, q.context->ref.find('#'));
        auto pit = passages.find(q.context->ref);
        if (pit != passages.end()) {
          Answer a;
          a.answer = compose_passage(pit->second, p, nullptr);
          a.sources.push_back(passage_source(pit->first, pit->second, p, 0.8));
          a.confidence = 0.8;
          a.follow_up = true;
          a.context = q.context;
          return a;
        }
        (void)doc_id;
      }
    }
    if (no_topic) {
      Answer a;
      return handoff(a, "请说明您要办理的具体事项，例如“开饭馆要办什么证”。",
                     "please name the service you are asking about");
    }

    auto hits = search(p);
    if (hits.empty()) {
      return handoff(Answer{}, "抱歉，知识库中没有找到与您的问题相关的内容。",
                     "nothing in the knowledge base matches the question");
    }
    const Hit& top = hits.front();
    double confidence = std::min(0.95, 0.15 + 0.8 * top.coverage);
    if (top.key[0] == 'I' && p.named_by_synonym.count(top.key.substr(1))) {
      confidence = std::max(confidence, kSynonymNameConfidence);
    }
    Answer a;
    a.intent = intent;
    a.confidence = confidence;
    if (top.key[0] == 'I') {
      const auto& item = items.at(top.key.substr(1));
      a = answer_item(item, intent, p, confidence);
    } else {
      const auto& sp = passages.at(top.key.substr(1));
      a.answer = compose_passage(sp, p, nullptr);
      a.sources.push_back(passage_source(top.key.substr(1), sp, p, confidence));
      a.context = Context{"document", top.key.substr(1)};
    }
    for (std::size_t i = 1; i < hits.size() && a.sources.size() < 3; ++i) add_source(a, hits[i], p);
    if (confidence < options.handoff_below) {
      return handoff(std::move(a), "抱歉，这个问题我没有把握回答准确。",
                     "the assistant is not confident about this answer");
    }
    return a;
  }

  void add_source(Answer& a, const Hit& h, const Plan& p) const {
    std::string ref = h.key.substr(1);
    for (const auto& s : a.sources)
      if (s.ref == ref) return;
    double score = std::min(0.95, 0.15 + 0.8 * h.coverage);
    if (h.key[0] == 'I') {
      auto it = items.find(ref);
      if (it != items.end()) a.sources.push_back(item_source(it->second, a.intent, score));
    } else {
      auto it = passages.find(ref);
      if (it != passages.end()) a.sources.push_back(passage_source(ref, it->second, p, score));
    }
  }
};

Service::Service(store::Store& store, const core::Clock& clock, core::Random& random,
                 catalog::Service& catalog, Options options)
    : impl_(std::make_unique<Impl>(store, clock, random, catalog, std::move(options))) {
  impl_->rebuild();
}

Service::~Service() = default;

Result<int> Service::poll_once(int max_events) {
  auto& m = *impl_;
  std::int64_t after;
  {
    std::lock_guard lock(m.mu);
    after = m.cursor;
  }
  auto batch = m.store.read([&](store::Tx& tx) -> Result<std::vector<events::Event>> {
    events::Filter f;
    f.after_seq = after;
    f.limit = std::clamp(max_events, 1, 1000);
    return events::list(tx, f);
  });
  if (!batch) return fail(batch.error());
  for (const auto& e : *batch) {
    if (e.subject_type == "item" && e.type.rfind("item.", 0) == 0) {
      auto item = m.catalog.get(e.subject_id);
      std::lock_guard lock(m.mu);
      if (item && item->active)
        m.put_item(*item);
      else
        m.drop_item(e.subject_id);
    } else if (e.type.rfind("assistant.document.", 0) == 0) {
      auto loaded = m.store.read([&](store::Tx& tx) { return m.load_document(tx, e.subject_id); });
      std::lock_guard lock(m.mu);
      if (loaded)
        m.put_document(loaded->first, loaded->second);
      else if (loaded.error().code == ErrorCode::not_found)
        m.drop_document(e.subject_id);
      else
        return fail(loaded.error());
    }
  }
  std::lock_guard lock(m.mu);
  if (!batch->empty()) m.cursor = std::max(m.cursor, batch->back().seq);
  m.db.commit();
  return static_cast<int>(batch->size());
}

Result<Answer> Service::ask(const Question& question) {
  return impl_->ask(question);
}

std::vector<LifeEvent> Service::life_events() const {
  std::vector<LifeEvent> out;
  for (const auto& b : impl_->lexicon.bundles) out.push_back(b.event);
  return out;
}

Result<Recommendation> Service::recommend(std::string_view question, std::string_view life_event) {
  auto& m = *impl_;
  const Bundle* bundle = nullptr;
  if (!life_event.empty()) {
    for (const auto& b : m.lexicon.bundles)
      if (b.event.id == life_event || b.event.name == life_event) bundle = &b;
    if (!bundle) {
      return fail(ErrorCode::not_found, "/life_event",
                  "没有这个人生事件：" + std::string(life_event),
                  "no such life event: " + std::string(life_event));
    }
  } else if (question.empty()) {
    return fail(ErrorCode::invalid_input, "/question", "请给出问题或人生事件",
                "give a question or a life_event");
  } else {
    // The same checks as a question to ask().
    Question q;
    q.question = std::string(question);
    if (auto checked = ask(q); !checked) return fail(checked.error());
    auto normalized = text::normalize(question);
    std::size_t best = 0;
    for (const auto& b : m.lexicon.bundles) {
      for (const auto& a : b.event.aliases) {
        if (normalized.find(a) != std::string::npos && text::code_points(a) > best) {
          best = text::code_points(a);
          bundle = &b;
        }
      }
    }
  }
  Recommendation r;
  std::lock_guard lock(m.mu);
  if (bundle) {
    r.life_event = bundle->event;
    for (auto step : bundle->steps) {
      auto it = m.items.find(step.item_code);
      step.available = it != m.items.end();
      if (step.available) step.link = item_link(m.options, step.item_code);
      r.steps.push_back(std::move(step));
    }
    return r;
  }
  Plan p = m.plan(text::normalize(question));
  int order = 0;
  for (const auto& h : m.search(p)) {
    if (h.key[0] != 'I' || h.coverage < 0.3 || r.steps.size() >= 5) continue;
    const auto& item = m.items.at(h.key.substr(1));
    Step s;
    s.order = ++order;
    s.item_code = item.code;
    s.title = item.name;
    s.available = true;
    s.link = item_link(m.options, item.code);
    r.steps.push_back(std::move(s));
  }
  return r;
}

namespace {

// What the audit trail keeps about a document: its identity and size, never its text.
std::string audit_json(const Document& d) {
  return Json{{"id", d.id},         {"title", d.title},       {"format", d.format},
              {"sha256", d.sha256}, {"passages", d.passages}, {"version", d.version}}
      .dump();
}

// Appends the event of a knowledge-base change in the caller's write transaction.
void append_document_event(store::Tx& tx, const core::Clock& clock, std::string type,
                           const std::string& id, const identity::Principal& by, std::string reason,
                           const Document* before, const Document* after) {
  events::NewEvent e;
  e.type = std::move(type);
  e.subject_type = "assistant_document";
  e.subject_id = id;
  e.actor = event_actor(by);
  e.reason = std::move(reason);
  if (before) e.before_json = audit_json(*before);
  if (after) e.after_json = audit_json(*after);
  events::append(tx, clock, e);
}

struct Parsed {
  Format format;
  std::string title;
  std::string text;
  std::vector<Passage> passages;
  std::string sha;
  int chars = 0;
};

Result<Parsed> parse_document(const NewDocument& in) {
  if (in.content.size() > kMaxDocumentBytes) {
    return fail(ErrorCode::too_large, "/content", "文档超过 8 MB", "the document is over 8 MB");
  }
  if (!text::valid_utf8(in.title) || text::has_controls(in.title) ||
      text::code_points(in.title) > kMaxTitleChars) {
    return fail(ErrorCode::invalid_input, "/title", "标题无效或过长（不超过200字）",
                "the title is invalid or longer than 200 characters");
  }
  if (!text::valid_utf8(in.source) || in.source.size() > 1000) {
    return fail(ErrorCode::invalid_input, "/source", "来源无效", "invalid source");
  }
  Parsed p;
  p.format = in.format.value_or(text::detect_format(in.content));
  auto ex = text::extract(p.format, in.content);
  if (!ex) return fail(ex.error());
  p.title = text::trim(in.title).empty() ? ex->title : text::trim(in.title);
  if (p.title.empty()) p.title = "未命名文档";
  p.passages = text::split(ex->text);
  if (p.passages.empty()) {
    return fail(ErrorCode::invalid_input, "/content", "文档中没有可检索的段落",
                "the document has no passages");
  }
  p.chars = static_cast<int>(text::code_points(ex->text));
  p.sha = text::sha256_hex(in.content);
  return p;
}

}  // namespace

Result<Document> Service::add_document(const NewDocument& in, const identity::Principal& by) {
  auto& m = *impl_;
  if (auto ok = require_admin(by); !ok) return fail(ok.error());
  auto parsed = parse_document(in);
  if (!parsed) return fail(parsed.error());
  std::string id = "doc_" + m.random.hex(8);
  auto doc = m.store.write([&](store::Tx& tx) -> Result<Document> {
    Document d;
    d.id = id;
    d.title = parsed->title;
    d.format = std::string(to_string(parsed->format));
    d.source = in.source;
    d.sha256 = parsed->sha;
    d.version = 1;
    d.passages = static_cast<int>(parsed->passages.size());
    d.chars = parsed->chars;
    d.created_at_ms = d.updated_at_ms = m.clock.now_ms();
    tx.exec(std::string("INSERT INTO assistant_documents (") + kDocColumns +
                ", updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {d.id, d.title, d.format, d.source, d.sha256, std::int64_t{d.version},
             std::int64_t{d.passages}, std::int64_t{d.chars}, d.created_at_ms, d.updated_at_ms,
             by.user_id});
    for (const auto& p : parsed->passages) {
      tx.exec(
          "INSERT INTO assistant_passages (doc_id, position, section, text) VALUES (?, ?, ?, ?)",
          {d.id, std::int64_t{p.position}, p.section, p.text});
    }
    append_document_event(tx, m.clock, "assistant.document.added", d.id, by, "知识库新增文档",
                          nullptr, &d);
    return d;
  });
  if (!doc) return doc;
  std::vector<Passage> ps = parsed->passages;
  for (auto& p : ps) p.doc_id = doc->id;
  std::lock_guard lock(m.mu);
  m.put_document(*doc, ps);
  m.db.commit();
  return doc;
}

Result<Document> Service::replace_document(std::string_view id_view, const NewDocument& in,
                                           const identity::Principal& by) {
  auto& m = *impl_;
  if (auto ok = require_admin(by); !ok) return fail(ok.error());
  auto parsed = parse_document(in);
  if (!parsed) return fail(parsed.error());
  std::string id(id_view);
  auto doc = m.store.write([&](store::Tx& tx) -> Result<Document> {
    auto row = tx.query_one(
        std::string("SELECT ") + kDocColumns + " FROM assistant_documents WHERE id = ?", {id});
    if (!row)
      return fail(ErrorCode::not_found, "/id", "没有这个文档：" + id, "no such document: " + id);
    Document before = document_of(*row);
    Document d = before;
    d.title = parsed->title;
    d.format = std::string(to_string(parsed->format));
    if (!in.source.empty()) d.source = in.source;
    d.sha256 = parsed->sha;
    d.version = before.version + 1;
    d.passages = static_cast<int>(parsed->passages.size());
    d.chars = parsed->chars;
    d.updated_at_ms = m.clock.now_ms();
    tx.exec(
        "UPDATE assistant_documents SET title = ?, format = ?, source = ?, sha256 = ?, version = "
        "?, "
        "passages = ?, chars = ?, updated_at_ms = ?, updated_by = ? WHERE id = ?",
        {d.title, d.format, d.source, d.sha256, std::int64_t{d.version}, std::int64_t{d.passages},
         std::int64_t{d.chars}, d.updated_at_ms, by.user_id, id});
    tx.exec("DELETE FROM assistant_passages WHERE doc_id = ?", {id});
    for (const auto& p : parsed->passages) {
      tx.exec(
          "INSERT INTO assistant_passages (doc_id, position, section, text) VALUES (?, ?, ?, ?)",
          {id, std::int64_t{p.position}, p.section, p.text});
    }
    append_document_event(tx, m.clock, "assistant.document.replaced", id, by, "知识库文档替换",
                          &before, &d);
    return d;
  });
  if (!doc) return doc;
  std::vector<Passage> ps = parsed->passages;
  for (auto& p : ps) p.doc_id = id;
  std::lock_guard lock(m.mu);
  m.put_document(*doc, ps);
  m.db.commit();
  return doc;
}

Status Service::remove_document(std::string_view id_view, const identity::Principal& by) {
  auto& m = *impl_;
  if (auto ok = require_admin(by); !ok) return ok;
  std::string id(id_view);
  auto done = m.store.write([&](store::Tx& tx) -> Status {
    auto row = tx.query_one(
        std::string("SELECT ") + kDocColumns + " FROM assistant_documents WHERE id = ?", {id});
    if (!row)
      return fail(ErrorCode::not_found, "/id", "没有这个文档：" + id, "no such document: " + id);
    Document before = document_of(*row);
    tx.exec("DELETE FROM assistant_passages WHERE doc_id = ?", {id});
    tx.exec("DELETE FROM assistant_documents WHERE id = ?", {id});
    append_document_event(tx, m.clock, "assistant.document.removed", id, by, "知识库删除文档",
                          &before, nullptr);
    return {};
  });
  if (!done) return done;
  std::lock_guard lock(m.mu);
  m.drop_document(id);
  m.db.commit();
  return {};
}

Result<std::vector<Document>> Service::documents(const identity::Principal& by) {
  if (auto ok = require_admin(by); !ok) return fail(ok.error());
  return impl_->store.read([](store::Tx& tx) -> Result<std::vector<Document>> {
    std::vector<Document> out;
    for (const auto& r : tx.query(std::string("SELECT ") + kDocColumns +
                                  " FROM assistant_documents ORDER BY created_at_ms, id")) {
      out.push_back(document_of(r));
    }
    return out;
  });
}

Result<std::pair<Document, std::vector<Passage>>> Service::document(std::string_view id,
                                                                    const identity::Principal& by) {
  if (auto ok = require_admin(by); !ok) return fail(ok.error());
  std::string key(id);
  return impl_->store.read([&](store::Tx& tx) { return impl_->load_document(tx, key); });
}

Result<std::pair<Document, bool>> Service::import_file(const std::string& path,
                                                       const identity::Principal& by) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return fail(ErrorCode::not_found, "/path", "无法读取文件：" + path,
                "cannot read file: " + path);
  std::ostringstream buf;
  buf << in.rdbuf();
  NewDocument d;
  d.content = buf.str();
  d.format = format_of_path(path);
  auto slash = path.find_last_of('/');
  d.source = slash == std::string::npos ? path : path.substr(slash + 1);
  std::string sha = text::sha256_hex(d.content);
  auto existing = impl_->store.read([&](store::Tx& tx) -> Result<std::optional<Document>> {
    auto row = tx.query_one(
        std::string("SELECT ") + kDocColumns + " FROM assistant_documents WHERE sha256 = ?", {sha});
    if (!row) return std::optional<Document>();
    return std::optional<Document>(document_of(*row));
  });
  if (!existing) return fail(existing.error());
  if (*existing) return std::make_pair(**existing, false);
  auto added = add_document(d, by);
  if (!added) {
    auto e = added.error();
    e.message_en = path + ": " + e.message_en;
    e.message_zh = path + "：" + e.message_zh;
    return fail(e);
  }
  return std::make_pair(*added, true);
}

Result<std::string> Service::record_feedback(const Feedback& f, const identity::Principal* by) {
  auto& m = *impl_;
  if (!text::valid_utf8(f.question) || text::has_controls(f.question) || f.question.empty() ||
      text::code_points(f.question) > kMaxQuestionChars) {
    return fail(ErrorCode::invalid_input, "/question", "问题为空、过长或含无法识别的字符",
                "the question is empty, too long or not valid text");
  }
  if (f.answer_ref.empty() || f.answer_ref.size() > 200 || !text::valid_utf8(f.answer_ref) ||
      text::has_controls(f.answer_ref)) {
    return fail(ErrorCode::invalid_input, "/answer_ref", "answer_ref 无效", "invalid answer_ref");
  }
  if (!text::valid_utf8(f.comment) || text::has_controls(f.comment) ||
      text::code_points(f.comment) > 500) {
    return fail(ErrorCode::invalid_input, "/comment", "意见无效或过长",
                "invalid or too long comment");
  }
  std::string id = "fb_" + m.random.hex(8);
  auto done = m.store.write([&](store::Tx& tx) -> Status {
    tx.exec(
        "INSERT INTO assistant_feedback (id, question, answer_ref, useful, comment, user_id, "
        "created_at_ms) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        {id, f.question, f.answer_ref, std::int64_t{f.useful ? 1 : 0}, f.comment,
         by ? by->user_id : std::string(), m.clock.now_ms()});
    events::NewEvent e;
    e.type = "assistant.feedback.recorded";
    e.subject_type = "assistant_feedback";
    e.subject_id = id;
    if (by)
      e.actor = event_actor(*by);
    else
      e.actor.role = "anonymous";
    // The question may carry personal data: it stays in the feedback table, not in the audit.
    e.after_json = Json{{"answer_ref", f.answer_ref}, {"useful", f.useful}}.dump();
    events::append(tx, m.clock, e);
    return {};
  });
  if (!done) return fail(done.error());
  return id;
}

EvalReport Service::evaluate(const std::vector<EvalCase>& cases) {
  EvalReport r;
  std::vector<double> ms;
  for (const auto& c : cases) {
    ++r.questions;
    Question q;
    q.question = c.q;
    auto t0 = std::chrono::steady_clock::now();
    auto a = ask(q);
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    int rank = -1;
    if (a) {
      r.handoffs += a->handoff;
      std::lock_guard lock(impl_->mu);
      for (std::size_t i = 0; i < a->sources.size() && i < 3 && rank < 0; ++i) {
        const auto& s = a->sources[i];
        for (const auto& e : c.expect) {
          bool hit = s.ref == e;
          if (!hit && s.kind == "document") {
            auto it = impl_->passages.find(s.ref);
            hit = s.title.find(e) != std::string::npos ||
                  (it != impl_->passages.end() &&
                   it->second.passage.text.find(e) != std::string::npos);
          }
          if (hit) {
            rank = static_cast<int>(i);
            break;
          }
        }
      }
    }
    if (rank == 0) ++r.hit1;
    if (rank >= 0)
      ++r.hit3;
    else {
      std::string top = !a                   ? "error: " + a.error().message_en
                        : a->sources.empty() ? "(no source)"
                                             : a->sources[0].ref + " " + a->sources[0].title;
      r.misses.push_back(c.q + " → " + top);
    }
  }
  std::sort(ms.begin(), ms.end());
  if (!ms.empty()) {
    r.p50_ms = ms[ms.size() / 2];
    r.p99_ms =
        ms[std::min(ms.size() - 1, static_cast<std::size_t>(std::ceil(ms.size() * 0.99)) - 1)];
  }
  return r;
}

Stats Service::stats() const {
  std::lock_guard lock(impl_->mu);
  Stats s;
  s.items = static_cast<int>(impl_->items.size());
  s.documents = static_cast<int>(impl_->docs.size());
  s.passages = static_cast<int>(impl_->passages.size()) + impl_->section_count;
  return s;
}

}  // namespace yiwang::assistant
