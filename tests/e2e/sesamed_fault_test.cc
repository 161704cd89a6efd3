// SPDX-License-Identifier: GPL-2.0-or-later
// Fault injection, end to end (issue 11): sesamed with real firewalls inside network namespaces the tests create,
// and faults made real rather than mocked.
// - The replay log on a full disk: a tmpfs of four pages, mounted in a private mount namespace that only sesamed
//   sees (`unshare --mount`), is filled up through /proc/PID/root. REPLAY_LOG_FAILURE closed (the default) grants
//   nothing and says why; once space is freed, the next knock opens. REPLAY_LOG_FAILURE open grants and warns.
// - The firewall tool fails: FIREWALL_EXE names wrappers of the real iptables tools whose iptables-restore fails
//   while a flag file exists. No grant is reported, the log says why, and the next knock opens.
// - kill -9 in the middle of a burst of grants: no packet the killed daemon granted is granted again after the
//   restart, and every element the killed daemon left in the kernel is gone when its timeout has run out.
// Root only; every namespace, mount and rule is the test's own and goes with it.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "e2e/sesamed_knock_fixture.h"
#include "e2e/system_tools.h"
#include "spa/base64.h"
#include "spa/packet_codec.h"
#include "spa/random.h"
#include "support/sesamed_process.h"
#include "support/test_vectors.h"

namespace sesame::test {
namespace {

using namespace std::chrono_literals;

constexpr std::uint16_t kPort = 22222;
constexpr std::uint16_t kSpaPort = 62201;
constexpr std::chrono::seconds kAccessTimeout{3};
constexpr const char* kGreeting = "hello from behind the knock";
constexpr std::size_t kPage = 4096;
// A replay log record: 32 hex digits, a blank, a 10-digit keep-until time, a newline (src/server/replay_log.h).
constexpr std::size_t kRecordBytes = 44;

std::string unshare_path() {
  return find_executable({"/usr/bin/unshare", "/bin/unshare"});
}

// The allow addresses of the "Added access rule to nftables for IP -> ..." lines of a log.
std::multiset<std::string> granted_addresses(const std::string& log) {
  static const std::regex kGrant("Added access rule to nftables for ([0-9.]+) -> ");
  std::multiset<std::string> addresses;
  for (auto it = std::sregex_iterator(log.begin(), log.end(), kGrant); it != std::sregex_iterator(); ++it)
    addresses.insert((*it)[1].str());
  return addresses;
}

class SesamedFaultEndToEnd : public SesamedKnockFixture {
 protected:
  void SetUp() override {
    SesamedKnockFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    service_ = std::make_unique<TcpLineServer>(net_->server_ns(), net_->server_ip(), kPort, kGreeting);
  }

  void load_nft_ruleset() {
    if (nft_path().empty()) GTEST_SKIP() << "SKIPPED: nft (nftables) not installed";
    NetnsPair::check_in(net_->server_ns(), {nft_path(), "-f", dir_.write_file("ruleset.nft", default_drop_ruleset())});
  }

  // One stanza for tcp/kPort with a kAccessTimeout grant; `conf_extra` after the fixture's fwknopd.conf lines.
  void write_knock_configs(const std::string& conf_extra) {
    write_configs(conf_extra, stanza("OPEN_PORTS tcp/" + std::to_string(kPort) + "\nFW_ACCESS_TIMEOUT " +
                                     std::to_string(kAccessTimeout.count()) + "\n"));
  }

  // sesamed whose replay log lies on a tmpfs of four pages that only it sees, seeded with a valid log of exactly
  // one page: the next record needs a new page, which the test can take away by filling the tmpfs.
  void start_sesamed_on_tiny_tmpfs() {
    if (unshare_path().empty()) GTEST_SKIP() << "SKIPPED: unshare (util-linux) not installed";
    tmpfs_ = dir_.path() + "/replay-fs";
    ASSERT_EQ(::mkdir(tmpfs_.c_str(), 0700), 0);
    std::string seed = "# sesame replay log 1: <replay key, 32 hex digits> <keep until, epoch seconds>\n";
    // One record that expired in 1970, its keep-until padded with zeros up to the page's end.
    const std::string record_start = std::string(32, '0') + " ";
    seed += record_start + std::string(kPage - seed.size() - record_start.size() - 2, '0') + "1\n";
    ASSERT_EQ(seed.size(), kPage);
    const std::string seed_file = dir_.write_file("replay.seed", seed);
    const std::vector<std::string> wrapper{
        unshare_path(),
        "--mount",
        "--propagation",
        "private",
        "/bin/sh",
        "-c",
        "mount -t tmpfs -o size=16k,mode=0700 sesame-fault-test \"$1\" && cp \"$2\" \"$1/replay.log\" && "
        "chmod 600 \"$1/replay.log\" && shift 2 && exec \"$@\"",
        "sesamed-fault",
        tmpfs_,
        seed_file};
    sesamed_.reset();
    sesamed_ = std::make_unique<NetnsSesamed>(
        net_->server_ns(), std::vector<std::string>{"-c", conf_, "-a", access_, "--replay-log", tmpfs_ + "/replay.log"},
        dir_.path() + "/sesamed.log", 10s, wrapper);
    ASSERT_EQ(std::filesystem::file_size(in_sesamed_mounts("replay.log")), kPage)
        << "the replay log was rewritten at start, so the test cannot fill the disk under its next record\n"
        << sesamed_log();
  }

  // A file of the tmpfs, reached through sesamed's own view of the filesystem (its mount namespace).
  std::string in_sesamed_mounts(const std::string& name) const {
    return "/proc/" + std::to_string(sesamed_->pid()) + "/root" + tmpfs_ + "/" + name;
  }

  // Writes pages into a filler file until the tmpfs is full; how many it took.
  std::size_t fill_tmpfs() {
    const int fd = ::open(in_sesamed_mounts("filler").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    EXPECT_GE(fd, 0) << std::strerror(errno);
    if (fd < 0) return 0;
    const std::string page(kPage, 'x');
    std::size_t pages = 0;
    while (::write(fd, page.data(), page.size()) == ssize_t(page.size())) ++pages;
    const int error = errno;
    ::close(fd);
    EXPECT_EQ(error, ENOSPC) << std::strerror(error);
    return pages;
  }

  Target service() const { return Target{net_->server_ip(), kPort, kGreeting}; }

  ProcessResult knock_port() const { return knock({"-A", "tcp/" + std::to_string(kPort)}); }

  std::string tmpfs_;
};

TEST_F(SesamedFaultEndToEnd, AFullDiskUnderTheReplayLogGrantsNothingUntilSpaceIsFreed) {
  load_nft_ruleset();
  if (IsSkipped()) return;
  write_knock_configs("");
  ASSERT_NO_FATAL_FAILURE(start_sesamed_on_tiny_tmpfs());
  EXPECT_GE(fill_tmpfs(), 1U);

  ASSERT_EQ(knock_port().exit_status, 0);
  ASSERT_TRUE(sesamed_->wait_for_log("Replay log write failed", 3s)) << sesamed_log();
  const std::string log = sesamed_->log();
  EXPECT_NE(log.find("No space left on device; refusing 1 request(s) of this burst (REPLAY_LOG_FAILURE closed)"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("[" + net_->client_ip() + "] replay log write failed, no access granted: "), std::string::npos)
      << log;
  EXPECT_EQ(log.find("firewall change failed"), std::string::npos) << "the firewall was never asked\n" << log;
  EXPECT_EQ(log.find("Added access rule"), std::string::npos) << log;
  EXPECT_FALSE(answers(service(), net_->client_ip(), kClosedCheck)) << "the port opened without a logged packet";
  EXPECT_EQ(in_server({nft_path(), "list", "set", "inet", "filter", "sesame_in4"}).find(net_->client_ip()),
            std::string::npos);
  // The unwritten record is retried at every wake-up (at least once a second), but said once per refused burst.
  std::this_thread::sleep_for(2500ms);
  const std::string later = sesamed_->log();
  EXPECT_EQ(later.find("Replay log write failed"), later.rfind("Replay log write failed")) << later;

  ASSERT_EQ(::unlink(in_sesamed_mounts("filler").c_str()), 0) << std::strerror(errno);
  ASSERT_EQ(knock_port().exit_status, 0);
  EXPECT_TRUE(wait_until(true, service(), 2s)) << "no grant after space was freed\n" << sesamed_log();
  EXPECT_TRUE(sesamed_->wait_for_log("Added access rule to nftables for " + net_->client_ip(), 1s)) << sesamed_log();
  // Both packets are on disk now: the refused one stayed buffered and went out with the next flush.
  EXPECT_EQ(std::filesystem::file_size(in_sesamed_mounts("replay.log")), kPage + 2 * kRecordBytes);
}

TEST_F(SesamedFaultEndToEnd, ReplayLogFailureOpenGrantsOnAFullDiskAndWarns) {
  load_nft_ruleset();
  if (IsSkipped()) return;
  write_knock_configs("REPLAY_LOG_FAILURE open\n");
  ASSERT_NO_FATAL_FAILURE(start_sesamed_on_tiny_tmpfs());
  EXPECT_GE(fill_tmpfs(), 1U);

  ASSERT_EQ(knock_port().exit_status, 0);
  EXPECT_TRUE(wait_until(true, service(), 2s)) << "REPLAY_LOG_FAILURE open did not grant\n" << sesamed_log();
  const std::string log = sesamed_->log();
  EXPECT_NE(log.find("No space left on device; granting anyway (REPLAY_LOG_FAILURE open)"), std::string::npos) << log;
  EXPECT_NE(log.find("Added access rule to nftables for " + net_->client_ip()), std::string::npos) << log;
  EXPECT_EQ(log.find("no access granted"), std::string::npos) << log;
  EXPECT_EQ(std::filesystem::file_size(in_sesamed_mounts("replay.log")), kPage);

  // Once there is space, the record that could not be written goes out with the next burst's.
  ASSERT_EQ(::unlink(in_sesamed_mounts("filler").c_str()), 0) << std::strerror(errno);
  ASSERT_EQ(knock_port().exit_status, 0);
  ASSERT_TRUE(sesamed_->wait_for_log("Added access rule to nftables for " + net_->client_ip() + " -> tcp/22222", 2s));
  const auto deadline = Clock::now() + 2s;
  while (std::filesystem::file_size(in_sesamed_mounts("replay.log")) != kPage + 2 * kRecordBytes &&
         Clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  EXPECT_EQ(std::filesystem::file_size(in_sesamed_mounts("replay.log")), kPage + 2 * kRecordBytes) << sesamed_log();
}

// The iptables backend runs iptables-restore for a grant; here it fails while the flag file exists.
TEST_F(SesamedFaultEndToEnd, AFailingFirewallToolGrantsNothingAndTheNextKnockWorks) {
  if (iptables_path().empty()) GTEST_SKIP() << "SKIPPED: iptables not installed";
  const std::string real_dir = std::filesystem::path(iptables_path()).parent_path().string();
  for (const char* chain : {"INPUT", "FORWARD"}) {
    NetnsPair::check_in(net_->server_ns(), {iptables_path(), "-P", chain, "DROP"});
    NetnsPair::check_in(net_->server_ns(), {iptables_path(), "-A", chain, "-m", "conntrack", "--ctstate",
                                            "ESTABLISHED,RELATED", "-j", "ACCEPT"});
  }
  const std::string bin = dir_.path() + "/fw-bin";
  const std::string flag = dir_.path() + "/fail-iptables-restore";
  ASSERT_EQ(::mkdir(bin.c_str(), 0700), 0);
  for (const std::string name : {"iptables", "iptables-save", "iptables-restore"}) {
    const std::string path = dir_.write_file(
        "fw-bin/" + name, "#!/bin/sh\nif [ \"" + name + "\" = iptables-restore ] && [ -e '" + flag +
                              "' ]; then\n  echo 'iptables-restore: injected failure' >&2\n  exit 1\nfi\nexec '" +
                              real_dir + "/" + name + "' \"$@\"\n");
    ASSERT_EQ(::chmod(path.c_str(), 0700), 0);
  }
  write_knock_configs("FIREWALL_TYPE iptables\nFIREWALL_EXE " + bin + "/iptables\n");
  start_sesamed();
  dir_.write_file("fail-iptables-restore", "");

  ASSERT_EQ(knock_port().exit_status, 0);
  ASSERT_TRUE(sesamed_->wait_for_log("no access granted", 3s)) << sesamed_log();
  const std::string log = sesamed_->log();
  EXPECT_NE(log.find("[" + net_->client_ip() + "] firewall change failed, no access granted: "), std::string::npos)
      << log;
  EXPECT_NE(log.find("injected failure"), std::string::npos) << "the tool's own message is not in the log\n" << log;
  EXPECT_EQ(log.find("Added access rule"), std::string::npos) << log;
  EXPECT_FALSE(answers(service(), net_->client_ip(), kClosedCheck)) << "the port opened after a failed change";

  ASSERT_EQ(::unlink(flag.c_str()), 0);
  ASSERT_EQ(knock_port().exit_status, 0);
  EXPECT_TRUE(wait_until(true, service(), 2s)) << "no grant once the tool works again\n" << sesamed_log();
  EXPECT_TRUE(sesamed_->wait_for_log("Added access rule to iptables for " + net_->client_ip(), 1s)) << sesamed_log();
}

// kill -9 while a burst of grants is being made, then a restart and every packet of the burst sent again: none the
// killed daemon granted is granted again, and what it left in the kernel closes on time without it.
TEST_F(SesamedFaultEndToEnd, Kill9DuringABurstOfGrantsLeavesNoReplayAndNoRuleBeyondItsTimeout) {
  load_nft_ruleset();
  if (IsSkipped()) return;
  write_knock_configs("ENABLE_UDP_SERVER Y\nUDPSERV_PORT " + std::to_string(kSpaPort) + "\n");

  // 300 packets, each for an address of its own, so that each grant line names its packet.
  constexpr int kPackets = 300;
  spa::Keys keys;
  keys.encryption_key = SecretBytes(*spa::base64_decode(key_));
  keys.hmac_key = SecretBytes(*spa::base64_decode(hmac_key_));
  std::vector<std::string> packets;
  for (int i = 0; i < kPackets; ++i) {
    spa::Message message;
    message.random_value = spa::make_random_value().value();
    message.username = "burst";
    message.timestamp = static_cast<std::uint32_t>(std::time(nullptr));
    message.message = "10.200." + std::to_string(i / 200) + "." + std::to_string(i % 200 + 1) + ",tcp/22222";
    auto wire = spa::encode(message, keys);
    ASSERT_TRUE(wire) << wire.error().to_string();
    packets.push_back(*wire);
  }
  // In slices of 10, 10 ms apart (0.3 s and more in all), from inside the server namespace to its UDP server.
  const auto send_burst = [&] {
    for (int i = 0; i < kPackets; i += 10) {
      const std::vector<std::string> slice(packets.begin() + i, packets.begin() + i + 10);
      const ScopedNetns in(net_->server_ns());
      EXPECT_EQ(send_udp(kSpaPort, slice), slice.size());
      std::this_thread::sleep_for(10ms);
    }
  };

  start_sesamed();
  std::thread burst(send_burst);
  const bool granting = sesamed_->wait_for_log("Added access rule", 5s);
  sesamed_->kill_hard();
  const auto killed = Clock::now();
  burst.join();
  ASSERT_TRUE(granting) << sesamed_log();
  const auto first = granted_addresses(sesamed_->log());
  std::cout << "[ info     ] granted before kill -9: " << first.size() << " of " << kPackets << "\n";
  EXPECT_LT(first.size(), std::size_t(kPackets)) << "the burst was over before the kill: not a test of a crash in it";
  for (const auto& address : first) EXPECT_EQ(first.count(address), 1U) << address << " granted twice";

  // With no sesamed running, the kernel removes every element by its own timeout.
  std::this_thread::sleep_for(kAccessTimeout + 1500ms - (Clock::now() - killed));
  const std::string left = in_server({nft_path(), "list", "set", "inet", "filter", "sesame_in4"});
  EXPECT_EQ(left.find("10.200."), std::string::npos) << "elements outlived FW_ACCESS_TIMEOUT:\n" << left;

  // The restart reads the replay log: every packet the first daemon granted is a replay now.
  ::rename((dir_.path() + "/sesamed.log").c_str(), (dir_.path() + "/sesamed-1.log").c_str());
  start_sesamed();
  send_burst();
  // Rejections are rate-limited in the log, so the replays are counted by the SIGUSR1 counters.
  std::size_t packets_seen = 0, replays = 0;
  const auto deadline = Clock::now() + 10s;
  while (packets_seen < std::size_t(kPackets) && Clock::now() < deadline) {
    ASSERT_EQ(::kill(sesamed_->pid(), SIGUSR1), 0);
    std::this_thread::sleep_for(100ms);
    const std::string log = sesamed_->log();
    const std::size_t at = log.rfind("Packets: ");
    if (at == std::string::npos) continue;
    packets_seen = std::stoul(log.substr(at + 9));
    const std::size_t replay_at = log.find("\"replay\":", at);
    replays =
        replay_at == std::string::npos || replay_at > log.find('\n', at) ? 0 : std::stoul(log.substr(replay_at + 9));
  }
  const std::string log = sesamed_->log();
  const auto second = granted_addresses(log);
  std::cout << "[ info     ] after the restart: " << second.size() << " granted, " << replays << " replays\n";
  EXPECT_EQ(packets_seen, std::size_t(kPackets)) << log;
  EXPECT_EQ(second.size() + replays, std::size_t(kPackets)) << log;
  EXPECT_GE(replays, first.size());
  for (const auto& address : second) EXPECT_EQ(first.count(address), 0U) << address << " granted again";
  std::this_thread::sleep_for(kAccessTimeout + 1500ms);
  const std::string after = in_server({nft_path(), "list", "set", "inet", "filter", "sesame_in4"});
  EXPECT_EQ(after.find("10.200."), std::string::npos) << "elements outlived FW_ACCESS_TIMEOUT:\n" << after;
}

}  // namespace
}  // namespace sesame::test
