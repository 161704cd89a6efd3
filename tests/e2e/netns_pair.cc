// SPDX-License-Identifier: GPL-2.0-or-later
// NetnsPair: `ip netns add`, one veth pair created straight inside the two namespaces, `ip netns del`.
#include "e2e/netns_pair.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <stdexcept>

#include "common/unique_fd.h"
#include "support/socket_address.h"

namespace sesame::test {
namespace {

using Clock = std::chrono::steady_clock;

std::string ip_path() {
  return find_executable({"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"});
}

void check(const std::vector<std::string>& argv) {
  const ProcessResult result = run_process(argv, {.timeout = std::chrono::seconds(10)});
  if (!result.succeeded()) {
    std::string command;
    for (const std::string& arg : argv) command += (command.empty() ? "" : " ") + arg;
    throw std::runtime_error("`" + command + "` failed: " + result.output);
  }
}

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? int(left) : 0;
}

}  // namespace

NetnsPair::NetnsPair() {
  static std::atomic<unsigned> counter{0};
  const unsigned n = counter++;
  const auto pid = unsigned(::getpid());
  id_ = std::to_string(pid) + "-" + std::to_string(n);
  server_ns_ = "sesame-e2e-" + id_ + "-srv";
  client_ns_ = "sesame-e2e-" + id_ + "-cli";
  // Interface names are at most 15 characters; they exist only inside the namespaces.
  server_interface_ = "sv" + std::to_string(pid % 10000000) + "s" + std::to_string(n % 100);
  client_interface_ = "sv" + std::to_string(pid % 10000000) + "c" + std::to_string(n % 100);
  subnet_octet_ = std::to_string(1 + (pid + n) % 250);
  const std::string subnet = "10.213." + subnet_octet_ + ".";
  server_ip_ = subnet + "1";
  client_ip_ = subnet + "2";
  other_client_ip_ = subnet + "3";

  const std::string ip = ip_path();
  if (ip.empty()) throw std::runtime_error("NetnsPair: `ip` (iproute2) not installed");
  try {
    for (const std::string* ns : {&server_ns_, &client_ns_}) {
      check({ip, "netns", "add", *ns});
      created_.push_back(*ns);
      check({ip, "-n", *ns, "link", "set", "lo", "up"});
    }
    // Both ends are created inside their namespaces: the host never sees them.
    check({ip, "link", "add", server_interface_, "netns", server_ns_, "type", "veth", "peer", "name", client_interface_,
           "netns", client_ns_});
    check({ip, "-n", server_ns_, "addr", "add", server_ip_ + "/24", "dev", server_interface_});
    check({ip, "-n", client_ns_, "addr", "add", client_ip_ + "/24", "dev", client_interface_});
    check({ip, "-n", client_ns_, "addr", "add", other_client_ip_ + "/24", "dev", client_interface_});
    check({ip, "-n", server_ns_, "link", "set", server_interface_, "up"});
    check({ip, "-n", client_ns_, "link", "set", client_interface_, "up"});
  } catch (...) {
    remove();
    throw;
  }
}

void NetnsPair::use_ipv6_only() {
  const std::string ip = ip_path();
  const std::string prefix = "fd53:213:" + subnet_octet_ + "::";
  for (const auto& [ns, interface] : {std::pair{server_ns_, server_interface_}, {client_ns_, client_interface_}}) {
    check({ip, "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf." + interface + ".disable_ipv6=0"});
    check({ip, "-n", ns, "-4", "addr", "flush", "dev", interface});
  }
  server_ip_ = prefix + "1";
  client_ip_ = prefix + "2";
  other_client_ip_ = prefix + "3";
  check({ip, "-n", server_ns_, "addr", "add", server_ip_ + "/64", "dev", server_interface_, "nodad"});
  check({ip, "-n", client_ns_, "addr", "add", client_ip_ + "/64", "dev", client_interface_, "nodad"});
  check({ip, "-n", client_ns_, "addr", "add", other_client_ip_ + "/64", "dev", client_interface_, "nodad"});
}

void NetnsPair::add_internal_host() {
  if (!internal_ns_.empty()) throw std::logic_error("NetnsPair: internal host added twice");
  const std::string ip = ip_path();
  const std::string server_end = server_interface_ + "i";  // at most 13 characters, like the first pair's
  const std::string internal_end = client_interface_ + "i";
  const std::string subnet = "10.214." + subnet_octet_ + ".";
  internal_ns_ = "sesame-e2e-" + id_ + "-int";
  internal_ip_ = subnet + "2";
  server_internal_ip_ = subnet + "1";
  check({ip, "netns", "add", internal_ns_});
  created_.push_back(internal_ns_);  // from here on the destructor deletes it, also when a later step throws
  check({ip, "-n", internal_ns_, "link", "set", "lo", "up"});
  check({ip, "link", "add", server_end, "netns", server_ns_, "type", "veth", "peer", "name", internal_end, "netns",
         internal_ns_});
  check({ip, "-n", server_ns_, "addr", "add", server_internal_ip_ + "/24", "dev", server_end});
  check({ip, "-n", internal_ns_, "addr", "add", internal_ip_ + "/24", "dev", internal_end});
  check({ip, "-n", server_ns_, "link", "set", server_end, "up"});
  check({ip, "-n", internal_ns_, "link", "set", internal_end, "up"});
  // Replies go back through the server: without this route the internal host could only answer with SNAT.
  check({ip, "-n", internal_ns_, "route", "add", "10.213." + subnet_octet_ + ".0/24", "via", server_internal_ip_});
}

NetnsPair::~NetnsPair() {
  remove();
}

void NetnsPair::remove() noexcept {
  const std::string ip = ip_path();
  for (auto it = created_.rbegin(); it != created_.rend(); ++it) {
    try {
      const ProcessResult result = run_process({ip, "netns", "del", *it}, {.timeout = std::chrono::seconds(10)});
      if (!result.succeeded()) std::cerr << "NetnsPair: warning: `ip netns del " << *it << "`: " << result.output;
    } catch (const std::exception& e) {
      std::cerr << "NetnsPair: warning: cannot delete netns " << *it << ": " << e.what() << "\n";
    }
  }
  created_.clear();
}

ProcessResult NetnsPair::run_in(const std::string& ns, const std::vector<std::string>& argv,
                                const ProcessOptions& options) {
  std::vector<std::string> full{ip_path(), "netns", "exec", ns};
  full.insert(full.end(), argv.begin(), argv.end());
  return run_process(full, options);
}

void NetnsPair::check_in(const std::string& ns, const std::vector<std::string>& argv) {
  std::vector<std::string> full{ip_path(), "netns", "exec", ns};
  full.insert(full.end(), argv.begin(), argv.end());
  check(full);
}

bool NetnsPair::available(std::string* why) {
  std::string reason;
  if (::geteuid() != 0) {
    reason = "not running as root";
  } else if (ip_path().empty()) {
    reason = "`ip` (iproute2) not installed";
  } else {
    const std::string probe = "sesame-e2e-probe-" + std::to_string(::getpid());
    const ProcessResult added = run_process({ip_path(), "netns", "add", probe}, {.timeout = std::chrono::seconds(10)});
    if (added.succeeded())
      run_process({ip_path(), "netns", "del", probe}, {.timeout = std::chrono::seconds(10)});
    else
      reason = "`ip netns add` failed: " + added.output;
  }
  if (why != nullptr) *why = reason;
  return reason.empty();
}

ScopedNetns::ScopedNetns(const std::string& ns) {
  original_ = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (original_ < 0) throw std::runtime_error(std::string("ScopedNetns: open own netns: ") + std::strerror(errno));
  const UniqueFd target(::open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC));
  if (target.get() < 0 || ::setns(target.get(), CLONE_NEWNET) != 0) {
    const int error = errno;
    ::close(original_);
    throw std::runtime_error("ScopedNetns: cannot enter " + ns + ": " + std::strerror(error));
  }
}

ScopedNetns::~ScopedNetns() {
  if (::setns(original_, CLONE_NEWNET) != 0) {
    // Staying in a test namespace would send later traffic of this thread to the wrong place.
    std::cerr << "ScopedNetns: cannot return to the original namespace: " << std::strerror(errno) << "\n";
    std::abort();
  }
  ::close(original_);
}

bool tcp_answers(const std::string& ns, const std::string& source_ip, const std::string& ip, std::uint16_t port,
                 std::chrono::milliseconds timeout, std::string* line) {
  const auto deadline = Clock::now() + timeout;
  socklen_t source_length = 0;
  socklen_t target_length = 0;
  const sockaddr_storage source = socket_address(source_ip.c_str(), 0, source_length);
  const sockaddr_storage target = socket_address(ip.c_str(), port, target_length);
  if (source.ss_family != target.ss_family)
    throw std::invalid_argument("tcp_answers: " + source_ip + " and " + ip + " are of different families");
  int raw = -1;
  {
    const ScopedNetns in(ns);
    raw = ::socket(target.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  }
  const UniqueFd fd(raw);
  if (fd.get() < 0) return false;
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&source), source_length) != 0) return false;
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&target), target_length) != 0 && errno != EINPROGRESS)
    return false;
  pollfd pfd{fd.get(), POLLOUT, 0};
  if (::poll(&pfd, 1, remaining_ms(deadline)) != 1) return false;  // SYN dropped: no answer in time
  int error = 0;
  socklen_t size = sizeof error;
  if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &size) != 0 || error != 0) return false;
  std::string received;
  while (received.find('\n') == std::string::npos) {
    pfd = {fd.get(), POLLIN, 0};
    if (::poll(&pfd, 1, remaining_ms(deadline)) != 1) return false;
    char buffer[256];
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n <= 0) return false;
    received.append(buffer, std::size_t(n));
  }
  if (line != nullptr) *line = received.substr(0, received.find('\n'));
  return true;
}

bool send_udp(const std::string& ns, const std::string& source_ip, const std::string& ip, std::uint16_t port,
              const std::string& payload) {
  int fd = -1;
  {
    const ScopedNetns in(ns);
    fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  }
  if (fd < 0) return false;
  sockaddr_in source{};
  source.sin_family = AF_INET;
  sockaddr_in target{};
  target.sin_family = AF_INET;
  target.sin_port = htons(port);
  const bool ok = ::inet_pton(AF_INET, source_ip.c_str(), &source.sin_addr) == 1 &&
                  ::inet_pton(AF_INET, ip.c_str(), &target.sin_addr) == 1 &&
                  ::bind(fd, reinterpret_cast<const sockaddr*>(&source), sizeof source) == 0 &&
                  ::sendto(fd, payload.data(), payload.size(), 0, reinterpret_cast<const sockaddr*>(&target),
                           sizeof target) == ssize_t(payload.size());
  ::close(fd);
  return ok;
}

}  // namespace sesame::test
