// SPDX-License-Identifier: GPL-2.0-or-later
// UdpReceiver: sesamed's default capture, a UDP socket (IPv6 dual-stack, else IPv4) read in batches with recvmmsg.
// Like fwknopd's UDP server it never answers; unlike it, it reports each datagram's real destination address
// (IP_PKTINFO), so DESTINATION in access.conf works in this mode too.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/unique_fd.h"
#include "server/captured_packet.h"

namespace sesame::server::capture {

struct UdpReceiverOptions {
  std::uint16_t port = 62201;                 // UDPSERV_PORT
  std::optional<std::string> bind_address{};  // unset: every address ([::] dual-stack, else 0.0.0.0)
  int receive_buffer_bytes = 0;               // SO_RCVBUF; 0: the kernel's default
  std::size_t batch_size = 64;                // datagrams per recvmmsg
};

class UdpReceiver {
 public:
  static Result<UdpReceiver, std::string> open(const UdpReceiverOptions& options);

  UdpReceiver(UdpReceiver&&) noexcept = default;
  UdpReceiver& operator=(UdpReceiver&&) noexcept = default;

  int fd() const { return fd_.get(); }
  std::uint16_t port() const { return port_; }
  // One recvmmsg: the datagrams waiting now (none when the socket is drained). A datagram longer than an SPA
  // packet can be is reported with a payload one byte longer than kMaxDatagram, so the pipeline counts it too long.
  // The payload views stay valid until the next call.
  Result<std::span<const CapturedPacket>, std::string> receive(std::int64_t now_s);

  static constexpr std::size_t kMaxDatagram = 1500;

 private:
  UdpReceiver() = default;

  UniqueFd fd_;
  std::uint16_t port_ = 0;
  std::vector<std::array<char, kMaxDatagram + 1>> buffers_;
  std::vector<sockaddr_storage> sources_;
  std::vector<std::array<char, 64>> controls_;
  std::vector<iovec> iovecs_;
  std::vector<mmsghdr> headers_;
  std::vector<CapturedPacket> packets_;
};

}  // namespace sesame::server::capture
