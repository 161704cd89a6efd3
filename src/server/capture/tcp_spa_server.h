// SPDX-License-Identifier: GPL-2.0-or-later
// TcpSpaServer: ENABLE_TCP_SERVER / TCPSERV_PORT (server.md §2, §7), a non-blocking TCP listener that reads one SPA
// payload (bare, as `-P tcp` sends it, or an HTTP GET, as `-P http` does) per connection.
#pragma once

#include <sys/epoll.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/unique_fd.h"
#include "config/network_match.h"
#include "server/captured_packet.h"

namespace sesame::server::capture {

struct TcpSpaServerOptions {
  std::uint16_t port = 62201;  // TCPSERV_PORT; 0 picks a free port (tests)
  // Unset: [::] accepting IPv4 and IPv6, or 0.0.0.0 when the host has no IPv6.
  std::optional<config::IpAddress> bind_address;
  std::size_t max_connections = 32;  // beyond this the oldest connection is dropped
  std::size_t max_request_bytes = 4096;
  std::int64_t request_timeout_s = 5;  // from accept: a slow sender cannot hold a slot by trickling bytes
};

struct TcpSpaServerCounters {
  std::uint64_t accepted = 0;
  std::uint64_t delivered = 0;
  std::uint64_t evicted = 0;    // dropped for a newer connection when max_connections were open
  std::uint64_t timed_out = 0;  // not complete within request_timeout_s
  std::uint64_t too_long = 0;   // max_request_bytes without being complete
  std::uint64_t failed = 0;     // reset by the peer, or closed with nothing sent
};

// fwknopd's "TCP server" only accepts and closes each connection after 1 s, so that a `-P tcp` client can connect
// at all; the SPA data is still read by pcap from the sniffed segments. sesame reads the data from the socket
// itself: no pcap is needed, and the source address is one that completed a handshake, not a sniffed header.
class TcpSpaServer {
 public:
  using Deliver = std::function<void(const CapturedPacket& packet, std::string_view raw)>;

  static Result<TcpSpaServer, std::string> open(const TcpSpaServerOptions& options);

  // Defined in the .cc: inlined, GCC 12 warns falsely (-Wfree-nonheap-object) where a Result holding one dies.
  TcpSpaServer(TcpSpaServer&&) noexcept;
  TcpSpaServer& operator=(TcpSpaServer&&) noexcept;
  ~TcpSpaServer();

  // The server's own epoll set: readable when a connection or the listener is, for the daemon's epoll to watch.
  int fd() const { return epoll_.get(); }
  std::uint16_t local_port() const { return local_port_; }
  bool is_dual_stack() const { return dual_stack_; }

  // Never blocks. Accepts what is pending, reads what is ready, and hands each complete request to `deliver`
  // once, then closes its connection: complete means the peer half-closed, or an HTTP request head (an empty
  // line) arrived. packet.payload and raw are both the bytes received (the daemon unwraps HTTP). Also closes
  // connections older than request_timeout_s, so call it on every wake-up, at least by next_deadline_s().
  void poll(std::int64_t now_s, const Deliver& deliver);
  // As poll(), but what `answer` returns for a request is written back before its connection closes (sesamed's
  // metrics endpoint); a reply the socket does not take at once is cut short rather than waited for.
  using Answer = std::function<std::string(const CapturedPacket& packet, std::string_view raw)>;
  void poll_and_answer(std::int64_t now_s, const Answer& answer);

  // When the oldest open connection times out, if any: the daemon's epoll_wait timeout.
  std::optional<std::int64_t> next_deadline_s() const;
  std::size_t connection_count() const { return connections_.size(); }
  const TcpSpaServerCounters& counters() const { return counters_; }

 private:
  struct Connection {
    UniqueFd socket;
    std::string received;
    std::int64_t deadline_s = 0;
    config::IpAddress source;
    std::uint16_t source_port = 0;
    config::IpAddress destination;
    std::uint16_t destination_port = 0;
  };
  enum class ReadState { kWaiting, kComplete, kTooLong, kFailed };

  TcpSpaServer() = default;
  void accept_pending(std::int64_t now_s);
  ReadState read_ready(Connection& connection) const;
  void finish(std::size_t index, std::int64_t now_s, ReadState state, const Answer& answer);

  UniqueFd epoll_;
  UniqueFd listener_;
  std::uint16_t local_port_ = 0;
  bool dual_stack_ = false;
  TcpSpaServerOptions options_;
  std::vector<Connection> connections_;  // in accept order: the front is the oldest
  std::vector<epoll_event> events_;      // on the heap: a small object moves cheaply through Result
  TcpSpaServerCounters counters_;
};

}  // namespace sesame::server::capture
