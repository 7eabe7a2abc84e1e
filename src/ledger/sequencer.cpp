// Sequencer: the one background thread that keeps the log moving (follow events, integrate, sign).
#include <algorithm>
#include <cstdio>
#include <thread>

#include "core/thread_annotations.h"
#include "ledger/ledger.h"
#include "store/contention.h"

namespace yiwang::ledger {

struct Sequencer::Impl {
  // Constant once the thread runs.
  Log& log;
  Follower* follower;
  std::chrono::milliseconds interval;
  store::FailureStreak follow_failures;  // the sequencer thread's own
  core::Mutex mu;
  core::CondVar cv;  // signalled when stopping
  bool stopping GUARDED_BY(mu) = false;
  std::thread thread;

  Impl(Log& l, Follower* f, std::chrono::milliseconds i) : log(l), follower(f), interval(i) {}

  void report(const char* what, const Error& e) {
    std::fprintf(stderr, "yiwang: ledger sequencer: %s: %s\n", what, e.message_en.c_str());
  }

  bool stopped() EXCLUDES(mu) {
    core::MutexLock lock(mu);
    return stopping;
  }

  // Waits until `deadline`; true when asked to stop meanwhile.
  bool stop_requested_by(std::chrono::steady_clock::time_point deadline) EXCLUDES(mu) {
    core::MutexLock lock(mu);
    while (!stopping) {
      if (!cv.wait_until(mu, deadline)) break;
    }
    return stopping;
  }

  void run() EXCLUDES(mu) {
    constexpr int kPollBatch = 500;
    // Fixed rate: a round starts one interval after the previous one started, so an act waits
    // at most one interval plus one round for the checkpoint that covers it.
    auto next = std::chrono::steady_clock::now();
    while (true) {
      next += interval;
      if (stop_requested_by(std::max(next, std::chrono::steady_clock::now()))) return;
      if (follower) {
        // Catch up before signing, so that acts that happened before this tick are in the
        // checkpoint; a stop request still ends the loop within one batch.
        while (!stopped()) {
          auto handled = follower->poll_once(kPollBatch);
          if (!handled) {
            if (follow_failures.report(handled.error())) {
              report("following events", handled.error());
            }
            break;
          }
          follow_failures.succeeded();
          if (*handled < kPollBatch) break;
        }
      }
      if (stopped()) return;
      if (auto size = log.integrate(); !size) report("integrating", size.error());
    }
  }
};

Sequencer::Sequencer(Log& log, Follower* follower, std::chrono::milliseconds interval)
    : impl_(std::make_unique<Impl>(log, follower, interval)) {
  if (impl_->interval <= std::chrono::milliseconds::zero())
    impl_->interval = std::chrono::milliseconds(1);
  impl_->thread = std::thread([m = impl_.get()] { m->run(); });
}

Sequencer::~Sequencer() {
  {
    core::MutexLock lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.signal_all();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace yiwang::ledger
