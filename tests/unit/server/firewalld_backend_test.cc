// SPDX-License-Identifier: GPL-2.0-or-later
// The firewalld backend's command lines (server.md §8.1, fwknopd's firewalld build): firewalld needs D-Bus and a
// running daemon, so its commands are checked here one by one, and its expiry against canned chain listings.
#include "server/firewall/firewalld_backend.h"

#include <string>

#include <gtest/gtest.h>

#include "unit/server/recording_executor.h"

namespace sesame::server::firewall {
namespace {

using test::RecordingExecutor;

constexpr std::int64_t kNow = 1800000000;
constexpr const char* kCmd = "/usr/bin/firewall-cmd --direct --passthrough ";

struct Fixture {
  Fixture() {
    auto owned = std::make_unique<RecordingExecutor>([this](const std::string& line, std::string_view) {
      if (line.find(" -L FWKNOP_INPUT -n") != std::string::npos) return CommandOutcome{chains_exist ? 0 : 1, ""};
      if (line.find(" -C ") != std::string::npos) return CommandOutcome{jump_exists ? 0 : 1, ""};
      if (line.find(" --line-numbers -n") != std::string::npos) return CommandOutcome{0, listing};
      return CommandOutcome{0, ""};
    });
    executor = owned.get();
    backend = std::make_unique<FirewalldBackend>(firewalld_settings_from(config::ServerConfig{}),
                                                 "/usr/bin/firewall-cmd", std::move(owned));
  }
  bool chains_exist = false;
  bool jump_exists = false;
  std::string listing;
  RecordingExecutor* executor = nullptr;
  std::unique_ptr<FirewalldBackend> backend;
};

std::vector<std::string> with_prefix(std::initializer_list<std::string> lines) {
  std::vector<std::string> out;
  for (const std::string& line : lines) out.push_back(kCmd + line);
  return out;
}

TEST(FirewalldBackend, StartCreatesTheChainsAndJumpsThroughPassthroughAndProbesTheCommentMatch) {
  Fixture f;
  ASSERT_TRUE(f.backend->start(kNow).has_value());
  EXPECT_EQ(f.executor->lines(),
            with_prefix({"ipv4 -t filter -L FWKNOP_INPUT -n", "ipv4 -t filter -N FWKNOP_INPUT",
                         "ipv4 -t filter -C INPUT -j FWKNOP_INPUT", "ipv4 -t filter -I INPUT 1 -j FWKNOP_INPUT",
                         "ipv6 -t filter -L FWKNOP_INPUT -n", "ipv6 -t filter -N FWKNOP_INPUT",
                         "ipv6 -t filter -C INPUT -j FWKNOP_INPUT", "ipv6 -t filter -I INPUT 1 -j FWKNOP_INPUT",
                         "ipv4 -t filter -I FWKNOP_INPUT 1 -s 127.0.0.2 -m comment --comment __TMPCOMMENT__ -j ACCEPT",
                         "ipv4 -t filter -D FWKNOP_INPUT 1"}));
}

TEST(FirewalldBackend, AGrantIsOnePassthroughPerRuleInFwknopdsWords) {
  Fixture f;
  AccessRequest request;
  request.allow_ip = *config::IpAddress::parse("10.0.0.2");
  request.ports = {config::ProtoPort{config::Protocol::kTcp, 22}, config::ProtoPort{config::Protocol::kUdp, 53}};
  request.timeout = std::chrono::seconds(30);
  const GrantRequest grant{&request, nullptr};
  ASSERT_TRUE(f.backend->open(std::span(&grant, 1), kNow).has_value());
  EXPECT_EQ(f.executor->lines(),
            with_prefix({"ipv4 -A FWKNOP_INPUT -t filter -p 6 -s 10.0.0.2 -d 0.0.0.0/0 --dport 22 -m comment "
                         "--comment _exp_1800000030 -j ACCEPT",
                         "ipv4 -A FWKNOP_INPUT -t filter -p 17 -s 10.0.0.2 -d 0.0.0.0/0 --dport 53 -m comment "
                         "--comment _exp_1800000030 -j ACCEPT"}));
}

TEST(FirewalldBackend, ExpiredRulesAreFoundInTheListingAndDeletedByNumberHighestFirst) {
  Fixture f;
  AccessRequest request;
  request.allow_ip = *config::IpAddress::parse("10.0.0.2");
  request.ports = {config::ProtoPort{config::Protocol::kTcp, 22}};
  request.timeout = std::chrono::seconds(5);
  const GrantRequest grant{&request, nullptr};
  ASSERT_TRUE(f.backend->open(std::span(&grant, 1), kNow).has_value());
  f.executor->clear();
  EXPECT_TRUE(f.backend->expire(kNow + 5)->empty());  // not before the _exp_ second has passed
  EXPECT_TRUE(f.executor->calls().empty());
  f.listing =
      "Chain FWKNOP_INPUT (1 references)\n"
      "num  target     prot opt source               destination\n"
      "1    ACCEPT     tcp  --  10.0.0.2             0.0.0.0/0            tcp dpt:22 /* _exp_1800000005 */\n"
      "2    ACCEPT     tcp  --  10.0.0.4             0.0.0.0/0            tcp dpt:80 /* _exp_1800000099 */\n"
      "3    ACCEPT     udp  --  10.0.0.3             0.0.0.0/0            udp dpt:53 /* _exp_1800000001 */\n";
  const auto expired = f.backend->expire(kNow + 6);
  ASSERT_TRUE(expired.has_value());
  ASSERT_EQ(expired->size(), 2u);
  EXPECT_EQ((*expired)[0].source.to_string(), "10.0.0.3");
  EXPECT_EQ((*expired)[0].protocol, 17);
  EXPECT_EQ((*expired)[1].port, 22);
  EXPECT_EQ(f.executor->lines(), with_prefix({"ipv4 -t filter -L FWKNOP_INPUT --line-numbers -n",
                                              "ipv4 -t filter -D FWKNOP_INPUT 3", "ipv4 -t filter -D FWKNOP_INPUT 1"}));
  // The rule left expires at 1800000099: no listing until then.
  f.executor->clear();
  EXPECT_TRUE(f.backend->expire(kNow + 50)->empty());
  EXPECT_TRUE(f.executor->calls().empty());
}

TEST(FirewalldBackend, FlushRemovesJumpsThenChainsAndAFailingCommandIsAnError) {
  Fixture f;
  f.chains_exist = true;
  f.jump_exists = false;
  ASSERT_TRUE(f.backend->flush().has_value());
  EXPECT_EQ(f.executor->lines(),
            with_prefix({"ipv4 -t filter -L FWKNOP_INPUT -n", "ipv4 -t filter -C INPUT -j FWKNOP_INPUT",
                         "ipv4 -t filter -F FWKNOP_INPUT", "ipv4 -t filter -X FWKNOP_INPUT",
                         "ipv6 -t filter -L FWKNOP_INPUT -n", "ipv6 -t filter -C INPUT -j FWKNOP_INPUT",
                         "ipv6 -t filter -F FWKNOP_INPUT", "ipv6 -t filter -X FWKNOP_INPUT"}));

  f.executor->set_responder([](const std::string&, std::string_view) {
    return CommandOutcome{13, "FirewallD is not running"};
  });
  AccessRequest request;
  request.allow_ip = *config::IpAddress::parse("10.0.0.2");
  request.ports = {config::ProtoPort{config::Protocol::kTcp, 22}};
  const GrantRequest grant{&request, nullptr};
  const auto opened = f.backend->open(std::span(&grant, 1), kNow);
  ASSERT_FALSE(opened.has_value());
  EXPECT_NE(opened.error().message.find("FirewallD is not running"), std::string::npos) << opened.error().message;
}

}  // namespace
}  // namespace sesame::server::firewall
