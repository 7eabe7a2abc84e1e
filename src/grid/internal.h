// Shared between the grid service, its demo generator and nothing else.
#pragma once

#include <memory>
#include <mutex>

#include "grid/grid.h"

namespace yiwang::grid {

// The cells as of one stored revision with their point-in-polygon index.
struct IndexSnapshot {
  std::int64_t revision = -1;
  std::vector<Cell> cells;
  std::unique_ptr<CellIndex> index;
};

struct Service::Impl {
  store::Store& store;
  const core::Clock& clock;
  core::Random& random;
  identity::Service& identity;
  Options options;
  std::mutex index_mu;
  std::shared_ptr<const IndexSnapshot> index;

  Result<core::WorkingCalendar> calendar() const;
  // The index for the cell set visible in `tx`, rebuilt when the stored revision moved.
  Result<std::shared_ptr<const IndexSnapshot>> index_in(store::Tx& tx);
  Result<Location> locate_in(store::Tx& tx, Point p);

  // The loop inside a caller's write transaction, timed and recorded by `clock` (the demo runs
  // it on a simulated clock). `dispatch_dept_known`: the target department was checked to exist.
  Result<GridEvent> report_in(store::Tx& tx, const core::Clock& clock,
                              const core::WorkingCalendar& calendar, const NewReport& r,
                              const identity::Principal* by);
  Result<GridEvent> act_in(store::Tx& tx, const core::Clock& clock,
                           const core::WorkingCalendar& calendar, std::string_view id,
                           const ActionRequest& a, const identity::Principal& by);
  Result<Cell> cell_in(store::Tx& tx, std::string_view code);
};

struct DemoAccess {
  static Service::Impl& impl(Service& s) { return *s.impl_; }
};

}  // namespace yiwang::grid
