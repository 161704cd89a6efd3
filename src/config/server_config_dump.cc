// SPDX-License-Identifier: GPL-2.0-or-later
// The -D listing of the server config (fwknopd's dump_config, server/config_init.c).
#include "config/server_config_dump.h"

#include "config/server_config_parser.h"

namespace sesame::config {

std::string dump_server_config(const ServerConfig& config) {
  std::string out = "Current fwknopd config settings:\n";
  const auto names = server_variable_names();
  for (std::size_t i = 0; i < names.size(); ++i) {
    // fwknopd's printf("%3i. %-28s =  '%s'"), built by hand so that no value is ever cut.
    std::string number = std::to_string(i);
    if (number.size() < 3) number.insert(0, 3 - number.size(), ' ');
    out += number + ". ";
    out += names[i];
    if (names[i].size() < 28) out.append(28 - names[i].size(), ' ');
    out += " =  '";
    out += server_variable_text(config, names[i]).value_or("<not set>");
    out += "'\n";
  }
  out += "\n";
  return out;
}

}  // namespace sesame::config
