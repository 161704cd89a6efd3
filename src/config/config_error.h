// SPDX-License-Identifier: GPL-2.0-or-later
// ConfigError: one problem in a configuration file, with the place it was found (every config parser uses it).
#pragma once

#include <string>

namespace sesame::config {

struct ConfigError {
  std::string file;
  int line = 0;  // 1-based; 0 when the problem concerns the file as a whole
  std::string message;

  // "file:line: message" (or "file: message" when line is 0).
  std::string to_string() const;
};

}  // namespace sesame::config
