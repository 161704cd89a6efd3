// SPDX-License-Identifier: GPL-2.0-or-later
// sock_diag request and reply bytes. Reads go through memcpy into local structs: a datagram from a file or a test
// need not be aligned as the kernel's buffers are.
#include "launcher/sock_diag_message.h"

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace sesame::launcher {

std::vector<std::uint8_t> syn_sent_dump_request(int family, std::uint32_t sequence) {
  struct {
    nlmsghdr header;
    inet_diag_req_v2 request;
  } message{};
  static_assert(sizeof message == NLMSG_LENGTH(sizeof(inet_diag_req_v2)));
  message.header.nlmsg_len = sizeof message;
  message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  message.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  message.header.nlmsg_seq = sequence;
  message.request.sdiag_family = static_cast<std::uint8_t>(family);
  message.request.sdiag_protocol = IPPROTO_TCP;
  message.request.idiag_states = 1U << TCP_SYN_SENT;
  std::vector<std::uint8_t> bytes(sizeof message);
  std::memcpy(bytes.data(), &message, sizeof message);
  return bytes;
}

DumpProgress parse_dump_reply(std::span<const std::uint8_t> datagram, std::uint32_t sequence,
                              std::vector<SynSentSocket>& out) {
  std::size_t offset = 0;
  while (datagram.size() - offset >= sizeof(nlmsghdr)) {
    nlmsghdr header;
    std::memcpy(&header, datagram.data() + offset, sizeof header);
    if (header.nlmsg_len < sizeof header || header.nlmsg_len > datagram.size() - offset)
      return {DumpStatus::kError, EPROTO};
    const std::uint8_t* payload = datagram.data() + offset + NLMSG_HDRLEN;
    const std::size_t payload_size = header.nlmsg_len - NLMSG_HDRLEN;
    // NLMSG_ALIGN can step past the end for the last message; the loop condition then ends the walk.
    offset = std::min<std::size_t>(offset + NLMSG_ALIGN(header.nlmsg_len), datagram.size());
    if (header.nlmsg_seq != sequence) continue;
    if (header.nlmsg_type == NLMSG_DONE) return {DumpStatus::kDone, 0};
    if (header.nlmsg_type == NLMSG_ERROR) {
      nlmsgerr error{};
      if (payload_size < sizeof error) return {DumpStatus::kError, EPROTO};
      std::memcpy(&error, payload, sizeof error);
      return {DumpStatus::kError, error.error < 0 ? -error.error : EPROTO};
    }
    if (header.nlmsg_type != SOCK_DIAG_BY_FAMILY) continue;
    if (payload_size < sizeof(inet_diag_msg)) return {DumpStatus::kError, EPROTO};
    inet_diag_msg message;
    std::memcpy(&message, payload, sizeof message);
    if (message.idiag_state != TCP_SYN_SENT) continue;  // the kernel filtered already; a stray one is ignored
    if (message.idiag_family != AF_INET && message.idiag_family != AF_INET6) continue;
    SynSentSocket socket;
    socket.cookie = std::uint64_t{message.id.idiag_cookie[0]} | (std::uint64_t{message.id.idiag_cookie[1]} << 32);
    socket.destination =
        make_destination(message.idiag_family, reinterpret_cast<const std::uint8_t*>(message.id.idiag_dst),
                         ntohs(message.id.idiag_dport));
    out.push_back(socket);
  }
  return {DumpStatus::kMore, 0};
}

}  // namespace sesame::launcher
