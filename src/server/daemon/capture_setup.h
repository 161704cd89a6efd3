// SPDX-License-Identifier: GPL-2.0-or-later
// Which capture sesamed runs, from fwknopd.conf and the command line, and opening it (at start only: capture needs
// privileges and is not changed by a reload).
//
// sesamed's default is the UDP server (fwknopd's is pcap). pcap is used when the configuration asks for it:
// --pcap-file / PCAP_FILE, -i on the command line, or ENABLE_UDP_SERVER set to N in a config file. NFQUEUE is not
// available yet and is refused. ENABLE_TCP_SERVER adds a TCP listener beside either.
#pragma once

#include <optional>
#include <string>

#include "common/result.h"
#include "config/server_config.h"
#include "server/capture/pcap_capture.h"
#include "server/capture/tcp_spa_server.h"
#include "server/capture/udp_receiver.h"

namespace sesame::server::daemon {

struct CaptureSources {
  std::optional<capture::UdpReceiver> udp;
  std::optional<capture::PcapCapture> pcap;
  std::optional<capture::TcpSpaServer> tcp;
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
