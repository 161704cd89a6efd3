// SPDX-License-Identifier: GPL-2.0-or-later
// End to end, command cycles (server.md §6): a knock runs CMD_CYCLE_OPEN, which lets the knocker in through a set
// of the admin's own (an ipset matched by iptables, or an nftables set), and CMD_CYCLE_TIMER seconds later
// CMD_CYCLE_CLOSE takes it out again. The stanza's grant replaces the firewall change, so sesame's own nft sets stay
// empty and only the cycle decides. Root only; each test builds its own namespaces, and every rule, set and
// listener lives in them. The config lines here are the tested examples of docs/cmd-cycle.md.
#include <chrono>
#include <cstdint>
#include <iostream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "e2e/sesamed_knock_fixture.h"
#include "e2e/system_tools.h"

namespace sesame::test {
namespace {

using namespace std::chrono_literals;

constexpr std::uint16_t kPort = 22222;
constexpr std::uint16_t kOtherPort = 22223;  // not in OPEN_PORTS
constexpr std::chrono::seconds kTimer{3};    // CMD_CYCLE_TIMER
constexpr const char* kGreeting = "hello from behind the cycle";
constexpr const char* kIpset = "sesame_cycle";

constexpr const char* kIpsetOpen = "CMD_CYCLE_OPEN ipset add sesame_cycle $SRC,tcp:$PORT\n";
constexpr const char* kIpsetClose = "CMD_CYCLE_CLOSE ipset del sesame_cycle $SRC,tcp:$PORT\n";
constexpr const char* kNftOpen = "CMD_CYCLE_OPEN nft add element inet filter allowed { $SRC . $PORT }\n";
constexpr const char* kNftClose = "CMD_CYCLE_CLOSE nft delete element inet filter allowed { $SRC . $PORT }\n";

// Default drop, and an nftables set of the admin's own that the cycle commands fill.
constexpr const char* kNftRuleset =
    "table inet filter {\n"
    "  set allowed { type ipv4_addr . inet_service; }\n"
    "  chain input {\n"
    "    type filter hook input priority 0; policy drop;\n"
    "    ct state established,related accept\n"
    "    iif lo accept\n"
    "    ip saddr . tcp dport @allowed accept\n"
    "  }\n"
    "}\n";

std::string ipset_path() {
  return find_executable({"/usr/sbin/ipset", "/sbin/ipset"});
}
class SesamedCycleEndToEnd : public SesamedKnockFixture {
 protected:
  void SetUp() override {
    SesamedKnockFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (nft_path().empty()) GTEST_SKIP() << "SKIPPED: nft (nftables) not installed";
    service_ = std::make_unique<TcpLineServer>(net_->server_ns(), net_->server_ip(), kPort, kGreeting);
  }

  // iptables default drop in the server namespace, with one accept for what the ipset holds (source, port).
  void make_ipset_firewall() {
    const std::string& ns = net_->server_ns();
    const std::string iptables = iptables_path();
    NetnsPair::check_in(ns, {ipset_path(), "create", kIpset, "hash:ip,port", "timeout", "0"});
    NetnsPair::check_in(ns, {iptables, "-P", "INPUT", "DROP"});
    NetnsPair::check_in(
        ns, {iptables, "-A", "INPUT", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"});
    NetnsPair::check_in(ns, {iptables, "-A", "INPUT", "-i", "lo", "-j", "ACCEPT"});
    NetnsPair::check_in(ns, {iptables, "-A", "INPUT", "-m", "set", "--match-set", kIpset, "src,dst", "-j", "ACCEPT"});
  }

  void start(const std::string& cycle) {
    write_configs("", stanza("OPEN_PORTS tcp/" + std::to_string(kPort) + "\n" + cycle + "CMD_CYCLE_TIMER " +
                             std::to_string(kTimer.count()) + "\n"));
    start_sesamed();
  }

  Target target() const { return {net_->server_ip(), kPort, kGreeting}; }
  std::string ipset_list() const { return in_server({ipset_path(), "list", kIpset}); }
  std::string nft_set(const std::string& name) const {
    return in_server({nft_path(), "list", "set", "inet", "filter", name});
  }

  // Closed before, knock, open for the knocker only while `member_of()` shows `member`, closed again (and the
  // member gone) once the timer ran out. The close runs from sesamed's once-a-second housekeeping, on whole
  // seconds as in fwknopd, so "after the timer" means within a second of it either way.
  template <class MemberOf>
  void expect_cycle(const std::string& member, const MemberOf& member_of, const std::string& open_command,
                    const std::string& close_command) {
    EXPECT_FALSE(answers(target(), net_->client_ip(), kClosedCheck)) << "tcp/22222 answered before the knock";
    EXPECT_EQ(member_of().find(member), std::string::npos) << member_of();

    const auto knocked = Clock::now();
    const ProcessResult sent = knock({"-A", "tcp/" + std::to_string(kPort)});
    ASSERT_EQ(sent.exit_status, 0) << sent.output;
    ASSERT_TRUE(wait_until(true, target(), 2s)) << "tcp/22222 still closed 2 s after the knock\n" << sesamed_log();
    const std::string prefix = "[" + net_->client_ip() + "] (stanza #1) ";
    EXPECT_NE(sesamed_->log().find(prefix + "Running CMD_CYCLE_OPEN command: " + open_command), std::string::npos)
        << sesamed_log();
    EXPECT_NE(sesamed_->log().find(prefix + "Running CMD_CYCLE_CLOSE command in 3 seconds: " + close_command),
              std::string::npos)
        << sesamed_log();
    EXPECT_NE(member_of().find(member), std::string::npos) << member_of();
    // The cycle replaces the grant: sesame's own set stays empty.
    EXPECT_EQ(nft_set("sesame_in4").find(net_->client_ip()), std::string::npos) << nft_set("sesame_in4");
    EXPECT_FALSE(answers(target(), net_->other_client_ip(), kClosedCheck))
        << "tcp/22222 answered " << net_->other_client_ip() << ", which did not knock";

    const auto waiting = Clock::now();
    const auto closed = wait_until(false, target(), knocked + kTimer + 2s - waiting);
    ASSERT_TRUE(closed) << "tcp/22222 still open " << kTimer.count() + 2 << " s after the knock\n" << sesamed_log();
    const double open_for = seconds(waiting + *closed - knocked);
    std::cout << "[ info     ] knock to closed again: " << open_for * 1000 << " ms (CMD_CYCLE_TIMER " << kTimer.count()
              << " s)\n";
    // Never early; at most a second late, plus a probe's worth of polling.
    EXPECT_GE(open_for, double(kTimer.count()) - 0.2) << "closed too early\n" << sesamed_log();
    EXPECT_LE(open_for, double(kTimer.count()) + 1.5) << "closed too late\n" << sesamed_log();
    EXPECT_TRUE(sesamed_->wait_for_log(prefix + "Timer expired, running CMD_CYCLE_CLOSE command: " + close_command, 1s))
        << sesamed_log();
    EXPECT_TRUE(sesamed_->wait_for_log("CMD_EXEC: command '" + close_command + "' returned 0", 1s)) << sesamed_log();
    EXPECT_EQ(member_of().find(member), std::string::npos) << member_of();
    EXPECT_FALSE(answers(target(), net_->client_ip(), kClosedCheck)) << "tcp/22222 answered after the cycle closed";
    EXPECT_GE(service_->connections(), 1);
  }
};

TEST_F(SesamedCycleEndToEnd, IpsetCycleOpensForTheKnockerAndClosesAfterTheTimer) {
  if (ipset_path().empty()) GTEST_SKIP() << "SKIPPED: ipset not installed";
  if (iptables_path().empty()) GTEST_SKIP() << "SKIPPED: iptables not installed";
  make_ipset_firewall();
  start(std::string(kIpsetOpen) + kIpsetClose);
  const std::string member = net_->client_ip() + ",tcp:22222";
  expect_cycle(
      member, [&] { return ipset_list(); }, "ipset add sesame_cycle " + member, "ipset del sesame_cycle " + member);
}

TEST_F(SesamedCycleEndToEnd, IpsetCycleRunsNothingForAPortOpenPortsDoesNotAllow) {
  if (ipset_path().empty()) GTEST_SKIP() << "SKIPPED: ipset not installed";
  if (iptables_path().empty()) GTEST_SKIP() << "SKIPPED: iptables not installed";
  make_ipset_firewall();
  start(std::string(kIpsetOpen) + kIpsetClose);
  const ProcessResult sent = knock({"-A", "tcp/" + std::to_string(kOtherPort)});
  ASSERT_EQ(sent.exit_status, 0) << sent.output;
  EXPECT_TRUE(sesamed_->wait_for_log("One or more requested protocol/ports was denied per access.conf.", 2s))
      << sesamed_log();
  std::this_thread::sleep_for(500ms);  // what a wrongly started command would need to show up
  EXPECT_EQ(sesamed_->log().find("CMD_CYCLE"), std::string::npos) << sesamed_log();
  EXPECT_NE(ipset_list().find("Number of entries: 0"), std::string::npos) << ipset_list();
  EXPECT_FALSE(answers(target(), net_->client_ip(), kClosedCheck)) << "tcp/22222 answered after a denied knock";
}

TEST_F(SesamedCycleEndToEnd, NftSetCycleOpensForTheKnockerAndClosesAfterTheTimer) {
  NetnsPair::check_in(net_->server_ns(), {nft_path(), "-f", dir_.write_file("ruleset.nft", kNftRuleset)});
  start(std::string(kNftOpen) + kNftClose);
  const std::string ip = net_->client_ip();
  expect_cycle(
      ip + " . 22222", [&] { return nft_set("allowed"); }, "nft add element inet filter allowed { " + ip + " . 22222 }",
      "nft delete element inet filter allowed { " + ip + " . 22222 }");
}

}  // namespace
}  // namespace sesame::test
