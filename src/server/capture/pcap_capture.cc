// SPDX-License-Identifier: GPL-2.0-or-later
// PcapCapture: libpcap set up as fwknopd sets it up (server.md §7), but for an epoll loop: non-blocking, immediate
// delivery, one selectable fd, and errors as values naming what failed.
#include "server/capture/pcap_capture.h"

#include <net/if.h>
#include <pcap/pcap.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <exception>
#include <span>
#include <utility>

#include "server/capture/link_frame.h"

namespace sesame::server::capture {
namespace {

// fwknopd's pcap_open_live timeout. Immediate mode makes it moot on Linux; it still bounds the wait elsewhere.
constexpr int kReadTimeoutMs = 100;
// Kernel ring for bursts that arrive while the daemon is busy with a firewall batch (libpcap's Linux default: 2 MiB).
constexpr int kBufferBytes = 4 * 1024 * 1024;

struct PcapDeleter {
  void operator()(pcap_t* handle) const noexcept { pcap_close(handle); }
};
using OwnedPcap = std::unique_ptr<pcap_t, PcapDeleter>;

PcapError other(std::string message) {
  return PcapError{PcapError::Kind::kOther, std::move(message)};
}

std::string quoted(std::string_view text) {
  std::string result;  // appended piece by piece: "\"" + string trips GCC 12's false -Wrestrict (bug 105329)
  result.reserve(text.size() + 2);
  result += '"';
  result += text;
  result += '"';
  return result;
}

// pcap_activate's status as text, with pcap's detail when it has one ("No such device exists (SIOCGIFHWADDR: …)").
std::string activate_text(pcap_t* handle, int status) {
  std::string text = pcap_statustostr(status);
  const std::string detail = pcap_geterr(handle);
  if (!detail.empty() && detail != text) text += " (" + detail + ")";
  return text;
}

Result<OwnedPcap, PcapError> open_live(const PcapOptions& options, std::string& warning) {
  if (options.interface.empty()) return fail(other("pcap: no interface to capture on (PCAP_INTF, -i)"));
  const std::string where = "pcap: cannot capture on " + quoted(options.interface) + ": ";
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  OwnedPcap handle(pcap_create(options.interface.c_str(), errbuf));
  if (!handle) return fail(other(where + errbuf));
  if (pcap_set_snaplen(handle.get(), options.snaplen) != 0 ||
      pcap_set_promisc(handle.get(), options.promiscuous ? 1 : 0) != 0 ||
      pcap_set_timeout(handle.get(), kReadTimeoutMs) != 0 || pcap_set_immediate_mode(handle.get(), 1) != 0 ||
      pcap_set_buffer_size(handle.get(), kBufferBytes) != 0)
    return fail(other(where + "cannot set capture options"));
  const int status = pcap_activate(handle.get());
  if (status < 0) {
    const auto kind = status == PCAP_ERROR_IFACE_NOT_UP ? PcapError::Kind::kInterfaceDown : PcapError::Kind::kOther;
    return fail(PcapError{kind, where + activate_text(handle.get(), status)});
  }
  if (status > 0) warning = "pcap: " + quoted(options.interface) + ": " + activate_text(handle.get(), status);
  if (pcap_setnonblock(handle.get(), 1, errbuf) != 0) return fail(other(where + errbuf));
  return handle;
}

Result<OwnedPcap, PcapError> open_offline(const std::string& file) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  OwnedPcap handle(pcap_open_offline(file.c_str(), errbuf));
  if (!handle) return fail(other("pcap: cannot read " + quoted(file) + ": " + errbuf));
  return handle;
}

Result<Ok, PcapError> set_filter(pcap_t* handle, const PcapOptions& options) {
  if (options.filter.empty()) return Ok{};
  // The netmask only matters for "ip broadcast"; fwknopd passes 0, which makes that test 255.255.255.255 only.
  bpf_u_int32 netmask = PCAP_NETMASK_UNKNOWN;
  if (!options.file) {
    bpf_u_int32 network = 0;
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    if (pcap_lookupnet(options.interface.c_str(), &network, &netmask, errbuf) != 0) netmask = PCAP_NETMASK_UNKNOWN;
  }
  bpf_program program{};
  if (pcap_compile(handle, &program, options.filter.c_str(), 1, netmask) != 0)
    return fail(other("pcap: filter " + quoted(options.filter) + " (PCAP_FILTER) rejected: " + pcap_geterr(handle)));
  const int status = pcap_setfilter(handle, &program);
  pcap_freecode(&program);
  if (status != 0)
    return fail(other("pcap: filter " + quoted(options.filter) + " (PCAP_FILTER) not set: " + pcap_geterr(handle)));
  return Ok{};
}

// pcap_dispatch's errors that mean the interface is gone or down. libpcap (1.10, Linux) says "The interface
// disappeared", older ones "The interface went down"; fwknopd looks at errno == ENETDOWN.
bool is_interface_down(std::string_view message, int saved_errno) {
  return saved_errno == ENETDOWN || message.find("went down") != std::string_view::npos ||
         message.find("disappeared") != std::string_view::npos;
}

struct DispatchContext {
  pcap_t* handle = nullptr;
  int datalink = 0;
  std::int64_t now_s = 0;
  const std::function<void(const CapturedPacket&)>* on_packet = nullptr;
  std::uint64_t read = 0;
  std::uint64_t ignored = 0;
  std::exception_ptr exception;
};

// Called from inside libpcap's C code: nothing may unwind through it, so an exception is kept for after.
void on_frame(u_char* user, const pcap_pkthdr* header, const u_char* bytes) {
  auto& context = *reinterpret_cast<DispatchContext*>(user);
  ++context.read;
  auto packet = context.exception ? std::nullopt  // a frame libpcap hands over before it sees the break is lost
                                  : parse_link_frame(context.datalink, std::span(bytes, header->caplen));
  if (!packet) {
    ++context.ignored;
    return;
  }
  packet->received_s = context.now_s;
  try {
    (*context.on_packet)(*packet);
  } catch (...) {
    context.exception = std::current_exception();
    pcap_breakloop(context.handle);
  }
}

}  // namespace

void PcapCapture::Closer::operator()(pcap* handle) const noexcept {
  pcap_close(handle);
}

PcapCapture::PcapCapture(Handle handle, bool is_offline, std::string source)
    : handle_(std::move(handle)), is_offline_(is_offline), source_(std::move(source)) {
  datalink_ = pcap_datalink(handle_.get());
}

PcapCapture::PcapCapture(PcapCapture&&) noexcept = default;
PcapCapture& PcapCapture::operator=(PcapCapture&&) noexcept = default;
PcapCapture::~PcapCapture() = default;

Result<PcapCapture, PcapError> PcapCapture::open(const PcapOptions& options) {
  std::string warning;
  auto opened = options.file ? open_offline(*options.file) : open_live(options, warning);
  if (!opened) return fail(opened.error());
  PcapCapture capture(Handle(opened->release()), options.file.has_value(), options.file.value_or(options.interface));
  capture.warning_ = std::move(warning);
  pcap_t* handle = capture.handle_.get();
  const std::string source = quoted(capture.source_);

  if (!is_supported_datalink(capture.datalink_)) {
    const char* name = pcap_datalink_val_to_name(capture.datalink_);
    return fail(other("pcap: " + source + " has link type " + (name ? name : "?") + " (" +
                      std::to_string(capture.datalink_) +
                      "); supported: Ethernet, Linux cooked (SLL, SLL2), BSD loopback (NULL, LOOP), raw IP"));
  }
  if (auto filtered = set_filter(handle, options); !filtered) return fail(filtered.error());

  // Inbound only, as fwknopd: an SPA packet this host sends (a client run here) must not open its own firewall.
  // BSD loopback links cannot tell the direction.
  if (!capture.is_offline_ && !options.any_direction && capture.datalink_ != DLT_NULL &&
      capture.datalink_ != DLT_LOOP && pcap_setdirection(handle, PCAP_D_IN) != 0) {
    if (!capture.warning_.empty()) capture.warning_ += "; ";
    capture.warning_ += "pcap: " + source + ": cannot keep to inbound packets: " + pcap_geterr(handle);
  }
  return capture;
}

int PcapCapture::selectable_fd() const {
  return is_offline_ ? -1 : pcap_get_selectable_fd(handle_.get());
}

std::optional<std::chrono::milliseconds> PcapCapture::required_timeout() const {
  if (is_offline_) return std::nullopt;
  const timeval* timeout = pcap_get_required_select_timeout(handle_.get());
  if (timeout == nullptr) return std::nullopt;
  return std::chrono::milliseconds(std::int64_t(timeout->tv_sec) * 1000 + (timeout->tv_usec + 999) / 1000);
}

Result<int, PcapError> PcapCapture::dispatch(int max_packets,
                                             const std::function<void(const CapturedPacket&)>& on_packet) {
  // pcap_dispatch takes 0 or -1 as "no limit", which for a file means all of it in one call.
  if (max_packets < 1) max_packets = 1;
  DispatchContext context;
  context.handle = handle_.get();
  context.datalink = datalink_;
  context.now_s = std::int64_t(std::time(nullptr));
  context.on_packet = &on_packet;
  errno = 0;  // fwknopd's ENETDOWN test reads errno: not a stale one
  const int status = pcap_dispatch(handle_.get(), max_packets, on_frame, reinterpret_cast<u_char*>(&context));
  const int saved_errno = errno;
  frames_read_ += context.read;
  frames_ignored_ += context.ignored;
  if (context.exception) std::rethrow_exception(context.exception);

  if (status == PCAP_ERROR) {
    const std::string text = pcap_geterr(handle_.get());
    const std::string source = (is_offline_ ? "reading " : "capturing on ") + quoted(source_);
    const auto kind = !is_offline_ && is_interface_down(text, saved_errno) ? PcapError::Kind::kInterfaceDown
                                                                           : PcapError::Kind::kOther;
    return fail(PcapError{kind, "pcap: error " + source + ": " + text});
  }
  // PCAP_ERROR_BREAK: someone called pcap_breakloop; what was read is still a result.
  const int read = int(context.read);
  if (is_offline_) {
    if (status == 0) at_end_ = true;
    return read;
  }
  // An event with nothing to read is how an interface going down shows: libpcap swallows the socket's ENETDOWN
  // and carries on (1.10), so ask the interface itself; and keep asking while it is down, to see it come back.
  if (read == 0 || interface_down_)
    if (auto down = check_interface()) return fail(std::move(*down));
  return read;
}

std::optional<PcapError> PcapCapture::check_interface() {
  if (source_ == "any") return std::nullopt;
  ifreq request{};
  if (source_.size() >= sizeof(request.ifr_name)) return std::nullopt;
  std::memcpy(request.ifr_name, source_.data(), source_.size());
  if (ioctl(pcap_fileno(handle_.get()), SIOCGIFFLAGS, &request) != 0) {
    if (errno == ENODEV || errno == ENXIO)
      return PcapError{PcapError::Kind::kInterfaceDown, "pcap: interface " + quoted(source_) + " disappeared"};
    return std::nullopt;  // cannot tell: pcap reports real trouble itself
  }
  if ((request.ifr_flags & IFF_UP) != 0) {
    interface_down_ = false;
    return std::nullopt;
  }
  if (interface_down_) return std::nullopt;  // said so already
  interface_down_ = true;
  return PcapError{PcapError::Kind::kInterfaceDown, "pcap: interface " + quoted(source_) + " is down"};
}

PcapCounters PcapCapture::counters() const {
  PcapCounters counters;
  counters.frames_read = frames_read_;
  counters.frames_ignored = frames_ignored_;
  pcap_stat stats{};
  if (!is_offline_ && pcap_stats(handle_.get(), &stats) == 0) {
    counters.kernel_drops = stats.ps_drop;
    counters.interface_drops = stats.ps_ifdrop;
  }
  return counters;
}

}  // namespace sesame::server::capture
