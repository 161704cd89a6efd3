// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target: the fwknopd.conf parser, applying its entries, the final checks and the -D dump.
// Property: every error and warning points at a line of the input, errors in line order; never crashes.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "config/server_config_dump.h"
#include "config/server_config_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const int lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
  const auto file = sesame::config::parse_server_config("fuzz.conf", text);
  int previous = 0;
  for (const auto& error : file.errors) {
    if (error.line < 1 || error.line > lines || error.line < previous || error.file != "fuzz.conf") std::abort();
    previous = error.line;
  }
  for (const auto& entry : file.entries)
    if (entry.value.empty() || entry.variable.empty() || entry.line < 1 || entry.line > lines) std::abort();

  sesame::config::ServerConfig config;
  std::vector<sesame::config::ConfigError> errors;
  const auto warnings = sesame::config::apply_server_config(config, file, errors);
  // Twice, as fwknopd reads a file given with -c: $NAME now sees the first pass's values.
  const auto again = sesame::config::apply_server_config(config, file, errors);
  sesame::config::check_server_config(config, errors);
  const auto check_lines = [&](const std::vector<sesame::config::ConfigError>& problems) {
    for (const auto& problem : problems)
      if (problem.line < 1 || problem.line > lines) std::abort();
  };
  check_lines(errors);
  check_lines(warnings);
  check_lines(again);
  if (sesame::config::dump_server_config(config).empty()) std::abort();
  return 0;
}
