// SPDX-License-Identifier: GPL-2.0-or-later
// Random bytes straight from getrandom(2): the kernel's CSPRNG, with no library DRBG to seed at start-up.
#include "spa/random.h"

#include <sys/random.h>

#include <array>
#include <cerrno>

namespace sesame::spa {

Result<Ok> fill_random(std::span<std::uint8_t> out) {
  std::size_t done = 0;
  while (done < out.size()) {
    // Blocks only until the pool is first initialised at boot; a signal or a large request can return short.
    const ssize_t got = ::getrandom(out.data() + done, out.size() - done, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      return error(ErrorCode::kInternal, "random source failed");
    }
    done += static_cast<std::size_t>(got);
  }
  return Ok{};
}

Result<std::string> make_random_value() {
  std::string digits;
  digits.reserve(kRandomValueLength);
  std::array<std::uint8_t, 32> pool{};
  while (digits.size() < kRandomValueLength) {
    if (auto filled = fill_random(pool); !filled) return fail(filled.error());
    for (const std::uint8_t byte : pool) {
      if (byte >= 250) continue;  // rejection sampling keeps every digit equally likely
      digits.push_back(char('0' + byte % 10));
      if (digits.size() == kRandomValueLength) break;
    }
  }
  return digits;
}

Result<Salt> make_salt() {
  Salt salt{};
  if (auto filled = fill_random(salt); !filled) return fail(filled.error());
  return salt;
}

}  // namespace sesame::spa
