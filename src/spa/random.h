// SPDX-License-Identifier: GPL-2.0-or-later
// Randomness for packets: the 16-digit random value and the 8-byte salt, from the OS source via OpenSSL.
#pragma once

#include <string>

#include "spa/error.h"
#include "spa/rijndael.h"

namespace sesame::spa {

constexpr std::size_t kRandomValueLength = 16;

// 16 uniformly random decimal digits. libfko concatenates rand() outputs; any 16 digits decode the same.
Result<std::string> make_random_value();
Result<Salt> make_salt();

}  // namespace sesame::spa
