// SPDX-License-Identifier: GPL-2.0-or-later
// Modern mode in the packet pipeline (docs/modern-mode.md): the stanza found by key id, the same replay, time window
// and policy as fwknop packets, and fwknop's stanzas untouched beside modern ones.
#include <gtest/gtest.h>

#include "pipeline_test_support.h"
#include "server/pipeline.h"
#include "spa/base64.h"
#include "spa/modern_codec.h"
#include "support/temp_dir.h"

namespace sesame::server {
namespace {

using namespace test_support;

struct KeyPair {
  spa::X25519KeyPair pair = spa::generate_x25519_key_pair().value();
  std::string private_b64() const { return spa::base64_encode_padded(pair.private_key.bytes()); }
  std::string public_b64() const { return spa::base64_encode_padded(pair.public_key); }
};

class PipelineModernTest : public ::testing::Test {
 protected:
  void load(const std::string& stanzas) {
    ASSERT_NO_FATAL_FAILURE(load_access_text(dir_, stanzas, access_));
    auto pipeline = Pipeline::create(access_, {}, replay_);
    ASSERT_TRUE(pipeline) << pipeline.error();
    pipeline_.emplace(std::move(*pipeline));
  }
  std::string modern_stanza(const KeyPair& client, const std::string& extra = "", const std::string& source = "ANY",
                            const std::string& aead = "chacha20-poly1305") {
    return "SOURCE " + source + "\nMODERN_CLIENT_PUBLIC_KEY_BASE64 " + client.public_b64() +
           "\nMODERN_SERVER_PRIVATE_KEY_BASE64 " + server_.private_b64() + "\nMODERN_AEAD " + aead + "\n" + extra;
  }
  std::string knock(const KeyPair& client, const spa::Message& message,
                    spa::AeadSuite suite = spa::AeadSuite::kChaCha20Poly1305) {
    auto codec = spa::ModernCodec::for_client(suite, client.pair.private_key, server_.pair.public_key);
    return *codec->encode(message);
  }
  Verdict handle(std::string_view payload, const char* source = "192.0.2.7", std::int64_t now = kNow) {
    return pipeline_->handle(captured(payload, source, now));
  }

  KeyPair server_;
  KeyPair alice_;
  KeyPair bob_;
  test::TempDir dir_{"sesame-pipeline-modern-test"};
  config::AccessConfig access_;
  MapReplayStore replay_;
  std::optional<Pipeline> pipeline_;
};

TEST_F(PipelineModernTest, GrantsTheStanzaOfTheKeyThatSealedIt) {
  load(modern_stanza(alice_, "OPEN_PORTS tcp/22\nFW_ACCESS_TIMEOUT 40\n") +
       modern_stanza(bob_, "OPEN_PORTS tcp/80\nFW_ACCESS_TIMEOUT 50\n"));
  const Verdict for_bob = handle(knock(bob_, access_message("10.0.0.2,tcp/80")));
  ASSERT_TRUE(for_bob.request) << drop_reason_name(for_bob.reason);
  EXPECT_EQ(for_bob.request->stanza_index, 1u);
  EXPECT_EQ(for_bob.request->allow_ip.to_string(), "10.0.0.2");
  EXPECT_EQ(for_bob.request->timeout, std::chrono::seconds(50));
  const Verdict for_alice = handle(knock(alice_, access_message()));
  ASSERT_TRUE(for_alice.request);
  EXPECT_EQ(for_alice.request->stanza_index, 0u);
  // Alice's key does not open Bob's port: her stanza's policy decides.
  EXPECT_EQ(handle(knock(alice_, access_message("10.0.0.1,tcp/80"))).reason, DropReason::kDeniedPort);
}

TEST_F(PipelineModernTest, ReplayStaleSourceAndForgeryAreRefused) {
  load(modern_stanza(alice_, "", "192.0.2.0/24"));
  const std::string wire = knock(alice_, access_message());
  EXPECT_EQ(handle(wire, "198.51.100.1").reason, DropReason::kSource);
  EXPECT_TRUE(handle(wire).request);
  EXPECT_EQ(handle(wire).reason, DropReason::kReplay);
  EXPECT_EQ(handle(knock(alice_, access_message("10.0.0.1,tcp/22", kNow - 121))).reason, DropReason::kStale);
  // A flipped bit in the sealed part: the key id still names Alice's stanza, the tag fails.
  auto bytes = *spa::base64_decode(knock(alice_, access_message()));
  bytes.back() ^= 1;
  EXPECT_EQ(handle(spa::base64_encode(bytes)).reason, DropReason::kDecode);
  // A stranger's key pair has no stanza: the packet is nobody's.
  KeyPair stranger;
  EXPECT_EQ(handle(knock(stranger, access_message())).reason, DropReason::kSource);
  EXPECT_EQ(pipeline_->accepted(), 1u);
}

TEST_F(PipelineModernTest, SuiteMustBeTheStanzas) {
  load(modern_stanza(alice_, "", "ANY", "aes-256-gcm"));
  EXPECT_TRUE(handle(knock(alice_, access_message(), spa::AeadSuite::kAes256Gcm)).request);
  EXPECT_FALSE(handle(knock(alice_, access_message(), spa::AeadSuite::kChaCha20Poly1305)).request);
}

TEST_F(PipelineModernTest, FwknopStanzasKeepWorkingBesideModernOnes) {
  const std::string fwknop_stanza =
      std::string("SOURCE ANY\nKEY_BASE64 ") + kKey + "\nHMAC_KEY_BASE64 " + kHmacKey + "\nOPEN_PORTS tcp/443\n";
  load(modern_stanza(alice_) + fwknop_stanza);
  const Verdict fwknop = handle(*spa::encode(access_message("10.0.0.3,tcp/443"), client_keys()));
  ASSERT_TRUE(fwknop.request) << drop_reason_name(fwknop.reason);
  EXPECT_EQ(fwknop.request->stanza_index, 1u);
  EXPECT_TRUE(handle(knock(alice_, access_message())).request);
}

TEST_F(PipelineModernTest, OneStanzaMayTakeBothKinds) {
  load(modern_stanza(alice_, std::string("KEY_BASE64 ") + kKey + "\nHMAC_KEY_BASE64 " + kHmacKey + "\n"));
  EXPECT_TRUE(handle(*spa::encode(access_message(), client_keys())).request);
  EXPECT_TRUE(handle(knock(alice_, access_message())).request);
}

TEST_F(PipelineModernTest, HalfAPairAndABadKeyAreConfigErrorsWithTheirLine) {
  const auto errors_of = [&](const std::string& text) {
    config::AccessLoadOptions options;
    options.access_file = dir_.write_file("access.conf", text);
    const auto loaded = config::load_access_config(options);
    std::string all;
    if (!loaded)
      for (const auto& error : loaded.error()) all += error.to_string() + "\n";
    return all;
  };
  const std::string half = errors_of("SOURCE ANY\nMODERN_CLIENT_PUBLIC_KEY_BASE64 " + alice_.public_b64() + "\n");
  EXPECT_NE(half.find("access.conf:2: MODERN_CLIENT_PUBLIC_KEY_BASE64: needs MODERN_SERVER_PRIVATE_KEY_BASE64"),
            std::string::npos)
      << half;
  const std::string short_key = errors_of("SOURCE ANY\nMODERN_CLIENT_PUBLIC_KEY_BASE64 c2hvcnQ=\n");
  EXPECT_NE(short_key.find("access.conf:2: MODERN_CLIENT_PUBLIC_KEY_BASE64: not a base64 X25519 public key"),
            std::string::npos)
      << short_key;
  const std::string bad_aead = errors_of(modern_stanza(alice_, "", "ANY", "aes-128-gcm"));
  EXPECT_NE(bad_aead.find("access.conf:4: MODERN_AEAD: \"aes-128-gcm\" is not chacha20-poly1305 or aes-256-gcm"),
            std::string::npos)
      << bad_aead;
  EXPECT_EQ(bad_aead.find(server_.private_b64()), std::string::npos) << "a key was echoed";
}

}  // namespace
}  // namespace sesame::server
