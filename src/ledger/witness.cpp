#include "ledger/witness.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace yiwang::ledger {
namespace {

tl::unexpected<Error> key_error(std::string zh, std::string en) {
  return fail(ErrorCode::invalid_input, "key", std::move(zh), std::move(en));
}

}  // namespace

Result<SignerKey> load_or_create_witness_key(const std::string& path, const std::string& name,
                                             bool* created) {
  if (created) *created = false;
  if (std::filesystem::exists(path)) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    if (!in && !in.eof())
      return key_error("无法读取密钥文件 " + path, "cannot read key file " + path);
    std::string text = ss.str();
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    auto key = parse_signer_key(text);
    if (!key) return key_error("密钥文件格式错误：" + path, "malformed key file " + path);
    if (key->kind != KeyKind::cosignature_v1)
      return key_error("密钥文件不是 cosignature/v1 见证密钥：" + path,
                       "key file " + path + " does not hold a cosignature/v1 witness key");
    if (!name.empty() && key->name != name)
      return key_error("密钥名称 " + key->name + " 与 --name " + name + " 不符",
                       "key file " + path + " is for " + key->name + ", not " + name);
    return key;
  }
  if (name.empty()) return key_error("首次运行须提供 --name", "--name is needed to create a key");
  SignerKey key = generate_key(name, KeyKind::cosignature_v1);
  std::filesystem::path p(path);
  std::error_code ec;
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
  // O_EXCL: two witnesses started at once must not overwrite each other's fresh key.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return key_error("无法创建密钥文件 " + path, "cannot create key file " + path);
  std::string line = format_signer_key(key) + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ok = ::fsync(fd) == 0 && ok;
  ::close(fd);
  if (!ok) return key_error("无法写入密钥文件 " + path, "cannot write key file " + path);
  if (created) *created = true;
  return key;
}

Witness::Witness(WitnessOptions options, const core::Clock& clock)
    : options_(std::move(options)), clock_(clock) {
  if (options_.state_file.empty()) options_.state_file = options_.key_file + ".state";
  auto key = load_or_create_witness_key(options_.key_file, options_.name, &key_created_);
  if (!key) throw std::runtime_error(key.error().message_en);
  key_ = std::move(*key);
  verifier_key_ = ledger::verifier_key(key_);
  auto own = parse_verifier_key(verifier_key_);
  if (!own) throw std::runtime_error("cannot parse our own verifier key");
  own_verifier_ = *own;
  auto log = parse_verifier_key(options_.log_key);
  if (!log) throw std::runtime_error("malformed --log-key: " + options_.log_key);
  log_verifier_ = *log;
  if (log_verifier_.kind != KeyKind::ed25519)
    throw std::runtime_error("--log-key must be an Ed25519 note verifier key");
}

Result<RoundResult> Witness::round() {
  auto endpoint = parse_url(options_.url);
  if (!endpoint) return fail(endpoint.error());
  LedgerClient log(*endpoint);
  auto note_text = log.checkpoint_note();
  if (!note_text) return fail(note_text.error());
  auto note = parse_note(*note_text);
  if (!note)
    return fail(ErrorCode::invalid_input, "signature", "检查点不是有效的签名文档",
                "the checkpoint is not a signed note");
  if (auto ok = verify_note(*note_text, log_verifier_); !ok)
    return fail(ErrorCode::invalid_input, "signature", "检查点签名无效：" + ok.error().message_zh,
                "signature: the checkpoint is not validly signed by " + log_verifier_.name + ": " +
                    ok.error().message_en);
  auto checkpoint = parse_checkpoint_body(note->text);
  if (!checkpoint)
    return fail(ErrorCode::invalid_input, "signature", "检查点正文格式错误",
                "malformed checkpoint body");

  RoundResult result;
  result.checkpoint = *checkpoint;
  auto state = load_state(options_.state_file);
  if (!state) return fail(state.error());
  if (*state) {
    if ((*state)->verifier_key != options_.log_key)
      return fail(ErrorCode::invalid_input, "key", "账本公钥与本见证此前见证的不同",
                  "key changed: " + options_.state_file + " was cosigned for log key " +
                      (*state)->verifier_key);
    result.previous_size = (*state)->checkpoint.size;
    if (auto ok = check_consistency(log, (*state)->checkpoint, *checkpoint); !ok)
      return fail(ok.error());
  }
  // Our cosignature already attached (e.g. the log kept it from a previous round): nothing to do.
  if (verify_note(*note_text, own_verifier_)) {
    result.outcome = RoundResult::Outcome::already_cosigned;
    if (!*state || (*state)->checkpoint.size != checkpoint->size) {
      if (auto ok = save_state(options_.state_file, TrustState{options_.log_key, *checkpoint}); !ok)
        return fail(ok.error());
    }
    return result;
  }
  // Commit to this checkpoint before the signature leaves the process.
  if (auto ok = save_state(options_.state_file, TrustState{options_.log_key, *checkpoint}); !ok)
    return fail(ok.error());
  std::int64_t now_s = clock_.now_ms() / 1000;
  std::string line = cosignature_line(note->text, key_, now_s);
  if (auto ok = log.post_cosignature(add_signature_line(*note_text, line)); !ok)
    return fail(ok.error());
  result.outcome = RoundResult::Outcome::cosigned;
  return result;
}

int Witness::run(std::ostream& out, std::ostream& err, const std::atomic<bool>& stop, bool once) {
  int status = 0;
  while (true) {
    auto r = round();
    if (r) {
      status = 0;
      out << (r->outcome == RoundResult::Outcome::cosigned ? "cosigned " : "already cosigned ")
          << r->checkpoint.origin << " size " << r->checkpoint.size << " root "
          << to_base64(r->checkpoint.root);
      if (r->previous_size >= 0) out << " (consistent with size " << r->previous_size << ")";
      out << std::endl;
    } else {
      const auto& e = r.error();
      bool alarm = e.field == "rollback" || e.field == "fork" || e.field == "signature" ||
                   e.field == "key" || e.field == "origin";
      status = 1;
      if (alarm) {
        err << "!!! WITNESS REFUSES TO COSIGN / 见证方拒绝签名 !!!\n";
        err << "!!! " << e.message_en << "\n!!! " << e.message_zh << std::endl;
      } else {
        err << "witness: " << e.message_en << " (" << e.message_zh << "); will retry" << std::endl;
      }
    }
    if (once) return status;
    for (auto waited = std::chrono::seconds(0); waited < options_.interval;
         waited += std::chrono::seconds(1)) {
      if (stop.load()) return status;
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    if (stop.load()) return status;
  }
}

}  // namespace yiwang::ledger
