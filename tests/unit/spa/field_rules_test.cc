// SPDX-License-Identifier: GPL-2.0-or-later
// Content rules of the decoded fields (protocol.md §3.1, §3.3, §17.3, §17.4).
#include "spa/field_rules.h"

#include <gtest/gtest.h>

#include <string>

namespace sesame::spa {
namespace {

using namespace std::string_literals;

TEST(IsValidUsername, AcceptsPrintableNamesIncludingSpace) {
  EXPECT_TRUE(is_valid_username("root"));
  EXPECT_TRUE(is_valid_username("John Smith"));
  EXPECT_TRUE(is_valid_username(" "));
  EXPECT_TRUE(is_valid_username("a.b-c_d@e~!#$%^&()'{}`"));
  EXPECT_TRUE(is_valid_username(std::string(48, 'u')));
}

TEST(IsValidUsername, RejectsEachForbiddenCharacterFirstOrLater) {
  for (const char c : std::string("\"/\\[]:;|=,+*?<>")) {
    SCOPED_TRACE(std::string(1, c));
    EXPECT_FALSE(is_valid_username(std::string(1, c)));
    EXPECT_FALSE(is_valid_username(std::string(1, c) + "user"));
    EXPECT_FALSE(is_valid_username("us" + std::string(1, c) + "er"));
    EXPECT_FALSE(is_valid_username("user" + std::string(1, c)));
  }
}

TEST(IsValidUsername, RejectsBytesOutsidePrintableAscii) {
  for (int byte = 0; byte < 256; ++byte) {
    if (byte >= 0x20 && byte <= 0x7e) continue;
    SCOPED_TRACE(byte);
    EXPECT_FALSE(is_valid_username("ab"s + char(byte) + "cd"));
  }
  EXPECT_FALSE(is_valid_username("jos\xc3\xa9"));  // UTF-8 is not allowed either
}

TEST(IsValidUsername, RejectsEmpty) {
  EXPECT_FALSE(is_valid_username(""));
}

TEST(IsValidAllowIp, AcceptsDottedQuadsOfSevenToFifteenCharacters) {
  EXPECT_TRUE(is_valid_allow_ip("1.2.3.4"));
  EXPECT_TRUE(is_valid_allow_ip("255.255.255.255"));
  EXPECT_TRUE(is_valid_allow_ip("10.0.0.2"));
  EXPECT_TRUE(is_valid_allow_ip("192.168.100.200"));
}

TEST(IsValidAllowIp, AcceptsAllZerosMeaningPacketSource) {
  EXPECT_TRUE(is_valid_allow_ip("0.0.0.0"));
}

TEST(IsValidAllowIp, RejectsOctetAbove255) {
  EXPECT_FALSE(is_valid_allow_ip("1.2.3.400"));
  EXPECT_FALSE(is_valid_allow_ip("256.1.1.1"));
  EXPECT_FALSE(is_valid_allow_ip("1.2.3.256"));
}

TEST(IsValidAllowIp, ReadsLeadingZerosAsOctalLikeFwknopd) {
  // protocol.md §17.3: the fwknop client sends "-a 010.1.1.1" as typed and fwknopd reads it with inet_aton,
  // so as octal; sesame must grant the same address, and reject what inet_aton rejects ("08").
  EXPECT_TRUE(is_valid_allow_ip("010.1.1.1"));
  EXPECT_EQ(parse_allow_ip("010.1.1.1"), 0x08010101u);
  EXPECT_EQ(parse_allow_ip("001.2.3.4"), 0x01020304u);
  EXPECT_EQ(parse_allow_ip("1.2.3.04"), 0x01020304u);
  EXPECT_FALSE(is_valid_allow_ip("08.1.1.1"));
  EXPECT_FALSE(is_valid_allow_ip("1.2.3.09"));
  EXPECT_EQ(parse_allow_ip("192.168.1.10"), 0xc0a8010au);
}

TEST(IsValidAllowIp, RejectsWrongShape) {
  for (const std::string& bad :
       {""s, "1.2.3"s, "1.2.3.4.5"s, "1..2.34"s, "1.2.3."s, ".1.2.3"s, "1.2.34"s, "a.b.c.d"s, "1.2.3.4 "s, " 1.2.3.4"s,
        "1.2.3.4/24"s, "1234.1.1.1"s, "1.2.3.-4"s, "1.2.3.4\0"s, "100.100.100.1000"s, "::1"s, "1,2,3,4"s}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(is_valid_allow_ip(bad));
  }
}

TEST(IsValidAccessMessage, AcceptsSingleTcpOrUdpSpec) {
  EXPECT_TRUE(is_valid_access_message("1.2.3.4,tcp/22"));
  EXPECT_TRUE(is_valid_access_message("1.2.3.4,udp/53"));
  EXPECT_TRUE(is_valid_access_message("0.0.0.0,tcp/1"));
  EXPECT_TRUE(is_valid_access_message("1.2.3.4,tcp/65535"));
}

TEST(IsValidAccessMessage, AcceptsSeveralSpecs) {
  EXPECT_TRUE(is_valid_access_message("10.0.0.2,tcp/22,udp/53"));
  EXPECT_TRUE(is_valid_access_message("10.0.0.2,tcp/22,udp/53,tcp/80,tcp/443"));
}

TEST(IsValidAccessMessage, RejectsIcmpAndNoneSpecs) {
  // protocol.md §17.4: libfko's own decoder never lets these through.
  EXPECT_FALSE(is_valid_access_message("1.2.3.4,icmp/1"));
  EXPECT_FALSE(is_valid_access_message("1.2.3.4,none/0"));
  EXPECT_FALSE(is_valid_access_message("1.2.3.4,none/22"));
  EXPECT_FALSE(is_valid_access_message("1.2.3.4,tcp/22,icmp/1"));
  EXPECT_FALSE(is_valid_access_message("1.2.3.4,sctp/22"));
}

TEST(IsValidAccessMessage, RejectsPortOutOfRange) {
  EXPECT_FALSE(is_valid_access_message("1.2.3.4,tcp/0"));
  EXPECT_FALSE(is_valid_access_message("1.2.3.4,tcp/65536"));
  EXPECT_FALSE(is_valid_access_message("1.2.3.4,tcp/99999"));
  EXPECT_FALSE(is_valid_access_message("1.2.3.4,tcp/100000"));  // 6 digits
  EXPECT_FALSE(is_valid_access_message("1.2.3.4,tcp/000022"));  // 6 digits even though the value is 22
}

TEST(IsValidAccessMessage, RejectsMalformedSpecs) {
  for (const std::string& bad : {"1.2.3.4,tcp/"s, "1.2.3.4,tcp"s, "1.2.3.4,/22"s, "1.2.3.4,tcp/22x"s, "1.2.3.4,tcp/-1"s,
                                 "1.2.3.4,tcp/ 22"s, "1.2.3.4,tcp/22/"s, "1.2.3.4,"s, "1.2.3.4,tcp/22,,udp/53"s}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(is_valid_access_message(bad));
  }
}

TEST(IsValidAccessMessage, RejectsTrailingComma) {
  EXPECT_FALSE(is_valid_access_message("1.2.3.4,tcp/22,"));
  EXPECT_FALSE(is_valid_access_message("1.2.3.4,tcp/22,udp/53,"));
}

TEST(IsValidAccessMessage, RejectsMissingOrInvalidIp) {
  EXPECT_FALSE(is_valid_access_message("tcp/22"));
  EXPECT_FALSE(is_valid_access_message(",tcp/22"));
  EXPECT_FALSE(is_valid_access_message("1.2.3.4"));
  EXPECT_FALSE(is_valid_access_message("1.2.3.400,tcp/22"));
  EXPECT_FALSE(is_valid_access_message("host.example.com,tcp/22"));
  EXPECT_FALSE(is_valid_access_message(""));
}

TEST(ParseAllowIpv6, AcceptsTheTextFormsOfAnIpv6Address) {
  for (const char* ip : {"2001:db8::1", "2001:DB8::A", "fd00:1:2:3:4:5:6:7", "fe80::1", "::1",
                         "1::", "2001:0db8:0000:0000:0000:ff00:0042:8329"}) {
    SCOPED_TRACE(ip);
    EXPECT_TRUE(parse_allow_ipv6(ip).has_value());
    EXPECT_TRUE(is_valid_allow_address(ip));
    EXPECT_FALSE(is_valid_allow_ip(ip));  // fwknop's IPv4 rule, as fwknopd applies it
  }
  const auto address = parse_allow_ipv6("2001:db8::7");
  ASSERT_TRUE(address);
  EXPECT_EQ((*address)[0], 0x20);
  EXPECT_EQ((*address)[1], 0x01);
  EXPECT_EQ((*address)[15], 0x07);
}

TEST(ParseAllowIpv6, RejectsWhatIsNotOneUnicastAddress) {
  for (const char* ip : {"::", "::ffff:1.2.3.4", "::ffff:102:304", "2001:db8::1%eth0", "[2001:db8::1]", "2001:db8:::1",
                         "2001:db8::g", "1:2:3:4:5:6:7:8:9", "2001:db8::1/64", ":", "1.2.3.4", "", " 2001:db8::1",
                         "0000:0000:0000:0000:0000:0000:0000:0000:1"}) {
    SCOPED_TRACE(ip);
    EXPECT_FALSE(parse_allow_ipv6(ip).has_value());
  }
}

TEST(IsValidAccessMessage, AcceptsAnIpv6AllowAddress) {
  EXPECT_TRUE(is_valid_access_message("2001:db8::5,tcp/22"));
  EXPECT_TRUE(is_valid_access_message("fd00::2,tcp/22,udp/53"));
  EXPECT_TRUE(is_valid_command_message("fd00::2,echo hi"));
  EXPECT_FALSE(is_valid_access_message("::,tcp/22"));
  EXPECT_FALSE(is_valid_access_message("::ffff:10.0.0.1,tcp/22"));
}

TEST(IsValidCommandMessage, NeedsAByteAfterTheComma) {
  EXPECT_TRUE(is_valid_command_message("10.4.4.4,echo hello"));
  EXPECT_TRUE(is_valid_command_message("10.4.4.4,x"));
  EXPECT_TRUE(is_valid_command_message("10.4.4.4,a,b:c"));
  EXPECT_FALSE(is_valid_command_message("10.4.4.4,"));
  EXPECT_FALSE(is_valid_command_message("10.4.4.4"));
}

TEST(IsValidCommandMessage, RejectsInvalidIp) {
  EXPECT_FALSE(is_valid_command_message("10.4.4,echo"));
  EXPECT_FALSE(is_valid_command_message(",echo"));
  EXPECT_FALSE(is_valid_command_message("echo hello"));
}

TEST(IsValidNatAccess, AcceptsIpOrDnsHostAndPort) {
  EXPECT_TRUE(is_valid_nat_access("192.168.10.23,5001"));
  EXPECT_TRUE(is_valid_nat_access("internal.example.com,2222"));
  EXPECT_TRUE(is_valid_nat_access("h,1"));
  EXPECT_TRUE(is_valid_nat_access("h,65535"));
}

TEST(IsValidNatAccess, AllowsOddHostCharactersOutsideTheForbiddenSet) {
  // libfko only bans space / ? " ' \ in the host; the server resolves or rejects the rest later.
  EXPECT_TRUE(is_valid_nat_access("bad%host,22"));
  EXPECT_TRUE(is_valid_nat_access("host:name,22"));
  EXPECT_TRUE(is_valid_nat_access("1.2.3.400,22"));
}

TEST(IsValidNatAccess, RejectsEachForbiddenHostCharacter) {
  for (const char c : std::string(" /?\"'\\")) {
    SCOPED_TRACE(std::string(1, c));
    EXPECT_FALSE(is_valid_nat_access("ho" + std::string(1, c) + "st,22"));
    EXPECT_FALSE(is_valid_nat_access(std::string(1, c) + ",22"));
  }
}

TEST(IsValidNatAccess, LimitsHostToSeventyCharacters) {
  EXPECT_TRUE(is_valid_nat_access(std::string(70, 'h') + ",22"));
  EXPECT_FALSE(is_valid_nat_access(std::string(71, 'h') + ",22"));
}

TEST(IsValidNatAccess, NeedsExactlyOneComma) {
  EXPECT_FALSE(is_valid_nat_access("192.168.10.23"));
  EXPECT_FALSE(is_valid_nat_access("192.168.10.23,22,23"));
  EXPECT_FALSE(is_valid_nat_access("a,b,22"));
  EXPECT_FALSE(is_valid_nat_access("192.168.10.23,"));
  EXPECT_FALSE(is_valid_nat_access("192.168.10.23,22,"));
}

TEST(IsValidNatAccess, RejectsPortOutOfRangeOrNotDigits) {
  EXPECT_FALSE(is_valid_nat_access("host,0"));
  EXPECT_FALSE(is_valid_nat_access("host,65536"));
  EXPECT_FALSE(is_valid_nat_access("host,100000"));
  EXPECT_FALSE(is_valid_nat_access("host,22x"));
  EXPECT_FALSE(is_valid_nat_access("host,tcp/22"));
  EXPECT_FALSE(is_valid_nat_access("host,-1"));
}

TEST(IsValidNatAccess, AcceptsEmptyHostAsLibfkoDoes) {
  // `fwknop -T --nat-local` without -D builds ",22" and fwknopd accepts it.
  EXPECT_TRUE(is_valid_nat_access(",22"));
  EXPECT_FALSE(is_valid_nat_access(""));
  EXPECT_FALSE(is_valid_nat_access(","));
}

TEST(IsPrintable, AcceptsOnlyBytes0x20To0x7e) {
  EXPECT_TRUE(is_printable(" abc~:=/"));
  EXPECT_TRUE(is_printable(""));
  for (const std::string& bad : {"a\tb"s, "a\nb"s, "a\0b"s, "a\x7f"s, "a\x80"s, "\xff"s}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(is_printable(bad));
  }
}

}  // namespace
}  // namespace sesame::spa
