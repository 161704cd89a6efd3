// SPDX-License-Identifier: GPL-2.0-or-later
// Raw SPA packets (protocol.md §12.2): header fields byte by byte and every checksum, without a raw socket.
#include "client/raw_packet.h"

#include <gtest/gtest.h>
#include <netinet/in.h>

#include <string>
#include <vector>

namespace sesame::client {
namespace {

using config::SpaProtocol;

constexpr std::string_view kPayload = "8Vh3+dxR1ZtF6VQm0+Kf7gL3tnyVY2m5/8yq7Y0CEhl";  // odd length on purpose

std::uint16_t get16(const std::vector<std::uint8_t>& packet, std::size_t at) {
  return std::uint16_t(packet[at] << 8 | packet[at + 1]);
}

RawPacketFields fields_for(SpaProtocol protocol) {
  RawPacketFields fields;
  fields.protocol = protocol;
  fields.source = {10, 99, 99, 99};
  fields.destination = {192, 0, 2, 7};
  fields.source_port = 40001;
  fields.destination_port = 62201;
  fields.ip_id = 0xbeef;
  fields.icmp_echo_id = 0x1234;
  return fields;
}

// Sum of the pseudo-header and the segment: a correct checksum makes the folded total 0xffff, i.e. 0 complemented.
std::uint16_t verify_with_pseudo_header(const std::vector<std::uint8_t>& packet, std::uint8_t protocol) {
  std::vector<std::uint8_t> pseudo(packet.begin() + 12, packet.begin() + 20);
  const std::size_t length = packet.size() - kIpv4HeaderSize;
  pseudo.insert(pseudo.end(), {0, protocol, std::uint8_t(length >> 8), std::uint8_t(length & 0xff)});
  pseudo.insert(pseudo.end(), packet.begin() + kIpv4HeaderSize, packet.end());
  return internet_checksum(pseudo);
}

void expect_ip_header(const std::vector<std::uint8_t>& packet, std::uint8_t protocol) {
  EXPECT_EQ(packet[0], 0x45);
  EXPECT_EQ(packet[1], 0);
  EXPECT_EQ(get16(packet, 2), packet.size());
  EXPECT_EQ(get16(packet, 4), 0xbeef);
  EXPECT_EQ(get16(packet, 6), 0);  // no flags, no fragment offset
  EXPECT_EQ(packet[8], 255);
  EXPECT_EQ(packet[9], protocol);
  EXPECT_EQ(std::vector<std::uint8_t>(packet.begin() + 12, packet.begin() + 16),
            (std::vector<std::uint8_t>{10, 99, 99, 99}));
  EXPECT_EQ(std::vector<std::uint8_t>(packet.begin() + 16, packet.begin() + 20),
            (std::vector<std::uint8_t>{192, 0, 2, 7}));
  EXPECT_EQ(internet_checksum(std::span(packet).first(kIpv4HeaderSize)), 0);
}

std::string payload_after(const std::vector<std::uint8_t>& packet, std::size_t header) {
  return std::string(packet.begin() + std::ptrdiff_t(kIpv4HeaderSize + header), packet.end());
}

TEST(RawPacket, InternetChecksumMatchesRfc1071Example) {
  // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2, so the checksum is its complement.
  const std::vector<std::uint8_t> bytes = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(internet_checksum(bytes), 0x220d);
  EXPECT_EQ(internet_checksum(std::vector<std::uint8_t>{0xab}), std::uint16_t(~0xab00));
}

TEST(RawPacket, UdpHeaderAndChecksum) {
  const auto packet = build_raw_packet(fields_for(SpaProtocol::kUdpRaw), kPayload);
  ASSERT_EQ(packet.size(), 20 + 8 + kPayload.size());
  expect_ip_header(packet, IPPROTO_UDP);
  EXPECT_EQ(get16(packet, 20), 40001);
  EXPECT_EQ(get16(packet, 22), 62201);
  EXPECT_EQ(get16(packet, 24), 8 + kPayload.size());
  EXPECT_NE(get16(packet, 26), 0);
  EXPECT_EQ(verify_with_pseudo_header(packet, IPPROTO_UDP), 0);
  EXPECT_EQ(payload_after(packet, 8), kPayload);
}

TEST(RawPacket, TcpIsABareSynWithSequenceOne) {
  const auto packet = build_raw_packet(fields_for(SpaProtocol::kTcpRaw), kPayload);
  ASSERT_EQ(packet.size(), 20 + 20 + kPayload.size());
  expect_ip_header(packet, IPPROTO_TCP);
  EXPECT_EQ(get16(packet, 20), 40001);
  EXPECT_EQ(get16(packet, 22), 62201);
  EXPECT_EQ(get16(packet, 24) << 16 | get16(packet, 26), 1);  // sequence
  EXPECT_EQ(get16(packet, 28) << 16 | get16(packet, 30), 0);  // acknowledgement
  EXPECT_EQ(packet[32], 0x50);                                // data offset 5 words: no options
  EXPECT_EQ(packet[33], 0x02);                                // SYN only
  EXPECT_EQ(get16(packet, 34), 32767);
  EXPECT_EQ(get16(packet, 38), 0);  // urgent pointer
  EXPECT_EQ(verify_with_pseudo_header(packet, IPPROTO_TCP), 0);
  EXPECT_EQ(payload_after(packet, 20), kPayload);
}

TEST(RawPacket, IcmpEchoRequestCarriesIdAndSequenceOne) {
  RawPacketFields fields = fields_for(SpaProtocol::kIcmp);
  fields.icmp_type = 8;
  const auto packet = build_raw_packet(fields, kPayload);
  ASSERT_EQ(packet.size(), 20 + 8 + kPayload.size());
  expect_ip_header(packet, IPPROTO_ICMP);
  EXPECT_EQ(packet[20], 8);
  EXPECT_EQ(packet[21], 0);
  EXPECT_EQ(get16(packet, 24), 0x1234);
  EXPECT_EQ(get16(packet, 26), 1);
  EXPECT_EQ(internet_checksum(std::span(packet).subspan(kIpv4HeaderSize)), 0);
  EXPECT_EQ(payload_after(packet, 8), kPayload);
}

TEST(RawPacket, OtherIcmpTypesLeaveTheRestOfTheHeaderZero) {
  RawPacketFields fields = fields_for(SpaProtocol::kIcmp);  // type 0 (echo reply), fwknop's default
  const auto packet = build_raw_packet(fields, kPayload);
  EXPECT_EQ(packet[20], 0);
  EXPECT_EQ(get16(packet, 24), 0);
  EXPECT_EQ(get16(packet, 26), 0);
  EXPECT_EQ(internet_checksum(std::span(packet).subspan(kIpv4HeaderSize)), 0);

  fields.icmp_type = 8;  // echo request with a non-zero code: fwknop fills id and sequence only for code 0
  fields.icmp_code = 3;
  const auto coded = build_raw_packet(fields, kPayload);
  EXPECT_EQ(coded[21], 3);
  EXPECT_EQ(get16(coded, 24), 0);
  EXPECT_EQ(internet_checksum(std::span(coded).subspan(kIpv4HeaderSize)), 0);
}

TEST(RawPacket, ChecksumsChangeWithTheSpoofedSource) {
  RawPacketFields fields = fields_for(SpaProtocol::kUdpRaw);
  const auto first = build_raw_packet(fields, kPayload);
  fields.source = {10, 99, 99, 98};
  const auto second = build_raw_packet(fields, kPayload);
  EXPECT_NE(get16(first, 26), get16(second, 26));
  EXPECT_EQ(verify_with_pseudo_header(second, IPPROTO_UDP), 0);
}

}  // namespace
}  // namespace sesame::client
