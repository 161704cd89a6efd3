// SPDX-License-Identifier: GPL-2.0-or-later
// Small text helpers shared by the config parsers: case-insensitive names, and values made safe to echo.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sesame::config {

bool iequals(std::string_view a, std::string_view b);

// A value or name as it may appear in a message: control bytes escaped (no terminal escape sequences from a
// file), values longer than 64 bytes cut.
std::string printable(std::string_view text);

}  // namespace sesame::config
