// SPDX-License-Identifier: GPL-2.0-or-later
// TcpLineServer: a socket made inside the namespace, then poll(listener, eventfd) in a thread.
#include "e2e/tcp_line_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "e2e/netns_pair.h"
#include "support/socket_address.h"

namespace sesame::test {

TcpLineServer::TcpLineServer(const std::string& ns, const std::string& ip, std::uint16_t port, std::string line)
    : line_(std::move(line)) {
  socklen_t length = 0;
  const sockaddr_storage address = socket_address(ip.c_str(), port, length);  // IPv4 or IPv6
  {
    const ScopedNetns in(ns);
    listen_fd_ = ::socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  }
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC);
  const int one = 1;
  if (listen_fd_ < 0 || stop_fd_ < 0 || ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      ::bind(listen_fd_, reinterpret_cast<const sockaddr*>(&address), length) != 0 || ::listen(listen_fd_, 16) != 0) {
    const int error = errno;
    if (listen_fd_ >= 0) ::close(listen_fd_);
    if (stop_fd_ >= 0) ::close(stop_fd_);
    throw std::runtime_error("TcpLineServer: cannot listen on " + ip + ":" + std::to_string(port) + " in " + ns + ": " +
                             std::strerror(error));
  }
  thread_ = std::thread([this] { serve(); });
}

TcpLineServer::~TcpLineServer() {
  const std::uint64_t one = 1;
  if (::write(stop_fd_, &one, sizeof one) != sizeof one) std::terminate();  // the thread would never end
  thread_.join();
  ::close(listen_fd_);
  ::close(stop_fd_);
}

void TcpLineServer::serve() {
  const std::string reply = line_ + "\n";
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;
    const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    ++connections_;
    // A reply this short fits any fresh socket's send buffer: one write, never blocking for long.
    [[maybe_unused]] const ssize_t written = ::send(client, reply.data(), reply.size(), MSG_NOSIGNAL);
    ::close(client);
  }
}

}  // namespace sesame::test
