// SPDX-License-Identifier: GPL-2.0-or-later
// fwknopd.conf on disk: which file (sesame's own path, else fwknopd's, else -c), the -O override files after
// it, and the regular-file, mode and owner checks. The only part of the server config that does I/O; nothing
// here prints: warnings are returned for the caller to log.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "config/config_error.h"
#include "config/server_config.h"

namespace sesame::config {

inline constexpr std::string_view kSesameServerConfigPath = "/etc/sesame/sesamed.conf";
inline constexpr std::string_view kFwknopServerConfigPath = "/etc/fwknop/fwknopd.conf";

struct ServerConfigLookup {
  std::optional<std::string> config_file{};      // -c
  std::optional<std::string> override_config{};  // -O: comma-separated files
  // Without -c: the first of these that exists (tests point them into a temp dir).
  std::vector<std::string> default_paths{std::string(kSesameServerConfigPath), std::string(kFwknopServerConfigPath)};
};

struct LoadedServerConfig {
  ServerConfig config;
  std::vector<std::string> files;     // read, in order: the main file, then the override files
  std::vector<ConfigError> warnings;  // mode not 0600, not owned by the user, unknown variables, ...
};

// -c if given; else the first default path that exists; else the last one (fwknopd's), which then fails to
// load with "not found".
std::string find_server_config_file(const ServerConfigLookup& lookup);

// Reads the main file, then each override file in order (-O, or if there is no -O the OVERRIDE_CONFIG the main
// file sets, as fwknopd reads that too), applies them to a default ServerConfig and runs check_server_config.
// CONFIG_FILE and OVERRIDE_CONFIG are set first, as fwknopd sets them, so "$CONFIG_FILE" expands. All or
// nothing: any error in any file fails the load, and the errors of every file are returned. A file must exist
// and be a regular file (a symbolic link to one is fine).
Result<LoadedServerConfig, std::vector<ConfigError>> load_server_config(const ServerConfigLookup& lookup);

}  // namespace sesame::config
