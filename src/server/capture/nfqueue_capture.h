// SPDX-License-Identifier: GPL-2.0-or-later
// NfqueueCapture: the NFQUEUE capture source (ENABLE_NFQ_CAPTURE, server.md §7 "NFQ"): the kernel hands each packet
// the rule of nfqueue_rule.h queued to sesamed, which reads it like a pcap packet and then decides its fate.
//
// Verdicts, as fwknopd's: every packet queued from the local input hook is dropped once read, SPA or not, so the
// SPA port stays dark to anything else listening there; a packet queued from another hook (a hand-written rule in
// forward or output) is accepted and goes on through the ruleset. The queue is fail-open: when it is full the
// kernel accepts instead of dropping, so a flood to the SPA port cannot make the kernel black-hole it, and what gets
// through is judged by the host's own firewall as if sesamed were not there.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "server/captured_packet.h"

struct nfq_handle;    // libnetfilter_queue's: its header and libnfnetlink's stay out of the daemon's headers
struct nfq_q_handle;  //
struct nfq_data;      //
struct nfgenmsg;      //

namespace sesame::server::capture {

struct NfqueueOptions {
  std::uint16_t queue_number = 1;         // NFQ_QUEUE_NUMBER
  std::uint32_t queue_max_length = 1024;  // packets the kernel holds for sesamed before fail-open accepts
  int receive_buffer_bytes = 0;           // the netlink socket's buffer; 0: the kernel's default
};

struct NfqueueCounters {
  std::uint64_t packets_read = 0;      // packets the kernel queued and sesamed read
  std::uint64_t packets_ignored = 0;   // of those, packets with no UDP, TCP or ICMP payload parse_link_frame found
  std::uint64_t packets_dropped = 0;   // verdict NF_DROP (read from the local input hook)
  std::uint64_t packets_accepted = 0;  // verdict NF_ACCEPT (another hook)
  std::uint64_t verdict_failures = 0;  // verdicts the kernel refused; the packet stays queued until the queue closes
  std::uint64_t socket_overruns = 0;   // ENOBUFS: the socket buffer overflowed and the kernel lost messages
};

class NfqueueCapture {
 public:
  // Binds queue_number (EBUSY when another process, say fwknopd, holds it), copy mode whole packets, fail-open,
  // and makes the netlink socket non-blocking. Needs CAP_NET_ADMIN.
  static Result<NfqueueCapture, std::string> open(const NfqueueOptions& options);

  NfqueueCapture(NfqueueCapture&&) noexcept;
  NfqueueCapture& operator=(NfqueueCapture&&) noexcept;
  ~NfqueueCapture();  // unbinds the queue: packets still queued are reinjected by the kernel as if accepted

  // For epoll (EPOLLIN): readable when queued packets wait.
  int fd() const;
  std::uint16_t queue_number() const { return queue_number_; }

  // Reads what is ready now, at most max_packets (at least 1) packets, never blocks. Each packet goes to on_packet
  // (received_s = time(nullptr)) and then gets its verdict. Returns how many packets were read, those parse_link_frame
  // rejects included; 0 when nothing waits. An exception from on_packet still leaves every read packet with a
  // verdict, stops the batch and propagates.
  Result<int, std::string> dispatch(int max_packets, const std::function<void(const CapturedPacket&)>& on_packet);

  NfqueueCounters counters() const { return counters_; }

  static constexpr std::size_t kBufferBytes = 65536 + 4096;  // the largest IP packet plus netlink's headers

 private:
  struct Closer {
    void operator()(nfq_handle* handle) const noexcept;
  };
  struct QueueCloser {
    void operator()(nfq_q_handle* queue) const noexcept;
  };
  // Per-dispatch state the C callback reaches through its data pointer.
  struct Batch {
    NfqueueCapture* self = nullptr;
    const std::function<void(const CapturedPacket&)>* on_packet = nullptr;
    std::int64_t now_s = 0;
    int packets = 0;
    std::exception_ptr exception;
    std::string error;
  };

  NfqueueCapture() = default;
  static int on_queued(nfq_q_handle* queue, nfgenmsg* message, nfq_data* data, void* context);
  void handle(nfq_q_handle* queue, nfq_data* data);

  // Order matters: the queue is destroyed before the handle it belongs to.
  std::unique_ptr<nfq_handle, Closer> handle_;
  std::unique_ptr<nfq_q_handle, QueueCloser> queue_;
  std::unique_ptr<Batch> batch_;  // heap: the kernel callback keeps its address while the object moves
  std::vector<char> buffer_;
  std::uint16_t queue_number_ = 0;
  NfqueueCounters counters_;
};

}  // namespace sesame::server::capture
