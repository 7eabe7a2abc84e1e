#include "identity/password_policy.h"

#include <pwquality.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "core/thread_annotations.h"

namespace yiwang::identity {
namespace {

struct SettingsFree {
  void operator()(pwquality_settings_t* s) const { pwquality_free_settings(s); }
};

// One settings object, built once and only read after; cracklib's checks run one at a time (its
// dictionary reader is not documented as reentrant, and new passwords are rare).
class Policy {
 public:
  Policy() : settings_(pwquality_default_settings()) {
    if (!settings_) throw std::runtime_error("pwquality: out of memory");
    // No configuration file: the same rules on every machine. pwquality's own minimum length is
    // 6 (the lowest it takes); the 8-character rule is counted in characters before it runs.
    for (auto [setting, value] : {std::pair{PWQ_SETTING_MIN_LENGTH, 6},
                                  {PWQ_SETTING_DICT_CHECK, 1},
                                  {PWQ_SETTING_USER_CHECK, 1},
                                  {PWQ_SETTING_GECOS_CHECK, 0},
                                  {PWQ_SETTING_LOCAL_USERS, 0}}) {
      if (pwquality_set_int_value(settings_.get(), setting, value) != 0) {
        throw std::runtime_error("pwquality: cannot set option " + std::to_string(setting));
      }
    }
  }

  Status check(const std::string& username, const std::string& password) {
    void* aux = nullptr;
    int score = 0;
    char reason[PWQ_MAX_ERROR_MESSAGE_LEN];
    {
      core::MutexLock lock(mu_);
      score = pwquality_check(settings_.get(), password.c_str(), nullptr, username.c_str(), &aux);
      if (score >= 0) return {};
      pwquality_strerror(reason, sizeof reason, score, aux);  // frees aux
    }
    const std::string why = reason;
    if (score == PWQ_ERROR_CRACKLIB_CHECK && why.find("error loading dictionary") != why.npos) {
      return fail(ErrorCode::internal, "", "口令字典无法读取，请联系管理员",
                  "the password dictionary cannot be read (install cracklib-runtime): " + why);
    }
    if (score == PWQ_ERROR_USER_CHECK) {
      return fail(ErrorCode::invalid_input, "/password", "密码不得包含用户名",
                  "the password must not contain the user name");
    }
    return fail(ErrorCode::invalid_input, "/password",
                "密码过于简单：不能是常见密码、字典词或规律序列，请换一个",
                "the password is too weak: " + why);
  }

 private:
  std::unique_ptr<pwquality_settings_t, SettingsFree> settings_;
  core::Mutex mu_;
};

}  // namespace

Status check_password(std::string_view username, std::string_view password) {
  if (password.find('\0') != std::string_view::npos) {
    return fail(ErrorCode::invalid_input, "/password", "密码不能含有空字符",
                "the password must not contain a NUL character");
  }
  static Policy policy;
  return policy.check(std::string(username), std::string(password));
}

}  // namespace yiwang::identity
