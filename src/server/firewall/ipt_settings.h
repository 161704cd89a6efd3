// SPDX-License-Identifier: GPL-2.0-or-later
// IptSettings: the fwknopd.conf variables that shape iptables rules (server.md §2, §8.1). fwknopd's iptables and
// firewalld builds read the same settings under two prefixes (IPT_*, FIREWD_*); both become this struct.
#pragma once

#include <string>

#include "config/server_config.h"

namespace sesame::server::firewall {

struct IptSettings {
  config::ChainAccess input_access;
  config::ChainAccess output_access;
  config::ChainAccess forward_access;
  config::ChainAccess dnat_access;
  config::ChainAccess snat_access;
  config::ChainAccess masquerade_access;
  bool enable_output = false;      // ENABLE_IPT_OUTPUT: a matching OUTPUT accept for each input grant
  bool enable_forwarding = false;  // ENABLE_IPT_FORWARDING: NAT access (types 2/4, FORCE_NAT)
  bool enable_local_nat = false;   // ENABLE_IPT_LOCAL_NAT: local NAT (types 5/6)
  bool enable_snat = false;        // ENABLE_IPT_SNAT: SNAT (or MASQUERADE) forwarded NAT connections
  std::string snat_translate_ip;   // SNAT_TRANSLATE_IP; empty: MASQUERADE
  bool flush_at_init = true;
  bool flush_at_exit = true;
  bool comment_check = true;  // ENABLE_IPT_COMMENT_CHECK: refuse to start when the comment match is missing
  bool enable_destination_rule = false;
  bool enable_rule_prepend = false;  // -I instead of -A
  bool enable_nat_dns = true;

  bool has_nat() const { return enable_forwarding || enable_local_nat; }
};

inline IptSettings ipt_settings_from(const config::ServerConfig& config) {
  IptSettings settings;
  settings.input_access = config.ipt_input_access;
  settings.output_access = config.ipt_output_access;
  settings.forward_access = config.ipt_forward_access;
  settings.dnat_access = config.ipt_dnat_access;
  settings.snat_access = config.ipt_snat_access;
  settings.masquerade_access = config.ipt_masquerade_access;
  settings.enable_output = config.enable_ipt_output;
  settings.enable_forwarding = config.enable_ipt_forwarding;
  settings.enable_local_nat = config.enable_ipt_local_nat;
  settings.enable_snat = config.enable_ipt_snat;
  settings.snat_translate_ip = config.snat_translate_ip.value_or("");
  settings.flush_at_init = config.flush_ipt_at_init;
  settings.flush_at_exit = config.flush_ipt_at_exit;
  settings.comment_check = config.enable_ipt_comment_check;
  settings.enable_destination_rule = config.enable_destination_rule;
  settings.enable_rule_prepend = config.enable_rule_prepend;
  settings.enable_nat_dns = config.enable_nat_dns;
  return settings;
}

// fwknopd's firewalld build: the same rules, its FIREWD_* variables.
inline IptSettings firewalld_settings_from(const config::ServerConfig& config) {
  IptSettings settings = ipt_settings_from(config);
  settings.input_access = config.firewd_input_access;
  settings.output_access = config.firewd_output_access;
  settings.forward_access = config.firewd_forward_access;
  settings.dnat_access = config.firewd_dnat_access;
  settings.snat_access = config.firewd_snat_access;
  settings.masquerade_access = config.firewd_masquerade_access;
  settings.enable_output = config.enable_firewd_output;
  settings.enable_forwarding = config.enable_firewd_forwarding;
  settings.enable_local_nat = config.enable_firewd_local_nat;
  settings.enable_snat = config.enable_firewd_snat;
  settings.flush_at_init = config.flush_firewd_at_init;
  settings.flush_at_exit = config.flush_firewd_at_exit;
  settings.comment_check = config.enable_firewd_comment_check;
  return settings;
}

}  // namespace sesame::server::firewall
