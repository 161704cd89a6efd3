// SPDX-License-Identifier: GPL-2.0-or-later
// The real fwknop 2.6.x client sends to the real sesamed (-t) over UDP: every encryption mode, HMAC type and message
// type is granted exactly once, as asked; replays, wrong keys, foreign sources and denied ports are refused with
// their reason; the same packets read back from a pcap file are granted too.
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fwknop_client.h"
#include "oracle_cases.h"
#include "pcap_file_writer.h"
#include "spa/base64.h"
#include "support/gpg_home.h"
#include "support/sesamed_process.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"
#include "support/test_vectors.h"

namespace sesame::test {
namespace {

using nlohmann::json;

constexpr int kMaxFwTimeout = 120;  // MAX_FW_TIMEOUT of every stanza here; FW_ACCESS_TIMEOUT stays at its 30
constexpr const char* kOpenPorts = "tcp/22,tcp/2222,udp/1194,tcp/5900";

// Absolute paths only, as fwknop_client.cc: the point is the real client.
std::string fwknop_path() {
  if (const char* env = std::getenv("SESAME_FWKNOP"); env != nullptr && *env != '\0') return find_executable({env});
  return find_executable({"/usr/bin/fwknop", "/usr/local/bin/fwknop", "/bin/fwknop"});
}

// Runs fwknop without -T, so that the client itself sends the packet to 127.0.0.1:`port`; -B keeps a copy for
// resending and for the pcap file. Returns the payload; a test failure (and "") when the client fails.
// With `netns`, the client runs in that network namespace (`ip netns exec`), where sesamed listens too.
std::string fwknop_send(const TempDir& home, std::uint16_t port, const std::vector<std::string>& args,
                        const std::string& netns = "") {
  const std::string packet_file = home.path() + "/spa.packet";
  std::vector<std::string> argv{fwknop_path(), "--no-rc-file", "--no-save-args",    "-B", packet_file, "-D",
                                "127.0.0.1",   "-p",           std::to_string(port)};
  if (!netns.empty()) argv.insert(argv.begin(), {"/usr/sbin/ip", "netns", "exec", netns});
  argv.insert(argv.end(), args.begin(), args.end());
  ::unlink(packet_file.c_str());
  const ProcessResult run =
      run_process(argv, {.env = std::vector<std::string>{"HOME=" + home.path(), "PATH=/usr/bin:/bin", "LC_ALL=C"},
                         .timeout = std::chrono::seconds(20)});
  EXPECT_EQ(run.exit_status, 0) << run.output;
  std::string packet = run.exit_status == 0 ? read_file(packet_file) : std::string();
  while (!packet.empty() && packet.back() == '\n') packet.pop_back();
  return packet;
}

// The message types, as the client's options choose them (client.md §2).
enum class Kind { kAccess, kTimeout, kNat, kNatTimeout, kNatLocal, kNatLocalTimeout, kCommand };
constexpr Kind kKinds[] = {Kind::kAccess,   Kind::kTimeout,         Kind::kNat,    Kind::kNatTimeout,
                           Kind::kNatLocal, Kind::kNatLocalTimeout, Kind::kCommand};

struct Expected {
  std::string event = "grant";  // or "command"
  std::string proto;
  int port = 0;
  int timeout = 30;
  std::optional<std::string> nat;
  std::string command;
};

// Appends the options for `kind` and returns what sesamed must then log.
Expected add_kind_options(Kind kind, std::vector<std::string>& args) {
  switch (kind) {
    case Kind::kAccess:
      args.insert(args.end(), {"-A", "tcp/22"});
      return {"grant", "tcp", 22, 30, std::nullopt, ""};
    case Kind::kTimeout:
      args.insert(args.end(), {"-A", "udp/1194", "-f", "45"});
      return {"grant", "udp", 1194, 45, std::nullopt, ""};
    case Kind::kNat:
      args.insert(args.end(), {"-A", "tcp/2222", "-N", "192.168.1.2:22"});
      return {"grant", "tcp", 2222, 30, "192.168.1.2,22", ""};
    case Kind::kNatTimeout:  // more than MAX_FW_TIMEOUT: capped
      args.insert(args.end(), {"-A", "tcp/2222", "-N", "192.168.1.3:22", "-f", "1000"});
      return {"grant", "tcp", 2222, kMaxFwTimeout, "192.168.1.3,22", ""};
    case Kind::kNatLocal:  // the NAT host is the -D value
      args.insert(args.end(), {"-A", "tcp/5900", "--nat-local"});
      return {"grant", "tcp", 5900, 30, "127.0.0.1,5900", ""};
    case Kind::kNatLocalTimeout:
      args.insert(args.end(), {"-A", "tcp/5900", "--nat-local", "-f", "90"});
      return {"grant", "tcp", 5900, 90, "127.0.0.1,5900", ""};
    case Kind::kCommand:
      args.insert(args.end(), {"-C", "uptime"});
      return {"command", "", 0, 0, std::nullopt, "uptime"};
  }
  return {};
}

std::string random_base64_key(std::mt19937& rng, std::size_t size) {
  std::vector<std::uint8_t> bytes(size);
  std::uniform_int_distribution<int> byte(0, 255);
  for (auto& b : bytes) b = std::uint8_t(byte(rng));
  return spa::base64_encode_padded(bytes);
}

// One access.conf stanza and the client options that match its keys.
struct Stanza {
  std::string name;  // for failure messages
  std::string text;
  std::vector<std::string> client_args;
};

std::vector<Stanza> rijndael_stanzas(std::mt19937& rng) {
  std::vector<Stanza> stanzas;
  for (const char* mode : {"cbc", "ecb", "cfb", "ofb", "ctr"}) {
    for (const spa::DigestType hmac : kAllDigests) {
      const std::string key = random_base64_key(rng, 32);
      const std::string hmac_key = random_base64_key(rng, 32);
      stanzas.push_back({std::string(mode) + "/" + config_name(hmac),
                         "SOURCE ANY\nKEY_BASE64 " + key + "\nHMAC_KEY_BASE64 " + hmac_key + "\nHMAC_DIGEST_TYPE " +
                             config_name(hmac) + "\nENCRYPTION_MODE " + mode + "\n",
                         {"-M", mode, "--key-base64-rijndael", key, "--key-base64-hmac", hmac_key, "--use-hmac",
                          "--hmac-digest-type", config_name(hmac)}});
    }
  }
  return stanzas;
}

// legacy mode (the pre-2.5 IV derivation) goes without an HMAC, as the client requires (client.md §2).
Stanza legacy_stanza() {
  return {"legacy",
          "SOURCE ANY\nKEY legacy-passphrase\nENCRYPTION_MODE legacy\n",
          {"-M", "legacy", "--key-rijndael", "legacy-passphrase"}};
}

Stanza gpg_stanza(const std::string& home, bool with_hmac) {
  Stanza stanza{with_hmac ? "gpg/sha512" : "gpg",
                "SOURCE ANY\nGPG_HOME_DIR " + home + "\nGPG_ALLOW_NO_PW Y\nGPG_DECRYPT_ID " + kGpgServerKeyId +
                    "\nGPG_REMOTE_ID " + kGpgSignerShortId + "\n",
                {"--gpg-recipient-key", kGpgServerKeyId, "--gpg-signer-key", kGpgSignerKeyId, "--gpg-home-dir", home,
                 "--gpg-no-signing-pw"}};
  if (with_hmac) {
    stanza.text += "HMAC_KEY gpg-hmac-key\nHMAC_DIGEST_TYPE sha512\n";
    stanza.client_args.insert(stanza.client_args.end(),
                              {"--key-hmac", "gpg-hmac-key", "--use-hmac", "--hmac-digest-type", "sha512"});
  }
  return stanza;
}

// The message types sent to the GPG stanzas: each type at least once, the command to both.
bool is_gpg_kind(const std::string& stanza, Kind kind) {
  if (kind == Kind::kCommand) return true;
  if (stanza == "gpg") return kind == Kind::kAccess || kind == Kind::kNatTimeout || kind == Kind::kNatLocal;
  return kind == Kind::kTimeout || kind == Kind::kNat || kind == Kind::kNatLocalTimeout;
}

std::string access_conf(const std::vector<Stanza>& stanzas) {
  std::string text;
  for (const Stanza& stanza : stanzas)
    text += stanza.text + "OPEN_PORTS " + kOpenPorts + "\nENABLE_CMD_EXEC Y\nMAX_FW_TIMEOUT " +
            std::to_string(kMaxFwTimeout) + "\n\n";
  return text;
}

constexpr const char* kNatConf = "ENABLE_IPT_FORWARDING Y\nENABLE_IPT_LOCAL_NAT Y\n";

// One packet the client sent, and what it must cause. The allow IP (-a) is unique per case and is the event's src.
struct Case {
  std::size_t stanza = 0;  // 0-based
  std::string description;
  std::string allow_ip;
  Expected expected;
  std::string payload;
};

// Checks that each case caused exactly one grant or command event, as expected, and nothing else was granted.
void expect_one_event_per_case(const std::vector<Case>& cases, const std::vector<json>& grants,
                               const std::vector<json>& commands) {
  std::map<std::string, std::vector<json>> by_src;
  for (const auto* list : {&grants, &commands})
    for (const json& event : *list) by_src[event.value("src", "?")].push_back(event);
  EXPECT_EQ(grants.size() + commands.size(), cases.size());
  for (const Case& c : cases) {
    SCOPED_TRACE(c.description);
    const auto found = by_src.find(c.allow_ip);
    ASSERT_NE(found, by_src.end()) << "no event for " << c.allow_ip;
    ASSERT_EQ(found->second.size(), 1u) << json(found->second).dump();
    const json& event = found->second.front();
    EXPECT_EQ(event.value("event", ""), c.expected.event) << event.dump();
    EXPECT_EQ(event.value("stanza", 0), int(c.stanza + 1)) << event.dump();
    EXPECT_EQ(event.value("test", false), true) << event.dump();
    if (c.expected.event == "command") {
      EXPECT_EQ(event.value("command", ""), c.expected.command) << event.dump();
      continue;
    }
    EXPECT_EQ(event.value("proto", ""), c.expected.proto) << event.dump();
    EXPECT_EQ(event.value("port", 0), c.expected.port) << event.dump();
    EXPECT_EQ(event.value("timeout", 0), c.expected.timeout) << event.dump();
    if (c.expected.nat)
      EXPECT_EQ(event.value("nat", ""), *c.expected.nat) << event.dump();
    else
      EXPECT_FALSE(event.contains("nat")) << event.dump();
  }
}

// The stanzas of the every-mode test: HMAC stanzas first (a packet is tried against each stanza in turn, and one
// without an HMAC must decrypt to fail), then GPG with and without HMAC and legacy without.
std::vector<Stanza> every_stanza(const std::string& gpg_home) {
  std::mt19937 rng(20240601);
  std::vector<Stanza> stanzas = rijndael_stanzas(rng);
  stanzas.push_back(gpg_stanza(gpg_home, true));
  stanzas.push_back(legacy_stanza());
  stanzas.push_back(gpg_stanza(gpg_home, false));
  return stanzas;
}
constexpr std::size_t kEveryCase = 5 * std::size(kAllDigests) * std::size(kKinds) + std::size(kKinds) + 2 * 4;

// fwknop sends one packet per stanza and message type to 127.0.0.1:port (in `netns` when set).
std::vector<Case> send_every_case(const std::vector<Stanza>& stanzas, std::uint16_t port,
                                  const std::string& netns = "") {
  const TempDir client_home("sesame-fwknop-home");
  std::vector<Case> cases;
  for (std::size_t s = 0; s < stanzas.size(); ++s) {
    const bool gpg = stanzas[s].name.starts_with("gpg");
    for (std::size_t k = 0; k < std::size(kKinds); ++k) {
      // GPG costs key operations per packet on both sides: three message types each are enough there.
      if (gpg && !is_gpg_kind(stanzas[s].name, kKinds[k])) continue;
      Case c;
      c.stanza = s;
      c.allow_ip = "10." + std::to_string(s) + "." + std::to_string(k) + ".9";
      c.description = stanzas[s].name + " kind " + std::to_string(k) + " from " + c.allow_ip;
      std::vector<std::string> args = stanzas[s].client_args;
      args.insert(args.end(), {"-a", c.allow_ip});
      c.expected = add_kind_options(kKinds[k], args);
      c.payload = fwknop_send(client_home, port, args, netns);
      EXPECT_FALSE(c.payload.empty()) << c.description;
      cases.push_back(std::move(c));
    }
  }
  return cases;
}

// Each case logged exactly once as it should be, and every packet counted.
void expect_every_case_granted(SesamedProcess& sesamed, const std::vector<Case>& cases) {
  const std::size_t commands_expected =
      std::count_if(cases.begin(), cases.end(), [](const Case& c) { return c.expected.event == "command"; });
  auto commands = sesamed.wait_for_events("command", commands_expected, std::chrono::seconds(20));
  auto grants = sesamed.wait_for_events("grant", cases.size() - commands_expected, std::chrono::seconds(20));
  expect_one_event_per_case(cases, grants, commands);
  const auto counters = sesamed.counters();
  ASSERT_TRUE(counters);
  EXPECT_EQ((*counters)["packets"], cases.size()) << counters->dump() << "\n" << sesamed.output();
}

// A network namespace of the test's own, with only its loopback up; deleted with the object.
class PrivateNetns {
 public:
  PrivateNetns() : name_("sesame-interop-" + std::to_string(::getpid())) {
    ok_ = run_process({"/usr/sbin/ip", "netns", "add", name_}).exit_status == 0 &&
          run_process({"/usr/sbin/ip", "-n", name_, "link", "set", "lo", "up"}).exit_status == 0;
  }
  ~PrivateNetns() { run_process({"/usr/sbin/ip", "netns", "delete", name_}); }
  PrivateNetns(const PrivateNetns&) = delete;
  PrivateNetns& operator=(const PrivateNetns&) = delete;
  bool ok() const { return ok_; }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  bool ok_ = false;
};

class FwknopToSesamedBase : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!fwknop_client_available(&why)) GTEST_SKIP() << "SKIPPED: " << why;
    if (sesamed_path().empty()) GTEST_SKIP() << "SKIPPED: no sesamed binary";
  }
};
using FwknopToSesamed = SharedGpgHome<FwknopToSesamedBase>;

TEST_F(FwknopToSesamed, EveryModeHmacAndMessageTypeIsGrantedExactlyOnceOverUdpAndFromAPcapFile) {
  const std::vector<Stanza> stanzas = every_stanza(home());
  const TempDir dir("sesame-fwknop-sesamed");
  SesamedProcess sesamed(dir, {.conf_extra = kNatConf, .access_conf = access_conf(stanzas)});

  const std::vector<Case> cases = send_every_case(stanzas, sesamed.port());
  ASSERT_EQ(cases.size(), kEveryCase);
  expect_every_case_granted(sesamed, cases);
  EXPECT_TRUE(sesamed.send_signal(SIGTERM));
  EXPECT_EQ(sesamed.wait_exit(), 0) << sesamed.output();

  // The same packets as captured UDP frames: a fresh sesamed reads the file, grants each and exits at its end.
  std::vector<PcapUdpPacket> frames;
  for (const Case& c : cases) {
    PcapUdpPacket frame;
    frame.src_ip = {192, 0, 2, 10};
    frame.payload = c.payload;  // to the default PCAP_FILTER's port 62201
    frames.push_back(std::move(frame));
  }
  const TempDir pcap_dir("sesame-fwknop-sesamed-pcap");
  const std::string pcap_file = pcap_dir.path() + "/spa.pcap";
  write_pcap_file(pcap_file, frames);
  SesamedProcess reader(pcap_dir, {.conf_extra = kNatConf,
                                   .access_conf = access_conf(stanzas),
                                   .args = {"--pcap-file", pcap_file},
                                   .wait_until_ready = false});
  ASSERT_EQ(reader.wait_exit(std::chrono::seconds(30)), 0) << reader.output();
  expect_one_event_per_case(cases, reader.events("grant"), reader.events("command"));
  EXPECT_TRUE(reader.events("reject").empty()) << reader.output();
}

// The same in a private network namespace, received twice at once: by a sesamed on a UDP socket, and by a sesamed
// capturing live with pcap on the namespace's loopback (the packets go to the first one's port).
TEST_F(FwknopToSesamed, EveryCaseInAPrivateNamespaceOverUdpAndLivePcap) {
  if (::geteuid() != 0) GTEST_SKIP() << "SKIPPED: needs root for a network namespace and pcap";
  const PrivateNetns netns;
  ASSERT_TRUE(netns.ok()) << "cannot create network namespace " << netns.name();
  const std::vector<Stanza> stanzas = every_stanza(home());
  const TempDir udp_dir("sesame-fwknop-sesamed-udp");
  SesamedProcess udp(udp_dir, {.conf_extra = kNatConf, .access_conf = access_conf(stanzas), .netns = netns.name()});
  const TempDir pcap_dir("sesame-fwknop-sesamed-pcap");
  SesamedProcess pcap(pcap_dir, {.conf_extra = std::string(kNatConf) + "ENABLE_UDP_SERVER N\nPCAP_INTF lo\n" +
                                               "PCAP_FILTER udp port " + std::to_string(udp.port()) + "\n",
                                 .access_conf = access_conf(stanzas),
                                 .netns = netns.name()});
  const std::vector<Case> cases = send_every_case(stanzas, udp.port(), netns.name());
  ASSERT_EQ(cases.size(), kEveryCase);
  expect_every_case_granted(udp, cases);
  expect_every_case_granted(pcap, cases);
}

TEST_F(FwknopToSesamed, ReplayWrongKeyForeignSourceAndDeniedPortAreRejectedWithTheirReason) {
  std::mt19937 rng(77);
  const std::string key = random_base64_key(rng, 32);
  const std::string hmac_key = random_base64_key(rng, 32);
  const std::string stanza = "SOURCE 127.0.0.1\nKEY_BASE64 " + key + "\nHMAC_KEY_BASE64 " + hmac_key +
                             "\nOPEN_PORTS tcp/22\nFW_ACCESS_TIMEOUT 60\n";
  const TempDir dir("sesame-fwknop-sesamed-rejects");
  SesamedProcess sesamed(dir, {.access_conf = stanza});
  const TempDir client_home("sesame-fwknop-home");
  const std::vector<std::string> keys{"--key-base64-rijndael", key, "--key-base64-hmac", hmac_key, "--use-hmac"};
  const auto with_keys = [&](std::vector<std::string> args) {
    args.insert(args.end(), keys.begin(), keys.end());
    return args;
  };

  // A good packet, granted; sent again, refused as a replay.
  const std::string good = fwknop_send(client_home, sesamed.port(), with_keys({"-A", "tcp/22", "-a", "10.9.9.1"}));
  auto grants = sesamed.wait_for_events("grant", 1);
  ASSERT_EQ(grants.size(), 1u) << sesamed.output();
  EXPECT_EQ(grants[0]["src"], "10.9.9.1");
  EXPECT_EQ(grants[0]["timeout"], 60);
  ASSERT_EQ(send_udp(sesamed.port(), good), 1u);
  auto rejects = sesamed.wait_for_events("reject", 1);
  ASSERT_EQ(rejects.size(), 1u) << sesamed.output();
  EXPECT_EQ(rejects[0]["reason"], "replay") << rejects[0].dump();
  EXPECT_EQ(rejects[0]["src"], "127.0.0.1");

  // The right encryption key with another HMAC key.
  fwknop_send(client_home, sesamed.port(),
              {"-A", "tcp/22", "-a", "10.9.9.2", "--key-base64-rijndael", key, "--key-base64-hmac",
               random_base64_key(rng, 32), "--use-hmac"});
  rejects = sesamed.wait_for_events("reject", 2);
  ASSERT_EQ(rejects.size(), 2u) << sesamed.output();
  EXPECT_EQ(rejects[1]["reason"], "hmac") << rejects[1].dump();

  // A port the stanza does not open.
  fwknop_send(client_home, sesamed.port(), with_keys({"-A", "tcp/23", "-a", "10.9.9.3"}));
  rejects = sesamed.wait_for_events("reject", 3);
  ASSERT_EQ(rejects.size(), 3u) << sesamed.output();
  EXPECT_EQ(rejects[2]["reason"], "denied_port") << rejects[2].dump();

  // A valid packet from 127.0.0.2, which no SOURCE lists: refused before any key is tried, so it is not burnt and
  // the same packet from 127.0.0.1 is still granted.
  const TempDir spare_home("sesame-fwknop-home");
  const std::string foreign_packet =
      fwknop_send(spare_home, free_udp_port(), with_keys({"-A", "tcp/22", "-a", "10.9.9.4"}));
  ASSERT_EQ(send_udp(sesamed.port(), foreign_packet, "127.0.0.2"), 1u);
  rejects = sesamed.wait_for_events("reject", 4);
  ASSERT_EQ(rejects.size(), 4u) << sesamed.output();
  EXPECT_EQ(rejects[3]["reason"], "source") << rejects[3].dump();
  EXPECT_EQ(rejects[3]["src"], "127.0.0.2");
  ASSERT_EQ(send_udp(sesamed.port(), foreign_packet), 1u);
  grants = sesamed.wait_for_events("grant", 2);
  ASSERT_EQ(grants.size(), 2u) << sesamed.output();
  EXPECT_EQ(grants[1]["src"], "10.9.9.4");

  const auto counters = sesamed.counters();
  ASSERT_TRUE(counters);
  EXPECT_EQ((*counters)["packets"], 6) << counters->dump();
  EXPECT_EQ((*counters)["grants"], 2) << counters->dump();
  EXPECT_EQ(sesamed.events("grant").size(), 2u) << sesamed.output();
}

}  // namespace
}  // namespace sesame::test
