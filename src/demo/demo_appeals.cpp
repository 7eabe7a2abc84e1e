#include "demo/demo_appeals.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <vector>

#include <nlohmann/json.hpp>

#include "ai/ai.h"
#include "appeals/appeals.h"
#include "identity/identity.h"

namespace yiwang::demo {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Message {
  std::string title;
  std::string text;
  std::string reply;  // the department's answer; "" for the hot-issue burst (still open)
};

// The demo's own appeals (data/demo/appeals.jsonl, written for the fictional city): the ones
// about a place many people report on (`burst`: a place named by five or more) and the rest.
struct DemoMessages {
  std::vector<Message> history;
  std::vector<Message> burst;
};

Result<DemoMessages> read_messages(const fs::path& file) {
  std::ifstream in(file);
  if (!in) {
    return fail(ErrorCode::not_found, file.string(), "找不到演示诉求数据",
                "demo appeals not found: " + file.string());
  }
  std::vector<std::pair<Message, std::string>> rows;
  std::map<std::string, int> by_place;
  for (std::string line; std::getline(in, line);) {
    auto j = json::parse(line, nullptr, false);
    if (!j.is_object()) continue;
    Message m{j.value("title", ""), j.value("text", ""), j.value("reply", "")};
    if (m.title.empty() || m.text.empty() || m.reply.empty()) continue;
    std::string place = j.value("place", "");
    if (!place.empty()) ++by_place[place];
    rows.emplace_back(std::move(m), std::move(place));
  }
  DemoMessages out;
  for (auto& [m, place] : rows) {
    bool crowded = !place.empty() && by_place[place] >= 5;
    if (crowded) m.reply.clear();  // the burst is recent: still being handled
    (crowded ? out.burst : out.history).push_back(std::move(m));
  }
  return out;
}

// The classifier: the one shipped in data/demo/classifier (trained on the shared contest data,
// quantised; data/demo/README.md says how to reproduce it), installed when none exists.
Status ensure_model(app::App& app, const fs::path& classifier_dir, std::ostream& log) {
  if (!app.ai().models().empty()) return {};
  auto installed = app.ai().classifier().install((classifier_dir / "appeals.ftz").string(),
                                                 (classifier_dir / "manifest.json").string());
  if (!installed) return fail(installed.error());
  if (auto s = app.ai().classifier().activate(installed->version); !s) return s;
  log << "ai: classifier v" << installed->version << " installed from "
      << classifier_dir.lexically_normal().string() << " (trained on "
      << installed->training_size << " messages)\n";
  return {};
}

// One step of the history at a moment; all steps run in time order, so the clock only moves
// forward, as it would in a real hotline centre.
struct Planned {
  core::Millis at = 0;
  std::size_t appeal = 0;  // index into the seeder's appeals
  int stage = 0;           // 0 file, 1 dispatch, 2 receive, 3 reply, 4 close, 5 callback, 6 rate
};

class Seeder {
 public:
  Seeder(app::App& app, core::ManualClock& clock) : app_(app), clock_(clock) {}

  Status accounts() {
    auto& ids = app_.identity();
    for (int i = 1; i <= 24; ++i) {
      char name[16];
      std::snprintf(name, sizeof name, "citizen%02d", i);
      auto p = ids.find_by_username(name);
      if (!p) return fail(p.error());
      citizens_.push_back(*p);
    }
    auto hotline = ids.find_by_username("12345.clerk");
    if (!hotline) return fail(hotline.error());
    hotline_ = *hotline;
    return {};
  }

  // Plans a message filed by citizen `who` at `at`, taken as far as `last_stage`, with a reply
  // past the limit when `late`. Steps after `until` are left for the people using the demo.
  void plan(Message m, std::size_t who, core::Millis at, int last_stage, bool late, bool consent,
            core::Millis until) {
    const std::size_t index = items_.size();
    items_.push_back(Item{std::move(m), who, late, consent, "", ""});
    const core::Millis gaps[] = {0,
                                 3'600'000,
                                 3 * 3'600'000,
                                 (late ? 22 : 2 + static_cast<int>(who % 6)) * core::kDayMs,
                                 core::kDayMs,
                                 core::kDayMs,
                                 3'600'000};
    core::Millis t = at;
    for (int stage = 0; stage <= last_stage; ++stage) {
      t += gaps[stage];
      if (t > until) break;
      plan_.push_back(Planned{t, index, stage});
    }
  }

  Status run(int& filed) {
    std::stable_sort(plan_.begin(), plan_.end(),
                     [](const Planned& a, const Planned& b) { return a.at < b.at; });
    for (const auto& p : plan_) {
      Item& item = items_[p.appeal];
      if (p.stage > 0 && item.id.empty()) continue;  // refused or merged at intake
      clock_.set(p.at);
      if (auto s = perform(item, p.stage); !s) return s;
      if (p.stage == 0 && !item.id.empty()) ++filed;
    }
    return {};
  }

 private:
  struct Item {
    Message m;
    std::size_t who = 0;
    bool late = false;
    bool consent = false;
    std::string id;
    std::string dept;
  };

  const identity::Principal& citizen(const Item& item) const {
    return citizens_[item.who % citizens_.size()];
  }

  Status perform(Item& item, int stage) {
    using appeals::Action;
    switch (stage) {
      case 0: {
        appeals::NewAppeal n;
        n.channel = item.who % 3 == 0 ? appeals::Channel::mobile : appeals::Channel::web;
        n.type = item.m.reply.empty() ? appeals::Type::complaint : type_of(item.m.title);
        n.title = item.m.title;
        n.text = item.m.text;
        n.public_consent = item.consent;
        auto submitted = app_.appeals().submit(n, citizen(item));
        // Real messages include some the hotline redirects (litigation, emergencies) or that
        // are too long; a repeat by the same person merges. Either way there is nothing more.
        if (submitted && !submitted->merged) item.id = submitted->appeal.id;
        return {};
      }
      case 1: {
        auto guess = app_.ai().classify(item.m.title + "\n" + item.m.text);
        item.dept = guess && !guess->department.empty() ? guess->department : "zjj";
        if (guess && guess->confidence >= appeals::Options{}.auto_dispatch_confidence) {
          auto r =
              app_.appeals().auto_dispatch(item.id, item.dept, guess->confidence, guess->label);
          if (!r) return fail(r.error());
          return {};
        }
        return act(item, Action::dispatch, hotline_, [&](auto& a) { a.dept_id = item.dept; });
      }
      case 2:
        return act(item, Action::receive, staff(item), [](auto&) {});
      case 3:
        return act(item, Action::reply, staff(item), [&](auto& a) {
          a.reply = item.m.reply;
          a.confirm_weak = true;  // the real answers went out as they were
        });
      case 4:
        return act(item, Action::close, hotline_, [](auto&) {});
      case 5:
        return act(item, Action::callback, hotline_, [&](auto& a) {
          a.result = item.late ? "诉求人认为答复太慢" : "诉求人表示满意";
        });
      default:
        return act(item, Action::rate, citizen(item),
                   [&](auto& a) { a.level = item.late ? 2 : 4 + static_cast<int>(item.who % 2); });
    }
  }

  // A clerk of the handling department (the market regulator's is the window clerk chuangkou).
  identity::Principal staff(const Item& item) {
    if (clerks_.empty()) {
      auto users = app_.identity().list_users(1000, 0);
      if (users) {
        for (const auto& u : *users) {
          if (u.is_official() && u.has_role(identity::Role::clerk)) clerks_.emplace(u.dept_id, u);
        }
      }
    }
    auto it = clerks_.find(item.dept);
    return it != clerks_.end() ? it->second : hotline_;
  }

  template <class Fill>
  Status act(const Item& item, appeals::Action action, const identity::Principal& by, Fill fill) {
    appeals::ActionRequest a;
    a.action = action;
    fill(a);
    auto r = app_.appeals().act(item.id, a, by);
    if (!r) return fail(r.error());
    return {};
  }

  static appeals::Type type_of(const std::string& title) {
    auto has = [&](const char* w) { return title.find(w) != std::string::npos; };
    if (has("咨询") || has("请问") || has("如何") || has("怎么")) return appeals::Type::consult;
    if (has("建议") || has("希望")) return appeals::Type::suggestion;
    if (has("举报")) return appeals::Type::report;
    if (has("求助") || has("帮助")) return appeals::Type::help;
    return appeals::Type::complaint;
  }

  app::App& app_;
  core::ManualClock& clock_;
  std::vector<identity::Principal> citizens_;
  identity::Principal hotline_;
  std::vector<Item> items_;
  std::vector<Planned> plan_;
  std::map<std::string, identity::Principal> clerks_;  // first clerk of each department
};

}  // namespace

Status seed_appeals(app::App& app, core::ManualClock& clock, const std::string& data_dir,
                    core::Millis now_ms, int days, std::ostream& log) {
  const fs::path dir(data_dir);
  if (auto s = ensure_model(app, dir / "classifier", log); !s) return s;
  auto messages = read_messages(dir / "appeals.jsonl");
  if (!messages) return fail(messages.error());
  Seeder seeder(app, clock);
  if (auto s = seeder.accounts(); !s) return s;

  // History: answered appeals spread over the window, in office hours, most on time; the
  // latest ones still open at various steps.
  auto& history = messages->history;
  const core::Millis start = now_ms - static_cast<core::Millis>(days) * core::kDayMs;
  const core::Millis span = now_ms - 8 * core::kDayMs - start;
  for (std::size_t i = 0; i < history.size(); ++i) {
    const core::Millis at =
        start + span * static_cast<core::Millis>(i) / static_cast<core::Millis>(history.size()) +
        static_cast<core::Millis>(i % 7) * 3'600'000;
    const bool recent = i + 12 >= history.size();
    const int last = recent ? static_cast<int>(i % 4) : 4 + static_cast<int>(i % 3);
    seeder.plan(std::move(history[i]), i, at, last, i % 11 == 5, i % 2 == 0, now_ms);
  }
  // Many people reporting the same problems in the same places over the last three weeks.
  auto& burst = messages->burst;
  for (std::size_t i = 0; i < burst.size(); ++i) {
    const core::Millis at = now_ms - 21 * core::kDayMs +
                            (20 * core::kDayMs) * static_cast<core::Millis>(i) /
                                static_cast<core::Millis>(burst.size());
    seeder.plan(std::move(burst[i]), i * 5 + 1, at, static_cast<int>(i % 3), false, false, now_ms);
  }
  int filed = 0;
  if (auto s = seeder.run(filed); !s) return s;
  clock.set(now_ms);
  log << "appeals: " << filed << " filed from data/demo/appeals.jsonl (" << burst.size()
      << " of them reports of the same problems)\n";
  return {};
}

}  // namespace yiwang::demo
