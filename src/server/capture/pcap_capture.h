// SPDX-License-Identifier: GPL-2.0-or-later
// PcapCapture: the pcap capture source, fwknopd's default mode (server.md §7): a live interface (PCAP_INTF) or a
// file (--pcap-file), filtered by PCAP_FILTER in the kernel, each frame through parse_link_frame to the pipeline.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/result.h"
#include "server/captured_packet.h"

struct pcap;  // libpcap's pcap_t: pcap.h and its macros stay out of the daemon's headers

namespace sesame::server::capture {

struct PcapOptions {
  std::string interface;            // PCAP_INTF, -i ("any": every interface, Linux cooked headers)
  std::string filter;               // PCAP_FILTER, -P (BPF syntax); empty: every packet
  bool promiscuous = false;         // ENABLE_PCAP_PROMISC
  bool any_direction = false;       // --pcap-any-direction: also packets this host sends
  int snaplen = 1500;               // MAX_SNIFF_BYTES
  std::optional<std::string> file;  // PCAP_FILE, --pcap-file: read this file instead of `interface`
};

struct PcapError {
  enum class Kind {
    kInterfaceDown,  // the interface is down or gone (ENETDOWN): EXIT_AT_INTF_DOWN decides
    kOther,
  };
  Kind kind = Kind::kOther;
  std::string message;  // one line, naming the interface, file or filter and libpcap's own text
};

struct PcapCounters {
  std::uint64_t frames_read = 0;      // frames pcap delivered (they passed the filter)
  std::uint64_t frames_ignored = 0;   // of those, frames with no UDP, TCP or ICMP payload parse_link_frame could find
  std::uint64_t kernel_drops = 0;     // live only: pcap_stats' ps_drop, lost for want of buffer space
  std::uint64_t interface_drops = 0;  // live only: pcap_stats' ps_ifdrop, dropped by the interface or driver
};

class PcapCapture {
 public:
  // Live: activates the interface with the options, non-blocking and in immediate mode, compiles and sets the
  // filter, and keeps only inbound packets unless any_direction or the link is a BSD loopback (DLT_NULL/DLT_LOOP,
  // where the kernel gives no direction; fwknopd skips it there too). Offline: opens the file and sets the filter.
  // A link type parse_link_frame cannot read is an error, not a capture that silently ignores everything.
  static Result<PcapCapture, PcapError> open(const PcapOptions& options);

  PcapCapture(PcapCapture&&) noexcept;
  PcapCapture& operator=(PcapCapture&&) noexcept;
  ~PcapCapture();

  // For epoll: readable when packets wait (EPOLLERR when the interface goes down). -1 for a file, which is always
  // ready.
  int selectable_fd() const;
  // libpcap's pcap_get_required_select_timeout: when set, the daemon must call dispatch() at least this often even
  // without an event (on Linux, while an interface that went down may be about to disappear). Call it before each
  // epoll_wait: it changes.
  std::optional<std::chrono::milliseconds> required_timeout() const;

  // Hands each packet available now, at most max_packets (at least 1), to on_packet with received_s = time(nullptr),
  // for a file too (fwknopd ages packets against the current time). Returns how many frames were read, those
  // parse_link_frame rejects included; never blocks. For a file, 0 means the end (at_end()). For a live capture,
  // kInterfaceDown is returned once when the interface goes down (again only after it has been up), and on every
  // call once it has disappeared. An exception from on_packet stops the batch and propagates.
  Result<int, PcapError> dispatch(int max_packets, const std::function<void(const CapturedPacket&)>& on_packet);

  bool at_end() const { return at_end_; }
  bool is_offline() const { return is_offline_; }
  int datalink() const { return datalink_; }  // pcap_datalink(): a DLT_ value
  // Non-fatal problems of open(), for the log: promiscuous mode refused, direction not settable, … Empty if none.
  const std::string& warning() const { return warning_; }
  PcapCounters counters() const;

 private:
  struct Closer {
    void operator()(pcap* handle) const noexcept;
  };
  using Handle = std::unique_ptr<pcap, Closer>;

  PcapCapture(Handle handle, bool is_offline, std::string source);
  // After a live read: is the interface still up? Err once per down transition, and whenever it is gone.
  std::optional<PcapError> check_interface();

  Handle handle_;
  bool is_offline_ = false;
  std::string source_;  // the interface, or the file when offline
  int datalink_ = 0;
  std::string warning_;
  bool at_end_ = false;
  bool interface_down_ = false;
  std::uint64_t frames_read_ = 0;
  std::uint64_t frames_ignored_ = 0;
};

}  // namespace sesame::server::capture
