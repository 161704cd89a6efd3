// SPDX-License-Identifier: GPL-2.0-or-later
// The router build's stand-in for sandbox.cc (no libseccomp in that image): PRIVILEGE_SEPARATION cannot start
// there, and says why, instead of running the packet side unfiltered.
#include "server/daemon/sandbox.h"

namespace sesame::server::daemon {

Result<SandboxUser, std::string> find_sandbox_user(const std::string&) {
  return fail(std::string("PRIVILEGE_SEPARATION: not available in the router build (no libseccomp)"));
}

Result<Ok, std::string> drop_privileges(const std::optional<SandboxUser>&) {
  return fail(std::string("PRIVILEGE_SEPARATION: not available in the router build"));
}

Result<Ok, std::string> install_seccomp_filter() {
  return fail(std::string("PRIVILEGE_SEPARATION: not available in the router build"));
}

}  // namespace sesame::server::daemon
