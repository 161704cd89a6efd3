// SPDX-License-Identifier: GPL-2.0-or-later
// NftBackend against the real kernel: each test forks a child that enters a network namespace of its own, builds
// a default-drop ruleset there and checks real TCP connects, so the host's ruleset is never touched.
#include "server/firewall/nft_backend.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <exception>
#include <functional>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "common/unique_fd.h"
#include "support/socket_address.h"
#include "unit/server/private_netns.h"

namespace sesame::server::firewall {
namespace {

using namespace std::chrono_literals;
using test::Checker;
using test::run_in_private_netns;

constexpr std::uint16_t kPort = 2222;

// ::2/128 on lo, a second IPv6 source (the kernel's in6_ifreq layout).
bool add_ipv6_loopback_address(const char* text) {
  struct {
    in6_addr address;
    std::uint32_t prefix_length;
    int ifindex;
  } request{};
  ::inet_pton(AF_INET6, text, &request.address);
  request.prefix_length = 128;
  request.ifindex = static_cast<int>(::if_nametoindex("lo"));
  UniqueFd fd(::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  return fd.is_valid() && ::ioctl(fd.get(), SIOCSIFADDR, &request) == 0;
}

// The test's own nft commands (the "admin's" ruleset), through a context of their own.
bool nft(const std::string& commands, std::string* output = nullptr) {
  nft_ctx* ctx = nft_ctx_new(NFT_CTX_DEFAULT);
  nft_ctx_buffer_output(ctx);
  nft_ctx_buffer_error(ctx);
  const bool ok = nft_run_cmd_from_buffer(ctx, commands.c_str()) == 0;
  if (output) *output = nft_ctx_get_output_buffer(ctx);
  nft_ctx_free(ctx);
  return ok;
}

std::string nft_list(const std::string& what) {
  std::string output;
  nft("list " + what, &output);
  return output;
}

// An admin's default-drop input: only replies to connections already allowed get in.
bool add_default_drop_table() {
  return nft(
      "add table inet filter\n"
      "add chain inet filter input { type filter hook input priority 0; policy drop; }\n"
      "add rule inet filter input ct state established,related accept\n");
}

UniqueFd listen_on(const char* address) {
  const bool is_v6 = std::strchr(address, ':') != nullptr;
  UniqueFd fd(::socket(is_v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_storage storage{};
  socklen_t length = 0;
  if (is_v6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(kPort);
    ::inet_pton(AF_INET6, address, &in6->sin6_addr);
    length = sizeof *in6;
  } else {
    auto* in4 = reinterpret_cast<sockaddr_in*>(&storage);
    in4->sin_family = AF_INET;
    in4->sin_port = htons(kPort);
    ::inet_pton(AF_INET, address, &in4->sin_addr);
    length = sizeof *in4;
  }
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&storage), length) != 0 || ::listen(fd.get(), 64) != 0) return {};
  return fd;
}

using test::socket_address;

// A TCP connect from `source` to `destination`:kPort; a dropped SYN shows as a timeout.
bool can_connect(const char* source, const char* destination) {
  socklen_t length = 0;
  const sockaddr_storage from = socket_address(source, 0, length);
  const sockaddr_storage to = socket_address(destination, kPort, length);
  UniqueFd fd(::socket(from.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&from), length) != 0) return false;
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&to), length) == 0) return true;
  if (errno != EINPROGRESS) return false;
  pollfd entry{fd.get(), POLLOUT, 0};
  if (::poll(&entry, 1, 400) != 1) return false;
  int error = 0;
  socklen_t size = sizeof error;
  ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &size);
  return error == 0;
}

std::int64_t now_s() {
  return static_cast<std::int64_t>(std::time(nullptr));
}

AccessRequest request_for(const char* address, std::chrono::seconds timeout, std::uint16_t port = kPort) {
  AccessRequest request;
  request.allow_ip = *config::IpAddress::parse(address);
  request.ports = {config::ProtoPort{config::Protocol::kTcp, port}};
  request.timeout = timeout;
  return request;
}

NftSettings settings_for(const char* table, int jump_position) {
  NftSettings settings;
  settings.table = table;
  settings.jump_position = jump_position;
  return settings;
}

std::unique_ptr<NftBackend> make_backend(Checker& check, NftSettings settings = {}) {
  auto backend = NftBackend::create(std::move(settings));
  check.expect(backend.has_value(), "NftBackend::create");
  if (!backend) return nullptr;
  return std::move(*backend);
}

bool open_one(NftBackend& backend, const AccessRequest& request, Checker& check) {
  const GrantRequest grant{&request, nullptr};
  auto opened = backend.open(std::span(&grant, 1), now_s());
  check.expect(opened.has_value(), "open: " + (opened ? std::string() : opened.error().message));
  return opened.has_value();
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

// Grant, other source, kernel expiry: the whole life of one grant, for `own` and `other` sources to `target`.
void check_grant_lifecycle(Checker& check, const char* own, const char* other, const char* target) {
  check.expect(add_default_drop_table(), "adding the default-drop table");
  const UniqueFd listener = listen_on(target);
  check.expect(listener.is_valid(), "listening");
  auto backend = make_backend(check);
  if (!backend) return;
  auto started = backend->start(now_s());
  check.expect(started.has_value(), "start: " + (started ? std::string() : started.error().message));
  check.expect(!can_connect(own, target), "closed before the grant");
  if (!open_one(*backend, request_for(own, 2s), check)) return;
  check.expect(can_connect(own, target), "open after the grant");
  check.expect(!can_connect(other, target), "still closed for another source");
  check.expect(backend->expire(now_s()).value().empty(), "nothing expired yet");
  std::this_thread::sleep_for(3s);
  check.expect(!can_connect(own, target), "closed again after the timeout (kernel expiry)");
  const auto expired = backend->expire(now_s());
  check.expect(expired.has_value() && expired->size() == 1, "expire() reports the grant");
  if (expired && expired->size() == 1) {
    check.expect((*expired)[0].source.to_string() == own && (*expired)[0].port == kPort && (*expired)[0].protocol == 6,
                 "the expired grant is the one granted");
  }
  check.expect(nft_list("chain inet filter input").find("policy drop") != std::string::npos,
               "the admin's policy is untouched");
}

class NftBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "SKIPPED: needs root (a private network namespace and nftables)";
  }
};

TEST_F(NftBackendTest, GrantOpensIpv4PortForItsSourceOnlyUntilTheKernelExpiresIt) {
  run_in_private_netns([](Checker& check) { check_grant_lifecycle(check, "127.0.0.1", "127.0.0.2", "127.0.0.1"); });
}

TEST_F(NftBackendTest, GrantOpensIpv6PortForItsSourceOnlyUntilTheKernelExpiresIt) {
  run_in_private_netns([](Checker& check) {
    check.expect(add_ipv6_loopback_address("::2"), "adding ::2 to lo");
    check_grant_lifecycle(check, "::1", "::2", "::1");
  });
}

TEST_F(NftBackendTest, RegrantExtendsTheTimeout) {
  run_in_private_netns([](Checker& check) {
    check.expect(add_default_drop_table(), "adding the default-drop table");
    const UniqueFd listener = listen_on("127.0.0.1");
    auto backend = make_backend(check);
    if (!backend || !backend->start(now_s())) return check.expect(false, "start");
    open_one(*backend, request_for("127.0.0.1", 1s), check);
    open_one(*backend, request_for("127.0.0.1", 6s), check);
    std::this_thread::sleep_for(2500ms);
    check.expect(can_connect("127.0.0.1", "127.0.0.1"), "still open after the first timeout");
    // A shorter re-grant does not cut running access short.
    open_one(*backend, request_for("127.0.0.1", 1s), check);
    std::this_thread::sleep_for(1500ms);
    check.expect(can_connect("127.0.0.1", "127.0.0.1"), "a shorter re-grant keeps the longer access");
    check.expect(count(nft_list("set inet filter sesame_in4"), "127.0.0.1") == 1, "one element, not two");
  });
}

TEST_F(NftBackendTest, RestartKeepsLiveGrantsAndDoesNotDuplicateRules) {
  run_in_private_netns([](Checker& check) {
    check.expect(add_default_drop_table(), "adding the default-drop table");
    const UniqueFd listener = listen_on("127.0.0.1");
    {
      auto first = make_backend(check);
      if (!first || !first->start(now_s())) return check.expect(false, "first start");
      open_one(*first, request_for("127.0.0.1", 30s), check);
    }  // the first "sesamed" dies without flushing
    auto second = make_backend(check);
    if (!second) return;
    check.expect(second->start(now_s()).has_value(), "second start");
    check.expect(second->start(now_s()).has_value(), "third start, same object");
    check.expect(can_connect("127.0.0.1", "127.0.0.1"), "the grant survives the restart");
    check.expect(second->tracked_count() == 1, "the restarted backend knows the live grant");
    const std::string table = nft_list("table inet filter");
    check.expect(count(table, "jump sesame_input") == 1, "one jump rule:\n" + table);
    check.expect(count(table, "@sesame_in4 accept") == 1, "one IPv4 accept rule:\n" + table);
    check.expect(table.find("comment \"created by sesamed\"") == std::string::npos,
                 "the admin's table and chain are not marked as sesame's");
    const auto listed = second->list(false);
    check.expect(listed && listed->find("127.0.0.1 . tcp . 2222") != std::string::npos, "list(false) shows it");
    const auto all = second->list(true);
    check.expect(all && all->find("policy drop") != std::string::npos, "list(true) shows the whole table");
  });
}

TEST_F(NftBackendTest, FlushRemovesSesamesObjectsAndKeepsTheAdmins) {
  run_in_private_netns([](Checker& check) {
    check.expect(add_default_drop_table(), "adding the default-drop table");
    const UniqueFd listener = listen_on("127.0.0.1");
    auto backend = make_backend(check);
    if (!backend || !backend->start(now_s())) return check.expect(false, "start");
    open_one(*backend, request_for("127.0.0.1", 30s), check);
    check.expect(can_connect("127.0.0.1", "127.0.0.1"), "open before the flush");
    const auto flushed = backend->flush();
    check.expect(flushed.has_value(), "flush: " + (flushed ? std::string() : flushed.error().message));
    check.expect(!can_connect("127.0.0.1", "127.0.0.1"), "closed after the flush");
    const std::string table = nft_list("table inet filter");
    check.expect(table.find("sesame") == std::string::npos, "no sesame object left:\n" + table);
    check.expect(table.find("policy drop") != std::string::npos &&
                     table.find("ct state established,related accept") != std::string::npos,
                 "the admin's chain and rule stay:\n" + table);
    check.expect(backend->flush().has_value(), "a second flush finds nothing to do");
  });
}

TEST_F(NftBackendTest, CreatesAMissingTableAndFlushDeletesIt) {
  run_in_private_netns([](Checker& check) {
    auto backend = make_backend(check, settings_for("sesame_test", 1));
    if (!backend) return;
    check.expect(backend->start(now_s()).has_value(), "start");
    const std::string table = nft_list("table inet sesame_test");
    check.expect(table.find("hook input priority filter; policy accept;") != std::string::npos,
                 "a base input chain with policy accept:\n" + table);
    check.expect(backend->flush().has_value(), "flush");
    check.expect(nft_list("tables").find("sesame_test") == std::string::npos, "the created table is gone");
  });
}

TEST_F(NftBackendTest, JumpGoesToTheConfiguredPosition) {
  run_in_private_netns([](Checker& check) {
    check.expect(nft("add table inet filter\n"
                     "add chain inet filter input { type filter hook input priority 0; policy accept; }\n"
                     "add rule inet filter input ct state established accept\n"
                     "add rule inet filter input iif lo accept\n"),
                 "the admin's table");
    auto backend = make_backend(check, settings_for("filter", 2));
    if (!backend) return;
    check.expect(backend->start(now_s()).has_value(), "start");
    const std::string chain = nft_list("chain inet filter input");
    const std::size_t established = chain.find("ct state established accept");
    const std::size_t jump = chain.find("jump sesame_input");
    const std::size_t lo = chain.find("iif \"lo\" accept");
    check.expect(established < jump && jump < lo && lo != std::string::npos, "jump is rule 2:\n" + chain);
  });
}

TEST_F(NftBackendTest, WarnsAboutAnotherTableThatDropsInput) {
  run_in_private_netns([](Checker& check) {
    check.expect(nft("add table ip other\n"
                     "add chain ip other INPUT { type filter hook input priority 0; policy drop; }\n"
                     "add table ip6 quiet\n"
                     "add chain ip6 quiet input { type filter hook input priority 0; policy accept; }\n"),
                 "other tables");
    auto backend = make_backend(check);
    if (!backend) return;
    check.expect(backend->start(now_s()).has_value(), "start");
    check.expect(backend->warnings().size() == 1, "one warning");
    if (!backend->warnings().empty())
      check.expect(backend->warnings()[0].find("table ip other, chain INPUT") != std::string::npos,
                   "names the table: " + backend->warnings()[0]);
  });
}

TEST_F(NftBackendTest, AppliesTenThousandGrantsInOneBatch) {
  run_in_private_netns([](Checker& check) {
    auto backend = make_backend(check);
    if (!backend || !backend->start(now_s())) return check.expect(false, "start");
    constexpr int kGrants = 10000;
    std::vector<AccessRequest> requests;
    requests.reserve(kGrants);
    for (int i = 0; i < kGrants; ++i) {
      const std::string address = i % 2 == 0 ? "10." + std::to_string(i / 65536) + "." + std::to_string(i / 256 % 256) +
                                                   "." + std::to_string(i % 256)
                                             : "2001:db8::" + std::to_string(i);
      requests.push_back(request_for(address.c_str(), 60s, 22));
    }
    std::vector<GrantRequest> grants;
    for (const auto& request : requests) grants.push_back(GrantRequest{&request, nullptr});
    const auto started = std::chrono::steady_clock::now();
    const auto opened = backend->open(grants, now_s());
    const auto took = std::chrono::steady_clock::now() - started;
    check.expect(opened.has_value(), "open: " + (opened ? std::string() : opened.error().message));
    const double ms = std::chrono::duration<double, std::milli>(took).count();
    check.info("10000 grants in one open(): " + std::to_string(ms) + " ms (" +
               std::to_string(static_cast<int>(kGrants / (ms / 1000))) + " grants/s)");
    const auto listed = backend->list(false);
    check.expect(listed.has_value(), "list: " + (listed ? std::string() : listed.error().message));
    check.expect(listed && count(*listed, " . tcp . 22 ") == kGrants, "10000 elements in the sets");
    // The same batch again: every element is replaced (refreshed), still one transaction.
    const auto again_started = std::chrono::steady_clock::now();
    check.expect(backend->open(grants, now_s()).has_value(), "re-granting the batch");
    const double again_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - again_started).count();
    check.info("the same 10000 grants refreshed: " + std::to_string(again_ms) + " ms");
    const auto relisted = backend->list(false);
    check.expect(relisted && count(*relisted, " . tcp . 22 ") == kGrants, "still 10000 elements");
  });
}

// The grant path talks netlink directly (NftElementWriter): a transaction the kernel refuses must fail open() as a
// whole, add nothing, and leave the socket ready for the next batch.
TEST_F(NftBackendTest, RefusedTransactionAddsNothingAndTheNextOneWorks) {
  run_in_private_netns([](Checker& check) {
    auto backend = make_backend(check);
    if (!backend || !backend->start(now_s())) return check.expect(false, "start");
    check.expect(nft("flush chain inet filter sesame_input\ndelete set inet filter sesame_in6"),
                 "removing the IPv6 set behind the backend's back");
    std::vector<AccessRequest> requests;
    for (int i = 1; i <= 300; ++i)
      requests.push_back(request_for(("10.9.0." + std::to_string(i % 250 + 1)).c_str(), 60s, 22));
    requests.push_back(request_for("2001:db8::1", 60s, 22));
    std::vector<GrantRequest> grants;
    for (const auto& request : requests) grants.push_back(GrantRequest{&request, nullptr});
    check.expect(!backend->open(grants, now_s()).has_value(), "open() fails: one of its sets is gone");
    check.expect(nft_list("set inet filter sesame_in4").find("10.9.0.") == std::string::npos,
                 "none of the batch's IPv4 elements was added");
    check.expect(backend->tracked_count() == 0, "nothing tracked");
    requests.pop_back();
    grants.pop_back();
    check.expect(backend->open(grants, now_s()).has_value(), "the next batch goes through");
    check.expect(count(nft_list("set inet filter sesame_in4"), " . tcp . 22") == 250, "with its elements");
  });
}

}  // namespace
}  // namespace sesame::server::firewall
