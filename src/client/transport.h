// SPDX-License-Identifier: GPL-2.0-or-later
// The transports behind send_spa_packet, one file each (udp_transport.cc, tcp_transport.cc, http_transport.cc,
// raw_transport.cc). send_spa_packet has already checked the request; each transport resolves -D itself because
// each needs a different socket type or address family.
#pragma once

#include <string_view>

#include "client/client_error.h"
#include "client/spa_sender.h"

namespace sesame::client {

Result<SendReport> send_udp(std::string_view payload, const SendRequest& request);
Result<SendReport> send_tcp(std::string_view payload, const SendRequest& request);
Result<SendReport> send_http(std::string_view wire, const SendRequest& request);
Result<SendReport> send_raw(std::string_view wire, const SendRequest& request);

// AF_INET for --server-resolve-ipv4, AF_INET6 for IPv6 only, else AF_UNSPEC.
int address_family_for(const SendRequest& request);

}  // namespace sesame::client
