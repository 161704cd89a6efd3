// SPDX-License-Identifier: GPL-2.0-or-later
// End to end with the router build's own binaries (SESAME_ROUTER_BUILD, docs/router-build.md): its sesamed with the
// UDP server (the router build has no pcap) and the nftables backend behind a default-drop ruleset that lets only
// the SPA port's datagrams in, as an OpenWrt fw4 rule would. A knock from its sesame (or from the real fwknop)
// opens the service for the knocking address only, the kernel closes it when the set element's timeout runs out,
// and the same packet sent again is a replay. Root only; each test builds and deletes its own network namespaces.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
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
constexpr const char* kGreeting = "hello from behind the router";
constexpr auto kProbeTimeout = 300ms;  // one connection attempt while polling
constexpr auto kClosedCheck = 1s;      // how long a silent port is watched before it counts as closed

class RouterNftEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!NetnsPair::available(&why)) GTEST_SKIP() << "SKIPPED: needs root and network namespaces: " << why;
    if (nft_path().empty()) GTEST_SKIP() << "SKIPPED: nft (nftables) not installed";
    home_ = dir_.path() + "/home";
    run_dir_ = dir_.path() + "/run";
    ASSERT_EQ(::mkdir(home_.c_str(), 0700), 0);
    ASSERT_EQ(::mkdir(run_dir_.c_str(), 0700), 0);
    const ProcessResult keys = run_process({kSesame, "--key-gen"}, {.env = client_env()});
    ASSERT_EQ(keys.exit_status, 0) << keys.output;
    key_ = line_value(keys.output, "KEY_BASE64");
    hmac_key_ = line_value(keys.output, "HMAC_KEY_BASE64");
    ASSERT_FALSE(key_.empty() || hmac_key_.empty()) << keys.output;

    net_ = std::make_unique<NetnsPair>();
    // Only the SPA port is let in: the UDP server needs its datagrams past netfilter, unlike pcap.
    const std::string spa_rule = "    udp dport " + std::to_string(kSpaPort) + " accept\n";
    NetnsPair::check_in(net_->server_ns(),
                        {nft_path(), "-f", dir_.write_file("ruleset.nft", default_drop_ruleset(spa_rule))});
    server_ = std::make_unique<TcpLineServer>(net_->server_ns(), net_->server_ip(), kPort, kGreeting);

    conf_ = dir_.write_file("sesamed.conf", "ENABLE_UDP_SERVER Y\nUDPSERV_PORT " + std::to_string(kSpaPort) +
                                                "\nFIREWALL_TYPE nftables\nNFT_TABLE inet filter\nFWKNOP_RUN_DIR " +
                                                run_dir_ + "\nFWKNOP_PID_FILE " + run_dir_ + "/sesamed.pid\n");
    access_ = dir_.write_file("access.conf", "SOURCE ANY\nREQUIRE_SOURCE_ADDRESS Y\nOPEN_PORTS tcp/" +
                                                 std::to_string(kPort) + "\nKEY_BASE64 " + key_ + "\nHMAC_KEY_BASE64 " +
                                                 hmac_key_ + "\nFW_ACCESS_TIMEOUT 3\n");
    sesamed_ = std::make_unique<NetnsSesamed>(
        net_->server_ns(),
        std::vector<std::string>{"-c", conf_, "-a", access_, "--replay-log", run_dir_ + "/replay.log"},
        dir_.path() + "/sesamed.log");
  }

  // sesamed first, then the listener, then the namespaces (with every nftables rule in them); dir_ goes last.
  void TearDown() override {
    sesamed_.reset();
    server_.reset();
    net_.reset();
  }

  std::vector<std::string> client_env() const { return {"HOME=" + home_, "PATH=/usr/bin:/bin", "LC_ALL=C"}; }
  std::string sesamed_log() const { return sesamed_ ? "sesamed log:\n" + sesamed_->log() : "no sesamed"; }

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
    return tcp_answers(net_->client_ns(), source_ip, net_->server_ip(), kPort, timeout);
  }

  // Probes from the client's address until the port answers (`open`) or stops answering; false after `limit`.
  bool wait_until(bool open, Clock::duration limit) const {
    const auto start = Clock::now();
    while (Clock::now() - start < limit) {
      if (answers(net_->client_ip(), kProbeTimeout) == open) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  // Open for the knocker only, through an element of sesamed's set, then closed by the kernel after the timeout.
  void expect_open_then_closed(Clock::time_point knocked) {
    ASSERT_TRUE(wait_until(true, 2s)) << "tcp/22222 still closed 2 s after the knock\n" << sesamed_log();
    const std::string elements =
        NetnsPair::run_in(net_->server_ns(), {nft_path(), "list", "set", "inet", "filter", "sesame_in4"}).output;
    EXPECT_NE(elements.find(net_->client_ip() + " . tcp . 22222 timeout"), std::string::npos) << elements;
    EXPECT_FALSE(answers(net_->other_client_ip(), kClosedCheck)) << "answered an address that did not knock";
    ASSERT_TRUE(wait_until(false, knocked + 3s + 2s - Clock::now())) << "still open 5 s after the knock";
    EXPECT_GE(Clock::now() - knocked, 3s - 200ms) << "closed before FW_ACCESS_TIMEOUT";
  }

  TempDir dir_{"sesame-router-nft"};
  std::string home_, run_dir_, conf_, access_, key_, hmac_key_;
  std::unique_ptr<NetnsPair> net_;
  std::unique_ptr<TcpLineServer> server_;
  std::unique_ptr<NetnsSesamed> sesamed_;
};

TEST_F(RouterNftEndToEnd, KnockOverUdpOpensThePortForTheKnockerUntilTheTimeoutAndAReplayIsRejected) {
  EXPECT_FALSE(answers(net_->client_ip(), kClosedCheck)) << "tcp/22222 answered before any knock";
  const std::string packet_file = dir_.path() + "/packet";
  const auto knocked = Clock::now();
  const ProcessResult sent = knock(kSesame, {"-B", packet_file});
  ASSERT_EQ(sent.exit_status, 0) << sent.output;
  expect_open_then_closed(knocked);
  EXPECT_GE(server_->connections(), 1);

  std::string packet = read_file(packet_file);
  while (!packet.empty() && (packet.back() == '\n' || packet.back() == '\r')) packet.pop_back();
  ASSERT_FALSE(packet.empty());
  ASSERT_TRUE(send_udp(net_->client_ns(), net_->client_ip(), net_->server_ip(), kSpaPort, packet));
  EXPECT_TRUE(sesamed_->wait_for_log("Replay detected from source IP", 2s)) << sesamed_log();
  EXPECT_FALSE(answers(net_->client_ip(), kClosedCheck)) << "the replay opened the port again";

  const std::optional<int> status = sesamed_->terminate(5s);
  ASSERT_TRUE(status) << "sesamed still running 5 s after SIGTERM\n" << sesamed_log();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << "wait status " << *status << "\n" << sesamed_log();
}

TEST_F(RouterNftEndToEnd, FwknopClientKnockOpensThePortToo) {
  const std::string fwknop = find_executable({"/usr/bin/fwknop", "/usr/local/bin/fwknop"});
  if (fwknop.empty()) GTEST_SKIP() << "SKIPPED: the fwknop client (Debian fwknop-client) is not installed";
  const auto knocked = Clock::now();
  const ProcessResult sent = knock(fwknop);
  ASSERT_EQ(sent.exit_status, 0) << sent.output;
  expect_open_then_closed(knocked);
}

}  // namespace
}  // namespace sesame::test
