// SPDX-License-Identifier: GPL-2.0-or-later
// The service an SPA knock opens, for the end-to-end tests: a TCP listener in a network namespace that answers every
// connection with one line and closes it.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

namespace sesame::test {

class TcpLineServer {
 public:
  // Listens on ip:port inside namespace `ns`, serving from its own thread. Throws std::runtime_error on failure.
  TcpLineServer(const std::string& ns, const std::string& ip, std::uint16_t port, std::string line);
  ~TcpLineServer();  // stops the thread and closes the socket
  TcpLineServer(const TcpLineServer&) = delete;
  TcpLineServer& operator=(const TcpLineServer&) = delete;

  const std::string& line() const { return line_; }
  int connections() const { return connections_.load(); }

 private:
  void serve();

  std::string line_;
  int listen_fd_ = -1;
  int stop_fd_ = -1;  // an eventfd: written once to stop serve()
  std::atomic<int> connections_{0};
  std::thread thread_;
};

}  // namespace sesame::test
