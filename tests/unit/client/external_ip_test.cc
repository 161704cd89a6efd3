// SPDX-License-Identifier: GPL-2.0-or-later
// -R (client.md §6): parsing the resolver's answer, and full requests against a one-shot HTTP server on loopback.
#include "client/external_ip.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "unit/client/loopback_peer.h"

namespace sesame::client {
namespace {

using namespace std::chrono_literals;
using loopback::http_response;
using loopback::OneShotHttpServer;

TEST(ParseIpAnswer, AcceptsOneAddressWithSurroundingWhitespace) {
  EXPECT_EQ(parse_ip_answer("203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(parse_ip_answer("203.0.113.7\n"), "203.0.113.7");
  EXPECT_EQ(parse_ip_answer(" \t203.0.113.7\r\n\r\n"), "203.0.113.7");
  EXPECT_EQ(parse_ip_answer("2001:db8::7\n"), "2001:db8::7");
  EXPECT_EQ(parse_ip_answer("2001:0DB8:0:0::7"), "2001:db8::7");  // canonical form
  EXPECT_EQ(parse_ip_answer("::ffff:203.0.113.7"), "::ffff:203.0.113.7");
}

TEST(ParseIpAnswer, RejectsAnythingElse) {
  for (const std::string_view body :
       {"", " \n", "<html>", "203.0.113.7 203.0.113.8", "203.0.113.7\n198.51.100.1\n", "203.0.113", "203.0.113.256",
        "203.0.113.07", "1.2.3.4.5", "Your IP: 203.0.113.7", "203.0.113.7<br>", "2001:db8::7::1", "localhost"}) {
    EXPECT_EQ(parse_ip_answer(body), std::nullopt) << body;
  }
  EXPECT_EQ(parse_ip_answer(std::string_view("203.0.113.7\0", 12)), std::nullopt);
}

ResolveRequest resolve_at(const std::string& url) {
  ResolveRequest request;
  request.url = url;
  request.user_agent = "Fwknop/2.6.10";
  request.timeout = 2s;
  return request;
}

TEST(ResolveExternalIp, ReturnsTheAddressTheServerAnswers) {
  OneShotHttpServer server(http_response(200, "OK", "203.0.113.7\n"));
  const auto address = resolve_external_ip(resolve_at(server.url("/cgi-bin/myip")));
  ASSERT_TRUE(address) << address.error().message;
  EXPECT_EQ(*address, "203.0.113.7");
  EXPECT_TRUE(server.request().starts_with("GET /cgi-bin/myip HTTP/1.1\r\n")) << server.request();
  EXPECT_NE(server.request().find("\r\nUser-Agent: Fwknop/2.6.10\r\n"), std::string::npos) << server.request();
}

TEST(ResolveExternalIp, EmptyUserAgentSendsNone) {
  OneShotHttpServer server(http_response(200, "OK", "203.0.113.7"));
  ResolveRequest request = resolve_at(server.url());
  request.user_agent.clear();
  ASSERT_TRUE(resolve_external_ip(request));
  EXPECT_EQ(server.request().find("User-Agent:"), std::string::npos) << server.request();
}

TEST(ResolveExternalIp, HtmlAnswerIsAnError) {
  OneShotHttpServer server(http_response(200, "OK", "<html>"));
  const std::string url = server.url("/myip");
  const auto address = resolve_external_ip(resolve_at(url));
  ASSERT_FALSE(address);
  EXPECT_EQ(address.error().message, "resolver " + url + " answered no IP address");
}

TEST(ResolveExternalIp, HttpErrorStatusIsAnError) {
  OneShotHttpServer server(http_response(404, "Not Found", "203.0.113.7\n"));
  const std::string url = server.url("/myip");
  const auto address = resolve_external_ip(resolve_at(url));
  ASSERT_FALSE(address);
  EXPECT_EQ(address.error().message, "resolver " + url + " answered HTTP 404");
}

TEST(ResolveExternalIp, RedirectsAreNotFollowed) {
  OneShotHttpServer server("HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/\r\nContent-Length: 0\r\n\r\n");
  const auto address = resolve_external_ip(resolve_at(server.url()));
  ASSERT_FALSE(address);
  EXPECT_EQ(address.error().message, "resolver " + server.url() + " answered HTTP 302");
}

TEST(ResolveExternalIp, OversizedAnswerIsAnError) {
  const std::string body(kMaxResolverAnswer + 1, '1');
  for (const bool has_length : {true, false}) {
    // With Content-Length libcurl refuses up front; without it the write callback stops the transfer.
    OneShotHttpServer server(has_length ? http_response(200, "OK", body)
                                        : "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + body);
    const auto address = resolve_external_ip(resolve_at(server.url()));
    ASSERT_FALSE(address);
    EXPECT_EQ(address.error().message, "resolver " + server.url() + " answered more than 4096 bytes");
  }
}

TEST(ResolveExternalIp, SilentServerTimesOut) {
  OneShotHttpServer server("", /*is_silent=*/true);
  ResolveRequest request = resolve_at(server.url());
  request.timeout = 300ms;
  const auto started = std::chrono::steady_clock::now();
  const auto address = resolve_external_ip(request);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(address);
  EXPECT_TRUE(address.error().message.starts_with("resolver " + server.url() + " failed: ")) << address.error().message;
  EXPECT_NE(address.error().message.find("timed out"), std::string::npos) << address.error().message;
  EXPECT_LT(elapsed, 2s);
}

TEST(ResolveExternalIp, UnresolvableHostIsAnError) {
  const auto address = resolve_external_ip(resolve_at("https://no-such-host.invalid/myip"));
  ASSERT_FALSE(address);
  EXPECT_TRUE(address.error().message.starts_with("resolver https://no-such-host.invalid/myip failed: "))
      << address.error().message;
}

TEST(ResolveExternalIp, OnlyHttpAndHttpsUrlsAreUsed) {
  const auto address = resolve_external_ip(resolve_at("file:///etc/hostname"));
  ASSERT_FALSE(address);
  EXPECT_TRUE(address.error().message.starts_with("resolver file:///etc/hostname failed: ")) << address.error().message;
}

TEST(ResolveExternalIp, HttpOnlyAcceptsHttpAndRefusesAnExplicitHttpsUrl) {
  OneShotHttpServer server(http_response(200, "OK", "198.51.100.4"));
  ResolveRequest request = resolve_at(server.url());
  request.http_only = true;
  const auto address = resolve_external_ip(request);
  ASSERT_TRUE(address) << address.error().message;
  EXPECT_EQ(*address, "198.51.100.4");

  request.url = "https://127.0.0.1:1/myip";
  const auto refused = resolve_external_ip(request);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "https is not supported for --resolve-http-only: 'https://127.0.0.1:1/myip'");
}

TEST(ResolveExternalIp, HttpOnlyTurnsTheDefaultUrlIntoPlainHttp) {
  ResolveRequest request;
  request.http_only = true;
  request.timeout = 500ms;  // unreachable from the test machine: only the URL in the error matters
  const auto address = resolve_external_ip(request);
  ASSERT_FALSE(address);
  EXPECT_TRUE(address.error().message.starts_with("resolver " + std::string(kDefaultHttpResolveUrl) + " "))
      << address.error().message;
}

}  // namespace
}  // namespace sesame::client
