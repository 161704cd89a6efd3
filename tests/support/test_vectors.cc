// SPDX-License-Identifier: GPL-2.0-or-later
// JSON test vectors -> Keys and Message.
#include "support/test_vectors.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "spa/base64.h"

namespace sesame::test {
namespace {

SecretBytes key_from(const nlohmann::json& vector, const char* text_name, const char* base64_name) {
  if (vector.contains(text_name) && vector[text_name].is_string())
    return SecretBytes::from_text(vector[text_name].get<std::string>());
  if (vector.contains(base64_name) && vector[base64_name].is_string()) {
    auto bytes = spa::base64_decode(vector[base64_name].get<std::string>());
    if (!bytes) throw std::runtime_error(std::string("bad base64 in ") + base64_name);
    return SecretBytes(*bytes);
  }
  return {};
}

}  // namespace

std::string data_path(const std::string& name) {
  return std::string(SESAME_TEST_DATA_DIR) + "/" + name;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

nlohmann::json load_json(const std::string& name) {
  return nlohmann::json::parse(read_file(data_path(name)));
}

spa::DigestType digest_from_name(const std::string& name) {
  const auto type = spa::parse_digest_name(name);
  if (!type) throw std::runtime_error("unknown digest " + name);
  return *type;
}

spa::Keys keys_from_vector(const nlohmann::json& vector) {
  spa::Keys keys;
  const std::string mode = vector.value("encryption_mode", "cbc");
  if (mode == "asymmetric" || mode == "gpg") {
    keys.encryption_type = spa::EncryptionType::kGpg;
    keys.mode = spa::EncryptionMode::kAsymmetric;
  } else {
    keys.mode = *spa::parse_encryption_mode_name(mode);
  }
  keys.encryption_key = key_from(vector, "key_text", "key_base64");
  keys.hmac_key = key_from(vector, "hmac_key_text", "hmac_key_base64");
  if (vector.contains("hmac_type") && vector["hmac_type"].is_string())
    keys.hmac_type = digest_from_name(vector["hmac_type"].get<std::string>());
  return keys;
}

spa::Message message_from_fields(const nlohmann::json& fields) {
  spa::Message message;
  message.random_value = fields.value("rand", "");
  message.username = fields.value("user", "");
  message.timestamp = fields.value("timestamp", 0u);
  message.version = fields.value("version", std::string(spa::kDefaultProtocolVersion));
  message.type = static_cast<spa::MessageType>(fields.value("msg_type", 1));
  message.message = fields.value("message", "");
  if (fields.contains("nat_access")) message.nat_access = fields["nat_access"].get<std::string>();
  if (fields.contains("server_auth")) message.server_auth = fields["server_auth"].get<std::string>();
  message.client_timeout = fields.value("client_timeout", 0u);
  if (fields.contains("digest_type")) message.digest_type = digest_from_name(fields["digest_type"].get<std::string>());
  return message;
}

spa::Salt salt_from_hex(const std::string& hex) {
  spa::Salt salt{};
  if (hex.size() != 2 * salt.size()) throw std::runtime_error("salt must be 16 hex digits");
  for (std::size_t i = 0; i < salt.size(); ++i) salt[i] = std::uint8_t(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  return salt;
}

}  // namespace sesame::test
