// SPDX-License-Identifier: GPL-2.0-or-later
// The iptables backend's commands (server.md §8.1), without a kernel: what it feeds iptables-restore for start-up,
// grants, expiry, recovery and flush, and how it treats a failing iptables. The live behaviour is in
// tests/e2e/sesamed_iptables_test.cc.
#include "server/firewall/iptables_backend.h"

#include <map>
#include <string>

#include <gtest/gtest.h>

#include "unit/server/recording_executor.h"

namespace sesame::server::firewall {
namespace {

using test::RecordingExecutor;

constexpr std::int64_t kNow = 1800000000;  // 2027-01-15T08:00:00Z

// An empty host: iptables-save lists the built-in chains only.
constexpr const char* kEmptyFilter =
    "*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
    "-A INPUT -i lo -j ACCEPT\nCOMMIT\n";

IptTools tools(bool ipv6) {
  IptTools tools = IptTools::from_exe("/usr/sbin/iptables");
  tools.has_ipv6 = ipv6;
  return tools;
}

AccessRequest access(std::string_view source, std::chrono::seconds timeout = std::chrono::seconds(30)) {
  AccessRequest request;
  request.allow_ip = *config::IpAddress::parse(source);
  request.ports = {config::ProtoPort{config::Protocol::kTcp, 22}};
  request.timeout = timeout;
  return request;
}

struct Fixture {
  explicit Fixture(IptSettings settings = {}, bool ipv6 = false,
                   std::map<std::string, std::string> saved = {{"filter", kEmptyFilter}}) {
    auto owned = std::make_unique<RecordingExecutor>([this](const std::string& line, std::string_view) {
      if (line.find("-save -t ") != std::string::npos) {
        const std::string table = line.substr(line.rfind(' ') + 1);
        return CommandOutcome{0, saved_[table]};
      }
      if (line.find("-restore") != std::string::npos && fail_restore) return CommandOutcome{1, "line 2 failed"};
      return CommandOutcome{0, ""};
    });
    saved_ = std::move(saved);
    executor = owned.get();
    if (settings.input_access.to_chain.empty()) settings = ipt_settings_from(config::ServerConfig{});
    backend = std::make_unique<IptablesBackend>(std::move(settings), tools(ipv6), std::move(owned));
  }
  // The stdin of every iptables-restore run, in order.
  std::vector<std::string> restores() const {
    std::vector<std::string> inputs;
    for (const auto& call : executor->calls())
      if (call.line.find("-restore") != std::string::npos) inputs.push_back(call.line + "\n" + call.input);
    return inputs;
  }

  std::map<std::string, std::string> saved_;
  bool fail_restore = false;
  RecordingExecutor* executor = nullptr;
  std::unique_ptr<IptablesBackend> backend;
};

Result<Ok, FirewallError> open_one(IptablesBackend& backend, const AccessRequest& request, std::int64_t now_s,
                                   const config::AccessStanza* stanza = nullptr) {
  const GrantRequest grant{&request, stanza};
  return backend.open(std::span(&grant, 1), now_s);
}

TEST(IptTools, FollowFirewallExesVariantAndDirectory) {
  const IptTools legacy = IptTools::from_exe("/usr/sbin/iptables-legacy");
  EXPECT_EQ(legacy.restore, "/usr/sbin/iptables-legacy-restore");
  EXPECT_EQ(legacy.save, "/usr/sbin/iptables-legacy-save");
  EXPECT_EQ(legacy.ip6tables, "/usr/sbin/ip6tables-legacy");
  EXPECT_EQ(legacy.restore6, "/usr/sbin/ip6tables-legacy-restore");
  const IptTools plain = IptTools::from_exe("/sbin/iptables");
  EXPECT_EQ(plain.iptables, "/sbin/iptables");
  EXPECT_EQ(plain.restore, "/sbin/iptables-restore");
  EXPECT_EQ(plain.save6, "/sbin/ip6tables-save");
}

TEST(IptablesBackend, StartCreatesFwknopdsChainAndJumpThenProbesTheCommentAndTimeMatches) {
  Fixture f;
  ASSERT_TRUE(f.backend->start(kNow).has_value());
  const auto restores = f.restores();
  ASSERT_EQ(restores.size(), 2u);
  EXPECT_EQ(restores[0],
            "/usr/sbin/iptables-restore --noflush\n*filter\n-N FWKNOP_INPUT\n-I INPUT 1 -j FWKNOP_INPUT\nCOMMIT\n");
  EXPECT_EQ(restores[1],
            "/usr/sbin/iptables-restore --noflush\n*filter\n"
            "-I FWKNOP_INPUT 1 -s 127.0.0.2 -m comment --comment __TMPCOMMENT__ -m time --datestop "
            "2038-01-01T00:00:00 -j ACCEPT\n"
            "-D FWKNOP_INPUT -s 127.0.0.2 -m comment --comment __TMPCOMMENT__ -m time --datestop "
            "2038-01-01T00:00:00 -j ACCEPT\nCOMMIT\n");
  EXPECT_TRUE(f.backend->has_time_match());
  // No ip6tables here: said once, at start.
  ASSERT_EQ(f.backend->warnings().size(), 1u);
  EXPECT_NE(f.backend->warnings()[0].find("IPv6"), std::string::npos);
}

TEST(IptablesBackend, AGrantIsFwknopdsRuleWithItsExpiryInTheCommentAndTheTimeMatch) {
  Fixture f;
  ASSERT_TRUE(f.backend->start(kNow).has_value());
  f.executor->clear();
  ASSERT_TRUE(open_one(*f.backend, access("10.0.0.2"), kNow).has_value());
  EXPECT_EQ(f.restores(),
            std::vector<std::string>{"/usr/sbin/iptables-restore --noflush\n*filter\n"
                                     "-A FWKNOP_INPUT -p 6 -s 10.0.0.2 -d 0.0.0.0/0 --dport 22 -m comment --comment "
                                     "_exp_1800000030 -m time --datestop 2027-01-15T08:00:30 -j ACCEPT\nCOMMIT\n"});
  EXPECT_EQ(f.backend->tracked_count(), 1u);
}

TEST(IptablesBackend, AllGrantsOfABurstAreOneRestoreAndOutputRulesFollowInputRules) {
  IptSettings settings = ipt_settings_from(config::ServerConfig{});
  settings.enable_output = true;
  settings.enable_rule_prepend = true;
  Fixture f(settings);
  ASSERT_TRUE(f.backend->start(kNow).has_value());
  f.executor->clear();
  AccessRequest first = access("10.0.0.2");
  first.ports.push_back(config::ProtoPort{config::Protocol::kUdp, 53});
  const AccessRequest second = access("10.0.0.3");
  const std::vector<GrantRequest> grants{{&first, nullptr}, {&second, nullptr}};
  ASSERT_TRUE(f.backend->open(grants, kNow).has_value());
  const auto restores = f.restores();
  ASSERT_EQ(restores.size(), 1u);
  const std::string time = " -m time --datestop 2027-01-15T08:00:30";
  EXPECT_EQ(restores[0],
            "/usr/sbin/iptables-restore --noflush\n*filter\n"
            "-I FWKNOP_INPUT -p 6 -s 10.0.0.2 -d 0.0.0.0/0 --dport 22 -m comment --comment _exp_1800000030" +
                time + " -j ACCEPT\n" +
                "-I FWKNOP_OUTPUT -p 6 -d 10.0.0.2 -s 0.0.0.0/0 --sport 22 -m comment --comment _exp_1800000030" +
                time + " -j ACCEPT\n" +
                "-I FWKNOP_INPUT -p 17 -s 10.0.0.2 -d 0.0.0.0/0 --dport 53 -m comment --comment _exp_1800000030" +
                time + " -j ACCEPT\n" +
                "-I FWKNOP_OUTPUT -p 17 -d 10.0.0.2 -s 0.0.0.0/0 --sport 53 -m comment --comment _exp_1800000030" +
                time + " -j ACCEPT\n" +
                "-I FWKNOP_INPUT -p 6 -s 10.0.0.3 -d 0.0.0.0/0 --dport 22 -m comment --comment _exp_1800000030" + time +
                " -j ACCEPT\n" +
                "-I FWKNOP_OUTPUT -p 6 -d 10.0.0.3 -s 0.0.0.0/0 --sport 22 -m comment --comment _exp_1800000030" +
                time + " -j ACCEPT\nCOMMIT\n");
}

TEST(IptablesBackend, ARuleGoesAfterItsFullTimeoutAndIsReportedOnce) {
  Fixture f;
  ASSERT_TRUE(f.backend->start(kNow).has_value());
  ASSERT_TRUE(open_one(*f.backend, access("10.0.0.2", std::chrono::seconds(5)), kNow).has_value());
  f.executor->clear();
  // Granted during second kNow: the _exp_ second kNow+5 must end before the rule goes.
  auto early = f.backend->expire(kNow + 5);
  ASSERT_TRUE(early.has_value());
  EXPECT_TRUE(early->empty());
  EXPECT_TRUE(f.executor->calls().empty());
  auto due = f.backend->expire(kNow + 6);
  ASSERT_TRUE(due.has_value());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].source.to_string(), "10.0.0.2");
  EXPECT_EQ((*due)[0].protocol, 6);
  EXPECT_EQ((*due)[0].port, 22);
  EXPECT_EQ(f.restores(),
            std::vector<std::string>{"/usr/sbin/iptables-restore --noflush\n*filter\n"
                                     "-D FWKNOP_INPUT -p 6 -s 10.0.0.2 -d 0.0.0.0/0 --dport 22 -m comment --comment "
                                     "_exp_1800000005 -m time --datestop 2027-01-15T08:00:05 -j ACCEPT\nCOMMIT\n"});
  EXPECT_EQ(f.backend->tracked_count(), 0u);
  EXPECT_TRUE(f.backend->expire(kNow + 60)->empty());
}

TEST(IptablesBackend, TheSameAccessAgainExtendsTheRuleInsteadOfStackingRules) {
  Fixture f;
  ASSERT_TRUE(f.backend->start(kNow).has_value());
  ASSERT_TRUE(open_one(*f.backend, access("10.0.0.2", std::chrono::seconds(5)), kNow).has_value());
  f.executor->clear();
  ASSERT_TRUE(open_one(*f.backend, access("10.0.0.2", std::chrono::seconds(5)), kNow + 3).has_value());
  const auto restores = f.restores();
  ASSERT_EQ(restores.size(), 2u);  // the new rule first, then the old one goes: access never blinks
  EXPECT_NE(restores[0].find("-A FWKNOP_INPUT -p 6 -s 10.0.0.2 -d 0.0.0.0/0 --dport 22 -m comment --comment "
                             "_exp_1800000008"),
            std::string::npos);
  EXPECT_NE(restores[1].find("-D FWKNOP_INPUT -p 6 -s 10.0.0.2 -d 0.0.0.0/0 --dport 22 -m comment --comment "
                             "_exp_1800000005"),
            std::string::npos);
  EXPECT_EQ(f.backend->tracked_count(), 1u);
  EXPECT_TRUE(f.backend->expire(kNow + 6)->empty());  // the old deadline is stale
  EXPECT_EQ(f.backend->expire(kNow + 9)->size(), 1u);
}

TEST(IptablesBackend, AFailedRestoreIsAnErrorAndLeavesNothingTracked) {
  Fixture f;
  ASSERT_TRUE(f.backend->start(kNow).has_value());
  f.fail_restore = true;
  const auto opened = open_one(*f.backend, access("10.0.0.2"), kNow);
  ASSERT_FALSE(opened.has_value());
  EXPECT_NE(opened.error().message.find("iptables-restore --noflush failed: line 2 failed"), std::string::npos)
      << opened.error().message;
  EXPECT_EQ(f.backend->tracked_count(), 0u);
}

TEST(IptablesBackend, IpV6GrantsAreRefusedWithoutIp6tablesAndGoToIp6tablesWithIt) {
  Fixture without;
  ASSERT_TRUE(without.backend->start(kNow).has_value());
  EXPECT_FALSE(open_one(*without.backend, access("2001:db8::7"), kNow).has_value());

  Fixture with({}, true);
  ASSERT_TRUE(with.backend->start(kNow).has_value());
  EXPECT_TRUE(with.backend->warnings().empty());
  with.executor->clear();
  ASSERT_TRUE(open_one(*with.backend, access("2001:db8::7"), kNow).has_value());
  EXPECT_EQ(with.restores(),
            std::vector<std::string>{"/usr/sbin/ip6tables-restore --noflush\n*filter\n"
                                     "-A FWKNOP_INPUT -p 6 -s 2001:db8::7 -d ::/0 --dport 22 -m comment --comment "
                                     "_exp_1800000030 -m time --datestop 2027-01-15T08:00:30 -j ACCEPT\nCOMMIT\n"});
}

TEST(IptablesBackend, WithoutFlushAtInitRulesOfAPreviousRunAreRecoveredAndExpiredOnTime) {
  IptSettings settings = ipt_settings_from(config::ServerConfig{});
  settings.flush_at_init = false;
  const std::string left =
      "-A FWKNOP_INPUT -s 10.0.0.9/32 -p tcp -m tcp --dport 22 -m comment --comment _exp_1800000010 -j ACCEPT";
  Fixture f(settings, false,
            {{"filter", std::string("*filter\n:INPUT DROP [0:0]\n:FWKNOP_INPUT - [0:0]\n-A INPUT -j FWKNOP_INPUT\n") +
                            left + "\n-A FWKNOP_INPUT -s 10.9.9.9/32 -j ACCEPT\nCOMMIT\n"}});
  ASSERT_TRUE(f.backend->start(kNow).has_value());
  // The chain and the jump exist: nothing to create, and nothing flushed.
  EXPECT_EQ(f.restores()[0].find("FWKNOP_INPUT\n"), std::string::npos) << f.restores()[0];
  EXPECT_EQ(f.backend->tracked_count(), 1u);  // the rule without _exp_ is not sesamed's
  f.executor->clear();
  EXPECT_TRUE(f.backend->expire(kNow + 10)->empty());
  const auto due = f.backend->expire(kNow + 11);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].source.to_string(), "10.0.0.9");
  EXPECT_EQ((*due)[0].port, 22);
  EXPECT_EQ(f.restores(), std::vector<std::string>{"/usr/sbin/iptables-restore --noflush\n*filter\n-D FWKNOP_INPUT " +
                                                   left.substr(16) + "\nCOMMIT\n"});
}

TEST(IptablesBackend, FlushAtInitEmptiesAnExistingChain) {
  Fixture f({}, false,
            {{"filter",
              "*filter\n:INPUT DROP [0:0]\n:FWKNOP_INPUT - [0:0]\n-A INPUT -j FWKNOP_INPUT\n"
              "-A FWKNOP_INPUT -s 10.0.0.9/32 -m comment --comment _exp_1 -j ACCEPT\nCOMMIT\n"}});
  ASSERT_TRUE(f.backend->start(kNow).has_value());
  EXPECT_EQ(f.restores()[0], "/usr/sbin/iptables-restore --noflush\n*filter\n-F FWKNOP_INPUT\nCOMMIT\n");
  EXPECT_EQ(f.backend->tracked_count(), 0u);
}

TEST(IptablesBackend, FlushRemovesJumpsChainsAndAtExitOnlyWhenAsked) {
  const char* ours = "*filter\n:INPUT DROP [0:0]\n:FWKNOP_INPUT - [0:0]\n-A INPUT -j FWKNOP_INPUT\nCOMMIT\n";
  Fixture f({}, false, {{"filter", ours}});
  ASSERT_TRUE(f.backend->flush().has_value());
  EXPECT_EQ(f.restores(), std::vector<std::string>{"/usr/sbin/iptables-restore --noflush\n*filter\n"
                                                   "-D INPUT -j FWKNOP_INPUT\n-F FWKNOP_INPUT\n-X FWKNOP_INPUT\n"
                                                   "COMMIT\n"});
  f.executor->clear();
  ASSERT_TRUE(f.backend->stop().has_value());  // FLUSH_IPT_AT_EXIT defaults to Y
  EXPECT_EQ(f.restores().size(), 1u);

  IptSettings keep = ipt_settings_from(config::ServerConfig{});
  keep.flush_at_exit = false;
  Fixture g(keep, false, {{"filter", ours}});
  ASSERT_TRUE(g.backend->stop().has_value());
  EXPECT_TRUE(g.executor->calls().empty());
}

TEST(IptablesBackend, ForcedNatIsFwknopdsForwardDnatAndSnatRules) {
  config::ServerConfig server;
  server.enable_ipt_forwarding = true;
  server.enable_ipt_snat = true;
  server.snat_translate_ip = "192.0.2.1";
  Fixture f(ipt_settings_from(server), false,
            {{"filter", kEmptyFilter}, {"nat", "*nat\n:PREROUTING ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n"}});
  ASSERT_TRUE(f.backend->start(kNow).has_value());
  EXPECT_EQ(f.restores()[0],
            "/usr/sbin/iptables-restore --noflush\n*filter\n-N FWKNOP_INPUT\n-I INPUT 1 -j FWKNOP_INPUT\n"
            "-N FWKNOP_FORWARD\n-I FORWARD 1 -j FWKNOP_FORWARD\nCOMMIT\n*nat\n-N FWKNOP_PREROUTING\n"
            "-I PREROUTING 1 -j FWKNOP_PREROUTING\n-N FWKNOP_POSTROUTING\n-I POSTROUTING 1 -j FWKNOP_POSTROUTING\n"
            "-N FWKNOP_MASQUERADE\n-I POSTROUTING 1 -j FWKNOP_MASQUERADE\nCOMMIT\n");
  f.executor->clear();
  config::AccessStanza stanza;
  stanza.force_nat = config::ForceNat{"10.2.0.2", 2222};
  ASSERT_TRUE(open_one(*f.backend, access("10.0.0.2"), kNow, &stanza).has_value());
  const std::string expiry = " -m comment --comment _exp_1800000030 -m time --datestop 2027-01-15T08:00:30";
  EXPECT_EQ(f.restores(), std::vector<std::string>{"/usr/sbin/iptables-restore --noflush\n*filter\n"
                                                   "-A FWKNOP_FORWARD -p 6 -s 10.0.0.2 -d 10.2.0.2 --dport 2222" +
                                                   expiry + " -j ACCEPT\nCOMMIT\n*nat\n" +
                                                   "-A FWKNOP_PREROUTING -p 6 -s 10.0.0.2 -d 0.0.0.0/0 --dport 22" +
                                                   expiry + " -j DNAT --to-destination 10.2.0.2:2222\n" +
                                                   "-A FWKNOP_POSTROUTING -p 6 -s 10.0.0.2 -d 10.2.0.2 --dport 2222" +
                                                   expiry + " -j SNAT --to-source 192.0.2.1\nCOMMIT\n"});
}

TEST(IptablesBackend, NatWithoutForwardingEnabledIsRefused) {
  Fixture f;
  ASSERT_TRUE(f.backend->start(kNow).has_value());
  config::AccessStanza stanza;
  stanza.force_nat = config::ForceNat{"10.2.0.2", 2222};
  const auto opened = open_one(*f.backend, access("10.0.0.2"), kNow, &stanza);
  ASSERT_FALSE(opened.has_value());
  EXPECT_NE(opened.error().message.find("ENABLE_IPT_FORWARDING"), std::string::npos);
}

}  // namespace
}  // namespace sesame::server::firewall
