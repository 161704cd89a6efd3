// SPDX-License-Identifier: GPL-2.0-or-later
// -P http (protocol.md §12.4): the exact GET, direct and through a proxy, and what a listener receives.
#include <gtest/gtest.h>

#include <string>

#include "client/spa_sender.h"
#include "unit/client/loopback_peer.h"

namespace sesame::client {
namespace {

using config::SpaProtocol;
using loopback::OneShotHttpServer;

constexpr std::string_view kWire = "9ab+cd/ef+/Gh";
const std::string kPath = "9ab-cd_ef-_Gh";
const std::string kSlashPath = "/" + kPath;

SendRequest http_request(std::string server, std::uint16_t port = 62201) {
  SendRequest request;
  request.server = std::move(server);
  request.port = port;
  request.protocol = SpaProtocol::kHttp;
  request.user_agent = "Fwknop/2.6.10";
  return request;
}

std::string expected(std::string_view target, std::string_view host, std::string_view user_agent = "Fwknop/2.6.10") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nUser-Agent: " + std::string(user_agent) +
         "\r\nAccept: */*\r\nHost: " + std::string(host) + "\r\nConnection: close\r\n\r\n";
}

TEST(HttpTransport, DirectRequestCarriesTheTranslatedWireAsPath) {
  EXPECT_EQ(build_http_request(kWire, http_request("spa.example.org")), expected(kSlashPath, "spa.example.org"));
}

TEST(HttpTransport, EmptyUserAgentMeansFwknopsDefault) {
  SendRequest request = http_request("192.0.2.1");
  request.user_agent.clear();
  EXPECT_EQ(build_http_request(kWire, request), expected(kSlashPath, "192.0.2.1", "Fwknop/2.6.10"));
  request.user_agent = "Custom/1.0";
  EXPECT_EQ(build_http_request(kWire, request), expected(kSlashPath, "192.0.2.1", "Custom/1.0"));
}

TEST(HttpTransport, ProxyRequestUsesTheAbsoluteUriAndNamesTheProxyHost) {
  SendRequest request = http_request("spa.example.org");
  request.http_proxy = "proxy.example.net:3128";
  const std::string want = expected("http://spa.example.org" + kSlashPath, "proxy.example.net");
  EXPECT_EQ(build_http_request(kWire, request), want);
  request.http_proxy = "http://proxy.example.net:3128";
  EXPECT_EQ(build_http_request(kWire, request), want);
  request.http_proxy = "HTTP://proxy.example.net";
  EXPECT_EQ(build_http_request(kWire, request), want);
  request.http_proxy = "proxy.example.net";
  EXPECT_EQ(build_http_request(kWire, request), want);
}

TEST(HttpTransport, Ipv6LiteralsAreBracketed) {
  EXPECT_EQ(build_http_request(kWire, http_request("2001:db8::1")), expected(kSlashPath, "[2001:db8::1]"));
  SendRequest request = http_request("2001:db8::1");
  request.http_proxy = "[2001:db8::2]:8080";
  EXPECT_EQ(build_http_request(kWire, request), expected("http://[2001:db8::1]" + kSlashPath, "[2001:db8::2]"));
}

TEST(HttpTransport, ListenerReceivesExactlyTheRequest) {
  OneShotHttpServer server("");
  const SendRequest request = http_request("127.0.0.1", server.port());
  const auto report = send_spa_packet(kWire, request);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->destination, "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(server.request(), build_http_request(kWire, request));
  EXPECT_EQ(report->bytes_sent, server.request().size());
}

TEST(HttpTransport, ListenerAnsweringIsFine) {
  OneShotHttpServer server(loopback::http_response(404, "Not Found", "nothing here"));
  const auto report = send_spa_packet(kWire, http_request("127.0.0.1", server.port()));
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(server.request().starts_with("GET " + kSlashPath + " HTTP/1.1\r\n"));
}

TEST(HttpTransport, ProxyGetsTheRequestOnItsOwnPort) {
  OneShotHttpServer proxy("");
  SendRequest request = http_request("spa.example.org", 1);  // the SPA port is not where the proxy listens
  request.http_proxy = "http://127.0.0.1:" + std::to_string(proxy.port());
  const auto report = send_spa_packet(kWire, request);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->destination, "127.0.0.1:" + std::to_string(proxy.port()));
  EXPECT_EQ(proxy.request(), expected("http://spa.example.org" + kSlashPath, "127.0.0.1"));
}

TEST(HttpTransport, ProxyWithoutPortUsesTheSpaPort) {
  OneShotHttpServer proxy("");
  SendRequest request = http_request("spa.example.org", proxy.port());
  request.http_proxy = "127.0.0.1";
  const auto report = send_spa_packet(kWire, request);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(proxy.request(), build_http_request(kWire, request));
}

TEST(HttpTransport, InvalidProxyPortIsAnError) {
  for (const char* proxy : {"127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:80x", "127.0.0.1:"}) {
    SendRequest request = http_request("spa.example.org");
    request.http_proxy = proxy;
    const auto report = send_spa_packet(kWire, request);
    ASSERT_FALSE(report) << proxy;
    EXPECT_EQ(report.error().message,
              "-H: proxy port in '" + std::string(proxy) + "' is invalid, must be in [1-65535]");
  }
}

TEST(HttpTransport, ClosedPortIsRefused) {
  auto closed = loopback::bind_loopback(SOCK_STREAM, "127.0.0.1");
  ASSERT_TRUE(closed.fd.is_valid());
  const auto report = send_spa_packet(kWire, http_request("127.0.0.1", closed.port));
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().message, "connection to 127.0.0.1:" + std::to_string(closed.port) + " refused");
}

}  // namespace
}  // namespace sesame::client
