// SPDX-License-Identifier: GPL-2.0-or-later
// Per-packet cost of libsesame: encode, decode+verify, and HMAC rejection (CBC/HMAC-SHA256), plus GPG and modern
// mode (X25519 keys, ChaCha20-Poly1305 or AES-256-GCM; docs/modern-mode.md).
// Figures, not tests: run build/release/bench/spa_bench (see docs/performance.md).
#include <cstdlib>
#include <filesystem>
#include <string>

#include <benchmark/benchmark.h>

#include "spa/modern_codec.h"
#include "spa/packet_codec.h"

namespace {

using namespace sesame;
using namespace sesame::spa;

Keys rijndael_keys() {
  Keys keys;
  keys.encryption_key = SecretBytes::from_text("bench-encryption-key-0123456789");
  keys.hmac_key = SecretBytes::from_text("bench-hmac-key-abcdefghijklmnopqrstuvwxyz-0123456789");
  return keys;
}

Message sample_message() {
  Message message;
  message.random_value = "1234567890123456";
  message.username = "alice";
  message.timestamp = 1700000000;
  message.message = "10.0.0.1,tcp/22";
  return message;
}

PacketCodec make_codec(const Keys& keys) {
  auto codec = PacketCodec::create(keys);
  if (!codec) std::abort();
  return std::move(*codec);
}

void BM_EncodeCbcHmacSha256(benchmark::State& state) {
  PacketCodec codec = make_codec(rijndael_keys());
  const Message message = sample_message();
  for (auto _ : state) benchmark::DoNotOptimize(codec.encode(message));
}
BENCHMARK(BM_EncodeCbcHmacSha256);

void BM_DecodeCbcHmacSha256(benchmark::State& state) {
  PacketCodec codec = make_codec(rijndael_keys());
  const std::string wire = *codec.encode(sample_message());
  for (auto _ : state) {
    auto packet = codec.decode(wire);
    if (!packet) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(packet);
  }
}
BENCHMARK(BM_DecodeCbcHmacSha256);

// The one-off API, which fetches algorithms and keys contexts per call: the cost a loop avoids.
void BM_DecodeOneShotApi(benchmark::State& state) {
  const Keys keys = rijndael_keys();
  const std::string wire = *encode(sample_message(), keys);
  for (auto _ : state) benchmark::DoNotOptimize(decode(wire, keys));
}
BENCHMARK(BM_DecodeOneShotApi);

void BM_RejectBadHmac(benchmark::State& state) {
  PacketCodec codec = make_codec(rijndael_keys());
  std::string wire = *codec.encode(sample_message());
  wire[wire.size() - 1] = wire[wire.size() - 1] == 'A' ? 'B' : 'A';
  for (auto _ : state) {
    auto result = codec.authenticate(wire);
    if (result) state.SkipWithError("forged packet accepted");
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_RejectBadHmac);

// Modern mode: the per-stanza key set-up (X25519 + HKDF, once at load) and the per-packet work.
struct ModernPair {
  X25519KeyPair client = generate_x25519_key_pair().value();
  X25519KeyPair server = generate_x25519_key_pair().value();
  ModernCodec client_codec(AeadSuite suite) const {
    return ModernCodec::for_client(suite, client.private_key, server.public_key).value();
  }
  ModernCodec server_codec(AeadSuite suite) const {
    return ModernCodec::for_server(suite, server.private_key, client.public_key).value();
  }
};

AeadSuite suite_of(const benchmark::State& state) {
  return state.range(0) == 0 ? AeadSuite::kChaCha20Poly1305 : AeadSuite::kAes256Gcm;
}

void BM_ModernKeySetup(benchmark::State& state) {
  const ModernPair keys;
  for (auto _ : state) benchmark::DoNotOptimize(keys.server_codec(suite_of(state)));
}
BENCHMARK(BM_ModernKeySetup)->Arg(0)->Arg(1);

void BM_ModernEncode(benchmark::State& state) {
  ModernCodec codec = ModernPair().client_codec(suite_of(state));
  const Message message = sample_message();
  for (auto _ : state) benchmark::DoNotOptimize(codec.encode(message));
}
BENCHMARK(BM_ModernEncode)->Arg(0)->Arg(1);

// What the server does for a valid packet: base64, header, tag, fields.
void BM_ModernDecode(benchmark::State& state) {
  const ModernPair keys;
  const std::string wire = *keys.client_codec(suite_of(state)).encode(sample_message());
  ModernCodec server = keys.server_codec(suite_of(state));
  for (auto _ : state) {
    auto message = server.decode(wire);
    if (!message) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(message);
  }
}
BENCHMARK(BM_ModernDecode)->Arg(0)->Arg(1);

// A forged packet under a real key id: the most a junk packet can cost in modern mode.
void BM_ModernRejectForged(benchmark::State& state) {
  const ModernPair keys;
  std::string wire = *keys.client_codec(suite_of(state)).encode(sample_message());
  wire[wire.size() - 2] = wire[wire.size() - 2] == 'A' ? 'B' : 'A';
  ModernCodec server = keys.server_codec(suite_of(state));
  for (auto _ : state) {
    auto message = server.decode(wire);
    if (message) state.SkipWithError("forged packet accepted");
    benchmark::DoNotOptimize(message);
  }
}
BENCHMARK(BM_ModernRejectForged)->Arg(0)->Arg(1);

// GPG needs a keyring: the test keys are imported into a scratch home once.
class GpgHome {
 public:
  GpgHome() {
    char pattern[] = "/tmp/sesame-bench-gpg-XXXXXX";
    if (mkdtemp(pattern) == nullptr) std::abort();
    dir_ = pattern;
    const std::string keys = std::string(SESAME_SOURCE_DIR) + "/tests/data/gpg-test-keys.asc";
    const std::string import = "gpg --batch --quiet --homedir " + dir_ + " --import " + keys + " 2>/dev/null && " +
                               "echo 1A2AB68545B3FAE13CFFA7CC355B5617CB817768:6: | gpg --batch --quiet --homedir " +
                               dir_ + " --import-ownertrust 2>/dev/null";
    ok_ = std::system(import.c_str()) == 0;
  }
  ~GpgHome() {
    std::system(("gpgconf --homedir " + dir_ + " --kill all 2>/dev/null").c_str());
    std::filesystem::remove_all(dir_);
  }
  const std::string& dir() const { return dir_; }
  bool ok() const { return ok_; }

 private:
  std::string dir_;
  bool ok_ = false;
};

Keys gpg_keys(const std::string& home) {
  Keys keys;
  keys.encryption_type = EncryptionType::kGpg;
  keys.mode = EncryptionMode::kAsymmetric;
  keys.hmac_key = SecretBytes::from_text("bench-hmac-key-abcdefghijklmnopqrstuvwxyz-0123456789");
  keys.gpg_encrypt.home_dir = home;
  keys.gpg_encrypt.recipient = "F862FB0D163B9669";
  keys.gpg_encrypt.signer = "355B5617CB817768";
  keys.gpg_decrypt.home_dir = home;
  keys.gpg_decrypt.allow_no_passphrase = true;
  return keys;
}

void BM_GpgEncodeSigned(benchmark::State& state) {
  GpgHome home;
  if (!home.ok()) return state.SkipWithError("cannot import GPG test keys");
  PacketCodec codec = make_codec(gpg_keys(home.dir()));
  for (auto _ : state) benchmark::DoNotOptimize(codec.encode(sample_message()));
}
BENCHMARK(BM_GpgEncodeSigned)->Unit(benchmark::kMillisecond)->Iterations(20);

void BM_GpgDecodeVerify(benchmark::State& state) {
  GpgHome home;
  if (!home.ok()) return state.SkipWithError("cannot import GPG test keys");
  PacketCodec codec = make_codec(gpg_keys(home.dir()));
  const std::string wire = *codec.encode(sample_message());
  for (auto _ : state) {
    auto packet = codec.decode(wire);
    if (!packet) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(packet);
  }
}
BENCHMARK(BM_GpgDecodeVerify)->Unit(benchmark::kMillisecond)->Iterations(20);

}  // namespace

BENCHMARK_MAIN();
