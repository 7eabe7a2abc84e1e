// HTTP route of the leadership cockpit (领导驾驶舱): GET /api/v1/cockpit/summary[?days=7..90].
#include <charconv>

#include "cases/internal.h"
#include "identity/routes.h"

namespace yiwang::cases::detail {
namespace {

using http::Json;
using http::PathParams;
using http::Request;

Json summary_json(const CockpitSummary& s) {
  Json by_state = Json::object();
  for (const auto& [state, n] : s.by_state) by_state[std::string(to_string(state))] = n;

  Json departments = Json::array();
  for (const auto& d : s.departments) {
    departments.push_back({{"dept_id", d.dept_id},
                           {"dept_name", d.dept_name},
                           {"total", d.total},
                           {"open", d.open},
                           {"completed", d.completed},
                           {"overdue", d.overdue},
                           {"period_completed", d.period_completed},
                           {"period_on_time", d.period_on_time},
                           {"on_time_rate", http::or_null(d.on_time_rate)},
                           {"avg_working_days", http::or_null(d.avg_working_days)},
                           {"promised_days", http::or_null(d.promised_days)},
                           {"satisfaction", http::or_null(d.satisfaction)}});
  }
  Json overdue = Json::array();
  for (const auto& o : s.overdue) {
    overdue.push_back(
        {{"case_id", o.case_id},
         {"item_name", o.item_name},
         {"dept_id", o.dept_id},
         {"dept_name", o.dept_name},
         {"clock", o.clock},
         {"days_over", o.days_over},
         {"natural_days", o.natural_days},
         {"deadline", o.deadline ? Json(core::format_date(*o.deadline)) : Json(nullptr)}});
  }
  Json trend = Json::array();
  for (const auto& d : s.trend) {
    trend.push_back(
        {{"date", core::format_date(d.date)}, {"filed", d.filed}, {"completed", d.completed}});
  }
  return {
      {"generated_at", core::format_instant(s.generated_at_ms)},
      {"swept_at", s.swept_at_ms > 0 ? Json(core::format_instant(s.swept_at_ms)) : Json(nullptr)},
      {"days", s.days},
      {"period",
       {{"from", core::format_date(s.period_from)},
        {"to", core::format_date(s.period_to)},
        {"completed", s.period_completed},
        {"on_time", s.period_on_time}}},
      {"totals",
       {{"cases", s.cases},
        {"open", s.open},
        {"completed", s.completed},
        {"red", s.red},
        {"yellow", s.yellow}}},
      {"by_state", std::move(by_state)},
      {"by_department", std::move(departments)},
      {"channels", {{"online", s.online}, {"window", s.window}}},
      {"online_rate", http::or_null(s.online_rate)},
      {"on_time_rate", http::or_null(s.on_time_rate)},
      {"on_time_goal", s.on_time_goal},
      {"avg_working_days", http::or_null(s.avg_working_days)},
      {"avg_promised_days", http::or_null(s.avg_promised_days)},
      {"satisfaction",
       {{"count", s.rating_count},
        {"average", http::or_null(s.rating_average)},
        {"good_rate", http::or_null(s.good_rate)}}},
      {"overdue", std::move(overdue)},
      {"trend", std::move(trend)}};
}

// ?days=N (default 30); the service checks the range.
Result<int> days_param(const Request& req) {
  int days = 30;
  if (auto text = req.query_param("days")) {
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), days);
    if (ec != std::errc() || end != text->data() + text->size()) {
      return fail(ErrorCode::invalid_input, "/days", "天数须为7至90之间的整数",
                  "days must be an integer between 7 and 90");
    }
  }
  return days;
}

}  // namespace

void register_cockpit_routes(http::Router& router, Service& service, identity::Service& identity) {
  identity::Routes api(router, identity);
  api.add("GET", "/api/v1/cockpit/summary",
          [&](const Request& req, const PathParams&, const identity::Principal& who) {
            return days_param(req)
                .and_then([&](int days) { return service.cockpit(who, days); })
                .map(summary_json);
          });
}

}  // namespace yiwang::cases::detail
