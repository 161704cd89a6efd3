// SPDX-License-Identifier: GPL-2.0-or-later
// SesamedProcess: fork/execve with the output in a file (a daemon never blocks on a full pipe), polled for events.
#include "support/sesamed_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "common/unique_fd.h"
#include "spa/packet_codec.h"
#include "spa/random.h"
#include "support/subprocess.h"

extern char** environ;

namespace sesame::test {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kPollInterval = std::chrono::milliseconds(5);

[[noreturn]] void fail(const std::string& what, int error) {
  throw std::runtime_error("SesamedProcess: " + what + ": " + std::strerror(error));
}

std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::string sesamed_path(std::string_view built) {
  if (const char* env = std::getenv("SESAMED"); env != nullptr && *env != '\0') return find_executable({env});
  if (built.empty()) return "";
  return find_executable({std::string(built)});
}

std::vector<std::string> SesamedFiles::config_args() const {
  return {"-c", conf, "-a", access, "-p", pid_file, "--replay-log", replay_log};
}

SesamedFiles write_sesamed_files(const TempDir& dir, std::uint16_t port, std::string_view conf_extra,
                                 std::string_view access_conf) {
  SesamedFiles files;
  files.port = port;
  files.run_dir = dir.path() + "/run";
  if (::mkdir(files.run_dir.c_str(), 0700) != 0 && errno != EEXIST) fail("mkdir " + files.run_dir, errno);
  files.pid_file = files.run_dir + "/sesamed.pid";
  files.replay_log = dir.path() + "/replay.log";
  files.log = dir.path() + "/sesamed.log";
  files.conf = dir.write_file("fwknopd.conf", "UDPSERV_PORT " + std::to_string(port) + "\nFWKNOP_RUN_DIR " +
                                                  files.run_dir + "\n" + std::string(conf_extra));
  files.access = dir.write_file("access.conf", access_conf);
  return files;
}

void rewrite_access_conf(const SesamedFiles& files, std::string_view access_conf) {
  // Written beside, then renamed: sesamed never sees half a file, whenever it reads.
  const std::string temp = files.access + ".new";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) fail("open " + temp, errno);
  const bool written = ::write(fd, access_conf.data(), access_conf.size()) == ssize_t(access_conf.size());
  ::close(fd);
  if (!written) throw std::runtime_error("SesamedProcess: cannot write " + temp);
  if (::rename(temp.c_str(), files.access.c_str()) != 0) fail("rename " + temp, errno);
}

SesamedProcess::SesamedProcess(const TempDir& dir, const SesamedSetup& setup, std::string_view binary) {
  const std::string program = sesamed_path(binary);
  if (program.empty()) throw std::runtime_error("SesamedProcess: no sesamed binary (build it or set $SESAMED)");
  files_ = write_sesamed_files(dir, free_udp_port(), setup.conf_extra, setup.access_conf);

  std::vector<std::string> args{program, "-f", "--log-json"};
  for (auto& arg : files_.config_args()) args.push_back(std::move(arg));
  if (setup.test_mode) args.push_back("-t");
  args.insert(args.end(), setup.args.begin(), setup.args.end());
  // Everything the child needs is made before fork: after it, async-signal-safe calls only (gtest may have threads).
  std::vector<char*> argv;
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  const UniqueFd netns(setup.netns.empty() ? -1 : ::open(("/run/netns/" + setup.netns).c_str(), O_RDONLY | O_CLOEXEC));
  if (!setup.netns.empty() && netns.get() < 0) fail("open network namespace " + setup.netns, errno);
  const UniqueFd null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  const UniqueFd log(::open(files_.log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (null.get() < 0 || log.get() < 0) fail("open /dev/null or " + files_.log, errno);

  pid_ = ::fork();
  if (pid_ < 0) fail("fork", errno);
  if (pid_ == 0) {
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGCHLD, SIG_DFL);  // ignored dispositions survive exec
    ::signal(SIGPIPE, SIG_DFL);
    if (::dup2(null.get(), 0) < 0 || ::dup2(log.get(), 1) < 0 || ::dup2(log.get(), 2) < 0) ::_exit(126);
    if (netns.get() >= 0 && ::setns(netns.get(), CLONE_NEWNET) != 0) ::_exit(125);
    ::execve(program.c_str(), argv.data(), environ);
    ::_exit(127);
  }
  if (!setup.wait_until_ready) return;
  if (wait_for_events("ready", 1, setup.ready_timeout).empty()) {
    const bool exited = !is_running();
    ::kill(pid_, SIGKILL);
    reap(true);
    read_new_output();
    throw std::runtime_error(std::string("SesamedProcess: sesamed ") +
                             (exited ? "exited during start-up" : "was not ready in time") + "; its output:\n" + text_);
  }
}

SesamedProcess::~SesamedProcess() {
  if (pid_ > 0 && !exit_status_) {
    ::kill(pid_, SIGKILL);
    reap(true);
  }
}

void SesamedProcess::reap(bool block) {
  if (pid_ <= 0 || exit_status_) return;
  int status = 0;
  pid_t got;
  do {
    got = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
  } while (got < 0 && errno == EINTR);
  if (got != pid_) return;
  exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool SesamedProcess::is_running() {
  reap(false);
  return !exit_status_;
}

bool SesamedProcess::send_signal(int signal) {
  reap(false);
  return !exit_status_ && ::kill(pid_, signal) == 0;
}

std::optional<int> SesamedProcess::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!exit_status_) {
    reap(false);
    if (exit_status_ || Clock::now() >= deadline) break;
    std::this_thread::sleep_for(kPollInterval);
  }
  read_new_output();
  return exit_status_;
}

void SesamedProcess::read_new_output() {
  const UniqueFd fd(::open(files_.log.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return;
  char buffer[65536];
  for (off_t offset = off_t(text_.size());;) {
    const ssize_t n = ::pread(fd.get(), buffer, sizeof buffer, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text_.append(buffer, std::size_t(n));
    offset += n;
  }
  // Only complete lines: the daemon writes each line with one write(2), but we may read in the middle of one.
  for (std::size_t end; (end = text_.find('\n', parsed_up_to_)) != std::string::npos; parsed_up_to_ = end + 1) {
    const std::string_view line(text_.data() + parsed_up_to_, end - parsed_up_to_);
    auto parsed = nlohmann::json::parse(line, nullptr, false);
    if (!parsed.is_discarded() && parsed.is_object()) events_.push_back(std::move(parsed));
  }
}

std::string SesamedProcess::output() const {
  return read_whole_file(files_.log);
}

std::vector<nlohmann::json> SesamedProcess::events() {
  read_new_output();
  return events_;
}

std::vector<nlohmann::json> SesamedProcess::events(std::string_view name) {
  read_new_output();
  std::vector<nlohmann::json> named;
  for (const auto& event : events_)
    if (event.value("event", "") == name) named.push_back(event);
  return named;
}

std::vector<nlohmann::json> SesamedProcess::wait_for_events(std::string_view name, std::size_t count,
                                                            std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const bool running = is_running();  // before reading: what an exited process wrote is all there
    auto named = events(name);
    if (named.size() >= count || !running || Clock::now() >= deadline) return named;
    std::this_thread::sleep_for(kPollInterval);
  }
}

std::optional<nlohmann::json> SesamedProcess::counters(std::chrono::milliseconds timeout) {
  const std::size_t before = events("counters").size();
  if (!send_signal(SIGUSR1)) return std::nullopt;
  auto seen = wait_for_events("counters", before + 1, timeout);
  if (seen.size() <= before) return std::nullopt;
  return seen.back();
}

std::uint16_t free_udp_port() {
  const UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) fail("socket", errno);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_ANY);
  socklen_t length = sizeof address;
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0)
    fail("bind/getsockname", errno);
  return ntohs(address.sin_port);
}

std::size_t send_udp(std::uint16_t port, const std::vector<std::string>& payloads, const std::string& from) {
  const UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) fail("socket", errno);
  sockaddr_in source{};
  source.sin_family = AF_INET;
  if (::inet_pton(AF_INET, from.c_str(), &source.sin_addr) != 1)
    throw std::runtime_error("send_udp: \"" + from + "\" is not an IPv4 address");
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&source), sizeof source) != 0) fail("bind " + from, errno);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  constexpr std::size_t kBatch = 256;
  std::vector<iovec> iovs(kBatch);
  std::vector<mmsghdr> headers(kBatch);
  std::size_t sent = 0;
  for (std::size_t start = 0; start < payloads.size();) {
    const std::size_t n = std::min(kBatch, payloads.size() - start);
    for (std::size_t i = 0; i < n; ++i) {
      const std::string& payload = payloads[start + i];
      iovs[i] = iovec{const_cast<char*>(payload.data()), payload.size()};
      headers[i] = mmsghdr{};
      headers[i].msg_hdr.msg_name = &to;
      headers[i].msg_hdr.msg_namelen = sizeof to;
      headers[i].msg_hdr.msg_iov = &iovs[i];
      headers[i].msg_hdr.msg_iovlen = 1;
    }
    const int got = ::sendmmsg(fd.get(), headers.data(), unsigned(n), 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      ++start;  // this datagram cannot be sent (EMSGSIZE, ...): skip it, not the rest
      continue;
    }
    sent += std::size_t(got);
    start += std::max<std::size_t>(std::size_t(got), 1);
  }
  return sent;
}

std::size_t send_udp(std::uint16_t port, std::string_view payload, const std::string& from) {
  return send_udp(port, std::vector<std::string>{std::string(payload)}, from);
}

std::string make_knock(const std::vector<std::uint8_t>& key, const std::vector<std::uint8_t>& hmac_key,
                       const std::string& username, const std::string& message) {
  spa::Keys keys;
  keys.encryption_key = SecretBytes(key);
  keys.hmac_key = SecretBytes(hmac_key);
  spa::Message knock;
  knock.random_value = spa::make_random_value().value();
  knock.username = username;
  knock.timestamp = static_cast<std::uint32_t>(std::time(nullptr));
  knock.message = message;
  auto wire = spa::encode(knock, keys);
  if (!wire) throw std::runtime_error(wire.error().to_string());
  return *wire;
}

}  // namespace sesame::test
