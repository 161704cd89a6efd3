// SPDX-License-Identifier: GPL-2.0-or-later
// End to end over IPv6 only (issue "IPv6 end to end"): the veth pair has no IPv4 address at all, the server's
// nftables ruleset drops every new connection, and the `sesame` client knocks with an IPv6 allow address (sesame's
// extension, docs/compat.md) to sesamed receiving over IPv6 by pcap, the UDP server, and SPA over HTTP on its TCP
// server. The protected port then answers the knocking address only, and closes again after the timeout. The
// stanza's SOURCE is an IPv6 prefix.
#include <chrono>
#include <cstdint>
#include <iostream>
#include <string>

#include <gtest/gtest.h>

#include "e2e/sesamed_knock_fixture.h"
#include "e2e/system_tools.h"

namespace sesame::test {
namespace {

using namespace std::chrono_literals;

constexpr std::uint16_t kPort = 22222;
constexpr const char* kGreeting = "hello over IPv6";
constexpr int kTimeoutS = 3;

// Nothing new gets in but neighbour discovery (without it IPv6 has no link at all) and, for the UDP and TCP
// captures, the SPA port the test names.
std::string ruleset(const std::string& spa_rule) {
  return default_drop_ruleset("    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept\n" + spa_rule);
}

class SesamedIpv6EndToEnd : public SesamedKnockFixture {
 protected:
  void SetUp() override {
    SesamedKnockFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (nft_path().empty()) GTEST_SKIP() << "SKIPPED: nft (nftables) not installed";
    net_->use_ipv6_only();
    target_ = Target{net_->server_ip(), kPort, kGreeting};
  }

  // The server's firewall and the service behind it.
  void protect(const std::string& spa_rule = "") {
    NetnsPair::check_in(net_->server_ns(), {nft_path(), "-f", dir_.write_file("ruleset.nft", ruleset(spa_rule))});
    service_ = std::make_unique<TcpLineServer>(net_->server_ns(), net_->server_ip(), kPort, kGreeting);
  }

  // SOURCE is the client's /64: an IPv6 prefix, as access.conf allows.
  std::string ipv6_stanza() const {
    const std::string& client = net_->client_ip();
    return "SOURCE " + client.substr(0, client.rfind("::") + 2) + "/64\nREQUIRE_SOURCE_ADDRESS Y\nOPEN_PORTS tcp/" +
           std::to_string(kPort) + "\nFW_ACCESS_TIMEOUT " + std::to_string(kTimeoutS) + "\nKEY_BASE64 " + key_ +
           "\nHMAC_KEY_BASE64 " + hmac_key_ + "\n";
  }

  // The same default-drop policy in ip6tables, for the iptables backend (which uses ip6tables for IPv6).
  void protect_with_ip6tables() {
    for (const std::vector<std::string>& rule :
         {std::vector<std::string>{"-P", "INPUT", "DROP"},
          {"-A", "INPUT", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"},
          {"-A", "INPUT", "-i", "lo", "-j", "ACCEPT"},
          {"-A", "INPUT", "-p", "ipv6-icmp", "--icmpv6-type", "neighbour-solicitation", "-j", "ACCEPT"},
          {"-A", "INPUT", "-p", "ipv6-icmp", "--icmpv6-type", "neighbour-advertisement", "-j", "ACCEPT"}}) {
      std::vector<std::string> argv{ip6tables_path()};
      argv.insert(argv.end(), rule.begin(), rule.end());
      NetnsPair::check_in(net_->server_ns(), argv);
    }
    service_ = std::make_unique<TcpLineServer>(net_->server_ns(), net_->server_ip(), kPort, kGreeting);
  }

  std::string nft_elements() const { return in_server({nft_path(), "list", "set", "inet", "filter", "sesame_in6"}); }
  std::string ip6tables_rules() const {
    return in_server({find_executable({"/usr/sbin/ip6tables-save", "/sbin/ip6tables-save"})});
  }

  // Knocks with `args` and checks the whole story: closed before, open for the knocker only (the backend's log line
  // and its rule), closed on time.
  void knock_opens_then_closes(const std::vector<std::string>& args, const std::string& firewall = "nftables") {
    EXPECT_FALSE(answers(target_, net_->client_ip(), kClosedCheck)) << "answered before any knock";
    const auto knocked = Clock::now();
    const ProcessResult sent = knock(args);
    ASSERT_EQ(sent.exit_status, 0) << sent.output;
    const auto opened = wait_until(true, target_, 2s);
    ASSERT_TRUE(opened) << "still closed 2 s after the knock\n" << sesamed_log();
    std::cout << "[ info     ] knock to open over IPv6: " << seconds(Clock::now() - knocked) * 1000 << " ms\n";
    EXPECT_NE(sesamed_->log().find("Added access rule to " + firewall + " for " + net_->client_ip() + " -> tcp/22222"),
              std::string::npos)
        << sesamed_log();
    if (firewall == "nftables") {
      EXPECT_NE(nft_elements().find(net_->client_ip() + " . tcp . 22222 timeout"), std::string::npos) << nft_elements();
    } else {
      EXPECT_NE(ip6tables_rules().find("-A FWKNOP_INPUT -s " + net_->client_ip() + "/128"), std::string::npos)
          << ip6tables_rules();
    }
    EXPECT_FALSE(answers(target_, net_->other_client_ip(), kClosedCheck))
        << net_->other_client_ip() << " did not knock but was let in";
    const auto waiting = Clock::now();
    const auto closed = wait_until(false, target_, knocked + std::chrono::seconds(kTimeoutS) + 2s - waiting);
    ASSERT_TRUE(closed) << "still open " << kTimeoutS + 2 << " s after the knock\n" << sesamed_log();
    const double open_for = seconds(waiting + *closed - knocked);
    std::cout << "[ info     ] knock to closed again: " << open_for * 1000 << " ms (FW_ACCESS_TIMEOUT " << kTimeoutS
              << " s)\n";
    EXPECT_GE(open_for, kTimeoutS - 0.2) << "closed too early\n" << sesamed_log();
  }

  Target target_;
};

TEST_F(SesamedIpv6EndToEnd, PcapCaptureOpensThePortForTheKnockingIpv6AddressOnly) {
  protect();
  write_configs("FIREWALL_TYPE nftables\nNFT_TABLE inet filter\n", ipv6_stanza());
  start_sesamed();
  knock_opens_then_closes({"-A", "tcp/22222"});
}

TEST_F(SesamedIpv6EndToEnd, UdpServerOverIpv6) {
  protect("    udp dport 62201 accept\n");
  write_configs("ENABLE_UDP_SERVER Y\nFIREWALL_TYPE nftables\nNFT_TABLE inet filter\n", ipv6_stanza());
  start_sesamed();
  knock_opens_then_closes({"-A", "tcp/22222", "-6"});
}

TEST_F(SesamedIpv6EndToEnd, SpaOverHttpOnTheTcpServerOverIpv6) {
  protect("    tcp dport 62201 accept\n");
  write_configs(
      "ENABLE_UDP_SERVER Y\nENABLE_TCP_SERVER Y\nENABLE_SPA_OVER_HTTP Y\nFIREWALL_TYPE nftables\n"
      "NFT_TABLE inet filter\n",
      ipv6_stanza());
  start_sesamed();
  knock_opens_then_closes({"-A", "tcp/22222", "-P", "http", "-p", "62201"});
}

// The iptables backend turns an IPv6 grant into an ip6tables rule.
TEST_F(SesamedIpv6EndToEnd, Ip6tablesBackendOverIpv6) {
  if (ip6tables_path().empty()) GTEST_SKIP() << "SKIPPED: ip6tables not installed";
  protect_with_ip6tables();
  write_configs("FIREWALL_TYPE iptables\n", ipv6_stanza());
  start_sesamed();
  knock_opens_then_closes({"-A", "tcp/22222"}, "iptables");
}

}  // namespace
}  // namespace sesame::test
