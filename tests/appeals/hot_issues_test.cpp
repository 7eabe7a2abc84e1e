// Hot issues: place extraction, linking rules and heat on small synthetic sets, and the grouping
// checked on the real messages with likes (the 2020 TipDM Cup's published hot issues must come
// out on top, with members that really are about them).
#include "appeals/hot_issues.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/prerequisites.h"
#include "support/test_store.h"

namespace yiwang::appeals {
namespace {

constexpr core::Millis kT0 = 1767225600000;  // 2026-01-01T00:00:00Z
constexpr core::Millis kDay = core::kDayMs;

HotMessage msg(std::string id, std::string user, std::string title, std::string text,
               core::Millis at, std::int64_t likes = 0) {
  HotMessage m;
  m.id = std::move(id);
  m.user = std::move(user);
  m.title = std::move(title);
  m.text = std::move(text);
  m.created_at_ms = at;
  m.likes = likes;
  return m;
}

bool has_place(const std::vector<PlaceMention>& v, const std::string& name, PlaceKind kind) {
  return std::any_of(v.begin(), v.end(),
                     [&](const PlaceMention& p) { return p.name == name && p.kind == kind; });
}

std::string names(const std::vector<PlaceMention>& v) {
  std::string s;
  for (const auto& p : v) s += p.name + "/" + std::string(to_string(p.kind)) + " ";
  return s;
}

TEST(HotPlaces, ExtractsDistrictsRoadsEstatesAndOrganisations) {
  auto v = extract_places("A市A5区劳动东路魅力之城小区一楼的夜宵摊严重污染附近的空气");
  EXPECT_TRUE(has_place(v, "A5区", PlaceKind::district)) << names(v);
  EXPECT_TRUE(has_place(v, "劳动东路", PlaceKind::road)) << names(v);
  EXPECT_TRUE(has_place(v, "魅力之城", PlaceKind::estate)) << names(v);

  v = extract_places("投诉A市伊景园滨河苑捆绑销售车位");
  EXPECT_TRUE(has_place(v, "伊景园滨河苑", PlaceKind::estate)) << names(v);

  v = extract_places("我是A市暮云街道丽发新城的一名业主");
  EXPECT_TRUE(has_place(v, "暮云街道", PlaceKind::town)) << names(v);
  EXPECT_TRUE(has_place(v, "丽发新城", PlaceKind::estate)) << names(v);

  v = extract_places("A7县春华镇金鼎村七里组村民，A市涉外经济学院组织学生外出打工");
  EXPECT_TRUE(has_place(v, "A7县", PlaceKind::district)) << names(v);
  EXPECT_TRUE(has_place(v, "春华镇", PlaceKind::town)) << names(v);
  EXPECT_TRUE(has_place(v, "金鼎村", PlaceKind::village)) << names(v);
  EXPECT_TRUE(has_place(v, "涉外经济学院", PlaceKind::org)) << names(v);

  // Words that end like places but are not: 政府, 城市, 城管, 路线, 农村, 投诉小区.
  v = extract_places("请市政府和城市管理部门督促城管，公交路线太少，农村也一样，投诉小区附近");
  EXPECT_TRUE(v.empty()) << names(v);
}

TEST(HotPlaces, SamePlaceWhenOneNameContainsTheOther) {
  EXPECT_TRUE(same_place("魅力之城", "万科魅力之城"));
  EXPECT_TRUE(same_place("丽发新城", "丽发"));
  EXPECT_FALSE(same_place("阳光城", "阳光花园"));
  EXPECT_FALSE(same_place("城", "魅力之城"));  // one character is no name
}

// Three people describe one broken lift in their own words; the same complaint about another
// estate (and a different problem in the first estate) stays apart.
std::vector<HotMessage> lifts() {
  return {
      msg("a1", "u1", "幸福里小区电梯经常坏",
          "A1区幸福里小区3栋的电梯经常坏，老人上下楼很困难，请物业尽快维修电梯。", kT0),
      msg("a2", "u2", "反映幸福里小区电梯故障",
          "幸福里小区电梯故障一个多月了，物业一直不修，老人小孩上楼困难。", kT0 + kDay),
      msg("a3", "u3", "A1区幸福里电梯坏了没人修",
          "我们幸福里小区的电梯坏了没人维修，住高层的老人出不了门。", kT0 + 2 * kDay),
      msg("b1", "u4", "和平花园小区电梯经常坏",
          "A1区和平花园小区3栋的电梯经常坏，老人上下楼很困难，请物业尽快维修电梯。", kT0 + kDay),
      msg("b2", "u5", "和平花园小区电梯又坏了",
          "和平花园小区的电梯又坏了，老人上下楼很困难，物业一直不维修。", kT0 + 2 * kDay),
      msg("c1", "u6", "幸福里小区门口烧烤摊油烟扰民",
          "幸福里小区门口的烧烤摊每晚营业到凌晨，油烟和噪音扰民。", kT0 + kDay),
  };
}

const HotIssue* issue_with(const HotResult& r, const std::string& id) {
  for (const auto& h : r.issues) {
    if (std::find(h.member_ids.begin(), h.member_ids.end(), id) != h.member_ids.end()) return &h;
  }
  return nullptr;
}

TEST(HotIssues, ParaphrasesInOnePlaceMergeAndOtherPlacesDoNot) {
  auto r = find_hot_issues(lifts());
  const HotIssue* a = issue_with(r, "a1");
  ASSERT_NE(nullptr, a);
  EXPECT_EQ((std::vector<std::string>{"a1", "a2", "a3"}), a->member_ids);
  EXPECT_EQ("幸福里", a->place);
  EXPECT_EQ(3, a->count);
  EXPECT_EQ(3, a->people);
  const HotIssue* b = issue_with(r, "b1");
  ASSERT_NE(nullptr, b);
  EXPECT_EQ((std::vector<std::string>{"b1", "b2"}), b->member_ids);
  EXPECT_EQ("和平花园", b->place);
  EXPECT_EQ(nullptr, issue_with(r, "c1"));  // same estate, another problem, reported once
  EXPECT_EQ(2u, r.issues.size());
  EXPECT_EQ(a->id, r.issues[0].id) << "three people are hotter than two";
}

TEST(HotIssues, DistinctPeopleAreCountedOnceAndRepeatsAddLittle) {
  auto in = lifts();
  in[1].user = "u1";  // a2 by the same person as a1
  in[2].reports = 3;  // a3 with two merged repeats
  HotOptions o;
  auto r = find_hot_issues(in, o);
  const HotIssue* a = issue_with(r, "a1");
  ASSERT_NE(nullptr, a);
  EXPECT_EQ(5, a->count);
  EXPECT_EQ(2, a->people);
  const HotIssue* b = issue_with(r, "b1");
  ASSERT_NE(nullptr, b);
  // 2 people × 2 reports vs 2 people × 5 reports: repeats raise heat, but less than people do.
  EXPECT_GT(a->heat, b->heat);
  auto three_people = find_hot_issues(lifts(), o);
  ASSERT_NE(nullptr, issue_with(three_people, "a1"));
  EXPECT_GT(issue_with(three_people, "a1")->heat, a->heat);

  // One person writing three times is not a hot issue.
  std::vector<HotMessage> one = {lifts()[0], lifts()[1], lifts()[2]};
  for (auto& m : one) m.user = "u1";
  EXPECT_TRUE(find_hot_issues(one).issues.empty());
  EXPECT_EQ(1u, find_hot_issues(one).groups);
}

TEST(HotIssues, HeatOrdersByPeopleLikesAndRecency) {
  HotOptions o;
  o.recency_half_life_days = 0;
  auto in = lifts();
  auto base = find_hot_issues(in, o);
  ASSERT_EQ(2u, base.issues.size());
  EXPECT_EQ("HI-a1", base.issues[0].id);
  in[3].likes = 200;  // many people agree with b
  auto liked = find_hot_issues(in, o);
  ASSERT_EQ(2u, liked.issues.size());
  EXPECT_EQ("HI-b1", liked.issues[0].id);
  EXPECT_EQ(200, liked.issues[0].likes);

  // With recency, an issue whose last report is old fades below a current one.
  in = lifts();
  for (auto i : {0, 1, 2}) in[i].created_at_ms -= 90 * kDay;
  o.recency_half_life_days = 30;
  o.now_ms = kT0 + 3 * kDay;
  auto recent = find_hot_issues(in, o);
  ASSERT_EQ(2u, recent.issues.size());
  EXPECT_EQ("HI-b1", recent.issues[0].id);
  o.recency_half_life_days = 0;
  EXPECT_EQ("HI-a1", find_hot_issues(in, o).issues[0].id);
}

TEST(HotIssues, MessagesFarApartInTimeAreNotLinked) {
  auto in = lifts();
  in[1].created_at_ms = kT0 + 200 * kDay;
  in[2].created_at_ms = kT0 + 400 * kDay;
  auto r = find_hot_issues(in);
  EXPECT_EQ(nullptr, issue_with(r, "a1"));
  HotOptions o;
  o.link_gap_days = 500;
  auto linked = find_hot_issues(in, o);
  const HotIssue* a = issue_with(linked, "a1");
  ASSERT_NE(nullptr, a);
  EXPECT_EQ(3u, a->member_ids.size());
}

TEST(HotIssues, UnrelatedProblemsWithoutPlacesDoNotMerge) {
  std::vector<HotMessage> in = {
      msg("x1", "u1", "公积金提取需要哪些材料", "请问离职后提取住房公积金需要准备哪些材料？", kT0),
      msg("x2", "u2", "孩子入学需要哪些材料", "请问孩子上小学报名需要准备哪些证明材料？",
          kT0 + kDay),
      msg("x3", "u3", "医保异地报销怎么办理", "在外地住院的医保报销需要怎么办理？", kT0 + kDay),
  };
  auto r = find_hot_issues(in);
  EXPECT_TRUE(r.issues.empty()) << r.issues.front().title;
  EXPECT_LT(problem_similarity(in[0].text, in[2].text), 0.2);
  EXPECT_GT(problem_similarity("幸福里小区电梯经常坏，请物业维修电梯",
                               "和平花园小区电梯经常坏，请物业维修电梯"),
            0.99)
      << "place names are blanked out before the problem is compared";
}

TEST(HotIssues, ResultDoesNotDependOnInputOrder) {
  auto in = lifts();
  auto first = find_hot_issues(in);
  std::mt19937 rng(7);
  for (int k = 0; k < 5; ++k) {
    std::shuffle(in.begin(), in.end(), rng);
    auto again = find_hot_issues(in);
    ASSERT_EQ(first.issues.size(), again.issues.size());
    for (std::size_t i = 0; i < first.issues.size(); ++i) {
      EXPECT_EQ(first.issues[i].id, again.issues[i].id);
      EXPECT_EQ(first.issues[i].title, again.issues[i].title);
      EXPECT_EQ(first.issues[i].member_ids, again.issues[i].member_ids);
      EXPECT_EQ(first.issues[i].heat, again.issues[i].heat);
    }
  }
  EXPECT_TRUE(find_hot_issues({}).issues.empty());
}

// ---- The real messages with likes --------------------------------------------------------------

core::Millis parse_time(const std::string& s) {  // "2019-02-28 11:25:05", China time
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (std::sscanf(s.c_str(), "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &se) < 3) return 0;
  core::Date date{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(mo)),
                  std::chrono::day(static_cast<unsigned>(d))};
  return core::china_midnight(date) + ((h * 60 + mi) * 60 + se) * 1000LL;
}

struct Corpus {
  std::vector<HotMessage> messages;
  std::map<std::string, std::string> all_text;  // id → title + text
};

Corpus load(const std::string& path) {
  Corpus c;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object()) continue;
    HotMessage m;
    m.id = j["id"].is_string() ? j["id"].get<std::string>() : std::to_string(j.value("id", 0));
    m.user = j.value("user", "");
    m.title = j.value("title", "");
    m.text = j.value("text", "");
    m.created_at_ms = parse_time(j.value("time", ""));
    m.likes = j.value("likes", 0);
    c.all_text[m.id] = m.title + "\n" + m.text;
    c.messages.push_back(std::move(m));
  }
  return c;
}

bool mentions(const std::string& text, std::initializer_list<const char*> words) {
  return std::any_of(words.begin(), words.end(),
                     [&](const char* w) { return text.find(w) != std::string::npos; });
}

struct Published {
  const char* name;
  std::initializer_list<const char*> place;    // the place, as citizens wrote it
  std::initializer_list<const char*> problem;  // what the problem is
};

TEST(HotIssuesOnRealData, PublishedHotIssuesComeOutOnTopWithSensibleMembers) {
  YIWANG_REQUIRE_SHARED("data/appeals/with-likes.jsonl");
  Corpus c = load(yiwang::testing::shared_path("data/appeals/with-likes.jsonl"));
  ASSERT_EQ(4326u, c.messages.size());

  HotOptions o;
  o.recency_half_life_days = 0;  // a 2½-year archive read at once: nothing is "old"
  auto t0 = std::chrono::steady_clock::now();
  std::clock_t c0 = std::clock();
  auto r = find_hot_issues(c.messages, o);
  double cpu_ms = 1000.0 * double(std::clock() - c0) / CLOCKS_PER_SEC;
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();

  std::printf(
      "[hot] %zu messages → %zu groups of ≥2, %zu hot issues (≥2 people); %zu candidate "
      "pairs, %zu linked; %.0f ms wall, %.0f ms CPU\n",
      r.messages, r.groups, r.issues.size(), r.candidate_pairs, r.linked_pairs, ms, cpu_ms);
  for (std::size_t i = 0; i < std::min<std::size_t>(10, r.issues.size()); ++i) {
    const auto& h = r.issues[i];
    std::printf(
        "[hot] %2zu. heat %7.2f  count %3lld people %3lld likes %5lld span %5.1f d  %s | %s\n",
        i + 1, h.heat, static_cast<long long>(h.count), static_cast<long long>(h.people),
        static_cast<long long>(h.likes), h.span_days, h.place.c_str(), h.title.c_str());
  }

  // The contest's published hot issues (问题 3 of 2020 TipDM Cup C): gold members are the
  // messages naming the place and the problem.
  const Published published[] = {
      {"魅力之城 food street noise and fumes",
       {"魅力之城", "魅力城"},
       {"油烟", "噪音", "夜宵", "烧烤", "扰民", "门面", "商铺"}},
      {"丽发新城 concrete mixing plant", {"丽发"}, {"搅拌"}},
      {"伊景园滨河苑 parking spaces bundled", {"伊景园", "滨河苑", "广铁"}, {"车位"}},
  };
  const std::size_t top = 10;
  for (const auto& p : published) {
    std::set<std::string> gold;
    for (const auto& [id, text] : c.all_text) {
      if (mentions(text, p.place) && mentions(text, p.problem)) gold.insert(id);
    }
    ASSERT_GE(gold.size(), 10u) << p.name;
    // The top issue holding most of the gold messages.
    std::size_t best = r.issues.size(), best_hits = 0;
    for (std::size_t i = 0; i < std::min(top, r.issues.size()); ++i) {
      std::size_t hits = 0;
      for (const auto& id : r.issues[i].member_ids) hits += gold.count(id);
      if (hits > best_hits) {
        best_hits = hits;
        best = i;
      }
    }
    ASSERT_LT(best, r.issues.size()) << p.name << ": not among the top " << top;
    const HotIssue& h = r.issues[best];
    std::size_t on_place = 0;
    for (const auto& id : h.member_ids) on_place += mentions(c.all_text[id], p.place);
    const double recall = double(best_hits) / double(gold.size());
    const double precision = double(on_place) / double(h.member_ids.size());
    const double problem_precision = double(best_hits) / double(h.member_ids.size());
    std::printf(
        "[hot] %-40s rank %zu, %zu members, recall %.2f (%zu/%zu), place precision %.2f, "
        "problem precision %.2f, place \"%s\"\n",
        p.name, best + 1, h.member_ids.size(), recall, best_hits, gold.size(), precision,
        problem_precision, h.place.c_str());
    EXPECT_GE(recall, 0.7) << p.name;
    EXPECT_GE(precision, 0.9) << p.name;
    EXPECT_GE(problem_precision, 0.8) << p.name;
    EXPECT_TRUE(mentions(h.place, p.place)) << p.name << ": place " << h.place;
    EXPECT_GE(h.people, 10) << p.name;
  }
}

}  // namespace
}  // namespace yiwang::appeals
