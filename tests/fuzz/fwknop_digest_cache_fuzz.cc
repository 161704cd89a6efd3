// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target: the reader of fwknopd's digest.cache lines, which sesamed imports on its first start.
// Property: every line is an entry, a comment or malformed; an entry's digest and time survive being written back
// in fwknopd's own format and read again.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "server/fwknop_digest_cache.h"
#include "spa/base64.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  while (!text.empty()) {
    const std::size_t newline = text.find('\n');
    const std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    const auto parsed = sesame::server::parse_fwknop_digest_line(line);
    if (parsed.kind != sesame::server::FwknopDigestLine::Kind::kEntry) continue;
    const std::string again = sesame::spa::base64_encode(parsed.entry.digest) + " 17 192.0.2.1 1 0.0.0.0 2 " +
                              std::to_string(parsed.entry.created_s);
    const auto reparsed = sesame::server::parse_fwknop_digest_line(again);
    if (reparsed.kind != parsed.kind || reparsed.entry.digest != parsed.entry.digest ||
        reparsed.entry.created_s != parsed.entry.created_s)
      std::abort();
  }
  return 0;
}
