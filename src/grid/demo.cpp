// The demo district: a lattice of slightly irregular quadrilateral cells in three streets, their
// components, and historical events played through the real state machine on a simulated clock
// (one write transaction, so the history is consistent and a failure leaves nothing behind).
#include <algorithm>
#include <cmath>
#include <queue>
#include <random>

#include <nlohmann/json.hpp>

#include "grid/internal.h"

namespace yiwang::grid {

namespace {

using Json = nlohmann::json;
using identity::Role;

const char* const kStreets[] = {"东山街道", "秣陵街道", "淳化街道", "汤山街道", "湖熟街道"};
const char* const kCommunities[] = {"幸福", "和平", "春晖", "翠屏", "竹山", "百家湖", "佳湖",
                                    "东麒", "上坊", "龙都", "金箔", "万安", "土桥",   "文靖",
                                    "泉水", "方山", "岔路", "谷里", "陶吴", "铜山"};

std::string pad(int v, int width) {
  std::string s = std::to_string(v);
  return std::string(static_cast<std::size_t>(std::max(0, width - static_cast<int>(s.size()))),
                     '0') +
         s;
}

struct Plan {
  std::string id;
  std::string class_dept;
  int step = 0;  // index into the plan's scripted actions
  bool reject = false, late_register = false, late_dispatch = false, send_back = false,
       late_dispose = false, rework = false, evaluate = false;
  double dispose_limit = 450;
  std::string cell_code;
};

}  // namespace

Result<DemoSummary> load_demo(Service& service, identity::Service& ids, const DemoOptions& o,
                              const std::string& password, core::Millis now) {
  if (o.cells < 1 || o.columns < 1 || o.events < 0 || o.days < 1) {
    return fail(ErrorCode::invalid_input, "", "演示参数无效", "invalid demo options");
  }
  auto& m = DemoAccess::impl(service);
  const Options& opt = m.options;
  std::mt19937_64 rng(o.seed);
  auto uni = [&](double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng); };

  // Departments and accounts, created when missing.
  struct D {
    const char* id;
    const char* name;
  };
  for (D d : {D{opt.center_dept_id.c_str(), "江宁市城市运行管理中心"},
              D{"cgj", "江宁市城市管理综合行政执法局"}, D{"yllh", "江宁市园林绿化局"},
              D{"szgy", "江宁市市政公用事业服务中心"}, D{"jtj", "江宁市交通运输局"},
              D{"zjj", "江宁市住房和城乡建设局"}, D{"sthj", "江宁市生态环境局"},
              D{"gaj", "江宁市公安局"}, D{"jdy", "江宁市网格监督员队伍"}}) {
    if (!ids.get_department(d.id)) {
      auto c = ids.create_department({d.id, d.name, "", o.division_code, ""}, nullptr);
      if (!c) return fail(c.error());
    }
  }
  auto user = [&](const std::string& name, const std::string& display, const std::string& dept,
                  std::set<Role> roles) -> Result<identity::Principal> {
    if (auto u = ids.find_by_username(name)) return *u;
    identity::NewUser n;
    n.username = name;
    n.password = password;
    n.kind = identity::Kind::official;
    n.display_name = display;
    n.dept_id = dept;
    n.roles = std::move(roles);
    return ids.create_user(n, nullptr);
  };
  auto clerk = user("grid.clerk", "受理员", opt.center_dept_id, {Role::clerk});
  auto dispatcher = user("grid.dispatcher", "派遣员", opt.center_dept_id, {Role::reviewer});
  auto chief = user("grid.chief", "值班长", opt.center_dept_id, {Role::approver});
  if (!clerk) return fail(clerk.error());
  if (!dispatcher) return fail(dispatcher.error());
  if (!chief) return fail(chief.error());
  std::map<std::string, identity::Principal> dept_staff;
  for (const char* d : {"cgj", "yllh", "szgy", "jtj", "zjj", "sthj", "gaj"}) {
    auto u = user(std::string("grid.") + d, std::string(d) + " 处置员", d, {Role::clerk});
    if (!u) return fail(u.error());
    dept_staff[d] = *u;
  }
  const int streets = std::min(3, o.columns);
  const int rows = (o.cells + o.columns - 1) / o.columns;
  std::vector<identity::Principal> supervisors;
  for (int i = 0; i < streets * 2; ++i) {
    auto u = user("grid.jdy" + pad(i + 1, 2), "监督员" + pad(i + 1, 2), "jdy", {Role::clerk});
    if (!u) return fail(u.error());
    supervisors.push_back(*u);
  }

  // The lattice: vertices jittered inside, so cells are irregular quadrilaterals sharing edges.
  std::vector<std::vector<Point>> v(static_cast<std::size_t>(rows + 1),
                                    std::vector<Point>(static_cast<std::size_t>(o.columns + 1)));
  for (int r = 0; r <= rows; ++r) {
    for (int c = 0; c <= o.columns; ++c) {
      double jx = (c > 0 && c < o.columns) ? uni(-0.15, 0.15) : 0;
      double jy = (r > 0 && r < rows) ? uni(-0.15, 0.15) : 0;
      v[r][c] = {o.origin.lon + (c + jx) * o.cell_deg, o.origin.lat + (r + jy) * o.cell_deg};
    }
  }
  auto inside = [&](int r, int c, double u, double w) {  // bilinear point of cell (r, c)
    Point a = v[r][c], b = v[r][c + 1], d = v[r + 1][c], e = v[r + 1][c + 1];
    return Point{
        (1 - u) * (1 - w) * a.lon + u * (1 - w) * b.lon + (1 - u) * w * d.lon + u * w * e.lon,
        (1 - u) * (1 - w) * a.lat + u * (1 - w) * b.lat + (1 - u) * w * d.lat + u * w * e.lat};
  };
  struct CellPos {
    int r, c;
    std::string code;
    std::string supervisor;
  };
  std::vector<CellPos> cells;
  Json features = Json::array();
  std::map<std::string, int> per_community;
  for (int i = 0; i < o.cells; ++i) {
    int r = i / o.columns, c = i % o.columns;
    int street = c * streets / o.columns;
    int community = r / 2;
    std::string street_code = pad(street + 1, 3);
    std::string community_code = pad(community + 1, 3);
    std::string key = street_code + community_code;
    int serial = ++per_community[key];
    std::string code = o.division_code + key + pad(serial, 3);
    std::string community_name = std::string(kCommunities[(street * 7 + community) % 20]) + "社区";
    const auto& sup = supervisors[static_cast<std::size_t>(street * 2 + community % 2)];
    Json ring = Json::array();
    for (Point p : {v[r][c], v[r][c + 1], v[r + 1][c + 1], v[r + 1][c], v[r][c]}) {
      ring.push_back({p.lon, p.lat});
    }
    features.push_back({{"type", "Feature"},
                        {"geometry", {{"type", "Polygon"}, {"coordinates", Json::array({ring})}}},
                        {"properties",
                         {{"code", code},
                          {"name", community_name + "第" + std::to_string(serial) + "网格"},
                          {"street_name", kStreets[street % 5]},
                          {"community_name", community_name},
                          {"supervisors", {sup.username}}}}});
    cells.push_back({r, c, code, sup.username});
  }
  Json fc = {{"type", "FeatureCollection"}, {"features", features}};

  auto cal = m.calendar();
  if (!cal) return fail(cal.error());
  core::ManualClock sim(now - static_cast<core::Millis>(o.days) * core::kDayMs);
  auto classes = service.list_classes();
  if (!classes) return fail(classes.error());
  std::vector<Class> event_classes, component_classes;
  for (const auto& c : *classes) {
    (c.kind == ClassKind::event ? event_classes : component_classes).push_back(c);
  }
  if (event_classes.empty() || component_classes.empty()) {
    return fail(ErrorCode::conflict, "", "分类表为空", "the class table is empty");
  }

  // Check for existing cells before importing: the demo runs once.
  auto existing = service.list_cells();
  if (!existing) return fail(existing.error());
  if (!existing->empty()) {
    return fail(ErrorCode::conflict, "", "网格已存在，演示数据只生成一次",
                "cells exist already; the grid demo runs once");
  }
  identity::Principal admin_like = *chief;
  auto imported = service.import_cells(fc.dump(), true, admin_like);
  if (!imported) return fail(imported.error());

  DemoSummary sum;
  sum.cells = *imported;
  // Components: five per cell, classes spread, serials per class.
  struct Comp {
    std::string code, class_code, dept;
    Point p;
    std::size_t cell;
  };
  std::vector<Comp> comps;
  std::map<std::string, int> serials;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    for (int k = 0; k < 5; ++k) {
      const Class& cls = component_classes[rng() % component_classes.size()];
      Comp c;
      c.class_code = cls.code;
      c.code = o.division_code + cls.code + pad(++serials[cls.code], 6);
      c.dept = cls.dept_id;
      c.p = inside(cells[i].r, cells[i].c, uni(0.15, 0.85), uni(0.15, 0.85));
      c.cell = i;
      comps.push_back(c);
    }
  }

  auto result = m.store.write([&](store::Tx& tx) -> Result<DemoSummary> {
    DemoSummary s = sum;
    std::mt19937_64 r2(o.seed + 1);  // the closure may re-run: its randomness restarts too
    auto u2 = [&](double a, double b) { return std::uniform_real_distribution<double>(a, b)(r2); };
    auto p2 = [&](double p) { return u2(0, 1) < p; };
    for (const auto& c : comps) {
      tx.exec(
          "INSERT INTO grid_components (code, class_code, type, dept_id, lon, lat, state, "
          "cell_code, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {c.code, c.class_code, std::string("部件 ") + c.class_code, c.dept, c.p.lon, c.p.lat,
           std::string(p2(0.1) ? "damaged" : "normal"), cells[c.cell].code, sim.now_ms()});
    }
    s.components = static_cast<std::int64_t>(comps.size());

    // Report times: uniform over the working hours of the period (some at night: sensors).
    const core::Millis start = now - static_cast<core::Millis>(o.days) * core::kDayMs;
    const std::int64_t work = working_ms_between(*cal, start, now, opt.hours);
    struct Item {
      core::Millis at;
      std::size_t plan;
      bool operator>(const Item& x) const { return at > x.at || (at == x.at && plan > x.plan); }
    };
    std::priority_queue<Item, std::vector<Item>, std::greater<Item>> queue;
    std::vector<Plan> plans(static_cast<std::size_t>(o.events));
    std::vector<core::Millis> report_at(plans.size());
    for (std::size_t i = 0; i < plans.size(); ++i) {
      report_at[i] =
          add_working_ms(*cal, start, static_cast<std::int64_t>(u2(0, 1) * work), opt.hours);
      queue.push({report_at[i], i});
    }
    const identity::Principal* staff = nullptr;
    auto later = [&](core::Millis from, double minutes) {
      return add_working_ms(*cal, from, static_cast<std::int64_t>(minutes * 60000), opt.hours);
    };
    while (!queue.empty()) {
      Item it = queue.top();
      queue.pop();
      if (it.at > now) continue;  // still waiting: the event stays open at this step
      sim.set(it.at);
      Plan& p = plans[it.plan];
      ActionRequest a;
      std::optional<double> next;  // working minutes until this event's next action
      if (p.step == 0) {
        NewReport n;
        std::size_t cell = r2() % cells.size();
        bool component = p2(0.3);
        const Class* cls = nullptr;
        if (component) {
          const Comp& c = comps[cell * 5 + r2() % 5];
          n.kind = ClassKind::component;
          n.class_code = c.class_code;
          n.location = {c.p.lon + u2(-1e-5, 1e-5), c.p.lat + u2(-1e-5, 1e-5)};
          for (const auto& x : component_classes) {
            if (x.code == c.class_code) cls = &x;
          }
        } else {
          cls = &event_classes[r2() % event_classes.size()];
          n.kind = ClassKind::event;
          n.class_code = cls->code;
          n.location = inside(cells[cell].r, cells[cell].c, u2(0.05, 0.95), u2(0.05, 0.95));
        }
        n.description = cls->major_name + "：" + cls->minor_name + "（演示）";
        double src = u2(0, 1);
        const identity::Principal* by = nullptr;
        std::optional<identity::Principal> sup;
        if (src < 0.6) {
          n.source = Source::supervisor;
          for (const auto& x : supervisors) {
            if (x.username == cells[cell].supervisor) sup = x;
          }
          by = &*sup;
        } else if (src < 0.8) {
          n.source = Source::public_;
        } else if (src < 0.9) {
          n.source = Source::hotline_12345;
          n.external_ref = "AP-demo-" + std::to_string(it.plan);
        } else {
          n.source = Source::sensor;
          n.external_ref = "sensor-" + pad(static_cast<int>(r2() % 200), 4);
        }
        auto e = m.report_in(tx, sim, *cal, n, by);
        if (!e) return fail(e.error());
        s.events += 1;
        p.id = e->id;
        p.cell_code = e->where.cell_code;
        p.dispose_limit = cls->limits.dispose;
        p.reject = p2(0.03);
        p.late_register = p2(0.04);
        p.late_dispatch = p2(0.04);
        p.send_back = p2(0.06);
        p.late_dispose = p2(0.06);
        p.rework = p2(0.07);
        p.evaluate = p2(0.7);
        p.step = 1;
        queue.push({later(it.at, u2(3, 25)), it.plan});
        continue;
      }
      // Scripted steps: 1 accept, 2 register, 3 dispatch, 4 dispose (feedback / send back),
      // 5 check, 6 close, 7 evaluate.
      switch (p.step) {
        case 1:
          staff = &*clerk;
          if (p.reject) {
            a.action = Action::reject;
            a.reason = "重复上报或不属于受理范围";
          } else {
            a.action = Action::accept;
            next = p.late_register ? u2(50, 90) : u2(3, 25);
          }
          break;
        case 2:
          staff = &*chief;
          a.action = Action::register_;
          next = p.late_dispatch ? u2(35, 80) : u2(3, 20);
          break;
        case 3:
          staff = &*dispatcher;
          a.action = Action::dispatch;
          next = p.late_dispose ? p.dispose_limit * u2(1.05, 2.0) : p.dispose_limit * u2(0.2, 0.9);
          break;
        default:
          break;
      }
      if (p.step == 4) {
        // The handling department: the event's current department.
        auto row = tx.query_one("SELECT dept_id FROM grid_events WHERE id = ?", {p.id});
        std::string dept = row ? row->text(0) : "";
        auto sit = dept_staff.find(dept);
        if (sit == dept_staff.end())
          return fail(ErrorCode::internal, "", "演示部门缺失", "demo dept missing: " + dept);
        staff = &sit->second;
        if (p.send_back) {
          p.send_back = false;
          a.action = Action::send_back;
          a.reason = "不属于本部门职责";
          p.step = 3;
          queue.push({later(it.at, u2(5, 25)), it.plan});
          p.late_dispose = false;
        } else {
          a.action = Action::feedback;
          a.feedback = "已处置完毕（演示）";
          next = u2(20, 100);
        }
      } else if (p.step == 5) {
        auto row = tx.query_one("SELECT g.supervisors_json FROM grid_cells g WHERE g.code = ?",
                                {p.cell_code});
        std::string name = row ? Json::parse(row->text(0)).at(0).get<std::string>() : "";
        for (const auto& x : supervisors) {
          if (x.username == name) staff = &x;
        }
        a.action = Action::check;
        if (p.rework) {
          p.rework = false;
          a.passed = false;
          a.reason = "现场仍未整改到位";
          p.step = 4;
          queue.push({later(it.at, p.dispose_limit * u2(0.2, 0.8)), it.plan});
        } else {
          a.passed = true;
          next = u2(5, 40);
        }
      } else if (p.step == 6) {
        staff = &*chief;
        a.action = Action::close;
        if (p.evaluate) next = u2(10, 60);
      } else if (p.step == 7) {
        staff = &*chief;
        a.action = Action::evaluate;
        a.level = 3 + static_cast<int>(r2() % 3);
      }
      auto e = m.act_in(tx, sim, *cal, p.id, a, *staff);
      if (!e) {
        return fail(ErrorCode::internal, "", "演示数据生成失败：" + e.error().message_zh,
                    "demo generation failed at " + std::string(to_string(a.action)) + ": " +
                        e.error().message_en);
      }
      if (a.action == Action::close) s.closed += 1;
      if (next) {
        p.step += 1;
        queue.push({later(it.at, *next), it.plan});
      }
    }
    return s;
  });
  return result;
}

}  // namespace yiwang::grid
