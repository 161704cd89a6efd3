// SPDX-License-Identifier: GPL-2.0-or-later
// Loading the JSON test vectors of tests/data into libsesame types.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "spa/keys.h"
#include "spa/message.h"
#include "spa/rijndael.h"

namespace sesame::test {

std::string data_path(const std::string& name);
nlohmann::json load_json(const std::string& name);
std::string read_file(const std::string& path);

// Keys from a vector's key_text/key_base64, hmac_key_text/hmac_key_base64, hmac_type and encryption_mode.
spa::Keys keys_from_vector(const nlohmann::json& vector);
// Message from a "fields" / "decoded" object (rand, user, timestamp, version, msg_type, message, ...).
spa::Message message_from_fields(const nlohmann::json& fields);
spa::Salt salt_from_hex(const std::string& hex);
spa::DigestType digest_from_name(const std::string& name);

}  // namespace sesame::test
