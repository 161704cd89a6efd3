// SPDX-License-Identifier: GPL-2.0-or-later
// tcp_sink: the protected service of the knock benchmark; listens on --ip:--port, accepts and closes, until killed.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>

#include "bench_args.h"

int main(int argc, char** argv) {
  const sesame::bench::BenchArgs args(argc, argv, "--ip IP [--port 22222]");
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(std::uint16_t(args.number("port", 22222)));
  if (inet_pton(AF_INET, args.text("ip").c_str(), &sa.sin_addr) != 1)
    return std::fprintf(stderr, "tcp_sink: --ip\n"), 2;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0 || ::listen(fd, 4096) != 0)
    return std::perror("tcp_sink"), 1;
  std::printf("listening\n");
  std::fflush(stdout);
  for (;;) {
    const int client = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (client >= 0) ::close(client);
  }
}
