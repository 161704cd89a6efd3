// SPDX-License-Identifier: GPL-2.0-or-later
// parse_http_spa_request: what sesame's and fwknop's clients send is unwrapped to the original wire string; the
// User-Agent and X-Forwarded-For rules of protocol.md §12.4; junk, truncated and oversized requests are refused.
#include "server/capture/http_spa_request.h"

#include <gtest/gtest.h>

#include <string>

#include "client/spa_sender.h"

namespace sesame::server::capture {
namespace {

// A real wire string (upstream's v2.0.1 vector): it starts with '+' and holds '/', the characters -P http rewrites.
const std::string kWire =
    "+uAD6hlS2BHuaCtVKIGyIsB/4U8USqcP9o4aT6FvBuPKORwTV8byyzv6bzZYINs4Voq3QvBbIwkXJ63/oU+XxvP5R+DBLEnh3e/NHPFK6NB0WT2d"
    "ujVyVxwBfvvWjIqWHhro2tH34nqfTRIpevfLTMx7r+N8ZQ4V8";

std::string url_safe(std::string text) {
  for (char& c : text) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return text;
}

// What fwknop 2.6.10's client sends for `-P http -D 192.0.2.1`, plus extra header lines.
std::string fwknop_request(const std::string& extra_headers = "", const std::string& user_agent = "Fwknop/2.6.10") {
  return "GET /" + url_safe(kWire) + " HTTP/1.0\r\nUser-Agent: " + user_agent +
         "\r\nAccept: */*\r\nHost: 192.0.2.1\r\nConnection: close\r\n" + extra_headers + "\r\n";
}

constexpr HttpSpaOptions kDefaults{};
constexpr HttpSpaOptions kAnyAgent{.allow_any_user_agent = true};
constexpr HttpSpaOptions kForwarded{.use_x_forwarded_for = true};

HttpReject reject_of(std::string_view bytes, const HttpSpaOptions& options = kDefaults) {
  const auto parsed = parse_http_spa_request(bytes, options);
  EXPECT_FALSE(parsed.has_value()) << bytes;
  return parsed ? HttpReject::kNotHttp : parsed.error();
}

TEST(HttpSpaRequest, SesameClientRequestYieldsTheWireString) {
  client::SendRequest send;
  send.server = "192.0.2.1";
  const std::string request = client::build_http_request(kWire, send);
  const auto parsed = parse_http_spa_request(request, kDefaults);
  ASSERT_TRUE(parsed.has_value()) << to_string(parsed.error());
  EXPECT_EQ(parsed->payload, kWire);
  EXPECT_FALSE(parsed->forwarded_for);
  EXPECT_FALSE(parsed->has_invalid_forwarded_for);
}

TEST(HttpSpaRequest, FwknopClientRequestYieldsTheWireString) {
  const auto parsed = parse_http_spa_request(fwknop_request(), kDefaults);
  ASSERT_TRUE(parsed.has_value()) << to_string(parsed.error());
  EXPECT_EQ(parsed->payload, kWire);
  // 2.6.11 sends HTTP/1.1 and its own version; a request without a version at all is also unwrapped by fwknopd.
  std::string v11 = fwknop_request("", "Fwknop/2.6.11");
  v11.replace(v11.find("HTTP/1.0"), 8, "HTTP/1.1");
  EXPECT_EQ(parse_http_spa_request(v11, kDefaults)->payload, kWire);
  const std::string no_version = "GET /" + url_safe(kWire) + "\r\nUser-Agent: Fwknop/2.6.10\r\n\r\n";
  EXPECT_EQ(parse_http_spa_request(no_version, kDefaults)->payload, kWire);
}

TEST(HttpSpaRequest, UntranslatedBase64AndMethodCaseAreAccepted) {
  // fwknopd only turns '-' and '_' back; a path still in plain base64 passes through unchanged.
  const std::string plain = "get /" + kWire + " HTTP/1.1\r\nUser-Agent: Fwknop/2.6.10\r\n\r\n";
  EXPECT_EQ(parse_http_spa_request(plain, kDefaults)->payload, kWire);
}

TEST(HttpSpaRequest, BareLineFeedsAndLenientHeaderSyntaxAreAccepted) {
  const std::string lf = "GET /" + url_safe(kWire) + " HTTP/1.1\nuser-agent:Fwknop/2.6.10\nHost: x\n\n";
  const auto parsed = parse_http_spa_request(lf, kDefaults);
  ASSERT_TRUE(parsed.has_value()) << to_string(parsed.error());
  EXPECT_EQ(parsed->payload, kWire);
}

TEST(HttpSpaRequest, BytesAfterTheHeadAreIgnored) {
  const auto parsed = parse_http_spa_request(fwknop_request() + "GET /other HTTP/1.1\r\n\r\n", kDefaults);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->payload, kWire);
}

TEST(HttpSpaRequest, UserAgentMustBeFwknopUnlessAnyIsAllowed) {
  EXPECT_EQ(reject_of(fwknop_request("", "Mozilla/5.0")), HttpReject::kUserAgent);
  EXPECT_EQ(reject_of(fwknop_request("", "fwknop/2.6.10")), HttpReject::kUserAgent);  // case-sensitive value
  const std::string missing = "GET /" + url_safe(kWire) + " HTTP/1.1\r\nHost: x\r\n\r\n";
  EXPECT_EQ(reject_of(missing), HttpReject::kUserAgent);
  // Only a User-Agent header counts, not the text inside another header.
  EXPECT_EQ(reject_of(fwknop_request("X-Note: User-Agent: Fwknop/2.6.10\r\n", "curl/8.0")), HttpReject::kUserAgent);

  EXPECT_EQ(parse_http_spa_request(fwknop_request("", "Mozilla/5.0"), kAnyAgent)->payload, kWire);
  EXPECT_EQ(parse_http_spa_request(missing, kAnyAgent)->payload, kWire);
  // Any Fwknop-prefixed agent, as fwknopd's substring test: -u "Fwknop-custom".
  EXPECT_TRUE(parse_http_spa_request(fwknop_request("", "Fwknop-custom"), kDefaults).has_value());
}

TEST(HttpSpaRequest, ForwardedForIsReadOnlyWhenEnabled) {
  const std::string request = fwknop_request("X-Forwarded-For: 198.51.100.7\r\n");
  const auto off = parse_http_spa_request(request, kDefaults);
  ASSERT_TRUE(off.has_value());
  EXPECT_FALSE(off->forwarded_for);
  EXPECT_FALSE(off->has_invalid_forwarded_for);

  const auto on = parse_http_spa_request(request, kForwarded);
  ASSERT_TRUE(on.has_value());
  ASSERT_TRUE(on->forwarded_for);
  EXPECT_EQ(on->forwarded_for->to_string(), "198.51.100.7");
  EXPECT_EQ(on->payload, kWire);
}

TEST(HttpSpaRequest, ForwardedForNameIsCaseInsensitiveAndIpv6IsTaken) {
  const auto lower = parse_http_spa_request(fwknop_request("x-forwarded-for:   203.0.113.9  \r\n"), kForwarded);
  ASSERT_TRUE(lower.has_value() && lower->forwarded_for);
  EXPECT_EQ(lower->forwarded_for->to_string(), "203.0.113.9");
  const auto v6 = parse_http_spa_request(fwknop_request("X-Forwarded-For: 2001:db8::7\r\n"), kForwarded);
  ASSERT_TRUE(v6.has_value() && v6->forwarded_for);
  EXPECT_EQ(v6->forwarded_for->to_string(), "2001:db8::7");
  const auto mapped = parse_http_spa_request(fwknop_request("X-Forwarded-For: ::ffff:192.0.2.8\r\n"), kForwarded);
  ASSERT_TRUE(mapped.has_value() && mapped->forwarded_for);
  EXPECT_EQ(mapped->forwarded_for->to_string(), "192.0.2.8");
}

TEST(HttpSpaRequest, InvalidForwardedForIsIgnoredAndFlagged) {
  // fwknopd warns and goes on with the packet source; a list or two headers is not "a valid IP" (§12.4).
  for (const std::string header :
       {"X-Forwarded-For: 198.51.100.7, 203.0.113.1\r\n", "X-Forwarded-For: not-an-address\r\n",
        "X-Forwarded-For: 010.0.0.1\r\n", "X-Forwarded-For:\r\n",
        "X-Forwarded-For: 198.51.100.7\r\nX-Forwarded-For: 203.0.113.1\r\n"}) {
    const auto parsed = parse_http_spa_request(fwknop_request(header), kForwarded);
    ASSERT_TRUE(parsed.has_value()) << header;
    EXPECT_FALSE(parsed->forwarded_for) << header;
    EXPECT_TRUE(parsed->has_invalid_forwarded_for) << header;
    EXPECT_EQ(parsed->payload, kWire);
  }
  const auto absent = parse_http_spa_request(fwknop_request(), kForwarded);
  ASSERT_TRUE(absent.has_value());
  EXPECT_FALSE(absent->has_invalid_forwarded_for);
}

TEST(HttpSpaRequest, JunkIsNotHttp) {
  EXPECT_EQ(reject_of(""), HttpReject::kNotHttp);
  EXPECT_EQ(reject_of(kWire), HttpReject::kNotHttp);
  EXPECT_EQ(reject_of("GET"), HttpReject::kNotHttp);
  EXPECT_EQ(reject_of("POST /" + kWire + " HTTP/1.1\r\nUser-Agent: Fwknop/2.6.10\r\n\r\n"), HttpReject::kNotHttp);
  // Absolute form (what a proxy receives) is not what fwknopd unwraps.
  EXPECT_EQ(reject_of("GET http://x/" + kWire + " HTTP/1.1\r\nUser-Agent: Fwknop/2.6.10\r\n\r\n"),
            HttpReject::kNotHttp);
  std::string with_nul = fwknop_request();
  with_nul[with_nul.size() - 5] = '\0';
  EXPECT_EQ(reject_of(with_nul), HttpReject::kNotHttp);
}

TEST(HttpSpaRequest, EveryTruncationIsRefused) {
  const std::string request = fwknop_request();
  for (std::size_t length = 0; length < request.size(); ++length) {
    const auto parsed = parse_http_spa_request(std::string_view(request).substr(0, length), kDefaults);
    EXPECT_FALSE(parsed.has_value()) << "prefix of " << length << " bytes";
  }
  EXPECT_EQ(reject_of(request.substr(0, request.size() - 2)), HttpReject::kIncomplete);
}

TEST(HttpSpaRequest, PathLengthMatchesFwknopdLimits) {
  EXPECT_EQ(reject_of("GET / HTTP/1.1\r\nUser-Agent: Fwknop/2.6.10\r\n\r\n"), HttpReject::kBadPath);
  EXPECT_EQ(reject_of("GET /" + std::string(139, 'A') + " HTTP/1.1\r\nUser-Agent: Fwknop/2.6.10\r\n\r\n"),
            HttpReject::kTooShort);
  EXPECT_EQ(parse_http_spa_request("GET /" + std::string(140, 'A') + " HTTP/1.1\r\nUser-Agent: Fwknop/2.6.10\r\n\r\n",
                                   kDefaults)
                ->payload.size(),
            140u);
  EXPECT_EQ(
      parse_http_spa_request("GET /" + std::string(1500, 'A') + "\r\nUser-Agent: Fwknop/2.6.10\r\n\r\n", kDefaults)
          ->payload.size(),
      1500u);
  EXPECT_EQ(reject_of("GET /" + std::string(1501, 'A') + "\r\nUser-Agent: Fwknop/2.6.10\r\n\r\n"),
            HttpReject::kTooLong);
}

TEST(HttpSpaRequest, OversizedRequestIsRefused) {
  const std::string padded = fwknop_request("X-Padding: " + std::string(kMaxHttpRequestBytes, 'p') + "\r\n");
  EXPECT_EQ(reject_of(padded), HttpReject::kTooLong);
  std::string exact = fwknop_request("X-Padding: \r\n");
  exact.insert(exact.find("X-Padding: ") + 11, kMaxHttpRequestBytes - exact.size(), 'p');
  ASSERT_EQ(exact.size(), kMaxHttpRequestBytes);
  EXPECT_TRUE(parse_http_spa_request(exact, kDefaults).has_value());
}

TEST(HttpSpaRequest, LooksLikeHttpRequestMatchesFwknopdsUnwrapTest) {
  EXPECT_TRUE(looks_like_http_request("GET /"));
  EXPECT_TRUE(looks_like_http_request("gEt /" + kWire));
  EXPECT_FALSE(looks_like_http_request(kWire));
  EXPECT_FALSE(looks_like_http_request("GET "));
  EXPECT_FALSE(looks_like_http_request("GET  /x"));
  EXPECT_FALSE(looks_like_http_request("POST /x"));
}

TEST(HttpSpaRequest, EveryRejectHasAName) {
  for (const auto reject : {HttpReject::kNotHttp, HttpReject::kIncomplete, HttpReject::kUserAgent, HttpReject::kBadPath,
                            HttpReject::kTooShort, HttpReject::kTooLong})
    EXPECT_NE(to_string(reject), "unknown");
}

}  // namespace
}  // namespace sesame::server::capture
