// SPDX-License-Identifier: GPL-2.0-or-later
// GpgHome: TempDir + `gpg --import` + `gpg --import-ownertrust`, torn down with `gpgconf --kill all`.
#include "support/gpg_home.h"

#include <stdexcept>

#include "support/test_vectors.h"

namespace sesame::test {

GpgHome::GpgHome(GpgKeys keys) : dir_("sesame-gpghome") {
  dir_.write_file("gpg-agent.conf", "allow-loopback-pinentry\ndefault-cache-ttl 0\nmax-cache-ttl 0\n");
  if (keys == GpgKeys::kNone) return;
  ProcessResult step = gpg({"--import", data_path("gpg-test-keys.asc")});
  if (step.succeeded() && keys == GpgKeys::kTrusted) {
    // gpg reads the owner trust from stdin when no file is named.
    const ProcessOptions trust{.stdin_text =
                                   std::string(kGpgServerFingerprint) + ":6:\n" + kGpgSignerFingerprint + ":6:\n"};
    step = run_process({"gpg", "--batch", "--yes", "--homedir", path(), "--import-ownertrust"}, trust);
  }
  if (!step.succeeded()) {
    stop_agent();  // a throwing constructor runs no destructor; dir_ still goes
    throw std::runtime_error("GpgHome: cannot set up " + path() + ":\n" + step.output);
  }
}

GpgHome::~GpgHome() {
  stop_agent();
}

ProcessResult GpgHome::gpg(const std::vector<std::string>& args) const {
  std::vector<std::string> argv{"gpg", "--batch", "--yes", "--homedir", path()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, {.timeout = std::chrono::seconds(60)});
}

// Each GnuPG home gets its own gpg-agent, which outlives every gpg that started it.
void GpgHome::stop_agent() const {
  try {
    run_process({"gpgconf", "--homedir", path(), "--kill", "all"});
  } catch (const std::exception&) {
    // No gpgconf: then no agent either.
  }
}

}  // namespace sesame::test
