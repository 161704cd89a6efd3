// SPDX-License-Identifier: GPL-2.0-or-later
// A private scratch directory for a test, removed with everything in it when the object goes.
#pragma once

#include <string>
#include <string_view>

namespace sesame::test {

class TempDir {
 public:
  // mkdtemp(3) under $TMPDIR (or /tmp) as `<prefix>-XXXXXX`, mode 0700. Throws std::runtime_error on failure.
  explicit TempDir(std::string_view prefix = "sesame-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // Writes `content` to `name` in this directory, mode 0600 (fwknopd wants its config files private); returns the
  // file's path. Throws std::runtime_error on failure.
  std::string write_file(std::string_view name, std::string_view content) const;

 private:
  std::string path_;
};

}  // namespace sesame::test
