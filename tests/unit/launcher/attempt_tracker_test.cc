// SPDX-License-Identifier: GPL-2.0-or-later
// AttemptTracker: a cookie counts once while its socket stays in SYN_SENT (SYN retransmissions), a new cookie is a
// new attempt, and cookies that left SYN_SENT are forgotten.
#include "launcher/attempt_tracker.h"

#include <gtest/gtest.h>

#include <vector>

namespace sesame::launcher {
namespace {

SynSentSocket socket_of(std::uint64_t cookie, std::uint16_t port = 22) {
  return {cookie, *parse_destination("192.0.2.1", port)};
}

std::vector<std::uint64_t> cookies(const std::vector<SynSentSocket>& sockets) {
  std::vector<std::uint64_t> out;
  for (const auto& socket : sockets) out.push_back(socket.cookie);
  return out;
}

TEST(AttemptTracker, OneAttemptIsNewOnceWhileItLasts) {
  AttemptTracker tracker;
  const std::vector<SynSentSocket> first{socket_of(7)};
  EXPECT_EQ(cookies(tracker.update(first)), std::vector<std::uint64_t>{7});
  for (int tick = 0; tick < 5; ++tick) EXPECT_TRUE(tracker.update(first).empty());
  EXPECT_EQ(tracker.remembered(), 1u);
}

TEST(AttemptTracker, RetryWithANewSocketIsANewAttempt) {
  AttemptTracker tracker;
  EXPECT_EQ(cookies(tracker.update(std::vector{socket_of(7)})), std::vector<std::uint64_t>{7});
  EXPECT_EQ(cookies(tracker.update(std::vector{socket_of(7), socket_of(8)})), std::vector<std::uint64_t>{8});
  EXPECT_EQ(cookies(tracker.update(std::vector{socket_of(8), socket_of(9, 80)})), std::vector<std::uint64_t>{9});
}

TEST(AttemptTracker, ForgetsSocketsThatLeftSynSent) {
  AttemptTracker tracker;
  (void)tracker.update(std::vector{socket_of(1), socket_of(2)});
  EXPECT_TRUE(tracker.update(std::vector<SynSentSocket>{}).empty());
  EXPECT_EQ(tracker.remembered(), 0u);
  // A cookie is never reused by the kernel, so one seen again after a gap is only possible in a test; it counts
  // as new, which is what "remembered until it disappears" means.
  EXPECT_EQ(cookies(tracker.update(std::vector{socket_of(1)})), std::vector<std::uint64_t>{1});
}

TEST(AttemptTracker, ACookieListedTwiceInOneSnapshotCountsOnce) {
  AttemptTracker tracker;
  EXPECT_EQ(cookies(tracker.update(std::vector{socket_of(5), socket_of(5)})), std::vector<std::uint64_t>{5});
  EXPECT_EQ(tracker.remembered(), 1u);
}

}  // namespace
}  // namespace sesame::launcher
