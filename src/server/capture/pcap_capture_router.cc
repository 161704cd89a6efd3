// SPDX-License-Identifier: GPL-2.0-or-later
// pcap capture in the router build (SESAME_ROUTER_BUILD, docs/router-build.md): no libpcap, so open() refuses with
// one line and sesamed exits at start-up; no PcapCapture object can exist, so the other members are never reached.
// Replaces pcap_capture.cc (and link_frame.cc, which only the pcap and NFQUEUE captures use).
#include "server/capture/pcap_capture.h"

namespace sesame::server::capture {

Result<PcapCapture, PcapError> PcapCapture::open(const PcapOptions& /*options*/) {
  return fail(PcapError{PcapError::Kind::kOther,
                        "pcap capture is not in this router build of sesamed (SESAME_ROUTER_BUILD, no libpcap): set "
                        "ENABLE_UDP_SERVER Y"});
}

void PcapCapture::Closer::operator()(pcap* /*handle*/) const noexcept {}
PcapCapture::PcapCapture(PcapCapture&&) noexcept = default;
PcapCapture& PcapCapture::operator=(PcapCapture&&) noexcept = default;
PcapCapture::~PcapCapture() = default;

int PcapCapture::selectable_fd() const {
  return -1;
}

std::optional<std::chrono::milliseconds> PcapCapture::required_timeout() const {
  return std::nullopt;
}

Result<int, PcapError> PcapCapture::dispatch(int /*max_packets*/,
                                             const std::function<void(const CapturedPacket&)>& /*on_packet*/) {
  return 0;
}

PcapCounters PcapCapture::counters() const {
  return {};
}

}  // namespace sesame::server::capture
