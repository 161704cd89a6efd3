// SPDX-License-Identifier: GPL-2.0-or-later
// NftBackend's NAT grants against the real kernel, with real traffic: a forked child builds three network
// namespaces of its own (client, server, internal host; veth pairs between them), a default-drop input and forward
// policy in the server's, and checks that a knocked port leads where the grant says until the kernel expires it.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "common/unique_fd.h"
#include "server/firewall/nft_backend.h"
#include "unit/server/private_netns.h"

namespace sesame::server::firewall {
namespace {

using namespace std::chrono_literals;
using test::Checker;
using test::run_in_private_netns;

constexpr const char* kIp = "/usr/sbin/ip";
constexpr const char* kServer = "10.1.0.1";  // the server's address on the client side
constexpr const char* kClient = "10.1.0.2";
constexpr const char* kOtherClient = "10.1.0.3";
constexpr const char* kServerInside = "10.2.0.1";  // the server's address on the internal side
constexpr const char* kInternal = "10.2.0.2";
constexpr std::uint16_t kServicePort = 22222;
constexpr std::uint16_t kExternalPort = 40023;

std::int64_t now_s() {
  return static_cast<std::int64_t>(std::time(nullptr));
}

// Client and internal namespaces next to the child's own (the server's). Sockets belong to the namespace they were
// made in, so the child switches with setns() to make one and switches back.
class Topology {
 public:
  // `internal_route_back`: the internal host routes the client subnet via the server (else only SNAT helps).
  bool build(Checker& check, bool internal_route_back) {
    server_ = UniqueFd(::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
    if (::unshare(CLONE_NEWNET) != 0) return false;
    client_ = UniqueFd(::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
    if (::unshare(CLONE_NEWNET) != 0) return false;
    internal_ = UniqueFd(::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
    if (!enter(server_)) return false;
    const std::string pid = std::to_string(::getpid());
    const std::string client_ns = "/proc/" + pid + "/fd/" + std::to_string(client_.get());
    const std::string internal_ns = "/proc/" + pid + "/fd/" + std::to_string(internal_.get());
    bool ok = run(check, "link add to_client type veth peer name to_server") &&
              run(check, "link set to_server netns " + client_ns) &&
              run(check, "link add to_internal type veth peer name to_server") &&
              run(check, "link set to_server netns " + internal_ns) &&
              run(check, "addr add " + std::string(kServer) + "/24 dev to_client") &&
              run(check, "addr add " + std::string(kServerInside) + "/24 dev to_internal") &&
              run(check, "link set to_client up") && run(check, "link set to_internal up");
    ok = ok && enter(client_) && test::bring_loopback_up() &&
         run(check, "addr add " + std::string(kClient) + "/24 dev to_server") &&
         run(check, "addr add " + std::string(kOtherClient) + "/24 dev to_server") &&
         run(check, "link set to_server up");
    ok = ok && enter(internal_) && test::bring_loopback_up() &&
         run(check, "addr add " + std::string(kInternal) + "/24 dev to_server") &&
         run(check, "link set to_server up") &&
         (!internal_route_back || run(check, "route add 10.1.0.0/24 via " + std::string(kServerInside)));
    ok = ok && enter(server_);
    // Per namespace: this turns on forwarding in the server's namespace only.
    const UniqueFd forward(::open("/proc/sys/net/ipv4/ip_forward", O_WRONLY | O_CLOEXEC));
    ok = ok && forward.is_valid() && ::write(forward.get(), "1", 1) == 1;
    std::this_thread::sleep_for(200ms);  // veth carrier and IPv4 addresses settle
    return ok;
  }

  UniqueFd listen_in_internal(const char* address) { return listen_in(internal_, address); }
  UniqueFd listen_in_server(const char* address) { return listen_in(server_, address); }

  // A TCP connect from the client namespace; a dropped SYN shows as a timeout. The peer the listener then
  // accepts is left in `accepted_from` (when a listener is given).
  bool can_connect(const char* source, const char* destination, std::uint16_t port, int listener = -1,
                   std::string* accepted_from = nullptr) {
    enter(client_);
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    enter(server_);
    const sockaddr_in from = address_of(source, 0);
    const sockaddr_in to = address_of(destination, port);
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&from), sizeof from) != 0) return false;
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0) {
      if (errno != EINPROGRESS) return false;
      pollfd entry{fd.get(), POLLOUT, 0};
      if (::poll(&entry, 1, 400) != 1) return false;
      int error = 0;
      socklen_t size = sizeof error;
      ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &size);
      if (error != 0) return false;
    }
    if (listener >= 0) {
      pollfd entry{listener, POLLIN, 0};
      if (::poll(&entry, 1, 500) != 1) return false;
      sockaddr_in peer{};
      socklen_t size = sizeof peer;
      const UniqueFd accepted(::accept4(listener, reinterpret_cast<sockaddr*>(&peer), &size, SOCK_CLOEXEC));
      char text[INET_ADDRSTRLEN] = {};
      ::inet_ntop(AF_INET, &peer.sin_addr, text, sizeof text);
      if (accepted_from) *accepted_from = text;
    }
    return true;
  }

 private:
  static bool enter(const UniqueFd& ns) { return ::setns(ns.get(), CLONE_NEWNET) == 0; }

  // `ip ARGS` in the namespace the child is in now.
  static bool run(Checker& check, const std::string& args) {
    const std::string command = std::string(kIp) + " " + args + " 2>&1";
    const int rc = std::system(command.c_str());
    check.expect(rc == 0, "ip " + args);
    return rc == 0;
  }

  static sockaddr_in address_of(const char* text, std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    ::inet_pton(AF_INET, text, &address.sin_addr);
    return address;
  }

  UniqueFd listen_in(const UniqueFd& ns, const char* text) {
    enter(ns);
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    enter(server_);
    const int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    const sockaddr_in address = address_of(text, kServicePort);
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(fd.get(), 64) != 0)
      return {};
    return fd;
  }

  UniqueFd server_, client_, internal_;
};

// The admin's policy in the server's namespace: nothing in, nothing through, but replies.
bool add_default_drop_table() {
  nft_ctx* ctx = nft_ctx_new(NFT_CTX_DEFAULT);
  nft_ctx_buffer_output(ctx);
  nft_ctx_buffer_error(ctx);
  const bool ok = nft_run_cmd_from_buffer(ctx,
                                          "add table inet filter\n"
                                          "add chain inet filter input { type filter hook input priority 0; "
                                          "policy drop; }\n"
                                          "add rule inet filter input ct state established,related accept\n"
                                          "add chain inet filter forward { type filter hook forward priority 0; "
                                          "policy drop; }\n"
                                          "add rule inet filter forward ct state established,related accept\n") == 0;
  nft_ctx_free(ctx);
  return ok;
}

std::string nft_list(const std::string& what) {
  nft_ctx* ctx = nft_ctx_new(NFT_CTX_DEFAULT);
  nft_ctx_buffer_output(ctx);
  nft_ctx_buffer_error(ctx);
  nft_run_cmd_from_buffer(ctx, ("list " + what).c_str());
  std::string output = nft_ctx_get_output_buffer(ctx);
  nft_ctx_free(ctx);
  return output;
}

std::unique_ptr<NftBackend> started_backend(Checker& check, const NftSettings& settings) {
  auto backend = NftBackend::create(settings);
  check.expect(backend.has_value(), "NftBackend::create");
  if (!backend) return nullptr;
  const auto started = (*backend)->start(now_s());
  check.expect(started.has_value(), "start: " + (started ? std::string() : started.error().message));
  if (!started) return nullptr;
  return std::move(*backend);
}

AccessRequest nat_request(spa::MessageType type, const char* nat_host, std::chrono::seconds timeout) {
  AccessRequest request;
  request.type = type;
  request.allow_ip = *config::IpAddress::parse(kClient);
  request.ports = {config::ProtoPort{config::Protocol::kTcp, kExternalPort}};
  request.nat = NatTarget{nat_host, kServicePort};
  request.timeout = timeout;
  return request;
}

bool open_grant(NftBackend& backend, const AccessRequest& request, const config::AccessStanza* stanza, Checker& check) {
  const GrantRequest grant{&request, stanza};
  const auto opened = backend.open(std::span(&grant, 1), now_s());
  check.expect(opened.has_value(), "open: " + (opened ? std::string() : opened.error().message));
  return opened.has_value();
}

class NftNatBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "SKIPPED: needs root (network namespaces and nftables)";
    if (::access(kIp, X_OK) != 0) GTEST_SKIP() << "SKIPPED: needs " << kIp << " (iproute2)";
  }
};

// Type 2: the server's external port leads to the internal host's service, for the knocker only, until the kernel
// expires the grant; --fw-flush then leaves the admin's policy as it was.
TEST_F(NftNatBackendTest, NatAccessForwardsToTheInternalHostUntilTheKernelExpiresIt) {
  run_in_private_netns([](Checker& check) {
    Topology net;
    if (!net.build(check, true)) return check.expect(false, "building the namespaces");
    check.expect(add_default_drop_table(), "adding the default-drop table");
    const UniqueFd service = net.listen_in_internal(kInternal);
    check.expect(service.is_valid(), "listening on the internal host");
    NftSettings settings;
    settings.enable_forwarding = true;
    auto backend = started_backend(check, settings);
    if (!backend) return;
    check.expect(!net.can_connect(kClient, kServer, kExternalPort), "closed before the grant");

    const auto started = std::chrono::steady_clock::now();
    if (!open_grant(*backend, nat_request(spa::MessageType::kNatAccess, kInternal, 2s), nullptr, check)) return;
    const double open_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    check.info("one NAT grant (DNAT + forward elements) in one open(): " + std::to_string(open_ms) + " ms");
    std::string peer;
    check.expect(net.can_connect(kClient, kServer, kExternalPort, service.get(), &peer), "forwarded after the grant");
    check.expect(peer == kClient, "the internal host sees the client's own address (no SNAT): " + peer);
    check.expect(!net.can_connect(kOtherClient, kServer, kExternalPort), "still closed for another source");
    check.expect(backend->expire(now_s()).value().empty(), "nothing expired yet");

    std::this_thread::sleep_for(2500ms);
    check.expect(!net.can_connect(kClient, kServer, kExternalPort), "closed again after the timeout");
    const auto expired = backend->expire(now_s() + 1);
    check.expect(expired && expired->size() == 1, "expire() reports the NAT grant once");
    if (expired && expired->size() == 1)
      check.expect((*expired)[0].source.to_string() == kClient && (*expired)[0].port == kExternalPort,
                   "the expired grant is the knocked port");
    check.expect(backend->nat_tracked_count() == 0, "no NAT element left tracked");

    check.expect(backend->flush().has_value(), "flush");
    const std::string table = nft_list("table inet filter");
    check.expect(table.find("sesame") == std::string::npos, "no sesame object left:\n" + table);
    check.expect(table.find("hook forward priority filter; policy drop;") != std::string::npos,
                 "the admin's forward policy is untouched:\n" + table);
  });
}

// ENABLE_IPT_SNAT without SNAT_TRANSLATE_IP: MASQUERADE, so an internal host without a route back still answers.
TEST_F(NftNatBackendTest, SnatWithoutTranslateIpMasqueradesForwardedConnections) {
  run_in_private_netns([](Checker& check) {
    Topology net;
    if (!net.build(check, false)) return check.expect(false, "building the namespaces");
    check.expect(add_default_drop_table(), "adding the default-drop table");
    const UniqueFd service = net.listen_in_internal(kInternal);
    NftSettings settings;
    settings.enable_forwarding = true;
    settings.enable_snat = true;
    auto backend = started_backend(check, settings);
    if (!backend) return;
    if (!open_grant(*backend, nat_request(spa::MessageType::kNatAccess, kInternal, 5s), nullptr, check)) return;
    std::string peer;
    check.expect(net.can_connect(kClient, kServer, kExternalPort, service.get(), &peer), "forwarded after the grant");
    check.expect(peer == kServerInside, "the internal host sees the server's inside address: " + peer);
    check.expect(nft_list("map inet filter sesame_dnat4").find("10.1.0.2 . tcp . 40023") != std::string::npos,
                 "the DNAT element is listed");

    // A burst of NAT grants is one transaction too: 1000 sources, three elements each (DNAT, forward, masquerade).
    constexpr int kGrants = 1000;
    std::vector<AccessRequest> requests;
    for (int i = 0; i < kGrants; ++i) {
      requests.push_back(nat_request(spa::MessageType::kNatAccess, kInternal, 60s));
      requests.back().allow_ip =
          *config::IpAddress::parse("10.3." + std::to_string(i / 256) + "." + std::to_string(i % 256));
    }
    std::vector<GrantRequest> grants;
    for (const AccessRequest& request : requests) grants.push_back(GrantRequest{&request, nullptr});
    for (const char* what : {"new", "refreshed"}) {
      const auto started = std::chrono::steady_clock::now();
      const auto opened = backend->open(grants, now_s());
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
      check.expect(opened.has_value(), "1000 NAT grants: " + (opened ? std::string() : opened.error().message));
      check.info(std::string("1000 NAT grants (3000 elements) in one open(), ") + what + ": " + std::to_string(ms) +
                 " ms");
    }
    check.expect(backend->nat_tracked_count() == 3 * kGrants + 3, "every NAT element tracked once");
  });
}

// Types 5/6: the external port leads to another port of the server itself, and the service port opens for the
// knocker too (fwknopd's INPUT accept of the translated port), both until the timeout.
TEST_F(NftNatBackendTest, LocalNatLeadsAnExternalPortToALocalServiceUntilTheTimeout) {
  run_in_private_netns([](Checker& check) {
    Topology net;
    if (!net.build(check, true)) return check.expect(false, "building the namespaces");
    check.expect(add_default_drop_table(), "adding the default-drop table");
    const UniqueFd service = net.listen_in_server(kServer);
    NftSettings settings;
    settings.enable_local_nat = true;
    auto backend = started_backend(check, settings);
    if (!backend) return;
    check.expect(!net.can_connect(kClient, kServer, kExternalPort), "external port closed before the grant");
    check.expect(!net.can_connect(kClient, kServer, kServicePort), "service port closed before the grant");
    if (!open_grant(*backend, nat_request(spa::MessageType::kLocalNatAccess, kServer, 2s), nullptr, check)) return;
    std::string peer;
    check.expect(net.can_connect(kClient, kServer, kExternalPort, service.get(), &peer), "external port leads in");
    check.expect(peer == kClient, "the service sees the client: " + peer);
    check.expect(net.can_connect(kClient, kServer, kServicePort, service.get()), "service port open to the knocker");
    check.expect(!net.can_connect(kOtherClient, kServer, kExternalPort), "closed for another source");
    check.expect(nft_list("table inet filter").find("sesame_forward") == std::string::npos,
                 "local NAT alone adds no forward chain");
    std::this_thread::sleep_for(2500ms);
    check.expect(!net.can_connect(kClient, kServer, kExternalPort), "external port closed after the timeout");
    check.expect(!net.can_connect(kClient, kServer, kServicePort), "service port closed after the timeout");
    const auto expired = backend->expire(now_s() + 1);
    check.expect(expired && expired->size() == 1 && (*expired)[0].port == kServicePort,
                 "expire() reports the input accept of the service port once");
  });
}

// A second grant for the same source and port to another internal host replaces the first in one transaction
// (a map element cannot be re-added with other data), and a restarted backend can still replace it.
TEST_F(NftNatBackendTest, RegrantToAnotherHostReplacesTheTranslationAcrossARestart) {
  run_in_private_netns([](Checker& check) {
    Topology net;
    if (!net.build(check, true)) return check.expect(false, "building the namespaces");
    NftSettings settings;
    settings.enable_forwarding = true;
    {
      auto first = started_backend(check, settings);
      if (!first) return;
      open_grant(*first, nat_request(spa::MessageType::kNatAccess, "10.2.0.9", 30s), nullptr, check);
    }
    auto backend = started_backend(check, settings);
    if (!backend) return;
    check.expect(backend->nat_tracked_count() == 2, "the restart recovers the DNAT and forward elements");
    open_grant(*backend, nat_request(spa::MessageType::kNatAccess, kInternal, 30s), nullptr, check);
    const std::string map = nft_list("map inet filter sesame_dnat4");
    check.expect(map.find(": 10.2.0.2 . 22222") != std::string::npos && map.find("10.2.0.9") == std::string::npos,
                 "the translation now leads to the new host:\n" + map);
    const std::string table = nft_list("table inet filter");
    check.expect(table.find("created by sesamed") != std::string::npos, "the created table is marked");
    check.expect(backend->flush().has_value(), "flush");
    check.expect(nft_list("tables").find("filter") == std::string::npos, "the created table is gone");
  });
}

}  // namespace
}  // namespace sesame::server::firewall
