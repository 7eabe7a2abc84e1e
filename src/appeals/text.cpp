// Text rules of intake: matters the hotline must redirect (a table of data), UTF-8 checks and the
// similarity that merges repeated submissions.
#include <algorithm>
#include <array>
#include <cstdint>
#include <set>
#include <string>

#include "appeals/appeals.h"
#include "core/utf8.h"

namespace yiwang::appeals {
namespace {

// One rule: any keyword redirects to the channel. Emergencies come first: a caller describing a
// fire must be told to hang up and dial 119 before anything else is considered. Keywords are
// matched on the normalised text (see normalise), so they are written in normalised form.
struct RedirectRule {
  const char* rule;
  std::vector<const char*> keywords;
  const char* channel_zh;
  const char* channel_en;
  const char* message_zh;
  const char* message_en;
};

const std::vector<RedirectRule>& redirect_rules() {
  static const std::vector<RedirectRule> rules = {
      {"emergency_119",
       {"着火", "起火", "失火", "火灾", "冒烟起火", "煤气泄漏", "燃气泄漏", "被困电梯", "onfire"},
       "119 火警",
       "119 (fire and rescue)",
       "火灾、燃气泄漏、人员被困等紧急情况请立即拨打 119，12345 热线不受理紧急警情。",
       "Fires, gas leaks and people trapped are emergencies: call 119 now. The 12345 hotline does "
       "not take emergencies."},
      {"emergency_120",
       {"急救", "昏迷", "心脏骤停", "大出血", "呼吸困难", "晕倒", "救护车", "ambulance"},
       "120 急救",
       "120 (medical emergency)",
       "突发疾病、受伤等需要急救的情况请立即拨打 120，12345 热线不受理紧急警情。",
       "Medical emergencies: call 120 now. The 12345 hotline does not take emergencies."},
      {"emergency_110",
       {"抢劫", "打劫", "持刀", "杀人", "绑架", "正在打人", "正在盗窃", "callthepolice"},
       "110 报警",
       "110 (police)",
       "正在发生的违法犯罪等警情请立即拨打 110 报警，12345 热线不受理紧急警情。",
       "Crimes in progress and other police matters: call 110 now. The 12345 hotline does not "
       "take emergencies."},
      {"litigation",
       {"起诉", "诉讼", "上诉", "申请再审", "法院判决", "法院立案", "lawsuit"},
       "人民法院",
       "the people's courts",
       "涉及诉讼的事项请依法向人民法院提起诉讼或咨询，12345 "
       "热线不受理已进入或应通过诉讼程序解决的事项。",
       "Matters for litigation go to the people's courts; the 12345 hotline does not take them."},
      {"arbitration",
       {"仲裁", "arbitration"},
       "仲裁机构（劳动人事争议仲裁委员会、仲裁委员会）",
       "arbitration bodies (labour dispute arbitration committees, arbitration commissions)",
       "涉及仲裁的事项请向劳动人事争议仲裁委员会或仲裁委员会申请，12345 热线不受理。",
       "Matters for arbitration go to the labour dispute arbitration committee or the arbitration "
       "commission; the 12345 hotline does not take them."},
      {"reconsideration",
       {"行政复议", "administrativereconsideration"},
       "行政复议机关（县级以上人民政府）",
       "the administrative reconsideration body (the people's government at county level or above)",
       "申请行政复议请向行政复议机关（县级以上人民政府）提出，12345 热线不受理。",
       "Administrative reconsideration is applied for at the reconsideration body (the people's "
       "government at county level or above); the 12345 hotline does not take it."},
      {"petition",
       {"已信访", "已经信访", "信访件", "信访事项", "正在信访", "信访部门已", "信访局已", "上访"},
       "信访部门",
       "the letters and visits (信访) offices",
       "已进入信访程序的事项请通过信访渠道（信访部门）反映和查询办理进度，12345 热线不重复受理。",
       "Matters already in the letters and visits (信访) procedure are followed up there; the "
       "12345 hotline does not take them again."},
  };
  return rules;
}

// Code points of the normalised text.
std::vector<char32_t> normalised_points(std::string_view text) {
  std::vector<char32_t> out;
  std::size_t i = 0;
  while (i < text.size()) {
    auto cp = core::next_code_point(text, i);
    if (!cp) {
      ++i;  // callers validate first; a stray byte is skipped rather than trusted
      continue;
    }
    char32_t c = *cp;
    if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;  // full-width ASCII forms
    if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
    bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || core::is_han(c);
    if (keep) out.push_back(c);
  }
  return out;
}

std::set<std::u32string> grams(const std::vector<char32_t>& points) {
  std::set<std::u32string> out;
  if (points.size() == 1) out.insert(std::u32string(1, points[0]));
  for (std::size_t i = 0; i + 1 < points.size(); ++i) {
    out.insert(std::u32string{points[i], points[i + 1]});
  }
  return out;
}

}  // namespace

std::string normalise(std::string_view text) {
  std::string out;
  for (char32_t c : normalised_points(text)) core::append_utf8(out, c);
  return out;
}

double similarity(std::string_view a, std::string_view b) {
  auto ga = grams(normalised_points(a));
  auto gb = grams(normalised_points(b));
  if (ga.empty() && gb.empty()) return 0;
  std::size_t common = 0;
  for (const auto& g : ga) common += gb.count(g);
  const std::size_t together = ga.size() + gb.size() - common;
  return static_cast<double>(common) / static_cast<double>(together);
}

std::optional<Redirect> find_redirect(std::string_view text) {
  const std::string norm = normalise(text);
  for (const auto& r : redirect_rules()) {
    for (const char* k : r.keywords) {
      if (norm.find(k) != std::string::npos) {
        return Redirect{r.rule, k, r.channel_zh, r.channel_en, r.message_zh, r.message_en};
      }
    }
  }
  return std::nullopt;
}

}  // namespace yiwang::appeals
