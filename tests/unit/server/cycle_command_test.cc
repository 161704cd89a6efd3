// SPDX-License-Identifier: GPL-2.0-or-later
// CMD_CYCLE expansion: the spec's verified example byte for byte, fwknopd's prefix and unknown-$NAME behaviour,
// the timeout values and the 256-character limit (server.md §6).
#include "server/exec/cycle_command.h"

#include <gtest/gtest.h>

#include <string>

namespace sesame::server::exec {
namespace {

AccessRequest loopback_request() {
  AccessRequest request;
  request.allow_ip = *config::IpAddress::parse("127.0.0.1");
  request.packet_source = *config::IpAddress::parse("127.0.0.1");
  request.packet_destination = config::IpAddress();  // UDP-server mode: 0.0.0.0
  request.ports = {{config::Protocol::kTcp, 22}};
  request.timestamp_s = 1795374287;
  return request;
}

CycleValues sample_values() {
  CycleValues values;
  values.ip = "10.1.2.3";
  values.src = "10.1.2.3";
  values.pkt_src = "192.0.2.7";
  values.dst = "192.0.2.1";
  values.port = 443;
  values.proto = 17;
  values.timeout_epoch = 1700000060;
  values.client_timeout = 60;
  return values;
}

std::string expand(std::string_view templ) {
  const auto out = expand_cycle_command(templ, sample_values());
  EXPECT_TRUE(out) << out.error();
  return out ? *out : std::string();
}

TEST(CycleCommand, VerifiedExampleFromTheSpec) {
  config::AccessStanza stanza;
  stanza.cmd_cycle_timer = std::chrono::seconds(3);
  const auto values = cycle_values(loopback_request(), stanza, std::chrono::seconds(0));
  ASSERT_TRUE(values) << values.error();
  const auto out = expand_cycle_command(
      "echo OPEN src=$SRC ip=$IP pkt_src=$PKT_SRC dst=$DST port=$PORT proto=$PROTO timeout=$TIMEOUT "
      "ct=$CLIENT_TIMEOUT unk=$FOO",
      *values);
  ASSERT_TRUE(out) << out.error();
  EXPECT_EQ(*out,
            "echo OPEN src=127.0.0.1 ip=127.0.0.1 pkt_src=127.0.0.1 dst=0.0.0.0 port=22 proto=6 timeout=1795374290 "
            "ct=3 unk=FOO");
}

TEST(CycleCommand, NamesMatchAsPrefixesInFwknopdsOrder) {
  EXPECT_EQ(expand("$IPX"), "10.1.2.3X");
  EXPECT_EQ(expand("$SRC_ADDR"), "10.1.2.3_ADDR");
  EXPECT_EQ(expand("$PORTS"), "443S");
  EXPECT_EQ(expand("$PROTOCOL"), "17COL");
  EXPECT_EQ(expand("$TIMEOUTS"), "1700000060S");
  EXPECT_EQ(expand("$DST:$PORT/$PROTO"), "192.0.2.1:443/17");
  EXPECT_EQ(expand("a$PKT_SRC,b"), "a192.0.2.7,b");
  EXPECT_EQ(expand("$CLIENT_TIMEOUT"), "60");
}

TEST(CycleCommand, UnknownNameLosesItsDollar) {
  EXPECT_EQ(expand("x=$FOO y=$ip z=$"), "x=FOO y=ip z=");
  EXPECT_EQ(expand("$$IP"), "10.1.2.3");
  EXPECT_EQ(expand("$1$2"), "12");
  EXPECT_EQ(expand("no variables"), "no variables");
}

TEST(CycleCommand, ResultMustStayBelow256Characters) {
  EXPECT_EQ(expand(std::string(255, 'a')).size(), 255u);
  EXPECT_FALSE(expand_cycle_command(std::string(256, 'a'), sample_values()));
  // A substitution that crosses the limit fails too (fwknopd silently truncates it).
  EXPECT_TRUE(expand_cycle_command(std::string(247, 'a') + "$IP", sample_values()));  // 247 + 8 = 255
  EXPECT_FALSE(expand_cycle_command(std::string(248, 'a') + "$IP", sample_values()));
  // The limit is on the result, not the template.
  EXPECT_TRUE(expand_cycle_command(std::string(250, 'a') + "$FOO$", sample_values()));
}

TEST(CycleValues, ClientTimeoutWinsOverTimerAndIsCapped) {
  config::AccessStanza stanza;
  stanza.cmd_cycle_timer = std::chrono::seconds(3);
  stanza.max_fw_timeout = std::chrono::seconds(300);
  auto request = loopback_request();
  request.allow_ip = *config::IpAddress::parse("198.51.100.9");
  request.packet_destination = *config::IpAddress::parse("203.0.113.5");
  request.ports = {{config::Protocol::kUdp, 53}, {config::Protocol::kTcp, 22}};

  auto values = cycle_values(request, stanza, std::chrono::seconds(45));
  ASSERT_TRUE(values) << values.error();
  EXPECT_EQ(values->ip, "198.51.100.9");
  EXPECT_EQ(values->src, "198.51.100.9");
  EXPECT_EQ(values->pkt_src, "127.0.0.1");
  EXPECT_EQ(values->dst, "203.0.113.5");
  EXPECT_EQ(values->port, 53);
  EXPECT_EQ(values->proto, 17);
  EXPECT_EQ(values->client_timeout, 45);
  EXPECT_EQ(values->timeout_epoch, 1795374287 + 45);

  values = cycle_values(request, stanza, std::chrono::seconds(100000));
  ASSERT_TRUE(values) << values.error();
  EXPECT_EQ(values->client_timeout, 300);
  EXPECT_EQ(values->timeout_epoch, 1795374287 + 300);
}

TEST(CycleValues, CommandMessagesHaveNoPortsAndCannotCycle) {
  config::AccessStanza stanza;
  stanza.cmd_cycle_timer = std::chrono::seconds(3);
  auto request = loopback_request();
  request.type = spa::MessageType::kCommand;
  request.ports.clear();
  request.command = "touch /tmp/x";
  EXPECT_FALSE(cycle_values(request, stanza, std::chrono::seconds(0)));
}

}  // namespace
}  // namespace sesame::server::exec
