// SPDX-License-Identifier: GPL-2.0-or-later
// enter_packet_side: the first steps of PRIVILEGE_SEPARATION's child, in the order that lets it drop everything:
// open what needs privileges (the replay log, root's 0600 file; Redis), build the pipeline (the keys are already in
// memory), compact the replay log (the only time it can create a file), then drop privileges and install the
// seccomp filter. One log line then says what the child runs as, for the admin and the tests.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "common/result.h"
#include "server/daemon/logger.h"
#include "server/daemon/policy.h"
#include "server/daemon/replay_setup.h"
#include "server/daemon/sandbox.h"
#include "server/daemon/server_command_line.h"

namespace sesame::server::daemon {

Result<std::unique_ptr<ReplaySide>, std::string> enter_packet_side(const ServerCommandLine& line, Policy& policy,
                                                                   Logger& logger,
                                                                   const std::optional<SandboxUser>& user,
                                                                   int channel_fd);

}  // namespace sesame::server::daemon
