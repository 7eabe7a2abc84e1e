// Private to the grid module: Service::Impl and the helpers its source files share (row mappers,
// input checks, who-is-who). The demo generator reaches the Impl through DemoAccess.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "core/refresh_cache.h"
#include "core/thread_annotations.h"
#include "grid/grid.h"

namespace yiwang::grid {

// The cells as of one stored revision with their point-in-polygon index. Immutable once built,
// shared by readers.
struct IndexSnapshot {
  std::int64_t revision = -1;
  std::vector<Cell> cells;
  std::unique_ptr<CellIndex> index;
};

namespace detail {
// Indicator reports by (group, from, to), stamped with the last event's seq (indicators.cpp).
using IndicatorKey = std::tuple<int, core::Millis, core::Millis>;
using IndicatorCache = core::RefreshCache<IndicatorKey, std::int64_t, IndicatorReport>;
std::unique_ptr<IndicatorCache> indicator_cache(Service::Impl& impl);
}  // namespace detail

struct Service::Impl {
  Impl(store::Store& s, const core::Clock& c, core::Random& r, identity::Service& i, Options o);

  // Constant after construction: read without the lock.
  store::Store& store;
  const core::Clock& clock;
  core::Random& random;
  identity::Service& identity;
  const Options options;

  core::Mutex index_mu;
  std::shared_ptr<const IndexSnapshot> index GUARDED_BY(index_mu);  // the latest built

  Result<core::WorkingCalendar> calendar() const;
  // The index for the cell set visible in `tx`, rebuilt when the stored revision moved.
  Result<std::shared_ptr<const IndexSnapshot>> index_in(store::Tx& tx) EXCLUDES(index_mu);
  Result<Location> locate_in(store::Tx& tx, Point p);
  Result<Cell> cell_in(store::Tx& tx, std::string_view code);

  // The loop inside a caller's write transaction, timed and recorded by `clock` (the demo runs
  // it on a simulated clock). events.cpp.
  Result<GridEvent> report_in(store::Tx& tx, const core::Clock& clock,
                              const core::WorkingCalendar& calendar, const NewReport& r,
                              const identity::Principal* by);
  Result<GridEvent> act_in(store::Tx& tx, const core::Clock& clock,
                           const core::WorkingCalendar& calendar, std::string_view id,
                           const ActionRequest& a, const identity::Principal& by);
  // The report of `q` at `now`, computed (indicators.cpp).
  Result<IndicatorReport> compute_indicators(const IndicatorQuery& q, core::Millis now);

  // Last: destroyed first, joining its refresher before what it reads goes.
  std::unique_ptr<detail::IndicatorCache> indicators;
};

struct DemoAccess {
  static Service::Impl& impl(Service& s) { return *s.impl_; }
};

namespace detail {

// ---- Errors and input checks (service.cpp; pure) ------------------------------------------------

tl::unexpected<Error> bad(std::string field, std::string zh, std::string en);
tl::unexpected<Error> forbidden(std::string zh, std::string en);
tl::unexpected<Error> conflict(std::string zh, std::string en);

// A free text field, checked by core::check_text (core/text_check.h).
Status check_text(std::string_view v, const std::string& field, std::size_t min, std::size_t max,
                  bool multiline);
// At most 9 photo references, each a distinct sha256 ("/photos/1" names the offending one).
Status check_photo_refs(const std::vector<std::string>& photos, const std::string& field);
// Options::photo_check on each photo (an image `by` uploaded), the first refusal with the
// photo's field; nullopt when every photo passes or there is no check.
std::optional<Error> upload_refusal(store::Tx& tx, const Options& o,
                                    const std::vector<std::string>& photos,
                                    const std::string& field, const identity::Principal& by);
// A finite lon/lat within range (invalid_input "/location").
Status check_point(Point p);

// ---- Who is who (service.cpp) -------------------------------------------------------------------

bool is_center_staff(const identity::Principal& by, const Options& o);
bool center_role(const identity::Principal& by, std::string_view center, identity::Role r);
bool is_admin(const identity::Principal& by);
// A clerk, reviewer or approver of `dept` (the handling department).
bool dept_official(const identity::Principal& by, std::string_view dept);

// ---- Rows ---------------------------------------------------------------------------------------

// Cells (cells.cpp).
extern const char* const kCellColumns;
Cell cell_of(const store::Row& r);
// Classes (classes.cpp).
std::optional<Class> load_class(store::Tx& tx, ClassKind kind, std::string_view code);
// The seed migration's SQL: data/grid/classes.tsv as INSERT statements.
std::string default_classes_sql();
// Components (components.cpp): the nearest one within `max_m` metres of `p` that is not removed,
// of `class_code` when given (the first by code among equally near ones).
std::optional<NearestComponent> nearest_in(store::Tx& tx, Point p, double max_m,
                                           std::string_view class_code);
// Photos (events.cpp): which event names which photo, for read access to the files.
void index_photos(store::Tx& tx, const std::string& event_id,
                  const std::vector<std::string>& photos);

}  // namespace detail
}  // namespace yiwang::grid
