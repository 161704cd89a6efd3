// SPDX-License-Identifier: GPL-2.0-or-later
// End to end, NAT with the nftables backend (server.md §8.1, docs/nftables.md): with ENABLE_IPT_FORWARDING a knock
// turns a closed port on the server into the way to a service on an internal host behind it, for the knocker only,
// until FW_ACCESS_TIMEOUT runs out in the kernel. Once through the stanza's FORCE_NAT, once through the client's
// NAT request (`sesame -N host:port`). The server namespace drops what it does not accept, forwarded packets too.
// Root only; every namespace, rule and sysctl is the test's own (fwknopd_nat_test.cc does the same with fwknopd).
#include <chrono>
#include <cstdint>
#include <iostream>
#include <string>

#include <gtest/gtest.h>

#include "e2e/sesamed_knock_fixture.h"
#include "e2e/system_tools.h"
#include "support/test_vectors.h"

namespace sesame::test {
namespace {

using namespace std::chrono_literals;

constexpr std::uint16_t kServicePort = 22222;  // on the internal host
constexpr std::uint16_t kForwardPort = 40023;  // on the server, where the knocker connects
constexpr std::chrono::seconds kAccessTimeout{3};
constexpr const char* kGreeting = "hello from the internal host";

// Default drop for input and forward; sesamed adds its jumps at the top of both chains.
constexpr const char* kRuleset =
    "table inet filter {\n"
    "  chain input {\n"
    "    type filter hook input priority 0; policy drop;\n"
    "    ct state established,related accept\n"
    "    iif lo accept\n"
    "  }\n"
    "  chain forward {\n"
    "    type filter hook forward priority 0; policy drop;\n"
    "    ct state established,related accept\n"
    "  }\n"
    "}\n";

class SesamedNftNatEndToEnd : public SesamedKnockFixture {
 protected:
  void SetUp() override {
    SesamedKnockFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (nft_path().empty()) GTEST_SKIP() << "SKIPPED: nft (nftables) not installed";
    if (sysctl_path().empty()) GTEST_SKIP() << "SKIPPED: sysctl (procps) not installed";
    host_ip_forward_ = read_file("/proc/sys/net/ipv4/ip_forward");
    net_->add_internal_host();
    NetnsPair::check_in(net_->server_ns(), {sysctl_path(), "-w", "net.ipv4.ip_forward=1"});
    NetnsPair::check_in(net_->server_ns(), {nft_path(), "-f", dir_.write_file("ruleset.nft", kRuleset)});
    service_ = std::make_unique<TcpLineServer>(net_->internal_ns(), net_->internal_ip(), kServicePort, kGreeting);
    ASSERT_TRUE(tcp_answers(net_->server_ns(), net_->server_internal_ip(), net_->internal_ip(), kServicePort, 1s))
        << "the internal service is not reachable from the server";
  }

  void TearDown() override {
    SesamedKnockFixture::TearDown();
    if (!host_ip_forward_.empty()) {
      EXPECT_EQ(read_file("/proc/sys/net/ipv4/ip_forward"), host_ip_forward_) << "the host's ip_forward changed";
    }
  }

  void start(const std::string& stanza_extra) {
    write_configs("FIREWALL_TYPE nftables\nNFT_TABLE inet filter\nENABLE_IPT_FORWARDING Y\n",
                  stanza("OPEN_PORTS tcp/" + std::to_string(kForwardPort) + "\nFW_ACCESS_TIMEOUT " +
                         std::to_string(kAccessTimeout.count()) + "\n" + stanza_extra));
    start_sesamed();
  }

  std::string nft_list(const std::string& what, const std::string& name) const {
    return in_server({nft_path(), "list", what, "inet", "filter", name});
  }

  // Closed before; after the knock the server's kForwardPort leads to the internal service for the knocker only,
  // through sesame's DNAT map and forward set; closed again when the elements time out.
  void expect_forwarded_until_timeout(const std::vector<std::string>& knock_args) {
    const Target external{net_->server_ip(), kForwardPort, kGreeting};
    EXPECT_FALSE(answers(external, net_->client_ip(), kClosedCheck)) << external.name() << " answered before the knock";

    const auto knocked = Clock::now();
    const ProcessResult sent = knock(knock_args);
    ASSERT_EQ(sent.exit_status, 0) << sent.output;
    ASSERT_TRUE(wait_until(true, external, 2s)) << external.name() << " still closed 2 s after the knock\n"
                                                << sesamed_log() << in_server({nft_path(), "list", "ruleset"});
    const std::string& client = net_->client_ip();
    const std::string& internal = net_->internal_ip();
    EXPECT_NE(nft_list("map", "sesame_dnat4").find(client + " . tcp . 40023 timeout"), std::string::npos)
        << nft_list("map", "sesame_dnat4");
    EXPECT_NE(nft_list("map", "sesame_dnat4").find(": " + internal + " . 22222"), std::string::npos)
        << nft_list("map", "sesame_dnat4");
    EXPECT_NE(nft_list("set", "sesame_fwd4").find(client + " . " + internal + " . tcp . 22222"), std::string::npos)
        << nft_list("set", "sesame_fwd4");
    EXPECT_FALSE(answers(external, net_->other_client_ip(), kClosedCheck))
        << external.name() << " answered " << net_->other_client_ip() << ", which did not knock";

    const auto waiting = Clock::now();
    const auto closed = wait_until(false, external, knocked + kAccessTimeout + 2s - waiting);
    ASSERT_TRUE(closed) << external.name() << " still open " << kAccessTimeout.count() + 2 << " s after the knock\n"
                        << sesamed_log();
    const double open_for = seconds(waiting + *closed - knocked);
    std::cout << "[ info     ] knock to closed again: " << open_for * 1000 << " ms (FW_ACCESS_TIMEOUT "
              << kAccessTimeout.count() << " s)\n";
    EXPECT_GE(open_for, double(kAccessTimeout.count()) - 0.2) << "closed too early\n" << sesamed_log();
    EXPECT_FALSE(answers(external, net_->client_ip(), kClosedCheck))
        << external.name() << " answered after the timeout";
    EXPECT_GE(service_->connections(), 1);
  }

  std::string host_ip_forward_;
};

TEST_F(SesamedNftNatEndToEnd, ForceNatLeadsAPlainKnockToTheInternalHostUntilTheTimeout) {
  start("FORCE_NAT " + net_->internal_ip() + " " + std::to_string(kServicePort) + "\n");
  expect_forwarded_until_timeout({"-A", "tcp/" + std::to_string(kForwardPort)});
}

TEST_F(SesamedNftNatEndToEnd, ClientNatRequestLeadsToTheInternalHostUntilTheTimeout) {
  start("");
  expect_forwarded_until_timeout(
      {"-A", "tcp/" + std::to_string(kForwardPort), "-N", net_->internal_ip() + ":" + std::to_string(kServicePort)});
}

}  // namespace
}  // namespace sesame::test
