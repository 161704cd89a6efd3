// SPDX-License-Identifier: GPL-2.0-or-later
// The browser client (web/sesame.html in real headless Chromium, driven by run.sh and driver.mjs) against real
// receivers: its packet is granted by sesamed and accepted by the real fwknopd 2.6.10, and its SPA-over-HTTP knock
// reaches a sesamed listening on loopback. SKIPPED when node, npm or Chromium is missing, or (fwknopd) without root.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "interop/fwknopd_oracle.h"
#include "spa/base64.h"
#include "support/sesamed_process.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace sesame::test {
namespace {

// Throw-away test keys; the page gets them as `sesame --key-gen` prints them.
std::string key_base64() {
  std::vector<std::uint8_t> key(32);
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = std::uint8_t(0x31 + 7 * i);
  return spa::base64_encode_padded(key);
}
std::string hmac_key_base64() {
  std::vector<std::uint8_t> key(64);
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = std::uint8_t(0xc4 ^ (13 * i));
  return spa::base64_encode_padded(key);
}

std::string access_conf(const std::string& open_ports) {
  return "SOURCE ANY\nKEY_BASE64 " + key_base64() + "\nHMAC_KEY_BASE64 " + hmac_key_base64() + "\nOPEN_PORTS " +
         open_ports + "\n";
}

class BrowserClient : public ::testing::Test {
 protected:
  void SetUp() override {
    if (sesamed_path().empty()) GTEST_SKIP() << "SKIPPED: no sesamed binary";
  }

  // run.sh with the keys and these form options; exit 77 when node, npm or Chromium is missing.
  ProcessResult drive(const std::string& command, const std::vector<std::string>& options) {
    std::vector<std::string> argv = {SESAME_BROWSER_RUN, SESAME_BROWSER_NODE_DIR, command, "--key", key_base64(),
                                     "--hmac-key",       hmac_key_base64()};
    argv.insert(argv.end(), options.begin(), options.end());
    // The first run may install puppeteer-core with npm ci.
    return run_process(argv, {.timeout = std::chrono::seconds(240)});
  }

  // The packet the page shows after "Show packet"; empty (with a failure or skip recorded) when there is none.
  std::string page_packet(const std::vector<std::string>& options) {
    const ProcessResult result = drive("packet", options);
    if (result.exit_status == 77) {
      skipped_ = result.output;
      return "";
    }
    EXPECT_EQ(result.exit_status, 0) << result.output;
    const auto at = result.output.rfind("packet: ");
    if (at == std::string::npos) return "";
    const auto end = result.output.find('\n', at);
    return result.output.substr(at + 8, end == std::string::npos ? std::string::npos : end - at - 8);
  }

  TempDir dir_{"browser-client"};
  std::string skipped_;
};

TEST_F(BrowserClient, PacketShownByThePageIsGrantedBySesamed) {
  const std::string packet = page_packet({"--allow", "10.9.8.7", "--access", "tcp/22", "--user", "webuser"});
  if (!skipped_.empty()) GTEST_SKIP() << skipped_;
  ASSERT_GE(packet.size(), 140u);
  SesamedProcess daemon(dir_, {.access_conf = access_conf("tcp/22")});
  ASSERT_EQ(send_udp(daemon.port(), packet), 1u);
  const auto grants = daemon.wait_for_events("grant", 1);
  ASSERT_EQ(grants.size(), 1u) << daemon.output();
  EXPECT_EQ(grants[0]["src"], "10.9.8.7");
  EXPECT_EQ(grants[0]["proto"], "tcp");
  EXPECT_EQ(grants[0]["port"], 22);
}

TEST_F(BrowserClient, CtrPacketWithHmacSha512AndTwoPortsIsGrantedBySesamed) {
  const std::string packet = page_packet({"--allow", "10.9.8.6", "--access", "tcp/22,udp/53", "--mode", "ctr",
                                          "--hmac-type", "sha512", "--client-timeout", "45"});
  if (!skipped_.empty()) GTEST_SKIP() << skipped_;
  SesamedProcess daemon(
      dir_, {.access_conf = access_conf("tcp/22, udp/53") + "ENCRYPTION_MODE CTR\nHMAC_DIGEST_TYPE SHA512\n"});
  ASSERT_EQ(send_udp(daemon.port(), packet), 1u);
  const auto grants = daemon.wait_for_events("grant", 2);
  ASSERT_EQ(grants.size(), 2u) << daemon.output();
  EXPECT_EQ(grants[0]["src"], "10.9.8.6");
  EXPECT_EQ(grants[0]["timeout"], 45);  // the client timeout the page put in (message type 3)
}

TEST_F(BrowserClient, PacketShownByThePageIsAcceptedByFwknopd) {
  std::string why;
  if (!fwknopd_oracle_available(&why)) GTEST_SKIP() << "SKIPPED: " << why;
  const std::string packet = page_packet({"--allow", "10.9.8.7", "--access", "tcp/22", "--user", "webuser"});
  if (!skipped_.empty()) GTEST_SKIP() << skipped_;
  const auto verdicts = run_fwknopd_oracle({packet}, access_conf("tcp/22"));
  ASSERT_EQ(verdicts.size(), 1u);
  EXPECT_TRUE(verdicts[0].accepted) << to_string(verdicts[0].outcome) << ": " << verdicts[0].log;
  EXPECT_EQ(verdicts[0].fields.at("Message String"), "10.9.8.7,tcp/22");
  EXPECT_EQ(verdicts[0].fields.at("Username"), "webuser");
  EXPECT_EQ(verdicts[0].fields.at("Message Type"), "1 (Access msg)");
}

// The page's "Send knock": a fetch() GET from Chromium to sesamed's TCP server with SPA over HTTP. A browser cannot
// send fwknop's "User-Agent: Fwknop/..." header, hence ALLOW_ANY_USER_AGENT.
TEST_F(BrowserClient, KnockSentOverHttpIsGrantedBySesamedForThePacketSource) {
  const std::uint16_t http_port = free_udp_port();  // nothing listens on this TCP port either, in practice
  SesamedProcess daemon(dir_, {.conf_extra = "ENABLE_TCP_SERVER Y\nTCPSERV_PORT " + std::to_string(http_port) +
                                             "\nENABLE_SPA_OVER_HTTP Y\nALLOW_ANY_USER_AGENT Y\n",
                               .access_conf = access_conf("tcp/22")});
  const ProcessResult knock = drive(
      "knock", {"--url", "http://127.0.0.1:" + std::to_string(http_port), "--allow", "0.0.0.0", "--access", "tcp/22"});
  if (knock.exit_status == 77) GTEST_SKIP() << knock.output;
  ASSERT_EQ(knock.exit_status, 0) << knock.output;
  const auto grants = daemon.wait_for_events("grant", 1);
  ASSERT_EQ(grants.size(), 1u) << knock.output << daemon.output();
  EXPECT_EQ(grants[0]["src"], "127.0.0.1");  // 0.0.0.0 in the packet: the address the request came from
  EXPECT_EQ(grants[0]["port"], 22);
  EXPECT_TRUE(daemon.events("reject").empty()) << daemon.output();  // one request, not retried as a replay
}

}  // namespace
}  // namespace sesame::test
