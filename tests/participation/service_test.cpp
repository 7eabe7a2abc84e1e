// The participation service on both backends: a consultation from draft to published feedback,
// a survey with all four kinds of question and its live results, roles, deadlines and bad input
// — every refusal leaving the store as it was.
#include <memory>
#include <set>
#include <string>

#include "participation/fixture.h"
#include "privacy/mask.h"
#include "privacy/redact.h"

namespace yiwang::participation {
namespace {

using identity::Role;
using nlohmann::json;
using testing::at;

class ParticipationTest : public testing::ParticipationFixture {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(open());
    for (auto [id, name] :
         {std::pair{"fgw", "发展改革委"}, std::pair{"zjj", "住建局"}, std::pair{"jcj", "监察局"}}) {
      department(id, name);
    }
    fgw_ = official("fgw.clerk", "fgw", {Role::clerk});
    fgw_approver_ = official("fgw.boss", "fgw", {Role::approver});
    zjj_ = official("zjj.clerk", "zjj", {Role::clerk});
    supervisor_ = official("jiancha", "jcj", {Role::supervisor});
    admin_ = official("admin", "zjj", {Role::admin});
    zhang_ = person("zhangsan", "张三", "11010519491231002");
    li_ = person("lisi", "李四", "11010519800101001");
    ouyang_ = person("ouyang", "欧阳娜娜", "11010519900101003");
    service_ = std::make_unique<Service>(*store_, clock_, random_, *ids_);
  }

  std::vector<events::Event> events_of(const std::string& subject) {
    auto r = store_->read([&](store::Tx& tx) -> Result<std::vector<events::Event>> {
      events::Filter f;
      f.subject_id = subject;
      f.limit = 1000;
      return events::list(tx, f);
    });
    return r ? *r : std::vector<events::Event>{};
  }

  // Runs a refused call: the code and field, and no event appended (every change appends one).
  template <class R>
  void refused(const R& r, ErrorCode code, const std::string& field, std::int64_t seq,
               const std::string& reason = "") {
    ASSERT_FALSE(r) << "expected a refusal";
    EXPECT_EQ(code, r.error().code) << r.error().message_en;
    EXPECT_EQ(field, r.error().field) << r.error().message_en;
    EXPECT_FALSE(r.error().message_zh.empty());
    EXPECT_FALSE(r.error().message_en.empty());
    EXPECT_EQ(reason, reason_code(r.error()));
    EXPECT_EQ(seq, last_seq()) << "a refused call changed the store";
  }

  NewConsultation draft() {
    NewConsultation n;
    n.title = "城市停车管理办法（征求意见稿）";
    n.summary = "为规范停车秩序，现公开征求意见。";
    n.closes_at_ms = at(3, 16, 18);
    n.clauses = {{"第一条", "为规范本市停车管理，制定本办法。", 0},
                 {"第二条", "居住区夜间停车免费。", 0},
                 {"第三条", "占用消防通道停车的，依法处罚。", 0}};
    return n;
  }

  Consultation published() {
    auto c = service_->create_consultation(draft(), fgw_);
    EXPECT_TRUE(c) << c.error().message_en;
    auto p = service_->publish_consultation(c->id, fgw_);
    EXPECT_TRUE(p) << p.error().message_en;
    return p ? *p : Consultation{};
  }

  NewSurvey survey_draft() {
    NewSurvey n;
    n.title = "社区养老服务满意度调查";
    n.description = "请根据实际感受作答。";
    n.closes_at_ms = at(3, 9, 18);
    Question q1{"q1", QuestionKind::single, "您的年龄段", {"60岁以下", "60-70岁", "70岁以上"}, 1, 5,
                true};
    Question q2{
        "q2", QuestionKind::multiple, "您使用过哪些服务", {"助餐", "助浴", "日间照料"}, 1, 5,
        false};
    Question q3{"q3", QuestionKind::scale, "总体满意度", {}, 1, 5, true};
    Question q4{"q4", QuestionKind::text, "其他建议", {}, 1, 5, false};
    n.questions = {q1, q2, q3, q4};
    return n;
  }

  std::unique_ptr<Service> service_;
  identity::Principal fgw_, fgw_approver_, zjj_, supervisor_, admin_, zhang_, li_, ouyang_;
};

TEST_P(ParticipationTest, ConsultationFromDraftToPublishedFeedback) {
  auto c = service_->create_consultation(draft(), fgw_);
  ASSERT_TRUE(c) << c.error().message_en;
  EXPECT_EQ(ConsultationState::draft, c->state);
  EXPECT_EQ("fgw", c->dept_id);
  EXPECT_EQ(3, c->clause_count);
  ASSERT_EQ(3u, c->clauses.size());
  EXPECT_EQ("第二条", c->clauses[1].number);

  // A draft is the department's alone.
  EXPECT_EQ(ErrorCode::not_found, service_->get_consultation(c->id, &zhang_).error().code);
  EXPECT_EQ(ErrorCode::not_found, service_->get_consultation(c->id, nullptr).error().code);
  EXPECT_TRUE(service_->get_consultation(c->id, &fgw_approver_));
  EXPECT_EQ(0, service_->list_consultations({}, nullptr)->total);
  EXPECT_EQ(1, service_->list_consultations({}, &fgw_)->total);
  EXPECT_EQ(0, service_->list_consultations({}, &zjj_)->total);
  refused(service_->add_comment(c->id, "第一条", "赞成", zhang_), ErrorCode::not_found, "",
          last_seq());

  auto p = service_->publish_consultation(c->id, fgw_approver_);
  ASSERT_TRUE(p) << p.error().message_en;
  EXPECT_EQ(ConsultationState::open, p->state);
  refused(service_->publish_consultation(c->id, fgw_), ErrorCode::conflict, "", last_seq(),
          "not_draft");
  ConsultationQuery open;
  open.state = ConsultationState::open;
  auto list = service_->list_consultations(open, nullptr);
  ASSERT_TRUE(list);
  ASSERT_EQ(1, list->total);
  EXPECT_EQ(c->id, list->consultations[0].id);

  auto a = service_->add_comment(c->id, "第二条", "建议夜间免费时段延长到早上八点。", zhang_);
  ASSERT_TRUE(a) << a.error().message_en;
  EXPECT_EQ("张*", a->author);
  clock_.advance(60'000);
  auto b = service_->add_comment(c->id, "第二条", "夜间免费会导致长期占位，不赞成。", li_);
  ASSERT_TRUE(b) << b.error().message_en;
  clock_.advance(60'000);
  auto d =
      service_->add_comment(c->id, "", "整体赞成，望尽快出台。联系人王小明 138-1234-5678", ouyang_);
  ASSERT_TRUE(d) << d.error().message_en;
  EXPECT_EQ("欧*", d->author);
  refused(service_->add_comment(c->id, "第二条", "建议夜间免费时段延长到早上八点。", zhang_),
          ErrorCode::conflict, "/text", last_seq(), "duplicate");

  auto got = service_->get_consultation(c->id, nullptr);
  ASSERT_TRUE(got);
  EXPECT_EQ(3, got->comment_count);
  EXPECT_EQ(2, got->clauses[1].comment_count);
  EXPECT_EQ(0, got->clauses[0].comment_count);
  EXPECT_FALSE(got->feedback);

  // Before conclusion: the department sees all, an author their own, others nothing.
  EXPECT_EQ(3u, service_->comments(c->id, std::nullopt, &fgw_)->size());
  auto own = service_->comments(c->id, std::nullopt, &zhang_);
  ASSERT_EQ(1u, own->size());
  EXPECT_TRUE((*own)[0].mine);
  EXPECT_TRUE(service_->comments(c->id, std::nullopt, nullptr)->empty());
  EXPECT_TRUE(service_->comments(c->id, std::nullopt, &zjj_)->empty());
  EXPECT_EQ(2u, service_->comments(c->id, std::string("第二条"), &fgw_)->size());
  EXPECT_EQ(1u, service_->comments(c->id, std::string(""), &fgw_)->size());

  // Deciding waits for the deadline.
  refused(service_->decide(c->id, a->id, true, "采纳", fgw_), ErrorCode::conflict, "", last_seq(),
          "not_closed");
  refused(service_->conclude(c->id, "感谢参与", fgw_), ErrorCode::conflict, "", last_seq(),
          "not_closed");

  clock_.set(at(3, 16, 18));  // the deadline itself
  EXPECT_EQ(ConsultationState::closed, service_->get_consultation(c->id, nullptr)->state);
  ConsultationQuery closed;
  closed.state = ConsultationState::closed;
  EXPECT_EQ(1, service_->list_consultations(closed, nullptr)->total);
  EXPECT_EQ(0, service_->list_consultations(open, nullptr)->total);
  refused(service_->add_comment(c->id, "第一条", "还来得及吗？", li_), ErrorCode::conflict, "",
          last_seq(), "closed");

  ASSERT_TRUE(service_->decide(c->id, a->id, false, "先试行，再评估", fgw_));
  // A decision may be revised until conclusion.
  auto revised = service_->decide(c->id, a->id, true, "部分采纳：延长至七点半", fgw_approver_);
  ASSERT_TRUE(revised);
  EXPECT_TRUE(revised->decision->adopted);
  refused(service_->conclude(c->id, "感谢参与", fgw_), ErrorCode::conflict, "/comments/" + b->id,
          last_seq(), "undecided");
  ASSERT_TRUE(service_->decide(c->id, b->id, false, "另行规定夜间停车时长上限", fgw_));
  ASSERT_TRUE(service_->decide(c->id, d->id, true, "将尽快报批", fgw_));
  EXPECT_TRUE(service_->comments(c->id, std::nullopt, nullptr)->empty());

  auto done = service_->conclude(c->id, "共收到意见 3 条，采纳 2 条。", fgw_);
  ASSERT_TRUE(done) << done.error().message_en;
  EXPECT_EQ(ConsultationState::concluded, done->state);
  ASSERT_TRUE(done->feedback);
  EXPECT_EQ("共收到意见 3 条，采纳 2 条。", done->feedback->summary);
  EXPECT_EQ(clock_.now_ms(), done->feedback->published_at_ms);
  refused(service_->conclude(c->id, "再来一次", fgw_), ErrorCode::conflict, "", last_seq(),
          "concluded");
  refused(service_->decide(c->id, b->id, true, "改主意", fgw_), ErrorCode::conflict, "", last_seq(),
          "concluded");

  // Public now: every comment, masked, with its decision.
  auto pub = service_->comments(c->id, std::nullopt, nullptr);
  ASSERT_TRUE(pub);
  ASSERT_EQ(3u, pub->size());
  EXPECT_EQ("张*", (*pub)[0].author);
  EXPECT_EQ("李*", (*pub)[1].author);
  EXPECT_FALSE((*pub)[0].mine);
  ASSERT_TRUE((*pub)[0].decision);
  EXPECT_TRUE((*pub)[0].decision->adopted);
  EXPECT_EQ("部分采纳：延长至七点半", (*pub)[0].decision->reason);
  EXPECT_FALSE((*pub)[1].decision->adopted);
  // Others read a comment without its contact data (#16, item 5); its author and the department
  // read what was written.
  EXPECT_EQ("整体赞成，望尽快出台。联系人[姓名] [电话]", (*pub)[2].text);
  EXPECT_EQ("整体赞成，望尽快出台。联系人[姓名] [电话]",
            (*service_->comments(c->id, std::nullopt, &zhang_))[2].text);
  EXPECT_EQ("整体赞成，望尽快出台。联系人王小明 138-1234-5678",
            (*service_->comments(c->id, std::nullopt, &ouyang_))[2].text);
  EXPECT_EQ("整体赞成，望尽快出台。联系人王小明 138-1234-5678",
            (*service_->comments(c->id, std::nullopt, &fgw_))[2].text);
  ConsultationQuery concluded;
  concluded.state = ConsultationState::concluded;
  EXPECT_EQ(1, service_->list_consultations(concluded, nullptr)->total);

  std::vector<std::string> types;
  for (const auto& e : events_of(c->id)) {
    types.push_back(e.type);
    EXPECT_EQ("consultation", e.subject_type);
    for (const std::string* j : {&e.before_json, &e.after_json, &e.data_json}) {
      for (const char* secret : {"张", "李", "欧阳", "夜间", "赞成", "11010519"}) {
        EXPECT_EQ(std::string::npos, j->find(secret)) << e.type << ": " << *j;
      }
    }
  }
  EXPECT_EQ(
      (std::vector<std::string>{"consultation.created", "consultation.published",
                                "consultation.comment_added", "consultation.comment_added",
                                "consultation.comment_added", "consultation.comment_decided",
                                "consultation.comment_decided", "consultation.comment_decided",
                                "consultation.comment_decided", "consultation.concluded"}),
      types);
  auto last = events_of(c->id).back();
  EXPECT_EQ("fgw", last.actor.dept_id);
  EXPECT_EQ(2, json::parse(last.after_json).at("adopted_count"));
  EXPECT_EQ("concluded", json::parse(last.after_json).at("state"));
}

// Finding (#16, item 5): a comment the redaction held read "withheld" for ever. It waits in the
// department's publication review; once published, everyone but its author and the department
// reads the edited text.
TEST_P(ParticipationTest, HeldCommentsWaitForTheDepartmentsReview) {
  Consultation c = published();
  auto a = service_->add_comment(c.id, "第二条", "赞成。请回电 1234567 找我", zhang_);
  ASSERT_TRUE(a) << a.error().message_en;
  disclosure::Service review(*store_, clock_);
  auto queue = review.list(disclosure::State::pending, 50, 0, fgw_);
  ASSERT_TRUE(queue) << queue.error().message_en;
  ASSERT_EQ(1, queue->total);
  EXPECT_EQ(a->id, queue->reviews[0].subject_id);
  EXPECT_EQ(disclosure::Surface::consultation_comment_text, queue->reviews[0].surface);
  EXPECT_EQ(0, review.list(disclosure::State::pending, 50, 0, zjj_)->total);
  // Comments from before the review existed are held once, at start.
  ASSERT_TRUE(store_->write([](store::Tx& tx) -> Status {
    tx.exec("DELETE FROM disclosure_reviews");
    return {};
  }));
  EXPECT_EQ(1, service_->hold_public_texts().value());
  EXPECT_EQ(0, service_->hold_public_texts().value());
  queue = review.list(disclosure::State::pending, 50, 0, fgw_);
  ASSERT_EQ(1, queue->total);

  clock_.set(at(3, 16, 18));
  ASSERT_TRUE(service_->decide(c.id, a->id, true, "采纳", fgw_));
  ASSERT_TRUE(service_->conclude(c.id, "感谢参与", fgw_));
  EXPECT_EQ(privacy::kWithheld, service_->comments(c.id, std::nullopt, nullptr)->at(0).text);
  ASSERT_TRUE(review.decide(queue->reviews[0].id,
                            {disclosure::Decision::Kind::publish, "赞成", "", {}}, fgw_approver_));
  EXPECT_EQ("赞成", service_->comments(c.id, std::nullopt, nullptr)->at(0).text);
  EXPECT_EQ("赞成", service_->comments(c.id, std::nullopt, &li_)->at(0).text);
  EXPECT_EQ("赞成。请回电 1234567 找我",
            service_->comments(c.id, std::nullopt, &zhang_)->at(0).text);
}

// Comments, decision reasons and free-text answers are the person's own words: sealed at rest,
// read back whole by those who may read them; the duplicate check still finds the same comment.
TEST_P(ParticipationTest, CommentsReasonsAndAnswersAreSealedAtRest) {
  auto cell = [&](const std::string& sql) {
    return store_
        ->read([&](store::Tx& tx) -> Result<std::string> {
          std::string all;
          for (const auto& row : tx.query(sql)) all += row.text(0) + "|";
          return all;
        })
        .value();
  };
  auto s = service_->create_survey(survey_draft(), fgw_);
  ASSERT_TRUE(s && service_->publish_survey(s->id, fgw_));
  ASSERT_TRUE(service_->respond(
      s->id, {{"q1", std::string("60-70岁")}, {"q3", std::int64_t{4}}, {"q4", std::string("很好")}},
      zhang_));
  EXPECT_EQ("60-70岁|", cell("SELECT value FROM survey_answers WHERE question_id = 'q1'"));
  EXPECT_EQ(0u, cell("SELECT value FROM survey_answers WHERE question_id = 'q4'").find("enc1:"));
  auto results = service_->results(s->id, &fgw_);
  ASSERT_TRUE(results) << results.error().message_en;
  EXPECT_EQ(std::vector<std::string>{"很好"}, results->questions.at(3).samples);

  Consultation c = published();
  const std::string text = "第二条很好，联系 13812345678";
  auto a = service_->add_comment(c.id, "第二条", text, zhang_);
  ASSERT_TRUE(a) << a.error().message_en;
  EXPECT_EQ(ErrorCode::conflict, service_->add_comment(c.id, "第二条", text, zhang_).error().code);
  ASSERT_TRUE(service_->add_comment(c.id, "第二条", text, li_));
  clock_.set(at(3, 16, 18));
  ASSERT_TRUE(service_->decide(c.id, a->id, true, "已采纳，已致电 13812345678", fgw_));
  EXPECT_EQ(std::string::npos,
            cell("SELECT text || reason FROM consultation_comments WHERE reason IS NOT NULL")
                .find("138123"));
  auto mine = service_->comments(c.id, std::nullopt, &zhang_);
  ASSERT_TRUE(mine);
  ASSERT_EQ(1u, mine->size());
  EXPECT_EQ(text, mine->at(0).text);
  EXPECT_EQ("已采纳，已致电 13812345678", mine->at(0).decision->reason);

  // Rows an older version left in the clear are sealed once, at start.
  ASSERT_TRUE(store_->write([&](store::Tx& tx) -> Status {
    tx.exec("UPDATE consultation_comments SET text = ?, text_index = '' WHERE id = ?",
            {text, a->id});
    tx.exec("UPDATE survey_answers SET value = '很好' WHERE question_id = 'q4'");
    return {};
  }));
  EXPECT_EQ(2, seal_at_rest(*store_).value());
  EXPECT_EQ(0, seal_at_rest(*store_).value());
  EXPECT_EQ(std::string::npos, cell("SELECT text FROM consultation_comments").find("138123"));
  EXPECT_EQ(text, service_->comments(c.id, std::nullopt, &zhang_)->at(0).text);
  EXPECT_EQ(std::vector<std::string>{"很好"},
            service_->results(s->id, &fgw_)->questions.at(3).samples);
}

TEST_P(ParticipationTest, OpensAtHoldsCommentsBack) {
  auto n = draft();
  n.opens_at_ms = at(3, 5);
  auto c = service_->create_consultation(n, fgw_);
  ASSERT_TRUE(c);
  ASSERT_TRUE(service_->publish_consultation(c->id, fgw_));
  refused(service_->add_comment(c->id, "第一条", "赞成", zhang_), ErrorCode::conflict, "",
          last_seq(), "not_open");
  clock_.set(at(3, 5));
  EXPECT_TRUE(service_->add_comment(c->id, "第一条", "赞成", zhang_));
}

TEST_P(ParticipationTest, WrongRolesAreForbiddenAndChangeNothing) {
  auto seq = last_seq();
  refused(service_->create_consultation(draft(), zhang_), ErrorCode::forbidden, "", seq);
  refused(service_->create_consultation(draft(), supervisor_), ErrorCode::forbidden, "", seq);
  auto other = draft();
  other.dept_id = "zjj";
  refused(service_->create_consultation(other, fgw_), ErrorCode::forbidden, "/dept_id", seq);
  refused(service_->create_survey(survey_draft(), li_), ErrorCode::forbidden, "", seq);
  // Admins act for any department.
  auto by_admin = service_->create_consultation(other, admin_);
  ASSERT_TRUE(by_admin);
  EXPECT_EQ("zjj", by_admin->dept_id);

  auto c = published();
  seq = last_seq();
  refused(service_->publish_consultation(by_admin->id, fgw_), ErrorCode::not_found, "", seq);
  refused(service_->add_comment(c.id, "第一条", "工作人员也想说两句", fgw_), ErrorCode::forbidden,
          "", seq);
  auto m = service_->add_comment(c.id, "第一条", "赞成", zhang_);
  ASSERT_TRUE(m);
  clock_.set(c.closes_at_ms + 1);
  seq = last_seq();
  refused(service_->decide(c.id, m->id, true, "采纳", zjj_), ErrorCode::forbidden, "", seq);
  refused(service_->decide(c.id, m->id, true, "采纳", zhang_), ErrorCode::forbidden, "", seq);
  refused(service_->decide(c.id, m->id, true, "采纳", supervisor_), ErrorCode::forbidden, "", seq);
  refused(service_->conclude(c.id, "完", zjj_), ErrorCode::forbidden, "", seq);
  refused(service_->decide(c.id, "CMnope", true, "采纳", fgw_), ErrorCode::not_found, "", seq);

  auto later = survey_draft();
  later.closes_at_ms = clock_.now_ms() + 7 * core::kDayMs;
  auto s = service_->create_survey(later, fgw_);
  ASSERT_TRUE(s) << s.error().message_en;
  seq = last_seq();
  refused(service_->publish_survey(s->id, zjj_), ErrorCode::not_found, "", seq);
  refused(service_->publish_survey(s->id, zhang_), ErrorCode::not_found, "", seq);
}

TEST_P(ParticipationTest, BadConsultationInputIsRefused) {
  auto seq = last_seq();
  auto n = draft();
  n.title = "";
  refused(service_->create_consultation(n, fgw_), ErrorCode::invalid_input, "/title", seq);
  n = draft();
  n.title = "   ";
  refused(service_->create_consultation(n, fgw_), ErrorCode::invalid_input, "/title", seq);
  n = draft();
  n.closes_at_ms = clock_.now_ms();
  refused(service_->create_consultation(n, fgw_), ErrorCode::invalid_input, "/closes_at", seq);
  n = draft();
  n.opens_at_ms = n.closes_at_ms;
  refused(service_->create_consultation(n, fgw_), ErrorCode::invalid_input, "/opens_at", seq);
  n = draft();
  n.clauses.clear();
  refused(service_->create_consultation(n, fgw_), ErrorCode::invalid_input, "/clauses", seq);
  n = draft();
  n.clauses[2].number = "第一条";
  refused(service_->create_consultation(n, fgw_), ErrorCode::invalid_input, "/clauses/2/number",
          seq);
  n = draft();
  n.clauses[1].text = "bad \xC3\x28 utf-8";
  refused(service_->create_consultation(n, fgw_), ErrorCode::invalid_input, "/clauses/1/text", seq);
  n = draft();
  n.clauses.resize(201, Clause{"x", "y", 0});
  refused(service_->create_consultation(n, fgw_), ErrorCode::invalid_input, "/clauses", seq);
  n = draft();
  n.dept_id = "nope";
  refused(service_->create_consultation(n, admin_), ErrorCode::invalid_input, "/dept_id", seq);

  auto c = published();
  seq = last_seq();
  refused(service_->add_comment(c.id, "第一条", "", zhang_), ErrorCode::invalid_input, "/text",
          seq);
  refused(service_->add_comment(c.id, "第一条", std::string(2001, 'a'), zhang_),
          ErrorCode::invalid_input, "/text", seq);
  std::string cjk;
  for (int i = 0; i < 2000; ++i) cjk += "意";
  EXPECT_TRUE(service_->add_comment(c.id, "第一条", cjk, zhang_));  // 2,000 characters fit
  seq = last_seq();
  refused(service_->add_comment(c.id, "第一条", "\xFF\xFE", zhang_), ErrorCode::invalid_input,
          "/text", seq);
  refused(service_->add_comment(c.id, "第一条", "a\x01b", zhang_), ErrorCode::invalid_input,
          "/text", seq);
  refused(service_->add_comment(c.id, "第九十九条", "赞成", zhang_), ErrorCode::invalid_input,
          "/clause", seq);
  refused(service_->add_comment("CSnope", "第一条", "赞成", zhang_), ErrorCode::not_found, "", seq);

  auto m = service_->add_comment(c.id, "第一条", "赞成", zhang_);
  ASSERT_TRUE(m);
  clock_.set(c.closes_at_ms);
  seq = last_seq();
  refused(service_->decide(c.id, m->id, true, "", fgw_), ErrorCode::invalid_input, "/reason", seq);
  refused(service_->decide(c.id, m->id, true, std::string(2001, 'r'), fgw_),
          ErrorCode::invalid_input, "/reason", seq);
  ASSERT_TRUE(service_->decide(c.id, m->id, true, "采纳", fgw_));
  seq = last_seq();
  refused(service_->conclude(c.id, "", fgw_), ErrorCode::invalid_input, "/summary", seq);
}

TEST_P(ParticipationTest, CommentsPerPersonAreBounded) {
  Options o;
  o.max_comments_per_person = 2;
  service_ = std::make_unique<Service>(*store_, clock_, random_, *ids_, o);
  auto c = published();
  ASSERT_TRUE(service_->add_comment(c.id, "第一条", "一", zhang_));
  ASSERT_TRUE(service_->add_comment(c.id, "第二条", "二", zhang_));
  refused(service_->add_comment(c.id, "第三条", "三", zhang_), ErrorCode::rate_limited, "",
          last_seq());
  EXPECT_TRUE(service_->add_comment(c.id, "第三条", "三", li_));
}

TEST_P(ParticipationTest, SurveyEndToEndWithLiveResults) {
  auto s = service_->create_survey(survey_draft(), fgw_);
  ASSERT_TRUE(s) << s.error().message_en;
  EXPECT_EQ(SurveyState::draft, s->state);
  ASSERT_EQ(4u, s->questions.size());
  EXPECT_EQ(QuestionKind::scale, s->questions[2].kind);
  EXPECT_EQ(0, service_->list_surveys(std::nullopt, 20, 0, nullptr)->total);
  refused(service_->respond(s->id, {{"q1", std::string("60-70岁")}}, zhang_), ErrorCode::not_found,
          "", last_seq());
  ASSERT_TRUE(service_->publish_survey(s->id, fgw_));
  refused(service_->publish_survey(s->id, fgw_), ErrorCode::conflict, "", last_seq(), "not_draft");
  EXPECT_EQ(1, service_->list_surveys(SurveyState::open, 20, 0, nullptr)->total);

  EXPECT_FALSE(*service_->get_survey(s->id, &zhang_)->responded);
  auto r1 = service_->respond(
      s->id,
      {{"q1", std::string("60-70岁")},
       {"q2", std::vector<std::string>{"助餐", "日间照料"}},
       {"q3", std::int64_t{4}},
       {"q4", std::string("希望增加助浴次数，联系我 13812345678 或 zhang@example.com")}},
      zhang_);
  ASSERT_TRUE(r1) << r1.error().message_en << r1.error().field;
  EXPECT_TRUE(*service_->get_survey(s->id, &zhang_)->responded);
  EXPECT_FALSE(*service_->get_survey(s->id, &li_)->responded);
  clock_.advance(1000);
  ASSERT_TRUE(service_->respond(s->id,
                                {{"q1", std::string("70岁以上")},
                                 {"q2", std::vector<std::string>{"助餐"}},
                                 {"q3", std::int64_t{5}},
                                 {"q4", std::monostate{}}},
                                li_));
  clock_.advance(1000);
  ASSERT_TRUE(service_->respond(
      s->id, {{"q1", std::string("60-70岁")}, {"q3", std::int64_t{2}}, {"q4", std::string("  ")}},
      ouyang_));

  refused(
      service_->respond(s->id, {{"q1", std::string("60岁以下")}, {"q3", std::int64_t{3}}}, zhang_),
      ErrorCode::conflict, "", last_seq(), "already_responded");

  auto res = service_->results(s->id, nullptr);
  ASSERT_TRUE(res) << res.error().message_en;
  EXPECT_EQ(3, res->response_count);
  ASSERT_EQ(4u, res->questions.size());
  const auto& q1 = res->questions[0];
  EXPECT_EQ(3, q1.answered);
  EXPECT_EQ((std::vector<std::pair<std::string, std::int64_t>>{
                {"60岁以下", 0}, {"60-70岁", 2}, {"70岁以上", 1}}),
            q1.counts);
  const auto& q2 = res->questions[1];
  EXPECT_EQ(2, q2.answered);
  EXPECT_EQ((std::vector<std::pair<std::string, std::int64_t>>{
                {"助餐", 2}, {"助浴", 0}, {"日间照料", 1}}),
            q2.counts);
  const auto& q3 = res->questions[2];
  EXPECT_EQ(3, q3.answered);
  EXPECT_EQ((std::vector<std::pair<int, std::int64_t>>{{1, 0}, {2, 1}, {3, 0}, {4, 1}, {5, 1}}),
            q3.histogram);
  ASSERT_TRUE(q3.mean);
  EXPECT_DOUBLE_EQ(11.0 / 3.0, *q3.mean);
  const auto& q4 = res->questions[3];
  EXPECT_EQ(1, q4.answered);
  ASSERT_EQ(1u, q4.samples.size());
  EXPECT_EQ("希望增加助浴次数，联系我 [电话] 或 [邮箱]", q4.samples[0]);
  EXPECT_EQ(3, service_->get_survey(s->id, nullptr)->response_count);

  // Closed at the deadline: no more responses, results stay public.
  clock_.set(at(3, 9, 18));
  EXPECT_EQ(SurveyState::closed, service_->get_survey(s->id, nullptr)->state);
  auto wang = person("wangwu", "王五", "11010519850101004");
  refused(
      service_->respond(s->id, {{"q1", std::string("60岁以下")}, {"q3", std::int64_t{3}}}, wang),
      ErrorCode::conflict, "", last_seq(), "closed");
  EXPECT_EQ(3, service_->results(s->id, nullptr)->response_count);

  std::vector<std::string> types;
  for (const auto& e : events_of(s->id)) {
    types.push_back(e.type);
    for (const std::string* j : {&e.before_json, &e.after_json, &e.data_json}) {
      EXPECT_EQ(std::string::npos, j->find("助浴次数")) << *j;
      EXPECT_EQ(std::string::npos, j->find("60-70")) << *j;
    }
  }
  EXPECT_EQ((std::vector<std::string>{"survey.created", "survey.published", "survey.responded",
                                      "survey.responded", "survey.responded"}),
            types);
}

TEST_P(ParticipationTest, AnswersThatDoNotFitAreRefusedWithTheirPath) {
  auto s = service_->create_survey(survey_draft(), fgw_);
  ASSERT_TRUE(s);
  ASSERT_TRUE(service_->publish_survey(s->id, fgw_));
  const auto seq = last_seq();
  auto base = [] {
    return std::vector<Answer>{{"q1", std::string("60-70岁")}, {"q3", std::int64_t{3}}};
  };
  auto with = [&](Answer a) {
    auto v = base();
    for (auto& x : v) {
      if (x.question_id == a.question_id) {
        x = a;
        return v;
      }
    }
    v.push_back(std::move(a));
    return v;
  };
  struct Case {
    std::vector<Answer> answers;
    std::string field;
  };
  std::vector<Case> cases = {
      {with({"q1", std::string("80岁以上")}), "/answers/q1"},                     // unknown option
      {with({"q1", std::vector<std::string>{"60-70岁"}}), "/answers/q1"},         // list for single
      {with({"q2", std::vector<std::string>{"助餐", "理发"}}), "/answers/q2/1"},  // unknown option
      {with({"q2", std::vector<std::string>{"助餐", "助餐"}}), "/answers/q2/1"},  // twice
      {with({"q2", std::string("助餐")}), "/answers/q2"},                         // not a list
      {with({"q3", std::int64_t{6}}), "/answers/q3"},                             // out of range
      {with({"q3", std::int64_t{0}}), "/answers/q3"},
      {with({"q3", std::string("5")}), "/answers/q3"},
      {with({"q4", std::string(2001, 'x')}), "/answers/q4"},   // huge text
      {with({"q4", std::string("\xC0\xAF")}), "/answers/q4"},  // invalid UTF-8
      {with({"q4", std::int64_t{1}}), "/answers/q4"},
      {with({"q9", std::string("?")}), "/answers/q9"},  // unknown question
      {with({"a/b", std::string("?")}), "/answers/a~1b"},
      {{{"q3", std::int64_t{3}}}, "/answers/q1"},  // required missing
      {{{"q1", std::monostate{}}, {"q3", std::int64_t{3}}}, "/answers/q1"},
      {{{"q1", std::string("60-70岁")}}, "/answers/q3"},
      {{}, "/answers/q1"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.field);
    refused(service_->respond(s->id, c.answers, zhang_), ErrorCode::invalid_input, c.field, seq);
  }
  EXPECT_EQ(0, service_->results(s->id, nullptr)->response_count);
  EXPECT_FALSE(*service_->get_survey(s->id, &zhang_)->responded);
  refused(service_->respond(s->id, base(), fgw_), ErrorCode::forbidden, "", seq);
  EXPECT_TRUE(service_->respond(s->id, base(), zhang_));
}

TEST_P(ParticipationTest, BadSurveyDefinitionsAreRefused) {
  const auto seq = last_seq();
  auto check = [&](auto change, const std::string& field) {
    auto n = survey_draft();
    change(n);
    SCOPED_TRACE(field);
    refused(service_->create_survey(n, fgw_), ErrorCode::invalid_input, field, seq);
  };
  check([](NewSurvey& n) { n.title = ""; }, "/title");
  check([](NewSurvey& n) { n.title = std::string(201, 't'); }, "/title");
  check([](NewSurvey& n) { n.closes_at_ms = 0; }, "/closes_at");
  check([](NewSurvey& n) { n.questions.clear(); }, "/questions");
  check([](NewSurvey& n) { n.questions[1].id = "q1"; }, "/questions/1/id");
  check([](NewSurvey& n) { n.questions[1].id = "第二题"; }, "/questions/1/id");
  check([](NewSurvey& n) { n.questions[0].options = {"只有一个"}; }, "/questions/0/options");
  check([](NewSurvey& n) { n.questions[0].options = {"甲", "甲"}; }, "/questions/0/options/1");
  check([](NewSurvey& n) { n.questions[2].max = 1; }, "/questions/2/max");
  check([](NewSurvey& n) { n.questions[2].max = 50; }, "/questions/2/max");
  check([](NewSurvey& n) { n.questions[3].options = {"a", "b"}; }, "/questions/3/options");
  check([](NewSurvey& n) { n.questions[3].text = ""; }, "/questions/3/text");
}

INSTANTIATE_TEST_SUITE_P(Backends, ParticipationTest,
                         ::testing::ValuesIn(yiwang::testing::backends()),
                         [](const auto& info) { return info.param; });

TEST(ParticipationHelpers, ParsesRfc3339Instants) {
  using namespace std::chrono;
  const core::Millis midnight = core::china_midnight(core::Date{year{2026}, month{12}, day{1}});
  EXPECT_EQ(midnight, parse_instant("2026-12-01T00:00:00+08:00"));
  EXPECT_EQ(midnight, parse_instant("2026-11-30T16:00:00Z"));
  EXPECT_EQ(midnight + 250, parse_instant("2026-11-30T16:00:00.25Z"));
  EXPECT_EQ(midnight, parse_instant(core::format_instant(midnight)));
  for (const char* bad :
       {"", "2026-12-01", "2026-12-01T00:00:00", "2026-02-30T00:00:00Z", "2026-12-01T24:00:00Z",
        "2026-12-01T00:00:00+0800", "2026-12-01T00:00:00Zjunk", "2026-12-01T00:00:00.Z"}) {
    EXPECT_FALSE(parse_instant(bad)) << bad;
  }
}

}  // namespace
}  // namespace yiwang::participation
