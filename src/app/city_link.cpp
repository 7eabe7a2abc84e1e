#include "app/city_link.h"

#include <array>
#include <utility>

#include "appeals/appeals.h"
#include "core/utf8.h"
#include "events/events.h"
#include "grid/grid.h"

namespace yiwang::app {
namespace {

// Keywords → event class (data/grid/classes.tsv), most specific first.
constexpr std::array<std::pair<const char*, const char*>, 21> kClassKeywords = {{
    {"渣土", "0102"},     {"垃圾", "0101"}, {"小广告", "0201"},   {"广告", "0202"},
    {"违法建设", "0304"}, {"违建", "0304"}, {"施工", "0301"},     {"噪音", "0301"},
    {"塌陷", "0401"},     {"水管", "0402"}, {"井盖", "0404"},     {"下水道", "0404"},
    {"积水", "0405"},     {"游商", "0501"}, {"占道经营", "0502"}, {"店外经营", "0502"},
    {"乱停", "0504"},     {"违停", "0504"}, {"烧烤", "0506"},     {"路面", "0103"},
    {"脏", "0103"},
}};

std::string excerpt(const std::string& text, std::size_t max_chars) {
  const auto points = core::decode_utf8(text);
  if (points.size() <= max_chars) return text;
  std::string out;
  for (std::size_t i = 0; i < max_chars; ++i) core::append_utf8(out, points[i]);
  return out;
}

}  // namespace

std::string grid_class_for(const std::string& text) {
  for (const auto& [word, code] : kClassKeywords) {
    if (text.find(word) != std::string::npos) return code;
  }
  return "0601";
}

struct CityLink::State {
  appeals::Service& appeals;
  grid::Service& grid;
  core::WorkingCalendar calendar = core::WorkingCalendar::china_2026();
  std::unique_ptr<events::Follower> follower;

  Status on_dispatched(store::Tx& tx, const events::Event& e) {
    auto a = appeals::find(tx, e.subject_id);
    if (!a || a->dept_id != grid.options().center_dept_id || !a->linked_ref.empty()) return {};
    if (!a->lon || !a->lat) return {};
    grid::NewReport r;
    r.source = grid::Source::hotline_12345;
    r.kind = grid::ClassKind::event;
    r.class_code = grid_class_for(a->title + "\n" + a->text);
    r.description = excerpt("【12345 " + a->id + "】" + a->title + "：" + a->text, 2000);
    r.location = grid::Point{*a->lon, *a->lat};
    r.external_ref = a->id;
    auto event = grid.report(tx, calendar, r, nullptr);
    // Outside the district, or a class the centre removed: the centre handles the appeal itself.
    if (!event) return event.error().code == ErrorCode::internal ? fail(event.error()) : Status{};
    return appeals.link(tx, a->id, event->id);
  }

  Status on_case_closed(store::Tx& tx, const events::Event& e) {
    auto g = grid.find(tx, e.subject_id);
    if (!g || g->source != grid::Source::hotline_12345 || g->external_ref.empty()) return {};
    std::string reply = "您好！您反映的问题已转城市运行管理中心立案（案件编号 " + g->id + "）";
    if (!g->dept_id.empty()) reply += "，由承办部门处置";
    if (!g->feedback.empty()) reply += "：" + g->feedback;
    reply += "。经监督员现场核查合格，已办结。如仍有问题，请再次拨打 12345 反映。";
    auto answered = appeals.answer_linked(tx, g->external_ref, reply);
    // An appeal answered by hand in the meantime keeps its answer.
    if (!answered && answered.error().code == ErrorCode::internal) return answered;
    return {};
  }
};

CityLink::CityLink(store::Store& store, appeals::Service& appeals, grid::Service& grid)
    : state_(std::make_unique<State>(State{appeals, grid, {}, nullptr})) {
  State& s = *state_;
  state_->follower = std::make_unique<events::Follower>(
      store, "app.city_link", [&s](store::Tx& tx, const events::Event& e) -> Status {
        if (e.type == "appeal.dispatched" || e.type == "appeal.arbitrated") {
          return s.on_dispatched(tx, e);
        }
        if (e.type == "grid.case_closed") return s.on_case_closed(tx, e);
        return {};
      });
}

CityLink::~CityLink() = default;

Result<int> CityLink::poll_once() {
  // The handlers run inside the follower's transaction, so the calendar is read before it.
  auto calendar = state_->grid.calendar();
  if (!calendar) return fail(calendar.error());
  state_->calendar = std::move(*calendar);
  return state_->follower->poll_once();
}

}  // namespace yiwang::app
