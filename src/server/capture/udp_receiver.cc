// SPDX-License-Identifier: GPL-2.0-or-later
// UdpReceiver: socket set-up and the batched receive, all buffers allocated once at open.
#include "server/capture/udp_receiver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace sesame::server::capture {
namespace {

std::string errno_text(int error) {
  return std::strerror(error);
}

config::IpAddress address_of(const sockaddr_storage& storage, std::uint16_t& port) {
  if (storage.ss_family == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(storage);
    port = ntohs(in6.sin6_port);
    std::array<std::uint8_t, 16> bytes;
    std::memcpy(bytes.data(), &in6.sin6_addr, 16);
    return config::IpAddress::ipv6(bytes).unmapped();
  }
  const auto& in4 = reinterpret_cast<const sockaddr_in&>(storage);
  port = ntohs(in4.sin_port);
  return config::IpAddress::ipv4(ntohl(in4.sin_addr.s_addr));
}

// The destination address from IP_PKTINFO / IPV6_PKTINFO; 0.0.0.0 (fwknopd's value) when absent.
config::IpAddress destination_of(msghdr& header) {
  for (cmsghdr* c = CMSG_FIRSTHDR(&header); c != nullptr; c = CMSG_NXTHDR(&header, c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      in_pktinfo info;
      std::memcpy(&info, CMSG_DATA(c), sizeof info);
      return config::IpAddress::ipv4(ntohl(info.ipi_addr.s_addr));
    }
    if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
      in6_pktinfo info;
      std::memcpy(&info, CMSG_DATA(c), sizeof info);
      std::array<std::uint8_t, 16> bytes;
      std::memcpy(bytes.data(), &info.ipi6_addr, 16);
      return config::IpAddress::ipv6(bytes).unmapped();
    }
  }
  return config::IpAddress();
}

Result<UniqueFd, std::string> bound_socket(const UdpReceiverOptions& options) {
  const int on = 1;
  const int off = 0;
  const std::string where = options.bind_address.value_or("*") + ":" + std::to_string(options.port);
  sockaddr_storage address{};
  socklen_t length = 0;
  int family = AF_INET6;
  if (options.bind_address) {
    auto& in4 = reinterpret_cast<sockaddr_in&>(address);
    auto& in6 = reinterpret_cast<sockaddr_in6&>(address);
    if (inet_pton(AF_INET, options.bind_address->c_str(), &in4.sin_addr) == 1) {
      family = AF_INET;
    } else if (inet_pton(AF_INET6, options.bind_address->c_str(), &in6.sin6_addr) != 1) {
      return fail("UDP server: \"" + *options.bind_address + "\" is not an IP address");
    }
  }
  UniqueFd fd(::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP));
  if (!fd.is_valid() && family == AF_INET6 && !options.bind_address && errno == EAFNOSUPPORT) {
    family = AF_INET;  // a kernel without IPv6
    fd = UniqueFd(::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP));
  }
  if (!fd.is_valid()) return fail("UDP server: socket: " + errno_text(errno));
  if (family == AF_INET6) {
    ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
    ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on);
    auto& in6 = reinterpret_cast<sockaddr_in6&>(address);
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(options.port);
    length = sizeof in6;
  } else {
    auto& in4 = reinterpret_cast<sockaddr_in&>(address);
    in4.sin_family = AF_INET;
    in4.sin_port = htons(options.port);
    length = sizeof in4;
  }
  ::setsockopt(fd.get(), IPPROTO_IP, IP_PKTINFO, &on, sizeof on);  // also for IPv4 peers of a dual-stack socket
  // SO_RCVBUFFORCE (CAP_NET_ADMIN, which sesamed has) may exceed net.core.rmem_max, which a burst of knocks needs;
  // without the capability, SO_RCVBUF up to that limit.
  const auto set_buffer = [&](int option) {
    return ::setsockopt(fd.get(), SOL_SOCKET, option, &options.receive_buffer_bytes,
                        sizeof options.receive_buffer_bytes) == 0;
  };
  if (options.receive_buffer_bytes > 0 && !set_buffer(SO_RCVBUFFORCE) && !set_buffer(SO_RCVBUF))
    return fail("UDP server: SO_RCVBUF " + std::to_string(options.receive_buffer_bytes) + ": " + errno_text(errno));
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), length) != 0)
    return fail("UDP server: cannot bind " + where + ": " + errno_text(errno));
  return fd;
}

}  // namespace

Result<UdpReceiver, std::string> UdpReceiver::open(const UdpReceiverOptions& options) {
  auto fd = bound_socket(options);
  if (!fd) return fail(fd.error());
  UdpReceiver receiver;
  receiver.fd_ = std::move(*fd);
  sockaddr_storage bound{};
  socklen_t length = sizeof bound;
  ::getsockname(receiver.fd_.get(), reinterpret_cast<sockaddr*>(&bound), &length);
  address_of(bound, receiver.port_);
  const std::size_t n = options.batch_size == 0 ? 1 : options.batch_size;
  receiver.buffers_.resize(n);
  receiver.sources_.resize(n);
  receiver.controls_.resize(n);
  receiver.iovecs_.resize(n);
  receiver.headers_.resize(n);
  receiver.packets_.resize(n);
  return receiver;
}

Result<std::span<const CapturedPacket>, std::string> UdpReceiver::receive(std::int64_t now_s) {
  const std::size_t n = headers_.size();
  for (std::size_t i = 0; i < n; ++i) {
    iovecs_[i] = iovec{buffers_[i].data(), buffers_[i].size()};
    msghdr& header = headers_[i].msg_hdr;
    header = msghdr{};
    header.msg_name = &sources_[i];
    header.msg_namelen = sizeof(sockaddr_storage);
    header.msg_iov = &iovecs_[i];
    header.msg_iovlen = 1;
    header.msg_control = controls_[i].data();
    header.msg_controllen = controls_[i].size();
  }
  const int got = ::recvmmsg(fd_.get(), headers_.data(), static_cast<unsigned>(n), MSG_DONTWAIT, nullptr);
  if (got < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return std::span<const CapturedPacket>();
    return fail("UDP server: recvmmsg: " + errno_text(errno));
  }
  for (int i = 0; i < got; ++i) {
    CapturedPacket& packet = packets_[i];
    const std::size_t size = headers_[i].msg_len;  // at most kMaxDatagram + 1: longer ones were cut (MSG_TRUNC)
    packet.payload = std::string_view(buffers_[i].data(), size);
    packet.source = address_of(sources_[i], packet.source_port);
    packet.destination = destination_of(headers_[i].msg_hdr);
    packet.destination_port = port_;
    packet.ip_protocol = 17;
    packet.received_s = now_s;
  }
  return std::span<const CapturedPacket>(packets_.data(), static_cast<std::size_t>(got));
}

}  // namespace sesame::server::capture
