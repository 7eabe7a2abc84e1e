// Private to the assistant: Service::Impl (the in-memory index behind one lock) and the helpers
// its source files share.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <xapian.h>

#include "assistant/assistant.h"
#include "assistant/lexicon.h"
#include "catalog/catalog.h"
#include "core/rate_limit.h"
#include "core/thread_annotations.h"
#include "events/events.h"
#include "identity/identity.h"

namespace yiwang::assistant {

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

// How a question is searched: its rewriting, its terms, and the item it names, if any.
struct Plan {
  Rewritten rw;
  std::vector<std::string> topic_terms;  // bigrams (or unigrams when no bigram)
  std::vector<std::vector<std::string>> expansion_terms;
  std::string recognised_code;  // by name or code
  bool by_code = false;
  std::set<std::string> named_by_synonym;  // item codes
};

struct Service::Impl {
  // Constant after construction: read without the lock.
  store::Store& store;
  const core::Clock& clock;
  core::Random& random;
  catalog::Service& catalog;
  const Options options;
  const Lexicon lexicon;

  Impl(store::Store& s, const core::Clock& c, core::Random& r, catalog::Service& cat, Options o);

  // Feedback per signed-in user or, anonymous, per client address: 30 an hour.
  core::RateLimiter feedback_limit{30, 3600LL * 1000};

  // Xapian objects are not thread-safe: one lock guards the index and everything it indexes.
  mutable core::Mutex mu;
  Xapian::WritableDatabase db GUARDED_BY(mu) =
      Xapian::WritableDatabase(std::string(), Xapian::DB_BACKEND_INMEMORY);
  std::map<std::string, catalog::Item> items GUARDED_BY(mu);     // active items by code
  std::map<std::string, std::string> names GUARDED_BY(mu);       // short and full names → code
  std::map<std::string, Document> docs GUARDED_BY(mu);           // by id
  std::map<std::string, StoredPassage> passages GUARDED_BY(mu);  // "doc#pos"
  std::int64_t cursor GUARDED_BY(mu) = 0;                        // last event applied
  int section_count GUARDED_BY(mu) = 0;                          // of the indexed item guides

  // ---- The index (index.cpp) ----
  void put_item(const catalog::Item& item) REQUIRES(mu);
  void drop_item(const std::string& code) REQUIRES(mu);
  void put_document(const Document& d, const std::vector<Passage>& ps) REQUIRES(mu);
  void drop_document(const std::string& id) REQUIRES(mu);
  // The document and its passages; not_found ("/id") when there is none.
  Result<std::pair<Document, std::vector<Passage>>> load_document(store::Tx& tx,
                                                                  const std::string& id);
  // Puts a committed document into the index.
  void index_committed(const Document& d, std::vector<Passage> ps) EXCLUDES(mu);
  // Builds the index from the catalog and the stored documents (at start).
  void rebuild() EXCLUDES(mu);
  Plan plan(const std::string& normalized) const REQUIRES(mu);
  Xapian::Query query_of(const Plan& p, const std::string& restrict_doc) const;
  std::vector<Hit> search(const Plan& p, const std::string& restrict_doc = "") const REQUIRES(mu);

  // ---- Answers (answering.cpp) ----
  Result<Answer> ask(const Question& q) const EXCLUDES(mu);
  Answer answer_search(const Plan& p) const REQUIRES(mu);
  std::optional<Answer> answer_follow_up(const Context& context, const Plan& p) const REQUIRES(mu);
  Source item_source(const catalog::Item& item, const std::string& intent, double score) const;
  std::string compose_item(const catalog::Item& item, const std::string& intent,
                           const Plan& p) const;
  std::string compose_passage(const StoredPassage& sp, const Plan& p, std::string* snippet) const;
  Source passage_source(const std::string& key, const StoredPassage& sp, const Plan& p,
                        double score) const;
  Answer handoff(Answer a, const std::string& why_zh, const std::string& why_en) const;
  Answer answer_item(const catalog::Item& item, const std::string& intent, const Plan& p,
                     double confidence) const;
  void add_source(Answer& a, const Hit& h, const Plan& p) const REQUIRES(mu);
};

namespace detail {

// "/items/<code>" under the options' web base.
std::string item_link(const Options& o, const std::string& code);
// The sections of an item guide (key, text), as the passages an answer may quote.
std::vector<std::pair<std::string, std::string>> item_sections(const catalog::Item& item);
// The distinct bigrams of `s` (its unigrams when it has none).
std::vector<std::string> strong_terms(const std::string& s);
// Share of `terms` among `have`.
double overlap(const std::vector<std::string>& terms, const std::set<std::string>& have);
std::set<std::string> term_set(const std::string& s);
// Upper-cased ASCII (item codes).
std::string upper(std::string s);

// The columns of an assistant_documents row, in document_of's order.
inline constexpr const char* kDocColumns =
    "id, title, format, source, sha256, version, passages, chars, created_at_ms, updated_at_ms";
Document document_of(const store::Row& r);
// The document whose `column` ("id", "sha256") is `value`.
std::optional<Document> find_document(store::Tx& tx, std::string_view column,
                                      const std::string& value);
tl::unexpected<Error> no_such_document(const std::string& id);

}  // namespace detail
}  // namespace yiwang::assistant
