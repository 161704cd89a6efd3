// SPDX-License-Identifier: GPL-2.0-or-later
// Protocol/port lists and the OPEN_PORTS / RESTRICT_PORTS policy.
#include "config/port_list.h"

#include <gtest/gtest.h>

namespace sesame::config {
namespace {

PortList ports(std::string_view text) {
  auto parsed = parse_port_list(text);
  EXPECT_TRUE(parsed.has_value()) << text << ": bad item " << (parsed ? "" : parsed.error());
  return parsed ? std::move(*parsed) : PortList{};
}

bool allowed(std::string_view request, std::optional<std::string_view> open, std::optional<std::string_view> restrict) {
  const std::optional<PortList> open_list = open ? std::optional(ports(*open)) : std::nullopt;
  const std::optional<PortList> restrict_list = restrict ? std::optional(ports(*restrict)) : std::nullopt;
  return ports_allowed(ports(request), open_list, restrict_list);
}

TEST(PortList, ParsesProtoPort) {
  EXPECT_EQ(parse_proto_port("tcp/22"), (ProtoPort{Protocol::kTcp, 22}));
  EXPECT_EQ(parse_proto_port("UDP/53"), (ProtoPort{Protocol::kUdp, 53}));
  EXPECT_EQ(parse_proto_port("Tcp/0"), (ProtoPort{Protocol::kTcp, 0}));  // fwknopd accepts port 0
  EXPECT_EQ(parse_proto_port("udp/65535"), (ProtoPort{Protocol::kUdp, 65535}));
  EXPECT_EQ(parse_proto_port("tcp/00022"), (ProtoPort{Protocol::kTcp, 22}));
  for (const char* text : {"tcp/65536", "tcp/70000", "tcp/", "tcp", "/22", "icmp/0", "none/0", "tcp/22abc", "tcp/-1",
                           "tcp/+22", "tcp/ 22", "tcp /22", "tcp/22/1", "sctp/22", "tcp/123456", ""})
    EXPECT_FALSE(parse_proto_port(text).has_value()) << text;
}

TEST(PortList, ParsesCommaListsWithBlanks) {
  EXPECT_EQ(ports("tcp/22, udp/53,tcp/80 ,\tudp/123"),
            (PortList{{Protocol::kTcp, 22}, {Protocol::kUdp, 53}, {Protocol::kTcp, 80}, {Protocol::kUdp, 123}}));
  EXPECT_EQ(ports("tcp/22"), (PortList{{Protocol::kTcp, 22}}));
}

TEST(PortList, ReportsTheFirstBadItem) {
  auto parsed = parse_port_list("tcp/22, tcp/70000, udp/x");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error(), "tcp/70000");
  parsed = parse_port_list("tcp/22,,udp/53");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error(), "");
  EXPECT_FALSE(parse_port_list("tcp/22,"));
  EXPECT_FALSE(parse_port_list(""));
}

TEST(PortList, IntoReusesTheBuffer) {
  PortList out{{Protocol::kUdp, 1}};
  EXPECT_TRUE(parse_port_list_into("tcp/22,udp/53", out));
  EXPECT_EQ(out, (PortList{{Protocol::kTcp, 22}, {Protocol::kUdp, 53}}));
  EXPECT_FALSE(parse_port_list_into("tcp/22,icmp/0", out));
  EXPECT_FALSE(parse_port_list_into("", out));
}

TEST(PortList, NoListsAllowEverything) {
  EXPECT_TRUE(allowed("tcp/22", std::nullopt, std::nullopt));
  EXPECT_TRUE(allowed("tcp/22,udp/1", std::nullopt, std::nullopt));
  EXPECT_FALSE(ports_allowed({}, std::nullopt, std::nullopt));  // fwknop: an empty request is denied
}

TEST(PortList, OpenPortsMustHoldEveryRequestedEntry) {
  EXPECT_TRUE(allowed("tcp/22", "tcp/22, udp/53", std::nullopt));
  EXPECT_TRUE(allowed("udp/53,tcp/22", "tcp/22, udp/53", std::nullopt));
  EXPECT_FALSE(allowed("tcp/22,tcp/80", "tcp/22, udp/53", std::nullopt));
  EXPECT_FALSE(allowed("udp/22", "tcp/22", std::nullopt));  // the protocol counts
  EXPECT_TRUE(allowed("tcp/22,tcp/22", "tcp/22", std::nullopt));
}

TEST(PortList, DuplicateOpenPortsDoNotCountTwice) {
  // fwknop 2.6.10 counts matches, so OPEN_PORTS "tcp/22, tcp/22" let "tcp/22,tcp/80" through.
  EXPECT_FALSE(allowed("tcp/22,tcp/80", "tcp/22, tcp/22", std::nullopt));
}

TEST(PortList, AnyRestrictedEntryDenies) {
  EXPECT_FALSE(allowed("tcp/23", std::nullopt, "tcp/23"));
  EXPECT_FALSE(allowed("tcp/22,tcp/23", std::nullopt, "tcp/23"));
  EXPECT_TRUE(allowed("tcp/22", std::nullopt, "tcp/23, udp/22"));
  EXPECT_FALSE(allowed("tcp/22", "tcp/22", "tcp/22"));  // RESTRICT_PORTS wins over OPEN_PORTS
}

TEST(PortList, Names) {
  EXPECT_EQ(protocol_name(Protocol::kTcp), "tcp");
  EXPECT_EQ(protocol_name(Protocol::kUdp), "udp");
  EXPECT_EQ(to_string(ProtoPort{Protocol::kUdp, 53}), "udp/53");
  EXPECT_EQ(static_cast<int>(Protocol::kTcp), 6);
  EXPECT_EQ(static_cast<int>(Protocol::kUdp), 17);
}

}  // namespace
}  // namespace sesame::config
