// Names, parsing and text helpers of participation, shared by the service and the routes.
#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>

#include "core/names.h"
#include "core/text_check.h"
#include "core/utf8.h"
#include "participation/internal.h"

namespace yiwang::participation {

namespace {

constexpr auto kConsultationStates =
    core::enum_names<ConsultationState>("draft", "open", "closed", "concluded");
constexpr auto kSurveyStates = core::enum_names<SurveyState>("draft", "open", "closed");
constexpr auto kKinds = core::enum_names<QuestionKind>("single", "multiple", "scale", "text");

struct Reason {
  std::string_view code, zh, en;
};

// The one place conflict messages are written: `reason_code` reads them back.
constexpr std::array<Reason, 8> kReasons = {{
    {"closed", "征集或调查已截止", "this consultation or survey is closed"},
    {"not_open", "尚未开始征集", "not open yet"},
    {"not_closed", "征集截止后才能处理意见", "comments are decided after the deadline"},
    {"not_draft", "已发布，不能再次发布", "already published"},
    {"concluded", "征集已办结，反馈已公布", "already concluded; the feedback is published"},
    {"undecided", "仍有意见未作处理，请先逐条作出采纳决定",
     "every comment needs a decision before concluding"},
    {"already_responded", "您已提交过本调查的答卷", "you have already responded to this survey"},
    {"duplicate", "您已就该条提交过相同的意见", "you already sent this comment on this clause"},
}};

}  // namespace

std::string_view to_string(ConsultationState s) {
  return kConsultationStates.name(s);
}
std::string_view to_string(SurveyState s) {
  return kSurveyStates.name(s);
}
std::string_view to_string(QuestionKind k) {
  return kKinds.name(k);
}
std::optional<ConsultationState> parse_consultation_state(std::string_view s) {
  return kConsultationStates.parse(s);
}
std::optional<SurveyState> parse_survey_state(std::string_view s) {
  return kSurveyStates.parse(s);
}
std::optional<QuestionKind> parse_question_kind(std::string_view s) {
  return kKinds.parse(s);
}

tl::unexpected<Error> conflict(std::string_view code, std::string field) {
  for (const auto& r : kReasons) {
    if (r.code == code) {
      return fail(ErrorCode::conflict, std::move(field), std::string(r.zh), std::string(r.en));
    }
  }
  throw std::logic_error("participation: unknown conflict reason");
}

std::string_view reason_code(const Error& e) {
  if (e.code != ErrorCode::conflict) return "";
  for (const auto& r : kReasons) {
    if (r.en == e.message_en) return r.code;
  }
  return "";
}

tl::unexpected<Error> bad(std::string field, std::string zh, std::string en) {
  return fail(ErrorCode::invalid_input, std::move(field), std::move(zh), std::move(en));
}

Status check_text(std::string_view value, const std::string& field, std::size_t min,
                  std::size_t max, bool multiline, std::string_view zh_name,
                  std::string_view en_name) {
  return core::check_text(value, field, {min, max, multiline, zh_name, en_name});
}

std::string pointer_token(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<core::Millis> parse_instant(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.fff…](Z|±HH:MM)
  auto digits = [&](std::size_t at, std::size_t n, int& out) {
    if (at + n > s.size()) return false;
    out = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  int y, mo, d, h, mi, sec;
  if (!digits(0, 4, y) || s.size() < 20 || s[4] != '-' || !digits(5, 2, mo) || s[7] != '-' ||
      !digits(8, 2, d) || (s[10] != 'T' && s[10] != 't') || !digits(11, 2, h) || s[13] != ':' ||
      !digits(14, 2, mi) || s[16] != ':' || !digits(17, 2, sec)) {
    return std::nullopt;
  }
  using namespace std::chrono;
  year_month_day date{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!date.ok() || h > 23 || mi > 59 || sec > 59) return std::nullopt;
  std::size_t i = 19;
  core::Millis ms = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    std::size_t start = i;
    int scale = 100;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      ms += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i == start) return std::nullopt;
  }
  core::Millis offset = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int oh, om;
    if (!digits(i + 1, 2, oh) || i + 3 >= s.size() || s[i + 3] != ':' || !digits(i + 4, 2, om) ||
        oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset = (oh * 60LL + om) * 60'000LL * (s[i] == '+' ? 1 : -1);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  core::Millis days = sys_days(date).time_since_epoch().count();
  return days * core::kDayMs + ((h * 60LL + mi) * 60 + sec) * 1000 + ms - offset;
}

}  // namespace yiwang::participation
