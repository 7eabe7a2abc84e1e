// HTTP surface of the ledger: the static C2SP tlog-tiles layout under /ledger/, JSON reads and
// proofs under /api/v1/ledger/, the witness cosignature intake and the party's receipt.
#include <charconv>

#include <sodium.h>

#include "core/clock.h"
#include "http/json_api.h"
#include "identity/identity.h"
#include "ledger/ledger.h"

namespace yiwang::ledger {
namespace {

using http::Json;

constexpr std::size_t kMaxCosignedNote = 64 * 1024;
constexpr std::size_t kMaxSubjectLength = 200;

std::string base64(std::string_view bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

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

}  // namespace

void register_routes(http::Router& router, Log& log, Follower& follower,
                     identity::Service& identity, ReceiptAccess may_read_receipt) {
  router.add("GET", "/ledger/checkpoint",
             [&log](const http::Request& req, const http::PathParams&) {
               auto c = log.checkpoint();
               if (!c) return with_cache(http::problem(c.error(), req), "no-cache");
               return bytes(c->note, "text/plain; charset=utf-8", "no-cache");
             });

  router.add("GET", "/ledger/tile/{path...}",
             [&log](const http::Request& req, const http::PathParams& p) {
               auto ref = parse_tile_path("tile/" + p.at("path"));
               if (!ref) {
                 return http::problem(
                     Error{ErrorCode::not_found, "/path", "没有这个瓦片", "no such tile"}, req);
               }
               auto tile = log.tile(*ref);
               if (!tile) return http::problem(tile.error(), req);
               // A partial tile is final for its width too, but clients are told to move on to the
               // full tile once it exists, so keep it out of long-lived caches.
               return bytes(std::move(*tile), "application/octet-stream",
                            ref->width == kTileWidth ? kImmutable : kShort);
             });

  router.add("GET", "/api/v1/ledger/key", [&log](const http::Request&, const http::PathParams&) {
    return with_cache(
        http::ok(Json{{"origin", log.origin()}, {"verifier_key", log.verifier_key()}}),
        "public, max-age=300");
  });

  router.add("GET", "/api/v1/ledger/entries/{index}",
             [&log](const http::Request& req, const http::PathParams& p) {
               auto index = parse_count(p.at("index"), "/index");
               if (!index) return http::problem(index.error(), req);
               auto e = log.entry(*index);
               if (!e) return http::problem(e.error(), req);
               return with_cache(http::ok(Json{{"index", e->index},
                                               {"entry", base64(e->data)},
                                               {"leaf_hash", to_base64(e->leaf_hash)}}),
                                 kImmutable);
             });

  router.add("GET", "/api/v1/ledger/proof/inclusion",
             [&log](const http::Request& req, const http::PathParams&) {
               auto index = query_count(req, "index");
               if (!index) return http::problem(index.error(), req);
               auto size = query_count(req, "size");
               if (!size) return http::problem(size.error(), req);
               auto proof = log.inclusion(*index, *size);
               if (!proof) return http::problem(proof.error(), req);
               auto e = log.entry(*index);
               if (!e) return http::problem(e.error(), req);
               return with_cache(http::ok(Json{{"index", *index},
                                               {"size", *size},
                                               {"leaf_hash", to_base64(e->leaf_hash)},
                                               {"proof", proof_json(*proof)}}),
                                 kImmutable);
             });

  router.add(
      "GET", "/api/v1/ledger/proof/consistency",
      [&log](const http::Request& req, const http::PathParams&) {
        auto old_size = query_count(req, "old");
        if (!old_size) return http::problem(old_size.error(), req);
        auto new_size = query_count(req, "new");
        if (!new_size) return http::problem(new_size.error(), req);
        auto proof = log.consistency(*old_size, *new_size);
        if (!proof) return http::problem(proof.error(), req);
        return with_cache(
            http::ok(Json{{"old", *old_size}, {"new", *new_size}, {"proof", proof_json(*proof)}}),
            kImmutable);
      });

  router.add("GET", "/api/v1/ledger/acts",
             [&follower](const http::Request& req, const http::PathParams&) {
               auto type = query_text(req, "subject_type");
               if (!type) return http::problem(type.error(), req);
               auto id = query_text(req, "subject_id");
               if (!id) return http::problem(id.error(), req);
               Json items = Json::array();
               for (const auto& a : follower.acts_of(*type, *id)) items.push_back(act_json(a));
               return with_cache(http::ok(Json{{"items", std::move(items)}}), "no-cache");
             });

  router.add("POST", "/api/v1/ledger/cosignatures",
             [&log](const http::Request& req, const http::PathParams&) {
               const std::string type = req.header("content-type");
               if (type.rfind("text/plain", 0) != 0) {
                 return http::problem(
                     Error{ErrorCode::unsupported_media, "", "联署检查点须以 text/plain 提交",
                           "send the cosigned checkpoint as text/plain"},
                     req);
               }
               if (req.body.size() > kMaxCosignedNote) {
                 return http::problem(Error{ErrorCode::too_large, "", "联署检查点过大",
                                            "the cosigned checkpoint is too large"},
                                      req);
               }
               if (Status s = log.add_cosignature(req.body); !s) {
                 return http::problem(s.error(), req);
               }
               return http::no_content();
             });

  router.add("GET", "/api/v1/ledger/receipts/{subject_type}/{subject_id}",
             [&follower, &identity, may_read_receipt](const http::Request& req,
                                                      const http::PathParams& p) {
               auto who = identity.authenticate(req.bearer_token());
               if (!who) return http::problem(who.error(), req);
               const std::string& type = p.at("subject_type");
               const std::string& id = p.at("subject_id");
               if (!may_read_receipt) {
                 return http::problem(Error{ErrorCode::forbidden, "", "无权查看该回执",
                                            "not allowed to read this receipt"},
                                      req);
               }
               if (Status s = may_read_receipt(*who, type, id); !s) {
                 return http::problem(s.error(), req);
               }
               auto r = follower.receipt(type, id);
               if (!r) return http::problem(r.error(), req);
               Json acts = Json::array();
               for (const auto& a : r->acts) acts.push_back(act_json(a));
               Json body{{"subject_type", r->subject_type},
                         {"subject_id", r->subject_id},
                         {"acts", std::move(acts)},
                         {"party", r->party},
                         {"salt", r->salt_hex},
                         {"commitment", r->commitment}};
               return with_cache(http::ok(body), "no-store");
             });
}

}  // namespace yiwang::ledger
