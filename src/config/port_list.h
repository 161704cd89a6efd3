// SPDX-License-Identifier: GPL-2.0-or-later
// Protocol/port lists ("tcp/22, udp/53"): the OPEN_PORTS and RESTRICT_PORTS values of access.conf, the access
// string of an SPA request, and the check of the one against the others (server.md §4 step 15).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sesame::config {

// IP protocol numbers, as fwknop's PROTO_TCP and PROTO_UDP (CMD_CYCLE's $PROTO prints them).
enum class Protocol : std::uint8_t { kTcp = 6, kUdp = 17 };

struct ProtoPort {
  Protocol protocol = Protocol::kTcp;
  std::uint16_t port = 0;

  friend bool operator==(const ProtoPort&, const ProtoPort&) = default;
};

using PortList = std::vector<ProtoPort>;

// "tcp/22" or "udp/53": tcp or udp in any case, a port of 0-65535 in decimal digits (fwknopd takes 0 too).
// No blanks. fwknopd's strtol also reads "tcp/22abc" as 22; that is refused here.
std::optional<ProtoPort> parse_proto_port(std::string_view text);

// Comma-separated parse_proto_port items; blanks around items are ignored. The error is the first bad item,
// as written. An empty item ("tcp/22,,udp/53") is bad, as in fwknopd.
Result<PortList, std::string> parse_port_list(std::string_view text);

// The same for the packet path: fills `out` (cleared first, its capacity reused, so no allocation once it has
// grown), false at the first bad item.
bool parse_port_list_into(std::string_view text, PortList& out);

// fwknop's acc_check_port_access: denied if any requested entry is in `restrict_ports`; else, when
// `open_ports` is set, every requested entry must be in it. An empty request is denied.
//
// Unlike fwknop 2.6.10 this is a real "every": fwknop counts matches against the OPEN_PORTS entries, so
// OPEN_PORTS "tcp/22, tcp/22" let a request for "tcp/22,tcp/80" through.
bool ports_allowed(std::span<const ProtoPort> requested, const std::optional<PortList>& open_ports,
                   const std::optional<PortList>& restrict_ports);

std::string_view protocol_name(Protocol protocol);  // "tcp", "udp"
std::string to_string(const ProtoPort& entry);      // "tcp/22"

}  // namespace sesame::config
