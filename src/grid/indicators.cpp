// Assessment indicators (考核指标) of the events reported in a period, grouped by department,
// street or cell, ranked.
#include <algorithm>
#include <map>

#include "events/events.h"
#include "grid/internal.h"

namespace yiwang::grid {

namespace {

using identity::Principal;

// One event of the period, as the figures need it.
struct Ev {
  std::string dept, street, street_name, cell, cell_name;
  bool registered = false, closed = false, closed_on_time = false;
  int rework = 0;
};

// One step row of an event of the period.
struct StepRow {
  std::string event_id;
  Step step = Step::register_;
  std::string dept;
  int limit = 0;
  int used = 0;  // final once ended; until now while open
  std::string outcome;
};

std::optional<double> rate(std::int64_t num, std::int64_t den) {
  if (den <= 0) return std::nullopt;
  return static_cast<double>(num) / static_cast<double>(den);
}

void add_event(Indicators& g, const Ev& ev) {
  g.reported += 1;
  g.registered += ev.registered;
  g.closed += ev.closed;
  g.closed_on_time += ev.closed && ev.closed_on_time;
  g.rework += ev.rework;
}

void add_step(Indicators& x, const StepRow& s) {
  x.steps += 1;
  if (s.used > s.limit) x.overdue += 1;
  if (s.step == Step::register_ && s.outcome == "done") {
    x.register_steps += 1;
    x.registered_on_time += s.used <= s.limit;
  }
  if (s.step == Step::dispose) {
    x.dispatches += 1;
    if (s.outcome == "sent_back") x.sent_back += 1;
    if (s.outcome == "done") {
      x.disposed += 1;
      x.disposed_on_time += s.used <= s.limit;
      x.dispose_minutes += s.used;
    }
  }
}

void finish(Indicators& g, double goal) {
  g.on_time_register_rate = rate(g.registered_on_time, g.register_steps);
  g.accurate_dispatch_rate = rate(g.dispatches - g.sent_back, g.dispatches);
  g.on_time_dispose_rate = rate(g.disposed_on_time, g.disposed);
  g.close_rate = rate(g.closed, g.registered);
  g.on_time_close_rate = rate(g.closed_on_time, g.closed);
  if (g.disposed > 0) {
    g.avg_dispose_minutes = static_cast<double>(g.dispose_minutes) / g.disposed;
  }
  g.meets_goal = g.on_time_close_rate && *g.on_time_close_rate >= goal;
}

// Best first: on-time close rate, close rate, fewer overdue steps, key.
void rank(std::vector<Indicators>& rows) {
  auto key = [](const std::optional<double>& v) { return v ? *v : -1.0; };
  std::sort(rows.begin(), rows.end(), [&](const Indicators& a, const Indicators& b) {
    if (key(a.on_time_close_rate) != key(b.on_time_close_rate)) {
      return key(a.on_time_close_rate) > key(b.on_time_close_rate);
    }
    if (key(a.close_rate) != key(b.close_rate)) return key(a.close_rate) > key(b.close_rate);
    if (a.overdue != b.overdue) return a.overdue < b.overdue;
    return a.key < b.key;
  });
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i].rank = static_cast<int>(i + 1);
}

// The events reported in [from, to), by id; an event never dispatched counts for the centre.
std::map<std::string, Ev> load_events(store::Tx& tx, const IndicatorQuery& q,
                                      const std::string& center) {
  std::map<std::string, Ev> evs;
  for (const auto& r :
       tx.query("SELECT e.id, e.dept_id, e.street_code, e.cell_code, e.registered_at_ms, "
                "e.closed_at_ms, e.closed_on_time, e.rework_count, g.street_name, g.name "
                "FROM grid_events e LEFT JOIN grid_cells g ON g.code = e.cell_code "
                "WHERE e.reported_at_ms >= ? AND e.reported_at_ms < ?",
                {q.from_ms, q.to_ms})) {
    Ev ev;
    ev.dept = r.text(1).empty() ? center : r.text(1);
    ev.street = r.text(2);
    ev.cell = r.text(3);
    ev.registered = !r.is_null(4);
    ev.closed = !r.is_null(5);
    ev.closed_on_time = r.int64(6) != 0;
    ev.rework = static_cast<int>(r.int64(7));
    ev.street_name = r.text(8);
    ev.cell_name = r.text(9);
    evs.emplace(r.text(0), std::move(ev));
  }
  return evs;
}

// The steps of the period's events; an open step's minutes are read at `now`.
std::vector<StepRow> load_steps(store::Tx& tx, const IndicatorQuery& q,
                                const core::WorkingCalendar& cal, const WorkingHours& hours,
                                core::Millis now) {
  std::vector<StepRow> out;
  for (const auto& r : tx.query(
           "SELECT s.event_id, s.step, s.dept_id, s.started_at_ms, s.ended_at_ms, s.limit_min, "
           "s.used_min, s.outcome FROM grid_steps s JOIN grid_events e ON e.id = s.event_id "
           "WHERE e.reported_at_ms >= ? AND e.reported_at_ms < ?",
           {q.from_ms, q.to_ms})) {
    StepRow s;
    s.event_id = r.text(0);
    s.step = *parse_step(r.text(1));
    s.dept = r.text(2);
    s.limit = static_cast<int>(r.int64(5));
    s.used = !r.is_null(4)
                 ? static_cast<int>(r.int64(6))
                 : static_cast<int>(working_ms_between(cal, r.int64(3), now, hours) / 60000);
    s.outcome = r.text(7);
    out.push_back(std::move(s));
  }
  return out;
}

// The groups of one report: event-level figures go to the event's group, step-level figures to
// the step's department (by dept) or the event's group.
class Tally {
 public:
  Tally(GroupBy by, std::map<std::string, std::string> dept_names)
      : by_(by), dept_names_(std::move(dept_names)) {}

  void event(const Ev& ev, Indicators& total) {
    add_event(of_event(ev), ev);
    add_event(total, ev);
  }

  void step(const Ev& ev, const StepRow& s, Indicators& total) {
    Indicators& g = by_ == GroupBy::dept ? of_dept(s.dept) : of_event(ev);
    add_step(g, s);
    add_step(total, s);
  }

  std::vector<Indicators> rows(double goal) {
    std::vector<Indicators> out;
    for (auto& [k, g] : groups_) {
      finish(g, goal);
      out.push_back(g);
    }
    rank(out);
    return out;
  }

 private:
  Indicators& group(const std::string& key, const std::string& name) {
    auto& g = groups_[key];
    if (g.key.empty()) {
      g.key = key;
      g.name = name;
    }
    return g;
  }

  Indicators& of_dept(const std::string& d) {
    auto it = dept_names_.find(d);
    return group(d, it != dept_names_.end() ? it->second : d);
  }

  Indicators& of_event(const Ev& ev) {
    switch (by_) {
      case GroupBy::dept:
        return of_dept(ev.dept);
      case GroupBy::street:
        return group(ev.street, ev.street_name);
      case GroupBy::cell:
        break;
    }
    return group(ev.cell, ev.cell_name);
  }

  GroupBy by_;
  std::map<std::string, std::string> dept_names_;
  std::map<std::string, Indicators> groups_;
};

}  // namespace

std::unique_ptr<detail::IndicatorCache> detail::indicator_cache(Service::Impl& m) {
  constexpr core::Millis kMaxAgeMs = 60'000;  // overdue counts move with the clock
  constexpr std::size_t kPeriods = 64;        // periods are free: the cache is bounded
  IndicatorCache::Source source{
      "grid indicators",
      [&m](const IndicatorKey&, core::Millis) {
        return m.store.read(
            [](store::Tx& tx) -> Result<std::int64_t> { return events::last_seq(tx); });
      },
      [&m](const IndicatorKey& k, core::Millis now) {
        IndicatorQuery q;
        q.by = static_cast<GroupBy>(std::get<0>(k));
        q.from_ms = std::get<1>(k);
        q.to_ms = std::get<2>(k);
        return m.compute_indicators(q, now);
      }};
  return std::make_unique<IndicatorCache>(std::move(source), m.clock, kMaxAgeMs,
                                          std::chrono::milliseconds(1500), kPeriods);
}

Result<IndicatorReport> Service::indicators(const IndicatorQuery& q, const Principal& by) {
  if (!by.is_official()) {
    return detail::forbidden("仅工作人员可查看考核指标", "indicators are for officials");
  }
  if (q.to_ms <= q.from_ms) {
    return detail::bad("/to", "结束时间须晚于开始时间", "to must be after from");
  }
  const detail::IndicatorKey key{static_cast<int>(q.by), q.from_ms, q.to_ms};
  return impl_->indicators->get(key).map([](const detail::IndicatorCache::Shared& c) {
    IndicatorReport r = c->value;
    r.computed_at_ms = c->at_ms;
    return r;
  });
}

Result<IndicatorReport> Service::Impl::compute_indicators(const IndicatorQuery& q,
                                                          core::Millis now) {
  auto& m = *this;
  auto cal = m.calendar();
  if (!cal) return fail(cal.error());
  const Options& o = m.options;
  std::map<std::string, std::string> dept_names;
  if (q.by == GroupBy::dept) {
    if (auto ds = m.identity.list_departments()) {
      for (const auto& d : *ds) dept_names[d.id] = d.name;
    }
  }
  return m.store.read([&](store::Tx& tx) -> Result<IndicatorReport> {
    IndicatorReport rep;
    rep.goal = o.on_time_goal;
    Tally tally(q.by, dept_names);
    const auto evs = load_events(tx, q, o.center_dept_id);
    for (const auto& [id, ev] : evs) tally.event(ev, rep.total);
    for (const auto& s : load_steps(tx, q, *cal, o.hours, now)) {
      auto it = evs.find(s.event_id);
      if (it != evs.end()) tally.step(it->second, s, rep.total);
    }
    rep.rows = tally.rows(rep.goal);
    finish(rep.total, rep.goal);
    return rep;
  });
}

}  // namespace yiwang::grid
