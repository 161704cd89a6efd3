// SPDX-License-Identifier: GPL-2.0-or-later
// Modern mode end to end (docs/modern-mode.md): keys from the real `sesamed --key-gen --modern` and
// `sesame --key-gen --modern`, the client's rc file naming them, sesamed on nftables in a network namespace. The port
// is closed before the knock, open for the knocking address after it, closed after FW_ACCESS_TIMEOUT, and the same
// packet sent again is a replay. Root only; every namespace and rule is the test's own.
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "e2e/sesamed_knock_fixture.h"
#include "e2e/system_tools.h"
#include "support/field_dump.h"
#include "support/test_vectors.h"

namespace sesame::test {
namespace {

using namespace std::chrono_literals;

constexpr std::uint16_t kPort = 22223;
constexpr std::uint16_t kSpaPort = 62201;
constexpr std::chrono::seconds kAccessTimeout{3};
constexpr const char* kGreeting = "hello, modern knocker";

class SesamedModernEndToEnd : public SesamedKnockFixture {
 protected:
  void SetUp() override {
    SesamedKnockFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (nft_path().empty()) GTEST_SKIP() << "SKIPPED: nft (nftables) not installed";
    NetnsPair::check_in(net_->server_ns(), {nft_path(), "-f", dir_.write_file("ruleset.nft", default_drop_ruleset())});
    service_ = std::make_unique<TcpLineServer>(net_->server_ns(), net_->server_ip(), kPort, kGreeting);
    server_keys_ = generate({SESAMED_PATH, "--key-gen", "--modern"});
    client_keys_ = generate({SESAME_CLIENT_PATH, "--key-gen", "--modern"});
  }

  static std::string generate(const std::vector<std::string>& argv) {
    const ProcessResult keys = run_process(argv, {.timeout = 10s});
    EXPECT_EQ(keys.exit_status, 0) << keys.output;
    return keys.output;
  }

  // A modern-only stanza: no KEY, no HMAC_KEY.
  void configure(const std::string& aead) {
    write_configs(
        "", "SOURCE ANY\nREQUIRE_SOURCE_ADDRESS Y\nOPEN_PORTS tcp/" + std::to_string(kPort) + "\nFW_ACCESS_TIMEOUT " +
                std::to_string(kAccessTimeout.count()) + "\nMODERN_CLIENT_PUBLIC_KEY_BASE64 " +
                line_value(client_keys_, "MODERN_CLIENT_PUBLIC_KEY_BASE64") + "\nMODERN_SERVER_PRIVATE_KEY_BASE64 " +
                line_value(server_keys_, "MODERN_SERVER_PRIVATE_KEY_BASE64") + "\nMODERN_AEAD " + aead + "\n");
    rc_file_ = dir_.write_file(
        "fwknoprc", "[gateway]\nSPA_SERVER " + net_->server_ip() + "\nACCESS tcp/" + std::to_string(kPort) +
                        "\nALLOW_IP " + net_->client_ip() + "\nMODERN_PRIVATE_KEY_BASE64 " +
                        line_value(client_keys_, "MODERN_PRIVATE_KEY_BASE64") + "\nMODERN_SERVER_PUBLIC_KEY_BASE64 " +
                        line_value(server_keys_, "MODERN_SERVER_PUBLIC_KEY_BASE64") + "\nMODERN_AEAD " + aead + "\n");
    ASSERT_EQ(::chmod(rc_file_.c_str(), 0600), 0);
  }

  ProcessResult modern_knock(const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> argv{SESAME_CLIENT_PATH, "--rc-file", rc_file_, "-n", "gateway", "--no-save-args"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return NetnsPair::run_in(
        net_->client_ns(), argv,
        {.env = std::vector<std::string>{"HOME=" + home_, "PATH=/usr/bin:/bin", "LC_ALL=C"}, .timeout = 10s});
  }

  Target service() const { return Target{net_->server_ip(), kPort, kGreeting}; }

  void knock_opens_then_closes() {
    ASSERT_FALSE(answers(service(), net_->client_ip(), kClosedCheck)) << "open before any knock";
    const std::string packet_file = dir_.path() + "/packet";
    const auto knocked = Clock::now();
    const ProcessResult sent = modern_knock({"-B", packet_file});
    ASSERT_EQ(sent.exit_status, 0) << sent.output;
    const auto opened = wait_until(true, service(), 2s);
    ASSERT_TRUE(opened) << "no grant\n" << sesamed_log();
    EXPECT_TRUE(sesamed_->wait_for_log("Added access rule to nftables for " + net_->client_ip(), 1s)) << sesamed_log();
    EXPECT_FALSE(answers(service(), net_->other_client_ip(), kProbeTimeout)) << "open for another address too";
    const auto closed = wait_until(false, service(), kAccessTimeout + 3s);
    ASSERT_TRUE(closed) << "still open after the timeout";
    const double open_for = seconds(Clock::now() - knocked);
    EXPECT_GE(open_for, double(kAccessTimeout.count()) - 0.5);

    // The same bytes again, from the same address: a replay, and the port stays shut.
    std::string packet = read_file(packet_file);
    while (!packet.empty() && packet.back() == '\n') packet.pop_back();
    ASSERT_TRUE(send_udp(net_->client_ns(), net_->client_ip(), net_->server_ip(), kSpaPort, packet));
    EXPECT_TRUE(sesamed_->wait_for_log("Replay detected from source IP", 2s)) << sesamed_log();
    EXPECT_FALSE(answers(service(), net_->client_ip(), kClosedCheck)) << "the replay opened the port";
  }

  std::string server_keys_, client_keys_, rc_file_;
};

TEST_F(SesamedModernEndToEnd, ChaChaKnockOpensForTheKnockerOnlyThenClosesAndAReplayFails) {
  ASSERT_NO_FATAL_FAILURE(configure("chacha20-poly1305"));
  start_sesamed();
  knock_opens_then_closes();
}

TEST_F(SesamedModernEndToEnd, AesGcmKnockOpensThenClosesAndAReplayFails) {
  ASSERT_NO_FATAL_FAILURE(configure("aes-256-gcm"));
  start_sesamed();
  knock_opens_then_closes();
}

// The client prints and checks the packet in test mode and needs no Rijndael key; a client whose rc names the wrong
// AEAD gets nothing opened.
TEST_F(SesamedModernEndToEnd, TestModeShowsTheModernPacketAndAWrongSuiteOpensNothing) {
  ASSERT_NO_FATAL_FAILURE(configure("aes-256-gcm"));
  start_sesamed();
  const ProcessResult shown = modern_knock({"-T"});
  ASSERT_EQ(shown.exit_status, 0) << shown.output;
  EXPECT_NE(shown.output.find("modern (X25519, aes-256-gcm)"), std::string::npos) << shown.output;
  EXPECT_NE(shown.output.find("Final SPA Data: AQ"), std::string::npos) << shown.output;
  EXPECT_NE(shown.output.find("not actually sent"), std::string::npos) << shown.output;

  std::ofstream(rc_file_, std::ios::app) << "MODERN_AEAD chacha20-poly1305\n";
  ASSERT_EQ(modern_knock().exit_status, 0);
  EXPECT_FALSE(answers(service(), net_->client_ip(), kClosedCheck)) << "a packet under the wrong suite opened";
  EXPECT_EQ(sesamed_->log().find("Added access rule"), std::string::npos) << sesamed_log();
}

}  // namespace
}  // namespace sesame::test
