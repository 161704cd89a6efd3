// SPDX-License-Identifier: GPL-2.0-or-later
// AccessRequest: what an authorised packet asks for, as it crosses from the packet side to the firewall and
// command side (design.md): a plain struct, re-checked there against the stanza's policy.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "config/network_match.h"
#include "config/port_list.h"
#include "spa/types.h"

namespace sesame::server {

struct NatTarget {
  std::string host;  // IPv4 or, with ENABLE_NAT_DNS, a name: resolved by the firewall side, never here
  std::uint16_t port = 0;
};

struct AccessRequest {
  std::size_t stanza_index = 0;  // into the AccessConfig the pipeline was built from
  spa::MessageType type = spa::MessageType::kAccess;
  config::IpAddress allow_ip;              // the packet's allow IP, or its source for 0.0.0.0
  bool is_source_allow_ip = false;         // the packet said 0.0.0.0: SPA over HTTP may use X-Forwarded-For
  config::IpAddress packet_source;         // network-layer source of the SPA packet
  config::IpAddress packet_destination;    // 0.0.0.0 when unknown
  config::PortList ports;                  // requested proto/ports (empty for a command)
  std::chrono::seconds timeout{0};         // FW_ACCESS_TIMEOUT, or the client's timeout capped by MAX_FW_TIMEOUT
  std::chrono::seconds client_timeout{0};  // the packet's timeout field as sent (0: none), for CMD_CYCLE
  std::optional<NatTarget> nat;            // NAT requests
  std::optional<std::string> command;      // command messages: the text after "IP,"
  std::string username;
  std::int64_t timestamp_s = 0;
};

}  // namespace sesame::server
