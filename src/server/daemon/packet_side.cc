// SPDX-License-Identifier: GPL-2.0-or-later
// enter_packet_side: the child's set-up, then its sandbox.
#include "server/daemon/packet_side.h"

#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>

#include <ctime>

namespace sesame::server::daemon {

Result<std::unique_ptr<ReplaySide>, std::string> enter_packet_side(const ServerCommandLine& line, Policy& policy,
                                                                   Logger& logger,
                                                                   const std::optional<SandboxUser>& user,
                                                                   int channel_fd) {
  auto side = open_replay_side(line, policy.server, logger, false);
  if (!side) return fail(side.error());
  if (auto built = build_pipeline(policy, *(*side)->store); !built) return fail(built.error());
  const std::int64_t now_s = static_cast<std::int64_t>(std::time(nullptr));
  if (ReplayLog* log = (*side)->store->log(); log != nullptr && log->should_compact((*side)->cache)) {
    if (auto compacted = log->compact((*side)->cache, now_s); !compacted)
      logger.message(LogLevel::kError, compacted.error().message);
  }
  const pid_t parent = ::getppid();
  if (auto dropped = drop_privileges(user); !dropped) return fail(dropped.error());
  // A change of uid clears the parent-death signal: set it now. SIGTERM is read from the signalfd, so a parent
  // that dies stops this child cleanly; one that died already is noticed by the pid check.
  if (::prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || ::getppid() != parent)
    return fail(std::string("the privileged parent is gone"));
  // Kept off under AddressSanitizer only if it ever needs more than the allow-list; today it does not (sandbox.h).
  if (auto filtered = install_seccomp_filter(); !filtered) return fail(filtered.error());
  logger.message(LogLevel::kInfo, "Packet side: pid " + std::to_string(::getpid()) + ", uid " +
                                      std::to_string(::getuid()) + (user ? " (" + user->name + ")" : "") +
                                      ", no capabilities, seccomp filter on, grant channel fd " +
                                      std::to_string(channel_fd));
  return side;
}

}  // namespace sesame::server::daemon
