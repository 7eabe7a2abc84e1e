// HTTP routes of the Q&A assistant: parse, call one service function, map the result.
#include "assistant/assistant.h"
#include "core/clock.h"
#include "http/json_api.h"
#include "identity/identity.h"

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
  Json sources = Json::array();
  for (const auto& s : a.sources) sources.push_back(source_json(s));
  Json j{{"answer", a.answer},
         {"sources", std::move(sources)},
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

Response fail_response(const Error& e, const Request& req) {
  return http::problem(e, req);
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
  auto body = http::parse_object(req);
  if (!body) return fail(body.error());
  http::ObjectReader r(*body);
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

}  // namespace

void register_routes(http::Router& router, Service& service, identity::Service& identity) {
  router.add("POST", "/api/v1/assistant/ask", [&service](const Request& req, const PathParams&) {
    auto body = http::parse_object(req);
    if (!body) return fail_response(body.error(), req);
    http::ObjectReader r(*body);
    Question q;
    // Read generously here so that the service answers "too long" with its own limit.
    q.question = r.required_string("question", 64 * 1024);
    if (auto ctx = r.optional_object("context")) {
      http::ObjectReader c(*ctx, "/context");
      Context context;
      context.kind = c.required_string("kind", 20);
      context.ref = c.required_string("ref", 200);
      if (auto st = c.finish(); !st) return fail_response(st.error(), req);
      q.context = context;
    }
    if (auto st = r.finish(); !st) return fail_response(st.error(), req);
    auto a = service.ask(q);
    if (!a) return fail_response(a.error(), req);
    return http::ok(answer_json(*a));
  });

  router.add(
      "POST", "/api/v1/assistant/recommend", [&service](const Request& req, const PathParams&) {
        auto body = http::parse_object(req);
        if (!body) return fail_response(body.error(), req);
        http::ObjectReader r(*body);
        auto question = r.optional_string("question", 64 * 1024).value_or("");
        auto life_event = r.optional_string("life_event", 100).value_or("");
        if (auto st = r.finish(); !st) return fail_response(st.error(), req);
        auto rec = service.recommend(question, life_event);
        if (!rec) return fail_response(rec.error(), req);
        Json steps = Json::array();
        for (const auto& s : rec->steps) {
          Json j{{"order", s.order},
                 {"item_code", s.item_code},
                 {"title", s.title},
                 {"note", s.note},
                 {"available", s.available}};
          if (!s.link.empty()) j["link"] = s.link;
          steps.push_back(std::move(j));
        }
        Json out{{"steps", std::move(steps)}};
        out["life_event"] = rec->life_event ? Json{{"id", rec->life_event->id},
                                                   {"name", rec->life_event->name},
                                                   {"description", rec->life_event->description}}
                                            : Json(nullptr);
        return http::ok(out);
      });

  router.add("GET", "/api/v1/assistant/life-events", [&service](const Request&, const PathParams&) {
    Json list = Json::array();
    for (const auto& e : service.life_events()) {
      list.push_back({{"id", e.id}, {"name", e.name}, {"description", e.description}});
    }
    return http::ok({{"life_events", std::move(list)}});
  });

  router.add("POST", "/api/v1/assistant/feedback",
             [&service, &identity](const Request& req, const PathParams&) {
               std::optional<identity::Principal> who;
               if (!req.bearer_token().empty()) {
                 auto p = identity.authenticate(req.bearer_token());
                 if (!p) return fail_response(p.error(), req);
                 who = *p;
               }
               auto body = http::parse_object(req);
               if (!body) return fail_response(body.error(), req);
               http::ObjectReader r(*body);
               Feedback f;
               f.question = r.required_string("question", 64 * 1024);
               f.answer_ref = r.required_string("answer_ref", 1000);
               auto useful = r.optional_bool("useful");
               f.comment = r.optional_string("comment", 64 * 1024).value_or("");
               if (auto st = r.finish(); !st) return fail_response(st.error(), req);
               if (!useful) {
                 return fail_response(
                     Error{ErrorCode::invalid_input, "/useful", "缺少 useful（有用/没用）",
                           "useful (true/false) is required"},
                     req);
               }
               f.useful = *useful;
               auto id = service.record_feedback(f, who ? &*who : nullptr);
               if (!id) return fail_response(id.error(), req);
               return http::created({{"id", *id}});
             });

  auto admin = [&identity](const Request& req) {
    return identity.authenticate(req.bearer_token());
  };

  router.add("GET", "/api/v1/assistant/documents",
             [&service, admin](const Request& req, const PathParams&) {
               auto who = admin(req);
               if (!who) return fail_response(who.error(), req);
               auto docs = service.documents(*who);
               if (!docs) return fail_response(docs.error(), req);
               Json list = Json::array();
               for (const auto& d : *docs) list.push_back(document_json(d));
               return http::ok({{"documents", std::move(list)}, {"total", docs->size()}});
             });

  router.add("POST", "/api/v1/assistant/documents",
             [&service, admin](const Request& req, const PathParams&) {
               auto who = admin(req);
               if (!who) return fail_response(who.error(), req);
               auto doc = read_document(req);
               if (!doc) return fail_response(doc.error(), req);
               auto added = service.add_document(*doc, *who);
               if (!added) return fail_response(added.error(), req);
               return http::created(document_json(*added),
                                    "/api/v1/assistant/documents/" + added->id);
             });

  router.add("GET", "/api/v1/assistant/documents/{id}",
             [&service, admin](const Request& req, const PathParams& params) {
               auto who = admin(req);
               if (!who) return fail_response(who.error(), req);
               auto doc = service.document(params.at("id"), *who);
               if (!doc) return fail_response(doc.error(), req);
               Json j = document_json(doc->first);
               Json ps = Json::array();
               for (const auto& p : doc->second) {
                 ps.push_back({{"position", p.position}, {"section", p.section}, {"text", p.text}});
               }
               j["passage_list"] = std::move(ps);
               return http::ok(j);
             });

  router.add("PUT", "/api/v1/assistant/documents/{id}",
             [&service, admin](const Request& req, const PathParams& params) {
               auto who = admin(req);
               if (!who) return fail_response(who.error(), req);
               auto doc = read_document(req);
               if (!doc) return fail_response(doc.error(), req);
               auto replaced = service.replace_document(params.at("id"), *doc, *who);
               if (!replaced) return fail_response(replaced.error(), req);
               return http::ok(document_json(*replaced));
             });

  router.add("DELETE", "/api/v1/assistant/documents/{id}",
             [&service, admin](const Request& req, const PathParams& params) {
               auto who = admin(req);
               if (!who) return fail_response(who.error(), req);
               auto removed = service.remove_document(params.at("id"), *who);
               if (!removed) return fail_response(removed.error(), req);
               return http::no_content();
             });
}

}  // namespace yiwang::assistant
