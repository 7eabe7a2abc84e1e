// Heavy read results computed off the request path and shared (issue #16, item 6): hot issues,
// the leaders' cockpit, grid indicators.
//
// Each key (a window of days, a query) keeps its last value with the stamp it was computed
// under: something cheap to read that changes whenever the value would (a count and a sum of
// revisions, say). A reader reads the stamp and gets the value when it was computed from what the
// reader saw (or began after the reader came) and is younger than `max_age_ms`. Otherwise the
// key is recomputed by the background thread and the reader waits for it at most `fresh_wait`;
// a slower computation leaves the reader with the last value (which says when it was computed).
// Only a key's very first reader computes on its own request; other readers of that key wait for
// the same computation instead of starting their own, and readers of other keys do not wait.
//
// Entries: with `max_entries` 0 (the default) never evicted — for keys from a small set (a window
// of 1–90 days). Keys from a free query (grid indicators: any period) name a bound: a new key
// beyond it evicts the least recently read key that is not being computed.
//
// Thread-safe: everything under `mutex_` is guarded by it; the rest is constant after
// construction. The refresher thread is joined by the destructor, so `stamp` and `compute` may
// use what outlives the cache.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "core/clock.h"
#include "core/result.h"
#include "core/thread_annotations.h"

namespace yiwang::core {

template <class Key, class Stamp, class Value>
class RefreshCache {
 public:
  struct Source {
    std::string name;  // for the log: "hot issues"
    // What the key's value depends on, read at `now`.
    std::function<Result<Stamp>(const Key&, Millis now)> stamp;
    // The value of the key at `now`.
    std::function<Result<Value>(const Key&, Millis now)> compute;
  };
  // A value and when it was computed.
  struct Computed {
    Millis at_ms = 0;
    Value value;
  };
  using Shared = std::shared_ptr<const Computed>;

  RefreshCache(Source source, const Clock& clock, Millis max_age_ms,
               std::chrono::milliseconds fresh_wait = std::chrono::milliseconds(1500),
               std::size_t max_entries = 0)
      : source_(std::move(source)),
        clock_(clock),
        max_age_ms_(max_age_ms),
        fresh_wait_(fresh_wait),
        max_entries_(max_entries) {
    refresher_ = std::jthread([this] { refresh_loop(); });
  }
  ~RefreshCache() EXCLUDES(mutex_) {
    {
      MutexLock lock(mutex_);
      stopping_ = true;
    }
    wake_.signal_all();
    refresher_.join();
  }
  RefreshCache(const RefreshCache&) = delete;
  RefreshCache& operator=(const RefreshCache&) = delete;

  // How many keys hold a value or a computation now.
  std::size_t size() const EXCLUDES(mutex_) {
    MutexLock lock(mutex_);
    return entries_.size();
  }

  // Shared, not copied: a value may be large (a crowded window's groups).
  Result<Shared> get(const Key& key) EXCLUDES(mutex_) {
    const Millis now = clock_.now_ms();
    auto stamp = source_.stamp(key, now);
    if (!stamp) return fail(stamp.error());
    {
      MutexLock lock(mutex_);
      const auto deadline = std::chrono::steady_clock::now() + fresh_wait_;
      for (;;) {
        Entry& e = entry_of(key);
        // Fresh: computed from what this reader saw, or begun after it came (a later millisecond),
        // and young.
        if (e.computed && (e.stamp == *stamp || e.computed->at_ms > now) &&
            now - e.computed->at_ms < max_age_ms_) {
          return e.computed;
        }
        if (!e.computed && !e.busy) {
          e.busy = true;  // the key's first value: this reader computes it
          break;
        }
        if (!e.busy) {
          e.busy = true;
          pending_.push_back(key);
          wake_.signal();
        }
        if (!e.computed) {
          done_.wait(mutex_);
        } else if (!done_.wait_until(mutex_, deadline)) {
          return entries_[key].computed;  // recomputing takes long: the last value
        }
      }
    }
    return recompute(key);
  }

 private:
  struct Entry {
    Stamp stamp{};
    Shared computed;
    bool busy = false;  // a value of this key is being computed
    std::uint64_t read = 0;  // when last read (ticks of reads)
  };

  // The key's entry, made (evicting when over the bound) when it has none, marked read.
  Entry& entry_of(const Key& key) REQUIRES(mutex_) {
    auto it = entries_.find(key);
    if (it == entries_.end()) {
      if (max_entries_ > 0 && entries_.size() >= max_entries_) evict_one();
      it = entries_.emplace(key, Entry{}).first;
    }
    it->second.read = ++reads_;
    return it->second;
  }

  // Drops the least recently read entry not being computed (none when all are).
  void evict_one() REQUIRES(mutex_) {
    auto victim = entries_.end();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->second.busy) continue;
      if (victim == entries_.end() || it->second.read < victim->second.read) victim = it;
    }
    if (victim != entries_.end()) entries_.erase(victim);
  }

  // Computes the key (without the lock) and stores the result; the caller set `busy`.
  Result<Shared> recompute(const Key& key) EXCLUDES(mutex_) {
    const Millis now = clock_.now_ms();
    auto stamp = source_.stamp(key, now);
    Result<Value> value =
        stamp ? source_.compute(key, now) : Result<Value>(tl::unexpected(stamp.error()));
    MutexLock lock(mutex_);
    Entry& e = entries_[key];
    e.busy = false;
    done_.signal_all();
    if (!value) return fail(value.error());
    e.stamp = *stamp;
    e.computed = std::make_shared<const Computed>(Computed{now, std::move(*value)});
    return e.computed;
  }

  void refresh_loop() EXCLUDES(mutex_) {
    for (;;) {
      Key key{};
      {
        MutexLock lock(mutex_);
        while (!stopping_ && pending_.empty()) wake_.wait(mutex_);
        if (stopping_) return;
        key = pending_.front();
        pending_.pop_front();
      }
      if (auto r = recompute(key); !r) {
        std::fprintf(stderr, "yiwang: %s: %s\n", source_.name.c_str(),
                     r.error().message_en.c_str());
      }
    }
  }

  const Source source_;
  const Clock& clock_;
  const Millis max_age_ms_;
  const std::chrono::milliseconds fresh_wait_;
  const std::size_t max_entries_;
  mutable Mutex mutex_;
  CondVar wake_;  // pending_ has work, or stopping_
  CondVar done_;  // a computation finished
  std::map<Key, Entry> entries_ GUARDED_BY(mutex_);
  std::deque<Key> pending_ GUARDED_BY(mutex_);
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::uint64_t reads_ GUARDED_BY(mutex_) = 0;
  std::jthread refresher_;  // started last, joined first
};

}  // namespace yiwang::core
