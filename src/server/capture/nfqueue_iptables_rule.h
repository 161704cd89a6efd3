// SPDX-License-Identifier: GPL-2.0-or-later
// The NFQUEUE rule as fwknopd writes it (server.md §7 "NFQ"), through iptables and ip6tables: chain NFQ_CHAIN in
// iptables table NFQ_TABLE, jumped to from INPUT position 1, holding
// `-p udp -m udp --dport NFQ_PORT [-i NFQ_INTERFACE] -j NFQUEUE --queue-num NFQ_QUEUE_NUMBER --queue-bypass`.
// The fallback for kernels built without nftables' queue expression (CONFIG_NFT_QUEUE) but with the xtables
// NFQUEUE target; runs the commands at start and at exit only, never on the packet path.
#pragma once

#include <string>

#include "common/result.h"
#include "server/capture/nfqueue_rule.h"

namespace sesame::server::capture {

// Flushes and refills the chain (created if absent) and adds the jump unless it is there: idempotent. IPv4 for
// family ip, IPv6 for ip6, both for inet. Uses options.iptables_table, chain, port, interface and queue_number.
Result<Ok, std::string> install_nfqueue_iptables_rule(const NfqueueRuleOptions& options);

// Removes every jump to the chain from INPUT, then the chain. Nothing there is not an error.
Result<Ok, std::string> remove_nfqueue_iptables_rule(const NfqueueRuleOptions& options);

}  // namespace sesame::server::capture
