// SPDX-License-Identifier: GPL-2.0-or-later
// The nftables rule that hands SPA packets to NFQUEUE (server.md §7 "NFQ"): fwknopd's iptables chain NFQ_CHAIN,
// jumped to from INPUT, becomes a base chain of its own hooked at input, written through libnftables.
//
// Layout: table NFQ_TABLE (created with the comment "created by sesamed" when absent), in it base chain NFQ_CHAIN
//   type filter hook input priority -150 (mangle's: before any filter chain, so a default-drop policy at priority 0
//   cannot drop the SPA packet before sesamed reads it), policy accept, holding exactly one rule
//   `udp dport NFQ_PORT [iifname "NFQ_INTERFACE"] counter queue num NFQ_QUEUE_NUMBER bypass`.
// bypass: while no process listens on the queue (sesamed not started yet, or dead without removing the rule) the
// kernel passes the packet on through the ruleset as if the rule were not there, so the host's own firewall decides
// as it would without sesame, instead of every packet to the port vanishing.
//
// NFQ_TABLE is read like NFT_TABLE ("[inet|ip|ip6] name", inet when only a name). fwknopd's default "mangle" names
// an iptables table, which means nothing to nftables: it selects sesame's own table `inet sesame_nfq`.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"
#include "config/server_config.h"

namespace sesame::server::capture {

// How the rule is written. nftables' queue expression needs CONFIG_NFT_QUEUE; some kernels only have the xtables
// NFQUEUE target, which nft cannot write but iptables(-nft) can (nfqueue_iptables_rule.h).
enum class NfqueueRuleBackend {
  kAuto,  // nftables, else iptables when the kernel lacks nftables' queue expression
  kNftables,
  kIptables,  // fwknopd's own layout
};

struct NfqueueRuleOptions {
  std::string family = "inet";            // inet (IPv4 and IPv6), ip or ip6
  std::string table = "sesame_nfq";       // NFQ_TABLE
  std::string chain = "FWKNOP_NFQ";       // NFQ_CHAIN
  std::uint16_t port = 62201;             // NFQ_PORT: UDP destination port queued
  std::string interface;                  // NFQ_INTERFACE; empty: every interface
  std::uint16_t queue_number = 1;         // NFQ_QUEUE_NUMBER
  int priority = -150;                    // the chain's priority in the input hook
  std::string iptables_table = "mangle";  // iptables backend: NFQ_TABLE when it names an iptables table
  NfqueueRuleBackend backend = NfqueueRuleBackend::kAuto;
};

// From ENABLE_NFQ_CAPTURE's variables, as described above. Names are checked by install_nfqueue_rule.
NfqueueRuleOptions nfqueue_rule_options_from(const config::ServerConfig& config);

// The nft commands install_nfqueue_rule runs when the table exists already (for logs and tests).
Result<std::string, std::string> nfqueue_rule_commands(const NfqueueRuleOptions& options);

// nftables: creates the table (if absent) and the chain (if absent), and replaces the chain's rules with the queue
// rule, in one transaction: installing again, after a crash or a SIGHUP, leaves exactly one rule and no gap. Fails
// if the chain exists but was not created by sesamed (its rules are somebody else's), or a name is not a plain nft
// name. With kAuto, when the kernel has no nftables queue expression, the iptables layout instead. Returns the
// backend that wrote the rule: pass it to remove_nfqueue_rule.
Result<NfqueueRuleBackend, std::string> install_nfqueue_rule(const NfqueueRuleOptions& options);

// Removes what install_nfqueue_rule made with `backend` (kAuto: with both): for nftables, the chain (only if sesamed
// created it), and the table too when sesamed created it and nothing else is left in it. Nothing there is not an
// error.
Result<Ok, std::string> remove_nfqueue_rule(const NfqueueRuleOptions& options, NfqueueRuleBackend backend);

}  // namespace sesame::server::capture
