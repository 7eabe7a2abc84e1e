// The fastText classifier: training on character tokens, versioned model files, the serving
// model behind an atomically swapped shared_ptr, and cross-validation.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <sstream>

#include <unistd.h>

#include <fasttext/fasttext.h>
#include <nlohmann/json.hpp>

#include "ai/ai.h"
#include "core/thread_annotations.h"

namespace yiwang::ai {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kLabelPrefix = "__label__";

// fastText reads training data from a file only: a private temporary one per training run.
class TempFile {
 public:
  explicit TempFile(const fs::path& dir) {
    static std::atomic<unsigned> counter{0};
    path_ =
        dir / ("train-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".txt");
  }
  ~TempFile() {
    std::error_code ec;
    fs::remove(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

Result<std::shared_ptr<fasttext::FastText>> train_fasttext(const std::vector<Example>& examples,
                                                           const TrainOptions& o,
                                                           const fs::path& scratch_dir) {
  std::set<std::string> labels;
  TempFile file(scratch_dir);
  {
    std::ofstream out(file.path());
    if (!out)
      return fail(ErrorCode::internal, "", "无法写入训练文件", "cannot write the training file");
    for (const auto& e : examples) {
      auto t = tokens_of(e.text);
      if (t.empty() || e.label.empty()) continue;
      std::string label = e.label;
      std::replace(label.begin(), label.end(), ' ', '_');
      out << kLabelPrefix << label << ' ' << t << '\n';
      labels.insert(label);
    }
    if (!out)
      return fail(ErrorCode::internal, "", "无法写入训练文件", "cannot write the training file");
  }
  if (labels.size() < 2)
    return fail(ErrorCode::invalid_input, "/examples", "训练数据至少需要两个类别",
                "training needs examples of at least two classes");
  fasttext::Args args;
  args.input = file.path().string();
  args.model = fasttext::model_name::sup;
  args.loss = fasttext::loss_name::softmax;
  args.lr = o.lr;
  args.dim = o.dim;
  args.epoch = o.epoch;
  args.wordNgrams = o.word_ngrams;
  args.minn = o.minn;
  args.maxn = o.maxn;
  args.bucket = o.bucket;
  args.minCount = o.min_count;
  args.thread = std::max(1, o.threads);
  args.seed = o.seed;
  args.verbose = 0;
  auto ft = std::make_shared<fasttext::FastText>();
  try {
    ft->train(args);
    if (o.quantize) {
      fasttext::Args q = args;
      q.qnorm = true;
      q.retrain = false;
      q.cutoff = static_cast<size_t>(std::max(0, o.cutoff));
      q.dsub = 2;
      ft->quantize(q);
    }
  } catch (const std::exception& e) {
    return fail(ErrorCode::internal, "", std::string("训练失败：") + e.what(),
                std::string("training failed: ") + e.what());
  }
  return ft;
}

std::vector<std::pair<std::string, double>> predict_all(const fasttext::FastText& ft,
                                                        const std::string& tokens, int k) {
  std::istringstream in(tokens + "\n");
  std::vector<std::pair<fasttext::real, std::string>> raw;
  ft.predictLine(in, raw, k, 0.0);
  std::vector<std::pair<std::string, double>> out;
  for (auto& [p, l] : raw)
    out.emplace_back(l.rfind(kLabelPrefix, 0) == 0 ? l.substr(kLabelPrefix.size()) : l,
                     std::min(1.0, static_cast<double>(p)));
  return out;
}

json options_json(const TrainOptions& o) {
  return {
      {"epoch", o.epoch}, {"lr", o.lr},     {"dim", o.dim},       {"word_ngrams", o.word_ngrams},
      {"minn", o.minn},   {"maxn", o.maxn}, {"bucket", o.bucket}, {"min_count", o.min_count},
      {"seed", o.seed},   {"quantize", o.quantize}, {"cutoff", o.cutoff}};
}

json metrics_json(const Metrics& m) {
  json per = json::array();
  for (const auto& c : m.per_class)
    per.push_back({{"label", c.label},
                   {"support", c.support},
                   {"precision", c.precision},
                   {"recall", c.recall},
                   {"f1", c.f1}});
  return {{"examples", m.examples},
          {"accuracy", m.accuracy},
          {"macro_f1", m.macro_f1},
          {"per_class", per}};
}

Metrics metrics_from(const json& j) {
  Metrics m;
  m.examples = j.value("examples", 0);
  m.accuracy = j.value("accuracy", 0.0);
  m.macro_f1 = j.value("macro_f1", 0.0);
  if (j.contains("per_class"))
    for (const auto& c : j["per_class"])
      m.per_class.push_back({c.value("label", ""), c.value("support", 0), c.value("precision", 0.0),
                             c.value("recall", 0.0), c.value("f1", 0.0)});
  return m;
}

fs::path model_path(const std::string& dir, int v) {
  return fs::path(dir) / ("appeals-" + std::to_string(v) + ".bin");
}
fs::path manifest_path(const std::string& dir, int v) {
  return fs::path(dir) / ("appeals-" + std::to_string(v) + ".json");
}

std::optional<ModelInfo> read_manifest(const std::string& dir, int v) {
  std::ifstream in(manifest_path(dir, v));
  if (!in) return std::nullopt;
  auto j = json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  ModelInfo m;
  m.version = j.value("version", v);
  m.created_at_ms = j.value("created_at_ms", std::int64_t{0});
  m.training_size = j.value("training_size", 0);
  m.corrections = j.value("corrections", 0);
  if (j.contains("labels")) m.labels = j["labels"].get<std::vector<std::string>>();
  if (j.contains("metrics") && j["metrics"].is_object()) m.metrics = metrics_from(j["metrics"]);
  if (j.contains("options")) m.options_json = j["options"].dump();
  return m;
}

std::vector<int> versions_on_disk(const std::string& dir) {
  std::vector<int> out;
  std::error_code ec;
  static const std::regex name(R"(appeals-([0-9]{1,9})\.bin)");
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::smatch m;
    auto f = e.path().filename().string();
    if (std::regex_match(f, m, name)) out.push_back(std::stoi(m[1]));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

// ---- Scoring ---------------------------------------------------------------------------------

Metrics score(const std::vector<std::string>& gold, const std::vector<std::string>& predicted) {
  Metrics m;
  m.examples = static_cast<int>(gold.size());
  std::map<std::string, int> tp, fp, support;
  int correct = 0;
  for (std::size_t i = 0; i < gold.size(); ++i) {
    const auto& p = i < predicted.size() ? predicted[i] : std::string();
    ++support[gold[i]];
    if (p == gold[i]) {
      ++correct;
      ++tp[p];
    } else {
      ++fp[p];
    }
  }
  m.accuracy = gold.empty() ? 0 : double(correct) / gold.size();
  double sum = 0;
  for (const auto& [label, n] : support) {
    ClassMetrics c;
    c.label = label;
    c.support = n;
    int t = tp[label], f = fp.count(label) ? fp[label] : 0;
    c.precision = t + f ? double(t) / (t + f) : 0;
    c.recall = n ? double(t) / n : 0;
    c.f1 = c.precision + c.recall > 0 ? 2 * c.precision * c.recall / (c.precision + c.recall) : 0;
    sum += c.f1;
    m.per_class.push_back(c);
  }
  m.macro_f1 = support.empty() ? 0 : sum / support.size();
  return m;
}

Result<CvReport> cross_validate(const std::vector<Example>& all, const TrainOptions& train,
                                const CvOptions& cv) {
  auto started = std::chrono::steady_clock::now();
  if (cv.k < 2) return fail(ErrorCode::invalid_input, "/k", "折数至少为 2", "k must be at least 2");
  std::mt19937 rng(cv.seed);
  std::map<std::string, std::vector<std::size_t>> by_label;
  for (std::size_t i = 0; i < all.size(); ++i) by_label[all[i].label].push_back(i);
  // Stratified: each class is shuffled and dealt round-robin over the folds, continuing where
  // the previous class stopped so that fold sizes differ by at most one.
  std::vector<std::vector<std::size_t>> folds(cv.k);
  std::size_t next = 0;
  for (auto& [label, idx] : by_label) {
    std::shuffle(idx.begin(), idx.end(), rng);
    std::size_t take = idx.size();
    if (cv.limit > 0 && cv.limit < all.size())
      take = std::max<std::size_t>(1, (idx.size() * cv.limit + all.size() - 1) / all.size());
    for (std::size_t i = 0; i < take; ++i) folds[next++ % cv.k].push_back(idx[i]);
  }
  for (const auto& f : folds)
    if (f.empty())
      return fail(ErrorCode::invalid_input, "/examples", "样本少于折数",
                  "fewer examples than folds");
  auto scratch = fs::temp_directory_path();
  CvReport report;
  std::vector<std::string> all_gold, all_pred;
  for (int f = 0; f < cv.k; ++f) {
    std::vector<Example> train_set = cv.extra_train;
    for (int g = 0; g < cv.k; ++g)
      if (g != f)
        for (auto i : folds[g]) train_set.push_back(all[i]);
    auto ft = train_fasttext(train_set, train, scratch);
    if (!ft) return fail(ft.error());
    std::vector<std::string> gold, pred;
    for (auto i : folds[f]) {
      gold.push_back(all[i].label);
      auto p = predict_all(**ft, tokens_of(all[i].text), 1);
      pred.push_back(p.empty() ? std::string() : p[0].first);
    }
    report.folds.push_back(score(gold, pred));
    all_gold.insert(all_gold.end(), gold.begin(), gold.end());
    all_pred.insert(all_pred.end(), pred.begin(), pred.end());
  }
  for (const auto& m : report.folds) {
    report.mean_accuracy += m.accuracy / cv.k;
    report.mean_macro_f1 += m.macro_f1 / cv.k;
  }
  report.pooled = score(all_gold, all_pred);
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

// ---- Classifier --------------------------------------------------------------------------------

namespace {
struct Loaded {
  std::shared_ptr<const fasttext::FastText> ft;
  int version = 0;
  int labels = 0;
};
}  // namespace

// The serving model: `mu` is held for a pointer copy, never for inference.
struct Classifier::State {
  core::Mutex mu;
  std::shared_ptr<const Loaded> active GUARDED_BY(mu);
  core::Mutex train_mu;  // one writer of new versions per process
};

Classifier::Classifier(std::string models_dir)
    : dir_(std::move(models_dir)), state_(std::make_unique<State>()) {}
Classifier::~Classifier() = default;

Result<ModelInfo> Classifier::train(const std::vector<Example>& examples,
                                    const TrainOptions& options,
                                    const std::optional<Metrics>& metrics, int corrections,
                                    core::Millis now_ms) {
  if (examples.empty())
    return fail(ErrorCode::invalid_input, "/examples", "没有训练数据", "no training examples");
  core::MutexLock train_lock(state_->train_mu);
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec)
    return fail(ErrorCode::internal, "", "无法创建模型目录：" + dir_,
                "cannot create the models directory " + dir_);
  auto ft = train_fasttext(examples, options, dir_);
  if (!ft) return fail(ft.error());
  auto existing = versions_on_disk(dir_);
  int version = existing.empty() ? 1 : existing.back() + 1;
  std::set<std::string> labels;
  for (const auto& e : examples) labels.insert(e.label);
  ModelInfo info;
  info.version = version;
  info.created_at_ms = now_ms;
  info.training_size = static_cast<int>(examples.size());
  info.corrections = corrections;
  info.labels.assign(labels.begin(), labels.end());
  info.metrics = metrics;
  info.options_json = options_json(options).dump();
  json manifest{{"version", version},
                {"created_at_ms", now_ms},
                {"training_size", info.training_size},
                {"corrections", corrections},
                {"labels", info.labels},
                {"options", options_json(options)},
                {"tokens", "han characters + ascii runs; fastText wordNgrams over them"}};
  if (metrics) manifest["metrics"] = metrics_json(*metrics);
  // Written under temporary names and renamed, the manifest last: a model is listed only once
  // both files are complete.
  auto bin = model_path(dir_, version), man = manifest_path(dir_, version);
  auto bin_tmp = bin.string() + ".tmp", man_tmp = man.string() + ".tmp";
  try {
    (*ft)->saveModel(bin_tmp);
  } catch (const std::exception& e) {
    return fail(ErrorCode::internal, "", "无法保存模型",
                std::string("cannot save the model: ") + e.what());
  }
  {
    std::ofstream out(man_tmp);
    out << manifest.dump(2) << "\n";
    if (!out) return fail(ErrorCode::internal, "", "无法写入模型清单", "cannot write the manifest");
  }
  fs::rename(bin_tmp, bin, ec);
  if (!ec) fs::rename(man_tmp, man, ec);
  if (ec)
    return fail(ErrorCode::internal, "", "无法保存模型", "cannot save the model: " + ec.message());
  return info;
}

Result<ModelInfo> Classifier::install(const std::string& model_file,
                                      const std::string& manifest_file) {
  std::ifstream in(manifest_file);
  json manifest = json::parse(in, nullptr, false);
  if (!manifest.is_object() || !manifest.contains("labels") || !manifest.contains("options")) {
    return fail(ErrorCode::invalid_input, "/manifest", "不是模型清单",
                "not a model manifest: " + manifest_file);
  }
  core::MutexLock train_lock(state_->train_mu);
  std::error_code ec;
  fs::create_directories(dir_, ec);
  auto existing = versions_on_disk(dir_);
  const int version = existing.empty() ? 1 : existing.back() + 1;
  manifest["version"] = version;
  auto bin = model_path(dir_, version), man = manifest_path(dir_, version);
  auto bin_tmp = bin.string() + ".tmp", man_tmp = man.string() + ".tmp";
  fs::copy_file(model_file, bin_tmp, fs::copy_options::overwrite_existing, ec);
  if (ec) {
    return fail(ErrorCode::internal, "", "无法复制模型文件",
                "cannot copy the model " + model_file + ": " + ec.message());
  }
  {
    std::ofstream out(man_tmp);
    out << manifest.dump(2) << "\n";
    if (!out) return fail(ErrorCode::internal, "", "无法写入模型清单", "cannot write the manifest");
  }
  fs::rename(bin_tmp, bin, ec);
  if (!ec) fs::rename(man_tmp, man, ec);
  if (ec) {
    return fail(ErrorCode::internal, "", "无法保存模型", "cannot save the model: " + ec.message());
  }
  auto info = read_manifest(dir_, version);
  if (!info) return fail(ErrorCode::internal, "", "无法读取模型清单", "cannot read the manifest");
  return *info;
}

Status Classifier::activate(int version) {
  auto path = model_path(dir_, version);
  std::error_code ec;
  if (version <= 0 || !fs::exists(path, ec) || !read_manifest(dir_, version))
    return fail(ErrorCode::not_found, "/version", "模型版本不存在", "no such model version");
  auto ft = std::make_shared<fasttext::FastText>();
  try {
    ft->loadModel(path.string());
  } catch (const std::exception& e) {
    return fail(ErrorCode::internal, "", "无法加载模型",
                std::string("cannot load the model: ") + e.what());
  }
  auto loaded = std::make_shared<Loaded>();
  loaded->ft = std::move(ft);
  loaded->version = version;
  core::MutexLock lock(state_->mu);
  state_->active = std::move(loaded);
  return {};
}

Result<int> Classifier::activate_latest() {
  auto v = versions_on_disk(dir_);
  for (auto it = v.rbegin(); it != v.rend(); ++it)
    if (read_manifest(dir_, *it)) {
      auto s = activate(*it);
      if (!s) return fail(s.error());
      return *it;
    }
  return fail(ErrorCode::not_found, "", "没有已训练的模型", "no trained model");
}

std::vector<ModelInfo> Classifier::list() const {
  int active = active_version();
  std::vector<ModelInfo> out;
  auto v = versions_on_disk(dir_);
  for (auto it = v.rbegin(); it != v.rend(); ++it)
    if (auto m = read_manifest(dir_, *it)) {
      m->active = m->version == active;
      out.push_back(std::move(*m));
    }
  return out;
}

int Classifier::active_version() const {
  core::MutexLock lock(state_->mu);
  return state_->active ? state_->active->version : 0;
}

Result<Scored> Classifier::predict(std::string_view text) const {
  std::shared_ptr<const Loaded> model;
  {
    core::MutexLock lock(state_->mu);
    model = state_->active;
  }
  if (!model)
    return fail(ErrorCode::conflict, "", "尚无可用的分类模型，请先训练（yiwang ai train）",
                "no classification model is active; train one with `yiwang ai train`");
  auto tokens = tokens_of(text);
  if (tokens.empty())
    return fail(ErrorCode::invalid_input, "/text", "文本中没有可分类的文字",
                "the text has nothing to classify");
  auto p = predict_all(*model->ft, tokens, 3);
  if (p.empty())
    return fail(ErrorCode::invalid_input, "/text", "文本中没有模型认识的文字",
                "the text has no words the model knows");
  Scored s;
  s.label = p[0].first;
  s.confidence = p[0].second;
  s.model_version = model->version;
  s.alternatives.assign(p.begin() + 1, p.end());
  return s;
}

}  // namespace yiwang::ai
