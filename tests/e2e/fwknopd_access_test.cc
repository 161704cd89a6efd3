// SPDX-License-Identifier: GPL-2.0-or-later
// End to end (design.md "Tests"): the sesame client knocks, the real fwknopd 2.6.x opens a default-drop firewall
// for exactly the knocking address, and closes it again when the timeout runs out. Root only; each test builds its
// own pair of network namespaces, so nothing outside them is touched.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "e2e/fwknopd_process.h"
#include "e2e/netns_pair.h"
#include "e2e/system_tools.h"
#include "e2e/tcp_line_server.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace sesame::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kSesame = SESAME_CLIENT_PATH;
constexpr std::uint16_t kPort = 22222;
constexpr const char* kKey = "e2e-encryption-key";
constexpr const char* kHmacKey = "e2e-hmac-key";
constexpr const char* kGreeting = "hello from behind the knock";
// One connection attempt while polling: a dropped SYN costs this much.
constexpr auto kProbeTimeout = 300ms;
// How long a refused port is watched before the test believes it is closed.
constexpr auto kClosedCheck = 1s;

double seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

class SpaEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "SKIPPED: needs root and network namespaces";
    std::string why;
    if (!NetnsPair::available(&why)) GTEST_SKIP() << "SKIPPED: needs root and network namespaces: " << why;
    if (!FwknopdProcess::available(&why)) GTEST_SKIP() << "SKIPPED: " << why;
    if (iptables_path().empty()) GTEST_SKIP() << "SKIPPED: iptables not installed";
    ASSERT_TRUE(std::filesystem::exists(kSesame)) << kSesame;
    home_ = dir_.path() + "/home";
    ASSERT_EQ(::mkdir(home_.c_str(), 0700), 0);
    net_ = std::make_unique<NetnsPair>();
    // Default drop for everything but loopback, replies and the SPA port: inside the server namespace only.
    const std::string& ns = net_->server_ns();
    const std::string iptables = iptables_path();
    NetnsPair::check_in(ns, {iptables, "-P", "INPUT", "DROP"});
    NetnsPair::check_in(ns, {iptables, "-A", "INPUT", "-i", "lo", "-j", "ACCEPT"});
    NetnsPair::check_in(
        ns, {iptables, "-A", "INPUT", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"});
    NetnsPair::check_in(ns, {iptables, "-A", "INPUT", "-p", "udp", "--dport", "62201", "-j", "ACCEPT"});
    server_ = std::make_unique<TcpLineServer>(ns, net_->server_ip(), kPort, kGreeting);
  }

  // fwknopd first (it removes its rules), then the listener, then the namespaces; dir_ goes last.
  void TearDown() override {
    fwknopd_.reset();
    server_.reset();
    net_.reset();
  }

  // fwknopd with one stanza for the test keys that may open tcp/22222, plus `stanza_extra`.
  void start_fwknopd(const std::string& conf_extra, const std::string& stanza_extra) {
    const std::string access = std::string("SOURCE ANY\nKEY ") + kKey + "\nHMAC_KEY " + kHmacKey + "\nOPEN_PORTS tcp/" +
                               std::to_string(kPort) + "\n" + stanza_extra;
    fwknopd_ = std::make_unique<FwknopdProcess>(net_->server_ns(), dir_.path(),
                                                "FIREWALL_EXE " + iptables_path() + "\n" + conf_extra, access);
  }

  // `sesame -a CLIENT -D SERVER --key-rijndael K --key-hmac H --no-save-args args...` in the client namespace.
  ProcessResult knock(const std::vector<std::string>& args) const {
    std::vector<std::string> argv{kSesame,          "-a", net_->client_ip(), "-D",     net_->server_ip(),
                                  "--key-rijndael", kKey, "--key-hmac",      kHmacKey, "--no-save-args"};
    argv.insert(argv.end(), args.begin(), args.end());
    return NetnsPair::run_in(
        net_->client_ns(), argv,
        {.env = std::vector<std::string>{"HOME=" + home_, "PATH=/usr/bin:/bin", "LC_ALL=C", "LOGNAME=e2e"},
         .timeout = 10s});
  }

  bool answers(const std::string& source_ip, std::chrono::milliseconds timeout) const {
    std::string line;
    const bool answered = tcp_answers(net_->client_ns(), source_ip, net_->server_ip(), kPort, timeout, &line);
    if (answered) {
      EXPECT_EQ(line, kGreeting);
    }
    return answered;
  }

  // Probes from `source_ip` until the port answers (`open`) or stops answering; the time that took, or nullopt
  // after `limit`.
  std::optional<Clock::duration> wait_until(bool open, const std::string& source_ip, Clock::duration limit) const {
    const auto start = Clock::now();
    while (Clock::now() - start < limit) {
      if (answers(source_ip, kProbeTimeout) == open) return Clock::now() - start;
      std::this_thread::sleep_for(100ms);
    }
    return std::nullopt;
  }

  std::string fwknopd_log() const { return fwknopd_ ? "fwknopd log:\n" + fwknopd_->log() : "no fwknopd"; }

  // The whole cycle: closed, knock, open for the knocker only, closed again within `expected_timeout` + slack.
  void expect_knock_opens_until(std::chrono::seconds expected_timeout, const std::vector<std::string>& knock_args) {
    EXPECT_FALSE(answers(net_->client_ip(), kClosedCheck)) << "tcp/22222 answered before any knock";
    const auto knocked = Clock::now();
    const ProcessResult sent = knock(knock_args);
    ASSERT_EQ(sent.exit_status, 0) << sent.output;

    const auto opened = wait_until(true, net_->client_ip(), 2s);
    ASSERT_TRUE(opened) << "tcp/22222 still closed 2 s after the knock\n" << fwknopd_log();
    EXPECT_NE(fwknopd_->log().find("Added access rule to FWKNOP_INPUT for " + net_->client_ip() + " -> "),
              std::string::npos)
        << fwknopd_log();
    EXPECT_FALSE(answers(net_->other_client_ip(), kClosedCheck))
        << "tcp/22222 answered " << net_->other_client_ip() << ", which did not knock";

    // fwknopd removes expired rules once a second or so; its expiry time has whole-second resolution.
    const auto closed = wait_until(false, net_->client_ip(), expected_timeout + 4s - (Clock::now() - knocked));
    ASSERT_TRUE(closed) << "tcp/22222 still open " << expected_timeout.count() + 4 << " s after the knock\n"
                        << fwknopd_log();
    const double open_for = seconds(Clock::now() - knocked);
    EXPECT_GE(open_for, double(expected_timeout.count()) - 1.5) << "closed too early\n" << fwknopd_log();
    EXPECT_FALSE(answers(net_->client_ip(), kClosedCheck)) << "tcp/22222 answered again after the timeout";
    EXPECT_GE(server_->connections(), 1);
  }

  TempDir dir_{"sesame-e2e"};
  std::string home_;
  std::unique_ptr<NetnsPair> net_;
  std::unique_ptr<TcpLineServer> server_;
  std::unique_ptr<FwknopdProcess> fwknopd_;
};

TEST_F(SpaEndToEnd, UdpServerOpensThePortForTheKnockerUntilFwAccessTimeout) {
  start_fwknopd("ENABLE_UDP_SERVER Y\n", "FW_ACCESS_TIMEOUT 3\n");
  expect_knock_opens_until(3s, {"-A", "tcp/22222"});
}

TEST_F(SpaEndToEnd, PcapOnTheVethOpensThePortForTheKnockerUntilFwAccessTimeout) {
  start_fwknopd("PCAP_INTF " + net_->server_interface() + "\n", "FW_ACCESS_TIMEOUT 3\n");
  expect_knock_opens_until(3s, {"-A", "tcp/22222"});
}

// -f asks for less than the stanza's 30 s; fwknopd grants the client's timeout (client.md §2, type 3).
TEST_F(SpaEndToEnd, ClientTimeoutClosesThePortBeforeTheServerDefault) {
  start_fwknopd("ENABLE_UDP_SERVER Y\n", "FW_ACCESS_TIMEOUT 30\n");
  expect_knock_opens_until(2s, {"-A", "tcp/22222", "-f", "2"});
}

TEST_F(SpaEndToEnd, CommandMessageRunsTheCommandOnTheServer) {
  start_fwknopd("ENABLE_UDP_SERVER Y\n", "ENABLE_CMD_EXEC Y\n");
  const std::string marker = dir_.path() + "/knocked";
  const ProcessResult sent = knock({"-C", "touch " + marker});
  ASSERT_EQ(sent.exit_status, 0) << sent.output;
  const auto start = Clock::now();
  while (!std::filesystem::exists(marker) && Clock::now() - start < 3s) std::this_thread::sleep_for(50ms);
  EXPECT_TRUE(std::filesystem::exists(marker)) << "the command did not run within 3 s\n" << fwknopd_log();
  EXPECT_FALSE(answers(net_->client_ip(), kClosedCheck)) << "a command message opened tcp/22222";
}

}  // namespace
}  // namespace sesame::test
