// The catalog's search as people use it: colloquial phrases, pinyin, initials, typos, English,
// ranking by exact name and popularity, "did you mean", and the weak result that offers the
// assistant. The quality figures come from two sets of colloquial queries written before the
// search was tuned (tests/catalog/search_queries_*.tsv): the tuning set, and a held-out set that
// was never tuned against. Both are reported in docs/benchmarks.md.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "support/platform.h"
#include "support/test_store.h"

namespace yiwang::catalog {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

fs::path source(const std::string& relative) {
  return fs::path(testing::source_dir()) / relative;
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Query {
  std::string text;
  std::set<std::string> expected;  // empty: nothing should be a confident match
  std::string category;
};

std::vector<Query> read_queries(const fs::path& path) {
  std::vector<Query> out;
  std::istringstream in(slurp(path));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols;
    std::istringstream fields(line);
    for (std::string c; std::getline(fields, c, '\t');) cols.push_back(c);
    if (cols.size() < 2) continue;
    Query q{cols[0], {}, cols.size() > 2 ? cols[2] : ""};
    if (cols[1] != "-") {
      std::istringstream codes(cols[1]);
      for (std::string c; std::getline(codes, c, ',');) q.expected.insert(c);
    }
    out.push_back(std::move(q));
  }
  return out;
}

class SearchTest : public ::testing::Test, protected testing::Platform {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(open("sqlite", {catalog::migrations()}, testing::at(2026, 3, 2)));
    service_ = std::make_unique<Service>(*store_, clock_);
    std::string admin_dept;
    for (const auto& d : json::parse(slurp(source("data/demo/departments.json")))) {
      department(d["id"], d["name"]);
      if (admin_dept.empty()) admin_dept = d["id"];
    }
    auto admin = official("admin", admin_dept, {identity::Role::admin});
    for (const auto& doc : json::parse(slurp(source("data/demo/items.json")))) {
      auto item = item_from_json(doc.dump());
      ASSERT_TRUE(item) << doc.value("name", "");
      ASSERT_TRUE(service_->publish(*item, admin, PublishMode::create_only)) << item->name;
    }
  }
  SearchResult search(const std::string& q) {
    SearchQuery query;
    query.q = q;
    query.limit = 10;
    auto r = service_->search(query);
    EXPECT_TRUE(r) << q;
    return r ? *r : SearchResult{};
  }
  std::string first(const std::string& q) {
    auto r = search(q);
    return r.items.empty() ? "" : r.items[0].name;
  }

  struct Score {
    int n = 0, hit1 = 0, hit3 = 0;
    double at1() const { return n ? double(hit1) / n : 0; }
    double at3() const { return n ? double(hit3) / n : 0; }
  };
  // hit@k: an expected item among the first k; for a query with no item, the result is weak.
  std::map<std::string, Score> evaluate(const std::vector<Query>& queries, bool verbose) {
    std::map<std::string, Score> by;
    for (const auto& q : queries) {
      auto r = search(q.text);
      bool h1 = false, h3 = false;
      if (q.expected.empty()) {
        h1 = h3 = r.weak;
      } else {
        for (std::size_t i = 0; i < r.items.size() && i < 3; ++i) {
          if (q.expected.count(r.items[i].code)) {
            h3 = true;
            h1 = h1 || i == 0;
          }
        }
      }
      for (const std::string& key : {std::string("all"), q.category}) {
        auto& s = by[key];
        ++s.n;
        s.hit1 += h1;
        s.hit3 += h3;
      }
      if (verbose && !h1) {
        std::cout << "  miss@1 " << q.text << " → "
                  << (r.items.empty() ? "(nothing)" : r.items[0].name) << (r.weak ? " [weak]" : "")
                  << (r.suggestion.empty() ? "" : " ~" + r.suggestion) << "\n";
      }
    }
    return by;
  }
  static void report(const std::string& set, const std::map<std::string, Score>& by) {
    for (const auto& [category, s] : by) {
      std::cout << set << " " << category << ": n=" << s.n << " hit@1=" << s.at1()
                << " hit@3=" << s.at3() << "\n";
    }
  }

  std::unique_ptr<Service> service_;
};

TEST_F(SearchTest, ColloquialPhrasesFindTheOfficialItem) {
  EXPECT_EQ("开办餐馆“一件事”", first("开饭店"));
  EXPECT_EQ("居民身份证补领", first("身份证丢了"));
  EXPECT_EQ("个体工商户设立登记", first("办营业执照"));
  // 社保 is social insurance, not school enrolment.
  EXPECT_NE("义务教育入学登记", first("社保"));
}

TEST_F(SearchTest, PinyinInitialsAndTyposAreUnderstood) {
  auto spelled = search("kaifandian");
  ASSERT_FALSE(spelled.items.empty());
  EXPECT_EQ("开办餐馆“一件事”", spelled.items[0].name);
  EXPECT_EQ("开饭店", spelled.suggestion);
  EXPECT_FALSE(spelled.weak);

  auto initials = search("yyzz");
  ASSERT_FALSE(initials.items.empty());
  EXPECT_EQ("营业执照", initials.suggestion);

  auto typo = search("营业执造");  // 造 for 照
  ASSERT_FALSE(typo.items.empty());
  EXPECT_EQ("个体工商户设立登记", typo.items[0].name);
  EXPECT_EQ("营业执照", typo.suggestion);

  EXPECT_EQ("居民身份证补领", first("身份正丢了"));  // 正 for 证
  EXPECT_EQ("结婚登记", first("marriage registration"));
}

TEST_F(SearchTest, TheExactNameComesFirstAndPopularityBreaksTies) {
  EXPECT_EQ("养犬登记", first("养犬登记"));
  // Both licences mention 营业执照 alike; the one applied for more often comes first.
  auto before = search("个体工商户");
  ASSERT_GE(before.items.size(), 2u);
  std::string less = before.items[1].code;
  service_->set_popularity({{less, 500}, {before.items[0].code, 3}});
  EXPECT_EQ(less, search("个体工商户").items[0].code);
  // An exact name still beats popularity.
  service_->set_popularity({{"11329900MB0201004000", 100000}});
  EXPECT_EQ("个体工商户设立登记", first("个体工商户设立登记"));
}

TEST_F(SearchTest, NothingOrALooseMatchIsWeak) {
  auto none = search("护照");
  EXPECT_TRUE(none.weak);
  EXPECT_FALSE(search("开饭店").weak);
  EXPECT_TRUE(search("zzzzqqq").weak);
  // Bytes that are not text are refused, not searched.
  SearchQuery bytes;
  bytes.q = "\xff\xfe";
  EXPECT_EQ("/q", service_->search(bytes).error().field);
  // An item code still finds its item.
  EXPECT_EQ("养犬登记", first("11329900MB0301002000"));
}

// The measured quality. The floors sit a little under what was measured when the search was
// tuned (docs/benchmarks.md), so that a change that makes the search worse fails here.
TEST_F(SearchTest, ColloquialQueriesHitTheirItem) {
  auto tuning = evaluate(read_queries(source("tests/catalog/search_queries_tuning.tsv")), true);
  auto holdout = evaluate(read_queries(source("tests/catalog/search_queries_holdout.tsv")), false);
  report("tuning", tuning);
  report("holdout", holdout);
  ASSERT_GE(tuning["all"].n, 50);
  ASSERT_GE(holdout["all"].n, 100);
  // Measured: tuning 0.98 / 1.00, held out 0.89 / 0.93.
  EXPECT_GE(tuning["all"].at1(), 0.95);
  EXPECT_GE(tuning["all"].at3(), 0.98);
  EXPECT_GE(holdout["all"].at1(), 0.85);
  EXPECT_GE(holdout["all"].at3(), 0.90);
}

}  // namespace
}  // namespace yiwang::catalog
