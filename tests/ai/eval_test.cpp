// Cross-validation on the shared labelled messages. A stratified subset keeps CI time down; the
// full 5-fold figures come from `yiwang ai eval` (see the closing note of issue #6).
#include <gtest/gtest.h>

#include "ai/ai.h"
#include "support/prerequisites.h"
#include "support/test_store.h"

namespace yiwang::ai {
namespace {

TEST(AiEval, FiveFoldCrossValidationOnASubset) {
  YIWANG_REQUIRE_SHARED("data/appeals/labelled.jsonl");
  auto all = load_labelled(yiwang::testing::shared_path("data/appeals/labelled.jsonl"));
  ASSERT_TRUE(all) << all.error().message_en;
  auto data = deduplicate(*all);
  CvOptions cv;
  cv.k = 5;
  cv.limit = 1200;
  TrainOptions o;  // the defaults `yiwang ai train` uses
  auto r = cross_validate(data, o, cv);
  ASSERT_TRUE(r) << r.error().message_en;
  ASSERT_EQ(r->folds.size(), 5u);
  int n = 0;
  for (const auto& f : r->folds) {
    n += f.examples;
    std::cout << "  fold accuracy " << f.accuracy << " macro-F1 " << f.macro_f1 << "\n";
  }
  EXPECT_GE(n, 1200);
  EXPECT_LE(n, 1210);
  std::cout << "  mean accuracy " << r->mean_accuracy << " macro-F1 " << r->mean_macro_f1 << " ("
            << r->seconds << " s)\n";
  EXPECT_EQ(r->pooled.per_class.size(), 7u);
  // Floors just below the figures measured on this subset (accuracy 0.799, macro-F1 0.755;
  // deterministic for the seed): a broken tokeniser, label handling or fold split drops below
  // them (a majority-class guess scores 0.22 accuracy). Full data: see `yiwang ai eval`.
  EXPECT_GE(r->mean_accuracy, 0.77);
  EXPECT_GE(r->mean_macro_f1, 0.72);

  // Same seed, same folds, same figures: the evaluation is reproducible.
  cv.limit = 300;
  auto a = cross_validate(data, o, cv), b = cross_validate(data, o, cv);
  ASSERT_TRUE(a && b);
  EXPECT_DOUBLE_EQ(a->mean_accuracy, b->mean_accuracy);

  cv.k = 1;
  EXPECT_EQ(cross_validate(data, o, cv).error().code, ErrorCode::invalid_input);
}

}  // namespace
}  // namespace yiwang::ai
