// SPDX-License-Identifier: GPL-2.0-or-later
// parse_link_frame: one frame as libpcap captured it -> the candidate SPA payload it carries, with its addresses
// and ports, as fwknopd's process_packet finds it (server.md §7), plus IPv6, stacked VLAN tags and PPPoE.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "server/captured_packet.h"

namespace sesame::server::capture {

// True for the link types parse_link_frame reads (pcap/dlt.h values, as pcap_datalink() returns them):
// DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_NULL, DLT_LOOP, DLT_RAW, DLT_IPV4 and DLT_IPV6.
bool is_supported_datalink(int datalink);

// `frame` is the captured bytes (caplen), link header first. The payload is what follows the UDP header (8 bytes),
// the TCP header (its data offset) or the ICMP/ICMPv6 header (8 bytes), up to the end the IP header gives, so an
// Ethernet FCS or padding is not part of it. nullopt for an unsupported link, network or transport protocol, an
// IPv4 fragment other than the first, an IPv6 fragment other than an atomic one, or a header that does not fit.
// The payload points into `frame`; received_s is left 0 for the caller to set.
std::optional<CapturedPacket> parse_link_frame(int datalink, std::span<const std::uint8_t> frame);

}  // namespace sesame::server::capture
