#include "catalog/search_index.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

namespace yiwang::catalog {
namespace {

constexpr Xapian::valueno kNameSlot = 0;
// Name terms count five times as much as the rest of the guide.
constexpr Xapian::termcount kNameWeight = 5;
// An exact implementation-code match outranks any text match.
constexpr double kCodeBoost = 1000.0;
// The official terms a query was read as count three times its own words.
constexpr double kReadingWeight = 3.0;
// An item whose whole name is the query, or one of the terms it was read as, comes first; the
// first name term read names the likeliest item, later ones less so.
constexpr double kNameBoost = 60.0;
// Among equally relevant items, the most applied-for ranks up to this share higher.
constexpr double kPopularityShare = 0.25;
// A query matched only loosely: the best item shares less than this percentage of its words.
constexpr int kWeakPercent = 50;

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string squeeze(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
  return s;
}

// The name without its qualifier: "食品经营许可（新办）" → "食品经营许可", "开办餐馆“一件事”" →
// "开办餐馆". "" when there is none.
std::string short_name(const std::string& name) {
  for (const char* open : {"（", "(", "“"}) {
    auto pos = name.find(open);
    if (pos != std::string::npos && pos > 0) return name.substr(0, pos);
  }
  return "";
}

std::vector<std::string> words(const std::string& s) {
  std::vector<std::string> out;
  std::size_t p = 0;
  while (p < s.size()) {
    auto q = s.find(' ', p);
    if (q == std::string::npos) q = s.size();
    if (q > p) out.push_back(s.substr(p, q - p));
    p = q + 1;
  }
  return out;
}

// The character pairs of each run of Han characters (a lone character by itself), as the index
// holds them: a query matches an item that shares some of them, not only one that holds all.
std::vector<std::string> han_pairs(const std::string& q) {
  std::vector<std::string> out;
  for (const auto& run : lexicon::han_runs(q)) {
    if (run.size() == 1) out.push_back(run[0]);
    for (std::size_t i = 1; i < run.size(); ++i) out.push_back(run[i - 1] + run[i]);
  }
  return out;
}

bool looks_like_code(const std::string& q) {
  return std::count_if(q.begin(), q.end(), [](char c) { return c >= '0' && c <= '9'; }) >= 4;
}

}  // namespace

Service::Index::Index() : db_(std::string(), Xapian::DB_BACKEND_INMEMORY) {}

void Service::Index::upsert(const Item& item, const std::string& dept_name) {
  std::lock_guard lock(mu_);
  if (auto it = items_.find(item.code); it != items_.end() && it->second.version > item.version) {
    return;
  }
  matcher_.reset();  // names, results and active flags feed it
  items_[item.code] = item;
  dept_names_[item.code] = dept_name;
  put(item);
}

void Service::Index::set_active(const std::string& code, bool active) {
  std::lock_guard lock(mu_);
  auto it = items_.find(code);
  if (it == items_.end()) return;
  it->second.active = active;
  matcher_.reset();
  put(it->second);
}

void Service::Index::set_popularity(const std::map<std::string, std::int64_t>& filed) {
  std::lock_guard lock(mu_);
  popularity_ = filed;
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

  // Weighted (non-boolean) terms so that the exact-code and exact-name clauses score.
  doc.add_term("XC" + upper(item.code));
  doc.add_term("XN" + squeeze(lexicon::normalize(item.name)));
  if (auto s = short_name(item.name); !s.empty()) {
    doc.add_term("XN" + squeeze(lexicon::normalize(s)));
  }
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

Service::Index::Reading Service::Index::read(const std::string& normalized) {
  if (!matcher_) {
    // The phrases: every colloquial phrase (read as its official terms) and every item name,
    // with and without its qualifier (read as the name).
    std::vector<std::string> phrases;
    targets_.clear();
    for (const auto& s : lexicon::synonyms()) {
      for (const auto& p : s.phrases) {
        phrases.push_back(p);
        targets_.push_back(s.expansion);
      }
    }
    std::map<std::string, std::string> results;  // result name -> the names of its items
    for (const auto& [code, item] : items_) {
      if (!item.active) continue;
      std::string name = lexicon::normalize(item.name);
      phrases.push_back(item.name);
      targets_.push_back(name);
      if (auto s = short_name(item.name); !s.empty()) {
        phrases.push_back(s);
        targets_.push_back(name);
      }
      if (!item.result_name.empty()) {
        auto& names = results[item.result_name];
        names += (names.empty() ? "" : " ") + name;
      }
    }
    // What an item gives (营业执照, 结婚证) names it too.
    for (const auto& [result, names] : results) {
      phrases.push_back(result);
      targets_.push_back(names);
    }
    matcher_ = std::make_unique<lexicon::Matcher>(std::move(phrases));
  }
  Reading r;
  if (looks_like_code(normalized)) return r;
  std::set<std::string> seen;
  auto add = [&](const std::string& target) {
    if (seen.insert(target).second) r.terms.push_back(target);
  };
  auto matches = matcher_->match(normalized);
  bool literal = false;
  for (const auto& m : matches) {
    if (m.kind != lexicon::Matcher::Kind::literal) break;
    literal = true;
    add(targets_[m.phrase]);
  }
  // A spelled, abbreviated or misheard phrase is read only when nothing was found as written;
  // the closest kind and distance win (up to three phrases of it).
  if (!literal) {
    int taken = 0;
    for (const auto& m : matches) {
      if (m.kind != matches.front().kind || m.distance != matches.front().distance) break;
      if (taken == 0) r.suggestion = matcher_->phrase(m.phrase);
      add(targets_[m.phrase]);
      if (++taken == 3) break;
    }
  }
  r.understood = !matches.empty();
  return r;
}

SearchResult Service::Index::search(const SearchQuery& query) {
  std::lock_guard lock(mu_);
  std::string q = lexicon::normalize(query.q);
  Xapian::Query text;
  Reading reading;
  if (q.empty()) {
    text = Xapian::Query::MatchAll;
  } else {
    reading = read(q);
    Xapian::QueryParser parser;
    parser.set_database(db_);
    parser.set_default_op(Xapian::Query::OP_OR);
    auto parse = [&parser](const std::string& s) {
      try {
        return parser.parse_query(
            s, Xapian::QueryParser::FLAG_CJK_NGRAM | Xapian::QueryParser::FLAG_DEFAULT);
      } catch (const Xapian::QueryParserError&) {
        // User text with unbalanced syntax: search its words literally instead.
        return parser.parse_query(s, Xapian::QueryParser::FLAG_CJK_NGRAM);
      }
    };
    auto pairs = han_pairs(q);
    std::vector<Xapian::Query> clauses{
        parse(q), Xapian::Query(Xapian::Query::OP_OR, pairs.begin(), pairs.end()),
        Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query("XC" + upper(q)), kCodeBoost),
        Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query("XN" + squeeze(q)),
                      kNameBoost)};
    // The first name term read (of the longest phrase found) names the likeliest item.
    double rank = 1;
    for (const auto& terms : reading.terms) {
      clauses.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, parse(terms), kReadingWeight);
      for (const auto& name : words(terms)) {
        clauses.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query("XN" + name),
                             kNameBoost / rank++);
      }
    }
    text = Xapian::Query(Xapian::Query::OP_OR, clauses.begin(), clauses.end());
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
  SearchResult out;
  int limit = std::clamp(query.limit, 0, 1000);
  int offset = std::max(query.offset, 0);
  if (q.empty()) {
    enquire.set_sort_by_value(kNameSlot, false);
    Xapian::MSet mset = enquire.get_mset(offset, limit, db_.get_doccount());
    out.total = mset.get_matches_estimated();
    for (auto it = mset.begin(); it != mset.end(); ++it) {
      auto found = items_.find(it.get_document().get_data());
      if (found != items_.end()) out.items.push_back(found->second);
    }
    return out;
  }
  // Relevance, then popularity: every match is ranked here (a catalog holds thousands of items
  // at most), so that an item applied for often rises among equally relevant ones.
  Xapian::MSet mset = enquire.get_mset(0, db_.get_doccount(), db_.get_doccount());
  out.total = mset.size();
  std::int64_t most = 0;
  for (const auto& [code, n] : popularity_) most = std::max(most, n);
  struct Ranked {
    double score;
    std::string name_key;
    const Item* item;
  };
  std::vector<Ranked> ranked;
  for (auto it = mset.begin(); it != mset.end(); ++it) {
    auto found = items_.find(it.get_document().get_data());
    if (found == items_.end()) continue;
    double share = 0;
    if (auto p = popularity_.find(found->first); p != popularity_.end() && most > 0) {
      share = std::log1p(static_cast<double>(p->second)) / std::log1p(static_cast<double>(most));
    }
    ranked.push_back({it.get_weight() * (1.0 + kPopularityShare * share),
                      found->second.name + '\x1f' + found->first, &found->second});
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
    return a.score != b.score ? a.score > b.score : a.name_key < b.name_key;
  });
  for (std::size_t i = offset; i < ranked.size() && out.items.size() < std::size_t(limit); ++i) {
    out.items.push_back(*ranked[i].item);
  }
  out.suggestion = reading.suggestion;
  out.weak = ranked.empty() ||
             (reading.terms.empty() && !mset.empty() && mset.begin().get_percent() < kWeakPercent);
  return out;
}

}  // namespace yiwang::catalog
