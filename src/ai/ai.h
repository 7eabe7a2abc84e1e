// AI for the 12345 hotline: classifying citizens' appeals (诉求) into the city's first-level
// classes to dispatch them to a department, and checking the quality of replies before they are
// published.
//
// Classification is a fastText supervised model over the message's characters: Chinese has no
// word boundaries and no segmenter is shipped, so each Han character is a token, runs of Latin
// letters and digits are one token, punctuation and whitespace are dropped, and fastText's word
// n-grams (wordNgrams) supply character bigrams and trigrams. Models are versioned files in a
// models directory (appeals-<n>.bin beside appeals-<n>.json, the manifest with the training size
// and cross-validated metrics); the serving model is swapped atomically without a restart and
// predictions already running keep the model they started with. A prediction below the
// confidence threshold is marked `needs_human` (the dispatcher's queue). The class → department
// mapping is data (data/ai/departments.tsv), not code.
//
// Dispatchers' corrections are stored (ai_corrections) and included by `yiwang ai train`.
//
// Thread-safety: Classifier and Service are shared by all request threads; predict/classify run
// concurrently with each other and with activate (the serving model is a shared_ptr swapped under
// a mutex, never held during inference). Training runs on the caller's thread. Store and clock
// must outlive the Service. State changes append events ("ai.correction.recorded",
// "ai.model.activated", "ai.model.trained"); no appeal text goes into events.
//
// Files by concern:
//   ai.h            this contract           internal.h    tokens shared by the sources
//   text.cpp        tokens, data loading and de-duplication
//   classifier.cpp  fastText training, versioned model files, hot swap, cross-validation
//   reply.cpp       the reply-quality check (pure)
//   service.cpp     classification with the department mapping, corrections, activation, training
//   routes.cpp      /api/v1/ai/* through the route helper
//   command.cpp     `yiwang ai train|eval|models`
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "core/utf8.h"
#include "store/store.h"

namespace yiwang::http {
class Router;
}
namespace yiwang::identity {
class Service;
struct Principal;
}  // namespace yiwang::identity

namespace yiwang::ai {

std::vector<store::Migration> migrations();
// Corrections carry the citizen's text: sealed at rest ("ai_corrections.text:<id>",
// core/field_cipher.h). Seals the rows an older version stored in the clear; run at start before
// serving. Returns how many it sealed.
Result<std::int64_t> seal_at_rest(store::Store& store);

inline constexpr std::size_t kMaxTextChars = 5000;  // code points, appeal or reply

// ---- Text ------------------------------------------------------------------------------------
using core::valid_utf8;
// The classifier's input: space-separated tokens (one per Han character, one per run of ASCII
// letters/digits, lower-cased; full-width forms folded to ASCII; everything else dropped).
std::string tokens_of(std::string_view utf8);
// Code points of valid UTF-8 (bytes otherwise).
std::size_t char_count(std::string_view utf8);

// ---- Data ------------------------------------------------------------------------------------
struct Example {
  std::string text;   // raw UTF-8 (title and body joined)
  std::string label;  // first-level class, e.g. 城乡建设
};

// labelled.jsonl of the shared appeals data: {"title","text","label",…} per line; title and
// text are joined. invalid_input names the line of a malformed row.
Result<std::vector<Example>> load_labelled(const std::string& path);
// labelled-segmented.jsonl rows whose "row" is not in `exclude_rows` and whose text is not a
// near-duplicate (same first or last 30 characters) of an excluded row's segmented text: extra
// training data that cannot leak into folds drawn from labelled.jsonl.
Result<std::vector<Example>> load_segmented_extra(const std::string& path,
                                                  const std::string& labelled_path);
// Drops near-duplicates (same first or last 40 characters of the normalised text), keeping the
// first: repeated messages with small edits would otherwise sit in both train and test folds.
std::vector<Example> deduplicate(const std::vector<Example>& examples);

// ---- Training and evaluation -----------------------------------------------------------------
struct TrainOptions {
  int epoch = 25;
  double lr = 0.5;
  int dim = 32;
  int word_ngrams = 3;  // over character tokens: bigrams and trigrams
  int minn = 0;         // subword n-grams inside a token (useless for single characters)
  int maxn = 0;
  int bucket = 200000;  // hashed n-gram rows: bucket × dim floats in the model file
  int min_count = 1;
  int threads = 1;  // 1 = deterministic for a seed
  int seed = 42;
  // Product-quantise the trained model (fastText's quantize: the `cutoff` most useful n-gram
  // rows kept, 2-float sub-vectors, norms quantised): a few MB instead of bucket × dim floats, for
  // a model shipped in the repository (data/demo/classifier).
  bool quantize = false;
  int cutoff = 100000;
};

struct ClassMetrics {
  std::string label;
  int support = 0;
  double precision = 0;
  double recall = 0;
  double f1 = 0;
};

struct Metrics {
  int examples = 0;
  double accuracy = 0;
  double macro_f1 = 0;
  std::vector<ClassMetrics> per_class;  // sorted by label
};

// Accuracy, per-class precision/recall/F1 and their unweighted mean over the gold labels.
Metrics score(const std::vector<std::string>& gold, const std::vector<std::string>& predicted);

struct CvOptions {
  int k = 5;
  unsigned seed = 20200;
  std::size_t limit = 0;             // 0 = all examples; else a stratified subset (for CI)
  std::vector<Example> extra_train;  // added to every training fold, never tested
};

struct CvReport {
  std::vector<Metrics> folds;
  double mean_accuracy = 0;
  double mean_macro_f1 = 0;
  Metrics pooled;  // over all test predictions together (per-class figures)
  double seconds = 0;
};

// Stratified k-fold cross-validation with a fixed seed. invalid_input when k < 2 or there are
// fewer examples than folds.
Result<CvReport> cross_validate(const std::vector<Example>& examples, const TrainOptions& train,
                                const CvOptions& cv);

// ---- Models ------------------------------------------------------------------------------------
struct ModelInfo {
  int version = 0;
  core::Millis created_at_ms = 0;
  int training_size = 0;
  int corrections = 0;  // of training_size, from dispatchers
  std::vector<std::string> labels;
  std::optional<Metrics> metrics;  // cross-validated when trained by `yiwang ai train`
  std::string options_json;        // the TrainOptions used
  bool active = false;
};

struct Scored {
  std::string label;
  double confidence = 0;  // softmax probability of the label, 0..1
  int model_version = 0;
  std::vector<std::pair<std::string, double>> alternatives;  // next best labels
};

// Versioned models in one directory. Thread-safe.
class Classifier {
 public:
  explicit Classifier(std::string models_dir);
  ~Classifier();
  Classifier(const Classifier&) = delete;
  Classifier& operator=(const Classifier&) = delete;

  // Trains on `examples` and writes the next version (model + manifest); does not activate it.
  // invalid_input for no examples, fewer than two labels, or an empty text after tokenising;
  // internal when the directory cannot be written.
  Result<ModelInfo> train(const std::vector<Example>& examples, const TrainOptions& options,
                          const std::optional<Metrics>& metrics = std::nullopt, int corrections = 0,
                          core::Millis now_ms = 0);
  // Adds a model trained elsewhere (a fastText file and the manifest `train` wrote for it) as
  // the next version; does not activate it. invalid_input when the manifest is not one;
  // internal when a file cannot be read or written.
  Result<ModelInfo> install(const std::string& model_file, const std::string& manifest_file);
  // Loads version `version` and makes it the serving model. not_found when there is no such
  // model; internal when the file is unreadable. The previous model stays in use until then.
  Status activate(int version);
  // Activates the highest version on disk; not_found when there is none.
  Result<int> activate_latest();
  // Manifests of all versions, newest first; `active` set on the serving one.
  std::vector<ModelInfo> list() const;
  int active_version() const;  // 0 when none
  // conflict when no model is active.
  Result<Scored> predict(std::string_view text) const;
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  struct State;
  std::unique_ptr<State> state_;
};

// ---- Reply quality (回复质量)
// --------------------------------------------------------------------
struct ReplyIssue {
  std::string code;  // "off_topic", "no_salutation", "no_findings", "no_action", "no_contact",
                     // "too_short"
  std::string message_zh;
  std::string message_en;
};

struct ReplyCheck {
  double score = 0;         // 0..100
  double relevance = 0;     // 0..1, character-bigram overlap with the appeal
  bool salutation = false;  // 您好 / 网友 / 尊敬的 …
  bool findings = false;    // 经查 / 经核实 / 调查 …
  bool action = false;      // 已 … / 责令 / 根据《…》 …
  bool contact = false;     // a phone number or 联系
  std::vector<ReplyIssue> issues;
  bool weak = false;  // score below the flag threshold
};

inline constexpr double kWeakReplyBelow = 60;

// Scores a reply for relevance and completeness. invalid_input for empty/over-long/invalid text.
Result<ReplyCheck> check_reply(std::string_view appeal, std::string_view reply);

// ---- Service -----------------------------------------------------------------------------------
struct Options {
  std::string models_dir = "var/models/ai";
  double threshold = 0.5;  // below: needs_human
  // The hotline centre's department (app::Config::hotline_dept): its clerks and reviewers
  // record corrections.
  std::string hotline_dept;
  // class → department id; empty = data/ai/departments.tsv (built in).
  std::map<std::string, std::string> departments;
};

struct Prediction {
  std::string label;
  double confidence = 0;
  std::string department;  // "" when the class has no mapping (then needs_human)
  int model_version = 0;
  bool needs_human = false;
  std::vector<std::pair<std::string, double>> alternatives;
};

struct Correction {
  std::string id;
  std::string text;
  std::string label;
  std::string created_by;
  core::Millis created_at_ms = 0;
};

struct TrainReport {
  ModelInfo model;
  int base_examples = 0;
  int corrections = 0;
  std::optional<CvReport> cv;
};

// The built-in class → department mapping (data/ai/departments.tsv).
std::map<std::string, std::string> default_departments();

// Officials only (forbidden otherwise): the model list and the reply check are staff tools.
Status staff_only(const identity::Principal& by);

class Service {
 public:
  // Activates the model recorded as active in the store, else the newest on disk; without any
  // model, classify() answers conflict until one is trained and activated.
  Service(store::Store& store, const core::Clock& clock, core::Random& random,
          Options options = {});
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // invalid_input ("/text") for empty, > kMaxTextChars, invalid UTF-8 or nothing to classify;
  // conflict when no model is active.
  Result<Prediction> classify(std::string_view text) const;
  std::vector<ModelInfo> models() const;
  // Admins only (forbidden); not_found for an unknown version. Records the choice in the store
  // (so a restart serves the same model) with an "ai.model.activated" event, then swaps.
  Result<ModelInfo> activate(int version, const identity::Principal& by);
  // Clerks and reviewers of the hotline department, or admins (forbidden otherwise);
  // invalid_input for a bad text ("/text") or a label the active model does not know ("/label").
  Result<Correction> add_correction(std::string_view text, std::string_view label,
                                    const identity::Principal& by);
  // Whether `by` may correct classes at all (forbidden), asked before the body is read.
  Status may_correct(const identity::Principal& by) const;
  Result<std::vector<Correction>> corrections() const;
  // Trains on `base` plus all stored corrections, writes the next version, records an
  // "ai.model.trained" event and, when `activate`, serves it. With cv.k >= 2 the manifest
  // carries cross-validated metrics on `base` (corrections are added to every training fold).
  Result<TrainReport> train(const std::vector<Example>& base, const TrainOptions& options,
                            std::optional<CvOptions> cv, bool activate);

  Classifier& classifier() { return classifier_; }
  const Options& options() const { return options_; }

 private:
  store::Store& store_;
  const core::Clock& clock_;
  core::Random& random_;
  Options options_;
  Classifier classifier_;
};

// Routes: POST /api/v1/ai/classify, GET /api/v1/ai/models, POST
// /api/v1/ai/models/{version}/activate, POST /api/v1/ai/corrections, POST /api/v1/ai/reply-check.
void register_routes(http::Router& router, Service& service, identity::Service& identity);

// `yiwang ai train [--data FILE] [--segmented FILE] [--models DIR] [--no-cv] [--no-activate]`,
// `yiwang ai eval [--data FILE] [--segmented FILE] [--limit N] [--k N]` and `yiwang ai models
// [--models DIR]`; `args` excludes "ai" and the store options. --data defaults to
// ../shared/data/appeals/labelled.jsonl, --models to var/models/ai. Returns the exit code.
int run_ai_command(store::Store& store, const core::Clock& clock, core::Random& random,
                   const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace yiwang::ai
