// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target: parse_link_frame, the first thing a captured frame from the network meets. The first input byte
// picks the link type (modulo the list below), the rest is the frame. Property: a frame is rejected or yields a
// payload that lies inside it, with a transport protocol the parser knows and addresses of one family.
#include <pcap/dlt.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "server/capture/link_frame.h"

namespace {

// The seed file names in corpus/link_frame/ start with the index of their link type here: keep the order.
constexpr std::array<int, 8> kDatalinks = {DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_NULL,
                                           DLT_LOOP,   DLT_RAW,       DLT_IPV4,       DLT_IPV6};

void check(bool property) {
  if (!property) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const int datalink = kDatalinks[data[0] % kDatalinks.size()];
  check(sesame::server::capture::is_supported_datalink(datalink));
  // A copy of exactly the frame's size: a read one byte past it is a heap overflow the sanitizer reports.
  const std::vector<std::uint8_t> frame(data + 1, data + size);
  const auto packet = sesame::server::capture::parse_link_frame(datalink, frame);
  if (!packet) return 0;

  const auto* begin = reinterpret_cast<const char*>(frame.data());
  check(packet->payload.empty() ||
        (packet->payload.data() >= begin && packet->payload.data() + packet->payload.size() <= begin + frame.size()));
  const std::uint8_t protocol = packet->ip_protocol;
  check(protocol == 1 || protocol == 6 || protocol == 17 || protocol == 58);
  check(packet->source.family() == packet->destination.family());
  if (protocol == 1) check(packet->source.is_ipv4());  // ICMP belongs to IPv4, ICMPv6 to IPv6
  if (protocol == 58) check(!packet->source.is_ipv4());
  if (protocol == 1 || protocol == 58) check(packet->source_port == 0 && packet->destination_port == 0);
  check(packet->received_s == 0);
  return 0;
}
