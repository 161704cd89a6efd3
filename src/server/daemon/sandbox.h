// SPDX-License-Identifier: GPL-2.0-or-later
// The packet side's sandbox (PRIVILEGE_SEPARATION): after fork, once its sockets and files are open, the child
// gives up everything that could change the host. Two steps, so that a test can apply the filter alone.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "common/result.h"

namespace sesame::server::daemon {

struct SandboxUser {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
};

// PRIVSEP_USER, looked up before the fork (the child may not read /etc/passwd later); refused when it is root.
Result<SandboxUser, std::string> find_sandbox_user(const std::string& name);

// As root: every capability out of the bounding set, no supplementary groups, the user's gid and uid (real, effective
// and saved). Then, as anyone: empty capability sets and PR_SET_NO_NEW_PRIVS. `user` is ignored unless run as root.
Result<Ok, std::string> drop_privileges(const std::optional<SandboxUser>& user);

// The seccomp allow-list of the packet path (reading sockets and the clock, writing the replay log and the grant
// channel, memory). Everything else fails with EPERM, notably: opening a file for writing or creating it, socket()
// outside AF_UNIX/AF_INET/AF_INET6 (no netlink: no firewall change even with a leaked capability), exec, fork,
// ptrace, mount, changing ids. Needs PR_SET_NO_NEW_PRIVS (drop_privileges sets it).
Result<Ok, std::string> install_seccomp_filter();

}  // namespace sesame::server::daemon
