// SPDX-License-Identifier: GPL-2.0-or-later
// A scratch GNUPGHOME holding the throw-away test keys of tests/data, for tests that need a keyring.
#pragma once

#include <string>

namespace sesame::test {

// The keys of tests/data/gpg-test-keys.asc (no passphrases).
constexpr const char* kGpgServerKeyId = "F862FB0D163B9669";
constexpr const char* kGpgServerFingerprint = "438089F867685A04E0A77023F862FB0D163B9669";
constexpr const char* kGpgSignerKeyId = "355B5617CB817768";
constexpr const char* kGpgSignerFingerprint = "1A2AB68545B3FAE13CFFA7CC355B5617CB817768";
constexpr const char* kGpgSignerShortId = "CB817768";  // fwknop's signature ID: last 8 hex digits

// A private (0700) GnuPG home with both test keys imported and ultimately trusted, so that signatures by the
// signer key are valid (fwknopd only accepts a signature from a trusted key). The destructor stops the
// gpg-agent that gpg starts for this home and removes the directory. The constructor throws
// std::runtime_error, with gpg's output, if the home cannot be set up.
class GpgHome {
 public:
  GpgHome();
  ~GpgHome();
  GpgHome(const GpgHome&) = delete;
  GpgHome& operator=(const GpgHome&) = delete;

  const std::string& path() const { return path_; }

 private:
  void remove();

  std::string path_;
};

}  // namespace sesame::test
