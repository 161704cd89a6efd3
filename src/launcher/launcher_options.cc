// SPDX-License-Identifier: GPL-2.0-or-later
// sesame-launcher's command line, with CLI11.
#include "launcher/launcher_options.h"

#include <iostream>

#include <CLI/CLI.hpp>

namespace sesame::launcher {

ParsedOptions parse_launcher_options(int argc, char** argv) {
  CLI::App app{
      "Watch outgoing TCP connections to the hosts and ports of rc-file stanzas and knock (run sesame -n "
      "STANZA) once per connection attempt, so the connection succeeds on its SYN retry.",
      "sesame-launcher"};
  LauncherOptions options;
  bool version = false;
  std::uint32_t interval_ms = 250;
  std::uint32_t knock_timeout_s = 30;
  app.add_option("-n,--named-config", options.stanzas,
                 "Watch this stanza (repeatable); default: every stanza with SPA_SERVER and a tcp port in ACCESS");
  app.add_option("--rc-file", options.rc_file, "rc file instead of ~/.sesamerc or ~/.fwknoprc");
  app.add_option("--client", options.client_path, "The client to run (default: sesame beside sesame-launcher)");
  app.add_option("--interval", interval_ms, "Milliseconds between two looks for SYN_SENT sockets (10-10000)")
      ->check(CLI::Range(10, 10000));
  app.add_option("--knock-timeout", knock_timeout_s, "Seconds a knock may run before it is killed (1-600)")
      ->check(CLI::Range(1, 600));
  app.add_flag("--check", options.check_only, "Print the watch list and exit");
  app.add_flag("-V,--version", version, "Print the version");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return {std::nullopt, 0};
  } catch (const CLI::ParseError& e) {
    std::cerr << "sesame-launcher: " << e.what() << " (see --help)\n";
    return {std::nullopt, 2};
  }
  if (version) {
    std::cout << "sesame-launcher 0.1.0\n";
    return {std::nullopt, 0};
  }
  options.interval = std::chrono::milliseconds(interval_ms);
  options.knock_timeout = std::chrono::seconds(knock_timeout_s);
  return {std::move(options), 0};
}

}  // namespace sesame::launcher
