// SPDX-License-Identifier: GPL-2.0-or-later
// Hand-written classic pcap writer (Ethernet/IPv4/UDP) used to feed SPA payloads to fwknopd --pcap-file.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace sesame::test {

// One UDP datagram to be stored as an Ethernet frame in the capture.
struct PcapUdpPacket {
  std::array<std::uint8_t, 4> src_ip{127, 0, 0, 1};
  std::array<std::uint8_t, 4> dst_ip{127, 0, 0, 1};
  std::uint16_t src_port = 40000;
  std::uint16_t dst_port = 62201;
  std::string payload;
  // Capture time stamp; 0 means "now". fwknopd ignores it (packet aging uses
  // its own clock), so this only matters for humans reading the file.
  std::uint32_t ts_sec = 0;
};

// Parses a dotted-quad IPv4 address; false if `text` is not one.
bool parse_ipv4(const std::string& text, std::array<std::uint8_t, 4>* out);

// Ethernet II + IPv4 (with header checksum) + UDP (with checksum) frame bytes.
// Throws std::invalid_argument if the payload does not fit an IPv4 datagram.
std::string build_udp_ethernet_frame(const PcapUdpPacket& packet);

// Complete pcap file image (little-endian, v2.4, LINKTYPE_ETHERNET).
std::string encode_pcap_file(const std::vector<PcapUdpPacket>& packets);

// Writes encode_pcap_file() to `path`; throws std::runtime_error on I/O failure.
void write_pcap_file(const std::string& path, const std::vector<PcapUdpPacket>& packets);

}  // namespace sesame::test
