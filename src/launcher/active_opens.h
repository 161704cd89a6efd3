// SPDX-License-Identifier: GPL-2.0-or-later
// ActiveOpens: the kernel's count of connect()s that sent a SYN in this network namespace (/proc/net/snmp, "Tcp:"
// ActiveOpens, incremented as a socket enters SYN_SENT). Reading it costs ~0.16 ms where a sock_diag dump walks the
// whole TCP established hash table (~2 ms per family with 262144 buckets), so the launcher dumps only when the
// count moved: an idle host costs next to nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/unique_fd.h"

namespace sesame::launcher {

// The ActiveOpens value from /proc/net/snmp text (a "Tcp:" header line naming the columns, then a "Tcp:" line of
// values); nullopt when the text has no such pair of lines or the column.
std::optional<std::uint64_t> parse_active_opens(std::string_view snmp_text);

class ActiveOpens {
 public:
  // Opens /proc/net/snmp (of the calling thread's network namespace) once; unusable when it cannot.
  ActiveOpens();

  // Whether a connect() may have happened since the last call: true when the count changed, on the first call,
  // and whenever the file cannot be read or parsed (then every look dumps, as without this gate).
  bool changed();
  // Makes the next changed() true: the look that followed a change failed, so the next one must not be skipped.
  void forget() { last_.reset(); }

 private:
  UniqueFd fd_;
  std::optional<std::uint64_t> last_;
};

}  // namespace sesame::launcher
