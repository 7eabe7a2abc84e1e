// Knowledge-base documents (added, replaced, removed and read by administrators; imported from
// files by the command line) and the citizens' feedback on answers.
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "assistant/internal.h"
#include "assistant/text.h"
#include "core/digest.h"
#include "core/utf8.h"
#include "store/record_id.h"

namespace yiwang::assistant {
using namespace detail;

namespace {

using Json = nlohmann::json;

// The assistant's own acts (as system_principal(): following the catalog, the command line, the
// demo seeder) are recorded as user "system" in role "system".
events::Actor event_actor(const identity::Principal& by) {
  events::Actor a;
  a.user_id = by.user_id;
  a.role = by.user_id == "system" ? "system" : std::string(identity::main_role(by));
  a.dept_id = by.dept_id;
  return a;
}

Status require_admin(const identity::Principal& by) {
  if (by.is_official() && by.has_role(identity::Role::admin)) return {};
  return fail(ErrorCode::forbidden, "", "只有管理员可以管理知识库文档",
              "only administrators may manage knowledge-base documents");
}

// What the audit trail keeps about a document: its identity and size, never its text.
std::string audit_json(const Document& d) {
  return Json{{"id", d.id},         {"title", d.title},       {"format", d.format},
              {"sha256", d.sha256}, {"passages", d.passages}, {"version", d.version}}
      .dump();
}

// Appends the event of a knowledge-base change in the caller's write transaction.
void append_document_event(store::Tx& tx, const core::Clock& clock, std::string type,
                           const std::string& id, const identity::Principal& by, std::string reason,
                           const Document* before, const Document* after) {
  events::append(tx, clock,
                 {.type = std::move(type),
                  .subject_type = "assistant_document",
                  .subject_id = id,
                  .actor = event_actor(by),
                  .reason = std::move(reason),
                  .before_json = before ? audit_json(*before) : "",
                  .after_json = after ? audit_json(*after) : ""});
}

void insert_passages(store::Tx& tx, const std::string& id, const std::vector<Passage>& passages) {
  for (const auto& p : passages) {
    tx.exec("INSERT INTO assistant_passages (doc_id, position, section, text) VALUES (?, ?, ?, ?)",
            {id, std::int64_t{p.position}, p.section, p.text});
  }
}

struct Parsed {
  Format format;
  std::string title;
  std::string text;
  std::vector<Passage> passages;
  std::string sha;
  int chars = 0;
};

Result<Parsed> parse_document(const NewDocument& in) {
  if (in.content.size() > kMaxDocumentBytes) {
    return fail(ErrorCode::too_large, "/content", "文档超过 8 MB", "the document is over 8 MB");
  }
  if (!text::valid_utf8(in.title) || text::has_controls(in.title) ||
      core::utf8_length(in.title) > kMaxTitleChars) {
    return fail(ErrorCode::invalid_input, "/title", "标题无效或过长（不超过200字）",
                "the title is invalid or longer than 200 characters");
  }
  if (!text::valid_utf8(in.source) || in.source.size() > 1000) {
    return fail(ErrorCode::invalid_input, "/source", "来源无效", "invalid source");
  }
  Parsed p;
  p.format = in.format.value_or(text::detect_format(in.content));
  auto ex = text::extract(p.format, in.content);
  if (!ex) return fail(ex.error());
  p.title = text::trim(in.title).empty() ? ex->title : text::trim(in.title);
  if (p.title.empty()) p.title = "未命名文档";
  p.passages = text::split(ex->text);
  if (p.passages.empty()) {
    return fail(ErrorCode::invalid_input, "/content", "文档中没有可检索的段落",
                "the document has no passages");
  }
  p.chars = static_cast<int>(core::utf8_length(ex->text));
  p.sha = core::sha256_hex(in.content);
  return p;
}

}  // namespace

namespace detail {

tl::unexpected<Error> no_such_document(const std::string& id) {
  return fail(ErrorCode::not_found, "/id", "没有这个文档：" + id, "no such document: " + id);
}

std::optional<Document> find_document(store::Tx& tx, std::string_view column,
                                      const std::string& value) {
  auto row = tx.query_one(std::string("SELECT ") + kDocColumns +
                              " FROM assistant_documents WHERE " + std::string(column) + " = ?",
                          {value});
  if (!row) return std::nullopt;
  return document_of(*row);
}

Document document_of(const store::Row& r) {
  Document d;
  d.id = r.text(0);
  d.title = r.text(1);
  d.format = r.text(2);
  d.source = r.text(3);
  d.sha256 = r.text(4);
  d.version = static_cast<int>(r.int64(5));
  d.passages = static_cast<int>(r.int64(6));
  d.chars = static_cast<int>(r.int64(7));
  d.created_at_ms = r.int64(8);
  d.updated_at_ms = r.int64(9);
  return d;
}

}  // namespace detail

void Service::Impl::index_committed(const Document& d, std::vector<Passage> ps) {
  for (auto& p : ps) p.doc_id = d.id;
  core::MutexLock lock(mu);
  put_document(d, ps);
  db.commit();
}

// ---- Documents ---------------------------------------------------------------------------------

Result<Document> Service::add_document(const NewDocument& in, const identity::Principal& by) {
  auto& m = *impl_;
  if (auto ok = require_admin(by); !ok) return fail(ok.error());
  auto parsed = parse_document(in);
  if (!parsed) return fail(parsed.error());
  std::string id = store::opaque_id(m.random, "doc_", 8);
  auto doc = m.store.write([&](store::Tx& tx) -> Result<Document> {
    Document d;
    d.id = id;
    d.title = parsed->title;
    d.format = std::string(to_string(parsed->format));
    d.source = in.source;
    d.sha256 = parsed->sha;
    d.version = 1;
    d.passages = static_cast<int>(parsed->passages.size());
    d.chars = parsed->chars;
    d.created_at_ms = d.updated_at_ms = m.clock.now_ms();
    tx.exec(std::string("INSERT INTO assistant_documents (") + kDocColumns +
                ", updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {d.id, d.title, d.format, d.source, d.sha256, std::int64_t{d.version},
             std::int64_t{d.passages}, std::int64_t{d.chars}, d.created_at_ms, d.updated_at_ms,
             by.user_id});
    insert_passages(tx, d.id, parsed->passages);
    append_document_event(tx, m.clock, "assistant.document.added", d.id, by, "知识库新增文档",
                          nullptr, &d);
    return d;
  });
  if (!doc) return doc;
  m.index_committed(*doc, parsed->passages);
  return doc;
}

Result<Document> Service::replace_document(std::string_view id_view, const NewDocument& in,
                                           const identity::Principal& by) {
  auto& m = *impl_;
  if (auto ok = require_admin(by); !ok) return fail(ok.error());
  auto parsed = parse_document(in);
  if (!parsed) return fail(parsed.error());
  std::string id(id_view);
  auto doc = m.store.write([&](store::Tx& tx) -> Result<Document> {
    auto before = find_document(tx, "id", id);
    if (!before) return no_such_document(id);
    Document d = *before;
    d.title = parsed->title;
    d.format = std::string(to_string(parsed->format));
    if (!in.source.empty()) d.source = in.source;
    d.sha256 = parsed->sha;
    d.version = before->version + 1;
    d.passages = static_cast<int>(parsed->passages.size());
    d.chars = parsed->chars;
    d.updated_at_ms = m.clock.now_ms();
    tx.exec(
        "UPDATE assistant_documents SET title = ?, format = ?, source = ?, sha256 = ?, version = "
        "?, passages = ?, chars = ?, updated_at_ms = ?, updated_by = ? WHERE id = ?",
        {d.title, d.format, d.source, d.sha256, std::int64_t{d.version}, std::int64_t{d.passages},
         std::int64_t{d.chars}, d.updated_at_ms, by.user_id, id});
    tx.exec("DELETE FROM assistant_passages WHERE doc_id = ?", {id});
    insert_passages(tx, id, parsed->passages);
    append_document_event(tx, m.clock, "assistant.document.replaced", id, by, "知识库文档替换",
                          &*before, &d);
    return d;
  });
  if (!doc) return doc;
  m.index_committed(*doc, parsed->passages);
  return doc;
}

Status Service::remove_document(std::string_view id_view, const identity::Principal& by) {
  auto& m = *impl_;
  if (auto ok = require_admin(by); !ok) return ok;
  std::string id(id_view);
  auto done = m.store.write([&](store::Tx& tx) -> Status {
    auto before = find_document(tx, "id", id);
    if (!before) return no_such_document(id);
    tx.exec("DELETE FROM assistant_passages WHERE doc_id = ?", {id});
    tx.exec("DELETE FROM assistant_documents WHERE id = ?", {id});
    append_document_event(tx, m.clock, "assistant.document.removed", id, by, "知识库删除文档",
                          &*before, nullptr);
    return {};
  });
  if (!done) return done;
  core::MutexLock lock(m.mu);
  m.drop_document(id);
  m.db.commit();
  return {};
}

Result<std::vector<Document>> Service::documents(const identity::Principal& by) {
  if (auto ok = require_admin(by); !ok) return fail(ok.error());
  return impl_->store.read([](store::Tx& tx) -> Result<std::vector<Document>> {
    std::vector<Document> out;
    for (const auto& r : tx.query(std::string("SELECT ") + kDocColumns +
                                  " FROM assistant_documents ORDER BY created_at_ms, id")) {
      out.push_back(document_of(r));
    }
    return out;
  });
}

Result<std::pair<Document, std::vector<Passage>>> Service::document(std::string_view id,
                                                                    const identity::Principal& by) {
  if (auto ok = require_admin(by); !ok) return fail(ok.error());
  std::string key(id);
  return impl_->store.read([&](store::Tx& tx) { return impl_->load_document(tx, key); });
}

Result<std::pair<Document, bool>> Service::import_file(const std::string& path,
                                                       const identity::Principal& by) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return fail(ErrorCode::not_found, "/path", "无法读取文件：" + path,
                "cannot read file: " + path);
  std::ostringstream buf;
  buf << in.rdbuf();
  NewDocument d;
  d.content = buf.str();
  d.format = format_of_path(path);
  auto slash = path.find_last_of('/');
  d.source = slash == std::string::npos ? path : path.substr(slash + 1);
  std::string sha = core::sha256_hex(d.content);
  auto existing = impl_->store.read([&](store::Tx& tx) -> Result<std::optional<Document>> {
    return find_document(tx, "sha256", sha);
  });
  if (!existing) return fail(existing.error());
  if (*existing) return std::make_pair(**existing, false);
  auto added = add_document(d, by);
  if (!added) {
    auto e = added.error();
    e.message_en = path + ": " + e.message_en;
    e.message_zh = path + "：" + e.message_zh;
    return fail(e);
  }
  return std::make_pair(*added, true);
}

// ---- Feedback ----------------------------------------------------------------------------------

Result<std::string> Service::record_feedback(const Feedback& f, const identity::Principal* by) {
  auto& m = *impl_;
  if (!text::valid_utf8(f.question) || text::has_controls(f.question) || f.question.empty() ||
      core::utf8_length(f.question) > kMaxQuestionChars) {
    return fail(ErrorCode::invalid_input, "/question", "问题为空、过长或含无法识别的字符",
                "the question is empty, too long or not valid text");
  }
  if (f.answer_ref.empty() || f.answer_ref.size() > 200 || !text::valid_utf8(f.answer_ref) ||
      text::has_controls(f.answer_ref)) {
    return fail(ErrorCode::invalid_input, "/answer_ref", "answer_ref 无效", "invalid answer_ref");
  }
  if (!text::valid_utf8(f.comment) || text::has_controls(f.comment) ||
      core::utf8_length(f.comment) > 500) {
    return fail(ErrorCode::invalid_input, "/comment", "意见无效或过长",
                "invalid or too long comment");
  }
  if (auto st = m.feedback_limit.check(by ? "user:" + by->user_id : "addr:" + f.remote_address,
                                       m.clock.now_ms(), "反馈过于频繁，请稍后再试",
                                       "too much feedback; try again later");
      !st) {
    return fail(st.error());
  }
  std::string id = store::opaque_id(m.random, "fb_", 8);
  auto done = m.store.write([&](store::Tx& tx) -> Status {
    tx.exec(
        "INSERT INTO assistant_feedback (id, question, answer_ref, useful, comment, user_id, "
        "created_at_ms) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        {id, f.question, f.answer_ref, std::int64_t{f.useful ? 1 : 0}, f.comment,
         by ? by->user_id : std::string(), m.clock.now_ms()});
    // The question may carry personal data: it stays in the feedback table, not in the audit.
    events::append(tx, m.clock,
                   {.type = "assistant.feedback.recorded",
                    .subject_type = "assistant_feedback",
                    .subject_id = id,
                    .actor = by ? event_actor(*by) : events::Actor{"", "anonymous", ""},
                    .after_json = Json{{"answer_ref", f.answer_ref}, {"useful", f.useful}}.dump()});
    return {};
  });
  if (!done) return fail(done.error());
  return id;
}

}  // namespace yiwang::assistant
