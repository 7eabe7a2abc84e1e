// The AI dispatch service: classification with the department mapping and the human threshold,
// dispatchers' corrections, model activation and retraining.
#include <algorithm>
#include <sstream>

#include <nlohmann/json.hpp>

#include "ai/ai.h"
#include "core/field_cipher.h"
#include "core/text_check.h"
#include "events/events.h"
#include "identity/identity.h"
#include "store/sealing.h"

namespace yiwang::generated {
extern const char* const ai_departments;
std::vector<store::Migration> ai_migrations();
}  // namespace yiwang::generated

namespace yiwang::ai {
namespace {

using nlohmann::json;

Status check_text(std::string_view text, const std::string& field) {
  return core::check_text(text, field,
                          {.min = 1, .max = kMaxTextChars, .zh = "文本", .en = "the text"});
}

const char* kActiveSetting = "active_model";

}  // namespace

std::vector<store::Migration> migrations() {
  return generated::ai_migrations();
}

Status staff_only(const identity::Principal& by) {
  if (by.is_official()) return {};
  return fail(ErrorCode::forbidden, "", "仅限工作人员", "for government staff only");
}

std::map<std::string, std::string> default_departments() {
  std::map<std::string, std::string> out;
  std::istringstream in(generated::ai_departments);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto tab = line.find('\t');
    if (tab == std::string::npos)
      throw std::runtime_error("data/ai/departments.tsv: a line without a tab: " + line);
    out[line.substr(0, tab)] = line.substr(tab + 1);
  }
  return out;
}

Service::Service(store::Store& store, const core::Clock& clock, core::Random& random,
                 Options options)
    : store_(store),
      clock_(clock),
      random_(random),
      options_(std::move(options)),
      classifier_(options_.models_dir) {
  if (options_.departments.empty()) options_.departments = default_departments();
  auto chosen = store_.read([&](store::Tx& tx) -> Result<int> {
    auto row = tx.query_one("SELECT value FROM ai_settings WHERE name = ?", {kActiveSetting});
    return row ? std::atoi(row->text(0).c_str()) : 0;
  });
  // A recorded model that has since disappeared from disk falls back to the newest one: serving
  // something beats serving nothing, and the listing shows which one it is.
  if (!chosen || *chosen <= 0 || !classifier_.activate(*chosen))
    (void)classifier_.activate_latest();
}

Service::~Service() = default;

Result<Prediction> Service::classify(std::string_view text) const {
  if (auto s = check_text(text, "/text"); !s) return fail(s.error());
  auto scored = classifier_.predict(text);
  if (!scored) return fail(scored.error());
  Prediction p;
  p.label = scored->label;
  p.confidence = scored->confidence;
  p.model_version = scored->model_version;
  p.alternatives = scored->alternatives;
  auto it = options_.departments.find(p.label);
  if (it != options_.departments.end()) p.department = it->second;
  p.needs_human = p.confidence < options_.threshold || p.department.empty();
  return p;
}

std::vector<ModelInfo> Service::models() const {
  return classifier_.list();
}

Result<ModelInfo> Service::activate(int version, const identity::Principal& by) {
  if (!by.has_role(identity::Role::admin))
    return fail(ErrorCode::forbidden, "", "只有管理员可以切换模型",
                "only administrators switch models");
  ModelInfo info;
  bool found = false;
  for (auto& m : classifier_.list())
    if (m.version == version) {
      info = m;
      found = true;
    }
  if (!found)
    return fail(ErrorCode::not_found, "/version", "模型版本不存在", "no such model version");
  int before = classifier_.active_version();
  // Load first so that a broken file never becomes the recorded choice.
  Classifier probe(options_.models_dir);
  if (auto s = probe.activate(version); !s) return fail(s.error());
  auto w = store_.write([&](store::Tx& tx) -> Status {
    tx.exec("DELETE FROM ai_settings WHERE name = ?", {kActiveSetting});
    tx.exec("INSERT INTO ai_settings (name, value) VALUES (?, ?)",
            {kActiveSetting, std::to_string(version)});
    events::append(tx, clock_,
                   {.type = "ai.model.activated",
                    .subject_type = "ai_model",
                    .subject_id = std::to_string(version),
                    .actor = identity::actor_of(by),
                    .before_json = json{{"version", before}}.dump(),
                    .after_json = json{{"version", version}}.dump()});
    return {};
  });
  if (!w) return fail(w.error());
  if (auto s = classifier_.activate(version); !s) return fail(s.error());
  info.active = true;
  return info;
}

Status Service::may_correct(const identity::Principal& by) const {
  bool hotline = by.is_official() && by.dept_id == options_.hotline_dept &&
                 (by.has_role(identity::Role::clerk) || by.has_role(identity::Role::reviewer));
  if (hotline || by.has_role(identity::Role::admin)) return {};
  return fail(ErrorCode::forbidden, "", "只有热线中心的受理员、审核员或管理员可以纠正分类",
              "only the hotline centre's clerks and reviewers, or administrators, correct classes");
}

Result<Correction> Service::add_correction(std::string_view text, std::string_view label,
                                           const identity::Principal& by) {
  if (auto st = may_correct(by); !st) return fail(st.error());
  if (auto s = check_text(text, "/text"); !s) return fail(s.error());
  if (tokens_of(text).empty())
    return fail(ErrorCode::invalid_input, "/text", "文本中没有可分类的文字",
                "the text has nothing to classify");
  // Known classes: the active model's, else the mapping's (before any model exists).
  std::vector<std::string> known;
  for (const auto& m : classifier_.list())
    if (m.active) known = m.labels;
  if (known.empty())
    for (const auto& [k, v] : options_.departments) known.push_back(k);
  if (std::find(known.begin(), known.end(), label) == known.end())
    return fail(ErrorCode::invalid_input, "/label", "未知的分类：" + std::string(label),
                "unknown class: " + std::string(label));
  Correction c;
  c.id = random_.hex(12);
  c.text = std::string(text);
  c.label = std::string(label);
  c.created_by = by.user_id;
  c.created_at_ms = clock_.now_ms();
  auto w = store_.write([&](store::Tx& tx) -> Status {
    tx.exec(
        "INSERT INTO ai_corrections (id, text, label, created_by, dept_id, created_at_ms) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        {c.id, tx.cipher().seal_cell(c.text, "ai_corrections.text", c.id), c.label, c.created_by,
         by.dept_id, c.created_at_ms});
    events::append(tx, clock_,
                   {.type = "ai.correction.recorded",
                    .subject_type = "ai_correction",
                    .subject_id = c.id,
                    .actor = identity::actor_of(by),
                    // The text is the citizen's: not in the audit trail.
                    .after_json = json{{"label", c.label}}.dump()});
    return {};
  });
  if (!w) return fail(w.error());
  return c;
}

Result<std::vector<Correction>> Service::corrections() const {
  return store_.read([&](store::Tx& tx) -> Result<std::vector<Correction>> {
    std::vector<Correction> out;
    for (const auto& r :
         tx.query("SELECT id, text, label, created_by, created_at_ms FROM ai_corrections "
                  "ORDER BY created_at_ms, id"))
      out.push_back({r.text(0), tx.cipher().open_cell(r.text(1), "ai_corrections.text", r.text(0)),
                     r.text(2), r.text(3), r.int64(4)});
    return out;
  });
}

Result<std::int64_t> seal_at_rest(store::Store& store) {
  return store::seal_clear_cells(store, "ai_corrections", "id", {{"text"}});
}

Result<TrainReport> Service::train(const std::vector<Example>& base, const TrainOptions& options,
                                   std::optional<CvOptions> cv, bool activate) {
  auto stored = corrections();
  if (!stored) return fail(stored.error());
  TrainReport report;
  report.base_examples = static_cast<int>(base.size());
  report.corrections = static_cast<int>(stored->size());
  std::vector<Example> corrections;
  for (const auto& c : *stored) corrections.push_back({c.text, c.label});
  if (cv && cv->k >= 2) {
    CvOptions o = *cv;
    o.extra_train.insert(o.extra_train.end(), corrections.begin(), corrections.end());
    auto r = cross_validate(base, options, o);
    if (!r) return fail(r.error());
    report.cv = *r;
  }
  std::vector<Example> all = base;
  if (cv) all.insert(all.end(), cv->extra_train.begin(), cv->extra_train.end());
  // A correction outweighs the original label of the same message: both would otherwise pull.
  all.insert(all.end(), corrections.begin(), corrections.end());
  std::optional<Metrics> metrics;
  if (report.cv) {
    metrics = report.cv->pooled;
    metrics->accuracy = report.cv->mean_accuracy;
    metrics->macro_f1 = report.cv->mean_macro_f1;
  }
  auto info = classifier_.train(all, options, metrics, report.corrections, clock_.now_ms());
  if (!info) return fail(info.error());
  report.model = *info;
  auto w = store_.write([&](store::Tx& tx) -> Status {
    if (activate) {
      tx.exec("DELETE FROM ai_settings WHERE name = ?", {kActiveSetting});
      tx.exec("INSERT INTO ai_settings (name, value) VALUES (?, ?)",
              {kActiveSetting, std::to_string(info->version)});
    }
    json after{{"version", info->version},
               {"training_size", info->training_size},
               {"corrections", info->corrections},
               {"activated", activate}};
    if (metrics) {
      after["accuracy"] = metrics->accuracy;
      after["macro_f1"] = metrics->macro_f1;
    }
    events::append(tx, clock_,
                   {.type = "ai.model.trained",
                    .subject_type = "ai_model",
                    .subject_id = std::to_string(info->version),
                    .actor = events::system_actor(),
                    .after_json = after.dump()});
    return {};
  });
  if (!w) return fail(w.error());
  if (activate) {
    if (auto s = classifier_.activate(info->version); !s) return fail(s.error());
    report.model.active = true;
  }
  return report;
}

}  // namespace yiwang::ai
