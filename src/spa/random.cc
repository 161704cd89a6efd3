// SPDX-License-Identifier: GPL-2.0-or-later
// Random value and salt from RAND_bytes (the OS random source behind OpenSSL's DRBG).
#include "spa/random.h"

#include <array>

#include <openssl/err.h>
#include <openssl/rand.h>

namespace sesame::spa {

Result<std::string> make_random_value() {
  std::string digits;
  digits.reserve(kRandomValueLength);
  std::array<unsigned char, 32> pool{};
  while (digits.size() < kRandomValueLength) {
    if (RAND_bytes(pool.data(), int(pool.size())) != 1) {
      ERR_clear_error();
      return error(ErrorCode::kInternal, "random source failed");
    }
    for (const unsigned char byte : pool) {
      if (byte >= 250) continue;  // rejection sampling keeps every digit equally likely
      digits.push_back(char('0' + byte % 10));
      if (digits.size() == kRandomValueLength) break;
    }
  }
  return digits;
}

Result<Salt> make_salt() {
  Salt salt{};
  if (RAND_bytes(salt.data(), int(salt.size())) != 1) {
    ERR_clear_error();
    return error(ErrorCode::kInternal, "random source failed");
  }
  return salt;
}

}  // namespace sesame::spa
