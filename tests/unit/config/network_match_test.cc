// SPDX-License-Identifier: GPL-2.0-or-later
// SOURCE/DESTINATION values: addresses, networks (CIDR, dotted mask, IPv6 prefix), ANY, and matching.
#include "config/network_match.h"

#include <gtest/gtest.h>

#include <string>

namespace sesame::config {
namespace {

IpAddress ip(std::string_view text) {
  const auto address = IpAddress::parse(text);
  EXPECT_TRUE(address.has_value()) << text;
  return address.value_or(IpAddress());
}

NetworkList list(std::string_view text) {
  auto parsed = parse_network_list(text);
  EXPECT_TRUE(parsed.has_value()) << text << ": bad item " << (parsed ? "" : parsed.error());
  return parsed ? std::move(*parsed) : NetworkList{};
}

TEST(IpAddress, ParsesIpv4AndIpv6) {
  EXPECT_TRUE(ip("192.0.2.1").is_ipv4());
  EXPECT_EQ(ip("192.0.2.1").to_string(), "192.0.2.1");
  EXPECT_EQ(ip("192.0.2.1").bytes().size(), 4u);
  EXPECT_FALSE(ip("2001:db8::1").is_ipv4());
  EXPECT_EQ(ip("2001:db8::1").bytes().size(), 16u);
  EXPECT_EQ(ip("2001:DB8:0::1").to_string(), "2001:db8::1");
  EXPECT_EQ(IpAddress::ipv4(0x7f000001), ip("127.0.0.1"));
}

TEST(IpAddress, RefusesInetAtonShorthandsAndJunk) {
  // fwknopd's inet_aton reads these as 10.0.0.1, 10.0.0.1 and 8.0.0.1: too easy to misread.
  for (const char* text : {"10.1", "0x0a.0.0.1", "010.0.0.1", "192.168.001.001", "1.2.3.4 ", " 1.2.3.4", "1.2.3.4.5",
                           "256.1.1.1", "", "ANY", "host.example", "fe80::1%eth0", "1.2.3.4/"})
    EXPECT_FALSE(IpAddress::parse(text).has_value()) << text;
  EXPECT_FALSE(IpAddress::parse(std::string_view("1.2.3.4\0junk", 12)).has_value());
  EXPECT_FALSE(IpAddress::parse(std::string(500, '1')).has_value());
}

TEST(IpAddress, UnmapsIpv4MappedIpv6) {
  EXPECT_EQ(ip("::ffff:192.0.2.7").unmapped(), ip("192.0.2.7"));
  EXPECT_EQ(ip("2001:db8::1").unmapped(), ip("2001:db8::1"));
  EXPECT_EQ(ip("192.0.2.7").unmapped(), ip("192.0.2.7"));
}

TEST(Network, HostCidrAndDottedMask) {
  const auto host = Network::parse("192.0.2.1");
  ASSERT_TRUE(host);
  EXPECT_TRUE(host->contains(ip("192.0.2.1")));
  EXPECT_FALSE(host->contains(ip("192.0.2.2")));

  const auto cidr = Network::parse("10.1.2.3/8");  // host bits are cleared, as fwknopd does
  ASSERT_TRUE(cidr);
  EXPECT_EQ(cidr->address(), ip("10.0.0.0"));
  EXPECT_TRUE(cidr->contains(ip("10.255.0.1")));
  EXPECT_FALSE(cidr->contains(ip("11.0.0.1")));

  const auto dotted = Network::parse("172.16.0.0/255.240.0.0");
  ASSERT_TRUE(dotted);
  EXPECT_TRUE(dotted->contains(ip("172.31.255.255")));
  EXPECT_FALSE(dotted->contains(ip("172.32.0.0")));

  const auto sparse = Network::parse("10.0.0.0/255.0.255.0");  // non-contiguous, as fwknopd allows
  ASSERT_TRUE(sparse);
  EXPECT_TRUE(sparse->contains(ip("10.9.0.9")));
  EXPECT_FALSE(sparse->contains(ip("10.0.1.0")));

  const auto slash32 = Network::parse("192.0.2.1/32");
  ASSERT_TRUE(slash32);
  EXPECT_FALSE(slash32->contains(ip("192.0.2.0")));
  const auto slash1 = Network::parse("128.0.0.0/1");
  ASSERT_TRUE(slash1);
  EXPECT_TRUE(slash1->contains(ip("200.1.1.1")));
  EXPECT_FALSE(slash1->contains(ip("127.1.1.1")));
}

TEST(Network, Ipv6Prefixes) {
  const auto net = Network::parse("2001:db8:abcd::/48");
  ASSERT_TRUE(net);
  EXPECT_TRUE(net->contains(ip("2001:db8:abcd:1::5")));
  EXPECT_FALSE(net->contains(ip("2001:db8:abce::5")));
  EXPECT_FALSE(net->contains(ip("192.0.2.1")));
  const auto odd = Network::parse("2001:db8::/33");
  ASSERT_TRUE(odd);
  EXPECT_TRUE(odd->contains(ip("2001:db8:7fff::1")));
  EXPECT_FALSE(odd->contains(ip("2001:db8:8000::1")));
  const auto host = Network::parse("::1");
  ASSERT_TRUE(host);
  EXPECT_TRUE(host->contains(ip("::1")));
  EXPECT_FALSE(host->contains(ip("::2")));
  EXPECT_TRUE(Network::parse("::/128"));
}

TEST(Network, FamiliesDoNotMixExceptMappedIpv4) {
  const auto v4 = Network::parse("192.0.2.0/24");
  ASSERT_TRUE(v4);
  EXPECT_TRUE(v4->contains(ip("::ffff:192.0.2.9")));  // what a dual-stack socket reports
  EXPECT_FALSE(v4->contains(ip("::192.0.2.9")));
  const auto v6 = Network::parse("::/1");
  ASSERT_TRUE(v6);
  EXPECT_FALSE(v6->contains(ip("0.0.0.1")));
}

TEST(Network, RefusesBadMasks) {
  for (const char* text :
       {"1.2.3.4/0", "1.2.3.4/33", "1.2.3.4/", "1.2.3.4/x", "1.2.3.4/-1", "1.2.3.4/ 8", "1.2.3.4/8 ", "1.2.3.4/0008",
        "1.2.3.4/255.255.0", "1.2.3.4/ffff::", "::1/129", "::1/0", "::1/255.0.0.0", "1.2.3.4/8/8", "/8", "ANY/8"})
    EXPECT_FALSE(Network::parse(text).has_value()) << text;
}

TEST(NetworkList, AnyMatchesEverythingInAnyCase) {
  for (const char* text : {"ANY", "any", "Any", " ANY "}) {
    const auto any = list(text);
    EXPECT_TRUE(any.any) << text;
    EXPECT_TRUE(any.contains(ip("203.0.113.9")));
    EXPECT_TRUE(any.contains(ip("2001:db8::9")));
  }
}

TEST(NetworkList, CommaListWithBlanks) {
  const auto mixed = list("192.0.2.1,  10.0.0.0/8 ,2001:db8::/32,\t172.16.0.0/255.255.0.0");
  EXPECT_FALSE(mixed.any);
  ASSERT_EQ(mixed.networks.size(), 4u);
  EXPECT_TRUE(mixed.contains(ip("192.0.2.1")));
  EXPECT_TRUE(mixed.contains(ip("10.20.30.40")));
  EXPECT_TRUE(mixed.contains(ip("2001:db8:1::1")));
  EXPECT_TRUE(mixed.contains(ip("172.16.200.1")));
  EXPECT_FALSE(mixed.contains(ip("192.0.2.2")));
  EXPECT_FALSE(mixed.contains(ip("2001:db9::1")));
  EXPECT_TRUE(list("10.0.0.1, ANY").contains(ip("8.8.8.8")));
}

TEST(NetworkList, ReportsTheFirstBadItem) {
  auto parsed = parse_network_list("10.0.0.1, 10.1, 300.0.0.1");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error(), "10.1");
  parsed = parse_network_list("10.0.0.1,,10.0.0.2");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error(), "");
  EXPECT_FALSE(parse_network_list("10.0.0.1,"));
  EXPECT_FALSE(parse_network_list(""));
  EXPECT_FALSE(parse_network_list("1.2.3.4 5.6.7.8"));  // fwknopd silently takes only 1.2.3.4
}

TEST(NetworkList, EmptyListMatchesNothing) {
  const NetworkList none;
  EXPECT_FALSE(none.contains(ip("0.0.0.0")));
  EXPECT_FALSE(none.contains(ip("::")));
}

}  // namespace
}  // namespace sesame::config
