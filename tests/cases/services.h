// What every cases test sets up: the migrations of the modules a case touches, and identity
// options with the cheapest Argon2id cost (tests check behaviour, not password strength).
#pragma once

#include <vector>

#include "cases/cases.h"
#include "events/events.h"

namespace yiwang::cases::testing {

inline std::vector<store::Migration> case_migrations() {
  std::vector<store::Migration> all;
  for (auto list :
       {events::migrations(), identity::migrations(), catalog::migrations(), cases::migrations()}) {
    all.insert(all.end(), list.begin(), list.end());
  }
  return all;
}

inline identity::Options fast_hashing() {
  identity::Options o;
  o.pwhash_opslimit = 1;
  o.pwhash_memlimit = 8192;
  return o;
}

}  // namespace yiwang::cases::testing
