// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target: the client's rc-file parser and the settings it yields, for [default] and for the first stanza.
// Property: every error points at a line of the input, in order; reading settings never fails to terminate.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "config/rc_file.h"
#include "config/rc_settings.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const int lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
  const auto file = sesame::config::parse_rc_file("fuzz.rc", text);
  int previous = 0;
  for (const auto& error : file.errors) {
    if (error.line < 1 || error.line > lines || error.line < previous || error.file != "fuzz.rc") std::abort();
    previous = error.line;
  }
  for (const auto& stanza : file.stanzas)
    for (const auto& setting : stanza.settings)
      if (setting.value_text().empty() || setting.line <= stanza.line) std::abort();

  const std::optional<std::string_view> named =
      file.stanzas.empty() ? std::nullopt : std::optional<std::string_view>(file.stanzas.front().name);
  for (const auto& stanza : {std::optional<std::string_view>(), named}) {
    const auto settings = sesame::config::settings_from_rc(file, stanza);
    if (settings) continue;
    for (const auto& error : settings.error())
      if (error.line < 1 || error.line > lines) std::abort();
  }
  return 0;
}
