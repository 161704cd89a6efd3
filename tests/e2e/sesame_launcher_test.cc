// SPDX-License-Identifier: GPL-2.0-or-later
// End to end: sesame-launcher in the client namespace watches for SYN_SENT sockets and knocks with the rc-file
// stanza that names the destination; sesamed (nftables, default drop) in the server namespace opens the port, and
// the very connect() that started it all gets through on its SYN retransmission, with no one running the client.
// A connection to a port or host no stanza names makes no knock; one attempt makes exactly one. Root only.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "e2e/netns_launcher.h"
#include "e2e/sesamed_knock_fixture.h"
#include "e2e/system_tools.h"

namespace sesame::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kSesame = SESAME_CLIENT_PATH;
constexpr std::uint16_t kPort = 22222;       // protected, named by the rc stanza
constexpr std::uint16_t kOtherPort = 22223;  // also served, named by no stanza
constexpr const char* kGreeting = "hello from behind the knock";
constexpr std::chrono::seconds kAccessTimeout{3};  // short, so that a second attempt finds the port closed again

class SesameLauncherEndToEnd : public SesamedKnockFixture {
 protected:
  void SetUp() override {
    SesamedKnockFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (nft_path().empty()) GTEST_SKIP() << "SKIPPED: nft (nftables) not installed";
    ASSERT_TRUE(std::filesystem::exists(SESAME_LAUNCHER_PATH)) << SESAME_LAUNCHER_PATH;
    NetnsPair::check_in(net_->server_ns(), {nft_path(), "-f", dir_.write_file("ruleset.nft", default_drop_ruleset())});
    service_ = std::make_unique<TcpLineServer>(net_->server_ns(), net_->server_ip(), kPort, kGreeting);
    other_service_ = std::make_unique<TcpLineServer>(net_->server_ns(), net_->server_ip(), kOtherPort, kGreeting);
    write_configs("FIREWALL_TYPE nftables\nNFT_TABLE inet filter\n",
                  stanza("OPEN_PORTS tcp/" + std::to_string(kPort) + "\nFW_ACCESS_TIMEOUT " +
                         std::to_string(kAccessTimeout.count()) + "\n"));
    start_sesamed();
    rc_file_ =
        dir_.write_file("fwknoprc", "[server]\nSPA_SERVER " + net_->server_ip() + "\nACCESS tcp/" +
                                        std::to_string(kPort) + "\nALLOW_IP " + net_->client_ip() + "\nKEY_BASE64 " +
                                        key_ + "\nHMAC_KEY_BASE64 " + hmac_key_ + "\nUSE_HMAC Y\n");
    ASSERT_EQ(::chmod(rc_file_.c_str(), 0600), 0);
    launcher_ = std::make_unique<NetnsLauncher>(net_->client_ns(),
                                                std::vector<std::string>{"--rc-file", rc_file_, "--client", kSesame},
                                                home_, dir_.path() + "/launcher.log");
  }

  void TearDown() override {
    launcher_.reset();
    other_service_.reset();
    SesamedKnockFixture::TearDown();
  }

  std::string logs() const {
    return "launcher log:\n" + (launcher_ ? launcher_->log() : std::string("none")) + "\n" + sesamed_log();
  }

  std::size_t grants() const {
    std::size_t count = 0;
    const std::string log = sesamed_->log();
    for (std::size_t at = log.find("Added access rule"); at != std::string::npos;
         at = log.find("Added access rule", at + 1))
      ++count;
    return count;
  }

  std::string rc_file_;
  std::unique_ptr<TcpLineServer> other_service_;
  std::unique_ptr<NetnsLauncher> launcher_;
};

TEST_F(SesameLauncherEndToEnd, ConnectSucceedsOnItsRetryAfterOneKnock) {
  ASSERT_EQ(launcher_->lines_starting("sesame-launcher: watching"),
            std::vector<std::string>{"sesame-launcher: watching " + net_->server_ip() + ":22222 for [server]"});
  EXPECT_EQ(grants(), 0u) << logs();
  // One connect(), as `nc` would make it: its first SYN is dropped; the launcher sees the socket in SYN_SENT and
  // knocks; the kernel's retransmission 1 s later finds the port open.
  const auto start = Clock::now();
  std::string line;
  ASSERT_TRUE(tcp_answers(net_->client_ns(), net_->client_ip(), net_->server_ip(), kPort, 5s, &line)) << logs();
  std::cout << "[ info     ] connect() to answer: " << seconds(Clock::now() - start) * 1000
            << " ms (the first SYN retransmission is at 1 s)\n";
  EXPECT_EQ(line, kGreeting);
  // Exactly one knock for the one attempt, even though the socket stayed in SYN_SENT over several looks; a few
  // more looks later there is still only one.
  std::this_thread::sleep_for(1s);
  const auto knocks = launcher_->lines_starting("knock ");
  ASSERT_EQ(knocks.size(), 1u) << logs();
  EXPECT_EQ(knocks[0].rfind("knock [server] " + net_->server_ip() + ":22222: ok (", 0), 0u) << knocks[0];
  EXPECT_EQ(grants(), 1u) << logs();
  EXPECT_NE(sesamed_->log().find("Added access rule to nftables for " + net_->client_ip() + " -> tcp/22222"),
            std::string::npos)
      << logs();

  // SIGTERM: a clean exit, status 0.
  const auto status = launcher_->stop(SIGTERM, 5s);
  ASSERT_TRUE(status.has_value()) << "still running 5 s after SIGTERM\n" << logs();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << *status << "\n" << logs();
  EXPECT_NE(launcher_->log().find("sesame-launcher: stopped"), std::string::npos) << logs();
}

TEST_F(SesameLauncherEndToEnd, NoKnockForADestinationNoStanzaNames) {
  // The same server on a port no stanza names: the SYN is dropped, the connection fails, nothing knocks.
  EXPECT_FALSE(tcp_answers(net_->client_ns(), net_->client_ip(), net_->server_ip(), kOtherPort, 1500ms)) << logs();
  // The protected port on a host no stanza names (an unused address on the link: the socket sits in SYN_SENT).
  const std::string stranger = net_->server_ip().substr(0, net_->server_ip().rfind('.')) + ".77";
  EXPECT_FALSE(tcp_answers(net_->client_ns(), net_->client_ip(), stranger, kPort, 1500ms)) << logs();
  std::this_thread::sleep_for(500ms);
  EXPECT_TRUE(launcher_->lines_starting("knock ").empty()) << logs();
  EXPECT_EQ(grants(), 0u) << logs();
}

TEST_F(SesameLauncherEndToEnd, EveryNewAttemptKnocksAgain) {
  // Two attempts, each a new socket (as `nc` run twice), the second after the first grant expired: each knocks
  // once and each gets through. Nothing connects in between: a probe would be an attempt too.
  ASSERT_TRUE(tcp_answers(net_->client_ns(), net_->client_ip(), net_->server_ip(), kPort, 5s)) << logs();
  ASSERT_TRUE(launcher_->wait_for_log("knock [server]", 2s)) << logs();
  std::this_thread::sleep_for(kAccessTimeout + 1500ms);
  ASSERT_TRUE(tcp_answers(net_->client_ns(), net_->client_ip(), net_->server_ip(), kPort, 5s)) << logs();
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(launcher_->lines_starting("knock [server]").size(), 2u) << logs();
  EXPECT_EQ(grants(), 2u) << logs();
}

}  // namespace
}  // namespace sesame::test
