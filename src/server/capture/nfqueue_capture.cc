// SPDX-License-Identifier: GPL-2.0-or-later
// NfqueueCapture: libnetfilter_queue bound for an epoll loop: one non-blocking netlink socket, packets read in a
// bounded batch, each parsed as a raw IP packet and given its verdict before the next is read.
#include "server/capture/nfqueue_capture.h"

// glibc's netinet/in.h first: linux/netfilter.h then takes its definitions instead of redefining them.
#include <netinet/in.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <pcap/dlt.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <exception>
#include <optional>
#include <span>
#include <utility>

#include "server/capture/link_frame.h"

namespace sesame::server::capture {
namespace {

// Whole packets: an SPA packet is at most ~1500 bytes, but a longer one must reach the pipeline whole to be counted
// too long rather than arrive cut and be mistaken for a forged one. The kernel copies no more than the packet holds.
constexpr unsigned kCopyRange = 0xffff;

std::string errno_text(std::string_view what, int error) {
  std::string text = "NFQUEUE: ";
  text += what;
  text += ": ";
  text += std::strerror(error);
  return text;
}

}  // namespace

void NfqueueCapture::Closer::operator()(nfq_handle* handle) const noexcept {
  nfq_close(handle);
}

void NfqueueCapture::QueueCloser::operator()(nfq_q_handle* queue) const noexcept {
  nfq_destroy_queue(queue);
}

NfqueueCapture::NfqueueCapture(NfqueueCapture&&) noexcept = default;
NfqueueCapture& NfqueueCapture::operator=(NfqueueCapture&&) noexcept = default;
NfqueueCapture::~NfqueueCapture() = default;

Result<NfqueueCapture, std::string> NfqueueCapture::open(const NfqueueOptions& options) {
  NfqueueCapture capture;
  capture.queue_number_ = options.queue_number;
  capture.batch_ = std::make_unique<Batch>();
  capture.buffer_.resize(kBufferBytes);

  errno = 0;
  capture.handle_.reset(nfq_open());
  if (!capture.handle_) return fail(errno_text("cannot open a netfilter netlink socket", errno ? errno : EPROTO));
  const std::string queue_name = "queue " + std::to_string(options.queue_number);
  errno = 0;
  capture.queue_.reset(
      nfq_create_queue(capture.handle_.get(), options.queue_number, &NfqueueCapture::on_queued, capture.batch_.get()));
  if (!capture.queue_) {
    const int error = errno ? errno : EPROTO;
    // EBUSY: another process holds the queue; EPERM: CAP_NET_ADMIN missing.
    return fail(errno_text("cannot bind " + queue_name, error));
  }
  if (nfq_set_mode(capture.queue_.get(), NFQNL_COPY_PACKET, kCopyRange) < 0)
    return fail(errno_text("cannot set copy mode on " + queue_name, errno ? errno : EPROTO));
  if (options.queue_max_length > 0 && nfq_set_queue_maxlen(capture.queue_.get(), options.queue_max_length) < 0)
    return fail(errno_text("cannot set the length of " + queue_name, errno ? errno : EPROTO));
  // Fail-open (kernels since 3.6): a full queue accepts rather than drops, see the header.
  if (nfq_set_queue_flags(capture.queue_.get(), NFQA_CFG_F_FAIL_OPEN, NFQA_CFG_F_FAIL_OPEN) < 0)
    return fail(errno_text("cannot make " + queue_name + " fail-open", errno ? errno : EPROTO));
  const int fd = nfq_fd(capture.handle_.get());
  if (options.receive_buffer_bytes > 0)
    nfnl_rcvbufsiz(nfq_nfnlh(capture.handle_.get()), static_cast<unsigned>(options.receive_buffer_bytes));
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0 || ::fcntl(fd, F_SETFD, FD_CLOEXEC) != 0)
    return fail(errno_text("cannot make the netlink socket non-blocking", errno));
  return capture;
}

int NfqueueCapture::fd() const {
  return handle_ ? nfq_fd(handle_.get()) : -1;
}

Result<int, std::string> NfqueueCapture::dispatch(int max_packets,
                                                  const std::function<void(const CapturedPacket&)>& on_packet) {
  if (!handle_) return fail(std::string("NFQUEUE: the queue is closed"));
  Batch& batch = *batch_;
  batch = Batch{};
  batch.self = this;
  batch.on_packet = &on_packet;
  batch.now_s = static_cast<std::int64_t>(std::time(nullptr));
  const int wanted = max_packets < 1 ? 1 : max_packets;
  const int fd = nfq_fd(handle_.get());
  while (batch.packets < wanted && !batch.exception) {
    const ssize_t got = ::recv(fd, buffer_.data(), buffer_.size(), MSG_DONTWAIT);
    if (got < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (errno == ENOBUFS) {  // messages lost, the socket itself is fine: count and read on
        ++counters_.socket_overruns;
        continue;
      }
      return fail(errno_text("cannot read the queue", errno));
    }
    if (got == 0) break;
    // Every packet message in the datagram reaches on_queued, which gives each its verdict.
    nfq_handle_packet(handle_.get(), buffer_.data(), static_cast<int>(got));
  }
  const int packets = batch.packets;
  std::exception_ptr exception = std::exchange(batch.exception, nullptr);
  batch.on_packet = nullptr;
  if (exception) std::rethrow_exception(exception);
  return packets;
}

int NfqueueCapture::on_queued(nfq_q_handle* queue, nfgenmsg* /*message*/, nfq_data* data, void* context) {
  auto* batch = static_cast<Batch*>(context);
  if (batch && batch->self) batch->self->handle(queue, data);
  return 0;  // never an error: libnetfilter_queue would stop at it and leave later packets without a verdict
}

void NfqueueCapture::handle(nfq_q_handle* queue, nfq_data* data) {
  Batch& batch = *batch_;
  const nfqnl_msg_packet_hdr* header = nfq_get_msg_packet_hdr(data);
  if (!header) return;  // no id, no verdict possible; cannot happen with a kernel that queued the packet
  const std::uint32_t id = ntohl(header->packet_id);
  ++counters_.packets_read;
  ++batch.packets;

  // A packet read after on_packet threw is not handed on (the batch is over) but still gets its verdict.
  if (!batch.exception && batch.on_packet) {
    unsigned char* bytes = nullptr;
    const int length = nfq_get_payload(data, &bytes);
    std::optional<CapturedPacket> packet;
    if (length > 0)
      packet = parse_link_frame(DLT_RAW, std::span<const std::uint8_t>(bytes, static_cast<std::size_t>(length)));
    if (packet) {
      packet->received_s = batch.now_s;
      try {
        (*batch.on_packet)(*packet);
      } catch (...) {  // must not unwind through libnetfilter_queue's C frames
        batch.exception = std::current_exception();
      }
    } else {
      ++counters_.packets_ignored;
    }
  }

  // fwknopd's rule: what came in for this host is dropped once read; anything else goes on its way.
  const bool is_local_in = header->hook == NF_INET_LOCAL_IN;
  const std::uint32_t verdict = is_local_in ? NF_DROP : NF_ACCEPT;
  if (nfq_set_verdict(queue, id, verdict, 0, nullptr) < 0) {
    ++counters_.verdict_failures;
    return;
  }
  ++(is_local_in ? counters_.packets_dropped : counters_.packets_accepted);
}

}  // namespace sesame::server::capture
