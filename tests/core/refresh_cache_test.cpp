// core::RefreshCache: heavy reads computed once per change, off the request path, shared.
#include "core/refresh_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

namespace yiwang::core {
namespace {

using namespace std::chrono_literals;

// A clock the refresher thread may read while the test moves it.
class TestClock final : public Clock {
 public:
  Millis now_ms() const override { return now_.load(); }
  void advance(Millis d) { now_ += d; }

 private:
  std::atomic<Millis> now_{1'000'000};
};

// The data behind the cache: a stamp the test changes, and a count of computations, each of which
// can be held until released.
struct Data {
  std::atomic<int> stamp{1};
  std::atomic<int> computed{0};
  std::atomic<bool> hold{false};
  std::atomic<bool> fail{false};
};

using Cache = RefreshCache<std::string, int, std::string>;

Cache::Source source_of(Data& d) {
  return {"test",
          [&d](const std::string&, Millis) -> Result<int> { return d.stamp.load(); },
          [&d](const std::string& key, Millis) -> Result<std::string> {
            while (d.hold) std::this_thread::sleep_for(1ms);
            ++d.computed;
            if (d.fail) return fail(ErrorCode::internal, "", "失败", "failed");
            return key + "@" + std::to_string(d.stamp.load());
          }};
}

TEST(RefreshCache, ComputesOncePerChangeAndSharesTheValue) {
  Data d;
  TestClock clock;
  Cache cache(source_of(d), clock, 60'000);
  auto first = cache.get("30");
  ASSERT_TRUE(first);
  EXPECT_EQ("30@1", (*first)->value);
  EXPECT_EQ(clock.now_ms(), (*first)->at_ms);
  auto again = cache.get("30");
  ASSERT_TRUE(again);
  EXPECT_EQ(first->get(), again->get());  // the same value, not a copy
  EXPECT_EQ(1, d.computed);

  auto other = cache.get("7");  // another key has its own value
  ASSERT_TRUE(other);
  EXPECT_EQ("7@1", (*other)->value);
  EXPECT_EQ(2, d.computed);

  d.stamp = 2;  // something changed: the reader gets the new value
  auto changed = cache.get("30");
  ASSERT_TRUE(changed);
  EXPECT_EQ("30@2", (*changed)->value);
  EXPECT_EQ(3, d.computed);

  clock.advance(60'000);  // nothing changed but the value aged
  auto aged = cache.get("30");
  ASSERT_TRUE(aged);
  EXPECT_EQ(clock.now_ms(), (*aged)->at_ms);
  EXPECT_EQ(4, d.computed);
}

TEST(RefreshCache, ConcurrentFirstReadersShareOneComputation) {
  Data d;
  TestClock clock;
  Cache cache(source_of(d), clock, 60'000);
  d.hold = true;
  std::vector<std::future<Result<Cache::Shared>>> readers;
  for (int i = 0; i < 4; ++i) {
    readers.push_back(std::async(std::launch::async, [&] { return cache.get("30"); }));
  }
  std::this_thread::sleep_for(50ms);
  d.hold = false;
  for (auto& r : readers) {
    auto v = r.get();
    ASSERT_TRUE(v);
    EXPECT_EQ("30@1", (*v)->value);
  }
  EXPECT_EQ(1, d.computed);
}

TEST(RefreshCache, ASlowRecomputationLeavesTheReaderWithTheLastValue) {
  Data d;
  TestClock clock;
  Cache cache(source_of(d), clock, 60'000, 30ms);
  ASSERT_TRUE(cache.get("30"));
  d.stamp = 2;
  d.hold = true;  // the background recomputation hangs
  auto stale = cache.get("30");
  ASSERT_TRUE(stale);
  EXPECT_EQ("30@1", (*stale)->value);  // after at most the fresh wait
  d.hold = false;
  for (int i = 0; i < 200 && d.computed < 2; ++i) std::this_thread::sleep_for(5ms);
  auto fresh = cache.get("30");
  ASSERT_TRUE(fresh);
  EXPECT_EQ("30@2", (*fresh)->value);
}

TEST(RefreshCache, AFailedFirstComputationIsTheReadersErrorAndIsRetried) {
  Data d;
  TestClock clock;
  Cache cache(source_of(d), clock, 60'000);
  d.fail = true;
  auto failed = cache.get("30");
  ASSERT_FALSE(failed);
  EXPECT_EQ(ErrorCode::internal, failed.error().code);
  d.fail = false;
  auto next = cache.get("30");
  ASSERT_TRUE(next);
  EXPECT_EQ("30@1", (*next)->value);
}

// Keys from a free query (any period of grid indicators) are bounded: a new key beyond the bound
// evicts the least recently read one, and the values of the others stay.
TEST(RefreshCache, ABoundedCacheEvictsTheLeastRecentlyReadKey) {
  Data d;
  TestClock clock;
  Cache cache(source_of(d), clock, 60'000, 1500ms, 2);
  ASSERT_TRUE(cache.get("a"));
  ASSERT_TRUE(cache.get("b"));
  ASSERT_TRUE(cache.get("a"));  // "b" is now the least recently read
  ASSERT_TRUE(cache.get("c"));
  EXPECT_EQ(2u, cache.size());
  EXPECT_EQ(3, d.computed);
  ASSERT_TRUE(cache.get("a"));  // kept
  EXPECT_EQ(3, d.computed);
  ASSERT_TRUE(cache.get("b"));  // evicted: computed again (and "c" goes)
  EXPECT_EQ(4, d.computed);
  EXPECT_EQ(2u, cache.size());
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(cache.get("k" + std::to_string(i)));
  EXPECT_EQ(2u, cache.size());  // a stream of new keys never grows it

  Cache unbounded(source_of(d), clock, 60'000);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(unbounded.get("k" + std::to_string(i)));
  EXPECT_EQ(100u, unbounded.size());
}

}  // namespace
}  // namespace yiwang::core
