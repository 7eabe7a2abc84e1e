// 好差评: one rating per completed case by its applicant; bad ratings open a rectification task
// (整改) for the handling department, closed with a callback note (回访).
#include <nlohmann/json.hpp>

#include "cases/internal.h"
#include "core/text.h"
#include "core/utf8.h"
#include "store/record_id.h"

namespace yiwang::cases {

namespace {

using identity::Role;
using nlohmann::json;

bool sees_all(const identity::Principal& by) {
  return by.is_official() && (by.has_role(Role::supervisor) || by.has_role(Role::admin));
}

Status validate(const NewRating& r) {
  if (r.level < 1 || r.level > 5) {
    return fail(ErrorCode::invalid_input, "/level", "评价等级须为1至5", "level must be 1 to 5");
  }
  if (r.indicators.size() > 10) {
    return fail(ErrorCode::invalid_input, "/indicators", "评价指标最多10项",
                "at most 10 indicators");
  }
  for (std::size_t i = 0; i < r.indicators.size(); ++i) {
    const auto& s = r.indicators[i];
    if (core::trim(s).empty() || core::utf8_length(s) > 30) {
      return fail(ErrorCode::invalid_input, "/indicators/" + std::to_string(i),
                  "评价指标须为1至30个字", "an indicator must be 1 to 30 characters");
    }
  }
  if (core::utf8_length(r.comment) > 500) {
    return fail(ErrorCode::invalid_input, "/comment", "评价内容不能超过500字",
                "comment must be at most 500 characters");
  }
  return {};
}

Rectification rectification_of(const store::Row& row) {
  Rectification r;
  r.id = row.text(0);
  r.case_id = row.text(1);
  r.dept_id = row.text(2);
  r.status = row.text(3);
  r.opened_at_ms = row.int64(4);
  core::parse_date(row.text(5), r.due);
  r.note = row.text(6);
  r.closed_at_ms = row.opt_int64(7);
  r.closed_by = row.text(8);
  return r;
}

constexpr const char* kRectificationColumns =
    "id, case_id, dept_id, status, opened_at_ms, due_date, note, closed_at_ms, closed_by";

json rectification_json(const Rectification& r) {
  return json{{"id", r.id},
              {"case_id", r.case_id},
              {"dept_id", r.dept_id},
              {"status", r.status},
              {"due", core::format_date(r.due)},
              {"note", r.note}};
}

}  // namespace

std::string_view rating_label(int level) {
  switch (level) {
    case 5:
      return "非常满意";
    case 4:
      return "满意";
    case 3:
      return "基本满意";
    case 2:
      return "不满意";
    case 1:
      return "非常不满意";
    default:
      return "";
  }
}

namespace {

// The rated case's columns: state, applicant_user_id, item_code, item_name, dept_id. Only the
// applicant rates, once, after completion; officials who may see the case learn that rating is
// not theirs, anyone else learns nothing about the case.
// The case `by` rates as its applicant, or why not: not_found outside their view, forbidden for
// those who see it (officials of its departments, supervisors).
Result<store::Row> own_case(store::Tx& tx, const std::string& id, const identity::Principal& by) {
  auto c = tx.query_one(
      "SELECT state, applicant_user_id, item_code, item_name, dept_id FROM cases WHERE id = ?",
      {id});
  if (!c) return fail(ErrorCode::not_found, "", "办件不存在", "no such case");
  const std::string applicant = c->text(1);
  if (!applicant.empty() && applicant == by.user_id) return *c;
  bool visible = sees_all(by);
  if (!visible && by.is_official()) {
    visible =
        tx.query_one("SELECT 1 FROM case_depts WHERE case_id = ? AND dept_id = ?", {id, by.dept_id})
            .has_value();
  }
  if (visible) {
    return fail(ErrorCode::forbidden, "", "只有申请人可以评价办件",
                "only the applicant may rate a case");
  }
  return fail(ErrorCode::not_found, "", "办件不存在", "no such case");
}

Result<store::Row> case_to_rate(store::Tx& tx, const std::string& id,
                                const identity::Principal& by) {
  auto c = own_case(tx, id, by);
  if (!c) return c;
  if (c->text(0) != "completed") {
    return fail(ErrorCode::conflict, "", "办件办结后才能评价",
                "a case can be rated once it is completed");
  }
  if (tx.query_one("SELECT 1 FROM ratings WHERE case_id = ?", {id})) {
    return fail(ErrorCode::conflict, "", "该办件已评价", "the case has been rated already");
  }
  return *c;
}

// A bad rating (≤ 2) opens a rectification task (差评整改) due in `days` working days, told to
// the department's oversight.
void open_rectification(store::Tx& tx, const core::Clock& clock, core::Random& random,
                        const Rating& rating, const std::string& dept_id,
                        const std::string& item_name, int days, const identity::Principal& by) {
  const core::Millis now = rating.rated_at_ms;
  const core::Date due = detail::load_calendar(tx).add_working_days(core::china_date(now), days);
  Rectification rect;
  rect.id = rating.rectification_id;
  rect.case_id = rating.case_id;
  rect.dept_id = dept_id;
  rect.status = "open";
  rect.opened_at_ms = now;
  rect.due = due;
  tx.exec(std::string("INSERT INTO rectifications (") + kRectificationColumns +
              ") VALUES (?, ?, ?, 'open', ?, ?, '', NULL, '')",
          {rect.id, rating.case_id, dept_id, now, core::format_date(due)});
  events::append(tx, clock,
                 {.type = "rectification.opened",
                  .subject_type = "rectification",
                  .subject_id = rect.id,
                  .actor = identity::actor_of(by),
                  .reason = rating.comment,
                  .after_json = rectification_json(rect).dump(),
                  .data_json = json{{"level", rating.level}, {"label", rating.label}}.dump()});

  InboxMessage m;
  m.kind = "rectification";
  m.title = "差评整改：" + item_name + "（" + rating.case_id + "）评价为“" + rating.label +
            "”，请于" + core::format_date(due) + "前完成整改回访";
  m.body =
      "整改单号：" + rect.id + "；评价内容：" + (rating.comment.empty() ? "无" : rating.comment);
  m.subject_type = "rectification";
  m.subject_id = rect.id;
  detail::post_inbox(tx, random, now, detail::oversight_recipients(tx, dept_id), m);
}

}  // namespace

Status Service::may_rate(std::string_view case_id, const identity::Principal& by) {
  const std::string id(case_id);
  return impl_->store.read([&](store::Tx& tx) -> Status {
    auto c = own_case(tx, id, by);
    if (!c) return fail(c.error());
    return {};
  });
}

Result<Rating> Service::rate(std::string_view case_id, const NewRating& r,
                             const identity::Principal& by) {
  if (auto ok = validate(r); !ok) return fail(ok.error());
  auto& impl = *impl_;
  const std::string id(case_id);
  return impl.store.write([&](store::Tx& tx) -> Result<Rating> {
    auto c = case_to_rate(tx, id, by);
    if (!c) return fail(c.error());
    const core::Millis now = impl.clock.now_ms();
    const std::string item_code = c->text(2), item_name = c->text(3), dept_id = c->text(4);

    Rating rating;
    rating.case_id = id;
    rating.level = r.level;
    rating.label = std::string(rating_label(r.level));
    rating.indicators = r.indicators;
    rating.comment = r.comment;
    rating.rated_by = by.user_id;
    rating.rated_at_ms = now;
    if (r.level <= 2) {
      auto rid = store::new_record_id(
          tx, impl.random, now,
          {.table = "rectifications", .prefix = "ZG", .dated = false, .digits = 16});
      if (!rid) return fail(rid.error());
      rating.rectification_id = std::move(*rid);
    }
    tx.exec(
        "INSERT INTO ratings (case_id, item_code, dept_id, level, label, indicators_json, comment, "
        "rated_by, rated_at_ms, rectification_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {id, item_code, dept_id, std::int64_t{rating.level}, rating.label,
         json(rating.indicators).dump(), rating.comment, by.user_id, now, rating.rectification_id});
    events::append(tx, impl.clock,
                   {.type = "case.rated",
                    .subject_type = "case",
                    .subject_id = id,
                    .actor = identity::actor_of(by),
                    .reason = rating.comment,
                    .after_json = json{{"level", rating.level},
                                       {"label", rating.label},
                                       {"indicators", rating.indicators},
                                       {"comment", rating.comment}}
                                      .dump()});
    if (!rating.rectification_id.empty()) {
      open_rectification(tx, impl.clock, impl.random, rating, dept_id, item_name,
                         impl.options.rectification_days, by);
    }
    return rating;
  });
}

Result<std::vector<RatingGroup>> Service::rating_summary(std::string_view group_by,
                                                         const identity::Principal& by) {
  if (group_by != "item" && group_by != "dept") {
    return fail(ErrorCode::invalid_input, "/by", "分组方式须为 item 或 dept",
                "by must be item or dept");
  }
  if (!by.is_official()) {
    return fail(ErrorCode::forbidden, "", "无权查看评价汇总", "only officials may see ratings");
  }
  const bool all = sees_all(by);
  const bool by_item = group_by == "item";
  return impl_->store.read([&](store::Tx& tx) -> Result<std::vector<RatingGroup>> {
    std::string sql =
        by_item ? "SELECT r.item_code, MAX(c.item_name), " : "SELECT r.dept_id, MAX(d.name), ";
    sql +=
        "COUNT(*), SUM(r.level), SUM(CASE WHEN r.level <= 2 THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN r.level >= 4 THEN 1 ELSE 0 END) FROM ratings r ";
    sql += by_item ? "JOIN cases c ON c.id = r.case_id "
                   : "LEFT JOIN departments d ON d.id = r.dept_id ";
    store::Params params;
    if (!all) {
      sql += "WHERE r.dept_id = ? ";
      params.emplace_back(by.dept_id);
    }
    sql += by_item ? "GROUP BY r.item_code ORDER BY r.item_code"
                   : "GROUP BY r.dept_id ORDER BY r.dept_id";
    std::vector<RatingGroup> groups;
    for (const auto& row : tx.query(sql, params)) {
      RatingGroup g;
      g.key = row.text(0);
      g.name = row.text(1);
      g.count = row.int64(2);
      g.bad = row.int64(4);
      if (g.count > 0) {
        g.average = static_cast<double>(row.int64(3)) / static_cast<double>(g.count);
        g.satisfaction = static_cast<double>(row.int64(5)) / static_cast<double>(g.count);
      }
      groups.push_back(std::move(g));
    }
    return groups;
  });
}

Result<std::vector<Rectification>> Service::rectifications(std::string_view status,
                                                           const identity::Principal& by) {
  if (!status.empty() && status != "open" && status != "closed") {
    return fail(ErrorCode::invalid_input, "/status", "状态须为 open 或 closed",
                "status must be open or closed");
  }
  if (!by.is_official()) {
    return fail(ErrorCode::forbidden, "", "无权查看整改任务",
                "only officials may see rectifications");
  }
  const bool all = sees_all(by);
  const std::string st(status);
  return impl_->store.read([&](store::Tx& tx) -> Result<std::vector<Rectification>> {
    std::string sql =
        std::string("SELECT ") + kRectificationColumns + " FROM rectifications WHERE 1 = 1";
    store::Params params;
    if (!st.empty()) {
      sql += " AND status = ?";
      params.emplace_back(st);
    }
    if (!all) {
      sql += " AND dept_id = ?";
      params.emplace_back(by.dept_id);
    }
    // Bounded; open tasks are few, closed ones are read in the audit trail.
    sql += " ORDER BY opened_at_ms DESC, id LIMIT 1000";
    std::vector<Rectification> out;
    for (const auto& row : tx.query(sql, params)) out.push_back(rectification_of(row));
    return out;
  });
}

namespace {

// The rectification `by` may close, or why not: not_found outside their view, forbidden for a
// role that does not close rectifications.
Result<Rectification> closable(store::Tx& tx, const std::string& id,
                               const identity::Principal& by) {
  if (!by.is_official()) {
    return fail(ErrorCode::forbidden, "", "无权办理整改任务",
                "only officials may close rectifications");
  }
  auto row = tx.query_one(
      std::string("SELECT ") + kRectificationColumns + " FROM rectifications WHERE id = ?", {id});
  if (!row) return fail(ErrorCode::not_found, "", "整改任务不存在", "no such rectification");
  Rectification r = rectification_of(*row);
  const bool own_dept = by.dept_id == r.dept_id;
  if (!own_dept && !sees_all(by)) {
    return fail(ErrorCode::not_found, "", "整改任务不存在", "no such rectification");
  }
  const bool may = by.has_role(Role::admin) ||
                   (own_dept && (by.has_role(Role::approver) || by.has_role(Role::supervisor)));
  if (!may) {
    return fail(ErrorCode::forbidden, "", "只有本部门分管领导、监察人员或管理员可以办结整改",
                "only the department's approvers or supervisors, or administrators, may close it");
  }
  return r;
}

}  // namespace

Status Service::may_close_rectification(std::string_view id, const identity::Principal& by) {
  const std::string rid(id);
  return impl_->store.read([&](store::Tx& tx) -> Status {
    auto r = closable(tx, rid, by);
    if (!r) return fail(r.error());
    return {};
  });
}

Result<Rectification> Service::close_rectification(std::string_view id, std::string note,
                                                   const identity::Principal& by) {
  note = core::trim(note);
  if (note.empty() || core::utf8_length(note) > 1000) {
    return fail(ErrorCode::invalid_input, "/note", "须填写1至1000字的整改回访说明",
                "a note of 1 to 1000 characters is required");
  }
  auto& impl = *impl_;
  const std::string rid(id);
  return impl.store.write([&](store::Tx& tx) -> Result<Rectification> {
    auto found = closable(tx, rid, by);
    if (!found) return fail(found.error());
    Rectification r = std::move(*found);
    if (r.status != "open") {
      return fail(ErrorCode::conflict, "", "整改任务已办结", "the rectification is closed already");
    }
    json before = rectification_json(r);
    const core::Millis now = impl.clock.now_ms();
    r.status = "closed";
    r.note = note;
    r.closed_at_ms = now;
    r.closed_by = by.user_id;
    tx.exec(
        "UPDATE rectifications SET status = 'closed', note = ?, closed_at_ms = ?, closed_by = ? "
        "WHERE id = ?",
        {note, now, by.user_id, rid});
    events::append(tx, impl.clock,
                   {.type = "rectification.closed",
                    .subject_type = "rectification",
                    .subject_id = rid,
                    .actor = identity::actor_of(by),
                    .reason = note,
                    .before_json = before.dump(),
                    .after_json = rectification_json(r).dump(),
                    .data_json = json{{"case_id", r.case_id}}.dump()});
    return r;
  });
}

}  // namespace yiwang::cases
