// SPDX-License-Identifier: GPL-2.0-or-later
// Randomness for packets and keys: the 16-digit random value, the 8-byte salt and raw bytes, from getrandom(2).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "spa/error.h"
#include "spa/rijndael.h"

namespace sesame::spa {

constexpr std::size_t kRandomValueLength = 16;

// Fills `out` from the kernel's random source.
Result<Ok> fill_random(std::span<std::uint8_t> out);

// 16 uniformly random decimal digits. libfko concatenates rand() outputs; any 16 digits decode the same.
Result<std::string> make_random_value();
Result<Salt> make_salt();

}  // namespace sesame::spa
