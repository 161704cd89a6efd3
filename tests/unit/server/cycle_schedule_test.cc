// SPDX-License-Identifier: GPL-2.0-or-later
// CycleSchedule: due order, ties in insertion order, next_due_s for the loop's timeout, the capacity bound.
#include "server/exec/cycle_schedule.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sesame::server::exec {
namespace {

CommandSpec close_command(const std::string& text) {
  auto spec = cycle_command_spec(text);
  EXPECT_TRUE(spec) << spec.error();
  return spec ? *spec : CommandSpec{};
}

std::vector<std::string> displays(const std::vector<PendingClose>& entries) {
  std::vector<std::string> out;
  for (const auto& entry : entries) out.push_back(entry.command.display);
  return out;
}

TEST(CycleSchedule, EmptyHasNoDeadline) {
  CycleSchedule schedule;
  EXPECT_EQ(schedule.size(), 0u);
  EXPECT_FALSE(schedule.next_due_s());
  EXPECT_TRUE(schedule.take_due(1'000'000'000'000).empty());
}

TEST(CycleSchedule, TakesDueEntriesEarliestFirstAndTiesInOrderAdded) {
  CycleSchedule schedule;
  ASSERT_TRUE(schedule.add(130, "[10.0.0.3] (stanza #1)", close_command("echo c")));
  ASSERT_TRUE(schedule.add(110, "[10.0.0.1] (stanza #1)", close_command("echo a")));
  ASSERT_TRUE(schedule.add(120, "[10.0.0.2] (stanza #2)", close_command("echo b1")));
  ASSERT_TRUE(schedule.add(120, "[10.0.0.2] (stanza #2)", close_command("echo b2")));
  EXPECT_EQ(schedule.size(), 4u);
  EXPECT_EQ(schedule.next_due_s(), std::optional<std::int64_t>(110));

  EXPECT_TRUE(schedule.take_due(109).empty());
  const auto due = schedule.take_due(120);  // due_s <= now: 120 is due at 120
  EXPECT_EQ(displays(due), (std::vector<std::string>{"echo a", "echo b1", "echo b2"}));
  EXPECT_EQ(due.front().due_s, 110);
  EXPECT_EQ(due.front().tag, "[10.0.0.1] (stanza #1)");
  EXPECT_EQ(due.front().command.argv, (std::vector<std::string>{"echo", "a"}));
  EXPECT_EQ(schedule.size(), 1u);
  EXPECT_EQ(schedule.next_due_s(), std::optional<std::int64_t>(130));

  EXPECT_EQ(displays(schedule.take_due(1000)), (std::vector<std::string>{"echo c"}));
  EXPECT_EQ(schedule.size(), 0u);
  EXPECT_FALSE(schedule.next_due_s());
}

TEST(CycleSchedule, RefusesAddWhenFull) {
  CycleSchedule schedule(2);
  ASSERT_TRUE(schedule.add(1, "t", close_command("echo 1")));
  EXPECT_FALSE(schedule.is_full());
  ASSERT_TRUE(schedule.add(2, "t", close_command("echo 2")));
  EXPECT_TRUE(schedule.is_full());
  const auto refused = schedule.add(3, "t", close_command("echo 3"));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("too many"), std::string::npos);
  EXPECT_EQ(schedule.take_due(1).size(), 1u);
  EXPECT_TRUE(schedule.add(3, "t", close_command("echo 3")));
}

TEST(CycleSchedule, TakeAllEmptiesInDueOrder) {
  CycleSchedule schedule;
  ASSERT_TRUE(schedule.add(50, "t", close_command("echo late")));
  ASSERT_TRUE(schedule.add(10, "t", close_command("echo early")));
  EXPECT_EQ(displays(schedule.take_all()), (std::vector<std::string>{"echo early", "echo late"}));
  EXPECT_EQ(schedule.size(), 0u);
}

}  // namespace
}  // namespace sesame::server::exec
