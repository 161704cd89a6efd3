// SPDX-License-Identifier: GPL-2.0-or-later
// Policy: everything SIGHUP re-reads (fwknopd.conf, access.conf and the pipeline built over them), held together
// so that a reload builds a complete new one and swaps it in only when all of it is valid.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/access_loader.h"
#include "config/server_config.h"
#include "server/pipeline.h"

namespace sesame::server::daemon {

struct Policy {
  config::ServerConfig server;
  config::AccessConfig access;
  std::optional<Pipeline> pipeline;  // built over `access`: a Policy never moves once built (unique_ptr)
};

// Loads and checks every config file; the errors name file:line. Warnings go to the log by the caller.
using PolicyLoader = std::function<Result<std::unique_ptr<Policy>, std::vector<std::string>>()>;

PipelineSettings pipeline_settings(const config::ServerConfig& server);

// Builds `policy.pipeline`; fails naming the stanza whose keys cannot be used.
Result<Ok, std::string> build_pipeline(Policy& policy, ReplayStore& replay);

}  // namespace sesame::server::daemon
