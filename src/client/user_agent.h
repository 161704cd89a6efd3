// SPDX-License-Identifier: GPL-2.0-or-later
// The default HTTP User-Agent of -P http and -R (client.md §2, -u).
#pragma once

#include <string_view>

namespace sesame::client {

// fwknop's own value: fwknopd 2.6.10 only unwraps a GET that contains "User-Agent: Fwknop" (protocol.md §12.4), so
// anything else breaks SPA over HTTP against a stock server.
constexpr std::string_view kDefaultUserAgent = "Fwknop/2.6.10";

}  // namespace sesame::client
