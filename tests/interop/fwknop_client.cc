// SPDX-License-Identifier: GPL-2.0-or-later
// fwknop client runner: run_process in a scratch HOME, packet through -B, fields from the client's dump.
#include "fwknop_client.h"

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>

#include "support/field_dump.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"
#include "support/test_vectors.h"

namespace sesame::test {
namespace {

// Absolute paths only: the point is to run the real client, not whatever PATH finds first.
std::string fwknop_path() {
  if (const char* env = std::getenv("SESAME_FWKNOP"); env != nullptr && *env != '\0') return find_executable({env});
  return find_executable({"/usr/bin/fwknop", "/usr/local/bin/fwknop", "/bin/fwknop"});
}

// A fresh empty HOME and a minimal environment, so no SPOOF_USER, LOGNAME or GPG_AGENT_INFO of the caller leaks in.
ProcessOptions client_options(const TempDir& home, std::chrono::milliseconds timeout) {
  return {.env = std::vector<std::string>{"HOME=" + home.path(), "PATH=/usr/bin:/bin", "LC_ALL=C"}, .timeout = timeout};
}

}  // namespace

FwknopClientRun run_fwknop_client(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  const std::string fwknop = fwknop_path();
  if (fwknop.empty()) throw std::runtime_error("fwknop_client: no fwknop client installed");
  const TempDir home("sesame-fwknop");
  const std::string packet_file = home.path() + "/spa.packet";
  std::vector<std::string> argv{fwknop, "--no-rc-file", "--no-save-args", "-T", "-B", packet_file};
  argv.insert(argv.end(), args.begin(), args.end());
  const ProcessResult exited = run_process(argv, client_options(home, timeout));
  if (exited.timed_out)
    throw std::runtime_error("fwknop_client: fwknop ran longer than " + std::to_string(timeout.count()) +
                             " ms and was killed; output:\n" + exited.output);

  FwknopClientRun result;
  result.exit_status = exited.exit_status;
  result.output = exited.output;
  result.fields = parse_field_dump(exited.output);
  if (std::filesystem::exists(packet_file)) result.packet = read_file(packet_file);
  if (!result.packet.empty() && result.packet.back() == '\n') result.packet.pop_back();
  return result;
}

bool fwknop_client_available(std::string* why) {
  std::string reason;
  const std::string fwknop = fwknop_path();
  if (fwknop.empty()) {
    reason = "fwknop client not installed (or SESAME_FWKNOP not executable)";
  } else {
    // Even -V wants a HOME (it would create ~/.fwknoprc and ~/.fwknop.run without these two options).
    const TempDir home("sesame-fwknop");
    const ProcessResult version =
        run_process({fwknop, "--no-rc-file", "--no-save-args", "-V"}, client_options(home, std::chrono::seconds(5)));
    if (version.timed_out || version.output.find("fwknop client 2.6.") == std::string::npos)
      reason = "not an fwknop 2.6.x client: " + trim(version.output);
  }
  if (why != nullptr) *why = reason;
  return reason.empty();
}

}  // namespace sesame::test
