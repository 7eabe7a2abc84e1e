// HTTP surface of the ledger: the static C2SP tlog-tiles layout under /ledger/, JSON reads and
// proofs under /api/v1/ledger/, the witness cosignature intake and the party's receipt.
#include <charconv>

#include "core/clock.h"
#include "identity/routes.h"
#include "ledger/ledger.h"

namespace yiwang::ledger {
namespace {

using http::Json;
using http::PathParams;
using http::Request;
using http::Response;
using http::Runs;

constexpr std::size_t kMaxCosignedNote = 64 * 1024;
constexpr std::size_t kMaxSubjectLength = 200;

Json proof_json(const std::vector<Hash>& proof) {
  Json out = Json::array();
  for (const auto& h : proof) out.push_back(to_base64(h));
  return out;
}

Result<std::int64_t> parse_count(std::string_view text, std::string field) {
  std::int64_t v = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < 0 ||
      (text.size() > 1 && text.front() == '0')) {
    const std::string name = field.substr(1);
    return fail(ErrorCode::invalid_input, std::move(field), name + " 须为非负整数",
                name + " must be a non-negative integer");
  }
  return v;
}

Result<std::int64_t> query_count(const http::Request& req, std::string_view name) {
  auto text = req.query_param(name);
  if (!text) {
    return fail(ErrorCode::invalid_input, "/" + std::string(name), "缺少参数 " + std::string(name),
                "missing parameter " + std::string(name));
  }
  return parse_count(*text, "/" + std::string(name));
}

// Two counts of the query, the first one checked first.
Result<std::pair<std::int64_t, std::int64_t>> query_counts(const http::Request& req,
                                                           std::string_view first,
                                                           std::string_view second) {
  auto a = query_count(req, first);
  if (!a) return fail(a.error());
  auto b = query_count(req, second);
  if (!b) return fail(b.error());
  return std::make_pair(*a, *b);
}

Result<std::string> query_text(const http::Request& req, std::string_view name) {
  auto text = req.query_param(name);
  if (!text || text->empty() || text->size() > kMaxSubjectLength) {
    return fail(ErrorCode::invalid_input, "/" + std::string(name),
                std::string(name) + " 须为 1–200 个字符",
                std::string(name) + " must be 1 to 200 characters");
  }
  return *text;
}

http::Response with_cache(http::Response r, std::string value) {
  r.headers.emplace_back("Cache-Control", std::move(value));
  return r;
}

http::Response bytes(std::string body, std::string content_type, std::string cache) {
  http::Response r;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return with_cache(std::move(r), std::move(cache));
}

Json act_json(const Act& a) {
  return Json{{"index", a.index},
              {"leaf_hash", to_base64(a.leaf_hash)},
              {"act", a.act},
              {"event_seq", a.event_seq},
              {"at", core::format_instant(a.at_ms)}};
}

// Proofs and entries of a given size never change; the latest checkpoint does.
const char* const kImmutable = "public, max-age=31536000, immutable";
const char* const kShort = "public, max-age=60";

http::Response immutable(const Json& body) {
  return with_cache(http::ok(body), kImmutable);
}

// Tiles, the checkpoint, entries and proofs answer from the tile cache or short reads of the
// latest checkpoint: declared fast (io_thread).
void register_log_reads(identity::Routes& api, Log& log) {
  api.open(
      "GET", "/ledger/checkpoint",
      [&log](const Request& req, const PathParams&) -> Result<Response> {
        auto c = log.checkpoint();
        // Even the "no checkpoint yet" answer must not be cached: built here with its header.
        if (!c) return with_cache(http::problem(c.error(), req), "no-cache");
        return bytes(c->note, "text/plain; charset=utf-8", "no-cache");
      },
      Runs::io_thread);

  api.open(
      "GET", "/ledger/tile/{path...}",
      [&log](const Request&, const PathParams& p) -> Result<Response> {
        auto ref = parse_tile_path("tile/" + p.at("path"));
        if (!ref) return fail(ErrorCode::not_found, "/path", "没有这个瓦片", "no such tile");
        // A partial tile is final for its width too, but clients are told to move on to the full
        // tile once it exists, so keep it out of long-lived caches.
        const char* cache = ref->width == kTileWidth ? kImmutable : kShort;
        return log.tile(*ref).map([&](std::string tile) {
          return bytes(std::move(tile), "application/octet-stream", cache);
        });
      },
      Runs::io_thread);

  api.open(
      "GET", "/api/v1/ledger/key",
      [&log](const Request&, const PathParams&) {
        return Result<Response>(with_cache(
            http::ok(Json{{"origin", log.origin()}, {"verifier_key", log.verifier_key()}}),
            "public, max-age=300"));
      },
      Runs::io_thread);

  api.open(
      "GET", "/api/v1/ledger/entries/{index}",
      [&log](const Request&, const PathParams& p) {
        return parse_count(p.at("index"), "/index")
            .and_then([&](std::int64_t index) { return log.entry(index); })
            .map([](const Entry& e) {
              return immutable(Json{{"index", e.index},
                                    {"entry", base64(e.data)},
                                    {"leaf_hash", to_base64(e.leaf_hash)}});
            });
      },
      Runs::io_thread);

  api.open(
      "GET", "/api/v1/ledger/proof/inclusion",
      [&log](const Request& req, const PathParams&) -> Result<Response> {
        auto asked = query_counts(req, "index", "size");
        if (!asked) return fail(asked.error());
        // Plain variables, not a structured binding: lambdas capture them (clang 14 cannot).
        const auto index = asked->first;
        const auto size = asked->second;
        auto proof = log.inclusion(index, size);
        if (!proof) return fail(proof.error());
        return log.entry(index).map([&](const Entry& e) {
          return immutable(Json{{"index", index},
                                {"size", size},
                                {"leaf_hash", to_base64(e.leaf_hash)},
                                {"proof", proof_json(*proof)}});
        });
      },
      Runs::io_thread);

  api.open(
      "GET", "/api/v1/ledger/proof/consistency",
      [&log](const Request& req, const PathParams&) -> Result<Response> {
        auto asked = query_counts(req, "old", "new");
        if (!asked) return fail(asked.error());
        const auto old_size = asked->first;
        const auto new_size = asked->second;
        return log.consistency(old_size, new_size).map([&](const std::vector<Hash>& proof) {
          return immutable(
              Json{{"old", old_size}, {"new", new_size}, {"proof", proof_json(proof)}});
        });
      },
      Runs::io_thread);
}

Status add_cosignature(const Request& req, Log& log) {
  const std::string type = req.header("content-type");
  if (type.rfind("text/plain", 0) != 0) {
    return fail(ErrorCode::unsupported_media, "", "联署检查点须以 text/plain 提交",
                "send the cosigned checkpoint as text/plain");
  }
  if (req.body.size() > kMaxCosignedNote) {
    return fail(ErrorCode::too_large, "", "联署检查点过大", "the cosigned checkpoint is too large");
  }
  return log.add_cosignature(req.body);
}

Result<Response> receipt(const identity::Principal& who, const PathParams& p, Follower& follower,
                         const ReceiptAccess& may_read_receipt) {
  const std::string& type = p.at("subject_type");
  const std::string& id = p.at("subject_id");
  if (!may_read_receipt) {
    return fail(ErrorCode::forbidden, "", "无权查看该回执", "not allowed to read this receipt");
  }
  if (Status s = may_read_receipt(who, type, id); !s) return fail(s.error());
  return follower.receipt(type, id).map([](const Receipt& r) {
    Json body{{"subject_type", r.subject_type},
              {"subject_id", r.subject_id},
              {"acts", http::array_of(r.acts, act_json)},
              {"party", r.party},
              {"salt", r.salt_hex},
              {"commitment", r.commitment}};
    return with_cache(http::ok(body), "no-store");
  });
}

}  // namespace

void register_routes(http::Router& router, Log& log, Follower& follower,
                     identity::Service& identity, ReceiptAccess may_read_receipt) {
  identity::Routes api(router, identity);
  register_log_reads(api, log);

  api.open("GET", "/api/v1/ledger/acts", [&follower](const Request& req, const PathParams&) {
    auto type = query_text(req, "subject_type");
    if (!type) return Result<Response>(fail(type.error()));
    auto id = query_text(req, "subject_id");
    if (!id) return Result<Response>(fail(id.error()));
    return Result<Response>(with_cache(
        http::ok(Json{{"items", http::array_of(follower.acts_of(*type, *id), act_json)}}),
        "no-cache"));
  });

  api.open("POST", "/api/v1/ledger/cosignatures",
           [&log](const Request& req, const PathParams&) { return add_cosignature(req, log); });

  api.add("GET", "/api/v1/ledger/receipts/{subject_type}/{subject_id}",
          [&follower, may_read_receipt](const Request&, const PathParams& p,
                                        const identity::Principal& who) {
            return receipt(who, p, follower, may_read_receipt);
          });
}

}  // namespace yiwang::ledger
