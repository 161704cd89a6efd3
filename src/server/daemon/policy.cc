// SPDX-License-Identifier: GPL-2.0-or-later
// Policy: the pipeline's settings from fwknopd.conf.
#include "server/daemon/policy.h"

namespace sesame::server::daemon {

PipelineSettings pipeline_settings(const config::ServerConfig& server) {
  PipelineSettings settings;
  settings.packet_aging = server.is_spa_packet_aging_enabled();
  settings.max_packet_age = server.max_spa_packet_age;
  settings.nat_forwarding = server.enable_ipt_forwarding || server.enable_firewd_forwarding;
  settings.local_nat = server.enable_ipt_local_nat || server.enable_firewd_local_nat;
  return settings;
}

Result<Ok, std::string> build_pipeline(Policy& policy, ReplayStore& replay) {
  auto pipeline = Pipeline::create(policy.access, pipeline_settings(policy.server), replay);
  if (!pipeline) return fail(pipeline.error());
  policy.pipeline.emplace(std::move(*pipeline));
  return Ok{};
}

}  // namespace sesame::server::daemon
