// SPDX-License-Identifier: GPL-2.0-or-later
// The common frame of the sesamed end-to-end tests beyond plain input grants (command cycles, command messages,
// NAT): fresh keys, a server and a client namespace, sesamed in the server one with a config the test supplies, and
// the `sesame` client knocking from the client one. Root only; tests SKIP when namespaces cannot be made.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "e2e/netns_pair.h"
#include "e2e/netns_sesamed.h"
#include "e2e/tcp_line_server.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace sesame::test {

class SesamedKnockFixture : public ::testing::Test {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds kProbeTimeout{300};  // one connection attempt while polling
  static constexpr std::chrono::milliseconds kClosedCheck{1000};  // how long a silent port is watched

  // One port as the client sees it: where it connects, and which line the service behind it must send.
  struct Target {
    std::string ip;
    std::uint16_t port = 0;
    std::string greeting;
    std::string name() const { return ip + ":" + std::to_string(port); }
  };

 protected:
  void SetUp() override;
  // sesamed, then the service, then the namespaces (with all their rules); the directory goes last.
  void TearDown() override;

  // fwknopd.conf: pcap capture on the server's veth (the knock is seen before netfilter drops it), run files in the
  // test directory, then `extra`. access.conf: `stanzas`, each made with stanza().
  void write_configs(const std::string& extra, const std::string& stanzas);
  // "SOURCE ANY", REQUIRE_SOURCE_ADDRESS Y and the test's keys, then `extra` (one directive a line).
  std::string stanza(const std::string& extra) const;
  void start_sesamed();
  std::string sesamed_log() const { return sesamed_ ? "sesamed log:\n" + sesamed_->log() : "no sesamed"; }

  // `sesame --no-rc-file --no-save-args -a CLIENT_IP -D SERVER_IP` with the test's keys, then `args`, in the client
  // namespace.
  ProcessResult knock(const std::vector<std::string>& args) const;
  // One connection from `source_ip` in the client namespace; when answered, the line must be the target's.
  bool answers(const Target& target, const std::string& source_ip, std::chrono::milliseconds timeout) const;
  // Probes from the client's address until the target answers (`open`) or stops answering; how long since the
  // call that took (until the deciding probe started), or nullopt after `limit`.
  std::optional<Clock::duration> wait_until(bool open, const Target& target, Clock::duration limit) const;
  // `argv` in the server namespace; its output.
  std::string in_server(const std::vector<std::string>& argv) const;

  TempDir dir_{"sesame-e2e-knock"};
  std::string home_, run_dir_, conf_, access_, key_, hmac_key_;
  std::unique_ptr<NetnsPair> net_;
  std::unique_ptr<TcpLineServer> service_;
  std::unique_ptr<NetnsSesamed> sesamed_;
};

double seconds(SesamedKnockFixture::Clock::duration d);

}  // namespace sesame::test
