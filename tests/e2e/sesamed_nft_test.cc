// SPDX-License-Identifier: GPL-2.0-or-later
// End to end (design.md "Tests"): sesamed with its nftables backend behind a default-drop nftables ruleset. A knock
// from `sesame` or the real `fwknop` opens the service for the knocking address only, the kernel closes it when
// the set element's timeout runs out (also after sesamed was killed), and a replayed packet stays rejected across
// a restart. Root only; every test builds its own pair of network namespaces, so nothing outside them is touched.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "e2e/netns_pair.h"
#include "e2e/netns_sesamed.h"
#include "e2e/system_tools.h"
#include "e2e/tcp_line_server.h"
#include "support/field_dump.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"
#include "support/test_vectors.h"

namespace sesame::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kSesame = SESAME_CLIENT_PATH;
constexpr const char* kSesamed = SESAMED_PATH;
constexpr std::uint16_t kPort = 22222;
constexpr std::uint16_t kSpaPort = 62201;
constexpr const char* kGreeting = "hello from behind the knock";
constexpr auto kProbeTimeout = 300ms;  // one connection attempt while polling: a dropped SYN costs this much
constexpr auto kClosedCheck = 1s;      // how long a silent port is watched before the test believes it is closed

std::string fwknop_path() {
  return find_executable({"/usr/bin/fwknop", "/usr/local/bin/fwknop"});
}

double seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

class SesamedNftEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!NetnsPair::available(&why)) GTEST_SKIP() << "SKIPPED: needs root and network namespaces: " << why;
    if (nft_path().empty()) GTEST_SKIP() << "SKIPPED: nft (nftables) not installed";
    ASSERT_TRUE(std::filesystem::exists(kSesame)) << kSesame;
    ASSERT_TRUE(std::filesystem::exists(kSesamed)) << kSesamed;
    home_ = dir_.path() + "/home";
    run_dir_ = dir_.path() + "/run";
    ASSERT_EQ(::mkdir(home_.c_str(), 0700), 0);
    ASSERT_EQ(::mkdir(run_dir_.c_str(), 0700), 0);

    const ProcessResult keys = run_process({kSesame, "--key-gen"}, {.env = client_env(), .timeout = 10s});
    ASSERT_EQ(keys.exit_status, 0) << keys.output;
    key_ = line_value(keys.output, "KEY_BASE64");
    hmac_key_ = line_value(keys.output, "HMAC_KEY_BASE64");
    ASSERT_FALSE(key_.empty() || hmac_key_.empty()) << keys.output;

    net_ = std::make_unique<NetnsPair>();
    NetnsPair::check_in(net_->server_ns(), {nft_path(), "-f", dir_.write_file("ruleset.nft", default_drop_ruleset())});
    server_ = std::make_unique<TcpLineServer>(net_->server_ns(), net_->server_ip(), kPort, kGreeting);
  }

  // sesamed first, then the listener, then the namespaces (with every nftables rule in them); dir_ goes last.
  void TearDown() override {
    sesamed_.reset();
    server_.reset();
    net_.reset();
  }

  std::vector<std::string> client_env() const {
    return {"HOME=" + home_, "PATH=/usr/bin:/bin", "LC_ALL=C", "LOGNAME=e2e"};
  }

  // pcap on the veth, not the UDP server: pcap sees the knock before netfilter drops it, so the SPA port needs no
  // accept rule and stays as closed as every other port (fwknopd's default mode, too).
  // With `capture` set, that capture instead (e.g. NFQUEUE).
  void write_configs(int fw_access_timeout_s, const std::string& capture = "") {
    const std::string pcap = "ENABLE_UDP_SERVER N\nPCAP_INTF " + net_->server_interface() + "\n";
    conf_ = dir_.write_file("sesamed.conf", (capture.empty() ? pcap : capture) +
                                                "FIREWALL_TYPE nftables\nNFT_TABLE inet filter\nFWKNOP_RUN_DIR " +
                                                run_dir_ + "\nFWKNOP_PID_FILE " + pid_file() + "\nDIGEST_FILE " +
                                                run_dir_ + "/digest.cache\n");
    access_ =
        dir_.write_file("access.conf", "SOURCE ANY\nREQUIRE_SOURCE_ADDRESS Y\nOPEN_PORTS tcp/" + std::to_string(kPort) +
                                           "\nKEY_BASE64 " + key_ + "\nHMAC_KEY_BASE64 " + hmac_key_ +
                                           "\nFW_ACCESS_TIMEOUT " + std::to_string(fw_access_timeout_s) + "\n");
  }

  std::string pid_file() const { return run_dir_ + "/sesamed.pid"; }
  std::string replay_log() const { return run_dir_ + "/replay.log"; }

  void start_sesamed(const std::string& log_name) {
    sesamed_.reset();
    sesamed_ = std::make_unique<NetnsSesamed>(
        net_->server_ns(), std::vector<std::string>{"-c", conf_, "-a", access_, "--replay-log", replay_log()},
        dir_.path() + "/" + log_name);
  }

  std::string sesamed_log() const { return sesamed_ ? "sesamed log:\n" + sesamed_->log() : "no sesamed"; }

  // `CLIENT -A tcp/22222 -a CLIENT_IP -D SERVER_IP` with the test's keys, no rc file, in the client namespace.
  ProcessResult knock(const std::string& client, const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> argv{client,
                                  "--no-rc-file",
                                  "--no-save-args",
                                  "-A",
                                  "tcp/" + std::to_string(kPort),
                                  "-a",
                                  net_->client_ip(),
                                  "-D",
                                  net_->server_ip(),
                                  "--key-base64-rijndael",
                                  key_,
                                  "--key-base64-hmac",
                                  hmac_key_};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return NetnsPair::run_in(net_->client_ns(), argv, {.env = client_env(), .timeout = 10s});
  }

  bool answers(const std::string& source_ip, std::chrono::milliseconds timeout) const {
    std::string line;
    const bool answered = tcp_answers(net_->client_ns(), source_ip, net_->server_ip(), kPort, timeout, &line);
    if (answered) {
      EXPECT_EQ(line, kGreeting);
    }
    return answered;
  }

  // Probes from `source_ip` until the port answers (`open`) or stops answering; how long that took (until the
  // start of the deciding probe), or nullopt after `limit`.
  std::optional<Clock::duration> wait_until(bool open, const std::string& source_ip, Clock::duration limit) const {
    const auto start = Clock::now();
    while (Clock::now() - start < limit) {
      const auto probe = Clock::now();
      if (answers(source_ip, kProbeTimeout) == open) return probe - start;
      std::this_thread::sleep_for(50ms);
    }
    return std::nullopt;
  }

  std::string set_elements() const {
    return NetnsPair::run_in(net_->server_ns(), {nft_path(), "list", "set", "inet", "filter", "sesame_in4"}).output;
  }

  // Open for the knocker (and for no one else) within 2 s of `knocked`; closed again `timeout` later, give or take
  // the kernel's and the probe's granularity.
  void expect_open_then_closed(Clock::time_point knocked, std::chrono::seconds timeout) {
    const auto opened = wait_until(true, net_->client_ip(), 2s);
    ASSERT_TRUE(opened) << "tcp/22222 still closed 2 s after the knock\n" << sesamed_log();
    std::cout << "[ info     ] knock to open: " << seconds(Clock::now() - knocked) * 1000
              << " ms (at most; a dropped SYN costs a probe of " << kProbeTimeout.count() << " ms)\n";
    EXPECT_NE(sesamed_->log().find("Added access rule to nftables for " + net_->client_ip() + " -> tcp/22222"),
              std::string::npos)
        << sesamed_log();
    EXPECT_NE(set_elements().find(net_->client_ip() + " . tcp . 22222 timeout"), std::string::npos) << set_elements();
    EXPECT_FALSE(answers(net_->other_client_ip(), kClosedCheck))
        << "tcp/22222 answered " << net_->other_client_ip() << ", which did not knock";
    expect_closed_on_time(knocked, timeout);
  }

  void expect_closed_on_time(Clock::time_point knocked, std::chrono::seconds timeout) {
    const auto waiting = Clock::now();
    const auto closed = wait_until(false, net_->client_ip(), knocked + timeout + 2s - waiting);
    ASSERT_TRUE(closed) << "tcp/22222 still open " << timeout.count() + 2 << " s after the knock\n" << sesamed_log();
    // The grant starts after the knock, so the kernel cannot close it before `timeout` has passed since then.
    const double open_for = seconds(waiting + *closed - knocked);
    std::cout << "[ info     ] knock to closed again: " << open_for * 1000 << " ms (FW_ACCESS_TIMEOUT "
              << timeout.count() << " s)\n";
    EXPECT_GE(open_for, double(timeout.count()) - 0.2) << "closed too early\n" << sesamed_log();
    EXPECT_FALSE(answers(net_->client_ip(), kClosedCheck)) << "tcp/22222 answered again after the timeout";
  }

  // SIGTERM ends sesamed with status 0 and its pid file gone.
  void expect_clean_exit() {
    const std::optional<int> status = sesamed_->terminate(5s);
    ASSERT_TRUE(status) << "sesamed still running 5 s after SIGTERM\n" << sesamed_log();
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << "wait status " << *status << "\n" << sesamed_log();
    EXPECT_NE(sesamed_->log().find("Got SIGTERM"), std::string::npos) << sesamed_log();
    EXPECT_FALSE(std::filesystem::exists(pid_file())) << "pid file left behind";
  }

  TempDir dir_{"sesame-e2e-nft"};
  std::string home_, run_dir_, conf_, access_, key_, hmac_key_;
  std::unique_ptr<NetnsPair> net_;
  std::unique_ptr<TcpLineServer> server_;
  std::unique_ptr<NetnsSesamed> sesamed_;
};

TEST_F(SesamedNftEndToEnd, SesameKnockOpensThePortForTheKnockerOnlyUntilTheTimeout) {
  write_configs(3);
  start_sesamed("sesamed.log");
  EXPECT_FALSE(answers(net_->client_ip(), kClosedCheck)) << "tcp/22222 answered before any knock";

  const auto knocked = Clock::now();
  const ProcessResult sent = knock(kSesame);
  ASSERT_EQ(sent.exit_status, 0) << sent.output;
  expect_open_then_closed(knocked, 3s);
  EXPECT_GE(server_->connections(), 1);
  expect_clean_exit();
}

TEST_F(SesamedNftEndToEnd, FwknopClientKnockOpensThePortToo) {
  if (fwknop_path().empty()) GTEST_SKIP() << "SKIPPED: the fwknop client (Debian fwknop-client) is not installed";
  write_configs(3);
  start_sesamed("sesamed.log");
  EXPECT_FALSE(answers(net_->client_ip(), kClosedCheck)) << "tcp/22222 answered before any knock";

  const auto knocked = Clock::now();
  const ProcessResult sent = knock(fwknop_path());
  ASSERT_EQ(sent.exit_status, 0) << sent.output;
  expect_open_then_closed(knocked, 3s);
  expect_clean_exit();
}

// NFQUEUE (fwknopd's -n): the SPA port is queued to sesamed ahead of the default-drop policy; the queue rule goes
// when sesamed ends.
TEST_F(SesamedNftEndToEnd, NfqueueCaptureOpensThePortAndRemovesItsRuleAtExit) {
  write_configs(3, "ENABLE_NFQ_CAPTURE Y\nNFQ_PORT " + std::to_string(kSpaPort) + "\n");
  start_sesamed("sesamed.log");
  EXPECT_NE(sesamed_->log().find("nfqueue 1"), std::string::npos) << sesamed_log();
  EXPECT_FALSE(answers(net_->client_ip(), kClosedCheck)) << "tcp/22222 answered before any knock";

  const auto knocked = Clock::now();
  const ProcessResult sent = knock(kSesame);
  ASSERT_EQ(sent.exit_status, 0) << sent.output;
  expect_open_then_closed(knocked, 3s);
  expect_clean_exit();
  const std::string rules = NetnsPair::run_in(net_->server_ns(), {nft_path(), "list", "ruleset"}).output;
  EXPECT_EQ(rules.find("queue"), std::string::npos) << "queue rule left behind:\n" << rules;
}

// The grant lives in the kernel (a set element with a timeout), and the packet's digest in the replay log on disk
// before the grant is made: a crash neither keeps the port open nor lets the same packet in again.
TEST_F(SesamedNftEndToEnd, AfterKill9TheGrantStillClosesOnTimeAndTheReplayIsRejected) {
  write_configs(4);
  start_sesamed("sesamed-1.log");
  const std::string packet_file = dir_.path() + "/packet";
  const auto knocked = Clock::now();
  const ProcessResult sent = knock(kSesame, {"-B", packet_file});
  ASSERT_EQ(sent.exit_status, 0) << sent.output;
  ASSERT_TRUE(sesamed_->wait_for_log("Added access rule", 2s)) << "no grant\n" << sesamed_log();
  sesamed_->kill_hard();

  EXPECT_TRUE(wait_until(true, net_->client_ip(), 1s)) << "the grant did not survive kill -9";
  EXPECT_GT(std::filesystem::file_size(replay_log()), 0U) << "replay log empty after a grant";

  start_sesamed("sesamed-2.log");
  std::string packet = read_file(packet_file);
  while (!packet.empty() && (packet.back() == '\n' || packet.back() == '\r')) packet.pop_back();
  ASSERT_FALSE(packet.empty());
  ASSERT_TRUE(send_udp(net_->client_ns(), net_->client_ip(), net_->server_ip(), kSpaPort, packet));
  EXPECT_TRUE(sesamed_->wait_for_log("Replay detected from source IP", 2s)) << sesamed_log();
  EXPECT_EQ(sesamed_->log().find("Added access rule"), std::string::npos) << "the replay was granted\n"
                                                                          << sesamed_log();

  expect_closed_on_time(knocked, 4s);
  expect_clean_exit();
}

}  // namespace
}  // namespace sesame::test
