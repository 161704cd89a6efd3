// SPDX-License-Identifier: GPL-2.0-or-later
// Sandbox: capabilities through raw capset (no libcap needed for "none"), the filter through libseccomp.
#include "server/daemon/sandbox.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <seccomp.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string_view>

namespace sesame::server::daemon {
namespace {

std::string errno_text(std::string_view what) {
  return std::string(what) + ": " + std::strerror(errno);
}

// The packet path's system calls. Names, not numbers, so that one list serves every architecture: a name the
// architecture lacks (open on aarch64) is skipped.
constexpr const char* kAllowed[] = {
    // memory, threads' bookkeeping, time
    "brk", "mmap", "munmap", "mremap", "mprotect", "madvise", "futex", "set_robust_list", "rseq", "sched_yield",
    "clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep", "gettimeofday", "time", "getrandom",
    // signals: the signalfd is read; tgkill (abort() on a broken invariant) is allowed below at itself only
    "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack", "gettid", "getpid", "getppid", "restart_syscall",
    // identity queries (glibc, syslog)
    "getuid", "geteuid", "getgid", "getegid", "uname", "sysinfo", "prlimit64",
    // descriptors already open: capture sockets, the replay log (appended, synced), the grant channel, stderr
    "read", "readv", "pread64", "write", "writev", "close", "fstat", "newfstatat", "statx", "lseek", "fcntl", "ioctl",
    "dup", "dup3", "fdatasync", "fsync", "getdents64", "readlink", "readlinkat", "access", "faccessat", "faccessat2",
    // an anonymous pipe reaches nothing; UBSan's vptr check (the asan build) probes memory through one, and
    // without it reports every virtual call as a bad object and aborts
    "pipe", "pipe2",
    // the event loop
    "epoll_create1", "epoll_wait", "epoll_pwait", "epoll_pwait2", "epoll_ctl", "poll", "ppoll", "select", "pselect6",
    // sockets: receive SPA packets, answer the TCP/HTTP and metrics clients, send to syslog and Redis
    "recvfrom", "recvmsg", "recvmmsg", "sendto", "sendmsg", "sendmmsg", "accept", "accept4", "shutdown", "connect",
    "getsockname", "getpeername", "getsockopt", "setsockopt", "exit", "exit_group"};

struct FilterDeleter {
  void operator()(scmp_filter_ctx ctx) const noexcept { seccomp_release(ctx); }
};

Result<Ok, std::string> add_rule(scmp_filter_ctx ctx, const char* name, unsigned count = 0,
                                 const scmp_arg_cmp* compare = nullptr) {
  const int number = seccomp_syscall_resolve_name(name);
  if (number == __NR_SCMP_ERROR) return Ok{};  // not on this architecture
  const int result = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, number, count, compare);
  if (result != 0) return fail(std::string("seccomp_rule_add ") + name + ": " + std::strerror(-result));
  return Ok{};
}

}  // namespace

Result<SandboxUser, std::string> find_sandbox_user(const std::string& name) {
  errno = 0;
  const passwd* entry = ::getpwnam(name.c_str());
  if (entry == nullptr) return fail("PRIVSEP_USER: \"" + name + "\" is not a user");
  if (entry->pw_uid == 0) return fail("PRIVSEP_USER: \"" + name + "\" is root; the packet side must not be");
  return SandboxUser{name, entry->pw_uid, entry->pw_gid};
}

Result<Ok, std::string> drop_privileges(const std::optional<SandboxUser>& user) {
  if (::geteuid() == 0) {
    // The bounding set first, while CAP_SETPCAP is still held: nothing executed later could regain a capability.
    for (int cap = 0; cap <= CAP_LAST_CAP; ++cap)
      if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) return fail(errno_text("PR_CAPBSET_DROP"));
    if (user) {
      if (::setgroups(0, nullptr) != 0) return fail(errno_text("setgroups"));
      if (::setresgid(user->gid, user->gid, user->gid) != 0) return fail(errno_text("setresgid"));
      if (::setresuid(user->uid, user->uid, user->uid) != 0) return fail(errno_text("setresuid"));
    }
  }
  // Leaving uid 0 already cleared the permitted and effective sets; this also covers a non-root start with file
  // capabilities or ambient ones, and a root start without PRIVSEP_USER.
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
    return fail(errno_text("PR_CAP_AMBIENT_CLEAR_ALL"));
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (::syscall(SYS_capset, &header, data) != 0) return fail(errno_text("capset"));
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return fail(errno_text("PR_SET_NO_NEW_PRIVS"));
  return Ok{};
}

Result<Ok, std::string> install_seccomp_filter() {
  std::unique_ptr<void, FilterDeleter> ctx(seccomp_init(SCMP_ACT_ERRNO(EPERM)));
  if (!ctx) return fail(std::string("seccomp_init failed"));
  for (const char* name : kAllowed)
    if (auto added = add_rule(ctx.get(), name); !added) return added;
  // Files: read-only opens only (glibc's resolver and NSS read /etc; nothing is created, truncated or written).
  constexpr scmp_datum_t kWriteFlags = O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND;
  const scmp_arg_cmp open_read_only = SCMP_A1(SCMP_CMP_MASKED_EQ, kWriteFlags, 0);
  const scmp_arg_cmp openat_read_only = SCMP_A2(SCMP_CMP_MASKED_EQ, kWriteFlags, 0);
  if (auto added = add_rule(ctx.get(), "open", 1, &open_read_only); !added) return added;
  if (auto added = add_rule(ctx.get(), "openat", 1, &openat_read_only); !added) return added;
  // socket(): local and IP families only. AF_NETLINK (nftables, iptables, NFQUEUE) and AF_PACKET stay refused.
  for (const int family : {AF_UNIX, AF_INET, AF_INET6}) {
    const scmp_arg_cmp same_family = SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(family));
    if (auto added = add_rule(ctx.get(), "socket", 1, &same_family); !added) return added;
  }
  // A signal to itself only: not to the parent, which may run as the same uid.
  const scmp_arg_cmp to_itself = SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(::getpid()));
  if (auto added = add_rule(ctx.get(), "tgkill", 1, &to_itself); !added) return added;
  const int loaded = seccomp_load(ctx.get());
  if (loaded != 0) return fail(std::string("seccomp_load: ") + std::strerror(-loaded));
  return Ok{};
}

}  // namespace sesame::server::daemon
