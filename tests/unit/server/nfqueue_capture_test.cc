// SPDX-License-Identifier: GPL-2.0-or-later
// NfqueueCapture and its nftables rule against the real kernel, each scenario in a network namespace of its own:
// queued datagrams reach dispatch() whole and no socket, other ports and a removed rule leave traffic alone.
#include "server/capture/nfqueue_capture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <nftables/libnftables.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include <cstdlib>

#include "common/unique_fd.h"
#include "config/server_config.h"
#include "server/capture/nfqueue_rule.h"
#include "support/socket_address.h"
#include "unit/server/private_netns.h"

namespace sesame::server::capture {
namespace {

using test::Checker;
using test::run_in_private_netns;

constexpr std::uint16_t kSpaPort = 62201;
constexpr std::uint16_t kOtherPort = 62202;
constexpr std::uint16_t kQueue = 7;

using test::socket_address;

UniqueFd bound_udp(const char* address, std::uint16_t port) {
  socklen_t length = 0;
  const sockaddr_storage storage = socket_address(address, port, length);
  UniqueFd fd(::socket(storage.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&storage), length) != 0) return {};
  return fd;
}

// Sends from `from` (bound, so the test knows the source port) to address:port.
bool send_datagram(const UniqueFd& from, const char* address, std::uint16_t port, const std::string& payload) {
  socklen_t length = 0;
  const sockaddr_storage to = socket_address(address, port, length);
  return ::sendto(from.get(), payload.data(), payload.size(), 0, reinterpret_cast<const sockaddr*>(&to), length) ==
         static_cast<ssize_t>(payload.size());
}

std::uint16_t local_port(const UniqueFd& fd) {
  sockaddr_storage storage{};
  socklen_t length = sizeof storage;
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&storage), &length);
  return ntohs(storage.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6&>(storage).sin6_port
                                             : reinterpret_cast<sockaddr_in&>(storage).sin_port);
}

bool is_readable(int fd, int timeout_ms) {
  pollfd entry{fd, POLLIN, 0};
  return ::poll(&entry, 1, timeout_ms) == 1 && (entry.revents & POLLIN) != 0;
}

// What a socket received within a short wait; empty when nothing came.
std::string received(const UniqueFd& fd, int timeout_ms = 300) {
  if (!is_readable(fd.get(), timeout_ms)) return {};
  char buffer[2048];
  const ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, 0);
  return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
}

struct Seen {
  std::string payload;
  std::string source;
  std::uint16_t source_port = 0;
  std::string destination;
  std::uint16_t destination_port = 0;
  std::uint8_t ip_protocol = 0;
  std::int64_t received_s = 0;
};

// The packets the capture hands on within a short wait.
std::vector<Seen> captured(NfqueueCapture& capture, Checker& check, int timeout_ms = 500) {
  std::vector<Seen> seen;
  if (!is_readable(capture.fd(), timeout_ms)) return seen;
  auto got = capture.dispatch(16, [&](const CapturedPacket& packet) {
    seen.push_back({std::string(packet.payload), packet.source.to_string(), packet.source_port,
                    packet.destination.to_string(), packet.destination_port, packet.ip_protocol, packet.received_s});
  });
  check.expect(got.has_value(), "dispatch: " + (got ? std::string() : got.error()));
  return seen;
}

bool nft(const std::string& commands, std::string* output = nullptr) {
  nft_ctx* ctx = nft_ctx_new(NFT_CTX_DEFAULT);
  nft_ctx_buffer_output(ctx);
  nft_ctx_buffer_error(ctx);
  const bool ok = nft_run_cmd_from_buffer(ctx, commands.c_str()) == 0;
  if (output) *output = nft_ctx_get_output_buffer(ctx);
  nft_ctx_free(ctx);
  return ok;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

NfqueueRuleOptions rule_for(std::uint16_t port) {
  NfqueueRuleOptions options;
  options.port = port;
  options.queue_number = kQueue;
  return options;
}

std::optional<NfqueueRuleBackend> install(Checker& check, const NfqueueRuleOptions& options) {
  auto installed = install_nfqueue_rule(options);
  check.expect(installed.has_value(), "install: " + (installed ? std::string() : installed.error()));
  if (!installed) return std::nullopt;
  return *installed;
}

// Whether this kernel has nftables' queue expression (CONFIG_NFT_QUEUE); without it kAuto falls back to iptables.
bool has_nft_queue(Checker& check) {
  const bool has = nft("add table inet probe\nadd chain inet probe c\nadd rule inet probe c queue num 1 bypass\n");
  nft("delete table inet probe\n");
  if (!has) check.info("this kernel has no nftables queue expression: the iptables fallback is what is tested");
  return has;
}

bool has_iptables() {
  return ::access("/usr/sbin/iptables", X_OK) == 0 || ::access("/sbin/iptables", X_OK) == 0;
}

// The whole life of the rule and the capture for one address family, `local` being the loopback address.
void check_queue_lifecycle(Checker& check, const char* local, NfqueueRuleBackend wanted = NfqueueRuleBackend::kAuto) {
  NfqueueRuleOptions options = rule_for(kSpaPort);
  options.backend = wanted;
  const auto backend = install(check, options);
  if (!backend) return;
  if (wanted != NfqueueRuleBackend::kAuto) check.expect(*backend == wanted, "the backend asked for wrote the rule");
  auto capture = NfqueueCapture::open({.queue_number = kQueue});
  check.expect(capture.has_value(), "open: " + (capture ? std::string() : capture.error()));
  if (!capture) return;
  const UniqueFd spa_listener = bound_udp(local, kSpaPort);
  const UniqueFd other_listener = bound_udp(local, kOtherPort);
  const UniqueFd client = bound_udp(local, 0);
  check.expect(spa_listener.is_valid() && other_listener.is_valid() && client.is_valid(), "binding the sockets");

  const std::string payload = "not really SPA, but queued all the same";
  check.expect(send_datagram(client, local, kSpaPort, payload), "sending to the SPA port");
  const std::vector<Seen> seen = captured(*capture, check);
  check.expect(seen.size() == 1, "dispatch hands on the one datagram (got " + std::to_string(seen.size()) + ")");
  if (seen.size() == 1) {
    check.expect(seen[0].payload == payload, "the payload is the datagram's: \"" + seen[0].payload + "\"");
    check.expect(seen[0].source == local && seen[0].destination == local,
                 "source and destination " + seen[0].source + " -> " + seen[0].destination);
    check.expect(seen[0].source_port == local_port(client), "the source port is the client's");
    check.expect(seen[0].destination_port == kSpaPort, "the destination port is the SPA port");
    check.expect(seen[0].ip_protocol == 17, "UDP");
    check.expect(seen[0].received_s > 1600000000, "received_s is the wall clock");
  }
  check.expect(received(spa_listener).empty(), "a socket on the SPA port gets nothing: the packet was dropped");
  const NfqueueCounters counters = capture->counters();
  check.expect(counters.packets_read == 1 && counters.packets_dropped == 1 && counters.packets_accepted == 0,
               "counters: read 1, dropped 1");

  check.expect(send_datagram(client, local, kOtherPort, "other"), "sending to another port");
  check.expect(received(other_listener) == "other", "another port is unaffected");
  check.expect(captured(*capture, check, 100).empty(), "nothing queued for another port");

  auto removed = remove_nfqueue_rule(options, *backend);
  check.expect(removed.has_value(), "remove: " + (removed ? std::string() : removed.error()));
  std::string ruleset;
  nft("list ruleset", &ruleset);
  check.expect(ruleset.find("sesame_nfq") == std::string::npos && ruleset.find("FWKNOP_NFQ") == std::string::npos &&
                   ruleset.find("queue") == std::string::npos,
               "the rule, its chain and its table are gone:\n" + ruleset);
  check.expect(send_datagram(client, local, kSpaPort, "after"), "sending after removal");
  check.expect(received(spa_listener) == "after", "without the rule the SPA port's socket gets the datagram");
  check.expect(captured(*capture, check, 100).empty(), "and the queue gets nothing");
}

class NfqueueCaptureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "SKIPPED: needs root (a private network namespace, nftables, NFQUEUE)";
  }
};

TEST_F(NfqueueCaptureTest, QueuesIpv4SpaPortReadsAndDropsUntilTheRuleIsRemoved) {
  run_in_private_netns([](Checker& check) { check_queue_lifecycle(check, "127.0.0.1"); });
}

TEST_F(NfqueueCaptureTest, QueuesIpv6SpaPortReadsAndDropsUntilTheRuleIsRemoved) {
  run_in_private_netns([](Checker& check) { check_queue_lifecycle(check, "::1"); });
}

TEST_F(NfqueueCaptureTest, IptablesFallbackQueuesReadsAndDropsUntilTheRuleIsRemoved) {
  if (!has_iptables()) GTEST_SKIP() << "SKIPPED: no iptables";
  run_in_private_netns(
      [](Checker& check) { check_queue_lifecycle(check, "127.0.0.1", NfqueueRuleBackend::kIptables); });
}

TEST_F(NfqueueCaptureTest, SeesTheSpaPacketBeforeADefaultDropFilter) {
  run_in_private_netns([](Checker& check) {
    check.expect(nft("add table inet filter\n"
                     "add chain inet filter input { type filter hook input priority 0; policy drop; }\n"),
                 "adding a default-drop filter");
    const auto backend = install(check, rule_for(kSpaPort));
    if (!backend) return;
    auto capture = NfqueueCapture::open({.queue_number = kQueue});
    check.expect(capture.has_value(), "open");
    if (!capture) return;
    const UniqueFd client = bound_udp("127.0.0.1", 0);
    check.expect(send_datagram(client, "127.0.0.1", kSpaPort, "knock"), "sending");
    const std::vector<Seen> seen = captured(*capture, check);
    check.expect(seen.size() == 1 && seen[0].payload == "knock", "the capture sees the knock");
    check.expect(remove_nfqueue_rule(rule_for(kSpaPort), *backend).has_value(), "remove");
    std::string filter;
    nft("list table inet filter", &filter);
    check.expect(filter.find("policy drop") != std::string::npos, "the admin's table is untouched");
  });
}

TEST_F(NfqueueCaptureTest, InstallingAgainLeavesOneRuleAndFollowsANewPort) {
  run_in_private_netns([](Checker& check) {
    const auto backend = install(check, rule_for(kSpaPort));
    if (!backend || !install(check, rule_for(kSpaPort))) return;
    // One rule per table: inet for nftables, ip and ip6 mangle for iptables.
    const std::size_t expected = *backend == NfqueueRuleBackend::kNftables ? 1 : 2;
    std::string listing;
    nft("list ruleset", &listing);
    check.expect(count(listing, "queue num 7") == expected, "one queue rule after two installs:\n" + listing);
    check.expect(count(listing, "priority mangle") == expected, "the chain runs at mangle's priority:\n" + listing);
    NfqueueRuleOptions moved = rule_for(kOtherPort);
    if (!install(check, moved)) return;
    nft("list ruleset", &listing);
    check.expect(count(listing, "queue num 7") == expected && listing.find("dport 62202") != std::string::npos &&
                     listing.find("dport 62201") == std::string::npos,
                 "the rule follows the new port:\n" + listing);
    check.expect(remove_nfqueue_rule(moved, *backend).has_value(), "remove");
    check.expect(remove_nfqueue_rule(moved, *backend).has_value(), "removing twice is fine");
    nft("list ruleset", &listing);
    check.expect(listing.find("queue") == std::string::npos && listing.find("FWKNOP_NFQ") == std::string::npos,
                 "nothing left:\n" + listing);
  });
}

// Asked from the parent, in a throw-away namespace, so that a kernel without nftables' queue expression
// (CONFIG_NFT_QUEUE) makes the nftables-only tests report SKIPPED instead of passing without checking anything.
bool kernel_has_nft_queue() {
  return std::system(
             "unshare --net sh -c 'nft add table inet probe && "
             "nft add chain inet probe c \"{ type filter hook input priority 0; }\" && "
             "nft add rule inet probe c udp dport 9 queue num 1 bypass' >/dev/null 2>&1") == 0;
}

TEST_F(NfqueueCaptureTest, NftablesChainFollowsANewPriority) {
  if (!kernel_has_nft_queue()) GTEST_SKIP() << "SKIPPED: this kernel has no nftables queue expression";
  run_in_private_netns([](Checker& check) {
    if (!has_nft_queue(check)) return;
    NfqueueRuleOptions options = rule_for(kSpaPort);
    options.backend = NfqueueRuleBackend::kNftables;
    if (!install(check, options)) return;
    options.priority = -160;
    if (!install(check, options)) return;
    std::string listing;
    nft("list table inet sesame_nfq", &listing);
    check.expect(listing.find("-160") != std::string::npos && count(listing, "queue") == 1,
                 "one rule, at the new priority:\n" + listing);
    check.expect(remove_nfqueue_rule(options, NfqueueRuleBackend::kNftables).has_value(), "remove");
  });
}

TEST_F(NfqueueCaptureTest, WithoutAListenerTheRuleLetsPacketsThrough) {
  run_in_private_netns([](Checker& check) {
    if (!install(check, rule_for(kSpaPort))) return;  // no NfqueueCapture: sesamed is not running
    const UniqueFd listener = bound_udp("127.0.0.1", kSpaPort);
    const UniqueFd client = bound_udp("127.0.0.1", 0);
    check.expect(send_datagram(client, "127.0.0.1", kSpaPort, "bypassed"), "sending");
    check.expect(received(listener) == "bypassed", "bypass: the packet goes on as if the rule were not there");
  });
}

TEST_F(NfqueueCaptureTest, InterfaceRestrictsWhatIsQueued) {
  run_in_private_netns([](Checker& check) {
    NfqueueRuleOptions options = rule_for(kSpaPort);
    options.interface = "eth9";  // not lo: nothing from loopback is queued
    if (!install(check, options)) return;
    auto capture = NfqueueCapture::open({.queue_number = kQueue});
    check.expect(capture.has_value(), "open");
    if (!capture) return;
    const UniqueFd listener = bound_udp("127.0.0.1", kSpaPort);
    const UniqueFd client = bound_udp("127.0.0.1", 0);
    check.expect(send_datagram(client, "127.0.0.1", kSpaPort, "via lo"), "sending");
    check.expect(received(listener) == "via lo", "a packet on another interface is not queued");
    check.expect(captured(*capture, check, 100).empty(), "and the capture sees nothing");
    options.interface = "lo";
    const auto backend = install(check, options);
    if (!backend) return;
    check.expect(send_datagram(client, "127.0.0.1", kSpaPort, "via lo again"), "sending again");
    const std::vector<Seen> seen = captured(*capture, check);
    check.expect(seen.size() == 1 && seen[0].payload == "via lo again", "iifname lo: queued");
    check.expect(remove_nfqueue_rule(options, *backend).has_value(), "remove");
  });
}

TEST_F(NfqueueCaptureTest, SecondBindOfTheSameQueueFails) {
  run_in_private_netns([](Checker& check) {
    auto first = NfqueueCapture::open({.queue_number = kQueue});
    check.expect(first.has_value(), "first open");
    auto second = NfqueueCapture::open({.queue_number = kQueue});
    check.expect(!second.has_value(), "a second process (here: handle) cannot take the queue");
  });
}

TEST_F(NfqueueCaptureTest, LeavesAChainItDidNotCreateAlone) {
  run_in_private_netns([](Checker& check) {
    check.expect(nft("add table inet mine\n"
                     "add chain inet mine FWKNOP_NFQ { type filter hook input priority 0; policy accept; }\n"
                     "add rule inet mine FWKNOP_NFQ udp dport 53 accept\n"),
                 "adding somebody else's chain");
    NfqueueRuleOptions options = rule_for(kSpaPort);
    options.table = "mine";
    check.expect(!install_nfqueue_rule(options).has_value(), "install refuses to replace its rules");
    check.expect(remove_nfqueue_rule(options, NfqueueRuleBackend::kNftables).has_value(),
                 "remove succeeds, doing nothing");
    std::string listing;
    nft("list table inet mine", &listing);
    check.expect(listing.find("dport 53 accept") != std::string::npos, "the chain keeps its rule");
  });
}

TEST_F(NfqueueCaptureTest, SharesAnExistingTableAndLeavesItBehind) {
  if (!kernel_has_nft_queue()) GTEST_SKIP() << "SKIPPED: this kernel has no nftables queue expression";
  run_in_private_netns([](Checker& check) {
    check.expect(nft("add table inet filter\nadd chain inet filter input { type filter hook input priority 0; }\n"),
                 "adding the admin's table");
    if (!has_nft_queue(check)) return;
    NfqueueRuleOptions options = rule_for(kSpaPort);
    options.table = "filter";
    options.backend = NfqueueRuleBackend::kNftables;
    if (!install(check, options)) return;
    check.expect(remove_nfqueue_rule(options, NfqueueRuleBackend::kNftables).has_value(), "remove");
    std::string listing;
    check.expect(nft("list table inet filter", &listing), "the admin's table is still there");
    check.expect(listing.find("FWKNOP_NFQ") == std::string::npos && listing.find("chain input") != std::string::npos,
                 "only sesamed's chain is gone:\n" + listing);
  });
}

// Without root.

TEST(NfqueueRule, OptionsFromConfigMapIptablesMangleToSesamesOwnTable) {
  config::ServerConfig config;
  NfqueueRuleOptions options = nfqueue_rule_options_from(config);
  EXPECT_EQ(options.family, "inet");
  EXPECT_EQ(options.table, "sesame_nfq");
  EXPECT_EQ(options.iptables_table, "mangle");
  EXPECT_EQ(options.chain, "FWKNOP_NFQ");
  EXPECT_EQ(options.port, 62201);
  EXPECT_EQ(options.queue_number, 1);
  EXPECT_TRUE(options.interface.empty());
  config.nfq_table = "ip spa";
  config.nfq_chain = "knock";
  config.nfq_port = 4000;
  config.nfq_interface = "eth0";
  config.nfq_queue_number = 65535;
  options = nfqueue_rule_options_from(config);
  EXPECT_EQ(options.family, "ip");
  EXPECT_EQ(options.table, "spa");
  EXPECT_EQ(options.chain, "knock");
  EXPECT_EQ(options.port, 4000);
  EXPECT_EQ(options.interface, "eth0");
  EXPECT_EQ(options.queue_number, 65535);
}

TEST(NfqueueRule, CommandsQueueThePortWithBypass) {
  NfqueueRuleOptions options = rule_for(1234);
  options.interface = "eth0";
  const auto commands = nfqueue_rule_commands(options);
  ASSERT_TRUE(commands.has_value()) << commands.error();
  EXPECT_NE(commands->find("hook input priority -150; policy accept;"), std::string::npos) << *commands;
  EXPECT_NE(commands->find("add rule inet sesame_nfq FWKNOP_NFQ udp dport 1234 iifname \"eth0\" counter queue num 7 "
                           "bypass\n"),
            std::string::npos)
      << *commands;
}

TEST(NfqueueRule, RefusesNamesThatWouldBeNftSyntax) {
  for (const auto& [table, chain, interface] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"t; flush ruleset", "c", ""},
           {"t", "c\nflush ruleset", ""},
           {"t", "c", "eth0\"; flush ruleset; \""},
           {"t", "c", "much-too-long-name"},
           {"", "c", ""},
           {"t", "9c", ""},
       }) {
    NfqueueRuleOptions options;
    options.table = table;
    options.chain = chain;
    options.interface = interface;
    EXPECT_FALSE(nfqueue_rule_commands(options).has_value()) << table << " / " << chain << " / " << interface;
  }
  NfqueueRuleOptions family;
  family.family = "bridge";
  EXPECT_FALSE(nfqueue_rule_commands(family).has_value());
}

}  // namespace
}  // namespace sesame::server::capture
