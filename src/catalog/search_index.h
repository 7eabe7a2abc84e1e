// Private to the catalog: the in-memory Xapian index behind Service::search.
//
// Xapian objects are not thread-safe, so every access holds `mu`. The index also caches the
// current version of every item, so search results need no store round trip; it is rebuilt from
// the store when the Service is constructed and updated after each committed publish.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include <xapian.h>

#include "catalog/catalog.h"
#include "lexicon/lexicon.h"

namespace yiwang::catalog {

struct Service::Index {
  Index();

  // Replaces the item's document unless a newer version is already indexed (publishers may
  // finish out of order).
  void upsert(const Item& item, const std::string& dept_name);
  void set_active(const std::string& code, bool active);
  SearchResult search(const SearchQuery& query);
  void set_popularity(const std::map<std::string, std::int64_t>& filed);

 private:
  // What a query means besides its own words: official terms and the phrase understood.
  struct Reading {
    std::vector<std::string> terms;  // each a space-separated list, most specific first
    std::string suggestion;
    bool understood = false;  // a known phrase was found (as written, spelled or sounded)
  };
  void put(const Item& item);
  Reading read(const std::string& normalized);
  std::mutex mu_;
  // Built lazily from the synonyms and the item names (rebuilt after a name changes).
  std::unique_ptr<lexicon::Matcher> matcher_;
  std::vector<std::string> targets_;  // per matcher phrase: what to search for
  std::map<std::string, std::int64_t> popularity_;  // code -> applications
  Xapian::WritableDatabase db_;
  std::map<std::string, Item> items_;              // code -> current version
  std::map<std::string, std::string> dept_names_;  // code -> implementing department's name
};

}  // namespace yiwang::catalog
