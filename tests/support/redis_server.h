// SPDX-License-Identifier: GPL-2.0-or-later
// A throw-away redis-server (Debian's redis-server) for the shared replay cache tests: no persistence, one port,
// started in the test's own network namespace when one is given, stopped (by its pid) with the object.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace sesame::test {

class RedisServer {
 public:
  // Listens on `bind_ip`:`port` (port 0: a free loopback port picked here) inside `netns` ("" = this namespace).
  // Throws std::runtime_error when it does not accept connections within 5 s.
  RedisServer(std::string bind_ip = "127.0.0.1", std::uint16_t port = 0, std::string netns = "");
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url() const;  // redis://IP:PORT/0
  // Stops it (SIGTERM, then SIGKILL after 2 s); start() brings a fresh, empty one back on the same port.
  void stop();
  void start();

  // The redis-server binary, or "" when it is not installed (tests SKIP then).
  static std::string executable();

 private:
  std::string bind_ip_;
  std::uint16_t port_;
  std::string netns_;
  pid_t pid_ = -1;
};

}  // namespace sesame::test
