// SPDX-License-Identifier: GPL-2.0-or-later
// The libsesame keys of an access stanza, and one PacketCodec per stanza, keyed once at load.
#pragma once

#include "config/access_stanza.h"
#include "spa/error.h"
#include "spa/keys.h"
#include "spa/modern_codec.h"
#include "spa/packet_codec.h"

namespace sesame::server {

// Rijndael stanzas decrypt with KEY and the stanza's mode; GPG stanzas with the stanza's home dir and
// passphrase. HMAC_KEY makes the HMAC mandatory, as in fwknopd.
spa::Keys stanza_keys(const config::AccessStanza& stanza);

spa::Result<spa::PacketCodec> make_stanza_codec(const config::AccessStanza& stanza);

// Modern mode: the stanza's server private key with its client's public key (only for uses_modern() stanzas).
spa::Result<spa::ModernCodec> make_stanza_modern_codec(const config::AccessStanza& stanza);

}  // namespace sesame::server
