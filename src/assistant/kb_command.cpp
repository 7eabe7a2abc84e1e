// `yiwang kb import PATH…` and `yiwang kb eval FILE`.
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "assistant/assistant.h"
#include "identity/identity.h"

namespace yiwang::assistant {
namespace {

namespace fs = std::filesystem;

int import(Service& service, const std::vector<std::string>& paths, std::ostream& out,
           std::ostream& err) {
  if (paths.empty()) {
    err << "yiwang kb import: give one or more files or folders (.txt .md .html .pdf)\n";
    return 2;
  }
  std::vector<std::string> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      for (const auto& e : fs::directory_iterator(p, ec)) {
        if (e.is_regular_file() && format_of_path(e.path().string()))
          files.push_back(e.path().string());
      }
    } else {
      files.push_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  int failed = 0;
  auto by = system_principal();
  for (const auto& f : files) {
    auto r = service.import_file(f, by);
    if (!r) {
      err << "yiwang kb import: " << r.error().message_en << " (" << r.error().message_zh << ")\n";
      ++failed;
      continue;
    }
    out << (r->second ? "imported " : "already present ") << r->first.id << "  "
        << r->first.passages << " passages  " << r->first.title << "  (" << f << ")\n";
  }
  return failed ? 1 : 0;
}

int eval(Service& service, const std::vector<std::string>& args, std::ostream& out,
         std::ostream& err) {
  if (args.size() != 1) {
    err << "yiwang kb eval: give one JSON-lines file of {\"q\": …, \"expect\": …}\n";
    return 2;
  }
  std::ifstream in(args[0]);
  if (!in) {
    err << "yiwang kb eval: cannot read " << args[0] << "\n";
    return 1;
  }
  std::stringstream buf;
  buf << in.rdbuf();
  auto cases = parse_eval_cases(buf.str());
  if (!cases) {
    err << "yiwang kb eval: " << cases.error().message_en << "\n";
    return 1;
  }
  auto r = service.evaluate(*cases);
  auto s = service.stats();
  for (const auto& m : r.misses) out << "miss: " << m << "\n";
  out << std::fixed << std::setprecision(3) << "questions " << r.questions << "  hit@1 "
      << (r.questions ? double(r.hit1) / r.questions : 0) << "  hit@3 "
      << (r.questions ? double(r.hit3) / r.questions : 0) << "  handoffs " << r.handoffs
      << "  latency p50 " << r.p50_ms << " ms  p99 " << r.p99_ms << " ms  (index: " << s.items
      << " items, " << s.documents << " documents, " << s.passages << " passages)\n";
  return 0;
}

}  // namespace

int run_kb_command(Service& service, const std::vector<std::string>& args, std::ostream& out,
                   std::ostream& err) {
  if (args.empty()) {
    err << "usage: yiwang kb import PATH… | yiwang kb eval FILE\n";
    return 2;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "import") return import(service, rest, out, err);
  if (args[0] == "eval") return eval(service, rest, out, err);
  err << "yiwang kb: unknown subcommand " << args[0] << " (import, eval)\n";
  return 2;
}

}  // namespace yiwang::assistant
