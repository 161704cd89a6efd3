// SPDX-License-Identifier: GPL-2.0-or-later
// External IP resolution over libcurl's easy interface: one blocking request with a deadline.
#include "client/external_ip.h"

#include <arpa/inet.h>

#include "client/curl_library.h"

#include <array>
#include <memory>

namespace sesame::client {
namespace {

struct Answer {
  std::string body;
  bool is_too_large = false;
};

std::size_t collect(char* data, std::size_t size, std::size_t count, void* user) {
  auto* answer = static_cast<Answer*>(user);
  const std::size_t bytes = size * count;
  if (answer->body.size() + bytes > kMaxResolverAnswer) {
    answer->is_too_large = true;
    return 0;  // makes libcurl abort the transfer
  }
  answer->body.append(data, bytes);
  return bytes;
}

bool starts_with_nocase(std::string_view text, std::string_view lower_prefix) {
  if (text.size() < lower_prefix.size()) return false;
  for (std::size_t i = 0; i < lower_prefix.size(); ++i) {
    const char c = text[i] >= 'A' && text[i] <= 'Z' ? char(text[i] - 'A' + 'a') : text[i];
    if (c != lower_prefix[i]) return false;
  }
  return true;
}

Result<std::string> effective_url(const ResolveRequest& request) {
  const std::string url = request.url.empty() ? std::string(kDefaultResolveUrl) : request.url;
  if (!request.http_only || !starts_with_nocase(url, "https:")) return url;
  // fwknop's --resolve-http-only has its own plain-HTTP default and rejects an explicit https URL (client.md §6).
  if (url == kDefaultResolveUrl) return std::string(kDefaultHttpResolveUrl);
  return fail(ClientError{"https is not supported for --resolve-http-only: '" + url + "'"});
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

}  // namespace

std::optional<std::string> parse_ip_answer(std::string_view body) {
  while (!body.empty() && is_space(body.front())) body.remove_prefix(1);
  while (!body.empty() && is_space(body.back())) body.remove_suffix(1);
  if (body.empty() || body.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string text(body);  // inet_pton wants a terminator; embedded NULs or spaces make it fail below
  if (text.find('\0') != std::string::npos) return std::nullopt;
  std::array<unsigned char, sizeof(in6_addr)> address{};
  std::array<char, INET6_ADDRSTRLEN> canonical{};
  for (const int family : {AF_INET, AF_INET6}) {
    if (inet_pton(family, text.c_str(), address.data()) == 1 &&
        inet_ntop(family, address.data(), canonical.data(), canonical.size()) != nullptr) {
      return std::string(canonical.data());
    }
  }
  return std::nullopt;
}

Result<std::string> resolve_external_ip(const ResolveRequest& request) {
  auto url = effective_url(request);
  if (!url) return fail(url.error());
  const std::string where = "resolver " + *url;
  auto library = curl_library();
  if (!library) return fail(library.error());
  const CurlLibrary& lib = **library;
  const std::unique_ptr<CURL, void (*)(CURL*)> curl(lib.easy_init(), lib.easy_cleanup);
  if (!curl) return fail(ClientError{"cannot initialise libcurl"});

  Answer answer;
  std::array<char, CURL_ERROR_SIZE> error_text{};
  CURL* handle = curl.get();
  const long timeout_ms = long(request.timeout.count());
  lib.easy_setopt(handle, CURLOPT_URL, url->c_str());
  // Only the web: a --resolve-url of file:// or smtp:// must not reach other libcurl protocols.
  lib.easy_setopt(handle, CURLOPT_PROTOCOLS_STR, request.http_only ? "http" : "http,https");
  lib.easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect could lead to an attacker's answer
  lib.easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, 1L);
  lib.easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, 2L);
  lib.easy_setopt(handle, CURLOPT_TIMEOUT_MS, timeout_ms);
  lib.easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  lib.easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM for DNS timeouts: the caller may have threads
  lib.easy_setopt(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(kMaxResolverAnswer));
  lib.easy_setopt(handle, CURLOPT_WRITEFUNCTION, collect);
  lib.easy_setopt(handle, CURLOPT_WRITEDATA, &answer);
  lib.easy_setopt(handle, CURLOPT_ERRORBUFFER, error_text.data());
  if (!request.user_agent.empty()) lib.easy_setopt(handle, CURLOPT_USERAGENT, request.user_agent.c_str());

  const CURLcode status = lib.easy_perform(handle);
  if (answer.is_too_large || status == CURLE_FILESIZE_EXCEEDED) {
    return fail(ClientError{where + " answered more than " + std::to_string(kMaxResolverAnswer) + " bytes"});
  }
  if (status != CURLE_OK) {
    const std::string why = error_text[0] != '\0' ? error_text.data() : lib.easy_strerror(status);
    return fail(ClientError{where + " failed: " + why});
  }
  long http_status = 0;
  lib.easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &http_status);
  if (http_status != 200) return fail(ClientError{where + " answered HTTP " + std::to_string(http_status)});
  auto address = parse_ip_answer(answer.body);
  if (!address) return fail(ClientError{where + " answered no IP address"});
  return *address;
}

}  // namespace sesame::client
