// SPDX-License-Identifier: GPL-2.0-or-later
// parse_link_frame: every link type, VLAN and PPPoE, IPv4 options, fragments, IPv6 extension headers, the TCP data
// offset, ICMP, trailers past the IP length, and every truncation of every kind of frame.
#include "server/capture/link_frame.h"

#include <gtest/gtest.h>
#include <pcap/dlt.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sesame::server::capture {
namespace {

using Frame = std::vector<std::uint8_t>;
using config::IpAddress;

constexpr std::string_view kPayload = "SPA-payload/8Vh3+dxR1ZtF6VQm0";
constexpr std::uint8_t kUdp = 17, kTcp = 6, kIcmp = 1, kIcmpv6 = 58;

void put16(Frame& frame, std::size_t value) {
  frame.push_back(std::uint8_t(value >> 8));
  frame.push_back(std::uint8_t(value));
}

Frame bytes_of(std::string_view text) {
  return Frame(text.begin(), text.end());
}

Frame concat(Frame head, const Frame& tail) {
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

Frame udp(std::uint16_t source_port, std::uint16_t destination_port, std::string_view payload = kPayload) {
  Frame segment;
  put16(segment, source_port);
  put16(segment, destination_port);
  put16(segment, 8 + payload.size());
  put16(segment, 0);  // checksum: not checked
  return concat(segment, bytes_of(payload));
}

// option_words: 32-bit words of NOP options between the fixed header and the data.
Frame tcp(std::uint16_t source_port, std::uint16_t destination_port, std::size_t option_words = 0,
          std::string_view payload = kPayload) {
  Frame segment;
  put16(segment, source_port);
  put16(segment, destination_port);
  for (int i = 0; i < 8; ++i) segment.push_back(0);          // sequence and acknowledgement numbers
  segment.push_back(std::uint8_t((5 + option_words) << 4));  // data offset
  segment.push_back(0x18);                                   // PSH, ACK
  put16(segment, 64240);                                     // window
  put16(segment, 0);                                         // checksum
  put16(segment, 0);                                         // urgent pointer
  segment.insert(segment.end(), option_words * 4, 0x01);
  return concat(segment, bytes_of(payload));
}

Frame icmp(std::uint8_t type, std::string_view payload = kPayload) {
  Frame segment = {type, 0, 0, 0, 0x12, 0x34, 0x00, 0x01};  // type, code, checksum, identifier, sequence
  return concat(segment, bytes_of(payload));
}

const IpAddress kSource4 = *IpAddress::parse("192.0.2.10");
const IpAddress kDestination4 = *IpAddress::parse("198.51.100.20");
const IpAddress kSource6 = *IpAddress::parse("2001:db8::10");
const IpAddress kDestination6 = *IpAddress::parse("2001:db8:ff::20");

// options: a multiple of 4 bytes. flags_fragment: the flags and fragment offset field.
Frame ipv4(std::uint8_t protocol, const Frame& segment, const Frame& options = {}, std::uint16_t flags_fragment = 0) {
  Frame packet;
  packet.push_back(std::uint8_t(0x40 | (5 + options.size() / 4)));
  packet.push_back(0);
  put16(packet, 20 + options.size() + segment.size());
  put16(packet, 0xbeef);
  put16(packet, flags_fragment);
  packet.push_back(64);
  packet.push_back(protocol);
  put16(packet, 0);
  for (auto byte : kSource4.bytes()) packet.push_back(byte);
  for (auto byte : kDestination4.bytes()) packet.push_back(byte);
  return concat(concat(packet, options), segment);
}

// `rest`: extension headers, if any, then the transport segment.
Frame ipv6(std::uint8_t next_header, const Frame& rest) {
  Frame packet = {0x60, 0, 0, 0};
  put16(packet, rest.size());
  packet.push_back(next_header);
  packet.push_back(64);
  for (auto byte : kSource6.bytes()) packet.push_back(byte);
  for (auto byte : kDestination6.bytes()) packet.push_back(byte);
  return concat(packet, rest);
}

// Hop-by-hop, routing or destination options: (units + 1) * 8 bytes.
Frame extension(std::uint8_t next_header, std::uint8_t units) {
  Frame header((units + 1) * 8, 0);
  header[0] = next_header;
  header[1] = units;
  return header;
}

Frame fragment(std::uint8_t next_header, std::uint16_t offset_units, bool more) {
  Frame header = {next_header, 0};
  put16(header, std::uint16_t(offset_units << 3 | (more ? 1 : 0)));
  put16(header, 0xdead);  // identification
  put16(header, 0xbeef);
  return header;
}

struct Tag {
  std::uint16_t tpid;
  std::uint16_t tci;
};

Frame ethernet(std::uint16_t type, const Frame& payload, const std::vector<Tag>& tags = {}) {
  Frame frame = {0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02};  // destination, source
  for (const Tag& tag : tags) {
    put16(frame, tag.tpid);
    put16(frame, tag.tci);
  }
  put16(frame, type);
  return concat(frame, payload);
}

Frame pppoe(std::uint16_t ppp_protocol, const Frame& packet) {
  Frame header = {0x11, 0x00, 0x00, 0x2a};  // version 1, type 1, code 0 (session data), session id
  put16(header, 2 + packet.size());
  put16(header, ppp_protocol);
  return concat(header, packet);
}

Frame sll(std::uint16_t protocol, const Frame& payload) {
  Frame frame = {0, 0, 0, 1, 0, 6, 0x02, 0, 0, 0, 0, 0x01, 0, 0};  // incoming, ARPHRD_ETHER, 6-byte address, pad
  put16(frame, protocol);
  return concat(frame, payload);
}

Frame sll2(std::uint16_t protocol, const Frame& payload) {
  Frame frame;
  put16(frame, protocol);
  put16(frame, 0);                                                  // reserved
  frame.insert(frame.end(), {0, 0, 0, 2});                          // interface index
  put16(frame, 1);                                                  // ARPHRD_ETHER
  frame.insert(frame.end(), {0, 6, 0x02, 0, 0, 0, 0, 0x01, 0, 0});  // incoming, address length, address
  return concat(frame, payload);
}

Frame null_link(std::uint32_t family, bool big_endian, const Frame& packet) {
  Frame frame = big_endian ? Frame{std::uint8_t(family >> 24), std::uint8_t(family >> 16), std::uint8_t(family >> 8),
                                   std::uint8_t(family)}
                           : Frame{std::uint8_t(family), std::uint8_t(family >> 8), std::uint8_t(family >> 16),
                                   std::uint8_t(family >> 24)};
  return concat(frame, packet);
}

// The payload is a view into `frame`: a test that keeps the result past the call keeps the frame in a variable.
std::optional<CapturedPacket> parse(int datalink, const Frame& frame) {
  return parse_link_frame(datalink, frame);
}

void expect_udp4(const std::optional<CapturedPacket>& packet, std::uint16_t source_port = 40001,
                 std::uint16_t destination_port = 62201) {
  ASSERT_TRUE(packet.has_value());
  EXPECT_EQ(packet->payload, kPayload);
  EXPECT_EQ(packet->source, kSource4);
  EXPECT_EQ(packet->destination, kDestination4);
  EXPECT_EQ(packet->source_port, source_port);
  EXPECT_EQ(packet->destination_port, destination_port);
  EXPECT_EQ(packet->ip_protocol, kUdp);
  EXPECT_EQ(packet->received_s, 0);
}

void expect_udp6(const std::optional<CapturedPacket>& packet) {
  ASSERT_TRUE(packet.has_value());
  EXPECT_EQ(packet->payload, kPayload);
  EXPECT_EQ(packet->source, kSource6);
  EXPECT_EQ(packet->destination, kDestination6);
  EXPECT_EQ(packet->source_port, 40001);
  EXPECT_EQ(packet->destination_port, 62201);
  EXPECT_EQ(packet->ip_protocol, kUdp);
}

TEST(LinkFrame, SupportedDatalinks) {
  for (int datalink : {DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_NULL, DLT_LOOP, DLT_RAW, DLT_IPV4, DLT_IPV6})
    EXPECT_TRUE(is_supported_datalink(datalink)) << datalink;
  for (int datalink : {DLT_IEEE802_11, DLT_PPP, DLT_PPP_ETHER, DLT_FDDI, -1, 100000})
    EXPECT_FALSE(is_supported_datalink(datalink)) << datalink;
}

TEST(LinkFrame, EthernetIpv4Udp) {
  const Frame frame = ethernet(0x0800, ipv4(kUdp, udp(40001, 62201)));
  const auto packet = parse(DLT_EN10MB, frame);
  expect_udp4(packet);
  // A view into the frame, not a copy.
  EXPECT_EQ(static_cast<const void*>(packet->payload.data()), static_cast<const void*>(frame.data() + 14 + 20 + 8));
}

TEST(LinkFrame, EthernetFcsAndPaddingAreNotPayload) {
  const Frame with_fcs = concat(ethernet(0x0800, ipv4(kUdp, udp(40001, 62201))), {0xde, 0xad, 0xbe, 0xef});
  expect_udp4(parse(DLT_EN10MB, with_fcs));

  // A short datagram padded to Ethernet's 60-byte minimum, plus its FCS.
  Frame padded = ethernet(0x0800, ipv4(kUdp, udp(40001, 62201, "hi")));
  padded.resize(64, 0);
  const auto packet = parse(DLT_EN10MB, padded);
  ASSERT_TRUE(packet.has_value());
  EXPECT_EQ(packet->payload, "hi");
}

TEST(LinkFrame, UdpLengthFieldIsNotTrusted) {
  Frame segment = udp(40001, 62201);
  segment[4] = 0xff;  // claims 65535 bytes
  segment[5] = 0xff;
  expect_udp4(parse(DLT_EN10MB, ethernet(0x0800, ipv4(kUdp, segment))));
  segment[4] = 0;  // claims less than its own header
  segment[5] = 2;
  expect_udp4(parse(DLT_EN10MB, ethernet(0x0800, ipv4(kUdp, segment))));
}

TEST(LinkFrame, EmptyUdpPayloadIsStillAPacket) {
  const Frame frame = ethernet(0x0800, ipv4(kUdp, udp(1, 2, "")));
  const auto packet = parse(DLT_EN10MB, frame);
  ASSERT_TRUE(packet.has_value());
  EXPECT_TRUE(packet->payload.empty());
}

TEST(LinkFrame, VlanTagsAreSkipped) {
  const Frame packet = ipv4(kUdp, udp(40001, 62201));
  expect_udp4(parse(DLT_EN10MB, ethernet(0x0800, packet, {{0x8100, 0x0064}})));
  expect_udp4(parse(DLT_EN10MB, ethernet(0x0800, packet, {{0x88a8, 0x0010}, {0x8100, 0x0064}})));
  expect_udp4(parse(DLT_EN10MB, ethernet(0x0800, packet, {{0x9100, 0x0010}, {0x8100, 0x0064}})));
  expect_udp6(parse(DLT_EN10MB, ethernet(0x86dd, ipv6(kUdp, udp(40001, 62201)), {{0x8100, 0x0fff}})));
}

TEST(LinkFrame, Ieee8023LengthFieldIsNotIp) {
  EXPECT_FALSE(parse(DLT_EN10MB, ethernet(0x0040, ipv4(kUdp, udp(40001, 62201)))).has_value());
  EXPECT_FALSE(parse(DLT_EN10MB, ethernet(0x0806, Frame(28, 0))).has_value());  // ARP
}

TEST(LinkFrame, PppoeSessionOverEthernet) {
  expect_udp4(parse(DLT_EN10MB, ethernet(0x8864, pppoe(0x0021, ipv4(kUdp, udp(40001, 62201))))));
  expect_udp6(parse(DLT_EN10MB, ethernet(0x8864, pppoe(0x0057, ipv6(kUdp, udp(40001, 62201))))));
  expect_udp4(parse(DLT_EN10MB, ethernet(0x8864, pppoe(0x0021, ipv4(kUdp, udp(40001, 62201))), {{0x8100, 7}})));
  // With an FCS after the PPPoE payload.
  expect_udp4(parse(DLT_EN10MB, concat(ethernet(0x8864, pppoe(0x0021, ipv4(kUdp, udp(40001, 62201)))), {1, 2, 3, 4})));
}

TEST(LinkFrame, PppoeOtherThanIpSessionDataIsIgnored) {
  const Frame packet = ipv4(kUdp, udp(40001, 62201));
  EXPECT_FALSE(parse(DLT_EN10MB, ethernet(0x8863, pppoe(0x0021, packet))).has_value());  // discovery stage
  EXPECT_FALSE(parse(DLT_EN10MB, ethernet(0x8864, pppoe(0xc021, packet))).has_value());  // LCP
  Frame not_session = pppoe(0x0021, packet);
  not_session[1] = 0x09;  // PADI code
  EXPECT_FALSE(parse(DLT_EN10MB, ethernet(0x8864, not_session)).has_value());
  Frame bad_version = pppoe(0x0021, packet);
  bad_version[0] = 0x21;
  EXPECT_FALSE(parse(DLT_EN10MB, ethernet(0x8864, bad_version)).has_value());
  // The PPPoE length bounds the IP packet: one byte short of it, or longer than the frame.
  Frame short_length = pppoe(0x0021, packet);
  short_length[5] -= 1;
  EXPECT_FALSE(parse(DLT_EN10MB, ethernet(0x8864, short_length)).has_value());
  Frame long_length = pppoe(0x0021, packet);
  long_length[4] = 0xff;
  EXPECT_FALSE(parse(DLT_EN10MB, ethernet(0x8864, long_length)).has_value());
  Frame tiny_length = pppoe(0x0021, packet);
  tiny_length[4] = 0;
  tiny_length[5] = 1;
  EXPECT_FALSE(parse(DLT_EN10MB, ethernet(0x8864, tiny_length)).has_value());
}

TEST(LinkFrame, LinuxCookedHeaders) {
  expect_udp4(parse(DLT_LINUX_SLL, sll(0x0800, ipv4(kUdp, udp(40001, 62201)))));
  expect_udp6(parse(DLT_LINUX_SLL, sll(0x86dd, ipv6(kUdp, udp(40001, 62201)))));
  // libpcap puts a stripped VLAN tag back in front of the protocol field.
  expect_udp4(parse(DLT_LINUX_SLL, sll(0x8100, concat({0x00, 0x64, 0x08, 0x00}, ipv4(kUdp, udp(40001, 62201))))));
  EXPECT_FALSE(parse(DLT_LINUX_SLL, sll(0x0806, Frame(28, 0))).has_value());
  EXPECT_FALSE(parse(DLT_LINUX_SLL, sll(0x0004, ipv4(kUdp, udp(40001, 62201)))).has_value());  // ETH_P_802_2

  expect_udp4(parse(DLT_LINUX_SLL2, sll2(0x0800, ipv4(kUdp, udp(40001, 62201)))));
  expect_udp6(parse(DLT_LINUX_SLL2, sll2(0x86dd, ipv6(kUdp, udp(40001, 62201)))));
  EXPECT_FALSE(parse(DLT_LINUX_SLL2, sll2(0x0806, Frame(28, 0))).has_value());
}

TEST(LinkFrame, BsdLoopbackFamilyInEitherByteOrder) {
  const Frame packet4 = ipv4(kUdp, udp(40001, 62201));
  const Frame packet6 = ipv6(kUdp, udp(40001, 62201));
  for (int datalink : {DLT_NULL, DLT_LOOP}) {
    for (bool big_endian : {false, true}) {
      SCOPED_TRACE(testing::Message() << "datalink " << datalink << " big endian " << big_endian);
      expect_udp4(parse(datalink, null_link(2, big_endian, packet4)));
      for (std::uint32_t family : {10u, 24u, 28u, 30u})
        expect_udp6(parse(datalink, null_link(family, big_endian, packet6)));
      EXPECT_FALSE(parse(datalink, null_link(7, big_endian, packet4)).has_value());
      EXPECT_FALSE(parse(datalink, null_link(2, big_endian, packet6)).has_value());  // family and version disagree
      EXPECT_FALSE(parse(datalink, null_link(10, big_endian, packet4)).has_value());
    }
  }
}

TEST(LinkFrame, RawIp) {
  const Frame packet4 = ipv4(kUdp, udp(40001, 62201));
  const Frame packet6 = ipv6(kUdp, udp(40001, 62201));
  expect_udp4(parse(DLT_RAW, packet4));
  expect_udp6(parse(DLT_RAW, packet6));
  expect_udp4(parse(DLT_IPV4, packet4));
  expect_udp6(parse(DLT_IPV6, packet6));
  EXPECT_FALSE(parse(DLT_IPV4, packet6).has_value());
  EXPECT_FALSE(parse(DLT_IPV6, packet4).has_value());
  Frame version5 = packet4;
  version5[0] = 0x55;
  EXPECT_FALSE(parse(DLT_RAW, version5).has_value());
}

TEST(LinkFrame, UnsupportedDatalinkIsIgnored) {
  EXPECT_FALSE(parse(DLT_IEEE802_11, ethernet(0x0800, ipv4(kUdp, udp(40001, 62201)))).has_value());
  EXPECT_FALSE(parse(-1, ipv4(kUdp, udp(40001, 62201))).has_value());
}

TEST(LinkFrame, Ipv4OptionsAreSkipped) {
  const Frame options = {0x94, 0x04, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00};  // router alert, NOPs, end
  expect_udp4(parse(DLT_EN10MB, ethernet(0x0800, ipv4(kUdp, udp(40001, 62201), options))));
  const Frame longest(40, 0x01);  // IHL 15
  expect_udp4(parse(DLT_EN10MB, ethernet(0x0800, ipv4(kUdp, udp(40001, 62201), longest))));
}

TEST(LinkFrame, Ipv4HeaderFieldsAreChecked) {
  const Frame good = ipv4(kUdp, udp(40001, 62201));
  Frame short_ihl = good;
  short_ihl[0] = 0x44;
  EXPECT_FALSE(parse(DLT_RAW, short_ihl).has_value());
  Frame ihl_past_total = good;
  ihl_past_total[0] = 0x4f;  // 60-byte header in a packet that has fewer bytes than that before the payload ends
  ihl_past_total[2] = 0;
  ihl_past_total[3] = 40;
  EXPECT_FALSE(parse(DLT_RAW, ihl_past_total).has_value());
  Frame total_below_header = good;
  total_below_header[2] = 0;
  total_below_header[3] = 19;
  EXPECT_FALSE(parse(DLT_RAW, total_below_header).has_value());
  Frame total_past_frame = good;
  total_past_frame[3] += 1;
  EXPECT_FALSE(parse(DLT_RAW, total_past_frame).has_value());
  Frame version6 = good;
  version6[0] = 0x65;
  EXPECT_FALSE(parse(DLT_EN10MB, ethernet(0x0800, version6)).has_value());
  // A total length that stops inside the UDP header.
  Frame cut_udp = good;
  cut_udp[2] = 0;
  cut_udp[3] = 27;
  EXPECT_FALSE(parse(DLT_RAW, cut_udp).has_value());
}

TEST(LinkFrame, Ipv4FragmentsAfterTheFirstAreIgnored) {
  const Frame segment = udp(40001, 62201);
  EXPECT_FALSE(parse(DLT_RAW, ipv4(kUdp, segment, {}, 0x0001)).has_value());  // offset 8 bytes
  EXPECT_FALSE(parse(DLT_RAW, ipv4(kUdp, segment, {}, 0x2010)).has_value());  // more fragments, offset
  EXPECT_FALSE(parse(DLT_RAW, ipv4(kUdp, segment, {}, 0x1fff)).has_value());
  // The first fragment is taken as it is, as fwknopd does; so is a packet with don't-fragment set.
  expect_udp4(parse(DLT_RAW, ipv4(kUdp, segment, {}, 0x2000)));
  expect_udp4(parse(DLT_RAW, ipv4(kUdp, segment, {}, 0x4000)));
}

TEST(LinkFrame, TcpPayloadStartsAtTheDataOffset) {
  for (std::size_t words : {0u, 3u, 10u}) {
    const Frame frame = ethernet(0x0800, ipv4(kTcp, tcp(51000, 443, words)));
    const auto packet = parse(DLT_EN10MB, frame);
    ASSERT_TRUE(packet.has_value()) << words;
    EXPECT_EQ(packet->payload, kPayload);
    EXPECT_EQ(packet->ip_protocol, kTcp);
    EXPECT_EQ(packet->source_port, 51000);
    EXPECT_EQ(packet->destination_port, 443);
  }
  const Frame frame6 = ipv6(kTcp, tcp(51000, 443, 2));
  const auto over6 = parse(DLT_RAW, frame6);
  ASSERT_TRUE(over6.has_value());
  EXPECT_EQ(over6->payload, kPayload);
  EXPECT_EQ(over6->ip_protocol, kTcp);
}

TEST(LinkFrame, TcpDataOffsetIsChecked) {
  Frame below_minimum = tcp(51000, 443);
  below_minimum[12] = 0x40;  // 16 bytes: shorter than the fixed header
  EXPECT_FALSE(parse(DLT_RAW, ipv4(kTcp, below_minimum)).has_value());
  Frame past_end = tcp(51000, 443, 0, "abc");
  past_end[12] = 0x60;  // 24 bytes, but the segment ends at 23
  EXPECT_FALSE(parse(DLT_RAW, ipv4(kTcp, past_end)).has_value());
  const Frame no_data = ipv4(kTcp, tcp(51000, 443, 0, ""));
  const auto header_only = parse(DLT_RAW, no_data);
  ASSERT_TRUE(header_only.has_value());
  EXPECT_TRUE(header_only->payload.empty());
}

TEST(LinkFrame, IcmpPayloadFollowsTheEightByteHeader) {
  const Frame frame = ethernet(0x0800, ipv4(kIcmp, icmp(8)));
  const auto echo = parse(DLT_EN10MB, frame);
  ASSERT_TRUE(echo.has_value());
  EXPECT_EQ(echo->payload, kPayload);
  EXPECT_EQ(echo->ip_protocol, kIcmp);
  EXPECT_EQ(echo->source, kSource4);
  EXPECT_EQ(echo->source_port, 0);
  EXPECT_EQ(echo->destination_port, 0);

  const Frame frame6 = ethernet(0x86dd, ipv6(kIcmpv6, icmp(128)));
  const auto echo6 = parse(DLT_EN10MB, frame6);
  ASSERT_TRUE(echo6.has_value());
  EXPECT_EQ(echo6->payload, kPayload);
  EXPECT_EQ(echo6->ip_protocol, kIcmpv6);
  EXPECT_EQ(echo6->destination, kDestination6);

  // Each ICMP belongs to its own IP version.
  EXPECT_FALSE(parse(DLT_RAW, ipv4(kIcmpv6, icmp(128))).has_value());
  EXPECT_FALSE(parse(DLT_RAW, ipv6(kIcmp, icmp(8))).has_value());
  EXPECT_FALSE(parse(DLT_RAW, ipv4(kIcmp, Frame{8, 0, 0, 0, 0, 0, 0})).has_value());  // 7 bytes
}

TEST(LinkFrame, OtherTransportProtocolsAreIgnored) {
  EXPECT_FALSE(parse(DLT_RAW, ipv4(47, udp(40001, 62201))).has_value());   // GRE
  EXPECT_FALSE(parse(DLT_RAW, ipv4(132, udp(40001, 62201))).has_value());  // SCTP
  EXPECT_FALSE(parse(DLT_RAW, ipv6(59, udp(40001, 62201))).has_value());   // no next header
  EXPECT_FALSE(parse(DLT_RAW, ipv6(50, udp(40001, 62201))).has_value());   // ESP
}

TEST(LinkFrame, Ipv6ExtensionHeadersAreSkipped) {
  const Frame chain = concat(concat(concat(extension(43, 0), extension(60, 2)), extension(kUdp, 1)), udp(40001, 62201));
  expect_udp6(parse(DLT_RAW, ipv6(0, chain)));
  expect_udp6(parse(DLT_RAW, ipv6(60, concat(extension(kUdp, 0), udp(40001, 62201)))));
  // A header length past the end, and a header with no room for its own length byte.
  EXPECT_FALSE(parse(DLT_RAW, ipv6(0, concat(extension(kUdp, 0), Frame{}))).has_value());
  Frame overlong = concat(extension(kUdp, 0), udp(40001, 62201));
  overlong[1] = 200;
  EXPECT_FALSE(parse(DLT_RAW, ipv6(0, overlong)).has_value());
  EXPECT_FALSE(parse(DLT_RAW, ipv6(60, Frame{kUdp})).has_value());
}

TEST(LinkFrame, Ipv6OnlyAtomicFragmentsAreTaken) {
  expect_udp6(parse(DLT_RAW, ipv6(44, concat(fragment(kUdp, 0, false), udp(40001, 62201)))));
  expect_udp6(parse(DLT_RAW, ipv6(0, concat(concat(extension(44, 0), fragment(kUdp, 0, false)), udp(40001, 62201)))));
  EXPECT_FALSE(parse(DLT_RAW, ipv6(44, concat(fragment(kUdp, 0, true), udp(40001, 62201)))).has_value());
  EXPECT_FALSE(parse(DLT_RAW, ipv6(44, concat(fragment(kUdp, 1, false), udp(40001, 62201)))).has_value());
  EXPECT_FALSE(parse(DLT_RAW, ipv6(44, concat(fragment(kUdp, 185, true), udp(40001, 62201)))).has_value());
  EXPECT_FALSE(parse(DLT_RAW, ipv6(44, Frame{kUdp, 0, 0, 0, 0, 0, 0})).has_value());  // 7 bytes
}

TEST(LinkFrame, Ipv6PayloadLengthBoundsThePayload) {
  const Frame trailer = concat(ipv6(kUdp, udp(40001, 62201)), {0xaa, 0xbb, 0xcc, 0xdd});
  expect_udp6(parse(DLT_RAW, trailer));
  Frame past_frame = ipv6(kUdp, udp(40001, 62201));
  past_frame[5] += 1;
  EXPECT_FALSE(parse(DLT_RAW, past_frame).has_value());
  Frame jumbo = ipv6(0, concat(Frame{kUdp, 0, 0xc2, 4, 0, 1, 0, 0}, udp(40001, 62201)));  // payload length 0
  jumbo[4] = 0;
  jumbo[5] = 0;
  EXPECT_FALSE(parse(DLT_RAW, jumbo).has_value());
  Frame version4 = ipv6(kUdp, udp(40001, 62201));
  version4[0] = 0x40;
  EXPECT_FALSE(parse(DLT_IPV6, version4).has_value());
}

// Every proper prefix of every kind of frame is a truncated frame: none may parse, and none may read past its end
// (each prefix is its own heap block, so AddressSanitizer sees the first byte too far).
TEST(LinkFrame, EveryTruncationIsRejected) {
  const std::vector<std::pair<int, Frame>> frames = {
      {DLT_EN10MB, ethernet(0x0800, ipv4(kUdp, udp(40001, 62201)))},
      {DLT_EN10MB, ethernet(0x0800, ipv4(kTcp, tcp(1, 2, 3), {1, 1, 1, 0}))},
      {DLT_EN10MB, ethernet(0x0800, ipv4(kIcmp, icmp(8)), {{0x88a8, 1}, {0x8100, 2}})},
      {DLT_EN10MB, ethernet(0x86dd, ipv6(0, concat(concat(extension(44, 1), fragment(kUdp, 0, false)), udp(1, 2))))},
      {DLT_EN10MB, ethernet(0x86dd, ipv6(kIcmpv6, icmp(128)))},
      {DLT_EN10MB, ethernet(0x8864, pppoe(0x0021, ipv4(kUdp, udp(1, 2))), {{0x8100, 3}})},
      {DLT_EN10MB, ethernet(0x8864, pppoe(0x0057, ipv6(kTcp, tcp(1, 2))))},
      {DLT_LINUX_SLL, sll(0x0800, ipv4(kUdp, udp(1, 2)))},
      {DLT_LINUX_SLL, sll(0x8100, concat({0, 1, 0x86, 0xdd}, ipv6(kUdp, udp(1, 2))))},
      {DLT_LINUX_SLL2, sll2(0x86dd, ipv6(60, concat(extension(kTcp, 3), tcp(1, 2, 1))))},
      {DLT_NULL, null_link(2, false, ipv4(kUdp, udp(1, 2)))},
      {DLT_LOOP, null_link(30, true, ipv6(kUdp, udp(1, 2)))},
      {DLT_RAW, ipv4(kTcp, tcp(1, 2, 10))},
      {DLT_IPV4, ipv4(kUdp, udp(1, 2), Frame(40, 1))},
      {DLT_IPV6, ipv6(43, concat(extension(kIcmpv6, 0), icmp(129)))},
  };
  for (const auto& [datalink, frame] : frames) {
    ASSERT_TRUE(parse(datalink, frame).has_value()) << "datalink " << datalink << ", " << frame.size() << " bytes";
    for (std::size_t length = 0; length < frame.size(); ++length) {
      const Frame prefix(frame.begin(), frame.begin() + std::ptrdiff_t(length));
      EXPECT_FALSE(parse(datalink, prefix).has_value()) << "datalink " << datalink << ", " << length << " bytes";
    }
  }
}

// Lengths set to their extremes in otherwise valid frames: nothing reads outside the frame.
TEST(LinkFrame, HostileLengthFieldsStayInBounds) {
  const Frame base = ethernet(0x0800, ipv4(kTcp, tcp(1, 2, 1)));
  for (std::size_t at = 14; at < base.size(); ++at) {
    for (std::uint8_t value : {0x00, 0x01, 0x0f, 0x45, 0x4f, 0x7f, 0x80, 0xf0, 0xff}) {
      Frame mutated = base;
      mutated[at] = value;
      const auto packet = parse(DLT_EN10MB, mutated);
      if (!packet) continue;
      const auto* begin = reinterpret_cast<const char*>(mutated.data());
      EXPECT_GE(packet->payload.data(), begin);
      EXPECT_LE(packet->payload.data() + packet->payload.size(), begin + mutated.size());
    }
  }
}

}  // namespace
}  // namespace sesame::server::capture
