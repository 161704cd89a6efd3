// SPDX-License-Identifier: GPL-2.0-or-later
// The sesame client against the real fwknop 2.6.x client (client.md §2): the same command line builds packets
// with the same fields, fwknopd 2.6.x accepts both, and where fwknop refuses a command line sesame refuses it too,
// in one line.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "fwknopd_oracle.h"
#include "oracle_cases.h"
#include "spa/base64.h"
#include "spa/packet_codec.h"
#include "support/field_dump.h"
#include "support/gpg_home.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"
#include "support/test_vectors.h"

namespace sesame::test {
namespace {

using spa::DigestType;
using spa::EncryptionMode;
using spa::MessageType;

constexpr const char* kSesame = SESAME_CLIENT_PATH;
// Both clients take LOGNAME as the username when neither -U nor SPOOF_USER is given (client.md §2, -U).
constexpr const char* kLogname = "compat-user";
// How far apart the two clients' timestamps, and each from the expected one, may be: they run one after the other.
constexpr std::int64_t kClockSlackS = 5;

std::string fwknop_path() {
  if (const char* env = std::getenv("SESAME_FWKNOP"); env != nullptr && *env != '\0') return find_executable({env});
  return find_executable({"/usr/bin/fwknop", "/usr/local/bin/fwknop", "/bin/fwknop"});
}

struct ClientRun {
  int exit_status = -1;
  std::string output;
  bool wrote_packet = false;
  std::string packet;  // the -B file without its final '\n': the wire payload
  FieldMap fields;     // the -T field dump
};

struct RunOptions {
  bool test_mode = true;   // -T -B FILE
  bool no_rc_file = true;  // --no-rc-file
  std::optional<std::string> stdin_text{};
  std::vector<std::string> env{std::string("LOGNAME=") + kLogname};  // beyond HOME, PATH and LC_ALL
};

// `binary [-T -B FILE] --no-save-args [--no-rc-file] args...` in a fresh HOME and a minimal environment.
ClientRun run_client(const std::string& binary, const std::vector<std::string>& args, const RunOptions& options) {
  const TempDir home("sesame-compat-home");
  const std::string packet_file = home.path() + "/spa.packet";
  std::vector<std::string> argv{binary};
  if (options.test_mode) argv.insert(argv.end(), {"-T", "-B", packet_file});
  argv.push_back("--no-save-args");
  if (options.no_rc_file) argv.push_back("--no-rc-file");
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> env{"HOME=" + home.path(), "PATH=/usr/bin:/bin", "LC_ALL=C"};
  env.insert(env.end(), options.env.begin(), options.env.end());
  const ProcessResult exited =
      run_process(argv, {.env = env, .stdin_text = options.stdin_text, .timeout = std::chrono::seconds(20)});
  ClientRun run;
  run.exit_status = exited.timed_out ? -1 : exited.exit_status;
  run.output = exited.output;
  run.fields = parse_field_dump(exited.output);
  run.wrote_packet = std::filesystem::exists(packet_file);
  if (run.wrote_packet) {
    run.packet = read_file(packet_file);
    EXPECT_TRUE(!run.packet.empty() && run.packet.back() == '\n') << binary << ": -B file without final newline";
    if (!run.packet.empty() && run.packet.back() == '\n') run.packet.pop_back();
  }
  return run;
}

std::string joined(const std::vector<std::string>& args) {
  std::string text;
  for (const std::string& arg : args) text += (text.empty() ? "" : " ") + arg;
  return text;
}

std::string base64_of(std::string_view raw) {
  return spa::base64_encode_padded({reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size()});
}

// Keys unique to case `n`, so that in the shared access.conf each packet is accepted by its own stanza only.
KeySet case_keys(int n, EncryptionMode mode = EncryptionMode::kCbc,
                 std::optional<DigestType> hmac = DigestType::kSha256, bool base64 = false) {
  KeySet keys{mode, hmac, base64, {}, {}};
  if (base64) {
    std::mt19937 rng(static_cast<unsigned>(n));
    std::uniform_int_distribution<int> byte(0, 255);
    keys.key.resize(32);
    keys.hmac_key.resize(hmac ? 64 : 0);
    for (char& c : keys.key) c = char(byte(rng));
    for (char& c : keys.hmac_key) c = char(byte(rng));
  } else {
    keys.key = "c" + std::to_string(n) + "-encryption-key";
    if (hmac) keys.hmac_key = "c" + std::to_string(n) + "-hmac-key";
  }
  return keys;
}

// The key options that hand `keys` to a client.
std::vector<std::string> key_args(const KeySet& keys) {
  std::vector<std::string> args;
  if (keys.base64)
    args.insert(args.end(), {"--key-base64-rijndael", base64_of(keys.key)});
  else
    args.insert(args.end(), {"--key-rijndael", keys.key});
  if (keys.hmac) {
    if (keys.base64)
      args.insert(args.end(), {"--key-base64-hmac", base64_of(keys.hmac_key)});
    else
      args.insert(args.end(), {"--key-hmac", keys.hmac_key});
    args.insert(args.end(), {"--hmac-digest-type", config_name(*keys.hmac)});
  }
  return args;
}

struct Case {
  std::string name{};
  std::vector<std::string> args{};  // for both clients, after -T -B FILE --no-save-args [--no-rc-file]
  KeySet keys{};                    // the Rijndael keys both packets decode with; with `gpg`, only the HMAC part
  MessageType type = MessageType::kAccess;  // what both packets must carry, so a case tests what it says
  std::int64_t time_offset_s = 0;
  bool gpg = false;
  std::optional<std::string> stdin_text{};
  bool no_rc_file = true;
};

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

const std::vector<std::string> kAccess{"-a", "10.1.2.3", "-A", "tcp/22"};

class SesameClientCompat : public SharedGpgHome<> {
 protected:
  void SetUp() override {
    fwknop_ = fwknop_path();
    if (fwknop_.empty()) GTEST_SKIP() << "SKIPPED: fwknop client not installed (or SESAME_FWKNOP not executable)";
    ASSERT_TRUE(std::filesystem::exists(kSesame)) << kSesame;
  }

  spa::Keys decode_keys(const Case& c) const {
    spa::Keys keys = c.keys.keys();
    if (c.gpg) {
      keys.encryption_type = spa::EncryptionType::kGpg;
      keys.mode = EncryptionMode::kAsymmetric;
      keys.encryption_key = SecretBytes();
      keys.gpg_decrypt.home_dir = home();
      keys.gpg_decrypt.allow_no_passphrase = true;
    }
    return keys;
  }

  std::string stanza(const Case& c) const {
    if (!c.gpg) return c.keys.stanza();
    std::string text = "SOURCE ANY\nGPG_HOME_DIR " + home() + "\nGPG_ALLOW_NO_PW Y\nGPG_DECRYPT_ID " + kGpgServerKeyId +
                       "\nGPG_REMOTE_ID " + kGpgSignerShortId + "\n";
    if (c.keys.hmac) text += "HMAC_KEY " + c.keys.hmac_key + "\nHMAC_DIGEST_TYPE " + config_name(*c.keys.hmac) + "\n";
    return text + "\n";
  }

  // Runs both clients on every case, compares what they built, then has fwknopd judge all packets in one batch.
  void expect_same_packets(const std::vector<Case>& cases) {
    std::vector<std::string> payloads;
    std::vector<spa::DecodedPacket> decoded;  // parallel to payloads
    std::vector<int> stanzas;                 // the access.conf stanza that holds each payload's keys
    std::vector<std::string> labels;
    std::string access_conf;
    for (std::size_t i = 0; i < cases.size(); ++i) {
      const Case& c = cases[i];
      SCOPED_TRACE("case " + c.name + ": " + joined(c.args));
      access_conf += stanza(c);
      const RunOptions options{.no_rc_file = c.no_rc_file, .stdin_text = c.stdin_text};
      const auto expected_time = static_cast<std::int64_t>(std::time(nullptr)) + c.time_offset_s;
      const ClientRun ours = run_client(kSesame, c.args, options);
      const ClientRun theirs = run_client(fwknop_, c.args, options);
      EXPECT_EQ(ours.exit_status, 0) << "sesame:\n" << ours.output;
      EXPECT_EQ(theirs.exit_status, 0) << "fwknop:\n" << theirs.output;
      if (ours.exit_status == 0 && theirs.exit_status == 0) expect_same_dump(ours.fields, theirs.fields);

      std::optional<spa::DecodedPacket> packets[2];
      const ClientRun* runs[2] = {&ours, &theirs};
      for (int k = 0; k < 2; ++k) {
        const char* who = k == 0 ? "sesame" : "fwknop";
        if (!runs[k]->wrote_packet) {
          ADD_FAILURE() << who << " wrote no -B file:\n" << runs[k]->output;
          continue;
        }
        auto packet = spa::decode(runs[k]->packet, decode_keys(c));
        if (!packet) {
          ADD_FAILURE() << who << "'s packet does not decode: " << packet.error().to_string();
          continue;
        }
        EXPECT_EQ(packet->message.type, c.type) << who;
        EXPECT_EQ(packet->message.random_value.size(), 16u) << who;
        EXPECT_NEAR(double(packet->message.timestamp), double(expected_time), double(kClockSlackS)) << who;
        if (c.gpg) {
          EXPECT_TRUE(packet->gpg_signature.good) << who << ": " << packet->gpg_signature.status_text;
          EXPECT_EQ(packet->gpg_signature.id, kGpgSignerShortId) << who;
        }
        payloads.push_back(runs[k]->packet);
        decoded.push_back(*packet);
        stanzas.push_back(int(i + 1));
        labels.push_back(std::string(who) + "'s packet of case " + c.name);
        packets[k] = std::move(*packet);
      }
      if (packets[0] && packets[1]) expect_same_message(packets[0]->message, packets[1]->message);
    }
    expect_fwknopd_accepts(payloads, decoded, stanzas, labels, access_conf);
  }

  static void expect_same_message(const spa::Message& ours, const spa::Message& theirs) {
    EXPECT_EQ(ours.username, theirs.username);
    EXPECT_EQ(ours.version, theirs.version);
    EXPECT_EQ(ours.type, theirs.type);
    EXPECT_EQ(ours.message, theirs.message);
    EXPECT_EQ(ours.nat_access, theirs.nat_access);
    EXPECT_EQ(ours.server_auth, theirs.server_auth);
    EXPECT_EQ(ours.client_timeout, theirs.client_timeout);
    EXPECT_EQ(ours.digest_type, theirs.digest_type);
    EXPECT_NEAR(double(ours.timestamp), double(theirs.timestamp), double(kClockSlackS));
    EXPECT_NE(ours.random_value, theirs.random_value);
  }

  // The -T dumps agree on every field that does not depend on chance or the clock (client.md §7).
  static void expect_same_dump(const FieldMap& ours, const FieldMap& theirs) {
    static const char* const kStable[] = {"Username",     "FKO Version",     "Message Type",    "Message String",
                                          "Nat Access",   "Server Auth",     "Client Timeout",  "Digest Type",
                                          "HMAC Type",    "Encryption Type", "Encryption Mode", "GPG signer",
                                          "GPG recipient"};
    for (const char* label : kStable) {
      const auto theirs_it = theirs.find(label);
      if (theirs_it == theirs.end()) continue;
      const auto ours_it = ours.find(label);
      EXPECT_EQ(ours_it == ours.end() ? "<no " + std::string(label) + " line>" : ours_it->second, theirs_it->second)
          << "-T dump line " << label;
    }
  }

  static void expect_fwknopd_accepts(const std::vector<std::string>& payloads,
                                     const std::vector<spa::DecodedPacket>& decoded, const std::vector<int>& stanzas,
                                     const std::vector<std::string>& labels, const std::string& access_conf) {
    std::string why;
    if (!fwknopd_oracle_available(&why)) GTEST_SKIP() << "SKIPPED: fwknopd oracle unavailable: " << why;
    const std::vector<OracleVerdict> verdicts = run_fwknopd_oracle(payloads, access_conf, kNatEnabledConf);
    ASSERT_EQ(verdicts.size(), payloads.size());
    for (std::size_t i = 0; i < verdicts.size(); ++i) {
      SCOPED_TRACE(labels[i]);
      const OracleVerdict& v = verdicts[i];
      EXPECT_TRUE(v.accepted) << to_string(v.outcome) << ": " << v.detail << "\n" << v.log;
      EXPECT_EQ(v.stanza, stanzas[i]) << v.detail;
      expect_fwknopd_read(v, decoded[i].message, decoded[i]);
    }
  }

  std::string fwknop_;
};

// Every option group of client.md §2 that shapes the packet, each in its own case with its own keys.
TEST_F(SesameClientCompat, EveryOptionGroupBuildsThePacketFwknopBuilds) {
  std::vector<Case> cases;
  int n = 0;
  // A case with text keys, CBC and HMAC-SHA256 unless `keys` says otherwise.
  auto add = [&](std::string name, std::vector<std::string> args, MessageType type, KeySet keys) {
    cases.push_back({std::move(name), with(std::move(args), key_args(keys)), std::move(keys), type});
    return &cases.back();
  };
  auto add_plain = [&](std::string name, std::vector<std::string> args, MessageType type) {
    const int id = ++n;
    return add(std::move(name), std::move(args), type, case_keys(id));
  };

  add_plain("-A single", kAccess, MessageType::kAccess);
  add_plain("-A multi", {"-a", "10.1.2.3", "-A", "tcp/22,udp/53,tcp/8443"}, MessageType::kAccess);
  add_plain("-s", {"-s", "-A", "tcp/22"}, MessageType::kAccess);
  add_plain("-f", with(kAccess, {"-f", "45"}), MessageType::kClientTimeoutAccess);
  add_plain("-f 0", with(kAccess, {"-f", "0"}), MessageType::kAccess);
  add_plain("-C", {"-a", "10.1.2.3", "-C", "echo hello world"}, MessageType::kCommand);
  add_plain("-N host:port", {"-a", "10.1.2.3", "-A", "tcp/2222", "-N", "192.168.1.2:22"}, MessageType::kNatAccess);
  add_plain("-N host", {"-a", "10.1.2.3", "-A", "tcp/2222", "-N", "192.168.1.2"}, MessageType::kNatAccess);
  add_plain("-N -f", {"-a", "10.1.2.3", "-A", "tcp/2222", "-N", "192.168.1.2,22", "-f", "30"},
            MessageType::kClientTimeoutNatAccess);
  add_plain("--nat-local", with(kAccess, {"--nat-local", "-D", "127.0.0.1"}), MessageType::kLocalNatAccess);
  add_plain("--nat-local -f", with(kAccess, {"--nat-local", "-D", "127.0.0.1", "-f", "60"}),
            MessageType::kClientTimeoutLocalNatAccess);
  add_plain("--nat-local --nat-port", with(kAccess, {"--nat-local", "-D", "127.0.0.1", "--nat-port", "2022"}),
            MessageType::kLocalNatAccess);
  add_plain("-N --nat-port", {"-a", "10.1.2.3", "-A", "tcp/2222", "-N", "192.168.1.2:22", "--nat-port", "2022"},
            MessageType::kNatAccess);
  for (const DigestType digest : kAllDigests)
    add_plain("-m " + config_name(digest), with(kAccess, {"-m", config_name(digest)}), MessageType::kAccess);
  for (const auto& [mode, option] : {std::pair{EncryptionMode::kCbc, "cbc"}, std::pair{EncryptionMode::kEcb, "ECB"},
                                     std::pair{EncryptionMode::kCfb, "cfb"}, std::pair{EncryptionMode::kOfb, "Ofb"},
                                     std::pair{EncryptionMode::kCtr, "ctr"}})
    add(std::string("-M ") + option, with(kAccess, {"-M", option}), MessageType::kAccess, case_keys(++n, mode));
  add("-M legacy", with(kAccess, {"-M", "legacy"}), MessageType::kAccess,
      case_keys(++n, EncryptionMode::kCbcLegacyIv, std::nullopt));
  {  // legacy mode uses only the first 16 bytes of a longer key, in both clients and in fwknopd
    KeySet keys = case_keys(++n, EncryptionMode::kCbcLegacyIv, std::nullopt);
    keys.key = "c" + std::to_string(n) + "-a-legacy-key-longer-than-16";
    add("-M legacy, 30-byte key", with(kAccess, {"-M", "legacy"}), MessageType::kAccess, std::move(keys));
  }
  add("no HMAC", kAccess, MessageType::kAccess, case_keys(++n, EncryptionMode::kCbc, std::nullopt));
  for (const DigestType hmac : kAllDigests)
    add("--hmac-digest-type " + config_name(hmac), kAccess, MessageType::kAccess,
        case_keys(++n, EncryptionMode::kCbc, hmac));
  add("base64 keys", kAccess, MessageType::kAccess, case_keys(++n, EncryptionMode::kCbc, DigestType::kSha256, true));
  add("base64 keys, ctr, sha3_512", with(kAccess, {"-M", "ctr"}), MessageType::kAccess,
      case_keys(++n, EncryptionMode::kCtr, DigestType::kSha3_512, true));
  add_plain("-U", with(kAccess, {"-U", "alice"}), MessageType::kAccess);
  add_plain("-U, 40 characters", with(kAccess, {"-U", std::string(40, 'u')}), MessageType::kAccess);
  add_plain("--time-offset-plus 1h", with(kAccess, {"--time-offset-plus", "1h"}), MessageType::kAccess)->time_offset_s =
      3600;
  add_plain("--time-offset-minus 90s", with(kAccess, {"--time-offset-minus", "90s"}), MessageType::kAccess)
      ->time_offset_s = -90;
  add_plain("--time-offset-plus 2days", with(kAccess, {"--time-offset-plus", "2days"}), MessageType::kAccess)
      ->time_offset_s = 2 * 86400;
  add_plain("--time-offset-minus 5M", with(kAccess, {"--time-offset-minus", "5M"}), MessageType::kAccess)
      ->time_offset_s = -300;

  // Keys from a key file (client.md §5): the line for the -D value wins, the last one if several match.
  const TempDir files("sesame-compat-files");
  {
    KeySet keys = case_keys(++n);
    const std::string key_file = files.write_file(
        "keys", "# comment\n10.9.9.9: not-this-one\n127.0.0.1: wrong-one\n127.0.0.1:  " + keys.key + "\n");
    cases.push_back({"-G", with(kAccess, {"-D", "127.0.0.1", "-G", key_file, "--key-hmac", keys.hmac_key}),
                     std::move(keys), MessageType::kAccess});
  }
  {
    KeySet keys = case_keys(++n);
    const std::string key_file = files.write_file("keys2", "127.0.0.1: " + keys.key + "\n");
    const std::string hmac_file = files.write_file("hmac-keys", "127.0.0.1: " + keys.hmac_key + "\n");
    cases.push_back({"-G --get-hmac-key",
                     with(kAccess, {"-D", "127.0.0.1", "-G", key_file, "--get-hmac-key", hmac_file}), std::move(keys),
                     MessageType::kAccess});
  }
  {  // fwknop reads only one key from stdin (it closes it after the first), so the HMAC key is an option here
    KeySet keys = case_keys(++n);
    Case c{"--stdin", with(kAccess, {"--stdin", "--key-hmac", keys.hmac_key}), std::move(keys), MessageType::kAccess};
    c.stdin_text = c.keys.key + "\n";
    cases.push_back(std::move(c));
  }
  {  // A named stanza over [default], options from the command line over both (client.md §3)
    KeySet keys = case_keys(++n, EncryptionMode::kCfb, DigestType::kSha384, true);
    keys.mode = EncryptionMode::kCfb;
    const std::string rc_file = files.write_file(
        "fwknoprc",
        "[default]\nDIGEST_TYPE md5\nSPA_SERVER_PORT 62203\nFW_TIMEOUT 99\n\n[myserver]\n"
        "ACCESS tcp/22,udp/53\nALLOW_IP 10.4.5.6\nSPA_SERVER 127.0.0.1\nDIGEST_TYPE sha512\n"
        "ENCRYPTION_MODE cfb\nFW_TIMEOUT 30\nSPOOF_USER rcuser\nTIME_OFFSET -5m\n"
        "KEY_BASE64 " +
            base64_of(keys.key) + "\nHMAC_KEY_BASE64: " + base64_of(keys.hmac_key) + "\nHMAC_DIGEST_TYPE sha384\n");
    Case c{"--rc-file -n",
           {"--rc-file", rc_file, "-n", "MyServer", "-U", "cmdline-user"},
           std::move(keys),
           MessageType::kClientTimeoutAccess};
    c.time_offset_s = -300;
    c.no_rc_file = false;
    cases.push_back(std::move(c));
  }
  {  // GnuPG: encrypted to the server key, signed by the client key, plus an HMAC
    KeySet keys = case_keys(++n, EncryptionMode::kCbc, DigestType::kSha512);
    Case c{"GPG",
           with(kAccess, {"--gpg-recipient-key", kGpgServerKeyId, "--gpg-signer-key", kGpgSignerKeyId, "--gpg-home-dir",
                          home(), "--gpg-no-signing-pw", "--key-hmac", keys.hmac_key, "--hmac-digest-type", "sha512"}),
           std::move(keys), MessageType::kAccess};
    c.gpg = true;
    cases.push_back(std::move(c));
  }
  expect_same_packets(cases);
}

// Without LOGNAME, SPOOF_USER and -U, fwknop 2.6.10 (libfko: cuserid, then USER) sends the effective user's name.
TEST_F(SesameClientCompat, DefaultUsernameWithoutLognameIsTheEffectiveUser) {
  const KeySet keys = case_keys(100);
  const std::vector<std::string> args = with(kAccess, key_args(keys));
  const RunOptions options{.env = {}};
  const ClientRun ours = run_client(kSesame, args, options);
  const ClientRun theirs = run_client(fwknop_, args, options);
  ASSERT_EQ(ours.exit_status, 0) << ours.output;
  ASSERT_EQ(theirs.exit_status, 0) << theirs.output;
  EXPECT_EQ(ours.fields.at("Username"), theirs.fields.at("Username"));
}

struct ErrorCase {
  std::string name;
  std::vector<std::string> args;
  bool test_mode = true;
  bool no_rc_file = true;
};

// Command lines fwknop refuses: sesame refuses them too, with exit status 1, one line, and no packet.
TEST_F(SesameClientCompat, CommandLinesFwknopRefusesAreRefusedInOneLine) {
  const TempDir files("sesame-compat-files");
  const std::string rc_file = files.write_file("fwknoprc", "[default]\n\n[known]\nSPA_SERVER 127.0.0.1\n");
  const std::vector<std::string> keys{"--key-rijndael", "encryption-key", "--key-hmac", "hmac-key"};
  const std::vector<ErrorCase> cases{
      {"no -D without -T", with(kAccess, keys), false},
      {"no -A", with({"-a", "10.1.2.3"}, keys)},
      {"-a not an IPv4 address", with({"-a", "10.1.2.300", "-A", "tcp/22"}, keys)},
      {"-a a name", with({"-a", "example.com", "-A", "tcp/22"}, keys)},
      {"no -a, -s or -R", with({"-A", "tcp/22"}, keys)},
      {"-n unknown stanza", with({"--rc-file", rc_file, "-n", "unknown"}, with(kAccess, keys)), true, false},
      {"bad base64 key", with(kAccess, {"--key-base64-rijndael", "!!!not*base64", "--key-hmac", "hmac-key"})},
      {"bad base64 HMAC key", with(kAccess, {"--key-rijndael", "encryption-key", "--key-base64-hmac", "%%%%"})},
      {"legacy with HMAC", with(kAccess, with({"-M", "legacy"}, keys))},
      {"-Q without a raw protocol", with(kAccess, with({"-Q", "10.7.7.7"}, keys))},
      {"-Q with -P udp", with(kAccess, with({"-Q", "10.7.7.7", "-P", "udp"}, keys))},
  };
  for (const ErrorCase& c : cases) {
    SCOPED_TRACE("case " + c.name + ": " + joined(c.args));
    const RunOptions options{.test_mode = c.test_mode, .no_rc_file = c.no_rc_file};
    const ClientRun ours = run_client(kSesame, c.args, options);
    const ClientRun theirs = run_client(fwknop_, c.args, options);
    EXPECT_NE(theirs.exit_status, 0) << "fwknop:\n" << theirs.output;
    EXPECT_EQ(ours.exit_status, 1) << "sesame:\n" << ours.output;
    const std::string message = trim(ours.output);
    EXPECT_FALSE(message.empty());
    EXPECT_EQ(message.find('\n'), std::string::npos) << "sesame printed more than one line:\n" << ours.output;
    EXPECT_FALSE(ours.wrote_packet);
    EXPECT_FALSE(theirs.wrote_packet);
  }
}

}  // namespace
}  // namespace sesame::test
