// The appeals service on both backends: the whole flow, return and arbitration, roles,
// illegal transitions, redirects, merging, rate limits, masking, the clock per type and bad
// input — every refusal leaving the store as it was.
#include <memory>
#include <set>
#include <string>

#include "appeals/fixture.h"
#include "core/digest.h"
#include "privacy/redact.h"

namespace yiwang::appeals {
namespace {

using identity::Role;
using nlohmann::json;

// 09:00 China time on a 2026 date.
core::Millis at(unsigned m, unsigned d, int hour = 9) {
  return yiwang::testing::at(2026, m, d, hour);
}

class AppealsTest : public testing::AppealsFixture {
 protected:
  void SetUp() override { build({}); }

  void build(Options options) {
    ASSERT_NO_FATAL_FAILURE(open(at(3, 2)));  // Monday 2026-03-02
    for (auto [id, name] : {std::pair{"12345", "12345 热线中心"}, std::pair{"zjj", "住建局"},
                            std::pair{"scjg", "市场监管局"}, std::pair{"jcj", "监察局"}}) {
      department(id, name);
    }
    operator_ = official("hotline.op", "12345", {Role::clerk});
    dispatcher_ = official("hotline.disp", "12345", {Role::reviewer});
    hotline_approver_ = official("hotline.boss", "12345", {Role::approver});
    zjj_ = official("zjj.clerk", "zjj", {Role::clerk});
    zjj_reviewer_ = official("zjj.reviewer", "zjj", {Role::reviewer});
    scjg_ = official("scjg.clerk", "scjg", {Role::clerk});
    supervisor_ = official("jiancha", "jcj", {Role::supervisor});
    admin_ = official("admin", "12345", {Role::admin});
    zhang_ = citizen("zhangsan", "张三", "11010519491231002");
    li_ = citizen("lisi", "李四", "11010519800101001");
    service_ = std::make_unique<Service>(*store_, clock_, random_, *ids_,
                                         testing::with_hotline(std::move(options)));
  }

  static NewAppeal appeal(Type type, std::string title, std::string text) {
    NewAppeal n;
    n.channel = Channel::web;
    n.type = type;
    n.title = std::move(title);
    n.text = std::move(text);
    n.location = "幸福小区 3 号楼";
    return n;
  }

  Appeal submit(const NewAppeal& n, const identity::Principal& by) {
    auto r = service_->submit(n, by);
    EXPECT_TRUE(r) << r.error().message_en;
    EXPECT_FALSE(r && r->merged);
    return r ? r->appeal : Appeal{};
  }

  static NewAppeal noise_appeal(Type type = Type::complaint) {
    return appeal(type, "夜间施工噪音", "幸福小区旁工地每天夜里十二点后仍在施工，噪音扰民。");
  }

  Appeal noise(const identity::Principal& by) { return submit(noise_appeal(), by); }

  Result<Appeal> act(const std::string& id, Action a, const identity::Principal& by,
                     std::string dept = "", std::string reason = "") {
    ActionRequest r;
    r.action = a;
    r.dept_id = std::move(dept);
    r.reason = std::move(reason);
    if (a == Action::reply) r.reply = "您好，经现场核查，已责令工地夜间停工。联系电话 12345。";
    if (a == Action::callback) r.result = "诉求人表示满意";
    if (a == Action::rate) r.level = 5;
    return service_->act(id, r, by);
  }

  void step(const std::string& id, Action a, const identity::Principal& by, std::string dept = "",
            std::string reason = "") {
    auto r = act(id, a, by, std::move(dept), std::move(reason));
    ASSERT_TRUE(r) << to_string(a) << ": " << r.error().message_en;
  }

  std::int64_t count(const std::string& table) {
    return *store_->read([&](store::Tx& tx) -> Result<std::int64_t> {
      return tx.query_one("SELECT COUNT(*) FROM " + table)->int64(0);
    });
  }

  std::vector<events::Event> events_of(const std::string& id) {
    return *store_->read([&](store::Tx& tx) -> Result<std::vector<events::Event>> {
      events::Filter f;
      f.subject_type = "appeal";
      f.subject_id = id;
      return events::list(tx, f);
    });
  }

  // A refusal: the error code, and the appeal and the event stream exactly as before.
  void expect_refused(const std::string& id, Action a, const identity::Principal& by,
                      ErrorCode code, std::string dept = "", std::string reason = "") {
    auto before = service_->get(id, admin_);
    ASSERT_TRUE(before);
    auto seq = last_seq();
    auto r = act(id, a, by, std::move(dept), std::move(reason));
    ASSERT_FALSE(r) << to_string(a) << " by " << by.username << " should fail";
    EXPECT_EQ(code, r.error().code)
        << to_string(a) << " by " << by.username << ": " << r.error().message_en;
    EXPECT_FALSE(r.error().message_zh.empty());
    auto after = service_->get(id, admin_);
    ASSERT_TRUE(after);
    EXPECT_EQ(before->appeal.revision, after->appeal.revision);
    EXPECT_EQ(before->appeal.state, after->appeal.state);
    EXPECT_EQ(seq, last_seq());
  }

  std::unique_ptr<Service> service_;
  identity::Principal operator_, dispatcher_, hotline_approver_, zjj_, zjj_reviewer_, scjg_,
      supervisor_, admin_, zhang_, li_;
};

TEST_P(AppealsTest, WholeFlowToRated) {
  Appeal a = noise(zhang_);
  EXPECT_EQ(State::accepted, a.state);
  EXPECT_EQ(13, a.clock.limit_days);
  EXPECT_EQ("张三", a.appellant.name);
  EXPECT_EQ(0, a.id.rfind("AP20260302", 0)) << a.id;

  step(a.id, Action::dispatch, dispatcher_, "zjj");
  clock_.advance(3600'000);
  step(a.id, Action::receive, zjj_);
  clock_.set(at(3, 4));
  step(a.id, Action::reply, zjj_reviewer_);
  step(a.id, Action::close, operator_);
  step(a.id, Action::callback, operator_);
  step(a.id, Action::rate, zhang_);

  auto d = service_->get(a.id, zhang_);
  ASSERT_TRUE(d);
  EXPECT_EQ(State::rated, d->appeal.state);
  EXPECT_EQ("zjj", d->appeal.dept_id);
  EXPECT_EQ(5, d->appeal.rating);
  EXPECT_EQ("诉求人表示满意", d->appeal.callback_result);
  EXPECT_TRUE(d->appeal.clock.stopped);
  EXPECT_EQ(2, d->appeal.clock.used_days);  // replied on Wednesday: Tue and Wed counted
  ASSERT_TRUE(d->appeal.replied_at_ms);

  std::vector<std::string> types;
  for (const auto& t : d->history) types.push_back(t.event);
  EXPECT_EQ((std::vector<std::string>{"appeal.accepted", "appeal.dispatched", "appeal.received",
                                      "appeal.replied", "appeal.closed", "appeal.called_back",
                                      "appeal.rated"}),
            types);
  EXPECT_EQ("dispatched", d->history[1].to_state);
  EXPECT_EQ("accepted", d->history[1].from_state);

  auto evs = events_of(a.id);
  ASSERT_EQ(7u, evs.size());
  const auto& replied = evs[3];
  EXPECT_EQ("appeal.replied", replied.type);
  EXPECT_EQ(zjj_reviewer_.user_id, replied.actor.user_id);
  EXPECT_EQ("reviewer", replied.actor.role);
  EXPECT_EQ("zjj", replied.actor.dept_id);
  EXPECT_NE(std::string::npos, replied.reason.find("已责令工地夜间停工"));
  for (const auto& e : evs) {
    for (const auto* text : {&e.before_json, &e.after_json, &e.data_json}) {
      EXPECT_EQ(std::string::npos, text->find("张三")) << e.type << " " << *text;
      EXPECT_EQ(std::string::npos, text->find("13800000000")) << e.type;
      EXPECT_EQ(std::string::npos, text->find("噪音")) << e.type;
    }
  }
}

TEST_P(AppealsTest, ReturnOnceThenArbitrate) {
  Appeal a = noise(zhang_);
  step(a.id, Action::dispatch, dispatcher_, "scjg");
  // A return needs a reason.
  expect_refused(a.id, Action::send_back, scjg_, ErrorCode::invalid_input);
  step(a.id, Action::send_back, scjg_, "", "施工噪音属住建局职责");
  auto d = service_->get(a.id, dispatcher_);
  ASSERT_TRUE(d);
  EXPECT_EQ(State::returned, d->appeal.state);
  EXPECT_TRUE(d->appeal.returned_once);
  EXPECT_EQ("施工噪音属住建局职责", d->appeal.return_reason);

  // Only the hotline arbitrates; it needs a reason and a real department.
  expect_refused(a.id, Action::arbitrate, scjg_, ErrorCode::forbidden, "zjj", "改派");
  expect_refused(a.id, Action::arbitrate, dispatcher_, ErrorCode::invalid_input, "zjj");
  expect_refused(a.id, Action::arbitrate, dispatcher_, ErrorCode::invalid_input, "nosuch", "改派");
  expect_refused(a.id, Action::dispatch, dispatcher_, ErrorCode::conflict, "zjj");
  step(a.id, Action::arbitrate, dispatcher_, "zjj", "经仲裁由住建局办理");
  d = service_->get(a.id, dispatcher_);
  EXPECT_EQ(State::dispatched, d->appeal.state);
  EXPECT_EQ("zjj", d->appeal.dept_id);

  // The returning department no longer sees it; the new one cannot return it again.
  EXPECT_EQ(ErrorCode::not_found, service_->get(a.id, scjg_).error().code);
  expect_refused(a.id, Action::send_back, zjj_, ErrorCode::conflict, "", "也不归我们");
  step(a.id, Action::receive, zjj_);
  expect_refused(a.id, Action::send_back, zjj_, ErrorCode::conflict, "", "也不归我们");

  std::vector<std::string> types;
  for (const auto& e : events_of(a.id)) types.push_back(e.type);
  EXPECT_EQ((std::vector<std::string>{"appeal.accepted", "appeal.dispatched", "appeal.returned",
                                      "appeal.arbitrated", "appeal.received"}),
            types);
  EXPECT_EQ("施工噪音属住建局职责", events_of(a.id)[2].reason);
}

TEST_P(AppealsTest, WrongRolesAreForbiddenAndChangeNothing) {
  Appeal a = noise(zhang_);
  expect_refused(a.id, Action::dispatch, zhang_, ErrorCode::forbidden, "zjj");
  expect_refused(a.id, Action::dispatch, hotline_approver_, ErrorCode::forbidden, "zjj");
  expect_refused(a.id, Action::dispatch, supervisor_, ErrorCode::forbidden, "zjj");
  expect_refused(a.id, Action::reply, operator_, ErrorCode::forbidden);
  step(a.id, Action::dispatch, dispatcher_, "zjj");
  // Another department does not even see it.
  expect_refused(a.id, Action::receive, scjg_, ErrorCode::not_found);
  expect_refused(a.id, Action::receive, operator_, ErrorCode::forbidden);
  expect_refused(a.id, Action::receive, zhang_, ErrorCode::forbidden);
  expect_refused(a.id, Action::receive, li_, ErrorCode::not_found);
  step(a.id, Action::receive, zjj_);
  step(a.id, Action::reply, zjj_);
  expect_refused(a.id, Action::close, zjj_, ErrorCode::forbidden);
  step(a.id, Action::close, operator_);
  expect_refused(a.id, Action::callback, zjj_, ErrorCode::forbidden);
  expect_refused(a.id, Action::rate, operator_, ErrorCode::forbidden);  // zhang has an account
  expect_refused(a.id, Action::rate, zjj_, ErrorCode::forbidden);
}

TEST_P(AppealsTest, IllegalTransitionsAreConflicts) {
  Appeal a = noise(zhang_);
  expect_refused(a.id, Action::receive, zjj_, ErrorCode::not_found);  // not dispatched: not theirs
  expect_refused(a.id, Action::close, operator_, ErrorCode::conflict);
  expect_refused(a.id, Action::arbitrate, dispatcher_, ErrorCode::conflict, "zjj", "x");
  step(a.id, Action::dispatch, dispatcher_, "zjj");
  expect_refused(a.id, Action::reply, zjj_, ErrorCode::conflict);
  expect_refused(a.id, Action::dispatch, dispatcher_, ErrorCode::conflict, "zjj");
  step(a.id, Action::receive, zjj_);
  expect_refused(a.id, Action::receive, zjj_, ErrorCode::conflict);
  expect_refused(a.id, Action::rate, zhang_, ErrorCode::conflict);
  expect_refused(a.id, Action::callback, operator_, ErrorCode::conflict);
  step(a.id, Action::reply, zjj_);
  expect_refused(a.id, Action::reply, zjj_, ErrorCode::conflict);
  expect_refused(a.id, Action::send_back, zjj_, ErrorCode::conflict, "", "太晚了");
  step(a.id, Action::close, operator_);
  step(a.id, Action::rate, zhang_);  // rating without waiting for the callback
  expect_refused(a.id, Action::rate, zhang_, ErrorCode::conflict);
  expect_refused(a.id, Action::callback, operator_, ErrorCode::conflict);

  // A stale revision is a conflict too.
  Appeal b = noise(li_);
  ActionRequest r;
  r.action = Action::dispatch;
  r.dept_id = "zjj";
  r.expected_revision = b.revision + 1;
  auto stale = service_->act(b.id, r, dispatcher_);
  ASSERT_FALSE(stale);
  EXPECT_EQ(ErrorCode::conflict, stale.error().code);
}

TEST_P(AppealsTest, MattersForOtherChannelsAreRedirectedAndNotStored) {
  struct Case {
    const char* text;
    const char* channel;
  };
  const auto seq = last_seq();
  for (auto c :
       {Case{"我要起诉开发商延期交房", "人民法院"}, Case{"厨房着火了快来人", "119"},
        Case{"老人突然昏迷不醒", "120"}, Case{"有人持刀抢劫", "110"},
        Case{"劳动仲裁裁决后公司不执行", "仲裁"}, Case{"对罚款决定申请行政复议", "行政复议"},
        Case{"此事已信访，要求答复", "信访"}}) {
    auto r = service_->submit(appeal(Type::complaint, "反映问题", c.text), zhang_);
    ASSERT_FALSE(r) << c.text;
    EXPECT_EQ(ErrorCode::invalid_input, r.error().code);
    EXPECT_EQ("/text", r.error().field);
    EXPECT_NE(std::string::npos, r.error().message_zh.find(c.channel))
        << c.text << " → " << r.error().message_zh;
    EXPECT_FALSE(r.error().message_en.empty());
  }
  // In the title as well.
  auto t = service_->submit(appeal(Type::help, "申请行政复议", "请问怎么办"), zhang_);
  ASSERT_FALSE(t);
  EXPECT_EQ(0, count("appeals"));
  EXPECT_EQ(0, count("appeal_submissions"));
  EXPECT_EQ(seq, last_seq());
  EXPECT_TRUE(service_->submit(appeal(Type::complaint, "投诉物业", "投诉物业不修电梯"), zhang_));
}

TEST_P(AppealsTest, RepeatsOfTheSameMatterMerge) {
  Appeal first = noise(zhang_);
  clock_.advance(2 * core::kDayMs);
  auto again = service_->submit(appeal(Type::complaint, "夜间施工噪音！",
                                       "幸福小区旁边工地每天夜里十二点后仍在施工，噪音扰民"),
                                zhang_);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->merged);
  EXPECT_EQ(first.id, again->appeal.id);
  EXPECT_EQ(1, again->appeal.merged_count);
  EXPECT_GE(again->similarity, 0.6);
  EXPECT_EQ(1, count("appeals"));
  EXPECT_EQ(2, count("appeal_submissions"));
  auto evs = events_of(first.id);
  ASSERT_EQ(2u, evs.size());
  EXPECT_EQ("appeal.merged", evs[1].type);

  // Another matter, another person, or the same matter after a week: new appeals.
  auto other =
      service_->submit(appeal(Type::help, "路灯不亮", "人民路与中山路交叉口路灯坏了一周"), zhang_);
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->merged);
  auto li = service_->submit(
      appeal(Type::complaint, "夜间施工噪音", "幸福小区旁工地每天夜里十二点后仍在施工，噪音扰民。"),
      li_);
  ASSERT_TRUE(li);
  EXPECT_FALSE(li->merged);
  clock_.advance(8 * core::kDayMs);
  auto late = service_->submit(
      appeal(Type::complaint, "夜间施工噪音", "幸福小区旁工地每天夜里十二点后仍在施工，噪音扰民。"),
      zhang_);
  ASSERT_TRUE(late);
  EXPECT_FALSE(late->merged);
  EXPECT_NE(first.id, late->appeal.id);

  // Not into a closed appeal.
  for (auto [a, by] : {std::pair{Action::dispatch, dispatcher_}, std::pair{Action::receive, zjj_},
                       std::pair{Action::reply, zjj_}, std::pair{Action::close, operator_}}) {
    step(late->appeal.id, a, by, a == Action::dispatch ? "zjj" : "");
  }
  auto after_close = service_->submit(
      appeal(Type::complaint, "夜间施工噪音", "幸福小区旁工地每天夜里十二点后仍在施工，噪音扰民。"),
      zhang_);
  ASSERT_TRUE(after_close);
  EXPECT_FALSE(after_close->merged);
}

TEST_P(AppealsTest, RateLimitPerIdentity) {
  Options o;
  o.rate_limit = 3;
  ASSERT_NO_FATAL_FAILURE(build(o));
  const char* titles[] = {"路灯不亮", "井盖缺失", "垃圾未清运", "公交站牌损坏"};
  const char* texts[] = {"人民路路灯坏了一周", "中山路有井盖丢失很危险", "小区垃圾三天没人清运",
                         "解放路公交站牌被撞坏"};
  for (int i = 0; i < 3; ++i) {
    clock_.advance(60'000);
    submit(appeal(Type::help, titles[i], texts[i]), zhang_);
  }
  auto seq = last_seq();
  auto limited = service_->submit(appeal(Type::help, titles[3], texts[3]), zhang_);
  ASSERT_FALSE(limited);
  EXPECT_EQ(ErrorCode::rate_limited, limited.error().code);
  EXPECT_EQ(seq, last_seq());
  EXPECT_EQ(3, count("appeals"));
  // A repeat counts as a submission too: it is refused, not merged.
  auto repeat = service_->submit(appeal(Type::help, titles[0], texts[0]), zhang_);
  ASSERT_FALSE(repeat);
  EXPECT_EQ(ErrorCode::rate_limited, repeat.error().code);
  // Others are not affected; an hour after the first, one more is allowed.
  submit(appeal(Type::help, titles[3], texts[3]), li_);
  clock_.set(at(3, 2) + 3600'000 + 61'000);
  submit(appeal(Type::help, titles[3], texts[3]), zhang_);
}

TEST_P(AppealsTest, ConfidentialHidesTheAppellantFromTheDepartment) {
  NewAppeal n = appeal(Type::report, "举报无证经营", "某路口餐馆无证经营，油烟扰民。");
  n.confidential = true;
  Appeal a = submit(n, zhang_);
  EXPECT_FALSE(a.appellant.hidden);  // the appellant sees themself
  EXPECT_EQ("张三", a.appellant.name);
  step(a.id, Action::dispatch, dispatcher_, "scjg");

  auto dept = service_->get(a.id, scjg_);
  ASSERT_TRUE(dept);
  EXPECT_TRUE(dept->appeal.appellant.hidden);
  EXPECT_EQ("", dept->appeal.appellant.name);
  EXPECT_EQ("", dept->appeal.appellant.phone);
  EXPECT_EQ("", dept->appeal.appellant.user_id);
  EXPECT_EQ("", dept->appeal.entered_by);
  for (const auto& t : dept->history) EXPECT_NE(zhang_.user_id, t.actor_user_id) << t.event;
  auto listed = service_->list(Query{}, scjg_);
  ASSERT_TRUE(listed);
  ASSERT_EQ(1u, listed->appeals.size());
  EXPECT_TRUE(listed->appeals[0].appellant.hidden);
  auto acted = act(a.id, Action::receive, scjg_);
  ASSERT_TRUE(acted);
  EXPECT_TRUE(acted->appellant.hidden);

  // The hotline keeps the identity for the callback.
  auto hotline = service_->get(a.id, operator_);
  ASSERT_TRUE(hotline);
  EXPECT_FALSE(hotline->appeal.appellant.hidden);
  EXPECT_EQ("张三", hotline->appeal.appellant.name);
  EXPECT_EQ("13800000000", hotline->appeal.appellant.phone);

  // Anonymous: nothing kept to show anyone but the appellant.
  NewAppeal an = appeal(Type::suggestion, "建议增设非机动车道", "建设路缺少非机动车道，建议增设。");
  an.anonymous = true;
  Appeal b = submit(an, li_);
  auto hb = service_->get(b.id, operator_);
  ASSERT_TRUE(hb);
  EXPECT_TRUE(hb->appeal.appellant.hidden);
  auto own = service_->get(b.id, li_);
  ASSERT_TRUE(own);
  EXPECT_FALSE(own->appeal.appellant.hidden);
  EXPECT_EQ("", own->appeal.appellant.name);  // never stored
  EXPECT_EQ(li_.user_id, own->appeal.appellant.user_id);
}

TEST_P(AppealsTest, ClockLimitsPerTypeAlertsAndSupervision) {
  Appeal consult = submit(appeal(Type::consult, "咨询公积金", "公积金提取需要哪些材料？"), zhang_);
  Appeal help = submit(appeal(Type::help, "求助", "小区停水两天了"), li_);
  Appeal complaint = noise(zhang_);
  EXPECT_EQ(3, consult.clock.limit_days);
  EXPECT_EQ(3, help.clock.limit_days);
  EXPECT_EQ(13, complaint.clock.limit_days);
  ASSERT_TRUE(consult.clock.deadline);
  EXPECT_EQ("2026-03-05", core::format_date(*consult.clock.deadline));  // Mon + 3 working days
  EXPECT_EQ("2026-03-19", core::format_date(*complaint.clock.deadline));
  EXPECT_EQ(core::Alert::none, consult.clock.alert);

  for (const auto& id : {consult.id, complaint.id}) step(id, Action::dispatch, dispatcher_, "zjj");
  clock_.set(at(3, 3));
  EXPECT_EQ(core::Alert::yellow, service_->get(consult.id, zjj_)->appeal.clock.alert);
  EXPECT_EQ(core::Alert::none, service_->get(complaint.id, zjj_)->appeal.clock.alert);
  // Not overdue yet: no 督办.
  expect_refused(consult.id, Action::supervise, supervisor_, ErrorCode::conflict);

  clock_.set(at(3, 6));  // Friday: the consult is overdue
  auto late = service_->get(consult.id, zjj_);
  EXPECT_EQ(core::Alert::red, late->appeal.clock.alert);
  EXPECT_EQ(-1, late->appeal.clock.remaining_days);
  expect_refused(consult.id, Action::supervise, zjj_, ErrorCode::forbidden);
  expect_refused(consult.id, Action::supervise, dispatcher_, ErrorCode::forbidden);
  auto sup = act(consult.id, Action::supervise, supervisor_, "", "请尽快答复");
  ASSERT_TRUE(sup) << sup.error().message_en;
  EXPECT_EQ(State::dispatched, sup->state);
  EXPECT_EQ(1, sup->supervision_count);
  EXPECT_EQ("appeal.supervised", events_of(consult.id).back().type);

  // Roll-up: zjj has two open, one overdue; after a late reply the on-time rate is 0.
  auto roll = service_->rollup(supervisor_, "");
  ASSERT_TRUE(roll);
  ASSERT_EQ(1u, roll->size());
  EXPECT_EQ("zjj", (*roll)[0].dept_id);
  EXPECT_EQ(2, (*roll)[0].open);
  EXPECT_EQ(1, (*roll)[0].overdue);
  EXPECT_FALSE((*roll)[0].on_time_rate);
  step(consult.id, Action::receive, zjj_);
  step(consult.id, Action::reply, zjj_);
  step(complaint.id, Action::receive, zjj_);
  step(complaint.id, Action::reply, zjj_);
  clock_.set(at(4, 30));  // long after: replies read at their own time
  roll = service_->rollup(zjj_, "");
  ASSERT_TRUE(roll);
  ASSERT_EQ(1u, roll->size());
  EXPECT_EQ(0, (*roll)[0].open);
  EXPECT_EQ(2, (*roll)[0].replied);
  EXPECT_EQ(1, (*roll)[0].replied_on_time);
  EXPECT_DOUBLE_EQ(0.5, *(*roll)[0].on_time_rate);
  EXPECT_EQ(ErrorCode::forbidden, service_->rollup(zjj_, "scjg").error().code);
  EXPECT_EQ(ErrorCode::forbidden, service_->rollup(zhang_, "").error().code);

  // Editing a limit: admins only, 1–60, for appeals taken from then on.
  EXPECT_EQ(ErrorCode::forbidden, service_->set_limit(Type::consult, 5, dispatcher_).error().code);
  EXPECT_EQ(ErrorCode::invalid_input, service_->set_limit(Type::consult, 0, admin_).error().code);
  EXPECT_EQ(ErrorCode::invalid_input, service_->set_limit(Type::consult, 61, admin_).error().code);
  auto seq = last_seq();
  ASSERT_TRUE(service_->set_limit(Type::consult, 5, admin_));
  EXPECT_EQ(seq + 1, last_seq());
  auto limits = service_->limits();
  ASSERT_TRUE(limits);
  EXPECT_EQ(5, (*limits)[0].days);
  EXPECT_EQ(Type::consult, (*limits)[0].type);
  Appeal later = submit(appeal(Type::consult, "咨询社保", "社保转移怎么办理？"), li_);
  EXPECT_EQ(5, later.clock.limit_days);
  EXPECT_EQ(3, service_->get(consult.id, admin_)->appeal.clock.limit_days);
}

TEST_P(AppealsTest, BadInputChangesNothing) {
  struct Bad {
    const char* what;
    NewAppeal n;
    std::string field;
  };
  auto base = appeal(Type::complaint, "标题", "内容");
  std::vector<Bad> bad;
  auto with = [&](const char* what, std::string field, auto change) {
    NewAppeal n = base;
    change(n);
    bad.push_back({what, std::move(n), std::move(field)});
  };
  with("empty text", "/text", [](NewAppeal& n) { n.text = ""; });
  with("huge text", "/text", [](NewAppeal& n) {
    n.text.clear();
    for (int i = 0; i < 5001; ++i) n.text += "字";
  });
  with("empty title", "/title", [](NewAppeal& n) { n.title = ""; });
  with("invalid utf-8", "/text", [](NewAppeal& n) { n.text = "abc\xC0\xAF"; });
  with("control char", "/title", [](NewAppeal& n) { n.title = std::string("a\0b", 3); });
  with("lon alone", "/lat", [](NewAppeal& n) { n.lon = 118.8; });
  with("lat range", "/lat", [](NewAppeal& n) {
    n.lon = 118.8;
    n.lat = 91;
  });
  with("bad photo", "/photos/0", [](NewAppeal& n) { n.photos = {"not-a-hash"}; });
  with("upper-case photo", "/photos/0", [](NewAppeal& n) { n.photos = {std::string(64, 'A')}; });
  with("caller online", "/caller", [](NewAppeal& n) { n.caller = Caller{"王五", "123"}; });
  const auto seq = last_seq();
  for (const auto& b : bad) {
    auto r = service_->submit(b.n, zhang_);
    ASSERT_FALSE(r) << b.what;
    EXPECT_EQ(ErrorCode::invalid_input, r.error().code) << b.what;
    EXPECT_EQ(b.field, r.error().field) << b.what << ": " << r.error().message_en;
  }
  EXPECT_EQ(0, count("appeals"));
  EXPECT_EQ(0, count("appeal_submissions"));
  EXPECT_EQ(seq, last_seq());

  // The edge itself is fine: 5,000 characters.
  NewAppeal edge = base;
  edge.text.clear();
  for (int i = 0; i < 5000; ++i) edge.text += "字";
  EXPECT_TRUE(service_->submit(edge, zhang_));

  // Action fields: missing or foreign ones are refused.
  Appeal a = noise(li_);
  ActionRequest r;
  r.action = Action::dispatch;
  r.dept_id = "zjj";
  r.reply = "答复";
  auto foreign = service_->act(a.id, r, dispatcher_);
  ASSERT_FALSE(foreign);
  EXPECT_EQ("/reply", foreign.error().field);
  ActionRequest rate;
  rate.action = Action::rate;
  rate.level = 6;
  EXPECT_EQ("/level", service_->act(a.id, rate, li_).error().field);
}

TEST_P(AppealsTest, PhoneCallsAndAutomaticDispatch) {
  NewAppeal call = appeal(Type::help, "独居老人求助", "家中水管爆裂，需要帮助联系维修。");
  call.channel = Channel::phone;
  auto no_caller = service_->submit(call, operator_);
  ASSERT_FALSE(no_caller);
  EXPECT_EQ("/caller", no_caller.error().field);
  call.caller = Caller{"王大爷", "025-8888 0000"};
  EXPECT_EQ(ErrorCode::forbidden, service_->submit(call, zhang_).error().code);
  EXPECT_EQ(ErrorCode::forbidden, service_->submit(call, zjj_).error().code);
  EXPECT_EQ(ErrorCode::forbidden, service_->submit(noise_appeal(), zjj_).error().code);
  Appeal a = submit(call, operator_);
  EXPECT_EQ(Channel::phone, a.channel);
  EXPECT_EQ("王大爷", a.appellant.name);
  EXPECT_EQ("", a.appellant.user_id);
  EXPECT_EQ(operator_.user_id, a.entered_by);
  // The caller's name and phone are sealed at rest, and the key their calls merge under is the
  // phone's keyed index (an unkeyed hash of a phone number is undone by trying every number).
  auto stored = store_->read([&](store::Tx& tx) -> Result<std::string> {
    return tx
        .query_one("SELECT appellant_name || appellant_phone || identity_key FROM appeals "
                   "WHERE id = ?",
                   {a.id})
        ->text(0);
  });
  ASSERT_TRUE(stored);
  EXPECT_EQ(std::string::npos, stored->find("王大爷")) << *stored;
  EXPECT_EQ(std::string::npos, stored->find("8888")) << *stored;
  EXPECT_EQ(std::string::npos, stored->find(core::sha256_hex("02588880000"))) << *stored;
  EXPECT_EQ("王大爷", service_->get(a.id, operator_)->appeal.appellant.name);

  // Below the threshold the suggestion waits for a dispatcher; above it the platform dispatches.
  auto low = service_->auto_dispatch(a.id, "zjj", 0.4);
  ASSERT_TRUE(low);
  EXPECT_EQ(State::accepted, low->state);
  EXPECT_EQ("zjj", low->suggested_dept);
  EXPECT_EQ("appeal.classified", events_of(a.id).back().type);
  // The dispatcher corrects the suggestion.
  ActionRequest d;
  d.action = Action::dispatch;
  d.dept_id = "scjg";
  d.suggested_dept = "zjj";
  d.confidence = 0.4;
  auto corrected = service_->act(a.id, d, dispatcher_);
  ASSERT_TRUE(corrected) << corrected.error().message_en;
  EXPECT_EQ("scjg", corrected->dept_id);
  auto data = json::parse(events_of(a.id).back().data_json);
  EXPECT_TRUE(data.value("corrected", false));
  EXPECT_EQ(ErrorCode::conflict, service_->auto_dispatch(a.id, "zjj", 0.99).error().code);

  Appeal b = noise(li_);
  auto high = service_->auto_dispatch(b.id, "zjj", 0.93);
  ASSERT_TRUE(high);
  EXPECT_EQ(State::dispatched, high->state);
  auto e = events_of(b.id).back();
  EXPECT_EQ("appeal.dispatched", e.type);
  EXPECT_EQ("system", e.actor.role);
  EXPECT_EQ(ErrorCode::invalid_input, service_->auto_dispatch(b.id, "nosuch", 0.9).error().code);

  // A dispatcher may follow a confident suggestion without naming the department.
  Appeal c = submit(appeal(Type::consult, "咨询", "落户需要什么材料"), li_);
  ActionRequest follow;
  follow.action = Action::dispatch;
  follow.suggested_dept = "zjj";
  follow.confidence = 0.9;
  auto followed = service_->act(c.id, follow, dispatcher_);
  ASSERT_TRUE(followed) << followed.error().message_en;
  EXPECT_EQ("zjj", followed->dept_id);
  follow.confidence = 0.5;
  Appeal c2 = submit(appeal(Type::consult, "咨询户口", "户口迁移流程是什么"), li_);
  EXPECT_EQ("/dept_id", service_->act(c2.id, follow, dispatcher_).error().field);

  // The caller has no account: the hotline records the rating from the callback call.
  step(a.id, Action::receive, scjg_);
  step(a.id, Action::reply, scjg_);
  step(a.id, Action::close, operator_);
  step(a.id, Action::callback, operator_);
  expect_refused(a.id, Action::rate, zhang_, ErrorCode::not_found);
  step(a.id, Action::rate, operator_);
  EXPECT_EQ(State::rated, service_->get(a.id, operator_)->appeal.state);

  // Repeated calls from the same number merge, whatever the number's punctuation.
  NewAppeal again = call;
  again.caller = Caller{"王大爷", "02588880000"};
  call.text = "家里厨房水管漏水严重";
  call.title = "水管漏水";
  Appeal fresh = submit(call, operator_);
  again.title = "水管漏水";
  again.text = "家里厨房水管漏水严重！";
  auto merged = service_->submit(again, dispatcher_);
  ASSERT_TRUE(merged);
  EXPECT_TRUE(merged->merged);
  EXPECT_EQ(fresh.id, merged->appeal.id);
}

TEST_P(AppealsTest, ListsAreScoped) {
  Appeal z = noise(zhang_);
  Appeal l = submit(appeal(Type::consult, "咨询", "公积金怎么提取"), li_);
  step(z.id, Action::dispatch, dispatcher_, "zjj");
  step(l.id, Action::dispatch, dispatcher_, "scjg");
  auto ids = [&](const identity::Principal& by, Query q = {}) {
    std::set<std::string> out;
    auto r = service_->list(q, by);
    EXPECT_TRUE(r);
    if (r) {
      for (const auto& a : r->appeals) out.insert(a.id);
      EXPECT_EQ(static_cast<std::int64_t>(out.size()), r->total);
    }
    return out;
  };
  EXPECT_EQ(std::set<std::string>{z.id}, ids(zhang_));
  EXPECT_EQ(std::set<std::string>{l.id}, ids(li_));
  EXPECT_EQ(std::set<std::string>{z.id}, ids(zjj_));
  EXPECT_EQ(std::set<std::string>{l.id}, ids(scjg_));
  EXPECT_EQ((std::set<std::string>{z.id, l.id}), ids(operator_));
  EXPECT_EQ((std::set<std::string>{z.id, l.id}), ids(supervisor_));
  Query q;
  q.type = Type::consult;
  EXPECT_EQ(std::set<std::string>{l.id}, ids(operator_, q));
  q = {};
  q.dept_id = "zjj";
  EXPECT_EQ(std::set<std::string>{z.id}, ids(supervisor_, q));
  EXPECT_EQ(std::set<std::string>{}, ids(scjg_, q));
  q = {};
  q.state = State::accepted;
  EXPECT_EQ(std::set<std::string>{}, ids(operator_, q));
}

INSTANTIATE_TEST_SUITE_P(Backends, AppealsTest, ::testing::ValuesIn(yiwang::testing::backends()));

}  // namespace
}  // namespace yiwang::appeals

namespace yiwang::appeals {
namespace {

// A stand-in for the AI module's check (tested there): strong when the reply says what was found.
Result<ReplyQuality> findings_checker(std::string_view, std::string_view reply) {
  if (reply.empty()) {
    return fail(ErrorCode::invalid_input, "/reply", "答复不能为空", "reply must not be empty");
  }
  ReplyQuality q;
  const bool found = reply.find("经查") != std::string_view::npos;
  q.score = found ? 90 : 40;
  q.relevance = found ? 0.5 : 0.1;
  if (!found) q.issues.push_back({"no_findings", "未说明调查结果", "no findings"});
  return q;
}

TEST_P(AppealsTest, WeakRepliesAreFlaggedAndNeedConfirmation) {
  Options o;
  o.reply_checker = findings_checker;
  ASSERT_NO_FATAL_FAILURE(build(o));
  Appeal a = noise(zhang_);
  step(a.id, Action::dispatch, dispatcher_, "zjj");
  step(a.id, Action::receive, zjj_);

  auto preview = service_->check_reply(a.id, "您好，已处理。", zjj_);
  ASSERT_TRUE(preview) << preview.error().message_en;
  EXPECT_TRUE(preview->weak);
  EXPECT_FALSE(preview->late);
  ASSERT_EQ(1u, preview->issues.size());
  EXPECT_EQ("no_findings", preview->issues[0].code);
  EXPECT_EQ(ErrorCode::not_found, service_->check_reply(a.id, "x", scjg_).error().code);
  EXPECT_EQ(ErrorCode::not_found, service_->check_reply(a.id, "x", li_).error().code);
  EXPECT_EQ("/reply", service_->check_reply(a.id, "", zjj_).error().field);

  ActionRequest weak;
  weak.action = Action::reply;
  weak.reply = "您好，已处理。";
  auto seq = last_seq();
  auto refused = service_->act(a.id, weak, zjj_);
  ASSERT_FALSE(refused);
  EXPECT_EQ(ErrorCode::unprocessable, refused.error().code);
  EXPECT_EQ("/reply", refused.error().field);
  EXPECT_NE(std::string::npos, refused.error().message_zh.find("未说明调查结果"));
  EXPECT_EQ(seq, last_seq());
  EXPECT_EQ(State::handling, service_->get(a.id, zjj_)->appeal.state);

  weak.confirm_weak = true;
  auto sent = service_->act(a.id, weak, zjj_);
  ASSERT_TRUE(sent) << sent.error().message_en;
  ASSERT_TRUE(sent->reply_check);
  EXPECT_TRUE(sent->reply_check->weak);
  auto stored = service_->get(a.id, zhang_);
  ASSERT_TRUE(stored->appeal.reply_check);
  EXPECT_DOUBLE_EQ(40, stored->appeal.reply_check->score);
  auto data = json::parse(events_of(a.id).back().data_json);
  EXPECT_TRUE(data.at("reply_weak").get<bool>());

  // Past the limit (13 working days for a complaint) even a complete reply loses points.
  Appeal late = submit(appeal(Type::complaint, "广告牌松动", "人民路广告牌松动有坠落危险。"), li_);
  step(late.id, Action::dispatch, dispatcher_, "zjj");
  step(late.id, Action::receive, zjj_);
  clock_.set(at(3, 30));
  ActionRequest good;
  good.action = Action::reply;
  good.reply = "您好，经查广告牌已加固。";
  auto replied = service_->act(late.id, good, zjj_);
  ASSERT_TRUE(replied) << replied.error().message_en;
  ASSERT_TRUE(replied->reply_check);
  EXPECT_TRUE(replied->reply_check->late);
  EXPECT_DOUBLE_EQ(90 - kLatePenalty, replied->reply_check->score);
  EXPECT_EQ("late", replied->reply_check->issues.back().code);
  EXPECT_FALSE(replied->reply_check->weak);
}

TEST_P(AppealsTest, ReplayedSubmissionsAreRefused) {
  NewAppeal n = noise_appeal();
  n.idempotency_key = "form-7f3a";
  Appeal first = submit(n, zhang_);
  auto seq = last_seq();
  n.text = "完全不同的内容，不会被合并。";
  auto replay = service_->submit(n, zhang_);
  ASSERT_FALSE(replay);
  EXPECT_EQ(ErrorCode::conflict, replay.error().code);
  EXPECT_EQ("/idempotency_key", replay.error().field);
  EXPECT_NE(std::string::npos, replay.error().message_en.find(first.id));
  EXPECT_EQ(seq, last_seq());
  EXPECT_EQ(1, count("appeals"));
  EXPECT_EQ(1, count("appeal_submissions"));
  // Keys are per identity; a bad key is bad input.
  submit(n, li_);
  n.idempotency_key = "has space";
  EXPECT_EQ("/idempotency_key", service_->submit(n, zhang_).error().field);
  n.idempotency_key = std::string(101, 'k');
  EXPECT_EQ("/idempotency_key", service_->submit(n, zhang_).error().field);
}

TEST_P(AppealsTest, RateLimitSaysWhenToRetry) {
  Options o;
  o.rate_limit = 2;
  ASSERT_NO_FATAL_FAILURE(build(o));
  submit(appeal(Type::help, "路灯不亮", "人民路路灯坏了一周"), zhang_);
  clock_.advance(10 * 60'000);
  submit(appeal(Type::help, "井盖缺失", "中山路有井盖丢失很危险"), zhang_);
  clock_.advance(5 * 60'000);
  auto limited = service_->submit(appeal(Type::help, "垃圾未清运", "小区垃圾三天没人清运"), zhang_);
  ASSERT_FALSE(limited);
  EXPECT_EQ(ErrorCode::rate_limited, limited.error().code);
  // The first submission leaves the hour's window 45 minutes from now.
  EXPECT_EQ(45 * 60, limited.error().retry_after_s);
}

TEST_P(AppealsTest, PublicBoardShowsConsentedAnswersWithoutPersonalData) {
  NewAppeal consented = appeal(Type::complaint, "张三反映噪音",
                               "我是张三，电话13912345678，身份证110105194912310021，住幸福小区"
                               "3栋402室，车牌苏A12345被堵。");
  consented.public_consent = true;
  Appeal a = submit(consented, zhang_);
  Appeal b = submit(appeal(Type::consult, "咨询", "公积金怎么提取"), li_);  // no consent
  for (const auto& [id, dept] : {std::pair{a.id, "zjj"}, std::pair{b.id, "zjj"}}) {
    step(id, Action::dispatch, dispatcher_, dept);
    step(id, Action::receive, zjj_);
    step(id, Action::reply, zjj_);
  }
  Appeal open = submit(appeal(Type::consult, "咨询社保", "社保怎么转移"), li_);
  (void)open;

  auto board = service_->board(20, 0, "");
  ASSERT_TRUE(board) << board.error().message_en;
  ASSERT_EQ(1, board->total);
  ASSERT_EQ(1u, board->appeals.size());
  const auto& e = board->appeals[0];
  EXPECT_EQ(a.id, e.id);
  EXPECT_TRUE(e.on_time);
  for (const char* leaked : {"张三", "13912345678", "110105194912310021", "402", "A12345"}) {
    EXPECT_EQ(std::string::npos, e.text.find(leaked)) << leaked << " in " << e.text;
    EXPECT_EQ(std::string::npos, e.title.find(leaked)) << leaked;
  }
  EXPECT_NE(std::string::npos, e.text.find("幸福小区"));  // the matter stays readable
  // Rates count every replied appeal, consented or not.
  ASSERT_EQ(1u, board->departments.size());
  EXPECT_EQ("zjj", board->departments[0].dept_id);
  EXPECT_EQ(2, board->departments[0].replied);
  EXPECT_DOUBLE_EQ(1.0, *board->departments[0].on_time_rate);
  EXPECT_EQ(0, service_->board(20, 0, "scjg")->total);
}

// Regression (#16, item 5): the board's old redaction missed spaced ID numbers, dashed, spaced
// and full-width phones and names after contact words; a text with a number it cannot classify
// is withheld, not published.
TEST_P(AppealsTest, PublicBoardRedactsSpacedDashedFullWidthNumbersAndContactNames) {
  NewAppeal variants =
      appeal(Type::complaint, "联系人王小明反映噪音",
             "联系人：王小明，电话 138-1234-5678，备用１３８１２３４５６７８，家里 138 1234 5678，"
             "身份证 1101 0519 9001 0100 1X，或 110105 19900101 001X。我叫李四，姓名：张三。"
             "幸福小区夜间施工噪音扰民。");
  variants.public_consent = true;
  Appeal a = submit(variants, zhang_);
  NewAppeal unclear = appeal(Type::complaint, "施工噪音", "工地夜间施工，请回电 1234567 找我");
  unclear.public_consent = true;
  Appeal b = submit(unclear, li_);
  for (const auto& id : {a.id, b.id}) {
    step(id, Action::dispatch, dispatcher_, "zjj");
    step(id, Action::receive, zjj_);
    step(id, Action::reply, zjj_);
  }

  auto board = service_->board(20, 0, "");
  ASSERT_TRUE(board) << board.error().message_en;
  ASSERT_EQ(2u, board->appeals.size());
  for (const auto& e : board->appeals) {
    if (e.id == b.id) {
      EXPECT_EQ(privacy::kWithheld, e.text);  // 1234567 is nothing it knows: held
      EXPECT_EQ("施工噪音", e.title);
      continue;
    }
    for (const char* leaked :
         {"王小明", "李四", "张三", "138-1234-5678", "１３８１２３４５６７８", "138 1234 5678",
          "1101 0519 9001 0100 1X", "110105 19900101 001X", "5678", "001X"}) {
      EXPECT_EQ(std::string::npos, e.text.find(leaked)) << leaked << " in " << e.text;
      EXPECT_EQ(std::string::npos, e.title.find(leaked)) << leaked << " in " << e.title;
    }
    EXPECT_NE(std::string::npos, e.text.find("幸福小区夜间施工噪音扰民"));
    EXPECT_NE(std::string::npos, e.text.find("[身份证号]"));
  }
  // Officials keep the original text.
  auto original = service_->get(a.id, zjj_);
  ASSERT_TRUE(original) << original.error().message_en;
  EXPECT_NE(std::string::npos, original->appeal.text.find("138-1234-5678"));
}

// Finding (#16, item 5): what the redaction held stayed withheld for ever — no one could review
// it. Now it waits in the answering department's publication review; the board shows the text
// an official published, and only for the text it was decided on.
TEST_P(AppealsTest, HeldTextsWaitForTheAnsweringDepartmentsReview) {
  NewAppeal unclear = appeal(Type::complaint, "施工噪音", "工地夜间施工，请回电 1234567 找我");
  unclear.public_consent = true;
  Appeal a = submit(unclear, li_);
  NewAppeal private_one = appeal(Type::complaint, "施工噪音", "工地夜间施工，请回电 1234567 或来访");
  Appeal b = submit(private_one, zhang_);  // no consent: never public, never reviewed
  disclosure::Service review(*store_, clock_);
  for (const auto& id : {a.id, b.id}) {
    step(id, Action::dispatch, dispatcher_, "zjj");
    step(id, Action::receive, zjj_);
  }
  // Not on the board before the reply: nothing to review yet.
  EXPECT_EQ(0, review.list(disclosure::State::pending, 50, 0, zjj_)->total);
  for (const auto& id : {a.id, b.id}) step(id, Action::reply, zjj_);
  auto queue = review.list(disclosure::State::pending, 50, 0, zjj_);
  ASSERT_TRUE(queue) << queue.error().message_en;
  ASSERT_EQ(1, queue->total);  // the text; the title and the reply are safe
  const disclosure::Review r = queue->reviews[0];
  EXPECT_EQ(disclosure::Surface::appeal_text, r.surface);
  EXPECT_EQ(a.id, r.subject_id);
  EXPECT_EQ(0, review.list(disclosure::State::pending, 50, 0, scjg_)->total);
  EXPECT_EQ(privacy::kWithheld, service_->board(20, 0, "")->appeals.at(0).text);

  // Answers from before the review existed are held once, at start.
  ASSERT_TRUE(store_->write([](store::Tx& tx) -> Status {
    tx.exec("DELETE FROM disclosure_reviews");
    return {};
  }));
  EXPECT_EQ(1, hold_public_texts(*store_, clock_).value());
  EXPECT_EQ(0, hold_public_texts(*store_, clock_).value());  // it ran
  queue = review.list(disclosure::State::pending, 50, 0, zjj_);
  ASSERT_EQ(1, queue->total);
  EXPECT_EQ(r.id, queue->reviews[0].id);

  auto published = review.decide(
      r.id, {disclosure::Decision::Kind::publish, "工地夜间施工，请尽快处理", "", r.revision}, zjj_);
  ASSERT_TRUE(published) << published.error().message_en;
  auto board = service_->board(20, 0, "");
  ASSERT_EQ(1u, board->appeals.size());
  EXPECT_EQ("工地夜间施工，请尽快处理", board->appeals[0].text);
  EXPECT_EQ("施工噪音", board->appeals[0].title);
}

// Finding (#16, item 4): what appellants write (title, text, place) and the replies were stored in
// the clear, and so was each submission's copy. All of it is sealed at rest; what an older
// version left in the clear is sealed at start, and everything reads the same.
TEST_P(AppealsTest, FreeTextIsSealedAtRest) {
  NewAppeal n = appeal(Type::complaint, "幸福小区 12 栋噪音", "我住 12 栋 501 室，电话 13912345678");
  n.location = "幸福小区 12 栋";
  Appeal a = submit(n, zhang_);
  step(a.id, Action::dispatch, dispatcher_, "zjj");
  step(a.id, Action::receive, zjj_);
  step(a.id, Action::reply, zjj_);
  step(a.id, Action::close, operator_);
  step(a.id, Action::callback, operator_);
  auto raw = [&] {
    return store_
        ->read([&](store::Tx& tx) -> Result<std::string> {
          std::string all;
          for (const auto& row : tx.query(
                   "SELECT title || text || location || reply || callback_result FROM appeals "
                   "UNION ALL SELECT title || text FROM appeal_submissions")) {
            all += row.text(0);
          }
          return all;
        })
        .value();
  };
  for (const char* clear : {"幸福小区", "13912345678", "现场核查", "表示满意"}) {
    EXPECT_EQ(std::string::npos, raw().find(clear)) << clear;
  }
  const Appeal read = service_->get(a.id, zjj_)->appeal;
  EXPECT_EQ(n.text, read.text);
  EXPECT_EQ(n.location, read.location);

  // An older version's rows, in the clear: sealed once, read the same.
  ASSERT_TRUE(store_->write([&](store::Tx& tx) -> Status {
    tx.exec(
        "UPDATE appeals SET title = ?, text = ?, location = ?, reply = ?, callback_result = ? "
        "WHERE id = ?",
        {read.title, read.text, read.location, read.reply, read.callback_result, a.id});
    tx.exec("UPDATE appeal_submissions SET title = ?, text = ?", {read.title, read.text});
    return {};
  }));
  EXPECT_EQ(7, seal_at_rest(*store_).value());
  EXPECT_EQ(0, seal_at_rest(*store_).value());
  EXPECT_EQ(std::string::npos, raw().find("13912345678"));
  const Appeal again = service_->get(a.id, zjj_)->appeal;
  EXPECT_EQ(read.title, again.title);
  EXPECT_EQ(read.text, again.text);
  EXPECT_EQ(read.reply, again.reply);
  EXPECT_EQ("诉求人表示满意", again.callback_result);
  // The board still reads it (redacted).
  EXPECT_EQ(0, service_->board(20, 0, "")->total);  // no consent
}

// Calls filed before the merge key was keyed carry "phone:<SHA-256 of the digits>": at start the
// key is replaced by the keyed one everywhere it is used, and the old value, which the ledger
// committed to, is kept sealed so the appeal's later entries commit to the same party.
TEST_P(AppealsTest, OldPhoneKeysAreReplacedAndTheLedgerPartyKept) {
  NewAppeal call = appeal(Type::help, "独居老人求助", "家中水管爆裂，需要帮助联系维修。");
  call.channel = Channel::phone;
  call.caller = Caller{"王大爷", "025-8888 0000"};
  call.idempotency_key = "call-1";
  Appeal a = submit(call, operator_);
  const std::string old_key = "phone:" + core::sha256_hex("02588880000");
  auto key_of = [&](const std::string& id) {
    return store_
        ->read([&](store::Tx& tx) -> Result<std::string> {
          return tx.query_one("SELECT identity_key FROM appeals WHERE id = ?", {id})->text(0);
        })
        .value();
  };
  const std::string new_key = key_of(a.id);
  ASSERT_TRUE(store_->write([&](store::Tx& tx) -> Status {
    for (const char* table : {"appeals", "appeal_submissions", "appeal_idempotency"})
      tx.exec(std::string("UPDATE ") + table + " SET identity_key = ?", {old_key});
    return {};
  }));
  auto party = [&] {
    return store_
        ->read([&](store::Tx& tx) -> Result<std::string> { return *party_of(tx, a.id); })
        .value();
  };
  EXPECT_EQ(old_key, party());

  EXPECT_EQ(1, seal_at_rest(*store_).value());
  EXPECT_EQ(0, seal_at_rest(*store_).value());
  EXPECT_EQ(new_key, key_of(a.id));
  EXPECT_EQ(old_key, party());
  auto anywhere = store_->read([&](store::Tx& tx) -> Result<std::int64_t> {
    return tx
        .query_one(
            "SELECT (SELECT COUNT(*) FROM appeals WHERE identity_key = ? OR ledger_party = ?) + "
            "(SELECT COUNT(*) FROM appeal_submissions WHERE identity_key = ?) + "
            "(SELECT COUNT(*) FROM appeal_idempotency WHERE identity_key = ?)",
            {old_key, old_key, old_key, old_key})
        ->int64(0);
  });
  EXPECT_EQ(0, anywhere.value());
  // The same caller's retry is still known as the call it filed (its idempotency key moved too).
  auto again = service_->submit(call, operator_);
  ASSERT_FALSE(again);
  EXPECT_EQ("/idempotency_key", again.error().field);
  EXPECT_NE(std::string::npos, again.error().message_en.find(a.id)) << again.error().message_en;
}

TEST_P(AppealsTest, AutoDispatcherFollowsIntakeOnce) {
  int calls = 0;
  bool model_ready = false;
  AutoDispatcher dispatcher(*service_, *store_, [&](std::string_view text) -> Result<Suggestion> {
    ++calls;
    if (!model_ready) return fail(ErrorCode::conflict, "", "无模型", "no model");
    if (text.find("噪音") != std::string_view::npos) return Suggestion{"城乡建设", "zjj", 0.95};
    if (text.find("食品") != std::string_view::npos) return Suggestion{"商贸旅游", "scjg", 0.55};
    return Suggestion{"其他", "", 0.9};
  });
  Appeal before_model = noise(zhang_);
  ASSERT_TRUE(dispatcher.poll_once());
  EXPECT_EQ(State::accepted, service_->get(before_model.id, admin_)->appeal.state);

  model_ready = true;
  Appeal loud = noise(li_);
  Appeal food = submit(appeal(Type::report, "食品过期", "超市出售过期食品"), li_);
  Appeal other = submit(appeal(Type::consult, "咨询", "公积金怎么提取"), li_);
  Appeal manual = submit(appeal(Type::complaint, "噪音", "广场舞噪音扰民"), zhang_);
  step(manual.id, Action::dispatch, dispatcher_, "scjg");
  calls = 0;
  auto read = dispatcher.poll_once();
  ASSERT_TRUE(read) << read.error().message_en;
  EXPECT_EQ(3, calls);  // not the one a person dispatched already

  auto l = service_->get(loud.id, admin_)->appeal;
  EXPECT_EQ(State::dispatched, l.state);
  EXPECT_EQ("zjj", l.dept_id);
  EXPECT_EQ("城乡建设", l.suggested_label);
  auto f = service_->get(food.id, admin_)->appeal;
  EXPECT_EQ(State::accepted, f.state);  // for the dispatcher's queue, with the suggestion
  EXPECT_EQ("scjg", f.suggested_dept);
  EXPECT_EQ("商贸旅游", f.suggested_label);
  EXPECT_EQ(State::accepted, service_->get(other.id, admin_)->appeal.state);
  EXPECT_EQ("scjg", service_->get(manual.id, admin_)->appeal.dept_id);

  calls = 0;
  ASSERT_TRUE(dispatcher.poll_once());
  EXPECT_EQ(0, calls);  // exactly once
}

}  // namespace
}  // namespace yiwang::appeals
