// SPDX-License-Identifier: GPL-2.0-or-later
// Which capture sesamed runs, from fwknopd.conf and the command line, and opening it (at start only: capture needs
// privileges and is not changed by a reload).
//
// sesamed's default is the UDP server (fwknopd's is pcap). pcap is used when the configuration asks for it:
// --pcap-file / PCAP_FILE, -i on the command line, or ENABLE_UDP_SERVER set to N in a config file. NFQUEUE
// (ENABLE_NFQ_CAPTURE, -n) wins over both, as in fwknopd. ENABLE_TCP_SERVER adds a TCP listener beside any of them.
#pragma once

#include <optional>
#include <string>

#include "common/result.h"
#include "config/server_config.h"
#include "server/capture/nfqueue_capture.h"
#include "server/capture/nfqueue_rule.h"
#include "server/capture/pcap_capture.h"
#include "server/capture/tcp_spa_server.h"
#include "server/capture/udp_receiver.h"

namespace sesame::server::daemon {

// The rule that sends the SPA port to the queue, removed when sesamed ends (a crash leaves it; with its bypass flag
// traffic then flows as if sesamed were not there, and the next start replaces it).
class NfqueueRuleGuard {
 public:
  NfqueueRuleGuard(capture::NfqueueRuleOptions options, capture::NfqueueRuleBackend backend)
      : options_(std::move(options)), backend_(backend) {}
  NfqueueRuleGuard(NfqueueRuleGuard&& other) noexcept
      : options_(std::move(other.options_)),
        backend_(other.backend_),
        is_armed_(std::exchange(other.is_armed_, false)) {}
  NfqueueRuleGuard& operator=(NfqueueRuleGuard&&) = delete;
  ~NfqueueRuleGuard() {
    if (is_armed_) [[maybe_unused]]
      auto removed = capture::remove_nfqueue_rule(options_, backend_);
  }

 private:
  capture::NfqueueRuleOptions options_;
  capture::NfqueueRuleBackend backend_;
  bool is_armed_ = true;
};

struct CaptureSources {
  std::optional<capture::UdpReceiver> udp;
  std::optional<capture::PcapCapture> pcap;
  std::optional<capture::TcpSpaServer> tcp;
  std::optional<capture::NfqueueCapture> nfqueue;
  std::optional<capture::TcpSpaServer> metrics;  // METRICS_PORT: the Prometheus endpoint, not SPA capture
  // Declared after the queue, so destroyed before it: the rule goes first at exit, then the queue (nfqueue_rule.h).
  std::optional<NfqueueRuleGuard> nfqueue_rule;
};

struct OpenedCapture {
  std::string name;  // "udp/62201", "pcap eth0", "pcap file x.pcap", with " + tcp/62201"
  CaptureSources sources;
  std::string warning;  // non-fatal, for the log
};

enum class CaptureMode { kUdp, kPcap, kNfqueue };
CaptureMode capture_mode(const config::ServerConfig& server);

Result<OpenedCapture, std::string> open_capture(const config::ServerConfig& server);

}  // namespace sesame::server::daemon
