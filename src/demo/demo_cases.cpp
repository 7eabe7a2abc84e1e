#include "demo/demo_cases.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cases/cases.h"
#include "catalog/catalog.h"
#include "core/calendar.h"
#include "demo/demo.h"
#include "identity/identity.h"

namespace yiwang::demo {
namespace {

using identity::Principal;
using identity::Role;
using nlohmann::json;

constexpr core::Millis kHourMs = 3600LL * 1000;
constexpr const char* kDivision = "329902";

// What becomes of a case if time allows; a case filed recently stops earlier on its own.
enum class Fate {
  completed,
  decided,
  in_review,
  correction,
  suspended,
  not_accepted,
  withdrawn,
  waiting
};

struct Op {
  enum Kind {
    file,
    advance,
    deny,
    request_correction,
    resubmit,
    suspend,
    resume,
    reject,
    withdraw,
    rate
  };
  core::Millis at = 0;
  int case_index = 0;
  Kind kind = advance;
};

struct Person {
  std::string username;  // "" for someone filed for at the window without an account
  std::string kind;
  std::string name;
  std::string id_number;
  std::string phone;
};

const char* kSurnames[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴",
                           "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗"};
const char* kGiven[] = {"伟", "芳", "娜",   "秀英", "敏",   "静",   "丽",   "强",  "磊",   "军",
                        "洋", "勇", "艳",   "杰",   "娟",   "涛",   "明",   "超",  "秀兰", "霞",
                        "平", "刚", "桂英", "建华", "晓东", "子涵", "浩然", "欣怡"};
const char* kStreets[] = {"秦淮大道", "青溪路",   "栖霞街",   "雨花路",
                          "石城巷",   "金陵东路", "玄武大街", "长干里"};
const char* kShops[] = {"青禾", "鼎香", "同心", "惠民", "长乐",
                        "福满", "和顺", "嘉禾", "兴隆", "新城"};
const char* kOpinions[] = {"材料齐全，符合法定形式", "经审查，符合条件", "审查通过，拟同意",
                           "符合规定，同意办理", "核查属实"};

std::string pick(std::mt19937_64& rng, const std::vector<std::string>& v) {
  return v[rng() % v.size()];
}
template <std::size_t N>
std::string pick(std::mt19937_64& rng, const char* const (&v)[N]) {
  return v[rng() % N];
}

std::string make_citizen_id(std::mt19937_64& rng, int birth_year) {
  return demo::make_citizen_id(kDivision, birth_year, int(1 + rng() % 12), int(1 + rng() % 28),
                               int(rng() % 1000));
}

std::string make_uscc(std::mt19937_64& rng) {
  return demo::make_uscc("92", kDivision, static_cast<long>(rng() % 1000000000));
}

std::string make_phone(std::mt19937_64& rng) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "1%d%09d", int(3 + rng() % 7), int(rng() % 1000000000));
  return buf;
}

// A plausible value for one form field, consistent with the applicant where the field asks for
// the applicant's own data.
json field_value(const catalog::FormField& f, const Person& who, core::Date today,
                 std::mt19937_64& rng) {
  if (f.type == "citizen_id")
    return who.kind == "citizen" ? who.id_number : make_citizen_id(rng, 1970 + int(rng() % 30));
  if (f.type == "uscc") return who.kind == "business" ? who.id_number : make_uscc(rng);
  if (f.type == "phone") return who.phone.empty() ? make_phone(rng) : who.phone;
  if (f.type == "enum") return f.options.empty() ? json("") : json(pick(rng, f.options));
  if (f.type == "boolean") return true;
  if (f.type == "date") {
    int back = int(rng() % 300);
    return core::format_date(core::date_from_days(core::days_from_epoch(today) - back));
  }
  if (f.type == "integer" || f.type == "number") {
    double lo = f.min.value_or(1), hi = f.max.value_or(lo + 100);
    hi = std::min(hi, lo + std::max(10.0, (hi - lo) / 50));
    return static_cast<std::int64_t>(lo + static_cast<double>(rng() % 1000) / 1000.0 * (hi - lo));
  }
  std::string value;
  const std::string& n = f.name;
  if (n == "applicant_name" || n == "insured_name" || n == "partner_name" || n == "spouse_name" ||
      n == "child_name") {
    value = n == "applicant_name" || n == "insured_name" ? who.name
                                                         : pick(rng, kSurnames) + pick(rng, kGiven);
  } else if (n.find("address") != std::string::npos) {
    value = "江宁市青溪区" + pick(rng, kStreets) + std::to_string(1 + rng() % 300) + "号";
  } else if (n.find("name") != std::string::npos) {
    value = "江宁市" + pick(rng, kShops) +
            f.label_zh.substr(0, std::min<std::size_t>(f.label_zh.size(), 12));
  } else if (n == "email") {
    value = "service" + std::to_string(rng() % 1000) + "@example.cn";
  } else {
    value = f.label_zh + "（" + std::to_string(1000 + rng() % 9000) + "）";
  }
  // Respect max_length in characters (3 bytes per CJK character is the worst case here).
  while (!value.empty() && static_cast<int>(value.size()) > f.max_length * 3) value.pop_back();
  return value;
}

std::string fill_form(const catalog::Item& item, const Person& who, core::Date today,
                      std::mt19937_64& rng) {
  json form = json::object();
  for (const auto& f : item.form) form[f.name] = field_value(f, who, today, rng);
  return form.dump();
}

// A working-hours instant on or after `t` (09:00–17:00 China time on a working day).
core::Millis office_hours(const core::WorkingCalendar& cal, core::Millis t, std::mt19937_64& rng) {
  core::Date d = core::china_date(t);
  core::Millis day_start = core::china_midnight(d);
  if (t - day_start >= 17 * kHourMs || !cal.is_working_day(d)) {
    d = cal.add_working_days(d, 1);
    day_start = core::china_midnight(d);
    t = day_start + 9 * kHourMs + static_cast<core::Millis>(rng() % (3 * kHourMs));
  }
  return std::max(t, day_start + 9 * kHourMs);
}

}  // namespace

std::string make_citizen_id(std::string_view division, int year, int month, int day, int seq) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6s%04d%02d%02d%03d", std::string(division).c_str(), year, month,
                day, seq % 1000);
  return buf + std::string(1, identity::citizen_id_check(buf));
}

std::string make_uscc(std::string_view category, std::string_view division, long serial) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2s%.6s%09ld", std::string(category).c_str(),
                std::string(division).c_str(), serial % 1000000000);
  return buf + std::string(1, identity::uscc_check(buf));
}

CaseSeeder::CaseSeeder(app::App& app, core::ManualClock& clock, std::uint64_t seed)
    : app_(app), clock_(clock), rng_(seed) {}

namespace {

struct Planned {
  catalog::Item item;
  Person who;
  bool window = false;
  std::string id;
};

// One run of the seeder: the accounts, the planned cases and their operations in time order,
// then playing them through the services. Every draw of `rng` happens in the same order as
// always, so a seed gives the same demo city.
class Seeding {
 public:
  Seeding(app::App& app, core::ManualClock& clock, std::mt19937_64& rng, std::ostream& log)
      : app_(app),
        ids_(app.identity()),
        service_(app.cases()),
        clock_(clock),
        rng_(rng),
        log_(log) {}

  // Staff of every department: the demo accounts for 市场监管, generated ones elsewhere.
  Status create_staff() {
    auto departments = ids_.list_departments();
    if (!departments) return fail(departments.error());
    for (const char* u : {"chuangkou", "shencha", "juece"}) {
      auto p = ids_.find_by_username(u);
      if (!p) return fail(p.error());
      staff_[p->dept_id][*p->roles.begin()] = *p;
    }
    const std::pair<Role, const char*> kRoles[] = {
        {Role::clerk, "clerk"}, {Role::reviewer, "reviewer"}, {Role::approver, "approver"}};
    for (const auto& d : *departments) {
      for (const auto& [role, suffix] : kRoles) {
        if (staff_[d.id].count(role)) continue;
        identity::NewUser u;
        u.username = d.id + "." + suffix;
        u.password = kPassword;
        u.kind = identity::Kind::official;
        u.display_name = d.name + " " + pick(rng_, kSurnames) + pick(rng_, kGiven);
        u.dept_id = d.id;
        u.roles = {role};
        u.phone = make_phone(rng_);
        auto created = ids_.create_user(u, nullptr);
        if (!created) return fail(created.error());
        staff_[d.id][role] = *created;
        ++staff_created_;
      }
    }
    return {};
  }

  // Applicants: the demo citizen and business, generated account holders, and walk-ins.
  Status create_applicants() {
    for (const char* u : {"zhangsan", "qiye"}) {
      auto p = ids_.find_by_username(u);
      if (!p) return fail(p.error());
      accounts_[u] = *p;
      people_.push_back(
          {u, std::string(identity::to_string(p->kind)), p->display_name, p->id_number, p->phone});
    }
    for (int i = 1; i <= 30; ++i) {
      bool business = i > 24;
      identity::NewUser u;
      char name[32];
      std::snprintf(name, sizeof name, business ? "company%02d" : "citizen%02d",
                    business ? i - 24 : i);
      u.username = name;
      u.password = kPassword;
      u.kind = business ? identity::Kind::business : identity::Kind::citizen;
      u.display_name = business ? "江宁市" + pick(rng_, kShops) + "商贸有限公司"
                                : pick(rng_, kSurnames) + pick(rng_, kGiven);
      u.id_number =
          business ? make_uscc(rng_) : make_citizen_id(rng_, i % 6 == 0 ? 1938 + i : 1960 + i);
      u.division_code = kDivision;
      u.phone = make_phone(rng_);
      auto created = ids_.create_user(u, nullptr);
      if (!created) return fail(created.error());
      if (auto st = verify_at_window(ids_, *created); !st) return st;
      auto verified = ids_.get_user(created->user_id);  // now at the in-person level
      if (!verified) return fail(verified.error());
      accounts_[u.username] = *verified;
      people_.push_back(
          {u.username, business ? "business" : "citizen", u.display_name, u.id_number, u.phone});
    }
    log_ << "staff: " << staff_created_
         << " department accounts (<dept>.clerk / .reviewer / .approver); applicants: "
         << accounts_.size() << " accounts\n";
    return {};
  }

  // `count` cases between `start` and `now_ms` over every active item of the catalog (市场监管
  // gets a larger share so the demo officials' queues are full), each with the operations of
  // its fate in time order. False when the catalog has no items.
  Result<bool> plan(int count, core::Millis start, core::Millis now_ms) {
    catalog::SearchQuery q;
    q.limit = 1000;
    auto found = app_.catalog().search(q);
    if (!found) return fail(found.error());
    std::vector<catalog::Item> items = found->items;
    if (items.empty()) return false;
    std::vector<int> weights;
    for (const auto& it : items)
      weights.push_back(it.dept_id == "scjg" ? 6 : it.dept_id == "zwfw" ? 3 : 1);
    std::discrete_distribution<int> item_pick(weights.begin(), weights.end());
    auto calendar = service_.calendar();
    if (!calendar) return fail(calendar.error());
    calendar_ = std::move(*calendar);

    std::discrete_distribution<int> fate_pick({46, 8, 22, 5, 4, 4, 4, 7});
    for (int i = 0; i < count; ++i) {
      Planned p;
      p.item = items[item_pick(rng_)];
      p.window = rng_() % 10 < 3;
      if (!p.window) {
        p.who = people_[i % 5 == 0 ? 0 : rng_() % people_.size()];
        p.window = !one_of_a_kind(p);
      }
      if (p.window) {
        bool business = rng_() % 4 == 0;
        p.who = {"", business ? "business" : "citizen",
                 business ? "江宁市" + pick(rng_, kShops) + "餐饮店"
                          : pick(rng_, kSurnames) + pick(rng_, kGiven),
                 business ? make_uscc(rng_) : make_citizen_id(rng_, 1950 + int(rng_() % 50)),
                 make_phone(rng_)};
      }
      // Older cases are more likely to be finished; the distribution is skewed towards the past.
      core::Millis t = now_ms;
      for (int attempt = 0; attempt < 20 && t >= now_ms - kHourMs; ++attempt) {
        double u = static_cast<double>(rng_() % 10000) / 10000.0;
        t = office_hours(calendar_,
                         start + static_cast<core::Millis>((1 - u * u) * (now_ms - start)), rng_);
      }
      schedule(i, p, static_cast<Fate>(fate_pick(rng_)), t);
      planned_.push_back(std::move(p));
    }
    std::stable_sort(ops_.begin(), ops_.end(),
                     [](const Op& a, const Op& b) { return a.at < b.at; });
    return true;
  }

  // A person holds one certificate of a kind (two valid 结婚证 cannot exist): an item with a
  // result certificate goes to an account that has none of that type planned, and never to the
  // demo's own citizen and business, who hold theirs from the start (demo.cpp). False when no
  // account is left for it.
  bool one_of_a_kind(Planned& p) {
    const std::string& type = p.item.result_certificate_type;
    if (type.empty()) return true;
    for (int tries = 0; tries < 50; ++tries) {
      bool own = p.who.username == "zhangsan" || p.who.username == "qiye";
      if (!own && holders_.insert({p.who.username, type}).second) return true;
      p.who = people_[rng_() % people_.size()];
    }
    return false;
  }

  // Plays the operations due before `now_ms`, with a daily supervision pass and the followers as
  // the running server would make them, so alerts and certificates carry real dates.
  Status play(core::Millis start, core::Millis now_ms) {
    core::Date last_swept = core::china_date(start);
    for (const auto& op : ops_) {
      if (op.at >= now_ms) continue;
      for (core::Date d = core::china_date(op.at); last_swept < d;) {
        last_swept = core::date_from_days(core::days_from_epoch(last_swept) + 1);
        clock_.set(std::max(clock_.now_ms(), core::china_midnight(last_swept) + 8 * kHourMs));
        if (auto s = service_.sweep(); !s) return fail(s.error());
        // And the followers: result certificates of the day's completions, ledger checkpoints.
        if (auto s = app_.catch_up(); !s) return fail(s.error());
      }
      clock_.set(std::max(clock_.now_ms(), op.at));
      auto& p = planned_[op.case_index];
      if (stopped_.count(op.case_index)) continue;
      if (op.kind == Op::file) {
        if (auto st = file(p, op.at); !st) return st;
        continue;
      }
      auto current = service_.get(p.id, clerk_of(p.item.dept_id));
      if (!current) {
        stopped_.insert(op.case_index);
        continue;
      }
      // 秒批 and 即办件 may have finished a case its script still has steps for.
      if (op.kind != Op::rate && !cases::is_open(current->state)) continue;
      if (!perform(op, p, *current)) stopped_.insert(op.case_index);
    }
    return {};
  }

  // The closing sweep at `now_ms` and what the demo holds.
  Status report(core::Millis now_ms) {
    clock_.set(std::max(clock_.now_ms(), now_ms));
    auto swept = service_.sweep();
    if (!swept) return fail(swept.error());
    log_ << "cases: " << filed_ << " filed, " << acted_ << " actions, " << rated_ << " ratings";
    if (failed_) log_ << ", " << failed_ << " actions refused";
    log_ << "\n";
    auto supervisor = ids_.find_by_username("jiancha");
    if (!supervisor) return fail(supervisor.error());
    auto alerts = service_.alerts(*supervisor, "");
    if (!alerts) return fail(alerts.error());
    std::int64_t yellow = 0, red = 0;
    for (const auto& d : alerts->departments) {
      yellow += d.yellow;
      red += d.red;
    }
    log_ << "supervision (电子监察): " << yellow << " yellow and " << red << " red alerts open\n";
    return {};
  }

 private:
  // The operations of case `i` filed at `t`, by its fate.
  void schedule(int i, const Planned& p, Fate fate, core::Millis t) {
    int reviews = 0;
    for (const auto& s : p.item.workflow)
      reviews += s.kind == "review" ? std::max<int>(1, s.dept_ids.size()) : 0;
    if (p.item.workflow.empty()) reviews = 1;
    auto next = [&](double min_h, double max_h) {
      t += static_cast<core::Millis>(
          (min_h + (max_h - min_h) * static_cast<double>(rng_() % 1000) / 1000.0) * kHourMs);
      t = office_hours(calendar_, t, rng_);
      return t;
    };
    ops_.push_back({t, i, Op::file});
    auto add = [&](Op::Kind k, double min_h, double max_h) {
      ops_.push_back({next(min_h, max_h), i, k});
    };
    // A slow department leaves some cases past their limit: those become the red alerts.
    double pace = rng_() % 5 == 0 ? 40 : 8;
    switch (fate) {
      case Fate::waiting:
        break;
      case Fate::not_accepted:
        add(Op::reject, 1, 20);
        break;
      case Fate::withdrawn:
        add(Op::withdraw, 2, 48);
        break;
      case Fate::correction:
        add(Op::request_correction, 1, 20);
        break;
      case Fate::suspended:
        add(Op::advance, 1, 20);
        add(Op::suspend, 4, 30);
        break;
      case Fate::in_review: {
        add(Op::advance, 1, 20);
        int done = static_cast<int>(rng_() % static_cast<unsigned>(reviews));
        for (int r = 0; r < done; ++r) add(Op::advance, 2, pace);
        break;
      }
      case Fate::decided:
      case Fate::completed: {
        if (rng_() % 6 == 0) {
          add(Op::request_correction, 1, 10);
          add(Op::resubmit, 4, 60);
        }
        add(Op::advance, 1, 20);
        for (int r = 0; r < reviews; ++r) add(Op::advance, 2, pace);
        if (rng_() % 12 == 0) {
          add(Op::suspend, 1, 10);
          add(Op::resume, 24, 90);
        }
        add(rng_() % 10 == 0 ? Op::deny : Op::advance, 2, pace);
        if (fate == Fate::completed) {
          add(Op::advance, 1, 16);
          if (!p.window && rng_() % 4 != 0) add(Op::rate, 2, 72);
        }
        break;
      }
    }
  }

  const Principal& clerk_of(const std::string& dept) {
    auto& s = staff_[dept];
    return s.count(Role::clerk) ? s[Role::clerk] : staff_["scjg"][Role::clerk];
  }
  const Principal& applicant_of(const Planned& p) {
    return p.window ? clerk_of(p.item.dept_id) : accounts_.at(p.who.username);
  }
  // The official of the current step's first department in the step's role.
  const Principal& step_official(const cases::Step& step) {
    auto role = identity::parse_role(step.role).value_or(Role::reviewer);
    return staff_[step.dept_ids.front()][role];
  }

  Status file(Planned& p, core::Millis at) {
    cases::NewCase c;
    c.item_code = p.item.code;
    c.form_json = fill_form(p.item, p.who, core::china_date(at), rng_);
    if (p.window)
      c.applicant =
          cases::Applicant{"", p.who.kind, p.who.name, p.who.id_number, p.who.phone, kDivision};
    auto created = service_.file(c, applicant_of(p));
    if (!created) {
      auto e = created.error();
      e.field = p.item.code + " " + e.field;
      return fail(e);
    }
    p.id = created->id;
    ++filed_;
    return {};
  }

  bool act(Planned& p, cases::Action a, const Principal& by, std::string opinion,
           std::optional<cases::Procedure> procedure = std::nullopt) {
    cases::ActionRequest r;
    r.action = a;
    r.opinion = std::move(opinion);
    r.procedure = procedure;
    auto done = service_.act(p.id, r, by);
    if (!done) {
      if (failed_++ < 5)
        log_ << "  note: " << p.id << " " << cases::to_string(a) << ": " << done.error().message_en
             << "\n";
      return false;
    }
    ++acted_;
    return true;
  }

  // One scripted operation on an open case (or a rating); false when it was refused.
  bool perform(const Op& op, Planned& p, const cases::Case& c) {
    switch (op.kind) {
      case Op::reject:
        return act(p, cases::Action::reject, clerk_of(c.dept_id),
                   "申请事项不属于本部门职权范围，请向有关部门申请");
      case Op::withdraw:
        return act(p, cases::Action::withdraw, applicant_of(p), "信息填写有误，撤回后重新申请");
      case Op::request_correction: {
        bool before_acceptance = c.state == cases::State::submitted;
        const auto& by =
            before_acceptance ? clerk_of(c.dept_id) : staff_[c.dept_id][Role::reviewer];
        return act(p, cases::Action::request_correction, by,
                   "请补正：" +
                       (p.item.materials.empty() ? std::string("申请材料")
                                                 : p.item.materials.front().name) +
                       "（一次性告知）");
      }
      case Op::resubmit:
        return act(p, cases::Action::resubmit, applicant_of(p), "已按要求补正材料");
      case Op::suspend:
        if (c.current_step < 0) return true;
        return act(p, cases::Action::suspend, step_official(c.steps[c.current_step]),
                   "需组织现场核查", cases::Procedure::on_site_inspection);
      case Op::resume:
        if (c.current_step < 0) return true;
        return act(p, cases::Action::resume, step_official(c.steps[c.current_step]),
                   "现场核查完毕，恢复审查");
      case Op::rate:
        return rate(p, c);
      case Op::deny:
      case Op::advance:
        return advance(op, p, c);
      case Op::file:
        break;
    }
    return true;
  }

  bool rate(Planned& p, const cases::Case& c) {
    if (c.state != cases::State::completed || p.window) return true;
    static const int kLevels[] = {5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 4, 4, 4, 4, 4, 3, 3, 2, 1};
    cases::NewRating r;
    r.level = kLevels[rng_() % 20];
    r.indicators = r.level >= 4 ? std::vector<std::string>{"办事效率高", "服务态度好"}
                                : std::vector<std::string>{"办理时间长"};
    r.comment = r.level >= 4   ? "网上就办好了，没跑腿"
                : r.level == 3 ? "还可以"
                               : "等了很久，也没人告知进度";
    auto done = service_.rate(p.id, r, applicant_of(p));
    if (done) ++rated_;
    return done.has_value();
  }

  // The next step of the case's workflow: acceptance, a review, the decision (or a denial), or
  // completion.
  bool advance(const Op& op, Planned& p, const cases::Case& c) {
    if (c.state == cases::State::submitted) {
      return act(p, cases::Action::accept, clerk_of(c.dept_id), "材料齐全，符合法定形式，予以受理");
    }
    if (c.state == cases::State::granted || c.state == cases::State::denied) {
      return act(p, cases::Action::complete, clerk_of(c.dept_id), "已送达审批结果，办结");
    }
    if (c.state != cases::State::in_review || c.current_step < 0) return true;
    const auto& step = c.steps[c.current_step];
    if (step.kind == "decide") {
      bool deny = op.kind == Op::deny;
      return act(p, deny ? cases::Action::deny : cases::Action::grant, step_official(step),
                 deny ? "经审查，申请不符合法定条件，不予许可" : "符合法定条件，准予许可");
    }
    std::set<std::string> approved;
    for (const auto& a : step.approvals) approved.insert(a.dept_id);
    auto role = identity::parse_role(step.role).value_or(Role::reviewer);
    for (const auto& d : step.dept_ids) {
      if (approved.count(d)) continue;
      return act(p, cases::Action::approve, staff_[d][role], pick(rng_, kOpinions));
    }
    return true;
  }

  app::App& app_;
  identity::Service& ids_;
  cases::Service& service_;
  core::ManualClock& clock_;
  std::mt19937_64& rng_;
  std::ostream& log_;
  std::map<std::string, std::map<Role, Principal>> staff_;
  int staff_created_ = 0;
  std::vector<Person> people_;
  std::map<std::string, Principal> accounts_;
  core::WorkingCalendar calendar_ = core::WorkingCalendar::china_2026();
  std::vector<Planned> planned_;
  std::vector<Op> ops_;
  std::set<int> stopped_;  // a case whose script failed once goes no further
  std::set<std::pair<std::string, std::string>> holders_;  // (username, certificate type) planned
  int filed_ = 0, acted_ = 0, failed_ = 0, rated_ = 0;
};

}  // namespace

Status CaseSeeder::run(int count, core::Millis now_ms, std::ostream& log) {
  Seeding seeding(app_, clock_, rng_, log);
  if (auto st = seeding.create_staff(); !st) return st;
  if (auto st = seeding.create_applicants(); !st) return st;
  const core::Millis start = now_ms - kHistoryDays * core::kDayMs;
  auto planned = seeding.plan(count, start, now_ms);
  if (!planned) return fail(planned.error());
  if (!*planned) return {};
  if (auto st = seeding.play(start, now_ms); !st) return st;
  return seeding.report(now_ms);
}

}  // namespace yiwang::demo
