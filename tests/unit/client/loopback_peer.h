// SPDX-License-Identifier: GPL-2.0-or-later
// Test peers for the client transports: sockets bound on loopback that receive what the client sends, and a
// one-connection HTTP server in a thread. Header-only, shared by the tests in this directory.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <thread>

#include "common/unique_fd.h"

namespace sesame::client::loopback {

struct BoundSocket {
  UniqueFd fd;
  std::uint16_t port = 0;
};

inline std::uint16_t local_port(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return 0;
  if (address.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
  return ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port);
}

// A socket of `type` bound to `address` ("127.0.0.1" or "::1") on a port the kernel picks; invalid fd on failure.
inline BoundSocket bind_loopback(int type, const char* address, std::uint16_t port = 0) {
  const bool is_v6 = std::strchr(address, ':') != nullptr;
  UniqueFd fd(socket(is_v6 ? AF_INET6 : AF_INET, type | SOCK_CLOEXEC, 0));
  if (!fd.is_valid()) return {};
  sockaddr_storage storage{};
  socklen_t length = 0;
  if (is_v6) {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    if (inet_pton(AF_INET6, address, &v6->sin6_addr) != 1) return {};
    length = sizeof(sockaddr_in6);
  } else {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    if (inet_pton(AF_INET, address, &v4->sin_addr) != 1) return {};
    length = sizeof(sockaddr_in);
  }
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&storage), length) != 0) return {};
  const std::uint16_t bound_port = local_port(fd.get());
  return {std::move(fd), bound_port};
}

inline BoundSocket listen_loopback(const char* address, int backlog = 8) {
  BoundSocket bound = bind_loopback(SOCK_STREAM, address);
  if (bound.fd.is_valid() && listen(bound.fd.get(), backlog) != 0) return {};
  return bound;
}

// A port nothing listens on right now: bound, then released.
inline std::uint16_t unused_port(int type) {
  return bind_loopback(type, "127.0.0.1").port;
}

inline bool wait_readable(int fd, std::chrono::milliseconds timeout) {
  pollfd entry{fd, POLLIN, 0};
  return poll(&entry, 1, int(timeout.count())) == 1;
}

struct Datagram {
  std::string payload;
  sockaddr_storage from{};
};

inline std::optional<Datagram> receive_datagram(int fd, std::chrono::milliseconds timeout) {
  if (!wait_readable(fd, timeout)) return std::nullopt;
  Datagram datagram;
  std::array<char, 70000> buffer{};
  socklen_t length = sizeof(datagram.from);
  const ssize_t got =
      recvfrom(fd, buffer.data(), buffer.size(), 0, reinterpret_cast<sockaddr*>(&datagram.from), &length);
  if (got < 0) return std::nullopt;
  datagram.payload.assign(buffer.data(), std::size_t(got));
  return datagram;
}

inline std::string read_until_eof(int fd, std::chrono::milliseconds timeout) {
  std::string text;
  std::array<char, 4096> buffer{};
  while (wait_readable(fd, timeout)) {
    const ssize_t got = recv(fd, buffer.data(), buffer.size(), 0);
    if (got <= 0) break;
    text.append(buffer.data(), std::size_t(got));
  }
  return text;
}

inline UniqueFd accept_one(int listener, std::chrono::milliseconds timeout) {
  if (!wait_readable(listener, timeout)) return UniqueFd();
  return UniqueFd(accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
}

// Accepts one connection on 127.0.0.1, reads the request head, then answers `response` (nothing if empty) and
// closes; with `is_silent` it answers nothing and waits for the client to give up first.
class OneShotHttpServer {
 public:
  explicit OneShotHttpServer(std::string response, bool is_silent = false)
      : listener_(listen_loopback("127.0.0.1")), response_(std::move(response)), is_silent_(is_silent) {
    thread_ = std::thread([this] { serve(); });
  }
  OneShotHttpServer(const OneShotHttpServer&) = delete;
  OneShotHttpServer& operator=(const OneShotHttpServer&) = delete;
  ~OneShotHttpServer() { join(); }

  std::uint16_t port() const { return listener_.port; }
  std::string url(const std::string& path = "/") const { return "http://127.0.0.1:" + std::to_string(port()) + path; }
  // What the client sent; call after the client is done.
  const std::string& request() {
    join();
    return request_;
  }

 private:
  void join() {
    if (thread_.joinable()) thread_.join();
  }

  void serve() {
    constexpr std::chrono::milliseconds kPatience{5000};  // bounds the test even if the client never connects
    UniqueFd peer = accept_one(listener_.fd.get(), kPatience);
    if (!peer.is_valid()) return;
    std::array<char, 4096> buffer{};
    while (request_.find("\r\n\r\n") == std::string::npos && wait_readable(peer.get(), kPatience)) {
      const ssize_t got = recv(peer.get(), buffer.data(), buffer.size(), 0);
      if (got <= 0) break;
      request_.append(buffer.data(), std::size_t(got));
    }
    if (is_silent_) {
      read_until_eof(peer.get(), kPatience);
      return;
    }
    if (!response_.empty()) send(peer.get(), response_.data(), response_.size(), MSG_NOSIGNAL);
  }

  BoundSocket listener_;
  std::string response_;
  bool is_silent_ = false;
  std::string request_;
  std::thread thread_;
};

inline std::string http_response(int status, const std::string& reason, const std::string& body) {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason +
         "\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + body;
}

}  // namespace sesame::client::loopback
