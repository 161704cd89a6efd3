// SPDX-License-Identifier: GPL-2.0-or-later
// sesame-inspect: decode one SPA packet with given keys and print every field, or say in one line why it fails.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "spa/base64.h"
#include "spa/field_dump.h"
#include "spa/packet_codec.h"

namespace {

using namespace sesame;

struct InspectOptions {
  std::string packet_file;
  std::optional<std::string> key_text;
  std::optional<std::string> key_base64;
  std::optional<std::string> hmac_key_text;
  std::optional<std::string> hmac_key_base64;
  std::optional<std::string> digest_type;
  std::optional<std::string> hmac_type;
  std::optional<std::string> mode;
  std::optional<std::string> gpg_home_dir;
  std::optional<std::string> gpg_decrypt_id;
  std::optional<std::string> gpg_decrypt_pw;
  bool gpg_allow_no_pw = false;
};

// A usage problem: one line, exit status 2.
struct UsageError {
  std::string message;
};

SecretBytes key_option(const std::optional<std::string>& text, const std::optional<std::string>& base64,
                       const char* base64_option) {
  if (text) return SecretBytes::from_text(*text);
  if (!base64) return {};
  const auto bytes = spa::is_base64_text(*base64) ? spa::base64_decode(*base64) : std::nullopt;
  if (!bytes || bytes->empty()) throw UsageError{std::string(base64_option) + ": not valid base64"};
  return SecretBytes(*bytes);
}

spa::Keys keys_from(const InspectOptions& options) {
  spa::Keys keys;
  const bool gpg_requested = options.gpg_home_dir || options.gpg_decrypt_id || options.gpg_decrypt_pw ||
                             options.gpg_allow_no_pw;
  const bool rijndael_key = options.key_text || options.key_base64;
  if (options.mode) {
    if (spa::parse_encryption_mode_name(*options.mode)) {
      keys.mode = *spa::parse_encryption_mode_name(*options.mode);
    } else if (*options.mode == "asymmetric" || *options.mode == "Asymmetric") {
      keys.encryption_type = spa::EncryptionType::kGpg;
    } else {
      throw UsageError{"--encryption-mode: \"" + *options.mode + "\" is not one of cbc, ecb, cfb, ofb, ctr, legacy"};
    }
  }
  if (gpg_requested && !rijndael_key) keys.encryption_type = spa::EncryptionType::kGpg;
  if (keys.encryption_type == spa::EncryptionType::kGpg) {
    keys.mode = spa::EncryptionMode::kAsymmetric;
    keys.gpg_decrypt.home_dir = options.gpg_home_dir.value_or("");
    if (options.gpg_decrypt_pw) keys.gpg_decrypt.passphrase = SecretBytes::from_text(*options.gpg_decrypt_pw);
    keys.gpg_decrypt.allow_no_passphrase = options.gpg_allow_no_pw || !options.gpg_decrypt_pw;
  } else {
    keys.encryption_key = key_option(options.key_text, options.key_base64, "--key-base64-rijndael");
    if (keys.encryption_key.empty())
      throw UsageError{"no key: give --key-rijndael or --key-base64-rijndael (or GPG options)"};
  }
  keys.hmac_key = key_option(options.hmac_key_text, options.hmac_key_base64, "--key-base64-hmac");
  if (options.hmac_type) {
    const auto type = spa::parse_digest_name(*options.hmac_type);
    if (!type) throw UsageError{"--hmac-digest-type: \"" + *options.hmac_type + "\" is not a digest type"};
    if (!keys.uses_hmac()) throw UsageError{"--hmac-digest-type needs --key-hmac or --key-base64-hmac"};
    keys.hmac_type = *type;
  }
  return keys;
}

std::string read_packet(const std::string& file) {
  std::string text;
  if (file == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), {});
  } else {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw UsageError{file + ": cannot read"};
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  // `fwknop -B` ends the saved packet with a newline; no packet contains whitespace.
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  return text;
}

int inspect(const InspectOptions& options) {
  const spa::Keys keys = keys_from(options);
  if (options.digest_type && !spa::parse_digest_name(*options.digest_type))
    throw UsageError{"--digest-type: \"" + *options.digest_type + "\" is not a digest type"};
  const std::string wire = read_packet(options.packet_file);
  const auto packet = spa::decode(wire, keys);
  if (!packet) {
    std::string reason = packet.error().to_string();
    const auto code = packet.error().code;
    const bool looks_like_hmac_left_on = code == spa::ErrorCode::kDecryptionFailed ||
                                         code == spa::ErrorCode::kNotPrintable ||
                                         code == spa::ErrorCode::kBadCipherLength;
    if (looks_like_hmac_left_on && !keys.uses_hmac() && keys.encryption_type == spa::EncryptionType::kRijndael)
      reason += " (if the packet carries an HMAC, give --key-hmac or --key-base64-hmac)";
    std::cerr << "sesame-inspect: " << options.packet_file << ": " << reason << '\n';
    return 1;
  }
  std::cout << spa::format_field_dump(*packet, keys, wire);
  if (options.digest_type && spa::parse_digest_name(*options.digest_type) != packet->message.digest_type)
    std::cout << "note: the inner digest is " << spa::digest_name(packet->message.digest_type)
              << ", not the --digest-type given (receivers infer it from its length)\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Decode an fwknop/sesame SPA packet and print its fields, or say why it is rejected.",
               "sesame-inspect"};
  InspectOptions options;
  app.add_option("packet", options.packet_file, "File holding the packet as `fwknop -B` saves it, or - for stdin")
      ->required();
  auto* keys = "Keys (fwknop's option names)";
  app.add_option("--key-rijndael", options.key_text, "Rijndael key as text")->group(keys);
  app.add_option("--key-base64-rijndael", options.key_base64, "Rijndael key, base64")->group(keys);
  app.add_option("--key-hmac", options.hmac_key_text, "HMAC key as text")->group(keys);
  app.add_option("--key-base64-hmac", options.hmac_key_base64, "HMAC key, base64")->group(keys);
  auto* modes = "Algorithms";
  app.add_option("-m,--digest-type", options.digest_type, "Expected inner digest type (it is inferred anyway)")
      ->group(modes);
  app.add_option("--hmac-digest-type", options.hmac_type, "HMAC type: md5 sha1 sha256 (default) sha384 sha512 "
                                                          "sha3_256 sha3_512")
      ->group(modes);
  app.add_option("-M,--encryption-mode", options.mode, "cbc (default) ecb cfb ofb ctr legacy asymmetric")
      ->group(modes);
  auto* gpg = "GnuPG";
  app.add_option("--gpg-home-dir", options.gpg_home_dir, "GnuPG home directory with the decryption key")->group(gpg);
  app.add_option("--gpg-decrypt-id", options.gpg_decrypt_id, "Accepted for fwknop compatibility; the keyring's "
                                                             "matching secret key is used")
      ->group(gpg);
  app.add_option("--gpg-decrypt-pw", options.gpg_decrypt_pw, "Passphrase of the decryption key")->group(gpg);
  app.add_flag("--gpg-allow-no-pw", options.gpg_allow_no_pw, "The decryption key has no passphrase")->group(gpg);
  try {
    app.parse(argc, argv);
    return inspect(options);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const UsageError& e) {
    std::cerr << "sesame-inspect: " << e.message << '\n';
    return 2;
  }
}
