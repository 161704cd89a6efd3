// SPDX-License-Identifier: GPL-2.0-or-later
// sd_notify without libsystemd, for the router build (SESAME_ROUTER_BUILD, docs/router-build.md): OpenWrt's procd
// never sets NOTIFY_SOCKET, so there this does nothing; under systemd (Type=notify) it sends the state as one
// datagram to the socket NOTIFY_SOCKET names, as libsystemd does ('@' for an abstract socket), so readiness and
// reloads are still reported. Replaces linking libsystemd (-lsystemd and its ~10 dependent libraries).
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "systemd/sd-daemon.h"

extern "C" int sd_notify(int unset_environment, const char* state) {
  const char* path = std::getenv("NOTIFY_SOCKET");
  if (path == nullptr || state == nullptr) return 0;
  const std::string_view name(path);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (name.size() < 2 || name.size() >= sizeof(address.sun_path) || (name[0] != '/' && name[0] != '@')) return 0;
  std::memcpy(address.sun_path, name.data(), name.size());
  if (name[0] == '@') address.sun_path[0] = '\0';  // abstract namespace
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  const auto length = socklen_t(offsetof(sockaddr_un, sun_path) + name.size());
  const ssize_t sent =
      ::sendto(fd, state, std::strlen(state), MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&address), length);
  ::close(fd);
  if (unset_environment != 0) ::unsetenv("NOTIFY_SOCKET");
  return sent < 0 ? -1 : 1;
}
