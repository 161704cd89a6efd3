// SPDX-License-Identifier: GPL-2.0-or-later
// NFQUEUE capture in the router build (SESAME_ROUTER_BUILD, docs/router-build.md): no libnetfilter_queue, so open()
// refuses with one line and sesamed exits at start-up (before any queue rule is written); no NfqueueCapture object
// can exist, so the other members are never reached. Replaces nfqueue_capture.cc.
#include "server/capture/nfqueue_capture.h"

namespace sesame::server::capture {

Result<NfqueueCapture, std::string> NfqueueCapture::open(const NfqueueOptions& /*options*/) {
  return fail(
      std::string("ENABLE_NFQ_CAPTURE: NFQUEUE capture is not in this router build of sesamed "
                  "(SESAME_ROUTER_BUILD, no libnetfilter_queue): set ENABLE_UDP_SERVER Y"));
}

void NfqueueCapture::Closer::operator()(nfq_handle* /*handle*/) const noexcept {}
void NfqueueCapture::QueueCloser::operator()(nfq_q_handle* /*queue*/) const noexcept {}
NfqueueCapture::NfqueueCapture(NfqueueCapture&&) noexcept = default;
NfqueueCapture& NfqueueCapture::operator=(NfqueueCapture&&) noexcept = default;
NfqueueCapture::~NfqueueCapture() = default;

int NfqueueCapture::fd() const {
  return -1;
}

Result<int, std::string> NfqueueCapture::dispatch(int /*max_packets*/,
                                                  const std::function<void(const CapturedPacket&)>& /*on_packet*/) {
  return 0;
}

}  // namespace sesame::server::capture
