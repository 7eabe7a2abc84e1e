// Answering: questions (with follow-ups on the previous answer's context), recommendations by
// life event or question, and the life events. Extractive only: nothing is generated.
#include <algorithm>

#include "assistant/internal.h"
#include "assistant/text.h"
#include "core/utf8.h"

namespace yiwang::assistant {
using namespace detail;

namespace {

// An item whose name a synonym mapping gives is likely, but the citizen's words still rank.
constexpr double kSynonymNameConfidence = 0.8;

const char* section_title_zh(const std::string& key) {
  static const std::map<std::string, const char*> names = {
      {"conditions", "受理条件"}, {"materials", "申请材料"},
      {"time_limit", "办理时限"}, {"fee", "收费"},
      {"place", "办理地点"},      {"hours", "办理时间"},
      {"phone", "咨询电话"},      {"procedure", "办理流程"},
      {"online", "网上办理"},     {"faq", "常见问题"}};
  auto it = names.find(key);
  return it == names.end() ? "" : it->second;
}

// The question's checks (length, text, blocked phrases, context kind); its normalized text.
Result<std::string> check_question(const Lexicon& lexicon, const Question& q) {
  if (q.question.size() > kMaxQuestionChars * 4 ||
      core::utf8_length(q.question) > kMaxQuestionChars) {
    return fail(ErrorCode::too_large, "/question",
                "问题太长，请不超过" + std::to_string(kMaxQuestionChars) + "个字",
                "the question is longer than " + std::to_string(kMaxQuestionChars) + " characters");
  }
  if (!text::valid_utf8(q.question) || text::has_controls(q.question)) {
    return fail(ErrorCode::invalid_input, "/question", "问题含有无法识别的字符",
                "the question is not valid text (binary or invalid UTF-8)");
  }
  std::string normalized = text::normalize(q.question);
  bool has_text = false;
  for (char32_t c : text::decode(normalized)) {
    has_text = has_text || core::is_han(c) || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z');
  }
  if (!has_text) {
    return fail(ErrorCode::invalid_input, "/question", "请输入您的问题", "the question is empty");
  }
  auto kind = blocked_kind(lexicon, normalized);
  if (kind == "injection") {
    return fail(ErrorCode::invalid_input, "/question",
                "问题中含有指令性内容，请直接描述您要办理的事情",
                "the question contains instructions to the assistant; please ask about a service");
  }
  if (kind == "abuse") {
    return fail(ErrorCode::invalid_input, "/question", "请文明用语，直接描述您要办理的事情",
                "please ask politely about the service you need");
  }
  if (q.context && q.context->kind != "item" && q.context->kind != "document") {
    return fail(ErrorCode::invalid_input, "/context/kind", "context.kind 应为 item 或 document",
                "context.kind must be item or document");
  }
  return normalized;
}

}  // namespace

// ---- Answers ----------------------------------------------------------------------------------

Source Service::Impl::item_source(const catalog::Item& item, const std::string& intent,
                                  double score) const {
  Source s;
  s.kind = "item";
  s.ref = item.code;
  s.title = item.name;
  s.link = item_link(options, item.code);
  s.score = score;
  std::string snippet;
  for (const auto& [key, body] : item_sections(item)) {
    if (key == (intent.empty() ? "conditions" : intent)) {
      snippet = body;
      break;
    }
  }
  if (snippet.empty()) snippet = item.acceptance_conditions;
  s.snippet = text::clip(text::trim(snippet), 120);
  return s;
}

std::string Service::Impl::compose_item(const catalog::Item& item, const std::string& intent,
                                        const Plan& p) const {
  std::string out = "【" + item.name + "】\n";
  auto sections = item_sections(item);
  // An FAQ whose question the citizen asked almost word for word answers first.
  std::string faq;
  double best_faq = 0;
  for (const auto& f : item.faqs) {
    double c = overlap(p.topic_terms, term_set(f.question));
    if (c > best_faq && c >= 0.6) {
      best_faq = c;
      faq = "常见问题：" + f.question + "\n答：" + f.answer + "\n";
    }
  }
  auto section = [&](const std::string& key) -> std::string {
    for (const auto& [k, body] : sections)
      if (k == key)
        return std::string(section_title_zh(k)) + "：" + (k == "materials" ? "\n" : "") + body +
               (k == "materials" ? "" : "\n");
    return "";
  };
  if (intent.empty() || intent == "conditions" || intent == "procedure") {
    out += faq;
    if (!intent.empty())
      out += section(intent);
    else {
      out += section("conditions");
      out += section("materials");
      out += section("time_limit");
    }
  } else {
    out += section(intent);
    if (intent == "materials") out += section("time_limit");
    if (intent == "place") out += section("hours");
    if (intent == "hours") out += section("place");
    out += faq;
  }
  out += "网上申请：" + item_link(options, item.code) + "\n";
  return out;
}

std::string Service::Impl::compose_passage(const StoredPassage& sp, const Plan& p,
                                           std::string* snippet) const {
  auto sents = text::sentences(sp.passage.text);
  std::vector<std::string> wanted = p.topic_terms;
  for (const auto& e : p.expansion_terms) wanted.insert(wanted.end(), e.begin(), e.end());
  std::vector<std::pair<double, std::size_t>> scored;
  for (std::size_t i = 0; i < sents.size(); ++i) {
    auto have = term_set(sents[i]);
    double s = 0;
    for (const auto& w : wanted) s += have.count(w);
    scored.emplace_back(s, i);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](auto& a, auto& b) { return a.first > b.first; });
  std::vector<std::size_t> keep;
  for (std::size_t k = 0; k < scored.size() && keep.size() < 2; ++k) {
    if (scored[k].first > 0 || keep.empty()) keep.push_back(scored[k].second);
  }
  std::sort(keep.begin(), keep.end());
  std::string quote;
  for (auto i : keep) quote += sents[i];
  if (snippet) *snippet = text::clip(quote, 120);
  std::string where = "《" + sp.title + "》";
  if (!sp.passage.section.empty()) where += "（" + sp.passage.section + "）";
  return "根据" + where + "：\n" + quote + "\n";
}

Source Service::Impl::passage_source(const std::string& key, const StoredPassage& sp, const Plan& p,
                                     double score) const {
  Source s;
  s.kind = "document";
  s.ref = key;
  s.title = sp.title + (sp.passage.section.empty() ? "" : " · " + sp.passage.section);
  compose_passage(sp, p, &s.snippet);
  s.score = score;
  return s;
}

Answer Service::Impl::handoff(Answer a, const std::string& why_zh,
                              const std::string& why_en) const {
  a.handoff = true;
  Handoff h;
  h.note_zh = why_zh;
  h.note_en = why_en;
  a.handoff_contact = h;
  std::string guess = a.answer;
  a.answer = why_zh + "如需人工帮助，请拨打" + h.name + "（" + h.phone +
             "），工作人员会为您解答。" +
             (a.sources.empty() ? "" : "\n以下内容可能相关，仅供参考：\n" + guess);
  return a;
}

Answer Service::Impl::answer_item(const catalog::Item& item, const std::string& intent,
                                  const Plan& p, double confidence) const {
  Answer a;
  a.answer = compose_item(item, intent, p);
  a.intent = intent;
  a.confidence = confidence;
  a.sources.push_back(item_source(item, intent, confidence));
  a.context = Context{"item", item.code};
  return a;
}

Result<Answer> Service::Impl::ask(const Question& q) const {
  auto normalized = check_question(lexicon, q);
  if (!normalized) return fail(normalized.error());

  core::MutexLock lock(mu);
  Plan p = plan(*normalized);
  const std::string& intent = p.rw.intent;

  if (!p.recognised_code.empty()) {
    const auto& item = items.at(p.recognised_code);
    Answer a = answer_item(item, intent, p, p.by_code ? 0.99 : 0.95);
    for (const auto& h : search(p)) {
      if (a.sources.size() >= 3) break;
      add_source(a, h, p);
    }
    return a;
  }

  // A follow-up names no topic of its own: "需要带什么材料？", "在哪里办？".
  bool no_topic = p.topic_terms.empty() && p.rw.expansions.empty();
  if (q.context && (no_topic || (!intent.empty() && core::utf8_length(p.rw.topic) <= 2))) {
    if (auto a = answer_follow_up(*q.context, p)) return std::move(*a);
  }
  if (no_topic) {
    Answer a;
    return handoff(a, "请说明您要办理的具体事项，例如“开饭馆要办什么证”。",
                   "please name the service you are asking about");
  }
  return answer_search(p);
}

// The answer from what the previous answer was about; nullopt when it is no longer indexed.
std::optional<Answer> Service::Impl::answer_follow_up(const Context& context, const Plan& p) const {
  if (context.kind == "item") {
    auto it = items.find(context.ref);
    if (it != items.end()) {
      Answer a = answer_item(it->second, p.rw.intent, p, 0.9);
      a.follow_up = true;
      return a;
    }
  } else {
    auto pit = passages.find(context.ref);
    if (pit != passages.end()) {
      Answer a;
      a.answer = compose_passage(pit->second, p, nullptr);
      a.sources.push_back(passage_source(pit->first, pit->second, p, 0.8));
      a.confidence = 0.8;
      a.follow_up = true;
      a.context = context;
      return a;
    }
  }
  return std::nullopt;
}

// The answer from the best search hit, handed off below the confidence threshold.
Answer Service::Impl::answer_search(const Plan& p) const {
  const std::string& intent = p.rw.intent;
  auto hits = search(p);
  if (hits.empty()) {
    return handoff(Answer{}, "抱歉，知识库中没有找到与您的问题相关的内容。",
                   "nothing in the knowledge base matches the question");
  }
  const Hit& top = hits.front();
  double confidence = std::min(0.95, 0.15 + 0.8 * top.coverage);
  if (top.key[0] == 'I' && p.named_by_synonym.count(top.key.substr(1))) {
    confidence = std::max(confidence, kSynonymNameConfidence);
  }
  Answer a;
  a.intent = intent;
  a.confidence = confidence;
  if (top.key[0] == 'I') {
    const auto& item = items.at(top.key.substr(1));
    a = answer_item(item, intent, p, confidence);
  } else {
    const auto& sp = passages.at(top.key.substr(1));
    a.answer = compose_passage(sp, p, nullptr);
    a.sources.push_back(passage_source(top.key.substr(1), sp, p, confidence));
    a.context = Context{"document", top.key.substr(1)};
  }
  for (std::size_t i = 1; i < hits.size() && a.sources.size() < 3; ++i) add_source(a, hits[i], p);
  if (confidence < options.handoff_below) {
    return handoff(std::move(a), "抱歉，这个问题我没有把握回答准确。",
                   "the assistant is not confident about this answer");
  }
  return a;
}

void Service::Impl::add_source(Answer& a, const Hit& h, const Plan& p) const {
  std::string ref = h.key.substr(1);
  for (const auto& s : a.sources)
    if (s.ref == ref) return;
  double score = std::min(0.95, 0.15 + 0.8 * h.coverage);
  if (h.key[0] == 'I') {
    auto it = items.find(ref);
    if (it != items.end()) a.sources.push_back(item_source(it->second, a.intent, score));
  } else {
    auto it = passages.find(ref);
    if (it != passages.end()) a.sources.push_back(passage_source(ref, it->second, p, score));
  }
}

// ---- Service ----------------------------------------------------------------------------------

Result<Answer> Service::ask(const Question& question) {
  return impl_->ask(question);
}

std::vector<LifeEvent> Service::life_events() const {
  std::vector<LifeEvent> out;
  for (const auto& b : impl_->lexicon.bundles) out.push_back(b.event);
  return out;
}

Result<Recommendation> Service::recommend(std::string_view question, std::string_view life_event) {
  auto& m = *impl_;
  const Bundle* bundle = nullptr;
  if (!life_event.empty()) {
    for (const auto& b : m.lexicon.bundles)
      if (b.event.id == life_event || b.event.name == life_event) bundle = &b;
    if (!bundle) {
      return fail(ErrorCode::not_found, "/life_event",
                  "没有这个人生事件：" + std::string(life_event),
                  "no such life event: " + std::string(life_event));
    }
  } else if (question.empty()) {
    return fail(ErrorCode::invalid_input, "/question", "请给出问题或人生事件",
                "give a question or a life_event");
  } else {
    // The same checks as a question to ask().
    Question q;
    q.question = std::string(question);
    if (auto checked = ask(q); !checked) return fail(checked.error());
    auto normalized = text::normalize(question);
    std::size_t best = 0;
    for (const auto& b : m.lexicon.bundles) {
      for (const auto& a : b.event.aliases) {
        if (normalized.find(a) != std::string::npos && core::utf8_length(a) > best) {
          best = core::utf8_length(a);
          bundle = &b;
        }
      }
    }
  }
  Recommendation r;
  core::MutexLock lock(m.mu);
  if (bundle) {
    r.life_event = bundle->event;
    for (auto step : bundle->steps) {
      auto it = m.items.find(step.item_code);
      step.available = it != m.items.end();
      if (step.available) step.link = item_link(m.options, step.item_code);
      r.steps.push_back(std::move(step));
    }
    return r;
  }
  Plan p = m.plan(text::normalize(question));
  int order = 0;
  for (const auto& h : m.search(p)) {
    if (h.key[0] != 'I' || h.coverage < 0.3 || r.steps.size() >= 5) continue;
    const auto& item = m.items.at(h.key.substr(1));
    Step s;
    s.order = ++order;
    s.item_code = item.code;
    s.title = item.name;
    s.available = true;
    s.link = item_link(m.options, item.code);
    r.steps.push_back(std::move(s));
  }
  return r;
}

}  // namespace yiwang::assistant
