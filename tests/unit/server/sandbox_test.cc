// SPDX-License-Identifier: GPL-2.0-or-later
// The packet side's sandbox, in a forked child as sesamed applies it: under the seccomp filter, opening a file for
// writing, creating a netlink socket (the firewall's way in), exec, fork and a signal to the parent fail with EPERM
// while reading a file and an IP socket still work; as root, drop_privileges leaves no capability, NoNewPrivs set and
// PRIVSEP_USER's uid.
#include "server/daemon/sandbox.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include "support/temp_dir.h"

namespace sesame::server::daemon {
namespace {

// Runs `body` in a forked child; its exit status (the number of the first failed check, 0 when all held).
int in_child(const std::function<int()>& body) {
  const pid_t pid = ::fork();
  if (pid == 0) std::_Exit(body());
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

bool refused_with_eperm(int result) {
  return result < 0 && errno == EPERM;
}

std::string status_field(const std::string& name) {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind(name + ":", 0) == 0) return line.substr(line.find_first_not_of(" \t", name.size() + 1));
  return "";
}

TEST(Sandbox, SeccompFilterRefusesWritesNetlinkExecAndFork) {
  test::TempDir dir("sesame-sandbox");
  const std::string written = dir.path() + "/written";
  const std::string readable = dir.write_file("readable", "x");
  const int failed = in_child([&]() -> int {
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return 1;
    if (!install_seccomp_filter()) return 2;
    if (!refused_with_eperm(::open(written.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600))) return 3;
    if (!refused_with_eperm(::open(readable.c_str(), O_RDWR | O_CLOEXEC))) return 4;
    if (!refused_with_eperm(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0))) return 5;  // NETLINK_ROUTE
    if (!refused_with_eperm(::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0))) return 6;
    char* const argv[] = {const_cast<char*>("/bin/true"), nullptr};
    if (!refused_with_eperm(::execv("/bin/true", argv))) return 7;
    if (!refused_with_eperm(static_cast<int>(::fork()))) return 8;
    if (!refused_with_eperm(::unlink(readable.c_str()))) return 9;
    if (!refused_with_eperm(::setuid(0))) return 10;
    if (!refused_with_eperm(static_cast<int>(::syscall(SYS_tgkill, ::getppid(), ::getppid(), 0)))) return 14;
    // What the packet path needs still works.
    const int fd = ::open(readable.c_str(), O_RDONLY | O_CLOEXEC);
    char byte = 0;
    if (fd < 0 || ::read(fd, &byte, 1) != 1 || byte != 'x') return 11;
    const int udp = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (udp < 0) return 12;
    if (status_field("Seccomp") != "2") return 13;
    return 0;
  });
  EXPECT_EQ(failed, 0) << "check " << failed << " failed in the sandboxed child";
  EXPECT_FALSE(std::filesystem::exists(written));
  EXPECT_TRUE(std::filesystem::exists(readable));
}

TEST(Sandbox, DropPrivilegesLeavesNoCapabilityAsRoot) {
  if (::geteuid() != 0) GTEST_SKIP() << "SKIPPED: needs root (drops from root to PRIVSEP_USER)";
  const auto user = find_sandbox_user("nobody");
  if (!user) GTEST_SKIP() << "SKIPPED: " << user.error();
  const int failed = in_child([&]() -> int {
    if (!drop_privileges(*user)) return 1;
    if (status_field("CapEff") != "0000000000000000") return 2;
    if (status_field("CapPrm") != "0000000000000000") return 3;
    if (status_field("CapBnd") != "0000000000000000") return 4;
    if (status_field("NoNewPrivs") != "1") return 5;
    if (::getuid() != user->uid || ::geteuid() != user->uid || ::getgid() != user->gid) return 6;
    if (::setuid(0) == 0) return 7;  // no way back
    return 0;
  });
  EXPECT_EQ(failed, 0) << "check " << failed << " failed after drop_privileges";
}

TEST(Sandbox, RootIsNoSandboxUser) {
  const auto root = find_sandbox_user("root");
  ASSERT_FALSE(root);
  EXPECT_EQ(root.error(), "PRIVSEP_USER: \"root\" is root; the packet side must not be");
  EXPECT_FALSE(find_sandbox_user("no-such-user-sesame"));
}

}  // namespace
}  // namespace sesame::server::daemon
