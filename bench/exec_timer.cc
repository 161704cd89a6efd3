// SPDX-License-Identifier: GPL-2.0-or-later
// exec_timer: runs one command (argv after `--`) once and prints its whole-process wall time and CPU time (user +
// system, from wait4) in µs; stdout and stderr of the command go to /dev/null.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
  if (argc < 3 || std::strcmp(argv[1], "--") != 0)
    return std::fprintf(stderr, "usage: %s -- COMMAND ARGS...\n", argv[0]), 2;
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int null_fd = ::open("/dev/null", O_RDWR);
    ::dup2(null_fd, 0);
    ::dup2(null_fd, 1);
    ::dup2(null_fd, 2);
    ::execv(argv[2], argv + 2);
    ::_exit(127);
  }
  int status = 0;
  rusage usage{};
  ::wait4(pid, &status, 0, &usage);
  const double wall_us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
  const double cpu_us = double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e6 +
                        double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
  std::printf("wall_us=%.0f cpu_us=%.0f status=%d\n", wall_us, cpu_us, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  return 0;
}
