// 12345 ↔ 一网统管: one event stream for the hotline and city management. An appeal the hotline
// dispatches to the grid centre becomes a grid event (source hotline_12345, external_ref = the
// appeal id) and the appeal records the event ("appeal.linked"); when that event is closed
// (结案), its outcome answers the appeal ("appeal.replied", in the ledger). An appeal without
// coordinates, or outside the district, stays with the grid centre as an ordinary appeal.
// Internal to the app module.
#pragma once

#include <memory>
#include <string>

#include "core/result.h"

namespace yiwang::store {
class Store;
}
namespace yiwang::events {
class Follower;
}
namespace yiwang::appeals {
class Service;
}
namespace yiwang::grid {
class Service;
}

namespace yiwang::app {

class CityLink {
 public:
  CityLink(store::Store& store, appeals::Service& appeals, grid::Service& grid);
  ~CityLink();
  CityLink(const CityLink&) = delete;
  CityLink& operator=(const CityLink&) = delete;
  // Handles the events since the last call; returns how many it read.
  Result<int> poll_once();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The grid event class an appeal's words suggest (4 digits: major + minor), from a keyword
// table; "0601" (其他事件) when nothing matches. The grid centre's 受理员 checks it at 立案.
std::string grid_class_for(const std::string& text);

}  // namespace yiwang::app
