// SPDX-License-Identifier: GPL-2.0-or-later
// Replay protection across a fleet (REPLAY_CACHE_URL): two sesamed gateways in two network namespaces share one
// real redis-server that the test starts on a private address. The same packet sent to both is granted exactly
// once; with Redis stopped, the fail-closed gateway refuses a fresh knock and the fail-open one grants it, both
// saying so in their logs.
//
// Topology (NetnsPair with its internal host): client ns -- server ns (gateway A, Redis on its inner address)
// -- internal ns (gateway B). The client reaches B through A, which forwards inside its namespace.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "e2e/sesamed_knock_fixture.h"
#include "support/redis_server.h"

namespace sesame::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kRedisPort = "6390";

class SesamedReplayFleet : public SesamedKnockFixture {
 protected:
  void SetUp() override {
    SesamedKnockFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (RedisServer::executable().empty()) GTEST_SKIP() << "SKIPPED: redis-server not installed";
    net_->add_internal_host();
    NetnsPair::check_in(net_->server_ns(), {"sysctl", "-qw", "net.ipv4.ip_forward=1"});
    NetnsPair::check_in(net_->client_ns(),
                        {"ip", "route", "add", subnet_of(net_->internal_ip()) + ".0/24", "via", net_->server_ip()});
    redis_ = std::make_unique<RedisServer>(net_->server_internal_ip(), std::stoi(kRedisPort), net_->server_ns());
  }

  void TearDown() override {
    gateway_a_.reset();
    gateway_b_.reset();
    redis_.reset();
    SesamedKnockFixture::TearDown();
  }

  static std::string subnet_of(const std::string& ip) { return ip.substr(0, ip.rfind('.')); }

  // A gateway: UDP server, nftables, the shared cache with `failure` (closed or open); no REQUIRE_SOURCE_ADDRESS, so
  // one packet is valid at both gateways.
  std::unique_ptr<NetnsSesamed> start_gateway(const std::string& name, const std::string& ns,
                                              const std::string& failure) {
    const std::string run = dir_.path() + "/" + name;
    std::filesystem::create_directory(run);
    const std::string conf =
        dir_.write_file(name + ".conf", "ENABLE_UDP_SERVER Y\nFIREWALL_TYPE nftables\nFWKNOP_RUN_DIR " + run +
                                            "\nFWKNOP_PID_FILE " + run + "/sesamed.pid\nDIGEST_FILE " + run +
                                            "/digest.cache\nREPLAY_CACHE_URL redis://" + net_->server_internal_ip() +
                                            ":" + kRedisPort + "/0\nREPLAY_CACHE_FAILURE " + failure + "\n");
    const std::string access =
        dir_.write_file(name + "-access.conf", "SOURCE ANY\nOPEN_PORTS tcp/22\nKEY_BASE64 " + key_ +
                                                   "\nHMAC_KEY_BASE64 " + hmac_key_ + "\nFW_ACCESS_TIMEOUT 30\n");
    return std::make_unique<NetnsSesamed>(
        ns, std::vector<std::string>{"-c", conf, "-a", access, "--replay-log", run + "/replay.log"},
        dir_.path() + "/" + name + ".log");
  }

  // One knock built by `sesame -T -B` (nothing sent), the payload without the newline -B adds.
  std::string make_packet() {
    const std::string file = dir_.path() + "/packet-" + std::to_string(++packets_);
    const ProcessResult built = knock({"-A", "tcp/22", "-T", "-B", file});
    EXPECT_EQ(built.exit_status, 0) << built.output;
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    std::string payload = text.str();
    while (!payload.empty() && payload.back() == '\n') payload.pop_back();
    return payload;
  }

  // The payload as one UDP datagram from the client namespace to ip:62201 (bash's /dev/udp).
  void send(const std::string& payload, const std::string& ip) {
    const ProcessResult sent = NetnsPair::run_in(
        net_->client_ns(), {"bash", "-c", "printf %s \"$1\" >/dev/udp/" + ip + "/62201", "send", payload});
    ASSERT_EQ(sent.exit_status, 0) << sent.output;
  }

  static int count(const std::string& text, const std::string& what) {
    int n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  }

  std::unique_ptr<RedisServer> redis_;
  std::unique_ptr<NetnsSesamed> gateway_a_, gateway_b_;
  int packets_ = 0;
};

TEST_F(SesamedReplayFleet, OnePacketSentToTwoGatewaysIsGrantedOnceAndRedisDownFailsClosedOrOpen) {
  gateway_a_ = start_gateway("a", net_->server_ns(), "closed");
  gateway_b_ = start_gateway("b", net_->internal_ns(), "open");
  const std::string granted = "Added access rule to nftables for " + net_->client_ip();

  // The same packet to both gateways, twice over: one grant in the whole fleet, every other copy a replay.
  const std::string packet = make_packet();
  send(packet, net_->server_ip());
  send(packet, net_->internal_ip());
  ASSERT_TRUE(gateway_a_->wait_for_log("Replay detected", 3s) || gateway_b_->wait_for_log("Replay detected", 3s))
      << gateway_a_->log() << gateway_b_->log();
  send(packet, net_->internal_ip());
  send(packet, net_->server_ip());
  ASSERT_TRUE(gateway_a_->wait_for_log("Replay detected", 3s) && gateway_b_->wait_for_log("Replay detected", 3s))
      << gateway_a_->log() << gateway_b_->log();
  EXPECT_EQ(count(gateway_a_->log(), granted) + count(gateway_b_->log(), granted), 1) << "A:\n"
                                                                                      << gateway_a_->log() << "B:\n"
                                                                                      << gateway_b_->log();

  // Redis gone: A (closed) refuses a fresh knock, B (open) grants one; each logs that the cache is unreachable.
  redis_->stop();
  send(make_packet(), net_->server_ip());
  ASSERT_TRUE(gateway_a_->wait_for_log("Shared replay cache unreachable", 3s)) << gateway_a_->log();
  EXPECT_TRUE(gateway_a_->wait_for_log("REPLAY_CACHE_FAILURE closed", 3s)) << gateway_a_->log();
  const int b_grants_before = count(gateway_b_->log(), granted);
  send(make_packet(), net_->internal_ip());
  ASSERT_TRUE(gateway_b_->wait_for_log("Shared replay cache unreachable", 3s)) << gateway_b_->log();
  EXPECT_TRUE(gateway_b_->wait_for_log("REPLAY_CACHE_FAILURE open", 3s)) << gateway_b_->log();
  for (int i = 0; i < 30 && count(gateway_b_->log(), granted) == b_grants_before; ++i)
    std::this_thread::sleep_for(100ms);
  EXPECT_EQ(count(gateway_b_->log(), granted), b_grants_before + 1) << gateway_b_->log();
  const int a_grants = count(gateway_a_->log(), granted);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(count(gateway_a_->log(), granted), a_grants) << "A granted although the shared cache is down";
  EXPECT_NE(gateway_a_->log().find("Shared replay cache unreachable: packet dropped"), std::string::npos)
      << gateway_a_->log();

  // Redis back (empty): A grants again after its retry interval and says the cache answers again.
  redis_->start();
  std::this_thread::sleep_for(1100ms);
  send(make_packet(), net_->server_ip());
  ASSERT_TRUE(gateway_a_->wait_for_log("answers again", 3s)) << gateway_a_->log();
  for (int i = 0; i < 30 && count(gateway_a_->log(), granted) == a_grants; ++i) std::this_thread::sleep_for(100ms);
  EXPECT_EQ(count(gateway_a_->log(), granted), a_grants + 1) << gateway_a_->log();
}

}  // namespace
}  // namespace sesame::test
