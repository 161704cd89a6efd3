// SPDX-License-Identifier: GPL-2.0-or-later
// Reading nft's listings back: tables, chains, rule handles, policies, comments, set elements and durations.
#include "server/firewall/nft_listing.h"

#include <gtest/gtest.h>

namespace sesame::server::firewall {
namespace {

// `nft -a -t list ruleset` output, as nftables 1.0.6 prints it.
constexpr std::string_view kRuleset =
    "table inet filter { # handle 1\n"
    "\tcomment \"created by sesamed\"\n"
    "\tset sesame_in4 { # handle 2\n"
    "\t\ttype ipv4_addr . inet_proto . inet_service\n"
    "\t\tflags timeout\n"
    "\t}\n"
    "\n"
    "\tchain input { # handle 1\n"
    "\t\tcomment \"created by sesamed\"\n"
    "\t\ttype filter hook input priority filter; policy accept;\n"
    "\t\tjump sesame_input # handle 8\n"
    "\t\ttcp dport 22 drop # handle 7\n"
    "\t}\n"
    "\n"
    "\tchain sesame_input { # handle 4\n"
    "\t\tip saddr . meta l4proto . th dport @sesame_in4 accept # handle 5\n"
    "\t}\n"
    "}\n"
    "table ip other { # handle 2\n"
    "\tchain INPUT { # handle 1\n"
    "\t\ttype filter hook input priority filter; policy drop;\n"
    "\t}\n"
    "}\n";

TEST(NftListing, ReadsTablesChainsRulesAndHandles) {
  const auto tables = parse_nft_ruleset(kRuleset);
  ASSERT_EQ(tables.size(), 2u);
  const NftTable* filter = find_table(tables, "inet", "filter");
  ASSERT_NE(filter, nullptr);
  EXPECT_EQ(filter->comment, "created by sesamed");
  EXPECT_TRUE(filter->has_set("sesame_in4"));
  EXPECT_FALSE(filter->has_set("sesame_in6"));
  const NftChain* input = filter->find_chain("input");
  ASSERT_NE(input, nullptr);
  EXPECT_EQ(input->hook, "input");
  EXPECT_EQ(input->policy, "accept");
  EXPECT_EQ(input->comment, "created by sesamed");
  ASSERT_EQ(input->rules.size(), 2u);
  EXPECT_EQ(input->rules[0].text, "jump sesame_input");
  EXPECT_EQ(input->rules[0].handle, 8u);
  EXPECT_EQ(input->rules[1].text, "tcp dport 22 drop");
  const NftChain* sesame = filter->find_chain("sesame_input");
  ASSERT_NE(sesame, nullptr);
  EXPECT_TRUE(sesame->hook.empty());
  ASSERT_EQ(sesame->rules.size(), 1u);
  EXPECT_EQ(sesame->rules[0].handle, 5u);
  const NftTable* other = find_table(tables, "ip", "other");
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(other->find_chain("INPUT")->policy, "drop");
  EXPECT_EQ(find_table(tables, "ip6", "other"), nullptr);
}

TEST(NftListing, ReadsSetElementsWithTheirRemainingTime) {
  const auto elements = parse_nft_elements(
      "table inet filter {\n\tset sesame_in6 {\n\t\ttype ipv6_addr . inet_proto . inet_service\n"
      "\t\tflags timeout\n"
      "\t\telements = { 2001:db8::1 . udp . 0 timeout 30s expires 29s956ms,\n"
      "\t\t\t     ::1 . tcp . 22 timeout 1h expires 59m1s, 10.0.0.1 . 6 . 80 }\n\t}\n}\n");
  ASSERT_EQ(elements.size(), 3u);
  EXPECT_EQ(elements[0].address.to_string(), "2001:db8::1");
  EXPECT_EQ(elements[0].protocol, 17);
  EXPECT_EQ(elements[0].port, 0);
  EXPECT_EQ(elements[0].expires_ms, 29956);
  EXPECT_EQ(elements[1].address.to_string(), "::1");
  EXPECT_EQ(elements[1].protocol, 6);
  EXPECT_EQ(elements[1].expires_ms, (59 * 60 + 1) * 1000);
  EXPECT_EQ(elements[2].port, 80);
  EXPECT_FALSE(elements[2].expires_ms.has_value());
  EXPECT_TRUE(parse_nft_elements("table inet filter {\n}\n").empty());
}

TEST(NftListing, ReadsMapElementsWithTheirDataAndWrappedLines) {
  const auto elements = parse_nft_text_elements(
      "table inet filter {\n\tmap sesame_dnat4 {\n"
      "\t\ttype ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service\n\t\tflags timeout\n"
      "\t\telements = { 10.0.0.1 . udp . 53 timeout 5s expires 4s920ms : 10.0.1.3 . 53,\n"
      "\t\t\t     10.0.0.1 . tcp . 40023 timeout 30s expires 29s920ms : 10.0.1.2 . 22222 }\n\t}\n}\n");
  ASSERT_EQ(elements.size(), 2u);
  EXPECT_EQ(elements[0].key, "10.0.0.1 . udp . 53");
  EXPECT_EQ(elements[0].value, "10.0.1.3 . 53");
  EXPECT_EQ(elements[0].expires_ms, 4920);
  EXPECT_EQ(elements[1].key, "10.0.0.1 . tcp . 40023");
  EXPECT_EQ(elements[1].value, "10.0.1.2 . 22222");
  const auto set = parse_nft_text_elements("\t\telements = { 10.0.0.1 timeout 3s expires 2s }\n");
  ASSERT_EQ(set.size(), 1u);
  EXPECT_EQ(set[0].key, "10.0.0.1");
  EXPECT_TRUE(set[0].value.empty());
}

TEST(NftListing, ReadsDurations) {
  EXPECT_EQ(parse_nft_duration_ms("1d2h3m4s5ms"), ((24 + 2) * 3600 + 3 * 60 + 4) * 1000 + 5);
  EXPECT_EQ(parse_nft_duration_ms("996ms"), 996);
  EXPECT_FALSE(parse_nft_duration_ms("").has_value());
  EXPECT_FALSE(parse_nft_duration_ms("5x").has_value());
  EXPECT_FALSE(parse_nft_duration_ms("s").has_value());
}

}  // namespace
}  // namespace sesame::server::firewall
