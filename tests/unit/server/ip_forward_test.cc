// SPDX-License-Identifier: GPL-2.0-or-later
// ENABLE_PROC_IP_FORWARD: what sesamed does with net.ipv4.ip_forward at start, on a stand-in file.
#include "server/daemon/ip_forward.h"

#include <gtest/gtest.h>

#include "support/temp_dir.h"
#include "support/test_vectors.h"

namespace sesame::server::daemon {
namespace {

TEST(IpForward, UntouchedWithoutNatForwarding) {
  test::TempDir dir("ip-forward");
  const std::string file = dir.write_file("ip_forward", "0\n");
  config::ServerConfig server;
  server.enable_proc_ip_forward = true;
  EXPECT_FALSE(prepare_ip_forward(server, file).has_value());
  EXPECT_EQ(test::read_file(file), "0\n");
}

TEST(IpForward, OffIsAWarningUnlessSesamedMayTurnItOn) {
  test::TempDir dir("ip-forward");
  const std::string file = dir.write_file("ip_forward", "0\n");
  config::ServerConfig server;
  server.enable_ipt_forwarding = true;
  const auto warned = prepare_ip_forward(server, file);
  ASSERT_TRUE(warned.has_value());
  EXPECT_TRUE(warned->is_warning);
  EXPECT_NE(warned->message.find("NAT grants cannot work"), std::string::npos);
  EXPECT_EQ(test::read_file(file), "0\n");

  server.enable_proc_ip_forward = true;
  const auto set = prepare_ip_forward(server, file);
  ASSERT_TRUE(set.has_value());
  EXPECT_FALSE(set->is_warning);
  EXPECT_EQ(test::read_file(file), "1\n");
  EXPECT_FALSE(prepare_ip_forward(server, file).has_value());  // already on: nothing to say
}

}  // namespace
}  // namespace sesame::server::daemon
