// SPDX-License-Identifier: GPL-2.0-or-later
// What the router build (SESAME_ROUTER_BUILD, docs/router-build.md) leaves out is refused, never crashed on: each
// feature, asked for from the router's sesame or sesamed, ends the program with a non-zero exit and one line naming
// the build, while what the build keeps still works. Runs as any user: sesamed gets as far as its refusal in test
// mode (-t), which touches no firewall.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace sesame::test {
namespace {

constexpr const char* kSesame = SESAME_CLIENT_PATH;
constexpr const char* kSesamed = SESAMED_PATH;
constexpr const char* kBuildName = "router build";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class RouterFeatures : public ::testing::Test {
 protected:
  void SetUp() override { home_ = dir_.path(); }

  ProcessResult sesame(std::vector<std::string> args) const {
    args.insert(args.begin(), {kSesame, "--no-rc-file", "--no-save-args"});
    return run_process(args, {.env = std::vector<std::string>{"HOME=" + home_, "PATH=/usr/bin:/bin", "LC_ALL=C"}});
  }

  // sesamed in the foreground and in test mode (no firewall change, no privileges needed) with a sesamed.conf of
  // `conf` plus run files in the test's directory, and one stanza of `stanza`.
  ProcessResult sesamed(const std::string& conf, const std::string& stanza,
                        const std::vector<std::string>& env = {}) const {
    const std::string run_dir = dir_.path();
    const std::string conf_path =
        dir_.write_file("sesamed.conf", conf + "FWKNOP_RUN_DIR " + run_dir + "\nFWKNOP_PID_FILE " + run_dir +
                                            "/sesamed.pid\nDIGEST_FILE " + run_dir + "/digest.cache\n");
    const std::string access_path = dir_.write_file("access.conf", "SOURCE ANY\n" + stanza);
    ::chmod(access_path.c_str(), 0600);
    std::vector<std::string> environment{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"};
    environment.insert(environment.end(), env.begin(), env.end());
    return run_process(
        {kSesamed, "-f", "-t", "-c", conf_path, "-a", access_path, "--replay-log", run_dir + "/replay.log", "-C", "1"},
        {.env = environment, .timeout = std::chrono::seconds(10)});
  }

  static std::string rijndael_stanza() {
    return "KEY_BASE64 c2VzYW1lIHJvdXRlciBrZXkgMDEyMzQ1Njc4OWFi\n"
           "HMAC_KEY_BASE64 c2VzYW1lIHJvdXRlciBobWFjIGtleSAwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZg==\n";
  }

  // One refusal: non-zero exit, not a signal, and the one line naming the build and the feature.
  static void expect_refused(const ProcessResult& run, const std::string& feature) {
    EXPECT_GT(run.exit_status, 0) << run.output;  // -1 would be a signal (a crash) or a timeout
    EXPECT_TRUE(contains(run.output, kBuildName)) << run.output;
    EXPECT_TRUE(contains(run.output, feature)) << run.output;
  }

  TempDir dir_{"sesame-router"};
  std::string home_;
};

TEST_F(RouterFeatures, ClientRefusesGpgWithOneLineNamingTheBuild) {
  const ProcessResult run = sesame({"-A", "tcp/22", "-a", "192.0.2.1", "-D", "192.0.2.2", "--gpg-recipient-key",
                                    "ABCD1234", "--gpg-signer-key", "1234ABCD", "--gpg-no-signing-pw", "--test"});
  expect_refused(run, "GnuPG");
}

TEST_F(RouterFeatures, ClientRefusesResolvingItsAddressAndSaysToGiveIt) {
  const ProcessResult run =
      sesame({"-A", "tcp/22", "-R", "-D", "192.0.2.2", "--key-base64-rijndael", "c2VzYW1lIHJvdXRlciBrZXk=", "--test"});
  expect_refused(run, "-R");
  EXPECT_TRUE(contains(run.output, "give the address with -a")) << run.output;
}

TEST_F(RouterFeatures, KeyGenStillWorksButItsQrCodeIsRefused) {
  const ProcessResult keys = sesame({"--key-gen"});
  EXPECT_EQ(keys.exit_status, 0) << keys.output;
  EXPECT_TRUE(contains(keys.output, "KEY_BASE64:") && contains(keys.output, "HMAC_KEY_BASE64:")) << keys.output;
  expect_refused(sesame({"--key-gen", "--qr"}), "QR codes");
}

TEST_F(RouterFeatures, ServerKeyGenQrIsRefusedToo) {
  const ProcessResult run = run_process({kSesamed, "--key-gen", "--qr"});
  expect_refused(run, "QR codes");
}

TEST_F(RouterFeatures, ServerRefusesPcapCaptureAndSaysToUseTheUdpServer) {
  const ProcessResult run = sesamed("ENABLE_UDP_SERVER N\nPCAP_INTF lo\n", rijndael_stanza());
  expect_refused(run, "pcap capture");
  EXPECT_TRUE(contains(run.output, "ENABLE_UDP_SERVER Y")) << run.output;
}

TEST_F(RouterFeatures, ServerRefusesNfqueueCapture) {
  expect_refused(sesamed("ENABLE_NFQ_CAPTURE Y\n", rijndael_stanza()), "NFQUEUE");
}

TEST_F(RouterFeatures, ServerRefusesASharedReplayCacheAtTheConfigCheckWithFileAndLine) {
  const ProcessResult run =
      sesamed("ENABLE_UDP_SERVER Y\nREPLAY_CACHE_URL redis://127.0.0.1:6379\n", rijndael_stanza());
  expect_refused(run, "REPLAY_CACHE_URL");
  EXPECT_TRUE(contains(run.output, "sesamed.conf:2")) << run.output;
}

TEST_F(RouterFeatures, ServerRefusesAGpgStanzaAtStartNotPacketByPacket) {
  expect_refused(sesamed("ENABLE_UDP_SERVER Y\n", "GPG_DECRYPT_PW secret\nGPG_REMOTE_ID ABCD1234\n"), "GnuPG");
}

// The privilege-separated packet side relies on a seccomp filter, and there is no libseccomp: refused, never run
// without it.
TEST_F(RouterFeatures, ServerRefusesPrivilegeSeparationRatherThanRunItUnfiltered) {
  expect_refused(sesamed("ENABLE_UDP_SERVER Y\nPRIVILEGE_SEPARATION Y\n", rijndael_stanza()), "PRIVILEGE_SEPARATION");
}

// The UDP server, the stanza's keys and the systemd notification (without libsystemd) all work: sesamed starts in
// test mode, says READY=1 on NOTIFY_SOCKET as libsystemd's sd_notify would, and after one datagram (-C 1) exits 0.
TEST_F(RouterFeatures, ServerStartsWithTheUdpServerAndNotifiesSystemdWithoutLibsystemd) {
  const int notify = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(notify, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string path = dir_.path() + "/notify";
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  ASSERT_EQ(::bind(notify, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
  timeval wait{.tv_sec = 10, .tv_usec = 0};
  ::setsockopt(notify, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);

  const auto port = std::uint16_t(40000 + ::getpid() % 20000);  // a free port on loopback, most likely
  ProcessResult run;
  std::thread daemon([&] {
    run = sesamed("ENABLE_UDP_SERVER Y\nUDPSERV_PORT " + std::to_string(port) + "\n", rijndael_stanza(),
                  {"NOTIFY_SOCKET=" + path});
  });
  std::string state(256, '\0');
  const ssize_t got = ::recv(notify, state.data(), state.size(), 0);
  ::close(notify);
  state.resize(got > 0 ? std::size_t(got) : 0);
  // One datagram, not SPA: sesamed counts it and, with -C 1, stops.
  const int udp = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in target{};
  target.sin_family = AF_INET;
  target.sin_port = htons(port);
  target.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int i = 0; i < 3 && got > 0; ++i)
    ::sendto(udp, "x", 1, 0, reinterpret_cast<const sockaddr*>(&target), sizeof target);
  ::close(udp);
  daemon.join();
  EXPECT_TRUE(state.starts_with("READY=1")) << "notification: '" << state << "'\n" << run.output;
  EXPECT_EQ(run.exit_status, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "udp/" + std::to_string(port))) << run.output;
}

}  // namespace
}  // namespace sesame::test
