// SPDX-License-Identifier: GPL-2.0-or-later
// access.conf as text (server.md §3): fwknopd's line syntax, every directive, the stanza checks. Pure: the
// %include directives are recorded for access_loader.h, which reads the files; nothing here touches the system.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config/access_stanza.h"
#include "config/config_error.h"

namespace sesame::config {

enum class IncludeKind {
  kFile,    // %include: another access file, parsed where the directive is
  kFolder,  // %include_folder: every *.conf in a directory
  kKeys,    // %include_keys: only the key variables of a file, into the open stanza
};

struct IncludeDirective {
  IncludeKind kind = IncludeKind::kFile;
  std::string path;  // as written: a relative path is relative to the working directory, as in fwknopd
  int line = 0;
  // kFile, kFolder: how many stanzas of this file come before the included ones. A stanza open at the
  // directive has begun, so it stays before them, as in fwknopd's list. kKeys: not used.
  std::size_t stanza_index = 0;
};

// What access.conf parsing takes from fwknopd.conf.
struct AccessDefaults {
  // ENABLE_IPT_FORWARDING or ENABLE_IPT_LOCAL_NAT: without either, fwknopd refuses FORCE_NAT and FORCE_SNAT.
  bool force_nat_allowed = false;
  std::string gpg_home_dir = "/root/.gnupg";  // GPG_HOME_DIR, for GPG stanzas that set none ("": none)
};

// %include_keys files the loader has read: path as written in the directive -> text (views: the texts must
// outlive the parse_access call; the loader keeps them in wiped buffers).
using KeyFileTexts = std::map<std::string, std::string_view, std::less<>>;

struct AccessFile {
  std::string file_name;
  std::vector<AccessStanza> stanzas;       // in file order, each checked and with its defaults
  std::vector<IncludeDirective> includes;  // in file order
  std::vector<ConfigError> errors;         // all of them, in line order; any error makes the file unusable
  std::vector<ConfigError> warnings;       // unknown variables, dropped stanzas, questionable values
};

// Lines: a line whose first byte is '#', ';', CR or NUL (or that is empty) is a comment; a NUL ends its line.
// Otherwise "VARIABLE value": the variable is the first blank-delimited token, cut at its last ':' (so
// `fwknopd --key-gen` output can be pasted), case-sensitive; the value runs to ';', CR or the end of the line,
// trailing blanks removed, so it may hold blanks and '#'. Each stanza begins with SOURCE; before the first
// one only %include and %include_folder count. Unknown variables are warnings. %include_keys inside a stanza
// applies the key variables of key_files[path] there (a missing entry counts as an unreadable file); if the
// stanza is then not valid, or the key file has a problem, the stanza is dropped with a warning, as fwknopd
// drops it. Values checked against the system (users, GPG_HOME_DIR) are left to the loader.
//
// Deliberate differences from fwknopd 2.6.10 (docs/compat.md):
// - a line of blanks, and a line whose first non-blank byte is '#' or ';', is blank (fwknopd: fatal error);
// - lines of any length (fwknopd cuts lines at 1023 bytes and reads the rest as a new line);
// - numbers, ports, dates and addresses must be exactly that: fwknopd's strtol/inet_aton/sscanf read "30s" as
//   30, "10.1" as 10.0.0.1, "13/01/2030" as January 2031. A comment after such a value, "30  # seconds", is
//   ignored with a warning (fwknopd ignores it too, except after a /CIDR, where it refuses or misreads the mask);
// - IPv6 addresses and networks in SOURCE and DESTINATION;
// - ACCESS_EXPIRE is local midnight also in summer time (fwknopd's mktime is told "no DST": 01:00);
// - problems in a %include_keys file drop the stanza (fwknopd uses whatever keys were read before the problem,
//   so a stanza could silently lose its HMAC key); a stanza dropped there is the open one (fwknopd drops the
//   last one in its list, which after a %include is another file's);
// - every error is reported, not only the first.
AccessFile parse_access(std::string_view file_name, std::string_view text, const AccessDefaults& defaults = {},
                        const KeyFileTexts& key_files = {});

}  // namespace sesame::config
