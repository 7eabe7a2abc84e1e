// The demo district: a lattice of slightly irregular quadrilateral cells in three streets, their
// components, and historical events played through the real state machine on a simulated clock
// (one write transaction, so the history is consistent and a failure leaves nothing behind).
// The random draws come in a fixed order from the seed, so a seed makes the same district.
#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <queue>
#include <random>
#include <set>

#include <nlohmann/json.hpp>

#include "grid/internal.h"

namespace yiwang::grid {

namespace {

using Json = nlohmann::json;
using identity::Principal;
using identity::Role;

const char* const kStreets[] = {"东山街道", "秣陵街道", "淳化街道", "汤山街道", "湖熟街道"};
const char* const kCommunities[] = {"幸福", "和平", "春晖", "翠屏", "竹山", "百家湖", "佳湖",
                                    "东麒", "上坊", "龙都", "金箔", "万安", "土桥",   "文靖",
                                    "泉水", "方山", "岔路", "谷里", "陶吴", "铜山"};
const char* const kDeptStaff[] = {"cgj", "yllh", "szgy", "jtj", "zjj", "sthj", "gaj"};

std::string pad(int v, int width) {
  std::string s = std::to_string(v);
  return std::string(static_cast<std::size_t>(std::max(0, width - static_cast<int>(s.size()))),
                     '0') +
         s;
}

// ---- People ------------------------------------------------------------------------------------

// The centre's staff, one handler per professional department, the supervisors.
struct People {
  Principal clerk, dispatcher, chief;
  std::map<std::string, Principal> dept_staff;
  std::vector<Principal> supervisors;
};

Status ensure_departments(identity::Service& ids, const Options& opt, const DemoOptions& o) {
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
  return {};
}

// Officials by username, created with `password` when missing.
Result<People> ensure_people(identity::Service& ids, const Options& opt, int streets,
                             const std::string& password) {
  auto user = [&](const std::string& name, const std::string& display, const std::string& dept,
                  std::set<Role> roles) -> Result<Principal> {
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
  People p;
  auto clerk = user("grid.clerk", "受理员", opt.center_dept_id, {Role::clerk});
  auto dispatcher = user("grid.dispatcher", "派遣员", opt.center_dept_id, {Role::reviewer});
  auto chief = user("grid.chief", "值班长", opt.center_dept_id, {Role::approver});
  if (!clerk) return fail(clerk.error());
  if (!dispatcher) return fail(dispatcher.error());
  if (!chief) return fail(chief.error());
  p.clerk = *clerk;
  p.dispatcher = *dispatcher;
  p.chief = *chief;
  for (const char* d : kDeptStaff) {
    auto u = user(std::string("grid.") + d, std::string(d) + " 处置员", d, {Role::clerk});
    if (!u) return fail(u.error());
    p.dept_staff[d] = *u;
  }
  for (int i = 0; i < streets * 2; ++i) {
    auto u = user("grid.jdy" + pad(i + 1, 2), "监督员" + pad(i + 1, 2), "jdy", {Role::clerk});
    if (!u) return fail(u.error());
    p.supervisors.push_back(*u);
  }
  return p;
}

// ---- What reports say ----------------------------------------------------------------------------

// Where in a community a report is, as people say it.
const char* const kSpots[] = {"小区东门外", "菜市场旁", "公交站附近", "幼儿园门口", "沿河步道",
                              "十字路口西南角", "社区服务中心对面", "背街小巷", "停车场入口",
                              "商业街中段"};

// What a report says about an event class (by minor name); {} is where. Two phrasings each.
const std::map<std::string, std::vector<std::string>>& event_texts() {
  static const std::map<std::string, std::vector<std::string>> texts = {
      {"暴露垃圾", {"{}有几袋生活垃圾堆在路边，已经有异味", "{}垃圾桶满了没人清，垃圾散落一地"}},
      {"积存垃圾渣土", {"{}堆着一堆装修渣土，好几天了没人拉走", "{}空地上积存建筑垃圾和渣土"}},
      {"道路不洁", {"{}路面有大片油污和泥浆，走路打滑", "{}人行道很脏，落叶和纸屑没人扫"}},
      {"水域不洁", {"{}河面漂着塑料瓶和泡沫，水有点发黑", "{}景观水池里漂浮垃圾"}},
      {"绿地脏乱", {"{}绿化带里扔了很多饮料瓶和外卖盒", "{}草坪被踩秃，里面有垃圾"}},
      {"焚烧垃圾", {"{}有人在焚烧垃圾，烟很大", "{}傍晚有人烧树叶和杂物，呛得开不了窗"}},
      {"动物尸体", {"{}路边有一只死猫，请尽快清理", "{}草丛里有动物尸体，气味很重"}},
      {"违章张贴小广告", {"{}电线杆和墙上贴满了开锁、办证小广告", "{}单元门上全是小广告"}},
      {"违规户外广告", {"{}新挂了一块很大的广告牌，看着不太牢固", "{}店铺广告牌占了人行道上方"}},
      {"非法散发小广告", {"{}有人在发传单，散了一地", "{}早高峰有人在路口塞小卡片"}},
      {"施工扰民", {"{}工地晚上十点以后还在施工，噪音很大", "{}凌晨有渣土车进出工地，吵得睡不着"}},
      {"施工占道", {"{}施工围挡占了大半条人行道，行人只能走机动车道", "{}管道施工占道，没有设置警示"}},
      {"道路遗撒", {"{}渣土车沿路遗撒泥土", "{}路面有运输车掉落的砂石"}},
      {"违法建设", {"{}有住户在楼顶搭建彩钢房", "{}一楼住户圈占绿地加建房屋"}},
      {"路面塌陷", {"{}路面出现一个坑，已经有电动车差点摔倒", "{}人行道地砖下陷，形成一个洞"}},
      {"自来水管破裂", {"{}地下水管爆了，水一直往外冒", "{}消火栓旁边在漏水，路面全湿了"}},
      {"燃气管道破裂", {"{}闻到很浓的燃气味，怀疑管道泄漏", "{}燃气管道附近有嘶嘶声和气味"}},
      {"下水道堵塞或破损", {"{}下水道堵了，污水漫到路面", "{}雨水口被垃圾堵住，一下雨就积水"}},
      {"道路积水", {"{}下雨后积水没过脚踝，车辆过不去", "{}低洼处积水严重，行人绕行"}},
      {"火灾隐患", {"{}楼道里停满电动车还有人拉线充电", "{}消防通道被杂物和车辆堵死"}},
      {"无照经营游商", {"{}有流动摊贩卖水果，占了路口", "{}晚上有三轮车摆摊卖小吃"}},
      {"店外经营", {"{}几家店把货摆到了门外人行道上", "{}饭店在门口摆桌子占道经营"}},
      {"占道废品收购", {"{}废品收购点把纸板堆在人行道上", "{}有人在路边收废品，堆得很乱"}},
      {"机动车乱停放", {"{}机动车停在人行道和盲道上", "{}路口乱停车，挡住了视线"}},
      {"非机动车乱停放", {"{}共享单车堆了一大片，挡住了通道", "{}电动车乱停，堵住了消防通道"}},
      {"露天烧烤", {"{}夜里有露天烧烤，油烟很大", "{}烧烤摊摆到了人行道上，烟熏到楼上"}},
      {"其他事件", {"{}有一处问题需要相关部门来看一下", "{}居民反映的情况需要现场核实"}}};
  return texts;
}

// What a report says about a component (by class name).
std::string component_text(const std::string& minor, const std::string& where, std::size_t n) {
  if (minor == "路灯") return where + (n % 2 ? "的路灯晚上不亮，路上很黑" : "一盏路灯一直闪");
  if (minor.find("井盖") != std::string::npos) {
    return where + "的" + minor + (n % 2 ? "松动，车压上去哐哐响" : "缺失，很危险");
  }
  if (minor == "交通信号灯") return where + "的红绿灯坏了，一直黄灯闪烁";
  const char* const damage[] = {"损坏", "倾斜", "缺失", "破损严重"};
  return where + "的" + minor + damage[n % 4] + "，请派人维修";
}

// What the department says when it has handled a class.
std::string feedback_text(const std::string& major, std::size_t n) {
  static const std::map<std::string, std::vector<std::string>> done = {
      {"市容环境", {"已安排环卫人员清理，现场已干净", "已清运完毕并加强该处巡查保洁"}},
      {"宣传广告", {"已清除小广告，并对张贴电话进行停机处理", "已责令店主拆除，现场已整改"}},
      {"施工管理", {"已约谈施工单位，责令整改并规范作业时间", "已督促施工方清理路面、恢复通行"}},
      {"突发事件", {"已派抢修队处置，险情已排除", "已完成抢修，道路恢复正常"}},
      {"街面秩序", {"已劝离并教育，后续将加强巡查", "已清理占道物品，现场秩序恢复"}},
      {"其他", {"已到现场核实并处理", "已协调相关单位处置完毕"}}};
  auto it = done.find(major);
  const auto& list = it != done.end() ? it->second : done.at("其他");
  return list[n % list.size()];
}

// ---- The district ------------------------------------------------------------------------------

struct CellPos {
  int r, c;
  std::string code;
  std::string supervisor;
  std::string community;  // "幸福社区"
};

struct Comp {
  std::string code, class_code, dept;
  Point p;
  std::size_t cell;
};

// The lattice's vertices (jittered inside, so cells are irregular quadrilaterals sharing edges),
// the cells on it and their components; draws from the seed's first generator.
class District {
 public:
  District(const DemoOptions& o) : o_(o), rng_(o.seed) {}

  void lattice(int rows) {
    v_.assign(static_cast<std::size_t>(rows + 1),
              std::vector<Point>(static_cast<std::size_t>(o_.columns + 1)));
    for (int r = 0; r <= rows; ++r) {
      for (int c = 0; c <= o_.columns; ++c) {
        double jx = (c > 0 && c < o_.columns) ? uni(-0.15, 0.15) : 0;
        double jy = (r > 0 && r < rows) ? uni(-0.15, 0.15) : 0;
        v_[r][c] = {o_.origin.lon + (c + jx) * o_.cell_deg, o_.origin.lat + (r + jy) * o_.cell_deg};
      }
    }
  }

  // The bilinear point (u, w) of cell (r, c).
  Point inside(int r, int c, double u, double w) const {
    Point a = v_[r][c], b = v_[r][c + 1], d = v_[r + 1][c], e = v_[r + 1][c + 1];
    return Point{
        (1 - u) * (1 - w) * a.lon + u * (1 - w) * b.lon + (1 - u) * w * d.lon + u * w * e.lon,
        (1 - u) * (1 - w) * a.lat + u * (1 - w) * b.lat + (1 - u) * w * d.lat + u * w * e.lat};
  }

  // The cells as a GeoJSON FeatureCollection: streets by column, communities by two rows, each
  // with one supervisor.
  Json cells(int streets, const std::vector<Principal>& supervisors) {
    Json features = Json::array();
    std::map<std::string, int> per_community;
    for (int i = 0; i < o_.cells; ++i) {
      int r = i / o_.columns, c = i % o_.columns;
      int street = c * streets / o_.columns;
      int community = r / 2;
      std::string key = pad(street + 1, 3) + pad(community + 1, 3);
      int serial = ++per_community[key];
      std::string code = o_.division_code + key + pad(serial, 3);
      std::string community_name =
          std::string(kCommunities[(street * 7 + community) % 20]) + "社区";
      const auto& sup = supervisors[static_cast<std::size_t>(street * 2 + community % 2)];
      features.push_back(feature(r, c, code,
                                 community_name + "第" + std::to_string(serial) + "网格",
                                 kStreets[street % 5], community_name, sup.username));
      cells_.push_back({r, c, code, sup.username, community_name});
    }
    return {{"type", "FeatureCollection"}, {"features", features}};
  }

  // Five components per cell, classes spread, serials per class.
  void components(const std::vector<Class>& component_classes) {
    std::map<std::string, int> serials;
    for (std::size_t i = 0; i < cells_.size(); ++i) {
      for (int k = 0; k < 5; ++k) {
        const Class& cls = component_classes[rng_() % component_classes.size()];
        Comp c;
        c.class_code = cls.code;
        c.code = o_.division_code + cls.code + pad(++serials[cls.code], 6);
        c.dept = cls.dept_id;
        c.p = inside(cells_[i].r, cells_[i].c, uni(0.15, 0.85), uni(0.15, 0.85));
        c.cell = i;
        comps_.push_back(c);
      }
    }
  }

  const std::vector<CellPos>& cell_list() const { return cells_; }
  const std::vector<Comp>& comp_list() const { return comps_; }

 private:
  double uni(double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng_); }

  Json feature(int r, int c, const std::string& code, const std::string& name,
               const char* street_name, const std::string& community_name,
               const std::string& supervisor) const {
    Json ring = Json::array();
    for (Point p : {v_[r][c], v_[r][c + 1], v_[r + 1][c + 1], v_[r + 1][c], v_[r][c]}) {
      ring.push_back({p.lon, p.lat});
    }
    return {{"type", "Feature"},
            {"geometry", {{"type", "Polygon"}, {"coordinates", Json::array({ring})}}},
            {"properties",
             {{"code", code},
              {"name", name},
              {"street_name", street_name},
              {"community_name", community_name},
              {"supervisors", {supervisor}}}}};
  }

  const DemoOptions& o_;
  std::mt19937_64 rng_;
  std::vector<std::vector<Point>> v_;
  std::vector<CellPos> cells_;
  std::vector<Comp> comps_;
};

// ---- History -----------------------------------------------------------------------------------

struct Plan {
  std::string id;
  int step = 0;  // 0 report; 1 accept, 2 register, 3 dispatch, 4 dispose, 5 check, 6 close,
                 // 7 evaluate
  bool reject = false, late_register = false, late_dispatch = false, send_back = false,
       late_dispose = false, rework = false, evaluate = false;
  double dispose_limit = 450;
  std::string cell_code;
  std::string major;  // the class's major name, for the department's feedback
};

// The next thing to happen: plan `plan` acts at `at`.
struct Item {
  core::Millis at;
  std::size_t plan;
  bool operator>(const Item& x) const { return at > x.at || (at == x.at && plan > x.plan); }
};

// Plays `events` plans through the loop in one transaction, in time order on a simulated clock;
// draws from the seed's second generator (restarted with the transaction).
class History {
 public:
  History(Service::Impl& m, store::Tx& tx, const core::WorkingCalendar& cal, const DemoOptions& o,
          const People& people, const District& district, const std::vector<Class>& event_classes,
          const std::vector<Class>& component_classes, core::Millis now)
      : m_(m),
        tx_(tx),
        cal_(cal),
        o_(o),
        people_(people),
        district_(district),
        event_classes_(event_classes),
        component_classes_(component_classes),
        now_(now),
        sim_(now - static_cast<core::Millis>(o.days) * core::kDayMs),
        rng_(o.seed + 1) {}

  Result<DemoSummary> run(DemoSummary s) {
    insert_components();
    s.components = static_cast<std::int64_t>(district_.comp_list().size());
    schedule_reports();
    while (!queue_.empty()) {
      Item it = queue_.top();
      queue_.pop();
      if (it.at > now_) continue;  // still waiting: the event stays open at this step
      sim_.set(it.at);
      Plan& p = plans_[it.plan];
      if (p.step == 0) {
        if (auto st = report(it, p); !st) return fail(st.error());
        s.events += 1;
        continue;
      }
      auto closed = act(it, p);
      if (!closed) return fail(closed.error());
      s.closed += *closed;
    }
    return s;
  }

 private:
  double uni(double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng_); }
  bool chance(double p) { return uni(0, 1) < p; }
  core::Millis later(core::Millis from, double minutes) const {
    return add_working_ms(cal_, from, static_cast<std::int64_t>(minutes * 60000), m_.options.hours);
  }
  void next(const Item& it, double minutes) { queue_.push({later(it.at, minutes), it.plan}); }

  void insert_components() {
    const auto& cells = district_.cell_list();
    for (const auto& c : district_.comp_list()) {
      tx_.exec(
          "INSERT INTO grid_components (code, class_code, type, dept_id, lon, lat, state, "
          "cell_code, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {c.code, c.class_code, std::string("部件 ") + c.class_code, c.dept, c.p.lon, c.p.lat,
           std::string(chance(0.1) ? "damaged" : "normal"), cells[c.cell].code, sim_.now_ms()});
    }
  }

  // Report times: uniform over the working hours of the period.
  void schedule_reports() {
    const core::Millis start = now_ - static_cast<core::Millis>(o_.days) * core::kDayMs;
    const std::int64_t work = working_ms_between(cal_, start, now_, m_.options.hours);
    plans_.resize(static_cast<std::size_t>(o_.events));
    for (std::size_t i = 0; i < plans_.size(); ++i) {
      core::Millis at = add_working_ms(cal_, start, static_cast<std::int64_t>(uni(0, 1) * work),
                                       m_.options.hours);
      queue_.push({at, i});
    }
  }

  // What is reported and where: a component of the cell (its class) or an event class.
  NewReport what(std::size_t cell, const Class*& cls) {
    NewReport n;
    const auto& cells = district_.cell_list();
    if (chance(0.3)) {
      const Comp& c = district_.comp_list()[cell * 5 + rng_() % 5];
      n.kind = ClassKind::component;
      n.class_code = c.class_code;
      n.location = {c.p.lon + uni(-1e-5, 1e-5), c.p.lat + uni(-1e-5, 1e-5)};
      for (const auto& x : component_classes_) {
        if (x.code == c.class_code) cls = &x;
      }
    } else {
      cls = &event_classes_[rng_() % event_classes_.size()];
      n.kind = ClassKind::event;
      n.class_code = cls->code;
      n.location = district_.inside(cells[cell].r, cells[cell].c, uni(0.05, 0.95), uni(0.05, 0.95));
    }
    const std::string where =
        district_.cell_list()[cell].community + kSpots[rng_() % std::size(kSpots)];
    const std::size_t pick = rng_();
    if (n.kind == ClassKind::component) {
      n.description = component_text(cls->minor_name, where, pick);
    } else {
      auto t = event_texts().find(cls->minor_name);
      std::string text = t == event_texts().end() ? std::string("{}有情况需要处理")
                                                 : t->second[pick % t->second.size()];
      text.replace(text.find("{}"), 2, where);
      n.description = text;
    }
    return n;
  }

  // Who reports: the cell's supervisor, the public, the hotline or a sensor (the last three as
  // the platform itself).
  const Principal* source(NewReport& n, std::size_t cell, std::size_t plan) {
    double src = uni(0, 1);
    if (src < 0.6) {
      n.source = Source::supervisor;
      const Principal* sup = nullptr;
      for (const auto& x : people_.supervisors) {
        if (x.username == district_.cell_list()[cell].supervisor) sup = &x;
      }
      return sup;
    }
    if (src < 0.8) {
      n.source = Source::public_;
    } else if (src < 0.9) {
      n.source = Source::hotline_12345;
      // A 12345 work-order number as the hotline's own system writes them.
      n.external_ref = "12345-" + std::to_string(2026'000'000 + static_cast<long>(plan) * 37 % 1'000'000);
    } else {
      n.source = Source::sensor;
      n.external_ref = "sensor-" + pad(static_cast<int>(rng_() % 200), 4);
    }
    return nullptr;
  }

  Status report(const Item& it, Plan& p) {
    std::size_t cell = rng_() % district_.cell_list().size();
    const Class* cls = nullptr;
    NewReport n = what(cell, cls);
    const Principal* by = source(n, cell, it.plan);
    auto e = m_.report_in(tx_, sim_, cal_, n, by);
    if (!e) return fail(e.error());
    p.id = e->id;
    p.cell_code = e->where.cell_code;
    p.dispose_limit = cls->limits.dispose;
    p.major = cls->major_name;
    p.reject = chance(0.03);
    p.late_register = chance(0.04);
    p.late_dispatch = chance(0.04);
    p.send_back = chance(0.06);
    p.late_dispose = chance(0.06);
    p.rework = chance(0.07);
    p.evaluate = chance(0.7);
    p.step = 1;
    next(it, uni(3, 25));
    return {};
  }

  // The handling department's official: the event's current department.
  Result<const Principal*> handler(const Plan& p) {
    auto row = tx_.query_one("SELECT dept_id FROM grid_events WHERE id = ?", {p.id});
    std::string dept = row ? row->text(0) : "";
    auto it = people_.dept_staff.find(dept);
    if (it == people_.dept_staff.end()) {
      return fail(ErrorCode::internal, "", "演示部门缺失", "demo dept missing: " + dept);
    }
    return &it->second;
  }

  // The supervisor listed first on the event's cell.
  const Principal* checker(const Plan& p) {
    auto row = tx_.query_one("SELECT g.supervisors_json FROM grid_cells g WHERE g.code = ?",
                             {p.cell_code});
    std::string name = row ? Json::parse(row->text(0)).at(0).get<std::string>() : "";
    const Principal* found = nullptr;
    for (const auto& x : people_.supervisors) {
      if (x.username == name) found = &x;
    }
    return found;
  }

  // The scripted action of `p`'s step, who takes it, and when the next one comes (nullopt: none,
  // or it was queued here because the plan goes back a step).
  struct Scripted {
    ActionRequest a;
    const Principal* by = nullptr;
    std::optional<double> next;
  };

  Result<Scripted> script(const Item& it, Plan& p) {
    Scripted s;
    ActionRequest& a = s.a;
    switch (p.step) {
      case 1:
        s.by = &people_.clerk;
        if (p.reject) {
          a.action = Action::reject;
          a.reason = "重复上报或不属于受理范围";
        } else {
          a.action = Action::accept;
          s.next = p.late_register ? uni(50, 90) : uni(3, 25);
        }
        return s;
      case 2:
        s.by = &people_.chief;
        a.action = Action::register_;
        s.next = p.late_dispatch ? uni(35, 80) : uni(3, 20);
        return s;
      case 3:
        s.by = &people_.dispatcher;
        a.action = Action::dispatch;
        s.next =
            p.late_dispose ? p.dispose_limit * uni(1.05, 2.0) : p.dispose_limit * uni(0.2, 0.9);
        return s;
      case 4:
        return dispose(it, p);
      case 5:
        s.by = checker(p);
        a.action = Action::check;
        if (p.rework) {
          p.rework = false;
          a.passed = false;
          a.reason = "现场仍未整改到位";
          p.step = 4;
          next(it, p.dispose_limit * uni(0.2, 0.8));
        } else {
          a.passed = true;
          s.next = uni(5, 40);
        }
        return s;
      case 6:
        s.by = &people_.chief;
        a.action = Action::close;
        if (p.evaluate) s.next = uni(10, 60);
        return s;
      default:
        s.by = &people_.chief;
        a.action = Action::evaluate;
        a.level = 3 + static_cast<int>(rng_() % 3);
        return s;
    }
  }

  // Step 4: the department sends a wrong dispatch back once, or reports its disposal.
  Result<Scripted> dispose(const Item& it, Plan& p) {
    Scripted s;
    auto by = handler(p);
    if (!by) return fail(by.error());
    s.by = *by;
    if (p.send_back) {
      p.send_back = false;
      s.a.action = Action::send_back;
      s.a.reason = "不属于本部门职责";
      p.step = 3;
      next(it, uni(5, 25));
      p.late_dispose = false;
    } else {
      s.a.action = Action::feedback;
      s.a.feedback = feedback_text(p.major, rng_());
      s.next = uni(20, 100);
    }
    return s;
  }

  // One scripted step; whether it closed the event.
  Result<bool> act(const Item& it, Plan& p) {
    auto s = script(it, p);
    if (!s) return fail(s.error());
    auto e = m_.act_in(tx_, sim_, cal_, p.id, s->a, *s->by);
    if (!e) {
      return fail(ErrorCode::internal, "", "演示数据生成失败：" + e.error().message_zh,
                  "demo generation failed at " + std::string(to_string(s->a.action)) + ": " +
                      e.error().message_en);
    }
    if (s->next) {
      p.step += 1;
      next(it, *s->next);
    }
    return s->a.action == Action::close;
  }

  Service::Impl& m_;
  store::Tx& tx_;
  const core::WorkingCalendar& cal_;
  const DemoOptions& o_;
  const People& people_;
  const District& district_;
  const std::vector<Class>& event_classes_;
  const std::vector<Class>& component_classes_;
  const core::Millis now_;
  core::ManualClock sim_;
  std::mt19937_64 rng_;
  std::vector<Plan> plans_;
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> queue_;
};

// The stored classes by kind; conflict when either kind has none.
Status split_classes(Service& service, std::vector<Class>& event_classes,
                     std::vector<Class>& component_classes) {
  auto classes = service.list_classes();
  if (!classes) return fail(classes.error());
  for (const auto& c : *classes) {
    (c.kind == ClassKind::event ? event_classes : component_classes).push_back(c);
  }
  if (event_classes.empty() || component_classes.empty()) {
    return fail(ErrorCode::conflict, "", "分类表为空", "the class table is empty");
  }
  return {};
}

}  // namespace

Result<DemoSummary> load_demo(Service& service, identity::Service& ids, const DemoOptions& o,
                              const std::string& password, core::Millis now) {
  if (o.cells < 1 || o.columns < 1 || o.events < 0 || o.days < 1) {
    return fail(ErrorCode::invalid_input, "", "演示参数无效", "invalid demo options");
  }
  auto& m = DemoAccess::impl(service);
  if (auto st = ensure_departments(ids, m.options, o); !st) return fail(st.error());
  const int streets = std::min(3, o.columns);
  auto people = ensure_people(ids, m.options, streets, password);
  if (!people) return fail(people.error());

  District district(o);
  district.lattice((o.cells + o.columns - 1) / o.columns);
  const Json fc = district.cells(streets, people->supervisors);
  auto cal = m.calendar();
  if (!cal) return fail(cal.error());
  std::vector<Class> event_classes, component_classes;
  if (auto st = split_classes(service, event_classes, component_classes); !st) {
    return fail(st.error());
  }
  // The demo runs once: check for cells before importing.
  auto existing = service.list_cells();
  if (!existing) return fail(existing.error());
  if (!existing->empty()) {
    return fail(ErrorCode::conflict, "", "网格已存在，演示数据只生成一次",
                "cells exist already; the grid demo runs once");
  }
  auto imported = service.import_cells(fc.dump(), true, people->chief);
  if (!imported) return fail(imported.error());
  district.components(component_classes);

  DemoSummary sum;
  sum.cells = *imported;
  return m.store.write([&](store::Tx& tx) -> Result<DemoSummary> {
    History history(m, tx, *cal, o, *people, district, event_classes, component_classes, now);
    return history.run(sum);
  });
}

}  // namespace yiwang::grid
