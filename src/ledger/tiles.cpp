#include "ledger/tiles.h"

#include <charconv>
#include <cstdint>
#include <stdexcept>

namespace yiwang::ledger {
namespace {

std::string three_digits(std::int64_t v) {
  std::string s = std::to_string(v);
  return std::string(3 - s.size(), '0') + s;
}

std::string encode_index(std::int64_t n) {
  std::string out = three_digits(n % 1000);
  for (n /= 1000; n > 0; n /= 1000) out = "x" + three_digits(n % 1000) + "/" + out;
  return out;
}

std::optional<std::int64_t> parse_uint(std::string_view s, std::int64_t max) {
  if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v > max) return std::nullopt;
  return v;
}

}  // namespace

std::string tile_path(const TileRef& t) {
  std::string out = t.entries ? "tile/entries/" : "tile/" + std::to_string(t.level) + "/";
  out += encode_index(t.index);
  if (t.width != kTileWidth) out += ".p/" + std::to_string(t.width);
  return out;
}

std::optional<TileRef> parse_tile_path(std::string_view path) {
  std::vector<std::string_view> parts;
  for (std::size_t at = 0;;) {
    auto slash = path.find('/', at);
    parts.push_back(path.substr(at, slash == std::string_view::npos ? slash : slash - at));
    if (slash == std::string_view::npos) break;
    at = slash + 1;
  }
  if (parts.size() < 3 || parts[0] != "tile") return std::nullopt;
  TileRef t;
  if (parts[1] == "entries") {
    t.entries = true;
  } else {
    auto level = parse_uint(parts[1], 63);
    if (!level) return std::nullopt;
    t.level = static_cast<int>(*level);
  }
  std::size_t end = parts.size();
  // A partial tile ends in "<last group>.p/<W>".
  if (end >= 4 && parts[end - 2].ends_with(".p")) {
    auto w = parse_uint(parts[end - 1], kTileWidth - 1);
    if (!w || *w < 1) return std::nullopt;
    t.width = static_cast<int>(*w);
    parts[end - 2].remove_suffix(2);
    --end;
  }
  std::int64_t index = 0;
  for (std::size_t i = 2; i < end; ++i) {
    std::string_view g = parts[i];
    bool last = i + 1 == end;
    if (!last) {
      if (!g.starts_with("x")) return std::nullopt;
      g.remove_prefix(1);
    }
    if (g.size() != 3) return std::nullopt;
    auto v = parse_uint(g, 999);
    if (!v) return std::nullopt;
    if (index > (INT64_MAX - 999) / 1000) return std::nullopt;
    index = index * 1000 + *v;
  }
  t.index = index;
  // Only the canonical spelling is a tile path: no leading "x000/" groups and the like.
  if (tile_path(t) != path) return std::nullopt;
  return t;
}

std::int64_t hashes_at_tile_level(std::int64_t size, int level) {
  if (size <= 0 || level < 0) return 0;
  int shift = kTileHeight * level;
  return shift >= 63 ? 0 : size >> shift;
}

bool tile_exists(const TileRef& t, std::int64_t tree_size) {
  if (t.index < 0 || t.width < 1 || t.width > kTileWidth) return false;
  std::int64_t available = t.entries ? tree_size : hashes_at_tile_level(tree_size, t.level);
  if (t.index > (available - t.width) / kTileWidth) return false;
  return t.index * kTileWidth + t.width <= available;
}

std::vector<NodeId> tile_nodes(const TileRef& t) {
  std::vector<NodeId> ids;
  ids.reserve(static_cast<std::size_t>(t.width));
  for (int i = 0; i < t.width; ++i) {
    ids.push_back(NodeId{kTileHeight * t.level, t.index * kTileWidth + i});
  }
  return ids;
}

std::string encode_hash_tile(const std::vector<Hash>& hashes) {
  std::string out;
  out.reserve(hashes.size() * 32);
  for (const auto& h : hashes) out.append(reinterpret_cast<const char*>(h.data()), h.size());
  return out;
}

std::string encode_entry_bundle(const std::vector<std::string>& entries) {
  std::string out;
  for (const auto& e : entries) {
    // The log refuses longer entries at append time; one here is a bug.
    if (e.size() > kMaxEntryBytes) throw std::invalid_argument("ledger entry over 65535 bytes");
    out.push_back(static_cast<char>(e.size() >> 8));
    out.push_back(static_cast<char>(e.size() & 0xff));
    out += e;
  }
  return out;
}

Result<std::vector<std::string>> decode_entry_bundle(std::string_view bundle) {
  std::vector<std::string> out;
  while (!bundle.empty()) {
    if (bundle.size() < 2) {
      return fail(ErrorCode::invalid_input, "bundle", "条目包被截断", "entry bundle is truncated");
    }
    std::size_t len = (static_cast<std::size_t>(static_cast<unsigned char>(bundle[0])) << 8) |
                      static_cast<unsigned char>(bundle[1]);
    bundle.remove_prefix(2);
    if (bundle.size() < len) {
      return fail(ErrorCode::invalid_input, "bundle", "条目包被截断", "entry bundle is truncated");
    }
    out.emplace_back(bundle.substr(0, len));
    bundle.remove_prefix(len);
  }
  return out;
}

}  // namespace yiwang::ledger
