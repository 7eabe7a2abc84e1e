// Uploaded materials: content-addressed files on disk, a row per file and per uploader.
//
// The bytes are durable (temp file, fsync, rename, fsync of the directory) before the row
// commits, so an acknowledged upload always has its file; a crash in between leaves at worst an
// orphan file that the next upload of the same bytes reuses.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>


#include <nlohmann/json.hpp>

#include "cases/internal.h"
#include "core/digest.h"
#include "cases/workflow.h"

namespace yiwang::cases {
namespace {

namespace fs = std::filesystem;

struct Magic {
  std::string_view content_type;
  std::string_view prefix;
};
// OFD (GB/T 33190) is a ZIP container.
constexpr std::array<Magic, 4> kMagics = {{
    {"application/pdf", std::string_view("%PDF-", 5)},
    {"image/jpeg", std::string_view("\xFF\xD8\xFF", 3)},
    {"image/png", std::string_view("\x89PNG\r\n\x1A\n", 8)},
    {"application/ofd", std::string_view("PK\x03\x04", 4)},
}};

fs::path file_path(const Options& o, const std::string& sha) {
  return fs::path(o.files_dir) / sha.substr(0, 2) / sha;
}

Status io_error(const std::string& what) {
  return fail(ErrorCode::internal, "", "文件存储失败", what + ": " + std::strerror(errno));
}

Status fsync_path(const fs::path& p, int flags) {
  int fd = ::open(p.c_str(), flags);
  if (fd < 0) return io_error("open " + p.string());
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return io_error("fsync " + p.string());
  return {};
}

// Writes `bytes` to `target` durably unless it is already there with the right size.
Status store_bytes(const fs::path& target, std::string_view bytes, core::Random& random) {
  std::error_code ec;
  if (fs::exists(target, ec) &&
      fs::file_size(target, ec) == static_cast<std::uintmax_t>(bytes.size()) && !ec) {
    return {};
  }
  fs::create_directories(target.parent_path(), ec);
  if (ec) return fail(ErrorCode::internal, "", "文件存储失败", "mkdir: " + ec.message());
  fs::path tmp =
      target.parent_path() / ("." + target.filename().string() + "." + random.hex(8) + ".tmp");
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd < 0) return io_error("create " + tmp.string());
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      auto st = io_error("write " + tmp.string());
      ::close(fd);
      ::unlink(tmp.c_str());
      return st;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    auto st = io_error("fsync " + tmp.string());
    ::close(fd);
    ::unlink(tmp.c_str());
    return st;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    auto st = io_error("rename " + tmp.string());
    ::unlink(tmp.c_str());
    return st;
  }
  return fsync_path(target.parent_path(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return out;
}

tl::unexpected<Error> over_quota(std::string zh, std::string en, int retry_after_s) {
  Error e{ErrorCode::rate_limited, "", std::move(zh), std::move(en)};
  e.retry_after_s = retry_after_s;
  return fail(std::move(e));
}

// Seconds until the next Beijing midnight, when the daily quotas start again.
int seconds_to_midnight(core::Millis now) {
  const core::Millis next = core::china_midnight(core::china_date(now)) + core::kDayMs;
  return static_cast<int>(std::max<core::Millis>(1000, next - now) / 1000);
}

// The quotas of citizens' and businesses' uploads; officials have none.
Status check_quotas(store::Tx& tx, const Options& o, const identity::Principal& by,
                    std::string_view address, std::int64_t size, core::Millis now) {
  if (by.is_official()) return {};
  const core::Millis since = core::china_midnight(core::china_date(now));
  auto used = [&](const char* column, const std::string& key) {
    auto row = tx.query_one(std::string("SELECT COUNT(*), COALESCE(SUM(f.size), 0) FROM "
                                        "file_uploads u JOIN files f ON f.sha256 = u.sha256 "
                                        "WHERE u.") +
                                column + " = ? AND u.uploaded_at_ms >= ?",
                            {key, since});
    return std::make_pair(row->int64(0), row->int64(1));
  };
  const auto [files, bytes] = used("user_id", by.user_id);
  if (files + 1 > o.max_uploads_per_day || bytes + size > o.max_upload_bytes_per_day) {
    return over_quota("今日上传已达上限，请明日再传", "daily upload quota of this account reached",
                      seconds_to_midnight(now));
  }
  if (!address.empty()) {
    const auto [afiles, abytes] = used("remote_address", std::string(address));
    if (afiles + 1 > o.max_uploads_per_address_day ||
        abytes + size > o.max_upload_bytes_per_address_day) {
      return over_quota("该网络今日上传已达上限，请明日再传",
                        "daily upload quota of this address reached", seconds_to_midnight(now));
    }
  }
  return {};
}

tl::unexpected<Error> file_not_found() {
  return fail(ErrorCode::not_found, "", "文件不存在", "file not found");
}

}  // namespace

Result<FileRef> Service::put_file(std::string_view content_type, std::string_view bytes,
                                  const identity::Principal& by, std::string_view remote_address) {
  Impl& m = *impl_;
  if (bytes.empty()) {
    return fail(ErrorCode::invalid_input, "", "文件为空", "the file is empty");
  }
  if (static_cast<std::int64_t>(bytes.size()) > m.options.max_file_bytes) {
    return fail(ErrorCode::too_large, "", "文件过大",
                "file larger than " + std::to_string(m.options.max_file_bytes) + " bytes");
  }
  std::string type = lower(content_type);
  if (auto semi = type.find(';'); semi != std::string::npos) type.resize(semi);
  while (!type.empty() && type.back() == ' ') type.pop_back();
  auto magic = std::find_if(kMagics.begin(), kMagics.end(),
                            [&](const Magic& mg) { return mg.content_type == type; });
  if (magic == kMagics.end()) {
    return fail(ErrorCode::unsupported_media, "", "只接受 PDF、JPEG、PNG 或 OFD 文件",
                "only application/pdf, image/jpeg, image/png and application/ofd are accepted");
  }
  if (bytes.substr(0, magic->prefix.size()) != magic->prefix) {
    return fail(ErrorCode::unsupported_media, "", "文件内容与声明的类型不符",
                "the file's content does not match its declared type " + type);
  }
  const std::string sha = core::sha256_hex(bytes);
  const auto size = static_cast<std::int64_t>(bytes.size());
  if (!by.is_official()) {
    if (auto st = m.upload_burst.check(by.user_id, m.clock.now_ms(), "上传过于频繁，请稍后再试",
                                       "too many uploads in a minute");
        !st) {
      return fail(st.error());
    }
    // Checked before the bytes are written, and again in the transaction that counts them.
    auto quota = m.store.read([&](store::Tx& tx) -> Status {
      if (tx.query_one("SELECT 1 FROM file_uploads WHERE sha256 = ? AND user_id = ?",
                       {sha, by.user_id})) {
        return {};  // the same file again is not a new one
      }
      return check_quotas(tx, m.options, by, remote_address, size, m.clock.now_ms());
    });
    if (!quota) return fail(quota.error());
  }
  if (auto st = store_bytes(file_path(m.options, sha), bytes, m.random); !st)
    return fail(st.error());

  return m.store.write([&](store::Tx& tx) -> Result<FileRef> {
    const core::Millis now = m.clock.now_ms();
    const bool known = tx.query_one("SELECT 1 FROM file_uploads WHERE sha256 = ? AND user_id = ?",
                                    {sha, by.user_id})
                           .has_value();
    if (!known) {
      if (auto st = check_quotas(tx, m.options, by, remote_address, size, now); !st)
        return fail(st.error());
    }
    FileRef ref{sha, static_cast<std::int64_t>(bytes.size()), type, by.user_id, now};
    tx.exec(
        "INSERT INTO files (sha256, size, content_type, uploaded_by, uploaded_at_ms) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        {sha, ref.size, type, by.user_id, now});
    tx.exec(
        "INSERT INTO file_uploads (sha256, user_id, uploaded_at_ms, remote_address) "
        "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        {sha, by.user_id, now, std::string(remote_address)});
    events::append(
        tx, m.clock,
        {.type = "file.uploaded",
         .subject_type = "file",
         .subject_id = sha,
         .actor = identity::actor_of(by),
         .after_json =
             nlohmann::json{{"sha256", sha}, {"size", ref.size}, {"content_type", type}}.dump()});
    return ref;
  });
}

Result<FileContent> Service::get_file(std::string_view sha256, const identity::Principal& by) {
  Impl& m = *impl_;
  bool hex = sha256.size() == 64 && std::all_of(sha256.begin(), sha256.end(), [](char ch) {
               return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
             });
  if (!hex) return file_not_found();
  const std::string sha(sha256);
  auto ref = m.store.read([&](store::Tx& tx) -> Result<FileRef> {
    auto row = tx.query_one(
        "SELECT size, content_type, uploaded_by, uploaded_at_ms FROM files WHERE sha256 = ?",
        {sha});
    if (!row) return file_not_found();
    FileRef ref{sha, row->int64(0), row->text(1), row->text(2), row->int64(3)};
    if (tx.query_one("SELECT 1 FROM file_uploads WHERE sha256 = ? AND user_id = ?",
                     {sha, by.user_id})) {
      return ref;
    }
    // Otherwise through a case naming the file that `by` may see with its content: the
    // applicant and the officials handling it, not a supervision reading (masking.cpp).
    auto rows = tx.query(
        "SELECT c.dept_id, c.steps_json, c.applicant_user_id, c.filed_by, c.channel "
        "FROM case_files f JOIN cases c ON c.id = f.case_id WHERE f.sha256 = ?",
        {sha});
    for (const auto& r : rows) {
      Case c;
      c.dept_id = r.text(0);
      c.steps = workflow::steps_from_json(r.text(1));
      c.applicant.user_id = r.text(2);
      c.filed_by = r.text(3);
      c.channel = r.text(4);
      if (workflow::may_see(c, by) &&
          detail::disclosure_for(c, by, detail::Reading::one) == Disclosure::full) {
        return ref;
      }
    }
    // Or through another module's record (an appeal's or a grid event's photo).
    if (m.options.file_access && m.options.file_access(tx, sha, by)) return ref;
    return file_not_found();
  });
  if (!ref) return fail(ref.error());
  std::ifstream in(file_path(m.options, sha), std::ios::binary);
  if (!in) {
    return fail(ErrorCode::internal, "", "文件丢失", "the stored bytes of " + sha + " are missing");
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return FileContent{std::move(*ref), std::move(bytes).str()};
}

Status check_uploaded_image(store::Tx& tx, std::string_view sha256, std::string_view user_id) {
  auto row = tx.query_one(
      "SELECT f.content_type FROM files f JOIN file_uploads u ON u.sha256 = f.sha256 "
      "WHERE f.sha256 = ? AND u.user_id = ?",
      {std::string(sha256), std::string(user_id)});
  if (!row) {
    return fail(ErrorCode::invalid_input, "", "照片未上传（请先通过 /api/v1/files 上传）",
                "the photo was not uploaded by you (upload it to /api/v1/files first)");
  }
  const std::string type = row->text(0);
  if (type != "image/jpeg" && type != "image/png") {
    return fail(ErrorCode::invalid_input, "", "照片须为 JPEG 或 PNG 图片",
                "a photo must be a JPEG or PNG image");
  }
  return {};
}

}  // namespace yiwang::cases
