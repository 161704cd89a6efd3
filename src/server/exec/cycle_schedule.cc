// SPDX-License-Identifier: GPL-2.0-or-later
// CycleSchedule: the queue of pending CMD_CYCLE_CLOSE commands.
#include "server/exec/cycle_schedule.h"

#include <utility>

namespace sesame::server::exec {

Result<Ok, std::string> CycleSchedule::add(std::int64_t due_s, std::string tag, CommandSpec command) {
  if (is_full()) return fail("too many pending CMD_CYCLE_CLOSE commands (" + std::to_string(capacity_) + ")");
  pending_.emplace(due_s, PendingClose{due_s, std::move(tag), std::move(command)});
  return Ok{};
}

std::vector<PendingClose> CycleSchedule::take_due(std::int64_t now_s) {
  std::vector<PendingClose> due;
  const auto end = pending_.upper_bound(now_s);
  for (auto it = pending_.begin(); it != end; ++it) due.push_back(std::move(it->second));
  pending_.erase(pending_.begin(), end);
  return due;
}

std::vector<PendingClose> CycleSchedule::take_all() {
  std::vector<PendingClose> all;
  all.reserve(pending_.size());
  for (auto& [due_s, entry] : pending_) all.push_back(std::move(entry));
  pending_.clear();
  return all;
}

std::optional<std::int64_t> CycleSchedule::next_due_s() const {
  if (pending_.empty()) return std::nullopt;
  return pending_.begin()->first;
}

}  // namespace sesame::server::exec
