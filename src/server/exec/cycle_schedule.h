// SPDX-License-Identifier: GPL-2.0-or-later
// CycleSchedule: the CMD_CYCLE_CLOSE commands waiting for their time (server.md §6), run from the main loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "server/exec/command_spec.h"

namespace sesame::server::exec {

struct PendingClose {
  std::int64_t due_s = 0;  // epoch seconds
  std::string tag;         // for the log: "[ip] (stanza #N)"
  CommandSpec command;
};

class CycleSchedule {
 public:
  // Bounded: each entry needs an authenticated packet, but an authorised client could still knock in a loop.
  static constexpr std::size_t kDefaultCapacity = 65536;

  explicit CycleSchedule(std::size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

  // Fails when full. The daemon checks is_full() before it runs CMD_CYCLE_OPEN, so that a port is never opened
  // without its close queued.
  Result<Ok, std::string> add(std::int64_t due_s, std::string tag, CommandSpec command);

  // Every entry due at or before now_s, earliest first, entries due at the same second in the order added (as
  // fwknopd walks its list).
  std::vector<PendingClose> take_due(std::int64_t now_s);
  // Everything, in due order: for a shutdown that chooses to close what is open (fwknopd drops them).
  std::vector<PendingClose> take_all();

  std::optional<std::int64_t> next_due_s() const;  // for the main loop's wait timeout
  std::size_t size() const { return pending_.size(); }
  bool is_full() const { return pending_.size() >= capacity_; }

 private:
  std::size_t capacity_;
  std::multimap<std::int64_t, PendingClose> pending_;  // equal keys keep insertion order
};

}  // namespace sesame::server::exec
