// SPDX-License-Identifier: GPL-2.0-or-later
// Hand-written classic pcap writer (Ethernet/IPv4/UDP) used to feed SPA payloads to fwknopd --pcap-file.
#include "pcap_file_writer.h"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <stdexcept>

namespace sesame::test {
namespace {

constexpr std::uint32_t kPcapMagic = 0xa1b2c3d4;  // microsecond time stamps
constexpr std::uint32_t kLinktypeEthernet = 1;
constexpr std::uint32_t kSnapLen = 65535;
constexpr std::size_t kEthHeaderLen = 14;
constexpr std::size_t kIpv4HeaderLen = 20;
constexpr std::size_t kUdpHeaderLen = 8;

void put_le32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void put_le16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v & 0xff));
  out.push_back(static_cast<char>(v >> 8));
}

void put_be16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v & 0xff));
}

void set_be16(std::string& out, std::size_t pos, std::uint16_t v) {
  out[pos] = static_cast<char>(v >> 8);
  out[pos + 1] = static_cast<char>(v & 0xff);
}

// RFC 1071 ones'-complement sum, continued across calls via `sum`.
std::uint32_t add_ones_complement(std::uint32_t sum, const std::string& data, std::size_t pos,
                                  std::size_t len) {
  for (std::size_t i = 0; i + 1 < len; i += 2) {
    sum += (static_cast<std::uint32_t>(static_cast<std::uint8_t>(data[pos + i])) << 8) |
           static_cast<std::uint8_t>(data[pos + i + 1]);
  }
  if (len % 2 != 0) sum += static_cast<std::uint32_t>(static_cast<std::uint8_t>(data[pos + len - 1])) << 8;
  return sum;
}

std::uint16_t fold_checksum(std::uint32_t sum) {
  while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

}  // namespace

bool parse_ipv4(const std::string& text, std::array<std::uint8_t, 4>* out) {
  std::array<std::uint8_t, 4> parts{};
  std::size_t pos = 0;
  for (int i = 0; i < 4; ++i) {
    if (i > 0) {
      if (pos >= text.size() || text[pos] != '.') return false;
      ++pos;
    }
    std::size_t start = pos;
    unsigned value = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && pos - start < 3) {
      value = value * 10 + static_cast<unsigned>(text[pos] - '0');
      ++pos;
    }
    if (pos == start || value > 255) return false;
    parts[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(value);
  }
  if (pos != text.size()) return false;
  if (out != nullptr) *out = parts;
  return true;
}

std::string build_udp_ethernet_frame(const PcapUdpPacket& packet) {
  const std::size_t udp_len = kUdpHeaderLen + packet.payload.size();
  const std::size_t ip_len = kIpv4HeaderLen + udp_len;
  if (ip_len > 0xffff) throw std::invalid_argument("pcap_file_writer: payload too large for IPv4/UDP");

  std::string frame;
  frame.reserve(kEthHeaderLen + ip_len);
  // Locally administered MACs; fwknopd only looks at the EtherType.
  frame.append("\x02\x00\x00\x00\x00\x02", 6);
  frame.append("\x02\x00\x00\x00\x00\x01", 6);
  put_be16(frame, 0x0800);

  const std::size_t ip_pos = frame.size();
  frame.push_back(static_cast<char>(0x45));  // IPv4, 5-word header
  frame.push_back(0);                        // TOS
  put_be16(frame, static_cast<std::uint16_t>(ip_len));
  put_be16(frame, 1);       // identification
  put_be16(frame, 0x4000);  // DF, no fragmentation
  frame.push_back(64);      // TTL
  frame.push_back(17);      // UDP
  put_be16(frame, 0);       // checksum placeholder
  frame.append(reinterpret_cast<const char*>(packet.src_ip.data()), 4);
  frame.append(reinterpret_cast<const char*>(packet.dst_ip.data()), 4);
  set_be16(frame, ip_pos + 10, fold_checksum(add_ones_complement(0, frame, ip_pos, kIpv4HeaderLen)));

  const std::size_t udp_pos = frame.size();
  put_be16(frame, packet.src_port);
  put_be16(frame, packet.dst_port);
  put_be16(frame, static_cast<std::uint16_t>(udp_len));
  put_be16(frame, 0);  // checksum placeholder
  frame.append(packet.payload);

  // UDP checksum covers the pseudo header (src, dst, zero, proto, length).
  std::string pseudo;
  pseudo.append(reinterpret_cast<const char*>(packet.src_ip.data()), 4);
  pseudo.append(reinterpret_cast<const char*>(packet.dst_ip.data()), 4);
  pseudo.push_back(0);
  pseudo.push_back(17);
  put_be16(pseudo, static_cast<std::uint16_t>(udp_len));
  std::uint32_t sum = add_ones_complement(0, pseudo, 0, pseudo.size());
  sum = add_ones_complement(sum, frame, udp_pos, udp_len);
  std::uint16_t udp_sum = fold_checksum(sum);
  if (udp_sum == 0) udp_sum = 0xffff;  // 0 would mean "no checksum"
  set_be16(frame, udp_pos + 6, udp_sum);
  return frame;
}

std::string encode_pcap_file(const std::vector<PcapUdpPacket>& packets) {
  std::string out;
  put_le32(out, kPcapMagic);
  put_le16(out, 2);  // version 2.4
  put_le16(out, 4);
  put_le32(out, 0);  // thiszone
  put_le32(out, 0);  // sigfigs
  put_le32(out, kSnapLen);
  put_le32(out, kLinktypeEthernet);

  const auto now = static_cast<std::uint32_t>(std::time(nullptr));
  std::uint32_t usec = 0;
  for (const PcapUdpPacket& packet : packets) {
    const std::string frame = build_udp_ethernet_frame(packet);
    put_le32(out, packet.ts_sec != 0 ? packet.ts_sec : now);
    put_le32(out, usec++);  // keeps records strictly ordered within one second
    put_le32(out, static_cast<std::uint32_t>(frame.size()));  // captured length
    put_le32(out, static_cast<std::uint32_t>(frame.size()));  // original length
    out.append(frame);
  }
  return out;
}

void write_pcap_file(const std::string& path, const std::vector<PcapUdpPacket>& packets) {
  const std::string image = encode_pcap_file(packets);
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) throw std::runtime_error("pcap_file_writer: cannot open " + path + ": " + std::strerror(errno));
  file.write(image.data(), static_cast<std::streamsize>(image.size()));
  file.close();
  if (!file) throw std::runtime_error("pcap_file_writer: write failed for " + path);
}

}  // namespace sesame::test
