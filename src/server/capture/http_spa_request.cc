// SPDX-License-Identifier: GPL-2.0-or-later
// SPA over HTTP: unwrapping the GET request (protocol.md §12.4, server.md §4 steps 2 and 10).
//
// What fwknopd accepts, and sesame too: a payload starting with "GET /" in any case; the SPA data is the path up
// to the first whitespace, with '-' -> '+' and '_' -> '/' (other characters are left for the base64 check of the
// pipeline); a "User-Agent: Fwknop" header unless ALLOW_ANY_USER_AGENT; no HTTP version or other header needed.
//
// Where sesame is stricter, none of which any fwknop or sesame client trips over:
//  - The request head must be complete (an empty line) and at most kMaxHttpRequestBytes; no NUL byte anywhere.
//    fwknopd searched whatever one packet held, up to its first NUL.
//  - Headers are looked for only in the head and only at the start of a line: fwknopd's plain substring search
//    also found "User-Agent: Fwknop" inside another header's value or in the body.
//  - X-Forwarded-For must be exactly one address written as inet_pton writes it. fwknopd took the text up to the
//    first blank of the first such header, so "a, b" gave "a," and was refused with a warning; sesame refuses the
//    same lists, and also two headers (RFC 9110: the same list split in two) rather than picking one.
// Where sesame is more lenient (the User-Agent check stops no attack; anyone can send "Fwknop"):
//  - Header names in any case and blanks after the colon optional ("user-agent:Fwknop/2.6.10"), as HTTP allows
//    and some proxies rewrite; the value must still begin with the case-sensitive "Fwknop".
//  - Bare LF line ends as well as CRLF.
//  - An X-Forwarded-For IPv6 address is taken (fwknopd: IPv4 only), as sesame also grants IPv6 packet sources.
#include "server/capture/http_spa_request.h"

#include <algorithm>

#include "server/pipeline.h"

namespace sesame::server::capture {
namespace {

constexpr std::string_view kBlanks = " \t";
constexpr std::string_view kPathEnd = " \t\r\n\v\f";  // fwknopd: isspace() ends the request path

char to_lower(char c) {
  return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c;
}

bool equals_nocase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return to_lower(x) == to_lower(y); });
}

std::string_view trim_blanks(std::string_view text) {
  const auto first = text.find_first_not_of(kBlanks);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kBlanks) - first + 1);
}

// The head without its final empty line, or nothing when the head has not ended yet. A line ends with LF, CRLF
// being the usual case.
std::optional<std::string_view> request_head(std::string_view bytes) {
  for (std::size_t at = bytes.find('\n'); at != std::string_view::npos; at = bytes.find('\n', at + 1)) {
    const std::size_t next = at + 1;
    if (next < bytes.size() && bytes[next] == '\n') return bytes.substr(0, next);
    if (next + 1 < bytes.size() && bytes[next] == '\r' && bytes[next + 1] == '\n') return bytes.substr(0, next);
  }
  return std::nullopt;
}

// Splits off the first line of `text` (without its CR LF); `text` keeps the rest.
std::string_view next_line(std::string_view& text) {
  const auto end = text.find('\n');
  std::string_view line = text.substr(0, end);
  text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
  if (line.ends_with('\r')) line.remove_suffix(1);
  return line;
}

struct Headers {
  bool has_fwknop_user_agent = false;
  int forwarded_for_count = 0;
  std::string_view forwarded_for;  // the value of the first X-Forwarded-For header
};

Headers scan_headers(std::string_view lines) {
  Headers headers;
  while (!lines.empty()) {
    const std::string_view line = next_line(lines);
    const auto colon = line.find(':');
    // A line starting with a blank continues the previous header (obsolete folding); neither header we read
    // is ever folded by a client, so such lines, and lines without a colon, are skipped.
    if (colon == std::string_view::npos || colon == 0 || kBlanks.find(line.front()) != std::string_view::npos) {
      continue;
    }
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = trim_blanks(line.substr(colon + 1));
    if (equals_nocase(name, "User-Agent")) {
      if (value.starts_with("Fwknop")) headers.has_fwknop_user_agent = true;
    } else if (equals_nocase(name, "X-Forwarded-For")) {
      if (headers.forwarded_for_count++ == 0) headers.forwarded_for = value;
    }
  }
  return headers;
}

}  // namespace

std::string_view to_string(HttpReject reject) {
  switch (reject) {
    case HttpReject::kNotHttp:
      return "not an HTTP GET request";
    case HttpReject::kIncomplete:
      return "incomplete HTTP request head";
    case HttpReject::kUserAgent:
      return "User-Agent is not Fwknop";
    case HttpReject::kBadPath:
      return "no SPA data in the request path";
    case HttpReject::kTooShort:
      return "SPA data in the request is too short";
    case HttpReject::kTooLong:
      return "HTTP request or its SPA data is too long";
  }
  return "unknown";
}

bool looks_like_http_request(std::string_view bytes) {
  return bytes.size() >= 5 && equals_nocase(bytes.substr(0, 5), "GET /");
}

Result<HttpSpaRequest, HttpReject> parse_http_spa_request(std::string_view bytes, const HttpSpaOptions& options) {
  if (bytes.size() > kMaxHttpRequestBytes) return fail(HttpReject::kTooLong);
  if (!looks_like_http_request(bytes) || bytes.find('\0') != std::string_view::npos) {
    return fail(HttpReject::kNotHttp);
  }
  const auto head = request_head(bytes);
  if (!head) return fail(HttpReject::kIncomplete);

  std::string_view rest = *head;
  const std::string_view request_line = next_line(rest);
  const std::string_view after_slash = request_line.substr(5);
  const std::string_view path = after_slash.substr(0, after_slash.find_first_of(kPathEnd));
  if (path.empty()) return fail(HttpReject::kBadPath);
  if (path.size() < kMinSpaPayload) return fail(HttpReject::kTooShort);
  if (path.size() > kMaxSpaPayload) return fail(HttpReject::kTooLong);

  const Headers headers = scan_headers(rest);
  if (!options.allow_any_user_agent && !headers.has_fwknop_user_agent) return fail(HttpReject::kUserAgent);

  HttpSpaRequest request;
  request.payload.assign(path);
  // The client's URL-safe alphabet back to base64's: the path is where '+' and '/' would be misread.
  std::replace(request.payload.begin(), request.payload.end(), '-', '+');
  std::replace(request.payload.begin(), request.payload.end(), '_', '/');
  if (options.use_x_forwarded_for && headers.forwarded_for_count > 0) {
    const auto address =
        headers.forwarded_for_count == 1 ? config::IpAddress::parse(headers.forwarded_for) : std::nullopt;
    if (address) {
      request.forwarded_for = address->unmapped();
    } else {
      request.has_invalid_forwarded_for = true;
    }
  }
  return request;
}

}  // namespace sesame::server::capture
