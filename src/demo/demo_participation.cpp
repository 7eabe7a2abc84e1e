#include "demo/demo_participation.h"

#include <cstdio>
#include <iterator>
#include <string>
#include <vector>

#include "identity/identity.h"
#include "participation/participation.h"

namespace yiwang::demo {
namespace {

using participation::Answer;
using participation::Clause;
using participation::Question;
using participation::QuestionKind;

Result<identity::Principal> user(app::App& app, const std::string& name) {
  return app.identity().find_by_username(name);
}

Result<std::vector<identity::Principal>> citizens(app::App& app, int n) {
  std::vector<identity::Principal> out;
  for (int i = 1; i <= n; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "citizen%02d", i);
    auto p = user(app, name);
    if (!p) return fail(p.error());
    out.push_back(*p);
  }
  return out;
}

// Drafted by the market regulator 20 days ago, closed 5 days ago, every comment answered.
Status concluded_consultation(app::App& app, core::ManualClock& clock, core::Millis now,
                              const std::vector<identity::Principal>& people) {
  auto& svc = app.participation();
  auto official = user(app, "chuangkou");
  if (!official) return fail(official.error());
  clock.set(now - 20 * core::kDayMs);
  participation::NewConsultation c;
  c.title = "《江宁市食品小作坊登记管理办法（征求意见稿）》公开征求意见";
  c.summary =
      "为规范食品小作坊生产经营，保障食品安全，市市场监管局起草了本办法，现向社会公开征求意见。";
  c.closes_at_ms = now - 5 * core::kDayMs;
  c.clauses = {
      Clause{"第一条", "食品小作坊应当依法取得登记证，并在生产场所显著位置公示。", 0},
      Clause{"第二条", "登记证有效期为三年。有效期届满需要延续的，应当在届满前三十日内申请。", 0},
      Clause{"第三条", "食品小作坊不得生产婴幼儿配方食品、保健食品等特殊食品。", 0},
      Clause{"第四条", "市场监管部门应当每年至少开展一次监督检查，并公开检查结果。", 0}};
  auto created = svc.create_consultation(c, *official);
  if (!created) return fail(created.error());
  if (auto p = svc.publish_consultation(created->id, *official); !p) return fail(p.error());
  const std::vector<std::pair<const char*, const char*>> comments = {
      {"第二条", "建议延续申请可以在网上办理，并提前短信提醒，避免忘记。"},
      {"第二条", "三年有效期偏短，建议延长为五年，减轻小作坊负担。"},
      {"第四条", "检查结果建议在政务服务网公开，方便消费者查询。"},
      {"第一条", "公示应当包括投诉电话。"},
      {"", "总体赞成，希望配套出台扶持政策。"}};
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < comments.size(); ++i) {
    clock.set(now - (18 - 2 * static_cast<int>(i)) * core::kDayMs);
    auto added = svc.add_comment(created->id, comments[i].first, comments[i].second,
                                 people[i % people.size()]);
    if (!added) return fail(added.error());
    ids.push_back(added->id);
  }
  clock.set(now - 3 * core::kDayMs);
  const std::vector<std::pair<bool, const char*>> decisions = {
      {true, "采纳：延续申请已纳入一网通办，届满前六十日短信提醒。"},
      {false, "未采纳：上位法规定登记证有效期为三年，本办法不能突破。"},
      {true, "采纳：检查结果将在政务服务网公开。"},
      {true, "采纳：公示内容增加 12345 投诉电话。"},
      {false, "未采纳：扶持政策由其他文件另行规定，不在本办法范围内。"}};
  for (std::size_t i = 0; i < ids.size(); ++i) {
    auto d = svc.decide(created->id, ids[i], decisions[i].first, decisions[i].second, *official);
    if (!d) return fail(d.error());
  }
  auto done = svc.conclude(created->id,
                           "共收到意见 5 条，采纳 3 条，未采纳 2 条，均已说明理由。修改后的办法将于"
                           "下月印发。",
                           *official);
  if (!done) return fail(done.error());
  return {};
}

// Open for another two weeks, with the first comments in.
Status open_consultation(app::App& app, core::ManualClock& clock, core::Millis now,
                         const std::vector<identity::Principal>& people) {
  auto& svc = app.participation();
  auto official = user(app, "zjj.clerk");
  if (!official) return fail(official.error());
  clock.set(now - 6 * core::kDayMs);
  participation::NewConsultation c;
  c.title = "《江宁市住宅小区停车管理规定（征求意见稿）》公开征求意见";
  c.summary = "为缓解住宅小区停车难，市住建局起草了本规定，欢迎市民对各条款提出意见和建议。";
  c.closes_at_ms = now + 14 * core::kDayMs;
  c.clauses = {Clause{"第一条", "小区内车位应当首先满足业主的需要，不得捆绑销售。", 0},
               Clause{"第二条", "物业服务企业应当公示车位数量、收费标准和投诉方式。", 0},
               Clause{"第三条", "新建小区配建的充电设施车位不得少于车位总数的百分之二十。", 0}};
  auto created = svc.create_consultation(c, *official);
  if (!created) return fail(created.error());
  if (auto p = svc.publish_consultation(created->id, *official); !p) return fail(p.error());
  const std::vector<std::pair<const char*, const char*>> comments = {
      {"第一条", "我们小区开发商要求买房必须买车位，希望明确禁止并规定处罚。"},
      {"第三条", "老旧小区也应当逐步加装充电桩。"},
      {"第二条", "收费标准调整应当经业主大会同意。"}};
  for (std::size_t i = 0; i < comments.size(); ++i) {
    clock.set(now - (5 - static_cast<int>(i)) * core::kDayMs);
    auto added = svc.add_comment(created->id, comments[i].first, comments[i].second,
                                 people[(i + 5) % people.size()]);
    if (!added) return fail(added.error());
  }
  return {};
}

Status open_survey(app::App& app, core::ManualClock& clock, core::Millis now,
                   const std::vector<identity::Principal>& people) {
  auto& svc = app.participation();
  auto official = user(app, "12345.reviewer");
  if (!official) return fail(official.error());
  clock.set(now - 10 * core::kDayMs);
  participation::NewSurvey s;
  s.title = "12345 热线服务满意度调查";
  s.description = "请您花一分钟评价 12345 热线的服务，帮助我们改进。";
  s.closes_at_ms = now + 20 * core::kDayMs;
  Question how{"q1",
               QuestionKind::single,
               "您通过什么方式联系 12345？",
               {"电话", "网站", "手机", "其他"},
               1,
               5,
               true};
  Question what{"q2",
                QuestionKind::multiple,
                "您反映过哪些方面的问题？",
                {"噪音", "物业", "交通", "环境卫生", "社保", "其他"},
                1,
                5,
                false};
  Question score{"q3", QuestionKind::scale, "总体满意度（1 很不满意，5 很满意）", {}, 1, 5, true};
  Question say{"q4", QuestionKind::text, "您的意见和建议", {}, 1, 5, false};
  s.questions = {how, what, score, say};
  auto created = svc.create_survey(s, *official);
  if (!created) return fail(created.error());
  if (auto p = svc.publish_survey(created->id, *official); !p) return fail(p.error());
  const char* channels[] = {"电话", "手机", "网站", "电话", "手机"};
  const char* topics[][2] = {{"噪音", "物业"}, {"交通", "环境卫生"}, {"社保", "其他"}};
  // What respondents wrote, each in their own words (some leave it empty).
  const char* words[] = {"",
                         "希望回访能更及时一些，上次等了一个多星期才有人联系",
                         "接线员态度很好，答复也专业",
                         "小区噪音的问题反映了两次才解决，希望一次办好",
                         "",
                         "建议在网上能看到处理进度，不用再打电话问",
                         "物业的问题转给街道后没有下文",
                         "总体满意，处理速度比以前快多了",
                         "",
                         "电话高峰期很难打进去，希望增加坐席",
                         "反映的路灯问题第二天就修好了，点赞",
                         "社保转移的答复有点笼统，希望说清楚要带哪些材料",
                         "",
                         "希望晚上和周末也能有人处理噪音投诉",
                         "答复很快，但问题其实还没彻底解决",
                         "建议回访时问一下问题是否真的解决了",
                         "",
                         "工作人员主动上门核实情况，很负责"};
  for (std::size_t i = 0; i < people.size(); ++i) {
    clock.set(now - 9 * core::kDayMs + static_cast<core::Millis>(i) * 8 * 3'600'000);
    std::vector<Answer> answers = {
        {"q1", std::string(channels[i % 5])},
        {"q2", std::vector<std::string>{topics[i % 3][0], topics[i % 3][1]}},
        {"q3", std::int64_t{3 + static_cast<std::int64_t>(i % 3)}}};
    if (const char* w = words[i % std::size(words)]; *w) answers.push_back({"q4", std::string(w)});
    if (auto r = svc.respond(created->id, answers, people[i]); !r) return fail(r.error());
  }
  return {};
}

}  // namespace

Status seed_participation(app::App& app, core::ManualClock& clock, core::Millis now_ms,
                          std::ostream& log) {
  auto people = citizens(app, 18);
  if (!people) return fail(people.error());
  if (auto s = concluded_consultation(app, clock, now_ms, *people); !s) return s;
  if (auto s = open_consultation(app, clock, now_ms, *people); !s) return s;
  if (auto s = open_survey(app, clock, now_ms, *people); !s) return s;
  clock.set(now_ms);
  log << "participation: 2 consultations (1 concluded with feedback), 1 survey with "
      << people->size() << " responses\n";
  return {};
}

}  // namespace yiwang::demo
