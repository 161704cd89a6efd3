// SPDX-License-Identifier: GPL-2.0-or-later
// The access stanzas as `sesamed -D` prints them: fwknopd's dump_access_list (server/access.c) line for line,
// so that scripts reading `fwknopd -D` read this too. Keys are never printed.
#pragma once

#include <span>
#include <string>

#include "config/access_stanza.h"

namespace sesame::config {

// "Current fwknopd access settings:" and one block per stanza, numbered from 1, each key shown as
// "<see the access.conf file>", ACCESS_EXPIRE in local time as asctime() writes it, HMAC_DIGEST_TYPE as fwknop's
// number (0: none). One difference: FORCE_SNAT (ip) of a FORCE_MASQUERADE stanza without FORCE_SNAT is
// "<not set>" (fwknopd prints a null pointer: "(null)"). With no stanza, the text fwknopd prints on stderr.
std::string dump_access_stanzas(std::span<const AccessStanza> stanzas);

}  // namespace sesame::config
