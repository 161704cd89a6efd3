// SPDX-License-Identifier: GPL-2.0-or-later
// ConfigError formatting.
#include "config/config_error.h"

namespace sesame::config {

std::string ConfigError::to_string() const {
  if (line <= 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ": " + message;
}

}  // namespace sesame::config
