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

namespace yiwang::catalog {

struct Service::Index {
  Index();

  // Replaces the item's document unless a newer version is already indexed (publishers may
  // finish out of order).
  void upsert(const Item& item, const std::string& dept_name);
  void set_active(const std::string& code, bool active);
  SearchResult search(const SearchQuery& query);

 private:
  void put(const Item& item);
  std::mutex mu_;
  Xapian::WritableDatabase db_;
  std::map<std::string, Item> items_;              // code -> current version
  std::map<std::string, std::string> dept_names_;  // code -> implementing department's name
};

}  // namespace yiwang::catalog
