// SPDX-License-Identifier: GPL-2.0-or-later
// Two throw-away network namespaces joined by a veth pair (and optionally a third behind the server), for the
// end-to-end tests (design.md "Tests"). All of it lives inside the namespaces, so the host's interfaces, routes,
// sysctls and firewall are never touched, and deleting the namespaces removes every address, rule and socket the
// test made.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "support/subprocess.h"

namespace sesame::test {

// Server 10.213.X.1/24 on one end, client 10.213.X.2/24 plus a second address 10.213.X.3/24 on the other, X picked
// from the pid; lo up in both, no default route.
class NetnsPair {
 public:
  // Throws std::runtime_error (with ip's output) when a step fails, after removing what it had made.
  NetnsPair();
  ~NetnsPair();
  NetnsPair(const NetnsPair&) = delete;
  NetnsPair& operator=(const NetnsPair&) = delete;

  const std::string& server_ns() const { return server_ns_; }
  const std::string& client_ns() const { return client_ns_; }
  const std::string& server_interface() const { return server_interface_; }
  const std::string& server_ip() const { return server_ip_; }
  const std::string& client_ip() const { return client_ip_; }
  const std::string& other_client_ip() const { return other_client_ip_; }

  // Makes the veth pair IPv6 only: its IPv4 addresses go, and fd53:213:X::1/64 (server), ::2 and ::3 (client) come,
  // without duplicate address detection so that they work at once; server_ip(), client_ip() and other_client_ip()
  // return those from then on. Throws like the constructor.
  void use_ipv6_only();

  // Adds a third namespace, "internal", behind the server for the NAT tests: a second veth pair with the server's
  // end 10.214.X.1/24 and the internal host 10.214.X.2/24, and in the internal namespace one route back to the
  // client subnet via the server (no default route; the client gets no route to the internal subnet). The server
  // does not forward until a test turns net.ipv4.ip_forward on inside its namespace. Throws like the constructor;
  // the namespace is deleted with the others.
  void add_internal_host();
  const std::string& internal_ns() const { return internal_ns_; }
  const std::string& internal_ip() const { return internal_ip_; }
  const std::string& server_internal_ip() const { return server_internal_ip_; }  // the server's end, 10.214.X.1

  // `ip netns exec NS argv...`.
  static ProcessResult run_in(const std::string& ns, const std::vector<std::string>& argv,
                              const ProcessOptions& options = {});
  // Like run_in, but throws std::runtime_error with the output when the command fails.
  static void check_in(const std::string& ns, const std::vector<std::string>& argv);

  // False (with a reason) when this process cannot make network namespaces: not root, no `ip`, no netns support.
  static bool available(std::string* why);

 private:
  void remove() noexcept;

  std::vector<std::string> created_;  // namespaces to delete, in creation order
  std::string id_;                    // pid-counter, in every namespace name
  std::string subnet_octet_;          // X in 10.213.X.0/24 (and 10.214.X.0/24 behind the server)
  std::string server_ns_, client_ns_, server_interface_, client_interface_;
  std::string server_ip_, client_ip_, other_client_ip_;
  std::string internal_ns_, internal_ip_, server_internal_ip_;
};

// The calling thread's network namespace switched to `ns` for the object's lifetime: sockets created meanwhile stay
// in `ns` after the switch back. Throws std::runtime_error when the switch fails.
class ScopedNetns {
 public:
  explicit ScopedNetns(const std::string& ns);
  ~ScopedNetns();
  ScopedNetns(const ScopedNetns&) = delete;
  ScopedNetns& operator=(const ScopedNetns&) = delete;

 private:
  int original_ = -1;
};

// One TCP connection from `source_ip` in namespace `ns` to ip:port. True when it was accepted and the server sent a
// line within `timeout` (the line, without '\n', goes to `line`); false on a timeout, reset or error.
bool tcp_answers(const std::string& ns, const std::string& source_ip, const std::string& ip, std::uint16_t port,
                 std::chrono::milliseconds timeout, std::string* line = nullptr);

// One UDP datagram from `source_ip` in namespace `ns` to ip:port (IPv4), as a replaying attacker on the client's path
// would send it. False when it could not be sent.
bool send_udp(const std::string& ns, const std::string& source_ip, const std::string& ip, std::uint16_t port,
              const std::string& payload);

}  // namespace sesame::test
