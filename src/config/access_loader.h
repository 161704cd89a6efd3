// SPDX-License-Identifier: GPL-2.0-or-later
// access.conf on disk (server.md §3): the -a file or the --access-folder, %include, %include_folder and
// %include_keys, file type, mode and owner, and the values checked against the system (users, groups,
// GPG_HOME_DIR). The only part of the access.conf support that does I/O; it prints nothing.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "config/access_parser.h"
#include "config/access_stanza.h"
#include "config/config_error.h"

namespace sesame::config {

struct AccessConfig {
  // In fwknopd's order: each file's stanzas, with an included file's stanzas where its directive is.
  std::vector<AccessStanza> stanzas;
  // Mode/owner warnings (line 0), then the parser's and the loader's, file by file.
  std::vector<ConfigError> warnings;
};

struct AccessLoadOptions {
  std::string access_file = "/etc/fwknop/access.conf";  // -a, ACCESS_FILE
  std::string access_folder{};                          // --access-folder, ACCESS_FOLDER: when set, used instead
  AccessDefaults defaults{};                            // from fwknopd.conf
};

// Reads and checks everything; the result is all valid or nothing: any error anywhere fails the load, and
// every error found is returned, each with its file:line (line 0: the file as a whole).
//
// - A file must be a regular file once symbolic links are followed, of at most 16 MiB; a mode other than 0600
//   and an owner other than the effective user are warnings, as in fwknopd.
// - %include nests at most 3 files deep (the -a file is the first): deeper is the error "Refusing to go deeper
//   than 3 levels", as in fwknopd. %include_folder counts the same way (fwknopd does not count it, so a folder
//   that includes itself recurses until the stack overflows).
// - A folder (--access-folder, %include_folder) contributes every regular file whose name ends in ".conf", in
//   name order. fwknopd takes readdir's order, which depends on the file system, and every name whose last '.'
//   starts ".conf" ("a.conf~", "a.config"): those are skipped here with a warning.
// - %include_keys files get the same checks; one that cannot be read drops its stanza with a warning, as
//   fwknopd drops it.
// - At least one stanza must remain. fwknopd also insists on a stanza in the first file an --access-folder
//   yields; here any file may hold them.
// - CMD_EXEC_USER / CMD_SUDO_EXEC_USER must be users and CMD_EXEC_GROUP / CMD_SUDO_EXEC_GROUP groups (fwknopd
//   looks groups up as user names and uses their primary group; a name that is only a user still works here),
//   and a stanza's own GPG_HOME_DIR must be a directory.
Result<AccessConfig, std::vector<ConfigError>> load_access_config(const AccessLoadOptions& options);

}  // namespace sesame::config
