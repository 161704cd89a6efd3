// SPDX-License-Identifier: GPL-2.0-or-later
// GrantChannel: one send() per message on a SOCK_SEQPACKET socket, so each message arrives whole or not at all.
#include "server/daemon/grant_channel.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "server/daemon/grant_message.h"

namespace sesame::server::daemon {

Result<Ok, std::string> GrantChannel::send_ready() {
  return send_bytes(encode_ready_message());
}

Result<Ok, std::string> GrantChannel::send(const AccessRequest& request) {
  auto encoded = encode_request_message(request);
  if (!encoded) return fail("grant channel: " + encoded.error());
  return send_bytes(*encoded);
}

Result<Ok, std::string> GrantChannel::send_bytes(const std::vector<std::uint8_t>& bytes) {
  for (;;) {
    const ssize_t sent = ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent == static_cast<ssize_t>(bytes.size())) return Ok{};
    if (sent < 0 && errno == EINTR) continue;
    return fail(std::string("grant channel to the privileged parent: ") +
                (sent < 0 ? std::strerror(errno) : "short send"));
  }
}

}  // namespace sesame::server::daemon
