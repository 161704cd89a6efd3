// SPDX-License-Identifier: GPL-2.0-or-later
// Key acquisition for the client: rc/option values, fwknop key files, and prompts.
#include "client/key_input.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

#include <string.h>  // explicit_bzero

#include "spa/base64.h"

namespace sesame::client {
namespace {

constexpr std::size_t kMaxPromptedKey = 127;
constexpr std::size_t kMaxBase64KeyBytes = 127;
constexpr std::size_t kMaxBase64HmacKeyBytes = 128;

Result<SecretBytes> decode_base64_key(const SecretBytes& text, std::size_t max_bytes, const char* what) {
  auto bytes = spa::is_base64_text(text.as_text()) ? spa::base64_decode(text.as_text()) : std::nullopt;
  if (!bytes || bytes->empty() || bytes->size() > max_bytes)
    return fail(ClientError{std::string(what) + ": not valid base64 of 1 to " + std::to_string(max_bytes) + " bytes"});
  SecretBytes key(*bytes);
  explicit_bzero(bytes->data(), bytes->size());
  return key;
}

Result<SecretBytes> key_from_file(const std::string& path, std::string_view destination,
                                  const std::function<Result<std::string>(const std::string&)>& read_file) {
  auto text = read_file(path);
  if (!text) return fail(text.error());
  auto key = find_key_in_key_file(*text, destination);
  explicit_bzero(text->data(), text->size());
  if (!key) return fail(ClientError{"Could not get key for IP: " + std::string(destination) + " from: " + path});
  return std::move(*key);
}

Result<SecretBytes> read_secret_line(int fd) {
  std::string line;
  char c = 0;
  while (true) {
    const ssize_t got = ::read(fd, &c, 1);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0 || c == '\n') break;
    if (c != '\r' && line.size() < kMaxPromptedKey) line.push_back(c);
  }
  SecretBytes secret = SecretBytes::from_text(line);
  explicit_bzero(line.data(), line.size());
  return secret;
}

}  // namespace

std::optional<SecretBytes> find_key_in_key_file(std::string_view file_text, std::string_view destination) {
  std::optional<SecretBytes> found;
  std::size_t start = 0;
  while (start < file_text.size()) {
    auto end = file_text.find('\n', start);
    if (end == std::string_view::npos) end = file_text.size();
    std::string_view line = file_text.substr(start, end - start);
    start = end + 1;
    line.remove_prefix(std::min(line.find_first_not_of(" \t="), line.size()));
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.substr(0, destination.size()) != destination || line.substr(destination.size(), 1) != ":") continue;
    std::string_view key = line.substr(destination.size() + 1);
    key.remove_prefix(std::min(key.find_first_not_of(" \t="), key.size()));
    if (!key.empty() && key.back() == '\r') key.remove_suffix(1);
    found = SecretBytes::from_text(key);  // the last matching line wins
  }
  return found;
}

Result<ClientKeys> acquire_keys(const config::ClientSettings& settings, std::string_view destination,
                                const std::function<Result<std::string>(const std::string&)>& read_file,
                                const SecretReader& ask) {
  ClientKeys keys;
  const bool gpg = settings.use_gpg.value_or(false);
  if (settings.key) {
    keys.encryption_key = settings.key->clone();
  } else if (settings.key_base64) {
    auto key = decode_base64_key(*settings.key_base64, kMaxBase64KeyBytes, "KEY_BASE64");
    if (!key) return fail(key.error());
    keys.encryption_key = std::move(*key);
  } else if (gpg && settings.gpg_signing_pw) {
    keys.encryption_key = settings.gpg_signing_pw->clone();
  } else if (gpg && settings.gpg_signing_pw_base64) {
    auto key = decode_base64_key(*settings.gpg_signing_pw_base64, kMaxBase64KeyBytes, "GPG_SIGNING_PW_BASE64");
    if (!key) return fail(key.error());
    keys.encryption_key = std::move(*key);
  } else if (settings.key_file) {
    auto key = key_from_file(*settings.key_file, destination, read_file);
    if (!key) return fail(key.error());
    keys.encryption_key = std::move(*key);
  } else if (gpg) {
    // A signing passphrase is needed only to sign, and not with gpg-agent or a key without passphrase.
    const bool needs_passphrase =
        settings.gpg_signer && !settings.use_gpg_agent.value_or(false) && !settings.gpg_no_signing_pw.value_or(false);
    if (needs_passphrase) {
      auto passphrase = ask("Enter passphrase for signing: ");
      if (!passphrase) return fail(passphrase.error());
      keys.encryption_key = std::move(*passphrase);
    }
  } else {
    auto key = ask("Enter encryption key: ");
    if (!key) return fail(key.error());
    keys.encryption_key = std::move(*key);
  }

  if (settings.hmac_key) {
    keys.hmac_key = settings.hmac_key->clone();
  } else if (settings.hmac_key_base64) {
    auto key = decode_base64_key(*settings.hmac_key_base64, kMaxBase64HmacKeyBytes, "HMAC_KEY_BASE64");
    if (!key) return fail(key.error());
    keys.hmac_key = std::move(*key);
  } else if (settings.use_hmac.value_or(false)) {
    if (settings.hmac_key_file) {
      auto key = key_from_file(*settings.hmac_key_file, destination, read_file);
      if (!key) return fail(key.error());
      keys.hmac_key = std::move(*key);
    } else {
      auto key = ask("Enter HMAC key: ");
      if (!key) return fail(key.error());
      keys.hmac_key = std::move(*key);
    }
  }
  if (!keys.hmac_key.empty() && keys.hmac_key.equals(keys.encryption_key))
    return fail(ClientError{"The encryption passphrase and HMAC key should not be identical, no SPA packet sent."});
  return keys;
}

SecretReader fd_secret_reader(int fd) {
  return [fd](std::string_view) { return read_secret_line(fd); };
}

SecretReader terminal_secret_reader() {
  return [](std::string_view prompt) -> Result<SecretBytes> {
    const int tty = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (tty < 0) return fail(ClientError{"no terminal to ask for a key: give it as an option, a key file or --stdin"});
    (void)!::write(tty, prompt.data(), prompt.size());
    termios saved{};
    const bool is_terminal = ::tcgetattr(tty, &saved) == 0;
    if (is_terminal) {
      termios quiet = saved;
      quiet.c_lflag &= ~tcflag_t(ECHO);
      ::tcsetattr(tty, TCSAFLUSH, &quiet);
    }
    auto secret = read_secret_line(tty);
    if (is_terminal) ::tcsetattr(tty, TCSAFLUSH, &saved);
    (void)!::write(tty, "\n", 1);
    ::close(tty);
    return secret;
  };
}

}  // namespace sesame::client
