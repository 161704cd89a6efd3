// SPDX-License-Identifier: GPL-2.0-or-later
// CapturedPacket: one candidate SPA payload as a capture source hands it to the pipeline.
#pragma once

#include <cstdint>
#include <string_view>

#include "config/network_match.h"

namespace sesame::server {

struct CapturedPacket {
  std::string_view payload;  // valid only for the call; the pipeline copies nothing it does not keep
  config::IpAddress source;
  std::uint16_t source_port = 0;
  config::IpAddress destination;  // 0.0.0.0 when the capture cannot tell (fwknopd's UDP server)
  std::uint16_t destination_port = 0;
  std::uint8_t ip_protocol = 17;  // UDP; 6 for TCP and SPA over HTTP, 1 for ICMP
  std::int64_t received_s = 0;    // wall clock, seconds since the epoch
};

}  // namespace sesame::server
