// SPDX-License-Identifier: GPL-2.0-or-later
// parse_active_opens on /proc/net/snmp text, and ActiveOpens on this machine's file: it moves when this process
// connects.
#include "launcher/active_opens.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace sesame::launcher {
namespace {

// The "Ip:" and "Tcp:" lines of a Linux 6.1 /proc/net/snmp (MaxConn is -1 there).
constexpr std::string_view kSnmp =
    "Ip: Forwarding DefaultTTL InReceives\n"
    "Ip: 1 64 1234\n"
    "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs\n"
    "Tcp: 1 200 120000 -1 7255 6707 272 612 0 200533\n"
    "Udp: InDatagrams NoPorts\n"
    "Udp: 5 6\n";

TEST(ActiveOpens, ParsesTheTcpColumn) {
  EXPECT_EQ(parse_active_opens(kSnmp), 7255u);
}

TEST(ActiveOpens, RefusesTextWithoutIt) {
  EXPECT_EQ(parse_active_opens(""), std::nullopt);
  EXPECT_EQ(parse_active_opens("Tcp: RtoAlgorithm ActiveOpens\n"), std::nullopt);             // no values line
  EXPECT_EQ(parse_active_opens("Tcp: RtoAlgorithm PassiveOpens\nTcp: 1 2\n"), std::nullopt);  // no column
  EXPECT_EQ(parse_active_opens("Tcp: RtoAlgorithm ActiveOpens\nTcp: 1\n"), std::nullopt);     // too few values
  EXPECT_EQ(parse_active_opens("Tcp: ActiveOpens\nTcp: 12x\n"), std::nullopt);
}

TEST(ActiveOpens, MovesWhenThisProcessConnects) {
  ActiveOpens opens;
  EXPECT_TRUE(opens.changed());  // the first look always dumps
  // A connect() to a closed port on loopback: SYN_SENT for an instant, then refused; it counts all the same.
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(9);  // discard: not served here (a refused connection counts too)
  (void)::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address);
  ::close(fd);
  EXPECT_TRUE(opens.changed());
  opens.forget();
  EXPECT_TRUE(opens.changed());
}

}  // namespace
}  // namespace sesame::launcher
