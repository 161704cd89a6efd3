// SPDX-License-Identifier: GPL-2.0-or-later
// End to end, NAT (server.md §2, §8.1; protocol.md §3.3; client.md -N, --nat-local, --nat-port): the sesame client
// asks the real fwknopd 2.6.x for local NAT (type 5) or forwarding to an internal host (type 2), and a port on the
// server that was closed leads to the service behind it until FW_ACCESS_TIMEOUT runs out. Root only; every test
// builds its own namespaces, and every iptables rule and sysctl is set inside them.
//
// What fwknopd 2.6.10 does, found by running it (these tests pin it down):
// * Local NAT: `-A tcp/<service port> --nat-local --nat-port <external port>` sends the access message
//   `<ip>,tcp/<external port>` and the NAT string `<-D value>,<service port>`. fwknopd checks the access message
//   port against OPEN_PORTS, then adds a DNAT rule `--dport <external> -j DNAT --to-destination <-D>:<service>` to
//   FWKNOP_PREROUTING and an INPUT accept for `--dport <service>` (the packets after DNAT), so the knocker can reach
//   the service port directly too. ENABLE_IPT_LOCAL_NAT Y alone is enough; no ip_forward, no SNAT.
// * Forwarding: `-A tcp/<external port> -N <internal ip>:<port>` gets a DNAT rule as above plus a FORWARD accept
//   for `-s <ip> --dport <port>` in FWKNOP_FORWARD. It needs ENABLE_IPT_FORWARDING Y, the default IPT_FORWARD_ACCESS
//   and IPT_DNAT_ACCESS, and ip_forward=1 in the server's namespace. No ENABLE_IPT_SNAT, because the internal host
//   routes the client subnet back via the server; without that route replies get lost, and ENABLE_IPT_SNAT Y
//   (fwknopd then also MASQUERADEs, as no SNAT_TRANSLATE_IP is set) makes it work again.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
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
#include "support/test_vectors.h"

namespace sesame::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kSesame = SESAME_CLIENT_PATH;
constexpr std::uint16_t kServicePort = 22222;  // where the services listen; never opened by a plain rule
constexpr std::uint16_t kLocalNatPort = 40022;
constexpr std::uint16_t kForwardPort = 40023;
constexpr const char* kKey = "e2e-encryption-key";
constexpr const char* kHmacKey = "e2e-hmac-key";
constexpr const char* kLocalGreeting = "hello from the server's own service";
constexpr const char* kInternalGreeting = "hello from the internal host";
constexpr auto kProbeTimeout = 300ms;  // one connection attempt while polling
constexpr auto kClosedCheck = 1s;      // how long a silent port is watched before it counts as closed
constexpr auto kAccessTimeout = 3s;    // FW_ACCESS_TIMEOUT of every stanza here

std::string host_ip_forward() {
  try {
    return read_file("/proc/sys/net/ipv4/ip_forward");
  } catch (const std::exception&) {
    return "?";
  }
}

double seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// One port as the client sees it: where it connects, and which service must answer there.
struct Target {
  std::string ip;
  std::uint16_t port = 0;
  std::string greeting;
  std::string name() const { return ip + ":" + std::to_string(port); }
};

class NatEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "SKIPPED: needs root and network namespaces";
    std::string why;
    if (!NetnsPair::available(&why)) GTEST_SKIP() << "SKIPPED: needs root and network namespaces: " << why;
    if (!FwknopdProcess::available(&why)) GTEST_SKIP() << "SKIPPED: " << why;
    if (iptables_path().empty()) GTEST_SKIP() << "SKIPPED: iptables not installed";
    if (sysctl_path().empty()) GTEST_SKIP() << "SKIPPED: sysctl (procps) not installed";
    ASSERT_TRUE(std::filesystem::exists(kSesame)) << kSesame;
    home_ = dir_.path() + "/home";
    ASSERT_EQ(::mkdir(home_.c_str(), 0700), 0);
    host_ip_forward_ = host_ip_forward();
    net_ = std::make_unique<NetnsPair>();
    // Default drop for INPUT and FORWARD but loopback, replies and the SPA port, inside the server namespace only:
    // what reaches a service after the knock went through fwknopd's own accept rules.
    const std::string& ns = net_->server_ns();
    const std::string iptables = iptables_path();
    for (const char* chain : {"INPUT", "FORWARD"}) {
      NetnsPair::check_in(ns, {iptables, "-P", chain, "DROP"});
      NetnsPair::check_in(
          ns, {iptables, "-A", chain, "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"});
    }
    NetnsPair::check_in(ns, {iptables, "-A", "INPUT", "-i", "lo", "-j", "ACCEPT"});
    NetnsPair::check_in(ns, {iptables, "-A", "INPUT", "-p", "udp", "--dport", "62201", "-j", "ACCEPT"});
  }

  // fwknopd first (it removes its rules), then the listener, then the namespaces; dir_ goes last.
  void TearDown() override {
    fwknopd_.reset();
    service_.reset();
    net_.reset();
    if (!host_ip_forward_.empty()) {
      EXPECT_EQ(host_ip_forward(), host_ip_forward_) << "the host's ip_forward changed";
    }
  }

  // fwknopd in UDP-server mode with one stanza for the test keys, FW_ACCESS_TIMEOUT kAccessTimeout and OPEN_PORTS
  // `open_ports`; `conf_extra` enables the NAT mode.
  void start_fwknopd(const std::string& conf_extra, const std::string& open_ports) {
    const std::string access = std::string("SOURCE ANY\nKEY ") + kKey + "\nHMAC_KEY " + kHmacKey + "\nOPEN_PORTS " +
                               open_ports + "\nFW_ACCESS_TIMEOUT " + std::to_string(kAccessTimeout.count()) + "\n";
    fwknopd_ = std::make_unique<FwknopdProcess>(
        net_->server_ns(), dir_.path(), "FIREWALL_EXE " + iptables_path() + "\nENABLE_UDP_SERVER Y\n" + conf_extra,
        access);
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

  // One connection from `source_ip` in the client namespace; when it is answered, the line must be the greeting
  // of the service the target leads to.
  bool answers(const Target& target, const std::string& source_ip, std::chrono::milliseconds timeout) const {
    std::string line;
    const bool answered = tcp_answers(net_->client_ns(), source_ip, target.ip, target.port, timeout, &line);
    if (answered) {
      EXPECT_EQ(line, target.greeting) << target.name();
    }
    return answered;
  }

  // Probes from the client until the target answers (`open`) or stops answering; the time that took, or nullopt
  // after `limit`.
  std::optional<Clock::duration> wait_until(bool open, const Target& target, Clock::duration limit) const {
    const auto start = Clock::now();
    while (Clock::now() - start < limit) {
      if (answers(target, net_->client_ip(), kProbeTimeout) == open) return Clock::now() - start;
      std::this_thread::sleep_for(100ms);
    }
    return std::nullopt;
  }

  std::string fwknopd_log() const { return fwknopd_ ? "fwknopd log:\n" + fwknopd_->log() : "no fwknopd"; }

  // The whole cycle for a NAT knock: `external` closed, knock, `external` leads to the service for the knocker
  // only (`while_open` checks more then), closed again after kAccessTimeout (+ fwknopd's ~1 s expiry scan and
  // whole-second expiry times).
  void expect_knock_opens_until_timeout(const Target& external, const std::vector<std::string>& knock_args,
                                        const std::string& expected_log, const std::function<void()>& while_open) {
    EXPECT_FALSE(answers(external, net_->client_ip(), kClosedCheck)) << external.name() << " answered before the knock";
    const auto knocked = Clock::now();
    const ProcessResult sent = knock(knock_args);
    ASSERT_EQ(sent.exit_status, 0) << sent.output;

    ASSERT_TRUE(wait_until(true, external, 2s)) << external.name() << " still closed 2 s after the knock\n"
                                                << fwknopd_log();
    EXPECT_NE(fwknopd_->log().find(expected_log), std::string::npos) << fwknopd_log();
    EXPECT_FALSE(answers(external, net_->other_client_ip(), kClosedCheck))
        << external.name() << " answered " << net_->other_client_ip() << ", which did not knock";
    while_open();

    const auto closed = wait_until(false, external, kAccessTimeout + 4s - (Clock::now() - knocked));
    ASSERT_TRUE(closed) << external.name() << " still open " << kAccessTimeout.count() + 4 << " s after the knock\n"
                        << fwknopd_log();
    EXPECT_GE(seconds(Clock::now() - knocked), double(kAccessTimeout.count()) - 1.5) << "closed too early\n"
                                                                                     << fwknopd_log();
    EXPECT_FALSE(answers(external, net_->client_ip(), kClosedCheck))
        << external.name() << " answered after the timeout";
    EXPECT_GE(service_->connections(), 1);
  }

  TempDir dir_{"sesame-e2e-nat"};
  std::string home_;
  std::string host_ip_forward_;
  std::unique_ptr<NetnsPair> net_;
  std::unique_ptr<TcpLineServer> service_;
  std::unique_ptr<FwknopdProcess> fwknopd_;
};

// Type 5: the external port 40022 on the server leads to the server's own service on 22222.
TEST_F(NatEndToEnd, LocalNatLeadsAnExternalPortToALocalServiceUntilFwAccessTimeout) {
  const std::string& server = net_->server_ip();
  service_ = std::make_unique<TcpLineServer>(net_->server_ns(), server, kServicePort, kLocalGreeting);
  ASSERT_TRUE(tcp_answers(net_->server_ns(), server, server, kServicePort, 1s)) << "the service is not listening";
  // OPEN_PORTS names the port of the access message, i.e. the external --nat-port, not the service port.
  start_fwknopd("ENABLE_IPT_LOCAL_NAT Y\n", "tcp/" + std::to_string(kLocalNatPort));
  const Target external{server, kLocalNatPort, kLocalGreeting};
  const Target direct{server, kServicePort, kLocalGreeting};
  EXPECT_FALSE(answers(direct, net_->client_ip(), kClosedCheck)) << "the service port answered before the knock";

  expect_knock_opens_until_timeout(
      external,
      {"-A", "tcp/" + std::to_string(kServicePort), "--nat-local", "--nat-port", std::to_string(kLocalNatPort)},
      "Added DNAT rule to FWKNOP_PREROUTING for " + net_->client_ip() + " -> 0.0.0.0/0 tcp/" +
          std::to_string(kLocalNatPort),
      [&] {
        // fwknopd's INPUT accept for the DNATed packets matches `--dport 22222` from the knocker, so while it lasts
        // the knocker reaches the service port directly too (server.md §8.1); its log names the external port.
        EXPECT_NE(fwknopd_->log().find("Added local NAT rule to FWKNOP_INPUT for " + net_->client_ip() +
                                       " -> 0.0.0.0/0 tcp/" + std::to_string(kLocalNatPort)),
                  std::string::npos)
            << fwknopd_log();
        EXPECT_TRUE(answers(direct, net_->client_ip(), kClosedCheck)) << "the service port is closed to the knocker";
      });
  EXPECT_FALSE(answers(direct, net_->client_ip(), kClosedCheck)) << "the service port answered after the timeout";
}

// Type 2: the external port 40023 on the server leads to 22222 on the internal host behind it.
TEST_F(NatEndToEnd, NatAccessForwardsAnExternalPortToAnInternalHostUntilFwAccessTimeout) {
  net_->add_internal_host();
  NetnsPair::check_in(net_->server_ns(), {sysctl_path(), "-w", "net.ipv4.ip_forward=1"});
  service_ = std::make_unique<TcpLineServer>(net_->internal_ns(), net_->internal_ip(), kServicePort, kInternalGreeting);
  ASSERT_TRUE(tcp_answers(net_->server_ns(), net_->server_internal_ip(), net_->internal_ip(), kServicePort, 1s))
      << "the internal service is not reachable from the server";
  start_fwknopd("ENABLE_IPT_FORWARDING Y\n", "tcp/" + std::to_string(kForwardPort));
  const Target external{net_->server_ip(), kForwardPort, kInternalGreeting};

  expect_knock_opens_until_timeout(
      external,
      {"-A", "tcp/" + std::to_string(kForwardPort), "-N", net_->internal_ip() + ":" + std::to_string(kServicePort)},
      "Added DNAT rule to FWKNOP_PREROUTING for " + net_->client_ip() + " -> 0.0.0.0/0 tcp/" +
          std::to_string(kForwardPort),
      [&] {
        EXPECT_NE(fwknopd_->log().find("Added FORWARD rule to FWKNOP_FORWARD for " + net_->client_ip() +
                                       " -> 0.0.0.0/0 tcp/" + std::to_string(kForwardPort)),
                  std::string::npos)
            << fwknopd_log();
      });
}

}  // namespace
}  // namespace sesame::test
