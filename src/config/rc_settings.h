// SPDX-License-Identifier: GPL-2.0-or-later
// From a parsed rc file to ClientSettings: [default], then the named stanza, each variable of client.md §3
// checked and mapped onto its field.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "config/client_settings.h"
#include "config/config_error.h"
#include "config/rc_file.h"

namespace sesame::config {

// Applies every section named "default", then every section named `stanza` (both case-insensitive), in file
// order, later lines overriding earlier ones. Only those sections are read, as fwknop reads only them; any
// unknown variable, bad value or malformed line in them is an error naming file:line, and all of them are
// returned. A key value is never echoed in a message. A `stanza` that no section has is not an error here:
// the caller checks has_stanza() (fwknop: "Named configuration stanza: [x] was not found.").
//
// Deliberate differences from fwknop 2.6.10 (docs/compat.md):
// - HMAC_KEY_FILE sets the HMAC key file (fwknop stores it as the encryption key file), and enables HMAC as
//   --get-hmac-key does;
// - a Y/N variable set to anything but Y/y is false, so "USE_HMAC N" in a stanza undoes [default]'s Y (fwknop
//   leaves the earlier Y in place);
// - ALLOW_IP in a later section replaces an earlier ALLOW_IP of any form (fwknop keeps [default]'s address
//   when the stanza says "resolve");
// - numbers are plain decimal digits: fwknop reads "abc" as 0 and "30s" as 30;
// - SPOOF_SOURCE_IP is checked here, so a bad one is reported with its line.
Result<ClientSettings, std::vector<ConfigError>> settings_from_rc(const RcFile& file,
                                                                  std::optional<std::string_view> stanza);

}  // namespace sesame::config
