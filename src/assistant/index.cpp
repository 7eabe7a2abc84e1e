// The index: item guides (kept in step with the catalog by following "item.*" events) and policy
// documents in an in-memory Xapian database with CJK n-grams, and the retrieval over it.
#include <algorithm>
#include <stdexcept>

#include "assistant/internal.h"
#include "assistant/text.h"
#include "core/utf8.h"

namespace yiwang::assistant {
namespace {

// Item names count five times as much as the rest of a guide, passage sections twice.
constexpr Xapian::termcount kNameWeight = 5;
constexpr Xapian::termcount kSectionWeight = 2;
// A recognised item name or code outranks any text match.
constexpr double kNameBoost = 50.0;
// An item whose name a synonym mapping gives is likely, but the citizen's words still rank.
constexpr double kSynonymNameBoost = 8.0;
// The official terms a colloquial phrase maps to weigh more than the citizen's own words.
constexpr double kExpansionWeight = 1.5;
constexpr double kUnigramWeight = 0.25;
constexpr int kCandidates = 12;

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

}  // namespace

namespace detail {

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string item_link(const Options& o, const std::string& code) {
  return o.web_base + "/items/" + code;
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
    if (u.size() == 2 && core::is_han(u[0]) && have.count(text::encode(u.substr(0, 1))) &&
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

}  // namespace detail

using namespace detail;

namespace {

std::size_t item_sections_count(const catalog::Item& item) {
  return item_sections(item).size();
}

}  // namespace

// ---- Index maintenance ------------------------------------------------------------------------

void Service::Impl::put_item(const catalog::Item& item) {
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
  if (core::utf8_length(s) >= 3) names.emplace(s, item.code);
}

void Service::Impl::drop_item(const std::string& code) {
  auto it = items.find(code);
  if (it == items.end()) return;
  section_count -= static_cast<int>(item_sections_count(it->second));
  for (auto n = names.begin(); n != names.end();)
    n = n->second == code ? names.erase(n) : std::next(n);
  items.erase(it);
  db.delete_document("QI" + code);
}

void Service::Impl::put_document(const Document& d, const std::vector<Passage>& ps) {
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

void Service::Impl::drop_document(const std::string& id) {
  if (!docs.count(id)) return;
  db.delete_document("XDOC" + id);
  for (auto it = passages.lower_bound(id + "#");
       it != passages.end() && it->second.passage.doc_id == id;) {
    it = passages.erase(it);
  }
  docs.erase(id);
}

Result<std::pair<Document, std::vector<Passage>>> Service::Impl::load_document(
    store::Tx& tx, const std::string& id) {
  auto d = find_document(tx, "id", id);
  if (!d) return no_such_document(id);
  std::vector<Passage> ps;
  for (const auto& r : tx.query("SELECT position, section, text FROM assistant_passages WHERE "
                                "doc_id = ? ORDER BY position",
                                {id})) {
    ps.push_back({id, static_cast<int>(r.int64(0)), r.text(1), r.text(2)});
  }
  return std::make_pair(std::move(*d), std::move(ps));
}

void Service::Impl::rebuild() {
  auto seq = store.read([](store::Tx& tx) -> Result<std::int64_t> { return events::last_seq(tx); });
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
  core::MutexLock lock(mu);
  cursor = *seq;
  for (const auto& item : all) put_item(item);
  for (const auto& [d, ps] : *loaded) put_document(d, ps);
  db.commit();
}

// ---- Following the catalog and the documents --------------------------------------------------

Result<int> Service::poll_once(int max_events) {
  auto& m = *impl_;
  std::int64_t after;
  {
    core::MutexLock lock(m.mu);
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
      core::MutexLock lock(m.mu);
      if (item && item->active)
        m.put_item(*item);
      else
        m.drop_item(e.subject_id);
    } else if (e.type.rfind("assistant.document.", 0) == 0) {
      auto loaded = m.store.read([&](store::Tx& tx) { return m.load_document(tx, e.subject_id); });
      core::MutexLock lock(m.mu);
      if (loaded)
        m.put_document(loaded->first, loaded->second);
      else if (loaded.error().code == ErrorCode::not_found)
        m.drop_document(e.subject_id);
      else
        return fail(loaded.error());
    }
  }
  core::MutexLock lock(m.mu);
  if (!batch->empty()) m.cursor = std::max(m.cursor, batch->back().seq);
  m.db.commit();
  return static_cast<int>(batch->size());
}

// ---- Retrieval --------------------------------------------------------------------------------

Plan Service::Impl::plan(const std::string& normalized) const {
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
    auto len = core::utf8_length(name);
    if (len > best && normalized.find(name) != std::string::npos) {
      best = len;
      p.recognised_code = code;
    }
  }
  return p;
}

Xapian::Query Service::Impl::query_of(const Plan& p, const std::string& restrict_doc) const {
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

std::vector<Hit> Service::Impl::search(const Plan& p, const std::string& restrict_doc) const {
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

}  // namespace yiwang::assistant
