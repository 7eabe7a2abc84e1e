// HTTP routes of hot issues: who may read them, the window, JSON and the CSV export for Excel.
#include <cmath>
#include <cstdio>
#include <memory>
#include <tuple>

#include "appeals/hot_issues.h"
#include "core/field_cipher.h"
#include "core/refresh_cache.h"
#include "identity/routes.h"

namespace yiwang::appeals {
namespace {

using http::Json;
using http::PathParams;
using http::Request;
using http::Response;
using identity::Principal;

// Anyone of the hotline centre, supervisors and admins (the same readers who see every appeal);
// forbidden for others.
Status may_read(const Principal& by, const HotOptions& o) {
  if (by.is_official() &&
      (by.dept_id == o.hotline_dept_id || by.has_role(identity::Role::supervisor) ||
       by.has_role(identity::Role::admin))) {
    return {};
  }
  return fail(ErrorCode::forbidden, "", "只有热线中心、监察人员和管理员可以查看热点问题",
              "only the hotline centre, supervisors and admins may read hot issues");
}

Result<int> int_param(const Request& req, const char* name, int fallback, int min, int max) {
  auto text = req.query_param(name);
  if (!text) return fallback;
  int value = 0;
  bool digits = !text->empty() && text->size() <= 9 &&
                text->find_first_not_of("0123456789") == std::string::npos;
  if (digits) value = std::stoi(*text);
  if (!digits || value < min || value > max) {
    std::string range = std::to_string(min) + ".." + std::to_string(max);
    return fail(ErrorCode::invalid_input, name,
                std::string(name) + " 须为 " + range + " 之间的整数",
                std::string(name) + " must be an integer in " + range);
  }
  return value;
}

struct Computed {
  int days = 0;
  core::Millis now = 0;
  std::size_t appeals = 0;
  std::vector<HotIssue> issues;
};

// Reads the window's appeals in one snapshot and groups them; the caller is authorised.
Result<Computed> compute(int days, core::Millis now, store::Store& store, const HotOptions& o) {
  Computed c;
  c.days = days;
  c.now = now;
  const core::Millis since = c.now - static_cast<core::Millis>(days) * core::kDayMs;
  auto messages = store.read([&](store::Tx& tx) -> Result<std::vector<HotMessage>> {
    auto rows = tx.query(
        "SELECT id, identity_key, title, text, location, created_at_ms, merged_count, dept_id "
        "FROM appeals WHERE created_at_ms >= ? AND created_at_ms <= ? "
        "ORDER BY created_at_ms DESC, id LIMIT " +
            std::to_string(std::max(1, o.max_messages)),
        {since, c.now});
    std::vector<HotMessage> out;
    out.reserve(rows.size());
    for (const auto& r : rows) {
      HotMessage m;
      m.id = r.text(0);
      m.user = r.text(1);
      m.title = tx.cipher().open_cell(r.text(2), "appeals.title", m.id);
      m.text = tx.cipher().open_cell(r.text(3), "appeals.text", m.id);
      m.location = tx.cipher().open_cell(r.text(4), "appeals.location", m.id);
      m.created_at_ms = r.int64(5);
      // Appeals carry no likes yet; a merged repeat is another report by the same person.
      m.reports = 1 + static_cast<int>(std::max<std::int64_t>(0, r.int64(6)));
      m.dept_id = r.text(7);
      out.push_back(std::move(m));
    }
    return out;
  });
  if (!messages) return fail(messages.error());
  HotOptions run = o;
  run.now_ms = c.now;
  auto result = find_hot_issues(*messages, run);
  c.appeals = result.messages;
  c.issues = std::move(result.issues);
  return c;
}

// What the grouping of a window depends on: an appeal added, changed (every update raises its
// revision) or out of the window changes it.
using WindowStamp = std::tuple<std::int64_t, std::int64_t, std::int64_t>;

Result<WindowStamp> stamp_of(store::Store& store, core::Millis since, core::Millis until) {
  return store.read([&](store::Tx& tx) -> Result<WindowStamp> {
    auto row = tx.query_one(
        "SELECT COUNT(*), COALESCE(SUM(revision), 0), COALESCE(MAX(created_at_ms), 0) "
        "FROM appeals WHERE created_at_ms >= ? AND created_at_ms <= ?",
        {since, until});
    if (!row) return WindowStamp{};
    return WindowStamp{row->int64(0), row->int64(1), row->int64(2)};
  });
}

// The last grouping of each window, computed off the request path (core/refresh_cache.h): the
// cockpit and every hotline screen refresh every 30 s and grouping a crowded window takes seconds.
using HotCache = core::RefreshCache<int, WindowStamp, Computed>;

std::shared_ptr<HotCache> hot_cache(store::Store& store, const core::Clock& clock,
                                    const HotOptions& options) {
  HotCache::Source source{
      "hot issues",
      [&store](const int& days, core::Millis now) {
        return stamp_of(store, now - static_cast<core::Millis>(days) * core::kDayMs, now);
      },
      [&store, options](const int& days, core::Millis now) {
        return compute(days, now, store, options);
      }};
  return std::make_shared<HotCache>(std::move(source), clock, options.cache_ms);
}

double one_decimal(double x) {
  return std::round(x * 10) / 10;
}

Json issue_json(const HotIssue& h) {
  return {{"id", h.id},
          {"title", h.title},
          {"place", h.place},
          {"entities", h.entities},
          {"count", h.count},
          {"people", h.people},
          {"likes", h.likes},
          {"first_at", core::format_instant(h.first_at_ms)},
          {"last_at", core::format_instant(h.last_at_ms)},
          {"span_days", one_decimal(h.span_days)},
          {"heat", h.heat},
          {"appeal_ids", h.member_ids},
          {"dept_ids", h.dept_ids}};
}

// RFC 4180 quoting; a cell that Excel would read as a formula is prefixed with an apostrophe,
// since titles are citizens' words.
std::string csv_cell(std::string s) {
  if (!s.empty() && std::string_view("=+-@\t\r").find(s[0]) != std::string_view::npos) {
    s.insert(0, "'");
  }
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ";") + s;
  return out;
}

std::string number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", x);
  return buf;
}

Json window_json(const Computed& c, int limit) {
  Json issues = Json::array();
  for (std::size_t i = 0; i < c.issues.size() && i < std::size_t(limit); ++i) {
    issues.push_back(issue_json(c.issues[i]));
  }
  return {{"window_days", c.days},
          {"generated_at", core::format_instant(c.now)},
          {"appeals", c.appeals},
          {"total", c.issues.size()},
          {"issues", std::move(issues)}};
}

// The export for Excel: UTF-8 with a BOM, one row per issue, hottest first.
Response csv_of(const Computed& c) {
  std::string body = "\xEF\xBB\xBF";  // so that Excel reads UTF-8
  body +=
      "rank,id,title,place,entities,count,people,likes,first_at,last_at,span_days,heat,dept_ids,"
      "appeal_ids\r\n";
  int rank = 0;
  for (const auto& h : c.issues) {
    body += std::to_string(++rank) + "," + csv_cell(h.id) + "," + csv_cell(h.title) + "," +
            csv_cell(h.place) + "," + csv_cell(joined(h.entities)) + "," + std::to_string(h.count) +
            "," + std::to_string(h.people) + "," + std::to_string(h.likes) + "," +
            core::format_instant(h.first_at_ms) + "," + core::format_instant(h.last_at_ms) + "," +
            number(one_decimal(h.span_days)) + "," + number(h.heat) + "," +
            csv_cell(joined(h.dept_ids)) + "," + csv_cell(joined(h.member_ids)) + "\r\n";
  }
  Response r;
  r.status = 200;
  r.content_type = "text/csv; charset=utf-8";
  r.body = std::move(body);
  r.headers.emplace_back(
      "Content-Disposition",
      "attachment; filename=\"hot-issues-" + core::format_date(core::china_date(c.now)) + ".csv\"");
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

}  // namespace

void register_hot_issue_routes(http::Router& router, store::Store& store, const core::Clock& clock,
                               identity::Service& identity, HotOptions options) {
  identity::Routes api(router, identity);
  // Shared by both routes; lives as long as the router's handlers.
  auto cache = hot_cache(store, clock, options);
  api.add("GET", "/api/v1/appeals/hot-issues",
          [cache, options](const Request& req, const PathParams&, const Principal& who) {
            return may_read(who, options)
                .and_then([&] {
                  return int_param(req, "days", options.default_days, 1, options.max_days);
                })
                .and_then([&](int days) -> Result<Json> {
                  auto limit = int_param(req, "limit", options.default_limit, 1, options.max_limit);
                  if (!limit) return fail(limit.error());
                  return cache->get(days).map(
                      [&](const HotCache::Shared& c) { return window_json(c->value, *limit); });
                });
          });
  api.add("GET", "/api/v1/appeals/hot-issues.csv",
          [cache, options](const Request& req, const PathParams&, const Principal& who) {
            return may_read(who, options)
                .and_then([&] {
                  return int_param(req, "days", options.default_days, 1, options.max_days);
                })
                .and_then([&](int days) { return cache->get(days); })
                .map([](const HotCache::Shared& c) { return csv_of(c->value); });
          });
}

}  // namespace yiwang::appeals
