// SPDX-License-Identifier: GPL-2.0-or-later
// NetnsSesamed: sesamed -f through NetnsProcess (`ip netns exec` execs sesamed itself, so the pid is sesamed's).
#include "e2e/netns_sesamed.h"

#include <signal.h>

namespace sesame::test {
namespace {

std::vector<std::string> sesamed_command(const std::vector<std::string>& wrapper,
                                         const std::vector<std::string>& args) {
  std::vector<std::string> command = wrapper;
  command.insert(command.end(), {SESAMED_PATH, "-f"});
  command.insert(command.end(), args.begin(), args.end());
  return command;
}

}  // namespace

NetnsSesamed::NetnsSesamed(const std::string& ns, const std::vector<std::string>& args, std::string log_path,
                           std::chrono::milliseconds timeout, const std::vector<std::string>& wrapper)
    : NetnsProcess("NetnsSesamed", ns, sesamed_command(wrapper, args),
                   {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"}, std::move(log_path), "Starting sesamed",
                   timeout) {}

std::optional<int> NetnsSesamed::terminate(std::chrono::milliseconds timeout) {
  return stop(SIGTERM, timeout);
}

}  // namespace sesame::test
