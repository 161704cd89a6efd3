// SPDX-License-Identifier: GPL-2.0-or-later
// build_watch_list: which rc-file stanzas are watched, for which (address, tcp port), and the errors that name
// file:line. Numeric SPA_SERVER addresses, so getaddrinfo answers without DNS.
#include "launcher/watch_list.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sesame::launcher {
namespace {

std::vector<std::string> described(const WatchList& list) {
  std::vector<std::string> out;
  for (const auto& entry : list.entries) out.push_back(to_string(entry.destination) + " " + entry.stanza);
  return out;
}

std::vector<std::string> errors_of(std::string_view text, const std::vector<std::string>& names) {
  const auto list = build_watch_list(config::parse_rc_file("my.rc", text), names);
  EXPECT_FALSE(list.has_value());
  std::vector<std::string> out;
  if (!list)
    for (const auto& error : list.error()) out.push_back(error.to_string());
  return out;
}

constexpr std::string_view kRc =
    "[default]\n"
    "KEY_BASE64 aGVsbG8=\n"
    "[web]\n"
    "SPA_SERVER 192.0.2.10\n"
    "ACCESS tcp/443,udp/53,tcp/80\n"
    "[dns]\n"  // udp only: nothing to watch
    "SPA_SERVER 192.0.2.11\n"
    "ACCESS udp/53\n"
    "[template]\n"  // no SPA_SERVER
    "ACCESS tcp/22\n"
    "[v6]\n"
    "SPA_SERVER 2001:db8::1\n"
    "ACCESS tcp/22\n";

TEST(WatchList, AllStanzasWithServerAndTcpPorts) {
  const auto list = build_watch_list(config::parse_rc_file("my.rc", kRc), {});
  ASSERT_TRUE(list.has_value()) << list.error().front().to_string();
  EXPECT_EQ(described(*list),
            (std::vector<std::string>{"192.0.2.10:443 web", "192.0.2.10:80 web", "[2001:db8::1]:22 v6"}));
  EXPECT_TRUE(list->warnings.empty());
}

TEST(WatchList, FindsOnlyNamedDestinations) {
  const auto list = build_watch_list(config::parse_rc_file("my.rc", kRc), {});
  ASSERT_TRUE(list.has_value());
  const WatchEntry* web = list->find(*parse_destination("192.0.2.10", 443));
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(web->stanza, "web");
  EXPECT_EQ(list->find(*parse_destination("192.0.2.10", 22)), nullptr);   // a port no stanza names
  EXPECT_EQ(list->find(*parse_destination("192.0.2.99", 443)), nullptr);  // a host no stanza names
  EXPECT_EQ(list->find(*parse_destination("192.0.2.11", 53)), nullptr);   // udp only
  // A dual-stack socket reports an IPv4 destination as ::ffff:a.b.c.d; it is the same destination.
  EXPECT_EQ(list->find(*parse_destination("::ffff:192.0.2.10", 80)), web + 1);
}

TEST(WatchList, NamedStanzasOnly) {
  const auto list = build_watch_list(config::parse_rc_file("my.rc", kRc), {"V6"});
  ASSERT_TRUE(list.has_value());
  EXPECT_EQ(described(*list), (std::vector<std::string>{"[2001:db8::1]:22 V6"}));
}

TEST(WatchList, DefaultSectionCountsAndIpv4OnlyIsHonoured) {
  const auto list = build_watch_list(config::parse_rc_file("my.rc",
                                                           "[default]\nSPA_SERVER 192.0.2.1\n"
                                                           "[a]\nACCESS tcp/22\n"
                                                           "[b]\nSPA_SERVER 2001:db8::2\nSERVER_RESOLVE_IPV4 Y\n"
                                                           "ACCESS tcp/23\n"),
                                     {"a"});
  ASSERT_TRUE(list.has_value());
  EXPECT_EQ(described(*list), (std::vector<std::string>{"192.0.2.1:22 a"}));
  // An IPv6 literal has no IPv4 address: SERVER_RESOLVE_IPV4 Y makes that an error naming the line.
  EXPECT_EQ(errors_of("[b]\nSPA_SERVER 2001:db8::2\nSERVER_RESOLVE_IPV4 Y\nACCESS tcp/23\n", {"b"}).size(), 1u);
}

TEST(WatchList, SecondStanzaForADestinationIsAWarning) {
  const auto list =
      build_watch_list(config::parse_rc_file("my.rc",
                                             "[a]\nSPA_SERVER 192.0.2.1\nACCESS tcp/22\n[b]\nSPA_SERVER 192.0.2.1\n"
                                             "ACCESS tcp/22,tcp/25\n"),
                       {});
  ASSERT_TRUE(list.has_value());
  EXPECT_EQ(described(*list), (std::vector<std::string>{"192.0.2.1:22 a", "192.0.2.1:25 b"}));
  EXPECT_EQ(list->warnings, (std::vector<std::string>{"192.0.2.1:22 is named by [a] and [b]: [a] knocks for it"}));
}

TEST(WatchList, ErrorsNameFileAndLine) {
  EXPECT_EQ(errors_of(kRc, {"dns", "template", "nope", "default"}),
            (std::vector<std::string>{"my.rc:8: [dns] ACCESS: \"udp/53\" has no tcp port",
                                      "my.rc:9: [template] SPA_SERVER: not set, so there is no host to watch",
                                      "my.rc: no stanza [nope]", "my.rc: no stanza [default]"}));
  EXPECT_EQ(errors_of("[x]\nSPA_SERVER 192.0.2.1\n", {"x"}),
            (std::vector<std::string>{"my.rc:1: [x] ACCESS: not set, so there is no port to watch"}));
  EXPECT_EQ(errors_of("[x]\nSPA_SERVER 192.0.2.1\nACCESS tcp/22,tcp/99999\n", {}),
            (std::vector<std::string>{"my.rc:3: [x] ACCESS: \"tcp/99999\" is not proto/port (tcp/22)"}));
  // The rc parser's own errors come through as they are.
  const auto bad = errors_of("[x]\nSPA_SERVER 192.0.2.1\nACCESS tcp/22\nNO_SUCH_VARIABLE 1\n", {});
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad.front().rfind("my.rc:4:", 0), 0u) << bad.front();
  EXPECT_EQ(errors_of("[dns]\nSPA_SERVER 192.0.2.1\nACCESS udp/53\n", {}),
            (std::vector<std::string>{"my.rc: no stanza has SPA_SERVER and a tcp port in ACCESS: nothing to watch"}));
  const auto unresolvable = errors_of("[x]\nSPA_SERVER bad..name\nACCESS tcp/22\n", {});
  ASSERT_EQ(unresolvable.size(), 1u);
  EXPECT_EQ(unresolvable.front().rfind("my.rc:2: [x] SPA_SERVER: \"bad..name\": ", 0), 0u) << unresolvable.front();
}

}  // namespace
}  // namespace sesame::launcher
