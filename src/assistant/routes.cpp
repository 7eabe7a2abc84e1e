// HTTP routes of the Q&A assistant: parse, call one service function, map the result.
#include <cmath>

#include "assistant/assistant.h"
#include "core/clock.h"
#include "identity/routes.h"

namespace yiwang::assistant {
namespace {

using http::Json;
using http::PathParams;
using http::Request;
using http::Response;

Json source_json(const Source& s) {
  Json j{{"kind", s.kind},
         {"ref", s.ref},
         {"title", s.title},
         {"snippet", s.snippet},
         {"score", s.score}};
  if (!s.link.empty()) j["link"] = s.link;
  return j;
}

Json answer_json(const Answer& a) {
  Json j{{"answer", a.answer},
         {"sources", http::array_of(a.sources, source_json)},
         {"confidence", std::round(a.confidence * 100) / 100},
         {"handoff", a.handoff},
         {"intent", a.intent},
         {"follow_up", a.follow_up}};
  if (a.handoff_contact) {
    j["handoff_contact"] = {{"name", a.handoff_contact->name},
                            {"phone", a.handoff_contact->phone},
                            {"note_zh", a.handoff_contact->note_zh},
                            {"note_en", a.handoff_contact->note_en}};
  }
  j["context"] =
      a.context ? Json{{"kind", a.context->kind}, {"ref", a.context->ref}} : Json(nullptr);
  return j;
}

Json document_json(const Document& d) {
  return {{"id", d.id},
          {"title", d.title},
          {"format", d.format},
          {"source", d.source},
          {"sha256", d.sha256},
          {"version", d.version},
          {"passages", d.passages},
          {"chars", d.chars},
          {"created_at", core::format_instant(d.created_at_ms)},
          {"updated_at", core::format_instant(d.updated_at_ms)}};
}

std::optional<std::string> base64_decode(std::string_view in) {
  static const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned int buf = 0;
  int bits = 0;
  std::size_t pad = 0;
  for (char c : in) {
    if (c == '\n' || c == '\r') continue;
    if (c == '=') {
      ++pad;
      continue;
    }
    if (pad) return std::nullopt;
    auto v = alphabet.find(c);
    if (v == std::string::npos) return std::nullopt;
    buf = (buf << 6) | static_cast<unsigned int>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buf >> bits) & 0xFF);
    }
  }
  if (pad > 2) return std::nullopt;
  return out;
}

// {title?, format?, text | file (base64), source?}
Result<NewDocument> read_document(const Request& req) {
  http::ObjectReader r(req);
  NewDocument d;
  d.title = r.optional_string("title", 1000).value_or("");
  auto format = r.optional_string("format", 20);
  auto text = r.optional_string("text", kMaxDocumentTextBytes);
  auto file = r.optional_string("file", kMaxDocumentBytes * 4 / 3 + 16);
  d.source = r.optional_string("source", 1000).value_or("");
  if (auto st = r.finish(); !st) return fail(st.error());
  if (format) {
    auto f = parse_format(*format);
    if (!f) {
      return fail(ErrorCode::invalid_input, "/format", "format 应为 text、markdown、html 或 pdf",
                  "format must be text, markdown, html or pdf");
    }
    d.format = f;
  }
  if (text.has_value() == file.has_value()) {
    return fail(ErrorCode::invalid_input, "/text", "请提供 text 或 file（base64）之一",
                "give exactly one of text or file (base64)");
  }
  if (text) {
    if (d.format == Format::pdf) {
      return fail(ErrorCode::invalid_input, "/format", "PDF 请用 file（base64）上传",
                  "upload a PDF as file (base64)");
    }
    d.content = std::move(*text);
  } else {
    auto bytes = base64_decode(*file);
    if (!bytes)
      return fail(ErrorCode::invalid_input, "/file", "file 不是有效的 base64",
                  "file is not valid base64");
    d.content = std::move(*bytes);
  }
  return d;
}

Json recommendation_json(const Recommendation& rec) {
  auto step = [](const Step& s) {
    Json j{{"order", s.order},
           {"item_code", s.item_code},
           {"title", s.title},
           {"note", s.note},
           {"available", s.available}};
    if (!s.link.empty()) j["link"] = s.link;
    return j;
  };
  Json out{{"steps", http::array_of(rec.steps, step)}};
  out["life_event"] = rec.life_event ? Json{{"id", rec.life_event->id},
                                            {"name", rec.life_event->name},
                                            {"description", rec.life_event->description}}
                                     : Json(nullptr);
  return out;
}

Json document_with_passages(const std::pair<Document, std::vector<Passage>>& doc) {
  Json j = document_json(doc.first);
  j["passage_list"] = http::array_of(doc.second, [](const Passage& p) {
    return Json{{"position", p.position}, {"section", p.section}, {"text", p.text}};
  });
  return j;
}

// {question, context?: {kind, ref}}
Result<Question> parse_question(const Request& req) {
  http::ObjectReader r(req);
  Question q;
  // Read generously here so that the service answers "too long" with its own limit.
  q.question = r.required_string("question", 64 * 1024);
  if (auto ctx = r.optional_object("context")) {
    http::ObjectReader c(*ctx, "/context");
    Context context;
    context.kind = c.required_string("kind", 20);
    context.ref = c.required_string("ref", 200);
    if (auto st = c.finish(); !st) return fail(st.error());
    q.context = context;
  }
  if (auto st = r.finish(); !st) return fail(st.error());
  return q;
}

struct Recommend {
  std::string question;
  std::string life_event;
};

Result<Recommend> parse_recommend(const Request& req) {
  http::ObjectReader r(req);
  Recommend out;
  out.question = r.optional_string("question", 64 * 1024).value_or("");
  out.life_event = r.optional_string("life_event", 100).value_or("");
  if (auto st = r.finish(); !st) return fail(st.error());
  return out;
}

// {question, answer_ref, useful, comment?}
Result<Feedback> parse_feedback(const Request& req) {
  http::ObjectReader r(req);
  Feedback f;
  f.question = r.required_string("question", 64 * 1024);
  f.answer_ref = r.required_string("answer_ref", 1000);
  auto useful = r.optional_bool("useful");
  f.comment = r.optional_string("comment", 64 * 1024).value_or("");
  if (auto st = r.finish(); !st) return fail(st.error());
  if (!useful) {
    return fail(ErrorCode::invalid_input, "/useful", "缺少 useful（有用/没用）",
                "useful (true/false) is required");
  }
  f.useful = *useful;
  f.remote_address = req.remote_address;
  return f;
}

// The administrators' documents API (the service checks the role).
void register_document_routes(identity::Routes& api, Service& service) {
  using identity::Principal;
  api.add(
      "GET", "/api/v1/assistant/documents",
      [&service](const Request&, const PathParams&, const Principal& who) {
        return service.documents(who).map([](const std::vector<Document>& docs) {
          return Json{{"documents", http::array_of(docs, document_json)}, {"total", docs.size()}};
        });
      });
  api.add_if("POST", "/api/v1/assistant/documents", identity::system_admin_only,
          [&service](const Request& req, const PathParams&, const Principal& who) {
            return read_document(req)
                .and_then([&](const NewDocument& doc) { return service.add_document(doc, who); })
                .map([](const Document& added) {
                  return http::created(document_json(added),
                                       "/api/v1/assistant/documents/" + added.id);
                });
          });
  api.add("GET", "/api/v1/assistant/documents/{id}",
          [&service](const Request&, const PathParams& params, const Principal& who) {
            return service.document(params.at("id"), who).map(document_with_passages);
          });
  api.add_if("PUT", "/api/v1/assistant/documents/{id}", identity::system_admin_only,
          [&service](const Request& req, const PathParams& params, const Principal& who) {
            return read_document(req)
                .and_then([&](const NewDocument& doc) {
                  return service.replace_document(params.at("id"), doc, who);
                })
                .map(document_json);
          });
  api.add("DELETE", "/api/v1/assistant/documents/{id}",
          [&service](const Request&, const PathParams& params, const Principal& who) {
            return service.remove_document(params.at("id"), who);
          });
}

}  // namespace

void register_routes(http::Router& router, Service& service, identity::Service& identity) {
  identity::Routes api(router, identity);
  api.open("POST", "/api/v1/assistant/ask", [&service](const Request& req, const PathParams&) {
    return parse_question(req)
        .and_then([&](const Question& q) { return service.ask(q); })
        .map(answer_json);
  });
  api.open(
      "POST", "/api/v1/assistant/recommend", [&service](const Request& req, const PathParams&) {
        return parse_recommend(req)
            .and_then(
                [&](const Recommend& r) { return service.recommend(r.question, r.life_event); })
            .map(recommendation_json);
      });
  // The life events are data loaded at start: answered from memory.
  api.open(
      "GET", "/api/v1/assistant/life-events",
      [&service](const Request&, const PathParams&) {
        Json list = http::array_of(service.life_events(), [](const LifeEvent& e) {
          return Json{{"id", e.id}, {"name", e.name}, {"description", e.description}};
        });
        return Result<Json>(Json{{"life_events", std::move(list)}});
      },
      http::Runs::io_thread);
  // Anyone may give feedback; a signed-in caller's is recorded as theirs (a bad token is 401).
  api.optional("POST", "/api/v1/assistant/feedback",
               [&service](const Request& req, const PathParams&, const identity::Principal* who) {
                 return parse_feedback(req)
                     .and_then([&](const Feedback& f) { return service.record_feedback(f, who); })
                     .map([](const std::string& id) {
                       return http::created({{"id", id}});
                     });
               });
  register_document_routes(api, service);
}

}  // namespace yiwang::assistant
