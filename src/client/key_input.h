// SPDX-License-Identifier: GPL-2.0-or-later
// Where the client's keys come from, in fwknop's order (client.md §5): option or rc value, key file, prompt.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "client/client_error.h"
#include "common/secret_bytes.h"
#include "config/client_settings.h"

namespace sesame::client {

// Reads one secret line (the prompt is shown first); the terminal, --fd and --stdin each provide one.
using SecretReader = std::function<Result<SecretBytes>(std::string_view prompt)>;

// The key for `destination` in an fwknop key file (-G, --get-hmac-key): lines "<destination>: <key>", the last
// match wins, '#' and ';' lines ignored. Pure: the caller reads the file.
std::optional<SecretBytes> find_key_in_key_file(std::string_view file_text, std::string_view destination);

struct ClientKeys {
  SecretBytes encryption_key;  // empty for GPG without a signing passphrase
  SecretBytes hmac_key;        // empty without HMAC
};

// `read_file` returns a file's text or an error naming it; `ask` prompts. destination is the -D value.
Result<ClientKeys> acquire_keys(const config::ClientSettings& settings, std::string_view destination,
                                const std::function<Result<std::string>(const std::string&)>& read_file,
                                const SecretReader& ask);

// Secret readers: the controlling terminal with echo off, or a file descriptor (--fd N, --stdin = 0). Input ends
// at a newline; at most 127 characters, as fwknop.
SecretReader terminal_secret_reader();
SecretReader fd_secret_reader(int fd);

}  // namespace sesame::client
