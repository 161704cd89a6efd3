// SPDX-License-Identifier: GPL-2.0-or-later
// NftElementWriter (see nft_element_writer.h): nftables set element batches built with libnftnl, sent with libmnl.
#include "server/firewall/nft_element_writer.h"

#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/common.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <ctime>

namespace sesame::server::firewall {
namespace {

// Elements per netlink message: ~60 bytes each, so a message stays well inside a batch page plus its overrun.
constexpr std::size_t kElementsPerMessage = 128;
constexpr std::uint32_t kBatchPage = 64 * 1024;
constexpr std::uint32_t kBatchOverrun = 64 * 1024;
// Room for the acknowledgements of a large batch (one small message per netlink message sent).
constexpr int kReceiveBuffer = 8 << 20;
constexpr int kAckTimeoutMs = 5000;
constexpr std::size_t kMaxSendBuffer = std::size_t{1} << 30;

FirewallError error(std::string message) {
  return FirewallError{std::move(message)};
}

std::string errno_text(int code) {
  return std::strerror(code);
}

struct BatchFree {
  void operator()(nftnl_batch* batch) const noexcept { nftnl_batch_free(batch); }
};
struct SetFree {
  void operator()(nftnl_set* set) const noexcept { nftnl_set_free(set); }
};

void put_field(NftElementKey& key, const std::uint8_t* data, std::size_t size) {
  std::memcpy(key.bytes.data() + key.size, data, size);
  key.size = static_cast<std::uint8_t>(key.size + (size + 3) / 4 * 4);  // each concatenated field: 32-bit aligned
}

}  // namespace

NftElementKey nft_input_key(const config::IpAddress& address, std::uint8_t protocol, std::uint16_t port) {
  NftElementKey key;
  const auto bytes = address.bytes();
  put_field(key, bytes.data(), bytes.size());
  put_field(key, &protocol, 1);
  const std::uint8_t port_bytes[2] = {static_cast<std::uint8_t>(port >> 8), static_cast<std::uint8_t>(port)};
  put_field(key, port_bytes, 2);  // inet_service is big-endian
  return key;
}

Result<std::unique_ptr<NftElementWriter>, FirewallError> NftElementWriter::create(const std::string& family,
                                                                                  const std::string& table) {
  const std::uint16_t number = family == "inet" ? NFPROTO_INET : family == "ip" ? NFPROTO_IPV4 : NFPROTO_IPV6;
  mnl_socket* socket = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
  if (socket == nullptr) return fail(error("nftables: netlink socket: " + errno_text(errno)));
  if (mnl_socket_bind(socket, 0, MNL_SOCKET_AUTOPID) != 0) {
    const int code = errno;
    mnl_socket_close(socket);
    return fail(error("nftables: netlink bind: " + errno_text(code)));
  }
  // Acks without a copy of the request, and a queue that holds them all: a batch of thousands of elements must
  // not lose its verdict to ENOBUFS.
  const int one = 1;
  ::setsockopt(mnl_socket_get_fd(socket), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  if (::setsockopt(mnl_socket_get_fd(socket), SOL_SOCKET, SO_RCVBUFFORCE, &kReceiveBuffer, sizeof kReceiveBuffer) != 0)
    ::setsockopt(mnl_socket_get_fd(socket), SOL_SOCKET, SO_RCVBUF, &kReceiveBuffer, sizeof kReceiveBuffer);
  return std::unique_ptr<NftElementWriter>(new NftElementWriter(number, table, socket));
}

NftElementWriter::NftElementWriter(std::uint16_t family, std::string table, mnl_socket* socket)
    : family_(family),
      table_(std::move(table)),
      socket_(socket),
      port_id_(mnl_socket_get_portid(socket)),
      seq_(static_cast<std::uint32_t>(std::time(nullptr))),
      receive_buffer_(MNL_SOCKET_BUFFER_SIZE) {}

NftElementWriter::~NftElementWriter() {
  mnl_socket_close(socket_);
}

NftElementWriter::Group& NftElementWriter::group_for(bool is_delete, const std::string& set) {
  if (groups_.empty() || groups_.back().is_delete != is_delete || groups_.back().set != set)
    groups_.push_back(Group{is_delete, set, {}});
  return groups_.back();
}

void NftElementWriter::add(const std::string& set, const NftElementKey& key, std::int64_t timeout_ms) {
  group_for(false, set).elements.push_back(Element{key, timeout_ms});
}

void NftElementWriter::remove(const std::string& set, const NftElementKey& key) {
  group_for(true, set).elements.push_back(Element{key, 0});
}

Result<Ok, FirewallError> NftElementWriter::commit() {
  std::vector<Group> groups = std::move(groups_);
  groups_.clear();
  if (groups.empty()) return Ok{};
  std::unique_ptr<nftnl_batch, BatchFree> batch(nftnl_batch_alloc(kBatchPage, kBatchOverrun));
  if (!batch) return fail(error("nftables: out of memory for a netlink batch"));
  const std::uint32_t first_seq = ++seq_;
  nftnl_batch_begin(static_cast<char*>(nftnl_batch_buffer(batch.get())), seq_);
  nftnl_batch_update(batch.get());
  std::uint32_t messages = 0;
  for (const Group& group : groups) {
    for (std::size_t at = 0; at < group.elements.size(); at += kElementsPerMessage) {
      std::unique_ptr<nftnl_set, SetFree> set(nftnl_set_alloc());
      if (!set) return fail(error("nftables: out of memory for a netlink batch"));
      nftnl_set_set_str(set.get(), NFTNL_SET_TABLE, table_.c_str());
      nftnl_set_set_str(set.get(), NFTNL_SET_NAME, group.set.c_str());
      const std::size_t end = std::min(group.elements.size(), at + kElementsPerMessage);
      for (std::size_t i = at; i < end; ++i) {
        nftnl_set_elem* element = nftnl_set_elem_alloc();
        if (element == nullptr) return fail(error("nftables: out of memory for a netlink batch"));
        const Element& wanted = group.elements[i];
        nftnl_set_elem_set(element, NFTNL_SET_ELEM_KEY, wanted.key.bytes.data(), wanted.key.size);
        if (!group.is_delete)
          nftnl_set_elem_set_u64(element, NFTNL_SET_ELEM_TIMEOUT, static_cast<std::uint64_t>(wanted.timeout_ms));
        nftnl_set_elem_add(set.get(), element);  // the set owns it now
      }
      // NLM_F_CREATE without NLM_F_EXCL: adding an element that exists is no error, as with `nft add element`.
      const std::uint16_t flags = group.is_delete ? NLM_F_ACK : NLM_F_CREATE | NLM_F_ACK;
      nlmsghdr* header =
          nftnl_nlmsg_build_hdr(static_cast<char*>(nftnl_batch_buffer(batch.get())),
                                group.is_delete ? NFT_MSG_DELSETELEM : NFT_MSG_NEWSETELEM, family_, flags, ++seq_);
      nftnl_set_elems_nlmsg_build_payload(header, set.get());
      nftnl_batch_update(batch.get());
      ++messages;
    }
  }
  nftnl_batch_end(static_cast<char*>(nftnl_batch_buffer(batch.get())), ++seq_);
  nftnl_batch_update(batch.get());

  std::vector<iovec> iov(static_cast<std::size_t>(nftnl_batch_iovec_len(batch.get())));
  nftnl_batch_iovec(batch.get(), iov.data(), static_cast<std::uint32_t>(iov.size()));
  // Netlink refuses a message longer than the socket's send buffer; nft grows it the same way.
  std::size_t length = 0;
  for (const iovec& part : iov) length += part.iov_len;
  if (length > send_buffer_) {
    const int wanted = static_cast<int>(std::min<std::size_t>(length * 2, kMaxSendBuffer));
    const int fd = mnl_socket_get_fd(socket_);
    if (::setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &wanted, sizeof wanted) == 0 ||
        ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &wanted, sizeof wanted) == 0)
      send_buffer_ = static_cast<std::size_t>(wanted);
  }
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  msghdr message{};
  message.msg_name = &kernel;
  message.msg_namelen = sizeof kernel;
  message.msg_iov = iov.data();
  message.msg_iovlen = iov.size();
  if (::sendmsg(mnl_socket_get_fd(socket_), &message, 0) < 0)
    return fail(error("nftables: netlink send: " + errno_text(errno)));
  return receive_acks(first_seq, messages);
}

// The kernel handles the whole batch inside sendmsg() and queues one reply per element message (seq begin_seq + 1
// to begin_seq + expected): an ack, or the error that aborted the transaction. A batch refused as a whole (no
// CAP_NET_ADMIN, say) gets one error for its begin message instead. Replies to older batches are skipped by seq.
Result<Ok, FirewallError> NftElementWriter::receive_acks(std::uint32_t begin_seq, std::uint32_t expected) {
  const std::uint32_t first_seq = begin_seq + 1;
  std::uint32_t received = 0;
  int first_error = 0;
  const int fd = mnl_socket_get_fd(socket_);
  while (received < expected) {
    pollfd ready{fd, POLLIN, 0};
    const int polled = ::poll(&ready, 1, kAckTimeoutMs);
    if (polled < 0 && errno == EINTR) continue;
    if (polled <= 0) return fail(error("nftables: no answer from the kernel to a netlink batch"));
    const ssize_t got = mnl_socket_recvfrom(socket_, receive_buffer_.data(), receive_buffer_.size());
    if (got < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return fail(error("nftables: netlink receive: " + errno_text(errno)));
    }
    int left = static_cast<int>(got);
    for (auto* header = reinterpret_cast<const nlmsghdr*>(receive_buffer_.data()); mnl_nlmsg_ok(header, left);
         header = mnl_nlmsg_next(header, &left)) {
      if (header->nlmsg_type != NLMSG_ERROR) continue;
      const auto* reply = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(header));
      if (header->nlmsg_seq < begin_seq || header->nlmsg_seq > first_seq + expected) continue;  // not this batch
      if (header->nlmsg_seq == begin_seq || header->nlmsg_seq == first_seq + expected) {        // begin or end refused
        if (reply->error == 0) continue;
        return fail(error("nftables: netlink batch refused: " + errno_text(-reply->error)));
      }
      ++received;
      if (reply->error != 0 && first_error == 0) first_error = -reply->error;
    }
  }
  if (first_error != 0) return fail(error("nftables: adding set elements failed: " + errno_text(first_error)));
  return Ok{};
}

}  // namespace sesame::server::firewall
