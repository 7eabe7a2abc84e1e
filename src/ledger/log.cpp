// Log: durable appends (group-committed), integration into the stored tree, signed checkpoints,
// reads (tiles, entries, proofs), witness cosignatures and the self check.
//
// Storage (migrations/0001_init.sql): entries are written by `append`, nodes and the checkpoint
// that covers them by `integrate`, in one transaction, so the level-0 nodes always end exactly at
// the latest checkpoint's size. Readers only serve what the latest checkpoint covers.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <tuple>

#include "core/thread_annotations.h"
#include "core/utf8.h"
#include "ledger/ledger.h"

namespace yiwang::generated {
std::vector<store::Migration> ledger_migrations();
}

namespace yiwang::ledger {

std::vector<store::Migration> migrations() {
  return generated::ledger_migrations();
}

namespace {

// Entries read per integrate transaction: bounds the transaction's size and memory.
constexpr std::int64_t kIntegrateChunk = 1 << 16;
// Rows per multi-row INSERT. Fixed shapes keep the store's prepared-statement cache small.
constexpr std::size_t kInsertShapes[] = {64, 16, 4, 1};

tl::unexpected<Error> internal(std::string en) {
  return fail(ErrorCode::internal, "", "透明账本数据异常", std::move(en));
}

tl::unexpected<Error> invalid(std::string field, std::string zh, std::string en) {
  return fail(ErrorCode::invalid_input, std::move(field), std::move(zh), std::move(en));
}

Status check_entry(std::string_view entry) {
  if (entry.empty()) return invalid("/entry", "账本条目不能为空", "the entry is empty");
  if (entry.size() > kMaxEntryBytes) {
    return invalid("/entry", "账本条目超过 65535 字节", "the entry is over 65535 bytes");
  }
  // PostgreSQL TEXT must be valid UTF-8 without NUL; the log promises text entries anyway.
  if (!core::valid_utf8_text(entry)) {
    return invalid("/entry", "账本条目须为不含 NUL 的 UTF-8 文本",
                   "the entry must be UTF-8 text without NUL bytes");
  }
  return {};
}

// Inserts rows of `columns` values each using a few fixed statement shapes.
void insert_rows(store::Tx& tx, std::string_view table_and_columns, std::size_t columns,
                 const store::Params& values) {
  const std::size_t rows = values.size() / columns;
  std::size_t done = 0;
  std::string one = "(";
  for (std::size_t c = 0; c < columns; ++c) one += c ? ", ?" : "?";
  one += ")";
  while (done < rows) {
    std::size_t n = 1;
    for (std::size_t shape : kInsertShapes) {
      if (rows - done >= shape) {
        n = shape;
        break;
      }
    }
    std::string sql = "INSERT INTO ";
    sql.append(table_and_columns);
    sql += " VALUES ";
    for (std::size_t r = 0; r < n; ++r) sql += (r ? ", " : "") + one;
    store::Params p(values.begin() + static_cast<std::ptrdiff_t>(done * columns),
                    values.begin() + static_cast<std::ptrdiff_t>((done + n) * columns));
    tx.exec(sql, p);
    done += n;
  }
}

// Reads stored nodes with a single query per up to 64 ids; unused slots are padded with an id that
// never exists, so that the statement text (and its prepared statement) is one of a few shapes.
Result<std::vector<Hash>> read_nodes(store::Tx& tx, const std::vector<NodeId>& ids) {
  std::vector<Hash> out(ids.size());
  constexpr std::size_t kShapes[] = {4, 16, 64};
  std::size_t start = 0;
  while (start < ids.size()) {
    std::size_t n = std::min<std::size_t>(64, ids.size() - start);
    std::size_t shape = 64;
    for (std::size_t s : kShapes) {
      if (n <= s) {
        shape = s;
        break;
      }
    }
    std::string sql = "SELECT level, idx, hash FROM ledger_nodes WHERE ";
    store::Params p;
    for (std::size_t i = 0; i < shape; ++i) {
      sql += i ? " OR (level = ? AND idx = ?)" : "(level = ? AND idx = ?)";
      if (i < n) {
        p.emplace_back(std::int64_t{ids[start + i].level});
        p.emplace_back(ids[start + i].index);
      } else {
        p.emplace_back(std::int64_t{-1});
        p.emplace_back(std::int64_t{-1});
      }
    }
    std::map<std::pair<std::int64_t, std::int64_t>, Hash> found;
    for (const auto& row : tx.query(sql, p)) {
      auto h = hash_from_hex(row.text(2));
      if (!h) {
        return internal("ledger: stored node " + row.text(0) + "/" + row.text(1) +
                        " is not a hex hash");
      }
      found[{row.int64(0), row.int64(1)}] = *h;
    }
    for (std::size_t i = 0; i < n; ++i) {
      const NodeId& id = ids[start + i];
      auto it = found.find({id.level, id.index});
      if (it == found.end()) {
        return internal("ledger: node " + std::to_string(id.level) + "/" +
                        std::to_string(id.index) + " is missing");
      }
      out[start + i] = it->second;
    }
    start += n;
  }
  return out;
}

NodeReader reader_of(store::Tx& tx) {
  return [&tx](const std::vector<NodeId>& ids) { return read_nodes(tx, ids); };
}

struct LatestCheckpoint {
  std::int64_t size = 0;
  std::string note;
  core::Millis at_ms = 0;
};

std::optional<LatestCheckpoint> latest_checkpoint(store::Tx& tx) {
  auto row =
      tx.query_one("SELECT size, note, at_ms FROM ledger_checkpoints ORDER BY size DESC LIMIT 1");
  if (!row) return std::nullopt;
  return LatestCheckpoint{row->int64(0), row->text(1), row->int64(2)};
}

std::int64_t latest_size(store::Tx& tx) {
  auto c = latest_checkpoint(tx);
  return c ? c->size : 0;
}

tl::unexpected<Error> beyond_checkpoint() {
  return fail(ErrorCode::not_found, "", "尚未纳入已签名的检查点",
              "not yet covered by a signed checkpoint");
}

// The key file: one line per key. Signer keys ("PRIVATE+KEY+…") sign every checkpoint, the first
// being the primary (published at /api/v1/ledger/key); plain verifier keys are retired signers,
// kept so that checkpoints they signed still pass self_check. Rotation adds a signer line (both
// keys sign while verifiers move to the new one), then turns the old one into a verifier line.
struct KeyRing {
  std::vector<SignerKey> signers;
  std::vector<Verifier> retired;
  std::vector<std::string> retired_lines;  // as written, to carry them over on rotation
};

KeyRing read_key_ring(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("ledger: cannot read the key file " + path);
  KeyRing ring;
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty()) continue;
    if (line.rfind("PRIVATE+KEY+", 0) == 0) {
      auto key = parse_signer_key(line);
      if (!key) {
        throw std::runtime_error("ledger: the key file " + path +
                                 " holds a malformed signer key: " + key.error().message_en);
      }
      ring.signers.push_back(*key);
    } else {
      auto v = parse_verifier_key(line);
      if (!v) throw std::runtime_error("ledger: the key file " + path + " holds a malformed key");
      ring.retired.push_back(*v);
      ring.retired_lines.push_back(line);
    }
  }
  if (ring.signers.empty())
    throw std::runtime_error("ledger: the key file " + path + " has no signer key");
  return ring;
}

KeyRing load_or_create_keys(const Options& options) {
  namespace fs = std::filesystem;
  const fs::path path(options.key_file);
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    if (path.has_parent_path()) fs::create_directories(path.parent_path());
    SignerKey key = generate_key(options.origin, KeyKind::ed25519);
    const std::string line = format_signer_key(key) + "\n";
    // O_EXCL: two processes starting together must not both write (and one lose) a key.
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
      bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
      ok = ::fsync(fd) == 0 && ok;
      ::close(fd);
      if (!ok) throw std::runtime_error("ledger: cannot write the key file " + path.string());
      KeyRing ring;
      ring.signers.push_back(key);
      return ring;
    }
    if (errno != EEXIST) {
      throw std::runtime_error("ledger: cannot create the key file " + path.string());
    }
  }
  return read_key_ring(path.string());
}

std::string witness_name(const Verifier& v) {
  char hash[9];
  std::snprintf(hash, sizeof hash, "%08x", v.key_hash);
  return v.name + "+" + hash;
}

void write_key_file(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("ledger: cannot write " + tmp);
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = ::fsync(fd) == 0 && ok;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    throw std::runtime_error("ledger: cannot replace the key file " + path);
  }
}

}  // namespace

Result<std::string> rotate_key(const std::string& key_file, const std::string& origin,
                               Rotation step) {
  KeyRing ring;
  try {
    ring = read_key_ring(key_file);
  } catch (const std::runtime_error& e) {
    return fail(ErrorCode::invalid_input, "/key_file", "无法读取账本密钥文件", e.what());
  }
  std::string text;
  if (step == Rotation::add) {
    SignerKey fresh = generate_key(origin, KeyKind::ed25519);
    text += format_signer_key(fresh) + "\n";
    ring.signers.insert(ring.signers.begin(), fresh);
    for (std::size_t i = 1; i < ring.signers.size(); ++i) {
      text += format_signer_key(ring.signers[i]) + "\n";
    }
  } else {
    text += format_signer_key(ring.signers.front()) + "\n";
    for (std::size_t i = 1; i < ring.signers.size(); ++i) {
      text += verifier_key(ring.signers[i]) + "\n";
    }
  }
  for (const auto& line : ring.retired_lines) text += line + "\n";
  try {
    write_key_file(key_file, text);
  } catch (const std::runtime_error& e) {
    return fail(ErrorCode::internal, "/key_file", "无法写入账本密钥文件", e.what());
  }
  return verifier_key(ring.signers.front());
}

struct Log::Impl {
  store::Store& store;
  const core::Clock& clock;
  Options options;
  KeyRing keys;               // keys.signers[0] is the primary
  std::string verifier;       // the primary's verifier key
  std::vector<Verifier> own;  // every key that signs or once signed our checkpoints
  std::vector<Verifier> witnesses;

  // Constant after construction: store, clock, options, keys, verifier, own, witnesses.

  // Full tiles and entry bundles never change once the tree covers them: the encoded bytes are
  // kept (first in, first out, up to kTileCacheBytes) so a popular tile is not rebuilt from
  // hundreds of rows per request. Partial tiles are always rebuilt.
  static constexpr std::size_t kTileCacheBytes = 64u << 20;
  using TileKey = std::tuple<bool, int, std::int64_t>;
  core::Mutex tile_mu;
  std::map<TileKey, std::string> full_tiles GUARDED_BY(tile_mu);
  std::deque<TileKey> tile_order GUARDED_BY(tile_mu);
  std::size_t tile_bytes GUARDED_BY(tile_mu) = 0;

  std::optional<std::string> cached_tile(const TileKey& key) EXCLUDES(tile_mu) {
    core::MutexLock lock(tile_mu);
    auto it = full_tiles.find(key);
    if (it == full_tiles.end()) return std::nullopt;
    return it->second;
  }
  void keep_tile(const TileKey& key, const std::string& bytes) EXCLUDES(tile_mu) {
    core::MutexLock lock(tile_mu);
    if (!full_tiles.emplace(key, bytes).second) return;
    tile_order.push_back(key);
    tile_bytes += bytes.size();
    while (tile_bytes > kTileCacheBytes && !tile_order.empty()) {
      auto old = full_tiles.find(tile_order.front());
      tile_bytes -= old->second.size();
      full_tiles.erase(old);
      tile_order.pop_front();
    }
  }

  // Group commit: callers queue, one committer thread writes up to max_batch per transaction.
  struct Pending {
    std::string entry;
    Hash leaf{};
    std::promise<Result<Appended>> done;
  };
  core::Mutex queue_mu;
  core::CondVar queue_cv;  // signalled when an entry is queued or the log stops
  std::deque<Pending*> queue GUARDED_BY(queue_mu);
  bool stopping GUARDED_BY(queue_mu) = false;
  std::thread committer;

  // The tree as of the latest checkpoint this process saw. integrate_mu also serialises
  // integrate() calls of this process.
  core::Mutex integrate_mu;
  Edge edge GUARDED_BY(integrate_mu);
  // Highest checkpoint size this process published or loaded: the store going below it is a
  // rollback that self_check reports.
  std::atomic<std::int64_t> high_water{0};

  Impl(store::Store& s, const core::Clock& c, Options o)
      : store(s), clock(c), options(std::move(o)) {}

  // Assigns `entries.size()` consecutive indices and writes the entries; returns the first index.
  // The head row's lock serialises appenders (on PostgreSQL too), so commit order is index order
  // and every reader sees a dense prefix.
  std::int64_t append_rows(store::Tx& tx, const std::vector<const std::string*>& entries) {
    const auto n = static_cast<std::int64_t>(entries.size());
    tx.exec("UPDATE ledger_head SET next_index = next_index + ? WHERE id = 1", {n});
    auto row = tx.query_one("SELECT next_index FROM ledger_head WHERE id = 1");
    if (!row) throw store::StoreError("ledger: the head row is missing");
    const std::int64_t first = row->int64(0) - n;
    const core::Millis now = clock.now_ms();
    store::Params values;
    values.reserve(entries.size() * 3);
    for (std::int64_t i = 0; i < n; ++i) {
      values.emplace_back(first + i);
      values.emplace_back(*entries[static_cast<std::size_t>(i)]);
      values.emplace_back(now);
    }
    insert_rows(tx, "ledger_entries (idx, data, at_ms)", 3, values);
    return first;
  }

  void commit_loop() EXCLUDES(queue_mu) {
    std::vector<Pending*> batch;
    while (true) {
      {
        core::MutexLock lock(queue_mu);
        while (!stopping && queue.empty()) queue_cv.wait(queue_mu);
        if (queue.empty()) return;  // stopping and drained
        const auto max = static_cast<std::size_t>(std::max(1, options.max_batch));
        batch.clear();
        while (!queue.empty() && batch.size() < max) {
          batch.push_back(queue.front());
          queue.pop_front();
        }
      }
      std::vector<const std::string*> entries;
      entries.reserve(batch.size());
      for (Pending* p : batch) entries.push_back(&p->entry);
      Result<std::int64_t> first = tl::unexpected<Error>(Error{});
      try {
        first = store.write(
            [&](store::Tx& tx) -> Result<std::int64_t> { return append_rows(tx, entries); });
      } catch (const std::exception& e) {
        first = internal(std::string("ledger: append failed: ") + e.what());
      }
      for (std::size_t i = 0; i < batch.size(); ++i) {
        if (first) {
          batch[i]->done.set_value(Appended{*first + static_cast<std::int64_t>(i), batch[i]->leaf});
        } else {
          batch[i]->done.set_value(tl::unexpected<Error>(first.error()));
        }
      }
    }
  }

  // The checkpoint note for `c`, signed by every signer key (the primary first).
  std::string sign_checkpoint(const Checkpoint& c) const {
    std::string note = sign_note(checkpoint_body(c), keys.signers.front());
    for (std::size_t k = 1; k < keys.signers.size(); ++k) {
      auto extra = parse_note(sign_note(checkpoint_body(c), keys.signers[k]));
      if (extra && !extra->lines.empty()) note = add_signature_line(note, extra->lines.front());
    }
    return note;
  }

  // One integrate transaction: the entries after the latest checkpoint (up to kIntegrateChunk)
  // go into the tree `current` had (or the stored one, when another instance moved on) as `next`,
  // with their nodes and a signed checkpoint. Returns the new size; `full_chunk` says whether
  // more entries may wait.
  Result<std::int64_t> integrate_chunk(store::Tx& tx, const Edge& current, Edge& next,
                                       bool& full_chunk) {
    const std::int64_t from = latest_size(tx);
    // Another instance (PostgreSQL) may have integrated since we last looked.
    if (current.size == from) {
      next = current;
    } else {
      auto e = load_edge(tx, from);
      if (!e) return fail(e.error());
      next = std::move(*e);
    }
    auto rows = tx.query("SELECT idx, data FROM ledger_entries WHERE idx >= ? ORDER BY idx LIMIT ?",
                         {from, kIntegrateChunk});
    full_chunk = static_cast<std::int64_t>(rows.size()) == kIntegrateChunk;
    std::vector<Hash> leaves;
    leaves.reserve(rows.size());
    for (const auto& row : rows) {
      // Commit order is index order, so a gap is not a transaction in flight but a deleted row:
      // integrate only the dense prefix and let self_check name the hole.
      if (row.int64(0) != from + static_cast<std::int64_t>(leaves.size())) break;
      leaves.push_back(leaf_hash(row.text(1)));
    }
    if (leaves.empty()) return from;
    const auto nodes = ledger::integrate(next, leaves);
    store::Params values;
    values.reserve(nodes.size() * 3);
    for (const auto& n : nodes) {
      values.emplace_back(std::int64_t{n.id.level});
      values.emplace_back(n.id.index);
      values.emplace_back(to_hex(n.hash));
    }
    insert_rows(tx, "ledger_nodes (level, idx, hash)", 3, values);
    Checkpoint c;
    c.origin = options.origin;
    c.size = next.size;
    c.root = root_of(next);
    tx.exec("INSERT INTO ledger_checkpoints (size, root, note, at_ms) VALUES (?, ?, ?, ?)",
            {c.size, to_hex(c.root), sign_checkpoint(c), clock.now_ms()});
    return c.size;
  }

  // Loads the edge of the tree of `size` leaves from the store, checking it against `root` when
  // given.
  Result<Edge> load_edge(store::Tx& tx, std::int64_t size) {
    auto e = edge_of(size, reader_of(tx));
    if (!e) return fail(e.error());
    return *e;
  }
};

Log::Log(store::Store& store, const core::Clock& clock, Options options)
    : impl_(std::make_unique<Impl>(store, clock, std::move(options))) {
  Impl& m = *impl_;
  m.keys = load_or_create_keys(m.options);
  for (const auto& k : m.keys.signers) {
    if (k.name != m.options.origin) {
      // C2SP: a checkpoint's signature is by a key named after its origin; verifiers check it.
      throw std::runtime_error("ledger: the key " + k.name + " does not match the origin " +
                               m.options.origin);
    }
    auto v = parse_verifier_key(ledger::verifier_key(k));
    if (!v) throw std::runtime_error("ledger: cannot parse our own verifier key");
    m.own.push_back(*v);
  }
  m.own.insert(m.own.end(), m.keys.retired.begin(), m.keys.retired.end());
  m.verifier = ledger::verifier_key(m.keys.signers.front());
  for (const auto& w : m.options.witness_keys) {
    auto v = parse_verifier_key(w);
    if (!v) throw std::runtime_error("ledger: malformed witness key: " + w);
    m.witnesses.push_back(*v);
  }
  auto loaded = store.read([&](store::Tx& tx) -> Result<Edge> {
    auto latest = latest_checkpoint(tx);
    auto edge = m.load_edge(tx, latest ? latest->size : 0);
    if (!edge) return edge;
    if (latest) {
      auto note = parse_note(latest->note);
      auto body = note ? parse_checkpoint_body(note->text) : Result<Checkpoint>(fail(note.error()));
      if (!body || body->size != latest->size || body->root != root_of(*edge)) {
        return internal("ledger: the latest checkpoint does not match the stored tree");
      }
    }
    return edge;
  });
  if (!loaded) {
    throw std::runtime_error("ledger: cannot load the stored tree: " + loaded.error().message_en);
  }
  {
    core::MutexLock lock(m.integrate_mu);
    m.edge = std::move(*loaded);
    m.high_water = m.edge.size;
  }
  m.committer = std::thread([&m] { m.commit_loop(); });
}

Log::~Log() {
  {
    core::MutexLock lock(impl_->queue_mu);
    impl_->stopping = true;
  }
  impl_->queue_cv.signal_all();
  if (impl_->committer.joinable()) impl_->committer.join();
}

Result<Appended> Log::append(std::string entry) {
  if (Status s = check_entry(entry); !s) return fail(s.error());
  Impl::Pending p;
  p.leaf = leaf_hash(entry);
  p.entry = std::move(entry);
  auto result = p.done.get_future();
  {
    core::MutexLock lock(impl_->queue_mu);
    if (impl_->stopping) {
      return fail(ErrorCode::overloaded, "", "透明账本正在关闭", "the ledger is shutting down");
    }
    impl_->queue.push_back(&p);
  }
  impl_->queue_cv.signal();
  return result.get();
}

Result<Appended> Log::append_in(store::Tx& tx, std::string entry) {
  if (Status s = check_entry(entry); !s) return fail(s.error());
  const std::int64_t index = impl_->append_rows(tx, {&entry});
  return Appended{index, leaf_hash(entry)};
}

Result<std::int64_t> Log::integrate() {
  Impl& m = *impl_;
  core::MutexLock lock(m.integrate_mu);
  while (true) {
    Edge next;
    bool full_chunk = false;
    auto size = m.store.write([&, current = m.edge](store::Tx& tx) -> Result<std::int64_t> {
      return m.integrate_chunk(tx, current, next, full_chunk);
    });
    if (!size) return size;
    m.edge = next;
    if (*size > m.high_water) m.high_water = *size;
    if (!full_chunk) return *size;
  }
}

Result<SignedCheckpoint> Log::checkpoint() {
  return impl_->store.read([&](store::Tx& tx) -> Result<SignedCheckpoint> {
    auto latest = latest_checkpoint(tx);
    if (!latest) {
      return fail(ErrorCode::not_found, "", "尚无检查点", "no checkpoint has been published yet");
    }
    auto note = parse_note(latest->note);
    if (!note) return internal("ledger: stored checkpoint note is malformed");
    auto body = parse_checkpoint_body(note->text);
    if (!body) return internal("ledger: stored checkpoint body is malformed");
    SignedCheckpoint out;
    out.checkpoint = *body;
    out.note = latest->note;
    out.at_ms = latest->at_ms;
    for (const auto& row :
         tx.query("SELECT line FROM ledger_cosignatures WHERE size = ? ORDER BY witness",
                  {latest->size})) {
      out.note = add_signature_line(out.note, row.text(0));
    }
    return out;
  });
}

Result<std::string> Log::tile(const TileRef& ref) {
  Impl& m = *impl_;
  const Impl::TileKey key{ref.entries, ref.level, ref.index};
  const bool full = ref.width == kTileWidth;
  auto built = m.store.read([&](store::Tx& tx) -> Result<std::string> {
    // Existence is decided by the latest checkpoint on every request, cached or not.
    const std::int64_t size = latest_size(tx);
    if (ref.width < 1 || ref.width > kTileWidth || ref.index < 0 || ref.level < 0 ||
        !tile_exists(ref, size)) {
      return beyond_checkpoint();
    }
    if (full) {
      if (auto cached = m.cached_tile(key)) return std::move(*cached);
    }
    const std::int64_t first = ref.index * kTileWidth;
    if (ref.entries) {
      std::vector<std::string> entries;
      for (const auto& row :
           tx.query("SELECT idx, data FROM ledger_entries WHERE idx >= ? AND idx < ? ORDER BY idx",
                    {first, first + ref.width})) {
        if (row.int64(0) != first + static_cast<std::int64_t>(entries.size())) break;
        entries.push_back(row.text(1));
      }
      if (static_cast<int>(entries.size()) != ref.width) {
        return internal("ledger: entry " + std::to_string(first + entries.size()) + " is missing");
      }
      return encode_entry_bundle(entries);
    }
    std::vector<Hash> hashes;
    for (const auto& row :
         tx.query("SELECT idx, hash FROM ledger_nodes WHERE level = ? AND idx >= ? AND idx < ? "
                  "ORDER BY idx",
                  {std::int64_t{ref.level} * kTileHeight, first, first + ref.width})) {
      auto h = hash_from_hex(row.text(1));
      if (!h || row.int64(0) != first + static_cast<std::int64_t>(hashes.size())) break;
      hashes.push_back(*h);
    }
    if (static_cast<int>(hashes.size()) != ref.width) {
      return internal("ledger: tile " + tile_path(ref) + " has missing or malformed nodes");
    }
    return encode_hash_tile(hashes);
  });
  if (built && full) m.keep_tile(key, *built);
  return built;
}

Result<Entry> Log::entry(std::int64_t index) {
  return impl_->store.read([&](store::Tx& tx) -> Result<Entry> {
    if (index < 0) return invalid("/index", "序号须为非负整数", "index must be non-negative");
    if (index >= latest_size(tx)) return beyond_checkpoint();
    auto row = tx.query_one("SELECT data FROM ledger_entries WHERE idx = ?", {index});
    if (!row) return internal("ledger: entry " + std::to_string(index) + " is missing");
    Entry e;
    e.index = index;
    e.data = row->text(0);
    e.leaf_hash = leaf_hash(e.data);
    return e;
  });
}

Result<std::vector<Hash>> Log::inclusion(std::int64_t index, std::int64_t size) {
  return impl_->store.read([&](store::Tx& tx) -> Result<std::vector<Hash>> {
    if (size < 1) return invalid("/size", "树大小须为正整数", "size must be positive");
    if (index < 0 || index >= size) {
      return invalid("/index", "序号须小于树大小", "index must be in [0, size)");
    }
    if (size > latest_size(tx)) return beyond_checkpoint();
    return inclusion_proof(index, size, reader_of(tx));
  });
}

Result<std::vector<Hash>> Log::consistency(std::int64_t old_size, std::int64_t new_size) {
  return impl_->store.read([&](store::Tx& tx) -> Result<std::vector<Hash>> {
    if (old_size < 1) return invalid("/old", "旧树大小须为正整数", "old must be positive");
    if (new_size < old_size) {
      return invalid("/new", "新树大小不能小于旧树大小", "new must not be smaller than old");
    }
    if (new_size > latest_size(tx)) return beyond_checkpoint();
    return consistency_proof(old_size, new_size, reader_of(tx));
  });
}

std::string Log::verifier_key() const {
  return impl_->verifier;
}

const std::string& Log::origin() const {
  return impl_->options.origin;
}

Status Log::add_cosignature(std::string_view cosigned_note) {
  Impl& m = *impl_;
  auto bad = [](std::string zh, std::string en) {
    return fail(ErrorCode::invalid_input, "signature", std::move(zh), std::move(en));
  };
  auto note = parse_note(cosigned_note);
  if (!note) return bad("联署的检查点格式有误", "the cosigned checkpoint is not a signed note");
  auto body = parse_checkpoint_body(note->text);
  if (!body || body->origin != m.options.origin) {
    return bad("不是本账本的检查点", "not a checkpoint of this log");
  }
  // Accept one line per configured witness, each checked on its own so a bad line of one witness
  // does not hide the good line of another.
  std::vector<std::pair<std::string, std::string>> accepted;  // witness, line
  for (const auto& line : note->lines) {
    const std::string single = format_note(Note{note->text, {line}});
    for (const auto& w : m.witnesses) {
      if (verify_note(single, w)) {
        accepted.emplace_back(witness_name(w), line);
        break;
      }
    }
  }
  if (accepted.empty()) {
    return bad("没有来自受信见证方的有效联署", "no valid cosignature of a configured witness");
  }
  const core::Millis now = m.clock.now_ms();
  return m.store.write([&](store::Tx& tx) -> Status {
    auto row = tx.query_one("SELECT note FROM ledger_checkpoints WHERE size = ?", {body->size});
    auto ours = row ? parse_note(row->text(0)) : Result<Note>(bad("", ""));
    if (!ours || ours->text != note->text) {
      return bad("不是本账本签发的检查点", "not a checkpoint this log signed");
    }
    for (const auto& [witness, line] : accepted) {
      // The latest cosignature of a witness replaces its earlier one for the same checkpoint.
      tx.exec("DELETE FROM ledger_cosignatures WHERE size = ? AND witness = ?",
              {body->size, witness});
      tx.exec("INSERT INTO ledger_cosignatures (size, witness, line, at_ms) VALUES (?, ?, ?, ?)",
              {body->size, witness, line, now});
    }
    return {};
  });
}

namespace {

tl::unexpected<Error> broken(std::int64_t index, const std::string& what) {
  return internal("ledger: index " + std::to_string(index) + ": " + what);
}

constexpr std::int64_t kCheckChunk = 4096;

// The entries against the stored leaf hashes, in chunks: every index from 0 present, and those
// below `size` hashing to their leaf. Returns the number of entries.
Result<std::int64_t> check_entries(store::Tx& tx, std::int64_t size) {
  std::int64_t expect = 0;
  while (true) {
    auto entries =
        tx.query("SELECT idx, data FROM ledger_entries WHERE idx >= ? ORDER BY idx LIMIT ?",
                 {expect, kCheckChunk});
    std::map<std::int64_t, Hash> leaves;
    if (!entries.empty() && expect < size) {
      for (const auto& row :
           tx.query("SELECT idx, hash FROM ledger_nodes WHERE level = 0 AND idx >= ? AND idx < ?",
                    {expect, expect + kCheckChunk + 1})) {
        auto h = hash_from_hex(row.text(1));
        if (!h) return broken(row.int64(0), "its stored leaf hash is malformed");
        leaves[row.int64(0)] = *h;
      }
    }
    for (const auto& row : entries) {
      const std::int64_t idx = row.int64(0);
      if (idx != expect) return broken(expect, "the entry is missing");
      if (idx < size) {
        auto it = leaves.find(idx);
        if (it == leaves.end()) return broken(idx, "its leaf hash is missing");
        if (it->second != leaf_hash(row.text(1))) {
          return broken(idx, "the entry does not match its leaf hash");
        }
      }
      ++expect;
    }
    if (static_cast<std::int64_t>(entries.size()) < kCheckChunk) break;
  }
  if (expect < size) return broken(expect, "the entry is missing");
  return expect;
}

// Each node of `level` (≥ 1) below `want` is the hash of its two children.
Status check_inner_nodes(store::Tx& tx, int level, std::int64_t want) {
  for (std::int64_t from = 0; from < want; from += kCheckChunk) {
    const std::int64_t to = std::min(want, from + kCheckChunk);
    std::vector<Hash> kids;
    for (const auto& row :
         tx.query("SELECT idx, hash FROM ledger_nodes WHERE level = ? AND idx >= ? AND idx < ? "
                  "ORDER BY idx",
                  {std::int64_t{level - 1}, 2 * from, 2 * to})) {
      auto h = hash_from_hex(row.text(1));
      if (!h) return broken(row.int64(0) << (level - 1), "a stored node is malformed");
      kids.push_back(*h);
    }
    std::int64_t i = from;
    for (const auto& row :
         tx.query("SELECT idx, hash FROM ledger_nodes WHERE level = ? AND idx >= ? AND idx < ? "
                  "ORDER BY idx",
                  {std::int64_t{level}, from, to})) {
      auto h = hash_from_hex(row.text(1));
      const auto k = static_cast<std::size_t>(2 * (i - from));
      if (!h || k + 1 >= kids.size() || *h != node_hash(kids[k], kids[k + 1])) {
        return broken(i << level, "node " + std::to_string(level) + "/" + std::to_string(i) +
                                      " is not the hash of its children");
      }
      ++i;
    }
  }
  return {};
}

// Each level holds exactly the complete subtrees of the checkpointed tree (more means the
// checkpoint table went back), and each inner node is the hash of its children.
Status check_nodes(store::Tx& tx, std::int64_t size) {
  for (int level = 0; level < 63; ++level) {
    const std::int64_t want = size >> level;
    auto count = tx.query_one("SELECT COUNT(*), MAX(idx) FROM ledger_nodes WHERE level = ?",
                              {std::int64_t{level}});
    const std::int64_t have = count ? count->int64(0) : 0;
    const std::int64_t max = count && !count->is_null(1) ? count->int64(1) : -1;
    if (have != want || max != want - 1) {
      const std::int64_t first = (have > want || max >= want) ? want : have;
      return broken(first << level, "level " + std::to_string(level) + " holds " +
                                        std::to_string(have) + " nodes, the checkpoint of size " +
                                        std::to_string(size) + " needs " + std::to_string(want));
    }
    if (want == 0) break;
    if (level == 0) continue;
    if (Status s = check_inner_nodes(tx, level, want); !s) return s;
  }
  return {};
}

// Every stored checkpoint: signed by one of `own`, for `origin`, with the root of the stored tree.
Status check_checkpoints(store::Tx& tx, const std::vector<Verifier>& own,
                         const std::string& origin) {
  for (const auto& row :
       tx.query("SELECT size, root, note FROM ledger_checkpoints ORDER BY size")) {
    const std::int64_t at = row.int64(0);
    auto note = parse_note(row.text(2));
    auto body = note ? parse_checkpoint_body(note->text) : Result<Checkpoint>(fail(note.error()));
    const bool ours = std::any_of(own.begin(), own.end(), [&](const Verifier& v) {
      return static_cast<bool>(verify_note(row.text(2), v));
    });
    if (!note || !body || body->size != at || body->origin != origin || !ours) {
      return broken(at, "the checkpoint of size " + std::to_string(at) + " is not validly signed");
    }
    auto root = root_hash(at, reader_of(tx));
    if (!root || *root != body->root || to_hex(*root) != row.text(1)) {
      return broken(
          at, "the checkpoint of size " + std::to_string(at) + " does not match the stored tree");
    }
  }
  return {};
}

}  // namespace

Status Log::self_check() {
  Impl& m = *impl_;
  return m.store.read([&](store::Tx& tx) -> Status {
    const std::int64_t size = latest_size(tx);
    if (size < m.high_water) {
      return broken(size, "the latest checkpoint (size " + std::to_string(size) +
                              ") is older than one already published (size " +
                              std::to_string(m.high_water.load()) + "): rolled back");
    }
    auto entries = check_entries(tx, size);
    if (!entries) return fail(entries.error());
    const std::int64_t expect = *entries;
    auto head = tx.query_one("SELECT next_index FROM ledger_head WHERE id = 1");
    if (!head || head->int64(0) != expect) {
      return broken(std::min(expect, head ? head->int64(0) : 0),
                    "entries and the head counter disagree");
    }
    if (Status s = check_nodes(tx, size); !s) return s;
    return check_checkpoints(tx, m.own, m.options.origin);
  });
}

}  // namespace yiwang::ledger
