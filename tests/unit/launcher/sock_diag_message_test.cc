// SPDX-License-Identifier: GPL-2.0-or-later
// sock_diag bytes: the dump request's layout, and replies captured from a Linux 6.x kernel. The capture: in a
// throw-away network namespace with nftables dropping tcp dport 9, non-blocking connect()s to 127.0.0.1:9, [::1]:9
// and (from an AF_INET6 socket) [::ffff:127.0.0.1]:9, then one AF_INET dump (sequence 7) and one AF_INET6 dump
// (sequence 8); `ss -tanoe state syn-sent` showed the cookies sk:1089, sk:108a and sk:108b.
#include "launcher/sock_diag_message.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <string>
#include <vector>

namespace sesame::launcher {
namespace {

std::vector<std::uint8_t> from_hex(std::string_view hex) {
  std::vector<std::uint8_t> bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    bytes.push_back(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  return bytes;
}

constexpr std::string_view kIpv4Reply =
    "7c00000014000200070000008619000002020100e3d600097f0000010000000000000000000000007f000001000000000000000000000000"
    "0000000089100000000000001c030000000000000100000000000000b5378300050008000000000008000f00000000000c001500010000"
    "00000000000600160052000000";
constexpr std::string_view kIpv6Reply =
    "7c0000001400020008000000861900000a020100e2b200090000000000000000000000000000000100000000000000000000000000000001"
    "000000008a1000000000000018030000000000000100000000000000b6378300050008000000000008000f00000000000c001500010000"
    "000000000006001600120000007c0000001400020008000000861900000a020100e3e0000900000000000000000000ffff7f0000010000"
    "0000000000000000ffff7f000001000000008b1000000000000018030000000000000100000000000000b7378300050008000000000008"
    "000f00000000000c00150001000000000000000600160012000000";
constexpr std::string_view kIpv4Done = "1400000003000200070000008619000000000000";

TEST(SockDiagMessage, RequestAsksForTcpInSynSentOnly) {
  // nlmsghdr: length 72, SOCK_DIAG_BY_FAMILY (20), NLM_F_REQUEST|NLM_F_DUMP (0x301), sequence 7, pid 0;
  // inet_diag_req_v2: AF_INET6, IPPROTO_TCP, no extensions, idiag_states 1 << TCP_SYN_SENT (4), a zero id.
  std::vector<std::uint8_t> expected = from_hex(
      "48000000140001030700000000000000"
      "0a060000"
      "04000000");
  expected.resize(72, 0);
  EXPECT_EQ(syn_sent_dump_request(AF_INET6, 7), expected);
}

TEST(SockDiagMessage, ParsesCapturedIpv4Reply) {
  std::vector<SynSentSocket> sockets;
  EXPECT_EQ(parse_dump_reply(from_hex(kIpv4Reply), 7, sockets).status, DumpStatus::kMore);
  ASSERT_EQ(sockets.size(), 1u);
  EXPECT_EQ(sockets[0].cookie, 0x1089u);
  EXPECT_EQ(to_string(sockets[0].destination), "127.0.0.1:9");
  EXPECT_EQ(parse_dump_reply(from_hex(kIpv4Done), 7, sockets).status, DumpStatus::kDone);
  EXPECT_EQ(sockets.size(), 1u);
}

TEST(SockDiagMessage, ParsesCapturedIpv6ReplyAndMapsIpv4MappedAddresses) {
  std::vector<SynSentSocket> sockets;
  EXPECT_EQ(parse_dump_reply(from_hex(kIpv6Reply), 8, sockets).status, DumpStatus::kMore);
  ASSERT_EQ(sockets.size(), 2u);
  EXPECT_EQ(sockets[0].cookie, 0x108au);
  EXPECT_EQ(to_string(sockets[0].destination), "[::1]:9");
  EXPECT_EQ(sockets[1].cookie, 0x108bu);
  EXPECT_EQ(sockets[1].destination, *parse_destination("127.0.0.1", 9));
  EXPECT_EQ(sockets[1].destination.family, AF_INET);
}

TEST(SockDiagMessage, SkipsOtherSequenceNumbers) {
  std::vector<SynSentSocket> sockets;
  EXPECT_EQ(parse_dump_reply(from_hex(kIpv6Reply), 9, sockets).status, DumpStatus::kMore);
  EXPECT_TRUE(sockets.empty());
  EXPECT_EQ(parse_dump_reply(from_hex(kIpv4Done), 8, sockets).status, DumpStatus::kMore);
}

TEST(SockDiagMessage, ReportsKernelErrorsAndMalformedReplies) {
  // NLMSG_ERROR (2) carrying -ENOENT (what a kernel without an AF_INET6 handler answers).
  const auto error = from_hex(
      "24000000020000000800000000000000"
      "feffffff"
      "4800000014000103080000000000000000");
  std::vector<SynSentSocket> sockets;
  std::vector<std::uint8_t> padded = error;
  padded.resize(36, 0);
  const DumpProgress progress = parse_dump_reply(padded, 8, sockets);
  EXPECT_EQ(progress.status, DumpStatus::kError);
  EXPECT_EQ(progress.error, ENOENT);
  // A message that claims more bytes than the datagram has; and one cut inside its inet_diag_msg.
  auto truncated = from_hex(kIpv4Reply);
  truncated.resize(100);
  EXPECT_EQ(parse_dump_reply(truncated, 7, sockets).error, EPROTO);
  auto short_message = from_hex(kIpv4Reply);
  short_message[0] = 40;
  short_message.resize(40);
  EXPECT_EQ(parse_dump_reply(short_message, 7, sockets).error, EPROTO);
  EXPECT_TRUE(sockets.empty());
  // Fewer bytes than a header: nothing to read, no crash.
  EXPECT_EQ(parse_dump_reply(std::vector<std::uint8_t>(7, 0xff), 7, sockets).status, DumpStatus::kMore);
}

}  // namespace
}  // namespace sesame::launcher
