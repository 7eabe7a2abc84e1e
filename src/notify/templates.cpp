// The notices' texts, one row per event type that is news to the person a matter is about.
// "{id}" stands for the matter's id. Chinese first (the platform's language), English beside it.
#include <array>
#include <string_view>

#include "events/events.h"
#include "notify/notify.h"

namespace yiwang::notify {
namespace {

struct Template {
  std::string_view type;
  std::string_view subject_type;
  std::string_view title_zh, body_zh;
  std::string_view title_en, body_en;
};

constexpr std::array<Template, 27> kTemplates = {{
    // 一网通办: the applicant's case.
    {"case.submitted", "case", "申请已提交", "您的申请 {id} 已由窗口代为提交，等待受理。",
     "Application submitted",
     "Your application {id} was filed for you at a service window and awaits acceptance."},
    {"case.accepted", "case", "申请已受理", "您的申请 {id} 已受理，办理时限自今日起算。",
     "Application accepted", "Your application {id} was accepted; the time limit runs from today."},
    {"case.not_accepted", "case", "申请不予受理", "您的申请 {id} 不予受理，理由见办件详情。",
     "Application not accepted",
     "Your application {id} was not accepted; the reason is on the application's page."},
    {"case.correction_requested", "case", "请补正材料",
     "您的申请 {id} 需要补正材料，请在办件详情中查看并重新提交。",
     "Please correct your application",
     "Your application {id} needs corrected materials: see the application's page and resubmit."},
    {"case.instantly_approved", "case", "申请已秒批通过",
     "您的申请 {id} 符合自动审批条件，已即时批准。", "Application approved instantly",
     "Your application {id} met the automatic approval rules and was approved at once."},
    {"case.granted", "case", "申请已批准", "您的申请 {id} 已批准，办结后可领取结果。",
     "Application granted",
     "Your application {id} was granted; the result follows when it is completed."},
    {"case.denied", "case", "申请未获批准", "您的申请 {id} 未获批准，理由见办件详情。",
     "Application denied",
     "Your application {id} was denied; the reason is on the application's page."},
    {"case.completed", "case", "申请已办结",
     "您的申请 {id} 已办结。电子证照签发后会出现在“我的证照”中。", "Application completed",
     "Your application {id} is completed. An electronic certificate, once issued, appears in your "
     "wallet."},
    {"case.suspended", "case", "办理已中止",
     "您的申请 {id} 因需补充程序（如检验、听证）暂停计时，恢复后会再通知您。", "Application paused",
     "The clock of your application {id} is paused for an extra procedure (e.g. an inspection); "
     "you will be told when it resumes."},
    {"case.resumed", "case", "办理已恢复", "您的申请 {id} 已恢复办理，继续计时。",
     "Application resumed", "Your application {id} is being handled again; the clock runs on."},
    // 12345: the appellant's appeal.
    {"appeal.dispatched", "appeal", "诉求已转办", "您的诉求 {id} 已转交承办部门办理。",
     "Appeal forwarded", "Your appeal {id} was forwarded to the department that handles it."},
    {"appeal.arbitrated", "appeal", "诉求已转办", "您的诉求 {id} 已由热线协调后转交承办部门办理。",
     "Appeal forwarded",
     "Your appeal {id} was assigned to the handling department by the hotline."},
    {"appeal.received", "appeal", "诉求已签收", "承办部门已签收您的诉求 {id}，正在办理。",
     "Appeal received", "The handling department received your appeal {id} and is working on it."},
    {"appeal.replied", "appeal", "诉求已答复", "您的诉求 {id} 已答复，请在“我的诉求”中查看。",
     "Appeal answered", "Your appeal {id} was answered: see it under My appeals."},
    {"appeal.closed", "appeal", "诉求已办结", "您的诉求 {id} 已办结，欢迎评价办理结果。",
     "Appeal closed", "Your appeal {id} is closed; you are welcome to rate how it was handled."},
    {"appeal.linked", "appeal", "诉求已转城市运行管理中心",
     "您的诉求 {id} 已转城市运行管理中心立案处置。", "Appeal passed to city operations",
     "Your appeal {id} was passed to the city operations centre to be handled on the spot."},
    // 电子证照: the holder's certificates.
    {"certificate.issued", "certificate", "电子证照已签发",
     "一份电子证照已签发给您，可在“我的证照”中查看和出示。", "Certificate issued",
     "An electronic certificate was issued to you: see and present it in your wallet."},
    {"certificate.suspended", "certificate", "电子证照已暂停",
     "您的一份电子证照已被发证部门暂停使用。", "Certificate suspended",
     "One of your electronic certificates was suspended by the issuing department."},
    {"certificate.revoked", "certificate", "电子证照已撤销", "您的一份电子证照已被发证部门撤销。",
     "Certificate revoked",
     "One of your electronic certificates was revoked by the issuing department."},
    {"certificate.reinstated", "certificate", "电子证照已恢复", "您的一份电子证照已恢复有效。",
     "Certificate reinstated", "One of your electronic certificates is valid again."},
    {"certificate.expired", "certificate", "电子证照已过期",
     "您的一份电子证照已过有效期，如需继续使用请申请换领。", "Certificate expired",
     "One of your electronic certificates has expired; apply for a new one if you still need it."},
    // 一网统管: a citizen's report.
    {"grid.accepted", "grid_event", "您的报告已受理", "您报告的问题 {id} 已受理，正在核实立案。",
     "Report accepted", "The problem you reported ({id}) was accepted and is being checked."},
    {"grid.rejected", "grid_event", "您的报告未受理",
     "您报告的问题 {id} 未受理（如重复或不属于城市管理范围）。", "Report not accepted",
     "The problem you reported ({id}) was not accepted (e.g. a duplicate, or not a city matter)."},
    {"grid.dispatched", "grid_event", "已派遣处置", "您报告的问题 {id} 已立案并派遣给处置部门。",
     "Sent to be fixed",
     "The problem you reported ({id}) was registered and sent to the department that fixes it."},
    {"grid.fed_back", "grid_event", "已处置，待核查",
     "您报告的问题 {id} 已处置，监督员将到现场核查。", "Fixed, to be checked",
     "The problem you reported ({id}) was dealt with; an inspector will check it on the spot."},
    {"grid.reworked", "grid_event", "核查未通过，重新处置",
     "您报告的问题 {id} 经核查未处置到位，已退回重新处置。", "Sent back to be fixed again",
     "The problem you reported ({id}) was not fixed well enough and was sent back."},
    {"grid.case_closed", "grid_event", "您的报告已结案",
     "您报告的问题 {id} 已处置并核查合格，已结案。感谢您的参与！", "Report closed",
     "The problem you reported ({id}) was fixed and checked on the spot. Thank you for reporting "
     "it!"},
}};

std::string fill(std::string_view text, std::string_view id) {
  std::string out(text);
  for (auto at = out.find("{id}"); at != std::string::npos; at = out.find("{id}", at + id.size())) {
    out.replace(at, 4, id);
  }
  return out;
}

}  // namespace

std::optional<Notice> notice_for(const events::Event& e) {
  for (const Template& t : kTemplates) {
    if (t.type != e.type || t.subject_type != e.subject_type) continue;
    return Notice{std::string(t.type),
                  std::string(t.title_zh),
                  fill(t.body_zh, e.subject_id),
                  std::string(t.title_en),
                  fill(t.body_en, e.subject_id),
                  e.subject_type,
                  e.subject_id};
  }
  return std::nullopt;
}

std::vector<std::string> notified_types() {
  std::vector<std::string> out;
  for (const Template& t : kTemplates) out.emplace_back(t.type);
  return out;
}

}  // namespace yiwang::notify
