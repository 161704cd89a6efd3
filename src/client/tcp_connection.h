// SPDX-License-Identifier: GPL-2.0-or-later
// TcpConnection: the connected stream socket of -P tcp and -P http, opened with a deadline so a silently dropping
// firewall costs seconds, not the kernel's two minutes of SYN retries.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "client/client_error.h"
#include "common/unique_fd.h"
#include "common/result.h"

namespace sesame::client {

constexpr std::chrono::seconds kConnectTimeout{5};

class TcpConnection {
 public:
  // Tries each address of host:port in resolver order and keeps the first that accepts, like fwknop.
  static Result<TcpConnection> open(std::string_view host, std::uint16_t port, int family, std::uint16_t source_port,
                                    std::chrono::milliseconds timeout = kConnectTimeout);

  const std::string& destination() const { return destination_; }
  Result<Ok> send_all(std::string_view data, std::chrono::milliseconds timeout = kConnectTimeout);
  // Reads and discards whatever the peer answers until it closes or `timeout` passes: closing a socket with
  // unread data makes the kernel send a reset, which can make a proxy drop a request it has not forwarded yet.
  void drain(std::chrono::milliseconds timeout);

 private:
  TcpConnection(UniqueFd fd, std::string destination) : fd_(std::move(fd)), destination_(std::move(destination)) {}

  UniqueFd fd_;
  std::string destination_;
};

}  // namespace sesame::client
