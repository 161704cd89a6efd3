// SPDX-License-Identifier: GPL-2.0-or-later
// The client's rc file on disk: which file, reading it (creating it on first use, as fwknop does), checking
// its mode and owner, and writing it back for --save-rc-stanza. The only part of the rc support that does I/O;
// nothing here prints: messages and warnings are returned for the caller to show.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "config/client_settings.h"
#include "config/rc_file.h"

namespace sesame::config {

struct RcFileLookup {
  std::optional<std::string> rc_file{};   // --rc-file
  std::optional<std::string> home_dir{};  // $HOME, nullopt when unset
  bool no_home_dir = false;               // --no-home-dir: then --rc-file is required
};

// --rc-file if given; else $HOME/.sesamerc; else $HOME/.fwknoprc if that one exists (an fwknop user's file is
// used, and updated, in place); else $HOME/.sesamerc, which load_rc_file then creates.
Result<std::string, std::string> find_rc_file(const RcFileLookup& lookup);

enum class IfRcFileMissing { kCreate, kFail };

struct LoadedRcFile {
  std::string path;
  RcFile file;
  std::vector<std::string> messages;  // "[*] Creating initial rc file: <path>." (fwknop prints it on stdout)
  std::vector<std::string> warnings;  // mode not 0600, not owned by the user, not a regular file, cannot create
};

// Reads and parses `path`. A missing file is created (kCreate: O_CREAT|O_EXCL, mode 0600, with
// initial_rc_file_text()) or is an error (kFail, e.g. for --stanza-list). If it cannot be created the result
// is an empty file and a warning, as fwknop goes on without one. Errors: the file cannot be read, is a
// directory, or is larger than 16 MiB.
Result<LoadedRcFile, std::string> load_rc_file(const std::string& path, IfRcFileMissing if_missing);

// Replaces the contents of `path` with `text`: written to "<path>.updated" (O_EXCL, mode 0600), flushed, then
// renamed over the file. When `path` is a symbolic link its target is updated and the link kept.
Result<Ok, std::string> write_rc_file(const std::string& path, std::string_view text);

// --save-rc-stanza on a file: reads `path` (a missing one counts as empty), save_rc_stanza(), write_rc_file().
// Returns the critical variables whose old lines were kept.
Result<std::vector<std::string>, std::string> save_rc_stanza_to_file(
    const std::string& path, std::string_view stanza, const ClientSettings& given,
    const std::function<bool(std::string_view variable)>& overwrite_critical);

}  // namespace sesame::config
