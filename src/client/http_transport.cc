// SPDX-License-Identifier: GPL-2.0-or-later
// -P http and -H: the wire string as the path of a GET, straight to the server or through an HTTP proxy
// (protocol.md §12.4).
#include <algorithm>
#include <charconv>
#include <optional>
#include <string>

#include "client/tcp_connection.h"
#include "client/transport.h"
#include "client/user_agent.h"

namespace sesame::client {
namespace {

// Long enough for a proxy to read the request before our close; fwknopd itself never answers.
constexpr std::chrono::milliseconds kDrainTimeout{1000};

struct ProxyParts {
  std::string_view host;
  std::optional<std::string_view> port;  // after a ':', possibly empty
};

// `lower_prefix` is lower case; `text` may be in any case ("HTTP://proxy").
bool starts_with_nocase(std::string_view text, std::string_view lower_prefix) {
  if (text.size() < lower_prefix.size()) return false;
  for (std::size_t i = 0; i < lower_prefix.size(); ++i) {
    const char c = text[i] >= 'A' && text[i] <= 'Z' ? char(text[i] - 'A' + 'a') : text[i];
    if (c != lower_prefix[i]) return false;
  }
  return true;
}

// "http://host:port/" -> host, port. Never fails, so that build_http_request stays total; send_http checks the
// port. fwknop splits at the first ':' only; "[v6]:port" and bare IPv6 literals are sesame additions.
ProxyParts split_proxy(std::string_view proxy) {
  if (starts_with_nocase(proxy, "http://")) proxy.remove_prefix(7);
  if (!proxy.empty() && proxy.back() == '/') proxy.remove_suffix(1);
  if (!proxy.empty() && proxy.front() == '[') {
    const auto close = proxy.find(']');
    if (close != std::string_view::npos) {
      const std::string_view rest = proxy.substr(close + 1);
      if (rest.starts_with(':')) return {proxy.substr(0, close + 1), rest.substr(1)};
      return {proxy.substr(0, close + 1), std::nullopt};
    }
  }
  const auto colon = proxy.find(':');
  if (colon == std::string_view::npos || proxy.find(':', colon + 1) != std::string_view::npos) {
    return {proxy, std::nullopt};
  }
  return {proxy.substr(0, colon), proxy.substr(colon + 1)};
}

// An IPv6 literal must be bracketed in a Host header and a URI; fwknop never had to.
std::string uri_host(std::string_view host) {
  if (host.find(':') == std::string_view::npos || host.starts_with('[')) return std::string(host);
  std::string bracketed = "[";  // appended piecewise: GCC 12 warns falsely (-Wrestrict) on "[" + std::string
  bracketed += host;
  bracketed += ']';
  return bracketed;
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 1 || value > 65535) return std::nullopt;
  return std::uint16_t(value);
}

}  // namespace

std::string build_http_request(std::string_view wire, const SendRequest& request) {
  std::string path(wire);
  std::replace(path.begin(), path.end(), '+', '-');  // fwknopd translates both back before decoding
  std::replace(path.begin(), path.end(), '/', '_');
  const std::string_view user_agent = request.user_agent.empty() ? kDefaultUserAgent : request.user_agent;

  std::string target = "/" + path;
  std::string host = uri_host(request.server);
  if (request.http_proxy) {
    target = "http://" + host + target;
    host = std::string(split_proxy(*request.http_proxy).host);  // fwknop names the proxy, without its port
  }
  std::string text = "GET " + target + " HTTP/1.1\r\n";
  text += "User-Agent: " + std::string(user_agent) + "\r\n";
  text += "Accept: */*\r\n";
  text += "Host: " + host + "\r\n";
  text += "Connection: close\r\n\r\n";
  return text;
}

Result<SendReport> send_http(std::string_view wire, const SendRequest& request) {
  std::string host = request.server;
  std::uint16_t port = request.port;
  if (request.http_proxy) {
    const ProxyParts proxy = split_proxy(*request.http_proxy);
    if (proxy.host.empty()) return fail(ClientError{"-H: no proxy host in '" + *request.http_proxy + "'"});
    host = std::string(proxy.host);
    if (proxy.port) {
      const auto proxy_port = parse_port(*proxy.port);
      if (!proxy_port) {
        return fail(ClientError{"-H: proxy port in '" + *request.http_proxy + "' is invalid, must be in [1-65535]"});
      }
      port = *proxy_port;  // without one, fwknop uses the SPA port
    }
  }
  const std::string text = build_http_request(wire, request);
  auto connection = TcpConnection::open(host, port, address_family_for(request), request.source_port);
  if (!connection) return fail(connection.error());
  if (auto sent = connection->send_all(text); !sent) return fail(sent.error());
  connection->drain(kDrainTimeout);
  return SendReport{text.size(), connection->destination()};
}

}  // namespace sesame::client
