// SPDX-License-Identifier: GPL-2.0-or-later
// NetnsLauncher: sesame-launcher through NetnsProcess (`ip netns exec` execs it, so the pid is the launcher's).
#include "e2e/netns_launcher.h"

namespace sesame::test {
namespace {

std::vector<std::string> launcher_command(const std::vector<std::string>& args) {
  std::vector<std::string> command{SESAME_LAUNCHER_PATH};
  command.insert(command.end(), args.begin(), args.end());
  return command;
}

}  // namespace

NetnsLauncher::NetnsLauncher(const std::string& ns, const std::vector<std::string>& args, const std::string& home,
                             std::string log_path, std::chrono::milliseconds timeout)
    : NetnsProcess("NetnsLauncher", ns, launcher_command(args),
                   {"HOME=" + home, "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"}, std::move(log_path),
                   "sesame-launcher: ready", timeout) {}

}  // namespace sesame::test
