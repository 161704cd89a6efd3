// SPDX-License-Identifier: GPL-2.0-or-later
// NETLINK_SOCK_DIAG messages for "every TCP socket in SYN_SENT", as bytes: the dump request, and the parse of
// the kernel's reply. Pure functions, so captured replies can be tested without a kernel.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "launcher/syn_sent_socket.h"

namespace sesame::launcher {

// nlmsghdr (SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP) + inet_diag_req_v2 for `family` (AF_INET or
// AF_INET6), IPPROTO_TCP, idiag_states = 1 << TCP_SYN_SENT, no extensions: the kernel filters by state, so the
// reply holds only sockets in the handshake, one ~72-byte inet_diag_msg each.
std::vector<std::uint8_t> syn_sent_dump_request(int family, std::uint32_t sequence);

enum class DumpStatus { kMore, kDone, kError };

struct DumpProgress {
  DumpStatus status = DumpStatus::kMore;
  int error = 0;  // errno from an NLMSG_ERROR, or EPROTO for a malformed reply, when status is kError
};

// Parses one datagram of the dump reply: every inet_diag_msg in it whose idiag_state is SYN_SENT is appended to
// `out` (IPv4-mapped destinations as IPv4, see make_destination). Messages with another sequence number are
// skipped (a late reply to an earlier dump). kDone at NLMSG_DONE; kError at NLMSG_ERROR or at a message whose
// length does not fit the datagram; kMore when the datagram ended without either.
DumpProgress parse_dump_reply(std::span<const std::uint8_t> datagram, std::uint32_t sequence,
                              std::vector<SynSentSocket>& out);

}  // namespace sesame::launcher
