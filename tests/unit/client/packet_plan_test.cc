// SPDX-License-Identifier: GPL-2.0-or-later
// The client's packet planning: fwknop's combination checks, message types, NAT strings and random ports.
#include "client/packet_plan.h"

#include <gtest/gtest.h>

#include "client/command_line.h"

namespace sesame::client {
namespace {

ClientInvocation invocation(std::vector<std::string> args) {
  args.insert(args.begin(), "sesame");
  auto parsed = parse_command_line(args);
  if (!parsed) throw std::runtime_error(parsed.error().message);
  return std::move(parsed->invocation);
}

ClientKeys keys() {
  return {SecretBytes::from_text("encryption"), SecretBytes::from_text("hmac")};
}

PlanInputs inputs() {
  PlanInputs in;
  in.allow_ip = "10.0.0.1";
  in.username = "alice";
  in.now_s = 1700000000;
  in.random_port = 12345;
  in.random_nat_port = 23456;
  return in;
}

std::string check_error(std::vector<std::string> args) {
  auto checked = check_settings(invocation(std::move(args)));
  return checked ? "" : checked.error().message;
}

TEST(CheckSettings, FwknopsMessagesInFwknopsOrder) {
  EXPECT_EQ(check_error({"-A", "tcp/22", "-a", "1.2.3.4"}), "Must use --destination unless --test mode is used");
  EXPECT_EQ(check_error({"-A", "tcp/22", "-D", "s"}), "Must use one of [-s|-R|-a] to specify IP for SPA access.");
  EXPECT_EQ(check_error({"-A", "tcp/22", "-D", "s", "-a", "1.2.3.999"}),
            "Invalid allow IP specified for SPA access: 1.2.3.999");
  EXPECT_EQ(check_error({"-A", "tcp/22", "-D", "s", "-a", "1.2.3.4", "-g"}),
            "Must specify --gpg-recipient-key when GPG is used.");
  EXPECT_EQ(check_error({"-A", "tcp/22", "-D", "s", "-a", "1.2.3.4", "-M", "legacy", "--use-hmac"}),
            "Legacy encryption mode is incompatible with HMAC usage.");
  EXPECT_EQ(check_error({"-A", "tcp/22", "-D", "s", "-s", "-Q", "1.1.1.1"}),
            "--spoof-source needs -P udpraw, tcpraw or icmp");
  EXPECT_EQ(check_error({"-D", "s", "-s"}), "Must use -A to say which proto/port to open (e.g. -A tcp/22)");
  EXPECT_EQ(check_error({"-A", "tcp/22,tcp/80", "-D", "s", "-s", "-N", "10.0.0.2:22"}),
            "NAT access supports a single proto/port in -A");
  EXPECT_EQ(check_error({"-A", "tcp/22", "-D", "s", "-s"}), "");
  EXPECT_EQ(check_error({"-A", "tcp/22", "-T", "-s"}), "");                  // test mode needs no destination
  EXPECT_EQ(check_error({"-C", "uptime", "-D", "s", "-a", "1.2.3.4"}), "");  // a command needs no -A
}

TEST(PlanPacket, AccessRequest) {
  auto plan = plan_packet(invocation({"-A", "tcp/22,udp/53", "-D", "server", "-f", "45"}), keys(), inputs());
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->message.message, "10.0.0.1,tcp/22,udp/53");
  EXPECT_EQ(plan->message.type, spa::MessageType::kAccess);  // libsesame turns it into type 3 for the timeout
  EXPECT_EQ(plan->message.client_timeout, 45u);
  EXPECT_EQ(plan->message.username, "alice");
  EXPECT_EQ(plan->message.timestamp, 1700000000u);
  EXPECT_EQ(plan->send.server, "server");
  EXPECT_EQ(plan->send.port, 62201);
  EXPECT_EQ(plan->send.user_agent, "Fwknop/2.6.10");
  EXPECT_EQ(plan->keys.encryption_key.as_text(), "encryption");
  EXPECT_EQ(plan->keys.hmac_key.as_text(), "hmac");
}

// sesame's IPv6 allow address (docs/compat.md): -a takes one; the message carries it as typed.
TEST(PlanPacket, Ipv6AllowAddress) {
  EXPECT_EQ(check_error({"-A", "tcp/22", "-D", "s", "-a", "2001:db8::5"}), "");
  EXPECT_EQ(check_error({"-A", "tcp/22", "-D", "s", "-a", "::ffff:1.2.3.4"}),
            "Invalid allow IP specified for SPA access: ::ffff:1.2.3.4");
  PlanInputs in = inputs();
  in.allow_ip = "2001:db8::5";
  auto plan = plan_packet(invocation({"-A", "tcp/22", "-D", "server", "-a", "2001:db8::5"}), keys(), in);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->message.message, "2001:db8::5,tcp/22");
}

TEST(PlanPacket, CommandMessage) {
  auto plan = plan_packet(invocation({"-C", "echo hi", "-D", "server"}), keys(), inputs());
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->message.type, spa::MessageType::kCommand);
  EXPECT_EQ(plan->message.message, "10.0.0.1,echo hi");
}

TEST(PlanPacket, NatAccessUsesTheAccessPortUnlessGiven) {
  auto plan = plan_packet(invocation({"-A", "tcp/22", "-D", "server", "-N", "192.168.1.2"}), keys(), inputs());
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->message.type, spa::MessageType::kNatAccess);
  EXPECT_EQ(plan->message.nat_access, "192.168.1.2,22");
  auto with_port = plan_packet(invocation({"-A", "tcp/22", "-D", "s", "-N", "192.168.1.2:2222"}), keys(), inputs());
  ASSERT_TRUE(with_port);
  EXPECT_EQ(with_port->message.nat_access, "192.168.1.2,2222");
}

TEST(PlanPacket, LocalNatNamesTheServer) {
  auto plan = plan_packet(invocation({"-A", "tcp/22", "-D", "server.example", "--nat-local"}), keys(), inputs());
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->message.type, spa::MessageType::kLocalNatAccess);
  EXPECT_EQ(plan->message.nat_access, "server.example,22");
}

TEST(PlanPacket, NatPortRewritesTheAccessPort) {
  auto plan =
      plan_packet(invocation({"-A", "tcp/22", "-D", "s", "-N", "10.0.0.2", "--nat-port", "55000"}), keys(), inputs());
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->message.message, "10.0.0.1,tcp/55000");
  EXPECT_EQ(plan->message.nat_access, "10.0.0.2,22");
  auto random =
      plan_packet(invocation({"-A", "tcp/22", "-D", "s", "--nat-local", "--nat-rand-port"}), keys(), inputs());
  ASSERT_TRUE(random);
  EXPECT_EQ(random->message.message, "10.0.0.1,tcp/23456");
  ASSERT_EQ(random->notices.size(), 1u);
}

TEST(PlanPacket, RandomDestinationPort) {
  auto plan = plan_packet(invocation({"-A", "tcp/22", "-D", "s", "-r"}), keys(), inputs());
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->send.port, 12345);
}

TEST(PlanPacket, TimeOffsetMovesTheTimestamp) {
  auto plan = plan_packet(invocation({"-A", "tcp/22", "-D", "s", "--time-offset-minus", "1h"}), keys(), inputs());
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->message.timestamp, 1700000000u - 3600);
}

TEST(PlanPacket, GpgKeysGoToTheGpgParameters) {
  auto plan = plan_packet(invocation({"-A", "tcp/22", "-D", "s", "--gpg-recipient-key", "ABCD", "--gpg-signer-key",
                                      "EF01", "--gpg-home-dir", "/tmp/g"}),
                          keys(), inputs());
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->keys.encryption_type, spa::EncryptionType::kGpg);
  EXPECT_EQ(plan->keys.gpg_encrypt.recipient, "ABCD");
  EXPECT_EQ(plan->keys.gpg_encrypt.signer, "EF01");
  EXPECT_EQ(plan->keys.gpg_encrypt.home_dir, "/tmp/g");
  EXPECT_EQ(plan->keys.gpg_encrypt.signer_passphrase.as_text(), "encryption");
}

TEST(RandomSpaPort, StaysInFwknopsRange) {
  for (int i = 0; i < 1000; ++i) {
    auto port = random_spa_port();
    ASSERT_TRUE(port);
    EXPECT_GE(*port, 10000);
    EXPECT_LE(*port, 65534);
  }
}

}  // namespace
}  // namespace sesame::client
