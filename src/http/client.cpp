#include "http/client.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace yiwang::http {
namespace {

tl::unexpected<Error> io_error(const std::string& what) {
  return fail(ErrorCode::internal, "", "HTTP 客户端错误：" + what, "HTTP client error: " + what);
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

Client::Client(std::string host, unsigned short port) : host_(std::move(host)), port_(port) {}

Client::~Client() { close_socket(); }

void Client::close_socket() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffer_.clear();
}

Status Client::connect_once() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::string port = std::to_string(port_);
  if (::getaddrinfo(host_.c_str(), port.c_str(), &hints, &found) != 0 || !found)
    return io_error("cannot resolve " + host_);
  int fd = -1;
  for (addrinfo* a = found; a; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
    ::close(fd);
    fd = -1;
  }
  ::freeaddrinfo(found);
  if (fd < 0) return io_error("cannot connect to " + host_ + ":" + port);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  fd_ = fd;
  return {};
}

Result<ClientResponse> Client::request(
    const std::string& method, const std::string& target, const std::string& body,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string raw = method + " " + target + " HTTP/1.1\r\nHost: " + host_ + "\r\n";
  bool has_type = false;
  for (const auto& [name, value] : headers) {
    raw += name + ": " + value + "\r\n";
    if (lower(name) == "content-type") has_type = true;
  }
  if (!body.empty() && !has_type) raw += "Content-Type: application/json\r\n";
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH")
    raw += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  raw += "\r\n" + body;

  const bool reused = fd_ >= 0;
  if (!reused) {
    if (auto c = connect_once(); !c) return fail(c.error());
  }
  auto response = exchange(raw);
  if (!response && reused) {
    // The server may have closed an idle keep-alive connection: retry once on a fresh one.
    close_socket();
    if (auto c = connect_once(); !c) return fail(c.error());
    response = exchange(raw);
  }
  if (!response) close_socket();
  return response;
}

Result<ClientResponse> Client::exchange(const std::string& raw) {
  for (std::size_t sent = 0; sent < raw.size();) {
    ssize_t n = ::send(fd_, raw.data() + sent, raw.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return io_error(std::string("send: ") + std::strerror(errno));
    sent += static_cast<std::size_t>(n);
  }
  auto fill = [this]() -> bool {
    char chunk[16384];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  };
  std::size_t header_end;
  while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) return io_error("connection closed before response headers");
  }
  ClientResponse response;
  std::string head = buffer_.substr(0, header_end);
  std::size_t line_end = head.find("\r\n");
  std::string status_line = head.substr(0, line_end);
  if (status_line.size() < 12 || status_line.compare(0, 5, "HTTP/") != 0)
    return io_error("bad status line");
  response.status = std::atoi(status_line.c_str() + 9);
  std::size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    std::size_t end = head.find("\r\n", pos);
    if (end == std::string::npos) end = head.size();
    std::string line = head.substr(pos, end - pos);
    auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      response.headers[lower(line.substr(0, colon))] = value;
    }
    pos = end + 2;
  }
  if (response.headers.count("transfer-encoding")) return io_error("chunked bodies not supported");
  std::size_t length = 0;
  if (auto it = response.headers.find("content-length"); it != response.headers.end())
    length = std::stoul(it->second);
  std::size_t body_start = header_end + 4;
  while (buffer_.size() < body_start + length) {
    if (!fill()) return io_error("connection closed before end of body");
  }
  response.body = buffer_.substr(body_start, length);
  buffer_.erase(0, body_start + length);
  if (lower(response.headers["connection"]) == "close") close_socket();
  return response;
}

}  // namespace yiwang::http
