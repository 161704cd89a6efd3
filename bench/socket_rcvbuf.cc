// SPDX-License-Identifier: GPL-2.0-or-later
// socket_rcvbuf: sets SO_RCVBUFFORCE on another process's UDP socket (by pid and local port) through
// pidfd_getfd, so both servers get the same large receive queue without changing net.core.rmem_default, which is
// not per network namespace (the host's value would change).
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "bench_args.h"

int main(int argc, char** argv) {
  const sesame::bench::BenchArgs args(argc, argv, "--pid PID --port P --bytes B");
  const int pid = int(args.number("pid", 0));
  const int port = int(args.number("port", 62201));
  const int bytes = int(args.number("bytes", 256 << 20));
  const int pidfd = int(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) return std::perror("pidfd_open"), 1;
  int changed = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    std::error_code error;
    const std::string target = std::filesystem::read_symlink(entry.path(), error).string();
    if (error || target.rfind("socket:", 0) != 0) continue;
    const int fd = int(::syscall(SYS_pidfd_getfd, pidfd, std::stoi(entry.path().filename().string()), 0));
    if (fd < 0) continue;
    sockaddr_storage local{};
    socklen_t len = sizeof local;
    int type = 0;
    socklen_t type_len = sizeof type;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) == 0 &&
        ::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_len) == 0 && type == SOCK_DGRAM) {
      int local_port = -1;
      if (local.ss_family == AF_INET) local_port = ntohs(reinterpret_cast<sockaddr_in*>(&local)->sin_port);
      if (local.ss_family == AF_INET6) local_port = ntohs(reinterpret_cast<sockaddr_in6*>(&local)->sin6_port);
      if (local_port == port && ::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) == 0) {
        int now = 0;
        socklen_t now_len = sizeof now;
        ::getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &now, &now_len);
        std::printf("pid %d fd %s: SO_RCVBUF %d\n", pid, entry.path().filename().c_str(), now);
        ++changed;
      }
    }
    ::close(fd);
  }
  ::close(pidfd);
  if (changed == 0) return std::fprintf(stderr, "socket_rcvbuf: pid %d has no UDP socket on port %d\n", pid, port), 1;
  return 0;
}
