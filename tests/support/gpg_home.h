// SPDX-License-Identifier: GPL-2.0-or-later
// A scratch GNUPGHOME holding the throw-away test keys of tests/data, for tests that need a keyring.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace sesame::test {

// The keys of tests/data/gpg-test-keys.asc (no passphrases).
constexpr const char* kGpgServerKeyId = "F862FB0D163B9669";
constexpr const char* kGpgServerFingerprint = "438089F867685A04E0A77023F862FB0D163B9669";
constexpr const char* kGpgSignerKeyId = "355B5617CB817768";
constexpr const char* kGpgSignerFingerprint = "1A2AB68545B3FAE13CFFA7CC355B5617CB817768";
constexpr const char* kGpgSignerShortId = "CB817768";  // fwknop's signature ID: last 8 hex digits

enum class GpgKeys {
  kNone,      // an empty keyring
  kImported,  // both test keys, no owner trust: a signature by the signer is present but not good (validity 1)
  kTrusted,   // both test keys, ultimately trusted: signatures by the signer are good, as fwknopd requires
};

// A private (0700) GnuPG home with the test keys as `keys` says. Its gpg-agent caches no passphrase, so a wrong
// passphrase fails even after the right one was used. The destructor stops the gpg-agent that gpg starts for
// this home and removes the directory. The constructor throws std::runtime_error, with gpg's output, if the home
// cannot be set up.
class GpgHome {
 public:
  explicit GpgHome(GpgKeys keys = GpgKeys::kTrusted);
  ~GpgHome();
  GpgHome(const GpgHome&) = delete;
  GpgHome& operator=(const GpgHome&) = delete;

  const std::string& path() const { return dir_.path(); }
  // `gpg --batch --yes --homedir HOME args...`.
  ProcessResult gpg(const std::vector<std::string>& args) const;

 private:
  void stop_agent() const;

  TempDir dir_;
};

// A fixture whose test suite shares one trusted GpgHome (one gpg-agent, not one per test):
// `using MySuite = SharedGpgHome<MyFixture>;`, then `home()` in its tests.
template <class Base = ::testing::Test>
class SharedGpgHome : public Base {
 protected:
  static void SetUpTestSuite() { home_ = std::make_unique<GpgHome>(); }
  static void TearDownTestSuite() { home_.reset(); }
  static const std::string& home() { return home_->path(); }

 private:
  static inline std::unique_ptr<GpgHome> home_;
};

}  // namespace sesame::test
