// SPDX-License-Identifier: GPL-2.0-or-later
// run_client end to end in test mode (-T): what -R puts into the packet.
#include "client/client_app.h"

#include <gtest/gtest.h>

#include <sstream>

#include "loopback_peer.h"

namespace sesame::client {
namespace {

struct ClientRun {
  int status = 0;
  std::string out;
  std::string err;
};

// -T: the packet is built and decoded again for the dump, nothing is sent; no rc file, nothing saved.
ClientRun knock_with_resolver(const std::string& url) {
  std::ostringstream out;
  std::ostringstream err;
  const int status = run_client({"sesame", "-T", "--no-rc-file", "--no-save-args", "-A", "tcp/22", "-R",
                                 "--resolve-http-only", "--resolve-url", url, "--key-rijndael", "secret-key"},
                                {out, err});
  return {status, out.str(), err.str()};
}

TEST(RunClient, ResolvedIpv4AddressIsTheAllowAddress) {
  loopback::OneShotHttpServer server(loopback::http_response(200, "OK", "203.0.113.7\n"));
  const ClientRun run = knock_with_resolver(server.url("/myip"));
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("203.0.113.7,tcp/22"), std::string::npos) << run.out;
}

// sesame's IPv6 allow address (docs/compat.md): an IPv6 answer goes into the packet in its canonical form.
TEST(RunClient, ResolvedIpv6AddressIsTheAllowAddress) {
  loopback::OneShotHttpServer server(loopback::http_response(200, "OK", "2001:0DB8:0:0::7\n"));
  const ClientRun run = knock_with_resolver(server.url("/myip"));
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("2001:db8::7,tcp/22"), std::string::npos) << run.out;
}

TEST(RunClient, ResolvedMappedAddressIsRefused) {
  loopback::OneShotHttpServer server(loopback::http_response(200, "OK", "::ffff:203.0.113.7\n"));
  const ClientRun run = knock_with_resolver(server.url("/myip"));
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.err.find("cannot be an allow address"), std::string::npos) << run.err;
  EXPECT_EQ(run.out.find("tcp/22"), std::string::npos) << run.out;
}

}  // namespace
}  // namespace sesame::client
