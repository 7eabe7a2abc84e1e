// A small blocking HTTP/1.1 client over one keep-alive TCP connection (POSIX sockets).
//
// For the command-line tools (verifiers, witnesses), system tests and benchmarks that talk to a
// yiwang server. Bodies must be Content-Length delimited (as our server sends them). Not
// thread-safe: use one Client per thread.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace yiwang::http {

struct ClientResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-cased names
  std::string body;
};

class Client {
 public:
  Client(std::string host, unsigned short port);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends one request, reconnecting once if the kept-alive connection was closed by the peer.
  // Fails with ErrorCode::internal on connection or protocol errors.
  Result<ClientResponse> request(const std::string& method, const std::string& target,
                                 const std::string& body = "",
                                 const std::vector<std::pair<std::string, std::string>>& headers = {});

 private:
  Status connect_once();
  Result<ClientResponse> exchange(const std::string& raw);
  void close_socket();

  std::string host_;
  unsigned short port_;
  int fd_ = -1;
  std::string buffer_;
};

}  // namespace yiwang::http
