// SPDX-License-Identifier: GPL-2.0-or-later
// PfBackend by command generation: pf cannot run on Linux, so each test checks the exact pfctl command lines and
// anchor texts the backend issues (those of fwknopd's pf build, server.md §8.3) and feeds it pfctl's listings.
#include "server/firewall/pf_backend.h"

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
const std::string kList = "/sbin/pfctl -a fwknop -s rules";
const std::string kLoad = "/sbin/pfctl -a fwknop -f -";
const std::string kFlush = "/sbin/pfctl -a fwknop -F all";

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

// How pfctl lists a rule this backend loaded.
std::string listed(std::string_view ip, std::string_view proto, std::string_view port, std::int64_t expires_s) {
  return "pass in quick inet proto " + std::string(proto) + " from " + std::string(ip) +
         " to any port = " + std::string(port) + " flags S/SA keep state label \"_exp_" + std::to_string(expires_s) +
         "\"\n";
}

struct Fixture {
  explicit Fixture(PfSettings settings = {}) {
    answers["/sbin/pfctl -s Anchor"] = {0, "  fwknop\n  other/inner\n"};
    auto executor = std::make_unique<RecordingExecutor>([this](const std::string& line, std::string_view) {
      if (const auto found = answers.find(line); found != answers.end()) return found->second;
      return CommandOutcome{0, ""};
    });
    recorder = executor.get();
    backend = std::make_unique<PfBackend>(std::move(settings), std::move(executor));
  }
  Result<Ok, FirewallError> open(const std::vector<AccessRequest>& requests, std::int64_t now_s = kNow) {
    std::vector<GrantRequest> grants;
    for (const AccessRequest& request : requests) grants.push_back(GrantRequest{&request, nullptr});
    return backend->open(grants, now_s);
  }
  std::vector<RecordingExecutor::Call> take_calls() {
    auto calls = recorder->calls();
    recorder->clear();
    return calls;
  }
  Lines take_lines() {
    Lines lines = recorder->lines();
    recorder->clear();
    return lines;
  }

  std::map<std::string, CommandOutcome> answers;
  RecordingExecutor* recorder = nullptr;
  std::unique_ptr<PfBackend> backend;
};

TEST(PfBackend, StartChecksTheAnchorAndFlushesItWhenNothingLiveIsInIt) {
  Fixture f;
  ASSERT_TRUE(f.backend->start(kNow));
  EXPECT_EQ(f.take_lines(), (Lines{"/sbin/pfctl -s Anchor", kList, kFlush}));
}

TEST(PfBackend, StartFailsWhenPfConfDoesNotReferenceTheAnchor) {
  PfSettings settings;
  settings.anchor = "sesame";
  Fixture f(settings);
  f.answers["/sbin/pfctl -s Anchor"] = {0, "  fwknop\n  sesame/inner\n"};
  const auto started = f.backend->start(kNow);
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().message.find("anchor \"sesame\""), std::string::npos);
  EXPECT_NE(started.error().message.find("pf.conf"), std::string::npos);
  EXPECT_EQ(f.take_lines(), (Lines{"/sbin/pfctl -s Anchor"}));
}

TEST(PfBackend, StartTakesOverLiveRulesAndDropsExpiredOnes) {
  Fixture f;
  const std::string live = listed("192.0.2.7", "tcp", "22", kNow + 50);
  f.answers[kList] = {0, "No ALTQ support in kernel\nALTQ related functions disabled\n" + live +
                             listed("192.0.2.8", "tcp", "22", kNow - 1)};
  ASSERT_TRUE(f.backend->start(kNow));
  const auto calls = f.take_calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[2].line, kLoad);
  EXPECT_EQ(calls[2].input, live);
  EXPECT_EQ(f.backend->tracked_count(), 1u);

  // The taken-over grant is extended, not duplicated.
  ASSERT_TRUE(f.open({request_for("192.0.2.7", {tcp(22)}, 100s)}));
  const auto reopened = f.take_calls();
  ASSERT_EQ(reopened.size(), 2u);
  EXPECT_EQ(reopened[1].input,
            "pass in quick inet proto tcp from 192.0.2.8 to any port = 22 flags S/SA keep state label "
            "\"_exp_1699999999\"\n"
            "pass in quick proto 6 from 192.0.2.7 to any port 22 keep state label _exp_1700000100\n");
}

TEST(PfBackend, OpenAppendsTheBurstToTheAnchorInOneLoad) {
  Fixture f;
  ASSERT_TRUE(f.backend->start(kNow));
  f.take_calls();
  const std::string existing = listed("192.0.2.5", "udp", "53", kNow + 10);
  f.answers[kList] = {0, existing};
  ASSERT_TRUE(f.open({request_for("192.0.2.7", {tcp(22), udp(53)}, 60s), request_for("2001:db8::7", {tcp(443)})}));
  const auto calls = f.take_calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].line, kList);
  EXPECT_EQ(calls[1].line, kLoad);
  EXPECT_EQ(calls[1].input,
            existing +
                "pass in quick proto 6 from 192.0.2.7 to any port 22 keep state label _exp_1700000060\n"
                "pass in quick proto 17 from 192.0.2.7 to any port 53 keep state label _exp_1700000060\n"
                "pass in quick proto 6 from 2001:db8::7 to any port 443 keep state label _exp_1700000030\n");
  EXPECT_EQ(f.backend->tracked_count(), 3u);

  // A shorter re-grant needs nothing at all.
  ASSERT_TRUE(f.open({request_for("192.0.2.7", {tcp(22)}, 5s)}));
  EXPECT_TRUE(f.take_calls().empty());
}

TEST(PfBackend, DestinationRuleUsesThePacketDestination) {
  PfSettings settings;
  settings.use_destination = true;
  settings.anchor = "sesame";
  settings.exe = "/usr/sbin/pfctl";
  Fixture f(settings);
  ASSERT_TRUE(f.open({request_for("192.0.2.7", {tcp(22)})}));
  const auto calls = f.take_calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].line, "/usr/sbin/pfctl -a sesame -s rules");
  EXPECT_EQ(calls[1].line, "/usr/sbin/pfctl -a sesame -f -");
  EXPECT_EQ(calls[1].input,
            "pass in quick proto 6 from 192.0.2.7 to 198.51.100.1 port 22 keep state label "
            "_exp_1700000030\n");
}

TEST(PfBackend, ExpiryRewritesTheAnchorWithoutExpiredRulesThenFlushesIt) {
  Fixture f;
  ASSERT_TRUE(f.backend->start(kNow));
  ASSERT_TRUE(f.open({request_for("192.0.2.7", {tcp(22)}, 30s), request_for("192.0.2.8", {udp(53)}, 60s)}));
  f.take_calls();

  auto early = f.backend->expire(kNow + 29);
  ASSERT_TRUE(early);
  EXPECT_TRUE(early->empty());
  EXPECT_TRUE(f.take_calls().empty());

  const std::string second = listed("192.0.2.8", "udp", "domain", kNow + 60);
  f.answers[kList] = {0, listed("192.0.2.7", "tcp", "ssh", kNow + 30) + second};
  auto due = f.backend->expire(kNow + 30);
  ASSERT_TRUE(due);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].source.to_string(), "192.0.2.7");
  EXPECT_EQ((*due)[0].port, 22);  // pfctl's service name read back
  auto calls = f.take_calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].line, kList);
  EXPECT_EQ(calls[1].line, kLoad);
  EXPECT_EQ(calls[1].input, second);
  EXPECT_EQ(f.backend->tracked_count(), 1u);

  f.answers[kList] = {0, second};
  due = f.backend->expire(kNow + 60);
  ASSERT_TRUE(due);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].protocol, 17);
  EXPECT_EQ(f.take_lines(), (Lines{kList, kFlush}));

  ASSERT_TRUE(f.backend->expire(kNow + 1000));  // an empty anchor is not scanned
  EXPECT_TRUE(f.take_calls().empty());
}

TEST(PfBackend, AnUntrackedRuleGoesAtThePeriodicScan) {
  PfSettings settings;
  settings.expire_interval_s = 60;
  Fixture f(settings);
  // Another program's rule, for a network: not a grant sesamed can track.
  const std::string foreign =
      "pass in quick inet proto tcp from 192.0.2.0/24 to any port = 22 keep state label \"_exp_1700000010\"\n";
  f.answers[kList] = {0, foreign};
  ASSERT_TRUE(f.backend->start(kNow));
  EXPECT_EQ(f.take_lines(), (Lines{"/sbin/pfctl -s Anchor", kList}));
  EXPECT_EQ(f.backend->tracked_count(), 0u);

  ASSERT_TRUE(f.backend->expire(kNow + 59));
  EXPECT_TRUE(f.take_calls().empty());
  auto scanned = f.backend->expire(kNow + 60);
  ASSERT_TRUE(scanned);
  EXPECT_TRUE(scanned->empty());
  EXPECT_EQ(f.take_lines(), (Lines{kList, kFlush}));
}

TEST(PfBackend, AFailedLoadIsAnErrorAndNothingIsTracked) {
  Fixture f;
  f.answers[kLoad] = {1, "stdin:1: syntax error\npfctl: Syntax error in config file: pf rules not loaded\n"};
  const auto opened = f.open({request_for("192.0.2.7", {tcp(22)})});
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().message.find(kLoad), std::string::npos);
  EXPECT_NE(opened.error().message.find("stdin:1: syntax error"), std::string::npos);
  EXPECT_EQ(f.backend->tracked_count(), 0u);

  f.answers[kList] = {1, "pfctl: Permission denied\n"};
  const auto listed_failure = f.open({request_for("192.0.2.7", {tcp(22)})});
  ASSERT_FALSE(listed_failure);
  EXPECT_NE(listed_failure.error().message.find("Permission denied"), std::string::npos);
}

TEST(PfBackend, NatRequestsAreRefused) {
  Fixture f;
  AccessRequest nat = request_for("192.0.2.7", {tcp(22)});
  nat.type = spa::MessageType::kLocalNatAccess;
  EXPECT_FALSE(f.open({nat}));
  EXPECT_TRUE(f.take_calls().empty());
}

TEST(PfBackend, ListsAndFlushesTheAnchor) {
  Fixture f;
  f.answers[kList] = {0, listed("192.0.2.7", "tcp", "22", kNow)};
  auto listing = f.backend->list(false);
  ASSERT_TRUE(listing);
  EXPECT_EQ(*listing, "Listing fwknopd pf rules...\n\nActive Rules in PF anchor 'fwknop':\n" +
                          listed("192.0.2.7", "tcp", "22", kNow));
  ASSERT_TRUE(f.backend->flush());
  EXPECT_EQ(f.take_lines(), (Lines{kList, kFlush}));
}

}  // namespace
}  // namespace sesame::server::firewall
