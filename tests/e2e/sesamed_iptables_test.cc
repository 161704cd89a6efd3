// SPDX-License-Identifier: GPL-2.0-or-later
// End to end, sesamed's iptables backend (server.md §8.1) behind a default-drop iptables policy: a knock opens the
// service for the knocker only and it closes within a second of FW_ACCESS_TIMEOUT; after `kill -9` the rule's
// time match still closes it on time and a restart with FLUSH_IPT_AT_INIT N takes the rule over and deletes it;
// FORCE_NAT opens a DNAT path to a service in a third namespace; and the rules are the ones the real fwknopd makes
// for the same knock. Root only; every namespace, rule and sysctl is the test's own.
#include <chrono>
#include <cstdint>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "e2e/fwknopd_process.h"
#include "e2e/sesamed_knock_fixture.h"
#include "e2e/system_tools.h"
#include "support/test_vectors.h"

namespace sesame::test {
namespace {

using namespace std::chrono_literals;

constexpr std::uint16_t kPort = 22222;
constexpr std::uint16_t kForwardPort = 40023;  // NAT: on the server, where the knocker connects
constexpr std::chrono::seconds kAccessTimeout{3};
constexpr const char* kGreeting = "hello from behind the knock";

class SesamedIptablesEndToEnd : public SesamedKnockFixture {
 protected:
  void SetUp() override {
    SesamedKnockFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (iptables_path().empty()) GTEST_SKIP() << "SKIPPED: iptables not installed";
    // Default drop for new input (and forwarded) connections, inside the server namespace only. The SPA port stays
    // closed too: pcap sees the knock before netfilter drops it.
    for (const char* chain : {"INPUT", "FORWARD"}) {
      iptables({"-P", chain, "DROP"});
      iptables({"-A", chain, "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"});
    }
    iptables({"-A", "INPUT", "-i", "lo", "-j", "ACCEPT"});
    service_ = std::make_unique<TcpLineServer>(net_->server_ns(), net_->server_ip(), kPort, kGreeting);
  }

  void iptables(std::vector<std::string> args) const {
    args.insert(args.begin(), iptables_path());
    NetnsPair::check_in(net_->server_ns(), args);
  }

  // sesamed with FIREWALL_TYPE iptables, one stanza for tcp/kPort (plus `stanza_extra`) and `conf_extra`.
  void start(const std::string& conf_extra, const std::string& stanza_extra = "") {
    write_configs("FIREWALL_TYPE iptables\n" + conf_extra,
                  stanza("OPEN_PORTS tcp/" + std::to_string(kPort) + "\nFW_ACCESS_TIMEOUT " +
                         std::to_string(kAccessTimeout.count()) + "\n" + stanza_extra));
    start_sesamed();
  }

  // The rules in fwknop's chains and the jumps to them, as iptables-save lists them.
  std::string fwknop_rules(const std::string& table = "filter") const {
    std::istringstream listing(in_server({iptables_path() + "-save", "-t", table}));
    std::string rules;
    for (std::string line; std::getline(listing, line);)
      if (line.find("FWKNOP_") != std::string::npos && line.starts_with("-A ")) rules += line + "\n";
    return rules;
  }

  Target service() const { return Target{net_->server_ip(), kPort, kGreeting}; }

  // `sesamed -c CONF -a ACCESS action` in the server namespace, beside the running daemon.
  ProcessResult sesamed_action(const std::string& action) const {
    return NetnsPair::run_in(net_->server_ns(), {SESAMED_PATH, "-c", conf_, "-a", access_, action});
  }

  // Closed for the knocker until the timeout has passed, then closed within a second and a bit of probing.
  void expect_closed_on_time(Clock::time_point knocked, const Target& target) {
    const auto waiting = Clock::now();
    const auto closed = wait_until(false, target, knocked + kAccessTimeout + 2s - waiting);
    ASSERT_TRUE(closed) << target.name() << " still open " << kAccessTimeout.count() + 2 << " s after the knock\n"
                        << sesamed_log() << fwknop_rules();
    const double open_for = seconds(waiting + *closed - knocked);
    std::cout << "[ info     ] knock to closed again: " << open_for * 1000 << " ms (FW_ACCESS_TIMEOUT "
              << kAccessTimeout.count() << " s)\n";
    EXPECT_GE(open_for, double(kAccessTimeout.count()) - 0.2) << "closed too early\n" << sesamed_log();
    EXPECT_FALSE(answers(target, net_->client_ip(), kClosedCheck)) << target.name() << " answered after the timeout";
  }

  Clock::time_point knock_and_expect_open(const Target& target, const std::vector<std::string>& args) {
    EXPECT_FALSE(answers(target, net_->client_ip(), kClosedCheck)) << target.name() << " answered before the knock";
    const auto knocked = Clock::now();
    const ProcessResult sent = knock(args);
    EXPECT_EQ(sent.exit_status, 0) << sent.output;
    const auto opened = wait_until(true, target, 2s);
    EXPECT_TRUE(opened) << target.name() << " still closed 2 s after the knock\n" << sesamed_log() << fwknop_rules();
    if (opened) std::cout << "[ info     ] knock to open: " << seconds(Clock::now() - knocked) * 1000 << " ms\n";
    EXPECT_FALSE(answers(target, net_->other_client_ip(), kClosedCheck))
        << target.name() << " answered " << net_->other_client_ip() << ", which did not knock";
    return knocked;
  }
};

TEST_F(SesamedIptablesEndToEnd, AKnockOpensThePortForTheKnockerOnlyUntilTheTimeout) {
  start("");
  EXPECT_NE(fwknop_rules().find("-A INPUT -j FWKNOP_INPUT"), std::string::npos) << fwknop_rules();
  const auto knocked = knock_and_expect_open(service(), {"-A", "tcp/" + std::to_string(kPort)});
  if (HasFailure()) return;
  const std::string rules = fwknop_rules();
  EXPECT_NE(rules.find("-A FWKNOP_INPUT -s " + net_->client_ip() +
                       "/32 -p tcp -m tcp --dport 22222 -m comment "
                       "--comment _exp_"),
            std::string::npos)
      << rules;
  // --fw-list shows the grant in fwknopd's listing of the chain.
  const ProcessResult listed = sesamed_action("--fw-list");
  EXPECT_EQ(listed.exit_status, 0) << listed.output;
  EXPECT_NE(listed.output.find("Chain FWKNOP_INPUT"), std::string::npos) << listed.output;
  EXPECT_NE(listed.output.find(net_->client_ip()), std::string::npos) << listed.output;
  expect_closed_on_time(knocked, service());
  EXPECT_TRUE(sesamed_->wait_for_log("Removed expired access for " + net_->client_ip() + " -> tcp/22222", 2s))
      << sesamed_log();
  EXPECT_EQ(fwknop_rules().find("-A FWKNOP_INPUT -s"), std::string::npos) << "expired rule left:\n" << fwknop_rules();

  // SIGTERM with FLUSH_IPT_AT_EXIT (default Y): chains and jumps are gone.
  const auto status = sesamed_->terminate(5s);
  ASSERT_TRUE(status);
  EXPECT_EQ(fwknop_rules(), "") << "left behind at exit";
}

TEST_F(SesamedIptablesEndToEnd, AfterKill9TheRuleStillClosesOnTimeAndARestartTakesItOver) {
  start("FLUSH_IPT_AT_INIT N\nFLUSH_IPT_AT_EXIT N\n");
  const auto knocked = knock_and_expect_open(service(), {"-A", "tcp/" + std::to_string(kPort)});
  if (HasFailure()) return;
  sesamed_->kill_hard();
  const std::string left = fwknop_rules();
  ASSERT_NE(left.find("-A FWKNOP_INPUT -s " + net_->client_ip()), std::string::npos) << left;

  start("FLUSH_IPT_AT_INIT N\nFLUSH_IPT_AT_EXIT N\n");  // the same rule, not a second one, and no second jump
  EXPECT_EQ(fwknop_rules(), left);
  EXPECT_TRUE(wait_until(true, service(), 1s)) << "the grant did not survive the restart";
  expect_closed_on_time(knocked, service());
  // Taken over: deleted by the new sesamed when it expired (the time match alone would leave it listed).
  EXPECT_TRUE(sesamed_->wait_for_log("Removed expired access for " + net_->client_ip() + " -> tcp/22222", 2s))
      << sesamed_log();
  EXPECT_EQ(fwknop_rules().find("-A FWKNOP_INPUT -s"), std::string::npos) << fwknop_rules();

  // FLUSH_IPT_AT_EXIT N keeps the chain at exit; --fw-flush removes it and its jump.
  ASSERT_TRUE(sesamed_->terminate(5s));
  EXPECT_NE(fwknop_rules().find("-A INPUT -j FWKNOP_INPUT"), std::string::npos) << fwknop_rules();
  const ProcessResult flushed = sesamed_action("--fw-flush");
  EXPECT_EQ(flushed.exit_status, 0) << flushed.output;
  EXPECT_EQ(fwknop_rules(), "") << "left after --fw-flush";
}

TEST_F(SesamedIptablesEndToEnd, TheKernelClosesTheGrantOnTimeWhileSesamedIsDead) {
  start("");
  const auto knocked = knock_and_expect_open(service(), {"-A", "tcp/" + std::to_string(kPort)});
  if (HasFailure()) return;
  sesamed_->kill_hard();
  ASSERT_NE(fwknop_rules().find("-m time --datestop"), std::string::npos)
      << "no time match on this kernel: " << fwknop_rules();
  expect_closed_on_time(knocked, service());
}

TEST_F(SesamedIptablesEndToEnd, ForceNatOpensADnatPathToAnInternalHost) {
  if (sysctl_path().empty()) GTEST_SKIP() << "SKIPPED: sysctl (procps) not installed";
  const std::string host_ip_forward = read_file("/proc/sys/net/ipv4/ip_forward");
  net_->add_internal_host();
  // ip_forward is 0 in a new namespace: sesamed turns it on (ENABLE_PROC_IP_FORWARD), in its namespace only.
  ASSERT_EQ(in_server({sysctl_path(), "-n", "net.ipv4.ip_forward"}), "0\n");
  service_ = std::make_unique<TcpLineServer>(net_->internal_ns(), net_->internal_ip(), kPort, kGreeting);
  write_configs("FIREWALL_TYPE iptables\nENABLE_IPT_FORWARDING Y\nENABLE_PROC_IP_FORWARD Y\n",
                stanza("OPEN_PORTS tcp/" + std::to_string(kForwardPort) + "\nFW_ACCESS_TIMEOUT " +
                       std::to_string(kAccessTimeout.count()) + "\nFORCE_NAT " + net_->internal_ip() + " " +
                       std::to_string(kPort) + "\n"));
  start_sesamed();
  EXPECT_NE(sesamed_->log().find("ENABLE_PROC_IP_FORWARD: set /proc/sys/net/ipv4/ip_forward to 1"), std::string::npos)
      << sesamed_log();
  EXPECT_EQ(in_server({sysctl_path(), "-n", "net.ipv4.ip_forward"}), "1\n");
  const Target external{net_->server_ip(), kForwardPort, kGreeting};
  const auto knocked = knock_and_expect_open(external, {"-A", "tcp/" + std::to_string(kForwardPort)});
  if (HasFailure()) return;
  EXPECT_NE(fwknop_rules("nat").find("-j DNAT --to-destination " + net_->internal_ip() + ":22222"), std::string::npos)
      << fwknop_rules("nat");
  expect_closed_on_time(knocked, external);
  EXPECT_GE(service_->connections(), 1);
  EXPECT_EQ(read_file("/proc/sys/net/ipv4/ip_forward"), host_ip_forward) << "the host's ip_forward changed";
}

// The rules, with the expiry times and sesamed's time match taken out, are the real fwknopd's for the same knock.
TEST_F(SesamedIptablesEndToEnd, TheRulesAreTheOnesFwknopdMakes) {
  std::string why;
  if (!FwknopdProcess::available(&why)) GTEST_SKIP() << "SKIPPED: " << why;
  const std::string access = stanza("OPEN_PORTS tcp/" + std::to_string(kPort) + "\nFW_ACCESS_TIMEOUT 30\n");
  const std::vector<std::string> request{"-A", "tcp/" + std::to_string(kPort)};
  const auto normalized = [](const std::string& rules) {
    std::string out = std::regex_replace(rules, std::regex("_exp_[0-9]+"), "_exp_T");
    return std::regex_replace(out, std::regex(" -m time --datestop [0-9T:-]+"), "");
  };
  std::string by_fwknopd;
  {
    const std::string fwknopd_dir = dir_.path() + "/fwknopd";
    NetnsPair::check_in(net_->server_ns(), {"/bin/mkdir", "-p", fwknopd_dir});
    const FwknopdProcess fwknopd(net_->server_ns(), fwknopd_dir,
                                 "FIREWALL_EXE " + iptables_path() + "\nPCAP_INTF " + net_->server_interface() + "\n",
                                 access);
    knock_and_expect_open(service(), request);
    by_fwknopd = fwknop_rules();
  }
  ASSERT_EQ(fwknop_rules(), "") << "fwknopd left rules at exit";
  write_configs("FIREWALL_TYPE iptables\n", access);
  start_sesamed();
  knock_and_expect_open(service(), request);
  const std::string by_sesamed = fwknop_rules();
  EXPECT_NE(by_fwknopd.find("_exp_"), std::string::npos) << by_fwknopd;
  EXPECT_EQ(normalized(by_sesamed), normalized(by_fwknopd)) << "fwknopd:\n" << by_fwknopd << "sesamed:\n" << by_sesamed;
}

}  // namespace
}  // namespace sesame::test
