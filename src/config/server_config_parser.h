// SPDX-License-Identifier: GPL-2.0-or-later
// fwknopd.conf as text (server.md §2): the line syntax, then the meaning of each variable applied to a
// ServerConfig with fwknopd's rules. No I/O: server_config_loader.h reads the files.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config_error.h"
#include "config/server_config.h"

namespace sesame::config {

struct ServerConfigEntry {
  std::string variable;  // case kept: names are case-sensitive
  std::string value;     // never empty; not yet $-expanded
  int line = 0;
};

struct ServerConfigFile {
  std::string file_name;
  std::vector<ServerConfigEntry> entries;  // in file order
  std::vector<ConfigError> errors;         // lines that are not "VARIABLE value", in file order
};

// Line syntax, as fwknopd's parse_config_file: a line whose first byte is '#', ';', CR or NUL is a comment;
// so is a line of blanks or one whose first non-blank is '#' or ';' (fwknopd ignores those too, with a log
// line). Any other line is "VARIABLE value": the variable is the first blank-delimited token, the value the
// rest after blanks, up to ';', CR or LF, with trailing blanks removed (fwknopd 2.6.11); it may hold blanks and
// '#'. A NUL byte ends its line. Never fails: problems are in `errors`.
ServerConfigFile parse_server_config(std::string_view file_name, std::string_view text);

// Applies `file`'s entries to `config` in order, as fwknopd does file after file: a value starting with $NAME
// (NAME in [A-Z_]) begins with the text of variable NAME if NAME was set before (by an earlier line or file,
// or by the loader: CONFIG_FILE, OVERRIDE_CONFIG), once and only as a prefix; booleans are yes when their first
// character is Y or y; integers are range-checked. Errors (a bad value, an unset $NAME) name file:line and the
// variable, and leave that variable as it was. Returns the warnings: unknown variables (fwknopd logs and
// ignores them), variables fwknopd accepts but never uses, booleans that are neither Y… nor N…, text after a
// number.
std::vector<ConfigError> apply_server_config(ServerConfig& config, const ServerConfigFile& file,
                                             std::vector<ConfigError>& errors);

// Sets one variable as fwknopd's command-line options do (-a ACCESS_FILE, -i PCAP_INTF, -P PCAP_FILTER,
// -d DIGEST_FILE, -p FWKNOP_PID_FILE, -r FWKNOP_RUN_DIR, -l LOCALE, --pcap-file, --access-folder, ...): the
// same value rules as a file line, no $NAME expansion. `option` ("-i") names the source in errors. Returns
// whether it was set.
bool set_server_variable(ServerConfig& config, std::string_view variable, std::string_view value,
                         std::string_view option, std::vector<ConfigError>& errors);

// The checks fwknopd makes once every file and option is in (validate_options): SNAT_TRANSLATE_IP is an IPv4
// address when ENABLE_IPT_SNAT or ENABLE_FIREWD_SNAT is Y; the ipfw active and expire sets differ when both are
// non-zero. And sesame's: NFT_TABLE, NFT_INPUT_CHAIN and NFT_FORWARD_CHAIN are names nft takes unquoted.
// Errors name where the variable was set.
void check_server_config(const ServerConfig& config, std::vector<ConfigError>& errors);

// NFT_TABLE's "family name" split in two; a lone name is in family inet. Blanks between are skipped.
std::pair<std::string_view, std::string_view> split_nft_table(std::string_view text);

// Every variable sesame reads from fwknopd.conf, in -D order: fwknopd 2.6.10's order for Debian's build
// (iptables, no libnetfilter_queue), then those that build does not know.
std::span<const std::string_view> server_variable_names();

// A variable's value as fwknopd shows it with -D: the text it was set to, else its default; nullopt when it is
// unset (or not a variable).
std::optional<std::string> server_variable_text(const ServerConfig& config, std::string_view variable);

}  // namespace sesame::config
