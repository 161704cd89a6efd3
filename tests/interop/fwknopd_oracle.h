// SPDX-License-Identifier: GPL-2.0-or-later
// Test oracle: replays SPA payloads through the real fwknopd 2.6.x (--test, private netns) and reports its verdicts.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace sesame::test {

// How far fwknopd got with a packet. Ordered by progress through fwknopd's
// pipeline so that, with several stanzas, the furthest one is reported.
enum class OracleOutcome {
  kIgnored,        // nothing logged: dropped silently (payload length outside 140..1500)
  kNotSpaData,     // "preprocess_spa_data() returned error ..." (non-base64, U2FsdGVkX1/hQ prefix, ...)
  kNoSourceMatch,  // "No access data found for source IP" / filtered by SOURCE/DESTINATION
  kReplay,         // "Replay detected from source IP" (never happens in --test, see .cc)
  kHmacFailed,     // "Error creating fko context: ...HMAC..."
  kDecryptFailed,  // "Error creating fko context: ...decrypt...", "No stanza encryption mode match"
  kDecodeFailed,   // any other "Error creating fko context" (inner decoding, digest)
  kDenied,         // decoded, then refused by policy (age, user, ports, cmd, NAT, GPG signer/signature)
  kAccepted,       // access (or command) would have been granted: "--test mode enabled, skipping ..."
};

const char* to_string(OracleOutcome outcome);

struct OracleVerdict {
  bool accepted = false;  // outcome == kAccepted
  bool decoded = false;   // some stanza printed "SPA Decode (res=0)": HMAC, decryption and decoding passed
  OracleOutcome outcome = OracleOutcome::kIgnored;
  int stanza = 0;       // 1-based stanza of the line that set `outcome` (0 if none)
  std::string detail;   // that fwknopd log line, verbatim
  // fwknopd's decoded-field dump of the first successful decode, keyed by its
  // own labels: "Username", "Timestamp", "Message Type" ("1 (Access msg)"),
  // "Message String", "Nat Access", "Server Auth", "Client Timeout",
  // "Digest Type", "HMAC Type", "Encryption Type", "Encryption Mode",
  // "Encoded Data", "SPA Data Digest", "GPG sig ID", ... Values verbatim.
  std::map<std::string, std::string> fields;
  std::string log;  // everything this fwknopd invocation printed (stdout+stderr)
};

struct OracleOptions {
  std::string fwknopd_conf_extra;  // appended to the generated fwknopd.conf; later lines win
  std::string src_ip = "127.0.0.1";  // network-layer addresses of the captured datagram
  std::string dst_ip = "127.0.0.1";
  std::chrono::milliseconds timeout{10000};  // per fwknopd invocation; the child is SIGKILLed after it
};

// Runs one fwknopd per payload (fresh digest cache each time) inside a
// throw-away network namespace. Payloads go on the wire byte for byte: strip
// the '\n' that `fwknop -B FILE` appends, or fwknopd rejects it as not SPA data.
// Returns one verdict per payload, in order.
// `access_conf` is the complete access.conf text (GPG stanzas: give
// GPG_HOME_DIR there). Throws std::runtime_error when the oracle itself
// cannot answer: not root, netns failure, fwknopd refusing its configuration
// (the message includes fwknopd's output) or a timeout.
std::vector<OracleVerdict> run_fwknopd_oracle(const std::vector<std::string>& payloads,
                                              const std::string& access_conf,
                                              const std::string& fwknopd_conf_extra = "");
std::vector<OracleVerdict> run_fwknopd_oracle(const std::vector<std::string>& payloads,
                                              const std::string& access_conf,
                                              const OracleOptions& options);

// False (with a reason) when the oracle cannot run here: not root, no
// fwknopd 2.6.x, no `ip`, or network namespaces unusable. Callers print
// SKIPPED. Set SESAME_FWKNOPD to use another fwknopd binary.
bool fwknopd_oracle_available(std::string* why);

}  // namespace sesame::test
