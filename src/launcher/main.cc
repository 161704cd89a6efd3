// SPDX-License-Identifier: GPL-2.0-or-later
// sesame-launcher: knock with the matching rc-file stanza whenever a program on this host starts a TCP connection
// to a protected (address, port), so that the connection gets through on its SYN retry. docs/launcher.md.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include "config/rc_loader.h"
#include "launcher/knock_runner.h"
#include "launcher/launcher.h"
#include "launcher/launcher_options.h"
#include "launcher/syn_sent_monitor.h"
#include "launcher/watch_list.h"

namespace {

using namespace sesame;
using namespace sesame::launcher;

// `sesame` in the directory of this executable: installed side by side (/usr/bin), or both in one build tree.
std::string default_client_path() {
  std::error_code error;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return "sesame";
  return (self.parent_path() / "sesame").string();
}

int launch(const LauncherOptions& options) {
  const char* home = std::getenv("HOME");
  const auto rc_path = config::find_rc_file(
      {.rc_file = options.rc_file, .home_dir = home ? std::optional<std::string>(home) : std::nullopt});
  if (!rc_path) {
    std::cerr << "sesame-launcher: " << rc_path.error() << '\n';
    return 1;
  }
  // kFail: a launcher has nothing to knock with in a fresh, empty rc file, so it does not create one.
  const auto rc = config::load_rc_file(*rc_path, config::IfRcFileMissing::kFail);
  if (!rc) {
    std::cerr << "sesame-launcher: " << rc.error() << '\n';
    return 1;
  }
  for (const auto& warning : rc->warnings) std::cerr << "sesame-launcher: warning: " << warning << '\n';
  const auto watch_list = build_watch_list(rc->file, options.stanzas);
  if (!watch_list) {
    for (const auto& error : watch_list.error()) std::cerr << "sesame-launcher: " << error.to_string() << '\n';
    return 1;
  }
  for (const auto& warning : watch_list->warnings) std::cerr << "sesame-launcher: warning: " << warning << '\n';

  const std::string client = options.client_path.value_or(default_client_path());
  if (::access(client.c_str(), X_OK) != 0) {
    std::cerr << "sesame-launcher: --client: " << client << " is not an executable file\n";
    return 1;
  }
  for (const auto& entry : watch_list->entries)
    std::cout << "sesame-launcher: watching " << to_string(entry.destination) << " for [" << entry.stanza << "]\n";
  if (options.check_only) return 0;

  auto monitor = SynSentMonitor::open();
  if (!monitor) {
    std::cerr << "sesame-launcher: " << monitor.error() << '\n';
    return 1;
  }
  // Absolute, so the client finds the same file whatever its working directory.
  const std::string rc_file = std::filesystem::absolute(*rc_path).string();
  KnockRunner runner(client, rc_file, options.knock_timeout);
  std::cout << "sesame-launcher: ready: " << rc_file << ", client " << client << ", a look every "
            << options.interval.count() << " ms" << std::endl;
  Launcher launcher(std::move(watch_list).value(), std::move(monitor).value(), runner, options.interval, std::cout);
  return launcher.run();
}

}  // namespace

int main(int argc, char** argv) {
  // Before any child exists, so that no SIGCHLD, SIGINT or SIGTERM is lost before the loop's signalfd.
  block_launcher_signals();
  const ParsedOptions parsed = parse_launcher_options(argc, argv);
  if (!parsed.options) return parsed.exit_status;
  return launch(*parsed.options);
}
