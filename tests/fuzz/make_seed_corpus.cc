// SPDX-License-Identifier: GPL-2.0-or-later
// Writes the seed corpora of the fuzz targets: valid packets for every codec of spa_decode_fuzz.cc (its keys,
// its selector byte) and valid plaintexts for every message type and digest. Usage: make_seed_corpus CORPUS_DIR
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "modern_keys.h"
#include "spa/message_codec.h"
#include "spa/packet_codec.h"

namespace {

using namespace sesame::spa;

std::vector<Message> sample_messages() {
  std::vector<Message> messages;
  Message access;
  access.random_value = "1234567890123456";
  access.username = "fuzz user";
  access.timestamp = 1700000000;
  access.message = "10.0.0.1,tcp/22,udp/53";
  messages.push_back(access);
  Message command = access;
  command.type = MessageType::kCommand;
  command.message = "10.0.0.2,echo hello";
  messages.push_back(command);
  Message nat = access;
  nat.nat_access = "192.168.1.2,22";
  nat.client_timeout = 30;
  nat.server_auth = "secret";
  messages.push_back(nat);
  Message local_nat = access;
  local_nat.type = MessageType::kLocalNatAccess;
  local_nat.nat_access = "127.0.0.1,2222";
  local_nat.digest_type = DigestType::kMd5;
  messages.push_back(local_nat);
  Message timeout = access;
  timeout.client_timeout = 65536;
  timeout.digest_type = DigestType::kSha3_512;
  messages.push_back(timeout);
  return messages;
}

void write(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seed_corpus CORPUS_DIR\n");
    return 2;
  }
  const std::filesystem::path root = argv[1];
  std::filesystem::create_directories(root / "spa_decode");
  std::filesystem::create_directories(root / "spa_plaintext");
  // Must match the codec table of spa_decode_fuzz.cc.
  const EncryptionMode modes[] = {EncryptionMode::kCbc, EncryptionMode::kEcb, EncryptionMode::kCfb,
                                  EncryptionMode::kOfb, EncryptionMode::kCtr, EncryptionMode::kCbcLegacyIv,
                                  EncryptionMode::kCbc};
  const auto messages = sample_messages();
  const DigestSet digests;
  int written = 0;
  for (std::size_t codec = 0; codec < std::size(modes); ++codec) {
    Keys keys;
    keys.mode = modes[codec];
    keys.encryption_key = sesame::SecretBytes::from_text("fuzzing-key-0123456789");
    if (codec < 5) keys.hmac_key = sesame::SecretBytes::from_text("fuzzing-hmac-key-abcdefghijklmnopqrstuvwxyz");
    keys.hmac_type = static_cast<DigestType>(1 + codec % 7);
    if (codec < 5) keys.hmac_type = DigestType::kSha256;  // spa_decode_fuzz.cc uses the default HMAC type
    for (std::size_t i = 0; i < messages.size(); ++i) {
      auto wire = encode(messages[i], keys);
      if (!wire) {
        std::fprintf(stderr, "encode failed: %s\n", wire.error().to_string().c_str());
        return 1;
      }
      write(root / "spa_decode" / ("codec" + std::to_string(codec) + "_msg" + std::to_string(i)),
            std::string(1, char(codec)) + *wire);
      ++written;
    }
  }
  for (std::size_t i = 0; i < messages.size(); ++i) {
    write(root / "spa_plaintext" / ("msg" + std::to_string(i)), *make_plaintext(messages[i], digests));
    ++written;
  }
  // modern_decode_fuzz.cc: selector bit 0 the suite, bit 1 the path (0: wire, 1: the sealed message's text).
  std::filesystem::create_directories(root / "modern_decode");
  for (const auto suite : {AeadSuite::kChaCha20Poly1305, AeadSuite::kAes256Gcm}) {
    auto client = sesame::fuzz::fuzz_modern_codec(false, suite);
    const char selector = suite == AeadSuite::kAes256Gcm ? 1 : 0;
    for (std::size_t i = 0; i < messages.size(); ++i) {
      const std::string name = std::string(aead_suite_name(suite)) + "_msg" + std::to_string(i);
      write(root / "modern_decode" / ("wire_" + name), std::string(1, selector) + *client.encode(messages[i]));
      write(root / "modern_decode" / ("text_" + name),
            std::string(1, char(selector | 2)) + *encode_message(messages[i]));
      written += 2;
    }
  }
  std::printf("wrote %d seeds\n", written);
  return 0;
}
