// SPDX-License-Identifier: GPL-2.0-or-later
// -R: learns the client's public address from a "what is my IP" URL (client.md §6), with libcurl instead of
// fwknop's wget child process and hand-written HTTP client.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "client/client_error.h"

namespace sesame::client {

// fwknop's defaults (WGET_RESOLVE_URL_SSL, and HTTP_RESOLVE_HOST + HTTP_RESOLVE_URL for --resolve-http-only).
constexpr std::string_view kDefaultResolveUrl = "https://www.cipherdyne.org/cgi-bin/myip";
constexpr std::string_view kDefaultHttpResolveUrl = "http://www.cipherdyne.org/cgi-bin/myip";
// An address is at most 45 characters; anything much longer is not an answer, and is not kept in memory.
constexpr std::size_t kMaxResolverAnswer = 4096;

struct ResolveRequest {
  std::string url{kDefaultResolveUrl};  // --resolve-url; empty: the default
  bool http_only = false;               // --resolve-http-only: plain HTTP, the default URL becomes http://
  std::string user_agent;               // -u; empty: no User-Agent header (--use-wget-user-agent)
  std::chrono::milliseconds timeout{10000};
};

// The address the resolver saw, as text ("203.0.113.7"). HTTPS certificates are verified, redirects are not
// followed, only http and https URLs are accepted. With http_only, an https URL other than the default is refused,
// as fwknop refuses it ("https is not supported for --resolve-http-only").
Result<std::string> resolve_external_ip(const ResolveRequest& request);

// The body must hold exactly one IPv4 or IPv6 address, optionally surrounded by whitespace; returns it in
// canonical form.
std::optional<std::string> parse_ip_answer(std::string_view body);

}  // namespace sesame::client
