// SPDX-License-Identifier: GPL-2.0-or-later
// IpfwBackend by command generation: ipfw cannot run on Linux, so each test checks the exact command lines the
// backend issues (those of fwknopd's ipfw build, server.md §8.2) and feeds it ipfw's listings.
#include "server/firewall/ipfw_backend.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "unit/server/recording_executor.h"

namespace sesame::server::firewall {
namespace {

using namespace std::chrono_literals;
using test::RecordingExecutor;
using Lines = std::vector<std::string>;

constexpr std::int64_t kNow = 1700000000;

AccessRequest request_for(std::string_view ip, config::PortList ports, std::chrono::seconds timeout = 30s) {
  AccessRequest request;
  request.allow_ip = *config::IpAddress::parse(ip);
  request.packet_source = request.allow_ip;
  request.packet_destination = *config::IpAddress::parse("198.51.100.1");
  request.ports = std::move(ports);
  request.timeout = timeout;
  return request;
}

constexpr config::ProtoPort tcp(std::uint16_t port) {
  return {config::Protocol::kTcp, port};
}
constexpr config::ProtoPort udp(std::uint16_t port) {
  return {config::Protocol::kUdp, port};
}

// A backend over a recorder whose answers are looked up by exact command line (default: exit 0, no output).
struct Fixture {
  explicit Fixture(IpfwSettings settings = {}) {
    auto executor = std::make_unique<RecordingExecutor>([this](const std::string& line, std::string_view) {
      if (const auto found = answers.find(line); found != answers.end()) return found->second;
      return CommandOutcome{0, ""};
    });
    recorder = executor.get();
    backend = std::make_unique<IpfwBackend>(std::move(settings), std::move(executor));
  }
  Result<Ok, FirewallError> open(const std::vector<AccessRequest>& requests, std::int64_t now_s = kNow) {
    std::vector<GrantRequest> grants;
    for (const AccessRequest& request : requests) grants.push_back(GrantRequest{&request, nullptr});
    return backend->open(grants, now_s);
  }
  Lines take_lines() {
    Lines lines = recorder->lines();
    recorder->clear();
    return lines;
  }

  std::map<std::string, CommandOutcome> answers;
  RecordingExecutor* recorder = nullptr;
  std::unique_ptr<IpfwBackend> backend;
};

TEST(IpfwBackend, StartDeletesTheActiveSetWhenItHasRulesAndDisablesTheExpireSet) {
  Fixture f;
  f.answers["/sbin/ipfw set 1 list"] = {0, "10000 allow tcp from 192.0.2.7 to me dst-port 22 // _exp_1\n"};
  ASSERT_TRUE(f.backend->start(kNow));
  EXPECT_EQ(f.take_lines(), (Lines{"/sbin/ipfw set 1 list", "/sbin/ipfw delete set 1", "/sbin/ipfw set disable 2",
                                   "/sbin/ipfw -S set 2 list"}));
  EXPECT_EQ(f.backend->active_count(), 0u);
}

TEST(IpfwBackend, StartWithAnEmptyActiveSetDeletesNothing) {
  Fixture f;
  ASSERT_TRUE(f.backend->start(kNow));
  EXPECT_EQ(f.take_lines(), (Lines{"/sbin/ipfw set 1 list", "/sbin/ipfw set disable 2", "/sbin/ipfw -S set 2 list"}));
}

TEST(IpfwBackend, StartAddsTheCheckStateRuleAtTheFirstNumber) {
  IpfwSettings settings;
  settings.add_check_state = true;
  settings.exe = "/usr/local/sbin/ipfw";
  settings.active_set = 3;
  settings.expire_set = 4;
  Fixture f(settings);
  ASSERT_TRUE(f.backend->start(kNow));
  EXPECT_EQ(f.take_lines(),
            (Lines{"/usr/local/sbin/ipfw set 3 list", "/usr/local/sbin/ipfw add 10000 set 3 check-state",
                   "/usr/local/sbin/ipfw set disable 4", "/usr/local/sbin/ipfw -S set 4 list"}));
  ASSERT_TRUE(f.open({request_for("192.0.2.7", {tcp(22)})}));
  EXPECT_EQ(f.take_lines(), (Lines{"/usr/local/sbin/ipfw add 10001 set 3 pass 6 from 192.0.2.7 to me dst-port 22 "
                                   "setup keep-state // _exp_1700000030"}));
}

TEST(IpfwBackend, AFailedCheckStateRuleIsAWarningAsInFwknopd) {
  IpfwSettings settings;
  settings.add_check_state = true;
  Fixture f(settings);
  f.answers["/sbin/ipfw add 10000 set 1 check-state"] = {1, "ipfw: rule add: Invalid argument\n"};
  ASSERT_TRUE(f.backend->start(kNow));
  ASSERT_EQ(f.backend->warnings().size(), 1u);
  EXPECT_NE(f.backend->warnings()[0].find("Invalid argument"), std::string::npos);
}

TEST(IpfwBackend, AFailedExpireSetDisableStopsTheStart) {
  Fixture f;
  f.answers["/sbin/ipfw set disable 2"] = {64, "ipfw: set disable: Operation not permitted\n"};
  const auto started = f.backend->start(kNow);
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().message.find("/sbin/ipfw set disable 2"), std::string::npos);
  EXPECT_NE(started.error().message.find("Operation not permitted"), std::string::npos);
}

TEST(IpfwBackend, OpensTcpWithSetupAndUdpWithout) {
  Fixture f;
  ASSERT_TRUE(f.backend->start(kNow));
  f.take_lines();
  ASSERT_TRUE(f.open({request_for("192.0.2.7", {tcp(22), udp(53)}, 60s)}));
  EXPECT_EQ(f.take_lines(),
            (Lines{"/sbin/ipfw add 10000 set 1 pass 6 from 192.0.2.7 to me dst-port 22 setup keep-state // "
                   "_exp_1700000060",
                   "/sbin/ipfw add 10001 set 1 pass 17 from 192.0.2.7 to me dst-port 53 keep-state // "
                   "_exp_1700000060"}));
  EXPECT_EQ(f.backend->active_count(), 2u);
}

TEST(IpfwBackend, DestinationRuleAndIpv6) {
  IpfwSettings settings;
  settings.use_destination = true;
  Fixture f(settings);
  AccessRequest v6 = request_for("2001:db8::7", {tcp(22)});
  v6.packet_destination = *config::IpAddress::parse("2001:db8::1");
  AccessRequest unknown_destination = request_for("192.0.2.8", {tcp(22)});
  unknown_destination.packet_destination = config::IpAddress();
  ASSERT_TRUE(f.open({request_for("192.0.2.7", {tcp(22)}), v6, unknown_destination}));
  EXPECT_EQ(f.take_lines(), (Lines{"/sbin/ipfw add 10000 set 1 pass 6 from 192.0.2.7 to 198.51.100.1 dst-port 22 "
                                   "setup keep-state // _exp_1700000030",
                                   "/sbin/ipfw add 10001 set 1 pass 6 from 2001:db8::7 to 2001:db8::1 dst-port 22 "
                                   "setup keep-state // _exp_1700000030",
                                   "/sbin/ipfw add 10002 set 1 pass 6 from 192.0.2.8 to me dst-port 22 "
                                   "setup keep-state // _exp_1700000030"}));

  Fixture plain;
  ASSERT_TRUE(plain.open({request_for("2001:db8::7", {udp(500)})}));
  EXPECT_EQ(plain.take_lines(), (Lines{"/sbin/ipfw add 10000 set 1 pass 17 from 2001:db8::7 to me6 dst-port 500 "
                                       "keep-state // _exp_1700000030"}));
}

TEST(IpfwBackend, ExpiryMovesTheRuleToTheExpireSetAndPurgesItOnceItsStatesAreGone) {
  Fixture f;
  ASSERT_TRUE(f.backend->start(kNow));
  ASSERT_TRUE(f.open({request_for("192.0.2.7", {tcp(22)})}));
  f.take_lines();

  auto early = f.backend->expire(kNow + 29);
  ASSERT_TRUE(early);
  EXPECT_TRUE(early->empty());
  EXPECT_TRUE(f.take_lines().empty());

  f.answers["/sbin/ipfw set 1 list"] = {
      0, "10000 allow tcp from 192.0.2.7 to me dst-port 22 setup keep-state // _exp_1700000030\n"};
  f.answers["/sbin/ipfw -d set 2 list"] = {
      0, "## Dynamic rules (1 4):\n10000 3 180 (295s) STATE tcp 192.0.2.7 51000 <-> 203.0.113.1 22\n"};
  auto due = f.backend->expire(kNow + 30);
  ASSERT_TRUE(due);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].source.to_string(), "192.0.2.7");
  EXPECT_EQ((*due)[0].protocol, 6);
  EXPECT_EQ((*due)[0].port, 22);
  EXPECT_EQ(f.take_lines(),
            (Lines{"/sbin/ipfw set 1 list", "/sbin/ipfw set move rule 10000 to 2", "/sbin/ipfw -d set 2 list"}));
  EXPECT_EQ(f.backend->active_count(), 0u);
  EXPECT_EQ(f.backend->expired_count(), 1u);  // its connection still has a dynamic state

  ASSERT_TRUE(f.backend->expire(kNow + 45));  // IPFW_EXPIRE_PURGE_INTERVAL (30 s) has not passed
  EXPECT_TRUE(f.take_lines().empty());

  f.answers["/sbin/ipfw -d set 2 list"] = {0, "## Dynamic rules (0 0):\n"};
  ASSERT_TRUE(f.backend->expire(kNow + 60));
  EXPECT_EQ(f.take_lines(), (Lines{"/sbin/ipfw -d set 2 list", "/sbin/ipfw set 2 delete 10000"}));
  EXPECT_EQ(f.backend->expired_count(), 0u);

  ASSERT_TRUE(f.open({request_for("192.0.2.9", {tcp(22)})}, kNow + 61));  // the number is free again
  EXPECT_EQ(f.take_lines(), (Lines{"/sbin/ipfw add 10000 set 1 pass 6 from 192.0.2.9 to me dst-port 22 setup "
                                   "keep-state // _exp_1700000091"}));
}

TEST(IpfwBackend, WithoutFlushStartTakesOverTheRulesOfAnEarlierRun) {
  IpfwSettings settings;
  settings.flush_at_init = false;
  settings.purge_interval_s = 1000;
  Fixture f(settings);
  const std::string active =
      "10001 allow tcp from 192.0.2.7 to me dst-port 22 setup keep-state // _exp_1700000100\n"
      "10003 allow tcp from 192.0.2.8 to me 22 setup keep-state :default // _exp_1699999990\n"
      "10003 allow udp from 192.0.2.8 to me 53 keep-state :default // _exp_1699999990\n";
  f.answers["/sbin/ipfw set 1 list"] = {0, active};
  f.answers["/sbin/ipfw -S set 2 list"] = {
      0,
      "# DISABLED 10002 set 2 allow tcp from 192.0.2.5 to me dst-port 22 setup keep-state // _exp_1\n"
      "# DISABLED 00500 set 2 allow ip from any to any\n"};
  ASSERT_TRUE(f.backend->start(kNow));
  EXPECT_EQ(f.take_lines(), (Lines{"/sbin/ipfw set 1 list", "/sbin/ipfw set disable 2", "/sbin/ipfw -S set 2 list"}));
  EXPECT_EQ(f.backend->active_count(), 2u);
  EXPECT_EQ(f.backend->expired_count(), 1u);  // rule 500 is outside IPFW_START_RULE_NUM..: not ours

  // Rule 10003 was due before the restart; both of its ports are reported, one move takes both lines.
  auto due = f.backend->expire(kNow);
  ASSERT_TRUE(due);
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ((*due)[0].port, 22);
  EXPECT_EQ((*due)[1].protocol, 17);
  EXPECT_EQ(f.take_lines(),
            (Lines{"/sbin/ipfw set 1 list", "/sbin/ipfw set move rule 10003 to 2", "/sbin/ipfw -d set 2 list",
                   "/sbin/ipfw set 2 delete 10002", "/sbin/ipfw set 2 delete 10003"}));

  // The recovered grant is extended, not duplicated; the free numbers are reused from the lowest.
  ASSERT_TRUE(f.open({request_for("192.0.2.7", {tcp(22)}, 300s), request_for("192.0.2.9", {tcp(22)})}));
  EXPECT_EQ(f.take_lines(), (Lines{"/sbin/ipfw add 10000 set 1 pass 6 from 192.0.2.7 to me dst-port 22 setup "
                                   "keep-state // _exp_1700000300",
                                   "/sbin/ipfw add 10002 set 1 pass 6 from 192.0.2.9 to me dst-port 22 setup "
                                   "keep-state // _exp_1700000030",
                                   "/sbin/ipfw set move rule 10001 to 2"}));
}

TEST(IpfwBackend, ARegrantExtendsTheRuleAndAShorterOneChangesNothing) {
  Fixture f;
  ASSERT_TRUE(f.open({request_for("192.0.2.7", {tcp(22)})}));
  f.take_lines();
  ASSERT_TRUE(f.open({request_for("192.0.2.7", {tcp(22)}, 5s)}, kNow + 10));
  EXPECT_TRUE(f.take_lines().empty());
  ASSERT_TRUE(f.open({request_for("192.0.2.7", {tcp(22)})}, kNow + 10));
  EXPECT_EQ(f.take_lines(), (Lines{"/sbin/ipfw add 10001 set 1 pass 6 from 192.0.2.7 to me dst-port 22 setup "
                                   "keep-state // _exp_1700000040",
                                   "/sbin/ipfw set move rule 10000 to 2"}));
  EXPECT_EQ(f.backend->active_count(), 1u);
  EXPECT_EQ(f.backend->expired_count(), 1u);
}

TEST(IpfwBackend, AFailedAddIsAnErrorAndTheBurstIsUndone) {
  Fixture f;
  f.answers["/sbin/ipfw add 10001 set 1 pass 17 from 192.0.2.7 to me dst-port 53 keep-state // _exp_1700000030"] = {
      1, "ipfw: getsockopt(IP_FW_XADD): Invalid argument\n"};
  const auto opened = f.open({request_for("192.0.2.7", {tcp(22), udp(53)})});
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().message.find("/sbin/ipfw add 10001 set 1 pass 17"), std::string::npos);
  EXPECT_NE(opened.error().message.find("IP_FW_XADD): Invalid argument"), std::string::npos);
  EXPECT_EQ(f.take_lines().back(), "/sbin/ipfw set move rule 10000 to 2");
  EXPECT_EQ(f.backend->active_count(), 0u);

  auto later = f.backend->expire(kNow + 100);
  ASSERT_TRUE(later);
  EXPECT_TRUE(later->empty());  // nothing was granted, so nothing expires
}

TEST(IpfwBackend, AllRuleNumbersInUseIsAnError) {
  IpfwSettings settings;
  settings.max_rules = 2;
  Fixture f(settings);
  const auto opened = f.open({request_for("192.0.2.7", {tcp(22), tcp(80), tcp(443)})});
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().message.find("IPFW_MAX_RULES"), std::string::npos);
  EXPECT_TRUE(f.take_lines().empty());
}

TEST(IpfwBackend, NatRequestsAreRefused) {
  Fixture f;
  AccessRequest nat = request_for("192.0.2.7", {tcp(22)});
  nat.type = spa::MessageType::kNatAccess;
  EXPECT_FALSE(f.open({nat}));
  EXPECT_TRUE(f.take_lines().empty());
}

TEST(IpfwBackend, ListsAsFwknopd) {
  Fixture f;
  f.answers["/sbin/ipfw -d -S -T set 1 list"] = {0, "10000 set 1 allow tcp from 192.0.2.7 to me 22\n"};
  f.answers["/sbin/ipfw list"] = {0, "65535 deny ip from any to any\n"};
  auto ours = f.backend->list(false);
  ASSERT_TRUE(ours);
  EXPECT_EQ(*ours,
            "Listing fwknopd ipfw rules...\n\nActive Rules:\n10000 set 1 allow tcp from 192.0.2.7 to me 22\n"
            "\nExpired Rules:\n");
  auto all = f.backend->list(true);
  ASSERT_TRUE(all);
  EXPECT_EQ(*all, "Listing all ipfw rules...\n65535 deny ip from any to any\n");
  EXPECT_EQ(f.take_lines(),
            (Lines{"/sbin/ipfw -d -S -T set 1 list", "/sbin/ipfw -d -S -T set 2 list", "/sbin/ipfw list"}));
}

TEST(IpfwBackend, FlushDeletesTheActiveSetOnly) {
  Fixture f;
  ASSERT_TRUE(f.open({request_for("192.0.2.7", {tcp(22)})}));
  f.take_lines();
  f.answers["/sbin/ipfw set 1 list"] = {0, "10000 allow tcp from 192.0.2.7 to me 22\n"};
  ASSERT_TRUE(f.backend->flush());
  EXPECT_EQ(f.take_lines(), (Lines{"/sbin/ipfw set 1 list", "/sbin/ipfw delete set 1"}));
  EXPECT_EQ(f.backend->active_count(), 0u);

  IpfwSettings set_zero;
  set_zero.active_set = 0;
  Fixture g(set_zero);
  ASSERT_TRUE(g.backend->flush());
  EXPECT_TRUE(g.take_lines().empty());  // set 0 is the admin's: never deleted
}

}  // namespace
}  // namespace sesame::server::firewall
