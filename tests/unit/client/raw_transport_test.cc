// SPDX-License-Identifier: GPL-2.0-or-later
// -P udpraw, tcpraw, icmp and -Q for real: each root-only test forks a child into a private network namespace
// (only its own loopback), sends there and captures there, so nothing reaches the host's interfaces.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "client/raw_packet.h"
#include "client/spa_sender.h"
#include "unit/client/loopback_peer.h"

namespace sesame::client {
namespace {

using namespace std::chrono_literals;
using config::SpaProtocol;

const std::string kWire =
    "8Vh3+dxR1ZtF6VQm0+Kf7gL3tnyVY2m5/8yq7Y0CEhl6Jg1nE7gI7b1o5m3rX7v4Ah8vE0YxS1zJv0Ai+p4kY8z1qFmC3hL6dT9wN2bR5uG0sKx"
    "J7cV4eQ1aZ/8fH3mW6pO9iU2tL5rE8yB1nD4gS7jA0kX3vC6qM9hF2lP5oI8uT1wR4eY7zN0bG3sK6dJ9cV2xQ5aH8fL1mW4pO7";

bool bring_loopback_up() {
  UniqueFd control(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  ifreq request{};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  if (!control.is_valid() || ioctl(control.get(), SIOCGIFFLAGS, &request) != 0) return false;
  request.ifr_flags = short(request.ifr_flags | IFF_UP);
  return ioctl(control.get(), SIOCSIFFLAGS, &request) == 0;
}

// Runs `work` in a forked child inside a fresh network namespace; returns its verdict, "" meaning success. A
// child is simplest: the namespace dies with it, and the test process's own network is never switched.
std::string run_in_private_network(const std::function<std::string()>& work) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return "pipe failed";
  const pid_t child = fork();
  if (child < 0) return "fork failed";
  if (child == 0) {
    close(pipe_fds[0]);
    std::string verdict;
    if (unshare(CLONE_NEWNET) != 0) {
      verdict = "unshare(CLONE_NEWNET) failed: " + std::string(std::strerror(errno));
    } else if (!bring_loopback_up()) {
      verdict = "cannot bring lo up in the namespace";
    } else {
      verdict = work();
    }
    if (!verdict.empty()) (void)!write(pipe_fds[1], verdict.data(), verdict.size());
    _exit(0);  // no atexit handlers, no gtest teardown in the child
  }
  close(pipe_fds[1]);
  const UniqueFd reader(pipe_fds[0]);
  std::string verdict;
  char buffer[512];
  for (ssize_t got; (got = read(reader.get(), buffer, sizeof(buffer))) != 0;) {
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) break;
    verdict.append(buffer, std::size_t(got));
  }
  int status = 0;
  waitpid(child, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) verdict += " (child died abnormally)";
  return verdict;
}

std::uint16_t get16(const std::string& bytes, std::size_t at) {
  return std::uint16_t(std::uint8_t(bytes[at]) << 8 | std::uint8_t(bytes[at + 1]));
}

std::string ipv4_source(const std::string& packet) {
  char text[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, packet.data() + 12, text, sizeof(text));
  return text;
}

// Waits for a packet on a raw socket that `matches`; raw sockets see every packet of their protocol, including
// the kernel's own answers (echo replies, resets).
std::string capture(int raw_fd, const std::function<bool(const std::string&)>& matches) {
  for (int tries = 0; tries < 16; ++tries) {
    const auto datagram = loopback::receive_datagram(raw_fd, 2s);
    if (!datagram) return {};
    if (matches(datagram->payload)) return datagram->payload;
  }
  return {};
}

std::uint16_t pseudo_header_check(const std::string& packet, std::uint8_t protocol) {
  std::vector<std::uint8_t> bytes(packet.begin() + 12, packet.begin() + 20);
  const std::size_t length = packet.size() - kIpv4HeaderSize;
  bytes.insert(bytes.end(), {0, protocol, std::uint8_t(length >> 8), std::uint8_t(length & 0xff)});
  bytes.insert(bytes.end(), packet.begin() + kIpv4HeaderSize, packet.end());
  return internet_checksum(bytes);
}

SendRequest raw_request(SpaProtocol protocol, std::uint16_t port) {
  SendRequest request;
  request.server = "127.0.0.1";
  request.port = port;
  request.protocol = protocol;
  return request;
}

#define SKIP_UNLESS_ROOT() \
  if (geteuid() != 0) GTEST_SKIP() << "SKIPPED: needs root"

// A UDP socket receives it: the kernel checked the UDP checksum on the way in; the raw capture checks the rest.
std::string send_udpraw_and_check(const std::optional<std::string>& spoof, std::uint16_t source_port) {
  auto receiver = loopback::bind_loopback(SOCK_DGRAM, "127.0.0.1");
  UniqueFd capture_fd(socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_UDP));
  if (!receiver.fd.is_valid() || !capture_fd.is_valid()) return "cannot open the receiving sockets";
  SendRequest request = raw_request(SpaProtocol::kUdpRaw, receiver.port);
  request.spoof_source = spoof;
  request.source_port = source_port;
  const auto report = send_spa_packet(kWire, request);
  if (!report) return "send failed: " + report.error().message;
  if (report->destination != "127.0.0.1:" + std::to_string(receiver.port)) return "destination " + report->destination;
  if (report->bytes_sent != 28 + kWire.size()) return "bytes_sent " + std::to_string(report->bytes_sent);
  const auto datagram = loopback::receive_datagram(receiver.fd.get(), 2s);
  if (!datagram) return "no datagram arrived";
  if (datagram->payload != kWire) return "payload differs";
  const auto* from = reinterpret_cast<const sockaddr_in*>(&datagram->from);
  char text[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &from->sin_addr, text, sizeof(text));
  if (std::string(text) != spoof.value_or("127.0.0.1")) return "source address " + std::string(text);
  const std::uint16_t port = ntohs(from->sin_port);
  if (source_port != 0 && port != source_port) return "source port " + std::to_string(port);
  if (source_port == 0 && (port < 10000 || port > 65534)) return "random source port " + std::to_string(port);
  const std::string packet =
      capture(capture_fd.get(), [&](const std::string& p) { return p.size() > 28 && get16(p, 22) == receiver.port; });
  if (packet.empty()) return "raw capture saw nothing";
  if (std::uint8_t(packet[8]) != 255) return "TTL " + std::to_string(std::uint8_t(packet[8]));
  if (pseudo_header_check(packet, IPPROTO_UDP) != 0) return "bad UDP checksum";
  return {};
}

TEST(RawTransport, UdpRawArrivesAtAUdpSocket) {
  SKIP_UNLESS_ROOT();
  EXPECT_EQ(run_in_private_network([] { return send_udpraw_and_check(std::nullopt, 40123); }), "");
}

TEST(RawTransport, UdpRawPicksARandomSourcePort) {
  SKIP_UNLESS_ROOT();
  EXPECT_EQ(run_in_private_network([] { return send_udpraw_and_check(std::nullopt, 0); }), "");
}

TEST(RawTransport, UdpRawSpoofsTheSource) {
  SKIP_UNLESS_ROOT();
  EXPECT_EQ(run_in_private_network([] { return send_udpraw_and_check("10.99.99.99", 40124); }), "");
}

std::string send_icmp_and_check(int type, int code, const std::optional<std::string>& spoof) {
  UniqueFd capture_fd(socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP));
  if (!capture_fd.is_valid()) return "cannot open a raw ICMP socket";
  SendRequest request = raw_request(SpaProtocol::kIcmp, 62201);
  request.icmp_type = type;
  request.icmp_code = code;
  request.spoof_source = spoof;
  const auto report = send_spa_packet(kWire, request);
  if (!report) return "send failed: " + report.error().message;
  if (report->destination != "127.0.0.1") return "destination " + report->destination;
  // The kernel may answer an echo request; only ours has the requested type and the source we set.
  const std::string packet = capture(capture_fd.get(), [&](const std::string& p) {
    return p.size() > 28 && std::uint8_t(p[20]) == type && ipv4_source(p) == spoof.value_or("127.0.0.1");
  });
  if (packet.empty()) return "raw capture saw nothing";
  if (std::uint8_t(packet[21]) != code) return "ICMP code " + std::to_string(std::uint8_t(packet[21]));
  if (packet.substr(28) != kWire) return "payload differs";
  if (std::uint8_t(packet[8]) != 255) return "TTL " + std::to_string(std::uint8_t(packet[8]));
  const std::vector<std::uint8_t> icmp(packet.begin() + 20, packet.end());
  if (internet_checksum(icmp) != 0) return "bad ICMP checksum";
  if (type == 8 && code == 0 && get16(packet, 26) != 1) return "echo sequence " + std::to_string(get16(packet, 26));
  return {};
}

TEST(RawTransport, IcmpEchoRequestArrives) {
  SKIP_UNLESS_ROOT();
  EXPECT_EQ(run_in_private_network([] { return send_icmp_and_check(8, 0, std::nullopt); }), "");
}

TEST(RawTransport, IcmpDefaultEchoReplyWithSpoofedSourceArrives) {
  SKIP_UNLESS_ROOT();
  EXPECT_EQ(run_in_private_network([] { return send_icmp_and_check(0, 0, "10.99.99.99"); }), "");
}

std::string send_tcpraw_and_check(const std::optional<std::string>& spoof) {
  UniqueFd capture_fd(socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_TCP));
  if (!capture_fd.is_valid()) return "cannot open a raw TCP socket";
  constexpr std::uint16_t kPort = 62201;
  SendRequest request = raw_request(SpaProtocol::kTcpRaw, kPort);
  request.source_port = 40125;
  request.spoof_source = spoof;
  const auto report = send_spa_packet(kWire, request);
  if (!report) return "send failed: " + report.error().message;
  // Nothing listens, so the kernel answers with a reset; ours is the SYN towards kPort.
  const std::string packet = capture(capture_fd.get(), [&](const std::string& p) {
    return p.size() > 40 && get16(p, 22) == kPort && std::uint8_t(p[33]) == 0x02;
  });
  if (packet.empty()) return "raw capture saw nothing";
  if (ipv4_source(packet) != spoof.value_or("127.0.0.1")) return "source address " + ipv4_source(packet);
  if (get16(packet, 20) != 40125) return "source port " + std::to_string(get16(packet, 20));
  if (get16(packet, 24) != 0 || get16(packet, 26) != 1) return "sequence is not 1";
  if (get16(packet, 34) != 32767) return "window " + std::to_string(get16(packet, 34));
  if (std::uint8_t(packet[32]) != 0x50) return "TCP options present";
  if (packet.substr(40) != kWire) return "payload differs";
  if (pseudo_header_check(packet, IPPROTO_TCP) != 0) return "bad TCP checksum";
  return {};
}

TEST(RawTransport, TcpRawSynArrives) {
  SKIP_UNLESS_ROOT();
  EXPECT_EQ(run_in_private_network([] { return send_tcpraw_and_check(std::nullopt); }), "");
}

TEST(RawTransport, TcpRawSpoofsTheSource) {
  SKIP_UNLESS_ROOT();
  EXPECT_EQ(run_in_private_network([] { return send_tcpraw_and_check("10.99.99.99"); }), "");
}

std::string send_without_privileges() {
  const auto report = send_spa_packet(kWire, raw_request(SpaProtocol::kUdpRaw, 62201));
  if (report) return "sent without CAP_NET_RAW";
  return report.error().message;
}

TEST(RawTransport, WithoutCapNetRawSaysWhatIsMissing) {
  const std::string want = "raw socket needs root (CAP_NET_RAW) for -P udpraw";
  if (geteuid() != 0) {
    EXPECT_EQ(send_without_privileges(), want);
    return;
  }
  // As root: become nobody in the child, which drops every capability.
  EXPECT_EQ(run_in_private_network([&]() -> std::string {
              if (setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0) return "setresuid failed";
              const std::string message = send_without_privileges();
              return message == want ? std::string() : message;
            }),
            "");
}

TEST(RawTransport, RawModesAreIpv4Only) {
  SendRequest request = raw_request(SpaProtocol::kTcpRaw, 62201);
  request.ipv6_only = true;
  const auto report = send_spa_packet(kWire, request);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().message, "-P tcpraw sends IPv4 packets only");
}

TEST(RawTransport, SpoofedSourceMustBeIpv4) {
  SendRequest request = raw_request(SpaProtocol::kIcmp, 62201);
  request.spoof_source = "::1";
  const auto report = send_spa_packet(kWire, request);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().message, "-Q: '::1' is not an IPv4 address");
}

}  // namespace
}  // namespace sesame::client
