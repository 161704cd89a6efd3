// SPDX-License-Identifier: GPL-2.0-or-later
// ClientInvocation: one parsed `sesame` command line: the settings an rc file could also hold, plus the
// one-off actions and options that fwknop never stores in an rc file.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "config/client_settings.h"

namespace sesame::client {

struct ClientInvocation {
  config::ClientSettings settings;  // -A, -a, -D, keys, ...: override the rc file field by field

  // What to send besides an access request.
  std::optional<std::string> server_command;  // -C: a command message (type 0)
  std::optional<std::string> http_proxy;      // -H: forces -P http
  int icmp_type = 0;                          // --icmp-type (0..40)
  int icmp_code = 0;                          // --icmp-code (0..15)
  bool ipv4_only = false;                     // -4
  bool ipv6_only = false;                     // -6

  // Test mode and packet saving.
  bool test = false;                            // -T: build, print, decode again; send nothing
  std::optional<std::string> save_packet_file;  // -B
  bool save_packet_append = false;              // -b

  // Keys.
  bool key_gen = false;                        // -k
  std::optional<std::string> key_gen_file;     // -K
  std::optional<std::size_t> key_length;       // --key-len
  std::optional<std::size_t> hmac_key_length;  // --hmac-key-len
  bool key_gen_qr = false;                     // --qr: also print the keys as a terminal QR code
  std::optional<std::string> key_gen_qr_png;   // --qr-png: and/or write it as a PNG file
  bool key_gen_modern = false;                 // --modern: an X25519 key pair for modern mode instead
  bool keys_from_stdin = false;                // --stdin
  std::optional<int> keys_from_fd;             // --fd

  // rc file.
  std::optional<std::string> named_config;  // -n
  std::optional<std::string> rc_file;       // --rc-file
  bool no_rc_file = false;                  // --no-rc-file
  bool no_home_dir = false;                 // --no-home-dir
  bool save_rc_stanza = false;              // --save-rc-stanza
  bool force_stanza = false;                // --force-stanza
  bool stanza_list = false;                 // --stanza-list

  // Saved command lines.
  std::optional<std::string> save_args_file;  // -E
  bool last_cmd = false;                      // -l
  bool show_last = false;                     // --show-last

  bool version = false;  // -V
};

}  // namespace sesame::client
