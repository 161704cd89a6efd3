// SPDX-License-Identifier: GPL-2.0-or-later
#include "support/redis_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "support/subprocess.h"

namespace sesame::test {
namespace {

using namespace std::chrono_literals;

std::uint16_t free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("RedisServer: no free loopback port");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

}  // namespace

std::string RedisServer::executable() {
  return find_executable({"/usr/bin/redis-server", "/usr/sbin/redis-server"});
}

RedisServer::RedisServer(std::string bind_ip, std::uint16_t port, std::string netns)
    : bind_ip_(std::move(bind_ip)), port_(port != 0 ? port : free_loopback_port()), netns_(std::move(netns)) {
  start();
}

RedisServer::~RedisServer() {
  stop();
}

std::string RedisServer::url() const {
  return "redis://" + bind_ip_ + ":" + std::to_string(port_) + "/0";
}

void RedisServer::start() {
  if (pid_ > 0) return;
  std::vector<std::string> argv;
  if (!netns_.empty()) argv = {find_executable({"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip"}), "netns", "exec", netns_};
  const std::vector<std::string> server{
      executable(),   "--port", std::to_string(port_), "--bind", bind_ip_,    "--save", "",
      "--appendonly", "no",     "--protected-mode",    "no",     "--logfile", ""};
  argv.insert(argv.end(), server.begin(), server.end());
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("RedisServer: fork failed");
  if (pid == 0) {
    std::vector<char*> args;
    for (auto& arg : argv) args.push_back(arg.data());
    args.push_back(nullptr);
    ::setpgid(0, 0);
    const int null_fd = ::open("/dev/null", O_RDWR);
    ::dup2(null_fd, 1);
    ::dup2(null_fd, 2);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  pid_ = pid;
  // Ready when `redis-cli PING` answers; in a namespace it has to run there too.
  std::vector<std::string> ping;
  if (!netns_.empty()) ping = {argv[0], "netns", "exec", netns_};
  const std::vector<std::string> cli{
      find_executable({"/usr/bin/redis-cli"}), "-h", bind_ip_, "-p", std::to_string(port_), "PING"};
  ping.insert(ping.end(), cli.begin(), cli.end());
  for (int attempt = 0; attempt < 100; ++attempt) {
    if (run_process(ping, {.timeout = 2s}).output.find("PONG") != std::string::npos) return;
    std::this_thread::sleep_for(50ms);
  }
  stop();
  throw std::runtime_error("RedisServer: redis-server on " + bind_ip_ + ":" + std::to_string(port_) +
                           " did not answer within 5 s");
}

void RedisServer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  for (int waited = 0; waited < 40; ++waited) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(50ms);
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

}  // namespace sesame::test
