// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target: the SPA-over-HTTP request parser, under every combination of ALLOW_ANY_USER_AGENT and
// ENABLE_X_FORWARDED_FOR. Property: an accepted request is a "GET /" of bounded size whose payload is the path in
// base64's alphabet, 140..1500 bytes, with no whitespace; X-Forwarded-For appears only when enabled; allowing any
// User-Agent never refuses what the strict check accepts, and yields the same payload.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "server/capture/http_spa_request.h"

namespace {

using sesame::server::capture::HttpSpaOptions;

void check(std::string_view text, const HttpSpaOptions& options) {
  const auto parsed = sesame::server::capture::parse_http_spa_request(text, options);
  if (!parsed) return;
  if (!sesame::server::capture::looks_like_http_request(text)) std::abort();
  if (text.size() > sesame::server::capture::kMaxHttpRequestBytes) std::abort();
  const std::string_view payload = parsed->payload;
  if (payload.size() < 140 || payload.size() > 1500) std::abort();
  if (payload.find_first_of("-_ \t\r\n\v\f") != std::string_view::npos) std::abort();
  // The payload is the path, translated back character for character.
  for (std::size_t i = 0; i < payload.size(); ++i) {
    const char wire = text[5 + i];
    const char expected = wire == '-' ? '+' : wire == '_' ? '/' : wire;
    if (payload[i] != expected) std::abort();
  }
  if (!options.use_x_forwarded_for && (parsed->forwarded_for || parsed->has_invalid_forwarded_for)) std::abort();
  if (parsed->forwarded_for && parsed->has_invalid_forwarded_for) std::abort();
  if (!options.allow_any_user_agent) {
    const auto lenient = sesame::server::capture::parse_http_spa_request(
        text, {.allow_any_user_agent = true, .use_x_forwarded_for = options.use_x_forwarded_for});
    if (!lenient || lenient->payload != parsed->payload || lenient->forwarded_for != parsed->forwarded_for) {
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const bool any_agent : {false, true})
    for (const bool forwarded : {false, true})
      check(text, {.allow_any_user_agent = any_agent, .use_x_forwarded_for = forwarded});
  return 0;
}
