// SPDX-License-Identifier: GPL-2.0-or-later
// --save-rc-stanza as text in, text out (client.md §4), and the text of a new rc file.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "config/client_settings.h"

namespace sesame::config {

struct RcSaveResult {
  std::string text;                        // the whole new rc file; holds keys, wipe it after writing
  std::vector<std::string> kept_critical;  // critical variables whose old line was kept (the user said no)
};

// Rewrites `old_text` as fwknop's update_rc does: comment and empty lines of the whole file dropped, other
// stanzas copied, and in the stanza named `stanza` (case-insensitive) every variable line replaced by one
// `%-24s    %s` line per field set in `given`, in fwknop's fixed order; a missing stanza is appended as
// "\n[stanza]\n...". `given` must hold what the command line gave, implications included (--key-hmac also
// sets use_hmac, -R resolve_ip). For each critical variable (KEY, KEY_BASE64, HMAC_KEY, HMAC_KEY_BASE64,
// GPG_RECIPIENT, GPG_SIGNER, GPG_SIGNING_PW, GPG_SIGNING_PW_BASE64) already in the stanza,
// `overwrite_critical(name)` is asked once: false keeps the old line and leaves out the new value (fwknop's
// "Overwrite [N/y] ?"; --force-stanza answers true).
//
// Fails, naming the variables but never their values, when a value could not be read back as written (empty,
// or holding a space, tab, control byte, '#' or ';'), or when `stanza` cannot be a stanza name; fwknop writes
// those anyway and a later run reads something else (or a newline in a value injects a line).
// Also unlike fwknop: the new lines are written once when several sections share the name (the later ones
// lose their variable lines as the first does); every line ends with LF; -s is saved as "ALLOW_IP source";
// TIME_OFFSET is written with a unit when its seconds exceed 65536, so that it reads back.
Result<RcSaveResult, std::string> save_rc_stanza(
    std::string_view old_text, std::string_view stanza, const ClientSettings& given,
    const std::function<bool(std::string_view variable)>& overwrite_critical);

// What a new rc file holds: comments on the syntax and an empty [default] stanza.
std::string initial_rc_file_text();

}  // namespace sesame::config
