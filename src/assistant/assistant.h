// The Q&A assistant (智能问答): answers citizens' questions from the service guides of the catalog
// and from policy documents, always with the sources it quotes, and hands over to a person (12345)
// when it is unsure or the question is not about government services.
//
// Knowledge base: every active catalog item's guide (read through catalog::Service, kept in sync
// by following the "item.*" events), and policy documents added by administrators (plain text,
// Markdown, HTML, PDF text layer), split into passages that keep their document, section and
// position. Documents and passages live in the store; the Xapian index (CJK n-grams, BM25) is in
// memory, rebuilt from the store at start and updated from the event stream, so that documents
// and items changed by another process sharing a PostgreSQL database are found here too.
// Retrieval rewrites the question (question words, colloquial synonyms as data in data/assistant,
// item names and codes) and answers extractively: the relevant sentences of a passage, or for an
// item its materials, time limits and the link to apply. Nothing is generated.
//
// Thread-safety and ownership: one Service is shared by all request threads. The in-memory index
// (the Xapian database and the items, names, documents and passages it indexes) sits behind one
// core::Mutex with GUARDED_BY annotations; the store, the lexicon and the options need no lock.
// Store, clock, random and catalog must outlive the Service. Every document change appends an
// event ("assistant.document.added", "assistant.document.replaced", "assistant.document.removed"),
// feedback appends "assistant.feedback.recorded"; no question text goes into events. The
// assistant's own acts (system_principal()) are recorded as user "system" in role "system".
//
// The hand-over contact (Handoff) is the 12345 hotline's name and phone number as shown to
// citizens: a phone number, not a department id (the hotline department is app::Config's
// hotline_dept, which this module does not need).
//
// Files by concern:
//   assistant.h     this contract
//   internal.h      Service::Impl (the index behind its lock) and shared helpers
//   service.cpp     construction, document formats, evaluation of question sets
//   index.cpp       the Xapian index, following the catalog and documents, retrieval
//   answering.cpp   ask (with follow-ups), recommendations, life events
//   documents.cpp   documents (add, replace, remove, list, read, import) and feedback
//   text.*          UTF-8 text, extraction (text, Markdown, HTML, PDF), passages, n-gram terms
//   lexicon.*       the data files (synonyms, question words, intents, blocked phrases, bundles)
//   kb_command.cpp  `yiwang kb import|eval`
//   routes.cpp      the HTTP routes, through identity::Routes
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "store/store.h"

namespace yiwang::http {
class Router;
}
namespace yiwang::catalog {
class Service;
}
namespace yiwang::identity {
class Service;
struct Principal;
}  // namespace yiwang::identity

namespace yiwang::assistant {

std::vector<store::Migration> migrations();

// Limits at the edge.
inline constexpr std::size_t kMaxQuestionChars = 300;       // code points
inline constexpr std::size_t kMaxDocumentBytes = 8u << 20;  // raw upload (PDF or text)
inline constexpr std::size_t kMaxDocumentTextBytes = 4u << 20;
inline constexpr std::size_t kMaxTitleChars = 200;

enum class Format { text, markdown, html, pdf };
std::string_view to_string(Format f);
std::optional<Format> parse_format(std::string_view name);  // "text", "markdown", "html", "pdf"
// From a file name's extension (.txt .md .markdown .html .htm .pdf); nullopt otherwise.
std::optional<Format> format_of_path(std::string_view path);

struct NewDocument {
  std::string title;             // "" = taken from the first heading / line of the text
  std::optional<Format> format;  // nullopt = detected (%PDF-, <html, Markdown headings, text)
  std::string content;           // raw bytes: UTF-8 text, or the PDF file
  std::string source;            // where it came from (file name, URL), may be ""
};

struct Document {
  std::string id;
  std::string title;
  std::string format;
  std::string source;
  std::string sha256;  // of the raw content
  int version = 1;     // 1, then +1 per replacement
  int passages = 0;
  int chars = 0;  // extracted text, code points
  core::Millis created_at_ms = 0;
  core::Millis updated_at_ms = 0;
};

struct Passage {
  std::string doc_id;
  int position = 0;     // 0-based, in document order
  std::string section;  // the heading it sits under, "" before the first heading
  std::string text;
};

// A source of an answer. kind "item": ref = item code, link = "/items/<code>" (the web app's
// item page, where one applies). kind "document": ref = "<doc id>#<position>".
struct Source {
  std::string kind;
  std::string ref;
  std::string title;    // item name, or document title (· section)
  std::string snippet;  // the quoted text, at most ~120 characters
  std::string link;
  double score = 0;
};

// What the previous answer was about, sent back by the client for follow-ups ("需要带什么材料？").
struct Context {
  std::string kind;  // "item" or "document"
  std::string ref;
};

struct Question {
  std::string question;
  std::optional<Context> context;
};

// Who takes over when the assistant is unsure: the hotline as citizens dial it (a phone number,
// not a department id).
struct Handoff {
  std::string name = "12345政务服务便民热线";
  std::string phone = "12345";
  std::string note_zh;
  std::string note_en;
};

struct Answer {
  std::string answer;           // extractive text, zh
  std::vector<Source> sources;  // best first; empty only when handing off
  double confidence = 0;        // 0..1
  bool handoff = false;         // true: unsure or out of domain → a person should answer
  std::optional<Handoff> handoff_contact;
  std::string intent;              // "materials", "time_limit", … or "" (general)
  std::optional<Context> context;  // send back with the next question
  bool follow_up = false;          // answered from `Question::context`
};

struct LifeEvent {
  std::string id;    // "birth", "company", …
  std::string name;  // 生孩子
  std::string description;
  std::vector<std::string> aliases;
};

struct Step {
  int order = 0;          // 1-based
  std::string item_code;  // "" = not on this platform
  std::string title;
  std::string note;
  bool available = false;  // the item exists and is active
  std::string link;        // "/items/<code>" when available
};

struct Recommendation {
  std::optional<LifeEvent> life_event;  // nullopt: no bundle matched; steps are search results
  std::vector<Step> steps;
};

struct Feedback {
  std::string question;
  std::string answer_ref;  // "item:<code>" / "document:<id>#<pos>" / a source ref
  bool useful = false;
  std::string comment;
  // The client's address: anonymous feedback is limited per address (never stored).
  std::string remote_address;
};

struct EvalCase {
  std::string q;
  // A hit when a source is the item with this code, or a document whose title or quoted passage
  // contains this text. Any of several.
  std::vector<std::string> expect;
};

struct EvalReport {
  int questions = 0;
  int hit1 = 0;
  int hit3 = 0;
  int handoffs = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  std::vector<std::string> misses;  // "q → top ref" of the questions not hit at 3
};

struct Stats {
  int items = 0;
  int documents = 0;
  int passages = 0;  // document passages + item guide sections
};

struct Options {
  double handoff_below = 0.5;  // confidence threshold
  std::string web_base;        // prefix of item links ("" → "/items/<code>")
};

// The principal the command line acts as (yiwang kb import, the demo seeder).
identity::Principal system_principal();

// Reads JSON lines {"q": …, "expect": "…" | ["…", …]}; invalid_input names the line.
Result<std::vector<EvalCase>> parse_eval_cases(std::string_view jsonl);

class Service {
 public:
  // Loads the data files and builds the index from the store and the catalog. Throws
  // std::runtime_error when the embedded data is malformed (a build defect).
  Service(store::Store& store, const core::Clock& clock, core::Random& random,
          catalog::Service& catalog, Options options = {});
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Applies item and document events published since the last poll (also by other processes) to
  // the index; returns how many events it read. The index's position is in memory: at start the
  // index is built from the store, so nothing before it needs replaying.
  Result<int> poll_once(int max_events = 500);

  // invalid_input (field "/question") for empty, binary / invalid UTF-8, prompt-injection-like or
  // abusive text; too_large over kMaxQuestionChars; invalid_input "/context" for a bad context.
  // Otherwise always an answer: below the threshold or out of domain it has handoff = true.
  Result<Answer> ask(const Question& question);

  // From a life event (id or name) or a question: the bundle's ordered steps; with no bundle
  // matching the question, the best matching items. invalid_input when both are empty or the
  // question is bad; not_found for an unknown life_event.
  Result<Recommendation> recommend(std::string_view question, std::string_view life_event);
  std::vector<LifeEvent> life_events() const;

  // Administrators only (forbidden otherwise). The content is parsed and split before the write
  // transaction; a document that does not parse (invalid UTF-8, a PDF without a text layer, no
  // text at all) is invalid_input "/content" and nothing is stored or indexed. Document, passages
  // and event commit together; the index is updated after the commit.
  Result<Document> add_document(const NewDocument& doc, const identity::Principal& by);
  Result<Document> replace_document(std::string_view id, const NewDocument& doc,
                                    const identity::Principal& by);            // not_found
  Status remove_document(std::string_view id, const identity::Principal& by);  // not_found
  Result<std::vector<Document>> documents(const identity::Principal& by);
  Result<std::pair<Document, std::vector<Passage>>> document(std::string_view id,
                                                             const identity::Principal& by);
  // Imports a file unless a document with the same content (sha256) exists; returns the document
  // and whether it was added.
  Result<std::pair<Document, bool>> import_file(const std::string& path,
                                                const identity::Principal& by);

  // Anyone may give feedback (`by` may be null); stored with an event. Returns the feedback id.
  Result<std::string> record_feedback(const Feedback& feedback, const identity::Principal* by);

  // Runs a question set; latency is measured around ask().
  EvalReport evaluate(const std::vector<EvalCase>& cases);

  Stats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// `yiwang kb import PATH…` and `yiwang kb eval FILE`: args are what follows "kb" (the store
// options already taken out). Returns the process exit code; output on out, errors on err.
int run_kb_command(Service& service, const std::vector<std::string>& args, std::ostream& out,
                   std::ostream& err);

// POST /api/v1/assistant/ask, POST /api/v1/assistant/recommend, GET /api/v1/assistant/life-events,
// POST /api/v1/assistant/feedback, and the administrators' documents API:
// GET|POST /api/v1/assistant/documents, GET|PUT|DELETE /api/v1/assistant/documents/{id}.
void register_routes(http::Router& router, Service& service, identity::Service& identity);

}  // namespace yiwang::assistant
