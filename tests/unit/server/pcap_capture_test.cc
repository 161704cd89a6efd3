// SPDX-License-Identifier: GPL-2.0-or-later
// PcapCapture: pcap files written with libpcap's own writer (Ethernet, Linux cooked), the BPF filter, errors that
// say what failed; as root, a live capture on lo and an interface going down inside a private network namespace.
#include "server/capture/pcap_capture.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/unique_fd.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace sesame::server::capture {
namespace {

using Frame = std::vector<std::uint8_t>;
using config::IpAddress;
using namespace std::chrono_literals;

constexpr std::string_view kPayload = "SPA-payload/8Vh3+dxR1ZtF6VQm0";

void put16(Frame& frame, std::size_t value) {
  frame.push_back(std::uint8_t(value >> 8));
  frame.push_back(std::uint8_t(value));
}

Frame ipv4_udp(const std::string& source, const std::string& destination, std::uint16_t source_port,
               std::uint16_t destination_port, std::string_view payload = kPayload) {
  Frame packet = {0x45, 0};
  put16(packet, 28 + payload.size());
  put16(packet, 1);
  put16(packet, 0);
  packet.insert(packet.end(), {64, 17, 0, 0});
  for (const std::string& text : {source, destination}) {
    const IpAddress address = *IpAddress::parse(text);  // a named copy: bytes() is a view into it
    for (auto byte : address.bytes()) packet.push_back(byte);
  }
  put16(packet, source_port);
  put16(packet, destination_port);
  put16(packet, 8 + payload.size());
  put16(packet, 0);
  packet.insert(packet.end(), payload.begin(), payload.end());
  return packet;
}

Frame ethernet(std::uint16_t type, const Frame& payload) {
  Frame frame = {0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02};
  put16(frame, type);
  frame.insert(frame.end(), payload.begin(), payload.end());
  return frame;
}

Frame linux_cooked(std::uint16_t protocol, const Frame& payload) {
  Frame frame = {0, 0, 0, 1, 0, 6, 0x02, 0, 0, 0, 0, 0x01, 0, 0};
  put16(frame, protocol);
  frame.insert(frame.end(), payload.begin(), payload.end());
  return frame;
}

struct Record {
  Frame frame;
  std::size_t caplen = 0;  // 0: all of it
};

// A pcap file as libpcap writes it, timestamps 1000, 1001, … (long past: received_s must not come from them).
std::string write_pcap(const test::TempDir& dir, const std::string& name, int datalink,
                       const std::vector<Record>& records) {
  const std::string path = dir.path() + "/" + name;
  pcap_t* dead = pcap_open_dead(datalink, 65535);
  if (dead == nullptr) throw std::runtime_error("pcap_open_dead failed");
  pcap_dumper_t* dumper = pcap_dump_open(dead, path.c_str());
  if (dumper == nullptr) {
    const std::string error = pcap_geterr(dead);
    pcap_close(dead);
    throw std::runtime_error("pcap_dump_open: " + error);
  }
  for (std::size_t i = 0; i < records.size(); ++i) {
    pcap_pkthdr header{};
    header.ts.tv_sec = time_t(1000 + i);
    header.len = bpf_u_int32(records[i].frame.size());
    header.caplen = bpf_u_int32(records[i].caplen != 0 ? records[i].caplen : records[i].frame.size());
    pcap_dump(reinterpret_cast<u_char*>(dumper), &header, records[i].frame.data());
  }
  pcap_dump_close(dumper);
  pcap_close(dead);
  return path;
}

std::string write_pcap(const test::TempDir& dir, const std::string& name, int datalink,
                       const std::vector<Frame>& frames) {
  std::vector<Record> records;
  for (const Frame& frame : frames) records.push_back({frame, 0});
  return write_pcap(dir, name, datalink, records);
}

// A CapturedPacket's payload is a view for the call only; keep a copy.
struct Seen {
  std::string payload;
  IpAddress source;
  IpAddress destination;
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  std::uint8_t ip_protocol = 0;
  std::int64_t received_s = 0;
};

std::function<void(const CapturedPacket&)> collect_into(std::vector<Seen>& seen) {
  return [&seen](const CapturedPacket& packet) {
    seen.push_back({std::string(packet.payload), packet.source, packet.destination, packet.source_port,
                    packet.destination_port, packet.ip_protocol, packet.received_s});
  };
}

PcapOptions file_options(const std::string& path, std::string filter = "") {
  PcapOptions options;
  options.file = path;
  options.filter = std::move(filter);
  return options;
}

// Reads the whole file; returns the packets handed over.
std::vector<Seen> read_all(PcapCapture& capture, int max_packets = 100) {
  std::vector<Seen> seen;
  for (int round = 0; round < 1000 && !capture.at_end(); ++round) {
    const auto read = capture.dispatch(max_packets, collect_into(seen));
    if (!read) ADD_FAILURE() << read.error().message;
    if (!read) break;
  }
  EXPECT_TRUE(capture.at_end());
  return seen;
}

TEST(PcapCapture, ReadsAnEthernetFile) {
  test::TempDir dir("sesame-pcap");
  const std::string path =
      write_pcap(dir, "eth.pcap", DLT_EN10MB,
                 {ethernet(0x0800, ipv4_udp("192.0.2.10", "198.51.100.1", 40001, 62201)),
                  ethernet(0x0806, Frame(28, 0)),  // ARP: read, then ignored
                  ethernet(0x0800, ipv4_udp("203.0.113.9", "198.51.100.1", 40002, 62201, "second"))});
  auto capture = PcapCapture::open(file_options(path));
  ASSERT_TRUE(capture) << capture.error().message;
  EXPECT_TRUE(capture->is_offline());
  EXPECT_EQ(capture->selectable_fd(), -1);
  EXPECT_EQ(capture->datalink(), DLT_EN10MB);
  EXPECT_FALSE(capture->required_timeout().has_value());
  EXPECT_TRUE(capture->warning().empty());

  const std::int64_t before = std::time(nullptr);
  std::vector<Seen> seen;
  const auto read = capture->dispatch(100, collect_into(seen));
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(*read, 3);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].payload, kPayload);
  EXPECT_EQ(seen[0].source.to_string(), "192.0.2.10");
  EXPECT_EQ(seen[0].destination.to_string(), "198.51.100.1");
  EXPECT_EQ(seen[0].source_port, 40001);
  EXPECT_EQ(seen[0].destination_port, 62201);
  EXPECT_EQ(seen[0].ip_protocol, 17);
  EXPECT_EQ(seen[1].payload, "second");
  EXPECT_EQ(seen[1].source.to_string(), "203.0.113.9");
  EXPECT_EQ(seen[1].source_port, 40002);
  for (const Seen& packet : seen) {  // now, not the file's timestamps: fwknopd ages packets against the clock
    EXPECT_GE(packet.received_s, before);
    EXPECT_LE(packet.received_s, std::int64_t(std::time(nullptr)));
  }
  EXPECT_FALSE(capture->at_end());

  const auto end = capture->dispatch(100, collect_into(seen));
  ASSERT_TRUE(end) << end.error().message;
  EXPECT_EQ(*end, 0);
  EXPECT_TRUE(capture->at_end());
  const PcapCounters counters = capture->counters();
  EXPECT_EQ(counters.frames_read, 3u);
  EXPECT_EQ(counters.frames_ignored, 1u);
  EXPECT_EQ(counters.kernel_drops, 0u);
}

TEST(PcapCapture, ReadsALinuxCookedFile) {
  test::TempDir dir("sesame-pcap");
  const std::string path = write_pcap(
      dir, "sll.pcap", DLT_LINUX_SLL,
      {linux_cooked(0x0800, ipv4_udp("10.1.2.3", "10.9.8.7", 5555, 62201)), linux_cooked(0x0806, Frame(28))});
  auto capture = PcapCapture::open(file_options(path));
  ASSERT_TRUE(capture) << capture.error().message;
  EXPECT_EQ(capture->datalink(), DLT_LINUX_SLL);
  const auto seen = read_all(*capture);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].payload, kPayload);
  EXPECT_EQ(seen[0].source.to_string(), "10.1.2.3");
  EXPECT_EQ(seen[0].destination.to_string(), "10.9.8.7");
  EXPECT_EQ(seen[0].source_port, 5555);
  EXPECT_EQ(capture->counters().frames_read, 2u);
  EXPECT_EQ(capture->counters().frames_ignored, 1u);
}

TEST(PcapCapture, DispatchReadsAtMostMaxPackets) {
  test::TempDir dir("sesame-pcap");
  std::vector<Frame> frames;
  for (int i = 0; i < 5; ++i)
    frames.push_back(ethernet(0x0800, ipv4_udp("192.0.2.1", "192.0.2.2", std::uint16_t(1000 + i), 62201)));
  auto capture = PcapCapture::open(file_options(write_pcap(dir, "five.pcap", DLT_EN10MB, frames)));
  ASSERT_TRUE(capture) << capture.error().message;
  std::vector<Seen> seen;
  std::vector<int> batches;
  while (!capture->at_end()) {
    const auto read = capture->dispatch(2, collect_into(seen));
    ASSERT_TRUE(read) << read.error().message;
    batches.push_back(*read);
  }
  EXPECT_EQ(batches, (std::vector<int>{2, 2, 1, 0}));
  ASSERT_EQ(seen.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(seen[std::size_t(i)].source_port, 1000 + i);
  // Less than one is one: pcap's "no limit" would read a whole file in one call.
  auto again = PcapCapture::open(file_options(write_pcap(dir, "five-again.pcap", DLT_EN10MB, frames)));
  ASSERT_TRUE(again) << again.error().message;
  const auto one = again->dispatch(0, collect_into(seen));
  ASSERT_TRUE(one) << one.error().message;
  EXPECT_EQ(*one, 1);
}

TEST(PcapCapture, FilterKeepsOnlyMatchingPackets) {
  test::TempDir dir("sesame-pcap");
  const std::string path = write_pcap(dir, "ports.pcap", DLT_EN10MB,
                                      {ethernet(0x0800, ipv4_udp("192.0.2.1", "192.0.2.2", 40000, 53, "dns")),
                                       ethernet(0x0800, ipv4_udp("192.0.2.1", "192.0.2.2", 40001, 62201)),
                                       ethernet(0x0800, ipv4_udp("192.0.2.1", "192.0.2.2", 62201, 40000, "src"))});
  auto capture = PcapCapture::open(file_options(path, "udp dst port 62201"));
  ASSERT_TRUE(capture) << capture.error().message;
  const auto seen = read_all(*capture);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].payload, kPayload);
  EXPECT_EQ(seen[0].destination_port, 62201);
  EXPECT_EQ(capture->counters().frames_read, 1u);  // the filter runs before anything reaches the parser
  EXPECT_EQ(capture->counters().frames_ignored, 0u);
}

TEST(PcapCapture, FilterWorksOnLinuxCookedFiles) {
  test::TempDir dir("sesame-pcap");
  const std::string path = write_pcap(dir, "sll-ports.pcap", DLT_LINUX_SLL,
                                      {linux_cooked(0x0800, ipv4_udp("10.0.0.1", "10.0.0.2", 1, 9999, "no")),
                                       linux_cooked(0x0800, ipv4_udp("10.0.0.1", "10.0.0.2", 1, 62201, "yes"))});
  auto capture = PcapCapture::open(file_options(path, "udp port 62201"));
  ASSERT_TRUE(capture) << capture.error().message;
  const auto seen = read_all(*capture);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].payload, "yes");
}

TEST(PcapCapture, BadFilterIsAClearError) {
  test::TempDir dir("sesame-pcap");
  const std::string path = write_pcap(dir, "any.pcap", DLT_EN10MB, std::vector<Frame>{});
  const auto capture = PcapCapture::open(file_options(path, "udp prot 62201"));
  ASSERT_FALSE(capture);
  EXPECT_EQ(capture.error().kind, PcapError::Kind::kOther);
  EXPECT_NE(capture.error().message.find("\"udp prot 62201\""), std::string::npos) << capture.error().message;
  EXPECT_NE(capture.error().message.find("PCAP_FILTER"), std::string::npos) << capture.error().message;
  EXPECT_NE(capture.error().message.find("syntax error"), std::string::npos) << capture.error().message;
}

TEST(PcapCapture, MissingFileIsAClearError) {
  test::TempDir dir("sesame-pcap");
  const std::string path = dir.path() + "/no-such.pcap";
  const auto capture = PcapCapture::open(file_options(path));
  ASSERT_FALSE(capture);
  EXPECT_EQ(capture.error().kind, PcapError::Kind::kOther);
  EXPECT_NE(capture.error().message.find(path), std::string::npos) << capture.error().message;
  EXPECT_NE(capture.error().message.find("No such file"), std::string::npos) << capture.error().message;
}

TEST(PcapCapture, NotAPcapFileIsAClearError) {
  test::TempDir dir("sesame-pcap");
  const std::string path = dir.write_file("text.pcap", "this is not a capture file\n");
  const auto capture = PcapCapture::open(file_options(path));
  ASSERT_FALSE(capture);
  EXPECT_NE(capture.error().message.find(path), std::string::npos) << capture.error().message;
}

TEST(PcapCapture, UnsupportedLinkTypeIsRefused) {
  test::TempDir dir("sesame-pcap");
  const std::string path = write_pcap(dir, "wifi.pcap", DLT_IEEE802_11, std::vector<Frame>{});
  const auto capture = PcapCapture::open(file_options(path));
  ASSERT_FALSE(capture);
  EXPECT_NE(capture.error().message.find("IEEE802_11"), std::string::npos) << capture.error().message;
  EXPECT_NE(capture.error().message.find(path), std::string::npos) << capture.error().message;
}

TEST(PcapCapture, SnapshotTruncatedFramesAreCountedAsIgnored) {
  test::TempDir dir("sesame-pcap");
  const Frame frame = ethernet(0x0800, ipv4_udp("192.0.2.1", "192.0.2.2", 1, 62201));
  const std::string path = write_pcap(dir, "snap.pcap", DLT_EN10MB, std::vector<Record>{{frame, 40}, {frame, 0}});
  auto capture = PcapCapture::open(file_options(path));
  ASSERT_TRUE(capture) << capture.error().message;
  const auto seen = read_all(*capture);
  EXPECT_EQ(seen.size(), 1u);
  EXPECT_EQ(capture->counters().frames_read, 2u);
  EXPECT_EQ(capture->counters().frames_ignored, 1u);
}

TEST(PcapCapture, TruncatedFileIsAnErrorNotAnEnd) {
  test::TempDir dir("sesame-pcap");
  const std::string path =
      write_pcap(dir, "whole.pcap", DLT_EN10MB, {ethernet(0x0800, ipv4_udp("192.0.2.1", "192.0.2.2", 1, 62201))});
  ASSERT_EQ(::truncate(path.c_str(), 24 + 16 + 10), 0);  // file header, record header, 10 of its bytes
  auto capture = PcapCapture::open(file_options(path));
  ASSERT_TRUE(capture) << capture.error().message;
  std::vector<Seen> seen;
  const auto read = capture->dispatch(10, collect_into(seen));
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().kind, PcapError::Kind::kOther);
  EXPECT_NE(read.error().message.find(path), std::string::npos) << read.error().message;
  EXPECT_TRUE(seen.empty());
}

TEST(PcapCapture, ExceptionFromTheHandlerPropagatesAndReadingGoesOn) {
  test::TempDir dir("sesame-pcap");
  const std::string path = write_pcap(dir, "two.pcap", DLT_EN10MB,
                                      {ethernet(0x0800, ipv4_udp("192.0.2.1", "192.0.2.2", 1, 62201, "first")),
                                       ethernet(0x0800, ipv4_udp("192.0.2.1", "192.0.2.2", 2, 62201, "second"))});
  auto capture = PcapCapture::open(file_options(path));
  ASSERT_TRUE(capture) << capture.error().message;
  const auto throwing = [](const CapturedPacket&) { throw std::runtime_error("handler failed"); };
  EXPECT_THROW((void)capture->dispatch(10, throwing), std::runtime_error);
  const auto seen = read_all(*capture);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].payload, "second");
  EXPECT_EQ(capture->counters().frames_read, 2u);
}

TEST(PcapCapture, MovesKeepTheHandle) {
  test::TempDir dir("sesame-pcap");
  const std::string path =
      write_pcap(dir, "one.pcap", DLT_EN10MB, {ethernet(0x0800, ipv4_udp("192.0.2.1", "192.0.2.2", 1, 62201))});
  auto opened = PcapCapture::open(file_options(path));
  ASSERT_TRUE(opened) << opened.error().message;
  PcapCapture capture = std::move(*opened);
  PcapCapture other = std::move(capture);
  EXPECT_EQ(read_all(other).size(), 1u);
}

TEST(PcapCapture, NoInterfaceIsAClearError) {
  const auto capture = PcapCapture::open(PcapOptions{});
  ASSERT_FALSE(capture);
  EXPECT_NE(capture.error().message.find("PCAP_INTF"), std::string::npos) << capture.error().message;
}

TEST(PcapCapture, UnknownInterfaceIsAClearError) {
  PcapOptions options;
  options.interface = "sesame-nosuch0";
  const auto capture = PcapCapture::open(options);
  ASSERT_FALSE(capture);  // no such device, or no permission to capture at all
  EXPECT_NE(capture.error().message.find("\"sesame-nosuch0\""), std::string::npos) << capture.error().message;
}

// ---- live captures (root only) ----

UniqueFd udp_socket() {
  return UniqueFd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
}

std::uint16_t bind_loopback(const UniqueFd& socket) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(socket.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) return 0;
  socklen_t length = sizeof(address);
  if (::getsockname(socket.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) return 0;
  return ntohs(address.sin_port);
}

bool send_to_loopback(std::uint16_t port, std::string_view payload) {
  const UniqueFd sender = udp_socket();
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  return ::sendto(sender.get(), payload.data(), payload.size(), 0, reinterpret_cast<const sockaddr*>(&address),
                  sizeof(address)) == ssize_t(payload.size());
}

// Waits for the capture's fd, then dispatches, until `want` packets or the deadline; errors fail the test.
std::vector<Seen> capture_live(PcapCapture& capture, std::size_t want, std::chrono::milliseconds deadline) {
  std::vector<Seen> seen;
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (seen.size() < want && std::chrono::steady_clock::now() < until) {
    pollfd event{capture.selectable_fd(), POLLIN, 0};
    ::poll(&event, 1, 50);
    const auto read = capture.dispatch(100, collect_into(seen));
    if (!read) {
      ADD_FAILURE() << read.error().message;
      break;
    }
  }
  return seen;
}

TEST(PcapCaptureLive, CapturesAUdpDatagramOnLoopback) {
  if (::geteuid() != 0) GTEST_SKIP() << "SKIPPED: live capture needs root";
  const UniqueFd receiver = udp_socket();  // holds the port, so it is ours and no ICMP unreachable comes back
  const std::uint16_t port = bind_loopback(receiver);
  ASSERT_NE(port, 0);

  PcapOptions options;
  options.interface = "lo";
  options.filter = "udp port " + std::to_string(port);
  auto capture = PcapCapture::open(options);
  ASSERT_TRUE(capture) << capture.error().message;
  EXPECT_FALSE(capture->is_offline());
  EXPECT_GE(capture->selectable_fd(), 0);

  const std::int64_t before = std::time(nullptr);
  ASSERT_TRUE(send_to_loopback(port, kPayload));
  auto seen = capture_live(*capture, 1, 3s);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].payload, kPayload);
  EXPECT_EQ(seen[0].source.to_string(), "127.0.0.1");
  EXPECT_EQ(seen[0].destination.to_string(), "127.0.0.1");
  EXPECT_EQ(seen[0].destination_port, port);
  EXPECT_NE(seen[0].source_port, 0);
  EXPECT_EQ(seen[0].ip_protocol, 17);
  EXPECT_GE(seen[0].received_s, before);

  // Seen once, not once leaving and once arriving; and nothing else on lo got through the filter.
  const auto more = capture_live(*capture, 1, 200ms);
  EXPECT_TRUE(more.empty());
  EXPECT_EQ(capture->counters().frames_read, 1u);
  EXPECT_EQ(capture->counters().kernel_drops, 0u);
}

bool set_link_up(const char* name, bool up) {
  const UniqueFd socket = udp_socket();
  ifreq request{};
  std::strncpy(request.ifr_name, name, IFNAMSIZ - 1);
  if (::ioctl(socket.get(), SIOCGIFFLAGS, &request) != 0) return false;
  request.ifr_flags = short(up ? (request.ifr_flags | IFF_UP) : (request.ifr_flags & ~IFF_UP));
  return ::ioctl(socket.get(), SIOCSIFFLAGS, &request) == 0;
}

// Runs `body` on a thread of its own in a fresh network namespace (unshare affects only the calling thread), so
// taking lo down or deleting links never touches the host. Returns why it could not, or "".
std::string in_private_netns(const std::function<void()>& body) {
  std::string why;
  std::thread worker([&] {
    if (::unshare(CLONE_NEWNET) != 0) {
      why = std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno);
      return;
    }
    body();
  });
  worker.join();
  return why;
}

TEST(PcapCaptureLive, InterfaceGoingDownIsReportedOncePerTransition) {
  if (::geteuid() != 0) GTEST_SKIP() << "SKIPPED: needs root (a private network namespace)";
  const std::string why = in_private_netns([] {
    PcapOptions options;
    options.interface = "lo";
    options.filter = "udp port 62201";

    // A new namespace's lo is down: that is an interface-down error from the start.
    const auto while_down = PcapCapture::open(options);
    ASSERT_FALSE(while_down);
    EXPECT_EQ(while_down.error().kind, PcapError::Kind::kInterfaceDown) << while_down.error().message;

    ASSERT_TRUE(set_link_up("lo", true));
    auto capture = PcapCapture::open(options);
    ASSERT_TRUE(capture) << capture.error().message;
    std::vector<Seen> seen;
    const auto idle = capture->dispatch(10, collect_into(seen));
    ASSERT_TRUE(idle) << idle.error().message;

    ASSERT_TRUE(set_link_up("lo", false));
    pollfd event{capture->selectable_fd(), POLLIN, 0};
    EXPECT_EQ(::poll(&event, 1, 1000), 1);  // the socket's ENETDOWN wakes an epoll loop
    const auto down = capture->dispatch(10, collect_into(seen));
    ASSERT_FALSE(down);
    EXPECT_EQ(down.error().kind, PcapError::Kind::kInterfaceDown);
    EXPECT_NE(down.error().message.find("\"lo\" is down"), std::string::npos) << down.error().message;
    const auto still_down = capture->dispatch(10, collect_into(seen));  // said once, not on every call
    ASSERT_TRUE(still_down) << still_down.error().message;
    EXPECT_EQ(*still_down, 0);

    // Back up, the same capture sees packets again (EXIT_AT_INTF_DOWN=N keeps running).
    ASSERT_TRUE(set_link_up("lo", true));
    ASSERT_TRUE(send_to_loopback(62201, "after the interface came back"));
    const auto after = capture_live(*capture, 1, 3s);
    ASSERT_EQ(after.size(), 1u);
    EXPECT_EQ(after[0].payload, "after the interface came back");

    ASSERT_TRUE(set_link_up("lo", false));
    const auto down_again = capture->dispatch(10, collect_into(seen));
    ASSERT_FALSE(down_again);
    EXPECT_EQ(down_again.error().kind, PcapError::Kind::kInterfaceDown);
  });
  if (!why.empty()) GTEST_SKIP() << "SKIPPED: " << why;
}

TEST(PcapCaptureLive, InterfaceDisappearingIsReportedAsDown) {
  if (::geteuid() != 0) GTEST_SKIP() << "SKIPPED: needs root (a private network namespace)";
  std::string no_ip;
  const std::string why = in_private_netns([&no_ip] {
    // Forked from this thread, ip runs in the private namespace too.
    const auto added =
        test::run_process({"ip", "link", "add", "sesame-cap0", "type", "veth", "peer", "name", "sesame-cap1"});
    if (!added.succeeded()) {
      no_ip = "ip link add (veth): " + added.output;
      return;
    }
    ASSERT_TRUE(set_link_up("sesame-cap0", true));
    ASSERT_TRUE(set_link_up("sesame-cap1", true));
    PcapOptions options;
    options.interface = "sesame-cap0";
    auto capture = PcapCapture::open(options);
    ASSERT_TRUE(capture) << capture.error().message;
    ASSERT_TRUE(test::run_process({"ip", "link", "del", "sesame-cap0"}).succeeded());
    std::optional<PcapError> error;
    std::vector<Seen> seen;
    const auto until = std::chrono::steady_clock::now() + 3s;
    while (!error && std::chrono::steady_clock::now() < until) {
      pollfd event{capture->selectable_fd(), POLLIN, 0};
      ::poll(&event, 1, 50);
      auto read = capture->dispatch(10, collect_into(seen));
      if (!read) error = read.error();
    }
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->kind, PcapError::Kind::kInterfaceDown) << error->message;
    EXPECT_NE(error->message.find("sesame-cap0"), std::string::npos) << error->message;
  });
  if (!why.empty()) GTEST_SKIP() << "SKIPPED: " << why;
  if (!no_ip.empty()) GTEST_SKIP() << "SKIPPED: " << no_ip;
}

}  // namespace
}  // namespace sesame::server::capture
