// SPDX-License-Identifier: GPL-2.0-or-later
// SynSentMonitor: the netlink I/O around sock_diag_message.h.
#include "launcher/syn_sent_monitor.h"

#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "launcher/sock_diag_message.h"

namespace sesame::launcher {
namespace {

// A dump datagram is at most a page or so of messages (the kernel fills up to its skb size, 32 KiB at most);
// a too-small buffer would truncate it.
constexpr std::size_t kReceiveBufferSize = 64 * 1024;

std::string errno_text(const char* step, int error) {
  return std::string(step) + ": " + std::strerror(error);
}

}  // namespace

Result<SynSentMonitor, std::string> SynSentMonitor::open() {
  UniqueFd fd(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
  if (!fd.is_valid()) return fail(errno_text("socket(AF_NETLINK, NETLINK_SOCK_DIAG)", errno));
  // A reply that never comes (it should not) must not hang the watch loop.
  const timeval timeout{1, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  SynSentMonitor monitor(std::move(fd));
  monitor.buffer_.resize(kReceiveBufferSize);
  return monitor;
}

Result<std::vector<SynSentSocket>, std::string> SynSentMonitor::snapshot() {
  std::vector<SynSentSocket> sockets;
  for (const int family : {AF_INET, AF_INET6}) {
    const auto done = dump(family, sockets);
    // A kernel without IPv6 has no AF_INET6 sock_diag handler (ENOENT): then there are no IPv6 sockets either.
    if (!done && !(family == AF_INET6 && done.error().error == ENOENT))
      return fail(errno_text(done.error().step, done.error().error));
  }
  return sockets;
}

Result<Ok, SynSentMonitor::DumpError> SynSentMonitor::dump(int family, std::vector<SynSentSocket>& out) {
  const std::uint32_t sequence = ++sequence_;
  const auto request = syn_sent_dump_request(family, sequence);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(fd_.get(), request.data(), request.size(), 0, reinterpret_cast<const sockaddr*>(&kernel),
               sizeof kernel) < 0)
    return fail(DumpError{"sock_diag request", errno});
  for (;;) {
    const ssize_t got = ::recv(fd_.get(), buffer_.data(), buffer_.size(), MSG_TRUNC);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return fail(DumpError{"sock_diag reply", errno});
    if (static_cast<std::size_t>(got) > buffer_.size()) return fail(DumpError{"sock_diag reply (truncated)", EMSGSIZE});
    const DumpProgress progress =
        parse_dump_reply(std::span(buffer_.data(), static_cast<std::size_t>(got)), sequence, out);
    if (progress.status == DumpStatus::kDone) return Ok{};
    if (progress.status == DumpStatus::kError) return fail(DumpError{"sock_diag reply", progress.error});
  }
}

}  // namespace sesame::launcher
