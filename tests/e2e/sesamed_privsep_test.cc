// SPDX-License-Identifier: GPL-2.0-or-later
// End to end with PRIVILEGE_SEPARATION Y (issue 11): sesamed behind a default-drop nftables ruleset, capturing by
// pcap. The packet side is a child with no capability, NoNewPrivs and a seccomp filter, running as nobody, and a
// knock still opens the port through the privileged parent. Requests forged on the child's own end of the grant
// channel (taken from it with pidfd_getfd, as code running in a compromised child would hold it) are refused and
// logged by the real parent, and the firewall stays as it was. SIGHUP restarts the child under the new policy;
// a child killed from outside ends the daemon with an error. Root only; namespaces made and removed by each test.
#include <arpa/inet.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "e2e/sesamed_knock_fixture.h"
#include "e2e/system_tools.h"

namespace sesame::test {
namespace {

using namespace std::chrono_literals;

constexpr std::uint16_t kPort = 22222;
constexpr std::uint16_t kOtherPort = 22223;  // a service the stanza does not open

std::string proc_status_field(pid_t pid, const std::string& name) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind(name + ":", 0) == 0) return line.substr(line.find_first_not_of(" \t", name.size() + 1));
  return "";
}

std::vector<pid_t> children_of(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  std::vector<pid_t> children;
  for (pid_t child = 0; file >> child;) children.push_back(child);
  return children;
}

// A GrantMessage (server/daemon/grant_message.h, version 1) written out by hand, as a compromised child would.
std::string forged_request(std::uint32_t stanza_index, const std::string& ip, std::uint16_t port,
                           std::uint32_t timeout_s) {
  std::string out;
  const auto put = [&](std::uint64_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>(value >> (8 * i)));
  };
  put(1, 1);  // version
  put(2, 1);  // kind: request
  put(stanza_index, 4);
  put(1, 1);  // type: access
  put(0, 1);  // flags
  in_addr address{};
  ::inet_pton(AF_INET, ip.c_str(), &address);
  for (int i = 0; i < 3; ++i) {  // allow IP, packet source, packet destination (0.0.0.0)
    put(4, 1);
    std::string bytes(16, '\0');
    if (i < 2) std::memcpy(bytes.data(), &address, 4);
    out += bytes;
  }
  put(timeout_s, 4);
  put(0, 4);  // client timeout
  put(static_cast<std::uint64_t>(std::time(nullptr)), 8);
  put(0, 2);  // username
  put(1, 2);  // one port
  put(6, 1);  // tcp
  put(port, 2);
  return out;
}

class SesamedPrivsepEndToEnd : public SesamedKnockFixture {
 protected:
  void SetUp() override {
    SesamedKnockFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (nft_path().empty()) GTEST_SKIP() << "SKIPPED: nft (nftables) not installed";
    target_ = Target{net_->server_ip(), kPort, "behind the privileged parent"};
    other_ = Target{net_->server_ip(), kOtherPort, "not in OPEN_PORTS"};
    NetnsPair::check_in(net_->server_ns(), {nft_path(), "-f", dir_.write_file("ruleset.nft", default_drop_ruleset())});
    service_ = std::make_unique<TcpLineServer>(net_->server_ns(), target_.ip, target_.port, target_.greeting);
    other_service_ = std::make_unique<TcpLineServer>(net_->server_ns(), other_.ip, other_.port, other_.greeting);
    write_configs("FIREWALL_TYPE nftables\nNFT_TABLE inet filter\nPRIVILEGE_SEPARATION Y\n",
                  stanza("OPEN_PORTS tcp/" + std::to_string(kPort) + "\nFW_ACCESS_TIMEOUT 5\nMAX_FW_TIMEOUT 10\n"));
  }
  void TearDown() override {
    other_service_.reset();
    SesamedKnockFixture::TearDown();
  }

  // The packet side's pid and channel fd, from its own log line.
  void find_child(pid_t& pid, int& channel_fd, std::size_t skip_lines = 0) const {
    const std::string log = sesamed_->log();
    std::size_t at = 0;
    for (std::size_t i = 0; i <= skip_lines; ++i) {
      at = log.find("Packet side: pid ", at == 0 && i == 0 ? 0 : at + 1);
      ASSERT_NE(at, std::string::npos) << sesamed_log();
    }
    pid = std::stoi(log.substr(at + 17));
    const std::size_t fd_at = log.find("grant channel fd ", at);
    ASSERT_NE(fd_at, std::string::npos) << sesamed_log();
    channel_fd = std::stoi(log.substr(fd_at + 17));
  }

  // The child as the kernel sees it: no capability, no way to gain one, filtered, not root.
  void expect_sandboxed(pid_t child) const {
    EXPECT_EQ(proc_status_field(child, "CapEff"), "0000000000000000");
    EXPECT_EQ(proc_status_field(child, "CapPrm"), "0000000000000000");
    EXPECT_EQ(proc_status_field(child, "CapBnd"), "0000000000000000");
    EXPECT_EQ(proc_status_field(child, "NoNewPrivs"), "1");
    EXPECT_EQ(proc_status_field(child, "Seccomp"), "2");
    EXPECT_EQ(proc_status_field(child, "Uid").substr(0, 6), "65534\t") << "not running as nobody";
    // The parent keeps what the firewall needs.
    EXPECT_NE(proc_status_field(sesamed_->pid(), "CapEff"), "0000000000000000");
  }

  void knock_opens() {
    EXPECT_FALSE(answers(target_, net_->client_ip(), kClosedCheck)) << "answered before any knock";
    const auto knocked = Clock::now();
    const ProcessResult sent = knock({"-A", "tcp/" + std::to_string(kPort)});
    ASSERT_EQ(sent.exit_status, 0) << sent.output;
    ASSERT_TRUE(wait_until(true, target_, 3s)) << "still closed 3 s after the knock\n" << sesamed_log();
    std::cout << "[ info     ] knock to open through the privileged parent: " << seconds(Clock::now() - knocked) * 1000
              << " ms\n";
    EXPECT_NE(sesamed_->log().find("Added access rule to nftables for " + net_->client_ip() + " -> tcp/22222"),
              std::string::npos)
        << sesamed_log();
    EXPECT_FALSE(answers(target_, net_->other_client_ip(), kClosedCheck)) << "let in without a knock";
  }

  std::string nft_elements() const { return in_server({nft_path(), "list", "set", "inet", "filter", "sesame_in4"}); }

  Target target_, other_;
  std::unique_ptr<TcpLineServer> other_service_;
};

TEST_F(SesamedPrivsepEndToEnd, KnockOpensThroughTheSandboxedPacketSide) {
  start_sesamed();
  pid_t child = 0;
  int channel_fd = -1;
  find_child(child, channel_fd);
  EXPECT_EQ(children_of(sesamed_->pid()), std::vector<pid_t>{child});
  expect_sandboxed(child);
  knock_opens();
  const auto status = sesamed_->terminate(5s);
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << sesamed_log();
  EXPECT_NE(::kill(child, 0), 0) << "the packet side outlived the daemon";
}

TEST_F(SesamedPrivsepEndToEnd, ForgedRequestsOnTheChildsChannelAreRefusedAndLogged) {
  start_sesamed();
  pid_t child = 0;
  int channel_fd = -1;
  find_child(child, channel_fd);
  // The child's own end of the channel, as code running in a compromised child would use it.
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, child, 0));
  ASSERT_GE(pidfd, 0) << std::strerror(errno);
  const int channel = static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd, channel_fd, 0));
  ::close(pidfd);
  ASSERT_GE(channel, 0) << std::strerror(errno);
  const std::string& client = net_->client_ip();
  const std::vector<std::string> forged{
      forged_request(0, client, kOtherPort, 5),  // a port the stanza does not open
      forged_request(7, client, kPort, 5),       // a stanza that does not exist
      forged_request(0, client, kPort, 86400),   // longer than MAX_FW_TIMEOUT
      std::string("\x01\x02garbage"),           std::string("\x09\x02"),
  };
  for (const std::string& message : forged)
    ASSERT_EQ(::send(channel, message.data(), message.size(), 0), static_cast<ssize_t>(message.size()));
  ::close(channel);
  for (const std::string& line :
       {std::string("out of policy: ports not allowed by OPEN_PORTS/RESTRICT_PORTS (stanza 1, allow IP " + client),
        std::string("out of policy: stanza index 7 out of range (1 stanzas)"),
        std::string("out of policy: timeout 86400 s beyond FW_ACCESS_TIMEOUT/MAX_FW_TIMEOUT"),
        std::string("Refused a malformed message from the packet side (pid " + std::to_string(child) +
                    "): message type: unknown value 97"),
        std::string("Refused a malformed message from the packet side (pid " + std::to_string(child) +
                    "): version: 9 is not 1")})
    EXPECT_TRUE(sesamed_->wait_for_log(line, 3s)) << "no log line: " << line << "\n" << sesamed_log();
  EXPECT_EQ(sesamed_->log().find("Added access rule"), std::string::npos) << sesamed_log();
  EXPECT_EQ(nft_elements().find(client), std::string::npos) << nft_elements();
  EXPECT_FALSE(answers(other_, client, kClosedCheck)) << "a forged request opened a port outside OPEN_PORTS";
  EXPECT_TRUE(::kill(sesamed_->pid(), 0) == 0 && ::kill(child, 0) == 0) << "a forged message ended the daemon";
  // The parent goes on serving the real child.
  knock_opens();
  EXPECT_FALSE(answers(other_, client, kClosedCheck)) << "the knock opened more than it asked for";
}

TEST_F(SesamedPrivsepEndToEnd, SighupRestartsThePacketSideUnderTheNewPolicy) {
  start_sesamed();
  pid_t first = 0, second = 0;
  int channel_fd = -1;
  find_child(first, channel_fd);
  ASSERT_EQ(::kill(sesamed_->pid(), SIGHUP), 0);
  ASSERT_TRUE(sesamed_->wait_for_log("packet side restarted (pid", 5s)) << sesamed_log();
  find_child(second, channel_fd, 1);
  EXPECT_NE(first, second);
  EXPECT_NE(::kill(first, 0), 0) << "the old packet side still runs";
  expect_sandboxed(second);
  knock_opens();
}

TEST_F(SesamedPrivsepEndToEnd, PacketSideKilledEndsTheDaemonWithAnError) {
  start_sesamed();
  pid_t child = 0;
  int channel_fd = -1;
  find_child(child, channel_fd);
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  ASSERT_TRUE(
      sesamed_->wait_for_log("Packet side (pid " + std::to_string(child) + ") ended: signal Killed; exiting", 5s))
      << sesamed_log();
  const auto status = sesamed_->terminate(5s);
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 1) << sesamed_log();
}

}  // namespace
}  // namespace sesame::test
