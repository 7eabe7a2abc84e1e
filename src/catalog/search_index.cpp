#include "catalog/search_index.h"

#include <algorithm>
#include <cctype>

namespace yiwang::catalog {
namespace {

constexpr Xapian::valueno kNameSlot = 0;
// Name terms count five times as much as the rest of the guide.
constexpr Xapian::termcount kNameWeight = 5;
// An exact implementation-code match outranks any text match.
constexpr double kCodeBoost = 1000.0;

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

}  // namespace

Service::Index::Index() : db_(std::string(), Xapian::DB_BACKEND_INMEMORY) {}

void Service::Index::upsert(const Item& item, const std::string& dept_name) {
  std::lock_guard lock(mu_);
  if (auto it = items_.find(item.code); it != items_.end() && it->second.version > item.version) {
    return;
  }
  items_[item.code] = item;
  dept_names_[item.code] = dept_name;
  put(item);
}

void Service::Index::set_active(const std::string& code, bool active) {
  std::lock_guard lock(mu_);
  auto it = items_.find(code);
  if (it == items_.end()) return;
  it->second.active = active;
  put(it->second);
}

void Service::Index::put(const Item& item) {
  Xapian::Document doc;
  Xapian::TermGenerator gen;
  gen.set_flags(Xapian::TermGenerator::FLAG_CJK_NGRAM);
  gen.set_document(doc);
  gen.index_text(item.name, kNameWeight);
  gen.increase_termpos();
  gen.index_text(item.code);
  gen.increase_termpos();
  gen.index_text(item.basic_code);
  gen.increase_termpos();
  gen.index_text(item.acceptance_conditions);
  for (const auto& m : item.materials) {
    gen.increase_termpos();
    gen.index_text(m.name);
  }
  for (const auto& f : item.faqs) {
    gen.increase_termpos();
    gen.index_text(f.question);
    gen.increase_termpos();
    gen.index_text(f.answer);
  }
  gen.increase_termpos();
  gen.index_text(dept_names_[item.code]);
  gen.increase_termpos();
  gen.index_text(item.result_name);

  // A weighted (non-boolean) term so that the exact-code query clause scores.
  doc.add_term("XC" + upper(item.code));
  doc.add_boolean_term("Q" + item.code);
  doc.add_boolean_term("XD" + item.dept_id);
  doc.add_boolean_term("XT" + item.item_type);
  for (const auto& o : item.service_objects) doc.add_boolean_term("XO" + o);
  doc.add_boolean_term(item.active ? "XA1" : "XA0");
  doc.add_value(kNameSlot, item.name + '\x1f' + item.code);
  doc.set_data(item.code);
  db_.replace_document("Q" + item.code, doc);
  db_.commit();
}

SearchResult Service::Index::search(const SearchQuery& query) {
  std::lock_guard lock(mu_);
  std::string q = trim(query.q);
  Xapian::Query text;
  if (q.empty()) {
    text = Xapian::Query::MatchAll;
  } else {
    Xapian::QueryParser parser;
    parser.set_database(db_);
    parser.set_default_op(Xapian::Query::OP_OR);
    Xapian::Query parsed;
    try {
      parsed = parser.parse_query(
          q, Xapian::QueryParser::FLAG_CJK_NGRAM | Xapian::QueryParser::FLAG_DEFAULT);
    } catch (const Xapian::QueryParserError&) {
      // User text with unbalanced syntax: search its words literally instead.
      parsed = parser.parse_query(q, Xapian::QueryParser::FLAG_CJK_NGRAM);
    }
    text = Xapian::Query(
        Xapian::Query::OP_OR, parsed,
        Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query("XC" + upper(q)), kCodeBoost));
  }
  std::vector<Xapian::Query> filters;
  if (!query.dept_id.empty()) filters.emplace_back("XD" + query.dept_id);
  if (!query.item_type.empty()) filters.emplace_back("XT" + query.item_type);
  if (!query.service_object.empty()) filters.emplace_back("XO" + query.service_object);
  if (!query.include_inactive) filters.emplace_back("XA1");
  for (const auto& f : filters) text = Xapian::Query(Xapian::Query::OP_FILTER, text, f);

  Xapian::Enquire enquire(db_);
  enquire.set_query(text);
  enquire.set_weighting_scheme(Xapian::BM25Weight());
  if (q.empty()) {
    enquire.set_sort_by_value(kNameSlot, false);
  } else {
    enquire.set_sort_by_relevance_then_value(kNameSlot, false);
  }
  SearchResult out;
  int limit = std::clamp(query.limit, 0, 1000);
  int offset = std::max(query.offset, 0);
  Xapian::MSet mset = enquire.get_mset(offset, limit, db_.get_doccount());
  out.total = mset.get_matches_estimated();
  for (auto it = mset.begin(); it != mset.end(); ++it) {
    auto found = items_.find(it.get_document().get_data());
    if (found != items_.end()) out.items.push_back(found->second);
  }
  return out;
}

}  // namespace yiwang::catalog
