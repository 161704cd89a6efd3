// SPDX-License-Identifier: GPL-2.0-or-later
// open_capture: the sources of CaptureSources from their config variables.
#include "server/daemon/capture_setup.h"

namespace sesame::server::daemon {
namespace {

bool set_by_command_line(const config::ServerConfig& server, std::string_view variable) {
  const auto found = server.settings.find(variable);
  return found != server.settings.end() && found->second.line == 0 && found->second.file.starts_with("-");
}

}  // namespace

CaptureMode capture_mode(const config::ServerConfig& server) {
  if (server.enable_nfq_capture) return CaptureMode::kNfqueue;
  if (server.pcap_file) return CaptureMode::kPcap;
  if (server.enable_udp_server) return CaptureMode::kUdp;
  if (server.settings.contains("ENABLE_UDP_SERVER") || set_by_command_line(server, "PCAP_INTF"))
    return CaptureMode::kPcap;
  return CaptureMode::kUdp;
}

Result<OpenedCapture, std::string> open_capture(const config::ServerConfig& server) {
  OpenedCapture opened;
  switch (capture_mode(server)) {
    case CaptureMode::kNfqueue: {
      // The queue first: it fails early when fwknopd or another sesamed holds it, before any rule changes.
      auto queue = capture::NfqueueCapture::open({.queue_number = static_cast<std::uint16_t>(server.nfq_queue_number)});
      if (!queue) return fail(queue.error());
      const capture::NfqueueRuleOptions rule = capture::nfqueue_rule_options_from(server);
      auto backend = capture::install_nfqueue_rule(rule);
      if (!backend) return fail(backend.error());
      opened.name = "nfqueue " + std::to_string(queue->queue_number()) + " (udp/" + std::to_string(rule.port) + ", " +
                    (*backend == capture::NfqueueRuleBackend::kIptables ? "iptables" : "nftables") + " rule)";
      opened.sources.nfqueue.emplace(std::move(*queue));
      opened.sources.nfqueue_rule.emplace(rule, *backend);
      break;
    }
    case CaptureMode::kUdp: {
      capture::UdpReceiverOptions options;
      options.port = server.udpserv_port;
      options.receive_buffer_bytes = server.udpserv_rcvbuf;
      options.receive_buffer_bytes = server.udpserv_rcvbuf;
      auto udp = capture::UdpReceiver::open(options);
      if (!udp) return fail(udp.error());
      opened.name = "udp/" + std::to_string(udp->port());
      opened.sources.udp.emplace(std::move(*udp));
      break;
    }
    case CaptureMode::kPcap: {
      capture::PcapOptions options;
      options.interface = server.pcap_intf;
      options.filter = server.pcap_filter;
      options.promiscuous = server.enable_pcap_promisc;
      options.any_direction = server.enable_pcap_any_direction;
      options.snaplen = server.max_sniff_bytes;
      options.file = server.pcap_file;
      auto pcap = capture::PcapCapture::open(options);
      if (!pcap) return fail(pcap.error().message);
      opened.name = server.pcap_file ? "pcap file " + *server.pcap_file : "pcap " + server.pcap_intf;
      opened.warning = pcap->warning();
      opened.sources.pcap.emplace(std::move(*pcap));
      break;
    }
  }
  if (server.enable_tcp_server) {
    capture::TcpSpaServerOptions options;
    options.port = server.tcpserv_port;
    auto tcp = capture::TcpSpaServer::open(options);
    if (!tcp) return fail(tcp.error());
    opened.name += " + tcp/" + std::to_string(tcp->local_port());
    opened.sources.tcp.emplace(std::move(*tcp));
  }
  if (server.metrics_port != 0) {
    capture::TcpSpaServerOptions options;
    options.port = server.metrics_port;
    options.bind_address = config::IpAddress::parse(server.metrics_address);  // checked with the config
    options.max_connections = 8;
    auto metrics = capture::TcpSpaServer::open(options);
    if (!metrics) return fail("METRICS_PORT: " + metrics.error());
    opened.sources.metrics.emplace(std::move(*metrics));
  }
  return opened;
}

}  // namespace sesame::server::daemon
