// SPDX-License-Identifier: GPL-2.0-or-later
// load_policy: the config loaders of src/config, then fwknopd's pass 3 (options override the files).
#include "server/daemon/config_loading.h"

#include "config/server_config_loader.h"
#include "config/server_config_parser.h"

namespace sesame::server::daemon {
namespace {

std::vector<std::string> texts(const std::vector<config::ConfigError>& errors) {
  std::vector<std::string> lines;
  lines.reserve(errors.size());
  for (const auto& error : errors) lines.push_back(error.to_string());
  return lines;
}

}  // namespace

Result<config::ServerConfig, std::vector<std::string>> load_server_settings(const ServerCommandLine& line,
                                                                            std::vector<std::string>& warnings) {
  config::ServerConfigLookup lookup;
  lookup.config_file = line.config_file;
  lookup.override_config = line.override_config;
  auto loaded = config::load_server_config(lookup);
  if (!loaded) return fail(texts(loaded.error()));
  for (auto& warning : texts(loaded->warnings)) warnings.push_back(std::move(warning));
  config::ServerConfig server = std::move(loaded->config);
  std::vector<config::ConfigError> errors;
  for (const auto& override : line.overrides)
    config::set_server_variable(server, override.variable, override.value, override.option, errors);
  config::check_server_config(server, errors);
  if (!errors.empty()) return fail(texts(errors));
  server.verbose += line.verbose;
  return server;
}

Result<LoadedPolicy, std::vector<std::string>> load_policy(const ServerCommandLine& line) {
  LoadedPolicy loaded;
  auto server = load_server_settings(line, loaded.warnings);
  if (!server) return fail(server.error());
  config::AccessLoadOptions options;
  options.access_file = server->access_file;
  options.access_folder = server->access_folder.value_or("");
  options.defaults.force_nat_allowed = server->enable_ipt_forwarding || server->enable_ipt_local_nat ||
                                       server->enable_firewd_forwarding || server->enable_firewd_local_nat;
  options.defaults.gpg_home_dir = server->gpg_home_dir;
  auto access = config::load_access_config(options);
  if (!access) return fail(texts(access.error()));
  for (auto& warning : texts(access->warnings)) loaded.warnings.push_back(std::move(warning));
  loaded.policy = std::make_unique<Policy>();
  loaded.policy->server = std::move(*server);
  loaded.policy->access = std::move(*access);
  return loaded;
}

}  // namespace sesame::server::daemon
