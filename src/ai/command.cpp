// `yiwang ai train|eval|models`: retraining on the shared data plus stored corrections, and
// cross-validation on the shared data.
#include <iomanip>
#include <optional>
#include <ostream>

#include "ai/ai.h"

namespace yiwang::ai {
namespace {

struct Flags {
  std::string data = "../shared/data/appeals/labelled.jsonl";
  std::string segmented;  // "" = no extra training data
  std::string models = "var/models/ai";
  bool cv = true;
  bool activate = true;
  std::size_t limit = 0;
  int k = 5;
  int threads = 1;
  int epoch = 0;
  bool quantize = false;
};

void print_metrics(std::ostream& out, const CvReport& r) {
  out << std::fixed << std::setprecision(4);
  for (std::size_t i = 0; i < r.folds.size(); ++i)
    out << "fold " << i + 1 << "  n " << r.folds[i].examples << "  accuracy " << r.folds[i].accuracy
        << "  macro-F1 " << r.folds[i].macro_f1 << "\n";
  out << "mean    accuracy " << r.mean_accuracy << "  macro-F1 " << r.mean_macro_f1 << "  ("
      << std::setprecision(1) << r.seconds << " s)\n"
      << std::setprecision(4);
  for (const auto& c : r.pooled.per_class)
    out << "  " << c.label << "  support " << c.support << "  P " << c.precision << "  R "
        << c.recall << "  F1 " << c.f1 << "\n";
}

int usage(std::ostream& err, const std::string& why) {
  err << "yiwang ai: " << why << "\n"
      << "usage: yiwang ai train [--data FILE] [--segmented FILE] [--models DIR] [--no-cv] "
         "[--no-activate] [--threads N] [--quantize]\n"
         "       yiwang ai eval [--data FILE] [--segmented FILE] [--limit N] [--k N] [--threads "
         "N]\n"
         "       yiwang ai models [--models DIR]\n";
  return 2;
}

// Reads the flags after the subcommand into `f`; the usage exit code on a bad one.
std::optional<int> parse_flags(const std::vector<std::string>& args, Flags& f, std::ostream& err) {
  for (std::size_t i = 1; i < args.size(); ++i) {
    const auto& a = args[i];
    auto value = [&](std::string& into) {
      if (i + 1 >= args.size()) return false;
      into = args[++i];
      return true;
    };
    std::string v;
    if (a == "--data" || a == "--segmented" || a == "--models") {
      std::string& into = a == "--data" ? f.data : a == "--segmented" ? f.segmented : f.models;
      if (!value(into)) return usage(err, a + " needs a value");
    } else if (a == "--no-cv") {
      f.cv = false;
    } else if (a == "--quantize") {
      f.quantize = true;
    } else if (a == "--no-activate") {
      f.activate = false;
    } else if (a == "--limit" || a == "--k" || a == "--threads" || a == "--epoch") {
      if (!value(v)) return usage(err, a + " needs a value");
      int n = std::atoi(v.c_str());
      if (n <= 0) return usage(err, a + " needs a positive number");
      if (a == "--limit") f.limit = n;
      if (a == "--k") f.k = n;
      if (a == "--threads") f.threads = n;
      if (a == "--epoch") f.epoch = n;
    } else {
      return usage(err, "unknown argument " + a);
    }
  }
  return std::nullopt;
}

int list_models(store::Store& store, const core::Clock& clock, core::Random& random, const Flags& f,
                std::ostream& out) {
  Options o;
  o.models_dir = f.models;
  Service service(store, clock, random, o);
  for (const auto& m : service.models()) {
    out << "v" << m.version << (m.active ? " (active)" : "") << "  trained on " << m.training_size
        << " (" << m.corrections << " corrections)";
    if (m.metrics)
      out << std::fixed << std::setprecision(4) << "  cv accuracy " << m.metrics->accuracy
          << "  macro-F1 " << m.metrics->macro_f1;
    out << "\n";
  }
  return 0;
}

// Trains (with cross-validation unless --no-cv) and writes the next model version.
Result<TrainReport> train(store::Store& store, const core::Clock& clock, core::Random& random,
                          const Flags& f, const std::vector<Example>& base,
                          const TrainOptions& options, CvOptions cv) {
  Options o;
  o.models_dir = f.models;
  Service service(store, clock, random, o);
  std::optional<CvOptions> cv_opt;
  if (f.cv) {
    cv_opt = cv;
  } else if (!cv.extra_train.empty()) {
    cv.k = 0;  // extra rows still train the model
    cv_opt = cv;
  }
  return service.train(base, options, cv_opt, f.activate);
}

}  // namespace

int run_ai_command(store::Store& store, const core::Clock& clock, core::Random& random,
                   const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty()) return usage(err, "give a subcommand");
  const std::string& cmd = args[0];
  Flags f;
  if (auto code = parse_flags(args, f, err)) return *code;
  auto report_error = [&](const Error& e) {
    err << "yiwang ai " << cmd << ": " << e.message_en << " (" << e.message_zh << ")\n";
    return 1;
  };
  TrainOptions options;
  options.threads = f.threads;
  if (f.epoch) options.epoch = f.epoch;
  options.quantize = f.quantize;
  if (cmd == "models") return list_models(store, clock, random, f, out);
  if (cmd != "train" && cmd != "eval") return usage(err, "unknown subcommand " + cmd);
  auto data = load_labelled(f.data);
  if (!data) return report_error(data.error());
  auto base = deduplicate(*data);
  CvOptions cv;
  cv.k = f.k;
  cv.limit = f.limit;
  if (!f.segmented.empty()) {
    auto extra = load_segmented_extra(f.segmented, f.data);
    if (!extra) return report_error(extra.error());
    cv.extra_train = std::move(*extra);
  }
  out << "data: " << data->size() << " rows, " << base.size() << " after de-duplication";
  if (!cv.extra_train.empty()) out << ", " << cv.extra_train.size() << " extra training rows";
  out << "\n";
  if (cmd == "eval") {
    auto r = cross_validate(base, options, cv);
    if (!r) return report_error(r.error());
    out << cv.k << "-fold cross-validation (stratified, seed " << cv.seed << ")\n";
    print_metrics(out, *r);
    return 0;
  }
  auto r = train(store, clock, random, f, base, options, cv);
  if (!r) return report_error(r.error());
  if (r->cv) print_metrics(out, *r->cv);
  out << "model v" << r->model.version << " written to " << f.models << "/appeals-"
      << r->model.version << ".bin: " << r->model.training_size << " examples (" << r->corrections
      << " corrections)" << (r->model.active ? ", active" : "") << "\n";
  return 0;
}

}  // namespace yiwang::ai
