// SPDX-License-Identifier: GPL-2.0-or-later
#include "config/redis_url.h"

#include <algorithm>
#include <charconv>

namespace sesame::config {
namespace {

constexpr std::string_view kScheme = "redis://";
constexpr int kMaxDb = 9999;

bool is_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

bool is_ipv6_char(char c) {
  return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || (c >= '0' && c <= '9') || c == ':' || c == '.';
}

template <class T>
bool read_number(std::string_view digits, T max, T& out) {
  if (digits.empty() || digits.size() > 5) return false;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
  return error == std::errc{} && end == digits.data() + digits.size() && out <= max;
}

Failure<std::string> bad(std::string_view text, std::string_view why) {
  return fail("\"" + std::string(text) + "\" is not redis://HOST[:PORT][/DB]: " + std::string(why));
}

}  // namespace

std::string RedisUrl::to_string() const {
  const bool bracketed = host.find(':') != std::string::npos;
  return std::string(kScheme) + (bracketed ? "[" + host + "]" : host) + ":" + std::to_string(port) + "/" +
         std::to_string(db);
}

Result<RedisUrl, std::string> parse_redis_url(std::string_view text) {
  if (!text.starts_with(kScheme)) return bad(text, "it must start with redis://");
  std::string_view rest = text.substr(kScheme.size());
  if (rest.find('@') != std::string_view::npos)
    return fail(
        std::string("redis:// URL with a user or password: not supported (keep the shared cache on a "
                    "private network)"));
  RedisUrl url;
  if (rest.starts_with("[")) {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return bad(text, "unclosed [");
    const std::string_view host = rest.substr(1, close - 1);
    if (host.empty() || !std::all_of(host.begin(), host.end(), is_ipv6_char)) return bad(text, "bad IPv6 host");
    url.host = host;
    rest.remove_prefix(close + 1);
  } else {
    const auto end = rest.find_first_of(":/");
    const std::string_view host = rest.substr(0, end);
    if (host.empty() || !std::all_of(host.begin(), host.end(), is_host_char)) return bad(text, "bad host");
    url.host = host;
    rest.remove_prefix(host.size());
  }
  if (rest.starts_with(":")) {
    const auto slash = rest.find('/');
    std::uint16_t port = 0;
    if (!read_number<std::uint16_t>(rest.substr(1, slash == std::string_view::npos ? rest.npos : slash - 1), 65535,
                                    port) ||
        port == 0)
      return bad(text, "the port must be 1-65535");
    url.port = port;
    rest.remove_prefix(slash == std::string_view::npos ? rest.size() : slash);
  }
  if (rest.starts_with("/")) {
    rest.remove_prefix(1);
    if (!rest.empty() && !read_number<int>(rest, kMaxDb, url.db)) return bad(text, "the database must be 0-9999");
    rest = {};
  }
  if (!rest.empty()) return bad(text, "unexpected text after the host");
  return url;
}

}  // namespace sesame::config
