// SPDX-License-Identifier: GPL-2.0-or-later
// GnuPG layer via gpgme: one fresh context per call, loopback pinentry fed from SecretBytes, errors as values.
#include "spa/gpg.h"

#include <gpgme.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <type_traits>
#include <utility>

#include "spa/gpgme_library.h"

namespace sesame::spa {
namespace {

// A valid SPA plaintext is < 1500 bytes, but OpenPGP data may be compressed: without a bound a sub-kilobyte
// bzip2 packet could make gpg inflate (and us buffer) gigabytes.
constexpr std::size_t kMaxPlaintextBytes = 64 * 1024;

// The loaded library: only called once ready_gpgme() succeeded (every object below comes from it).
const GpgmeLibrary& gpgme() {
  return *gpgme_library().value();
}

struct ReleaseCtx {
  void operator()(gpgme_ctx_t ctx) const noexcept { gpgme().release(ctx); }
};
struct ReleaseData {
  void operator()(gpgme_data_t data) const noexcept { gpgme().data_release(data); }
};
struct UnrefKey {
  void operator()(gpgme_key_t key) const noexcept { gpgme().key_unref(key); }
};
using CtxPtr = std::unique_ptr<std::remove_pointer_t<gpgme_ctx_t>, ReleaseCtx>;
using DataPtr = std::unique_ptr<std::remove_pointer_t<gpgme_data_t>, ReleaseData>;
using KeyPtr = std::unique_ptr<std::remove_pointer_t<gpgme_key_t>, UnrefKey>;

std::string gpgme_text(gpgme_error_t err) {
  std::array<char, 256> text{};
  gpgme().strerror_r(err, text.data(), text.size());  // the thread-safe variant
  text.back() = '\0';
  return text.data();
}

Failure<Error> gpg_failure(std::string_view what, gpgme_error_t err) {
  return error(ErrorCode::kGpgError, std::string(what) + ": " + gpgme_text(err));
}

std::string upper(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return char(std::toupper(c)); });
  return out;
}

// Loaded (gpgme_library.h) and its OpenPGP engine checked, once.
Result<const GpgmeLibrary*> ready_gpgme() {
  auto library = gpgme_library();
  if (!library) return fail(library.error());
  static const gpgme_error_t engine = (*library)->engine_check_version(GPGME_PROTOCOL_OpenPGP);
  if (engine) return error(ErrorCode::kGpgError, "gpgme OpenPGP engine unavailable: " + gpgme_text(engine));
  return library;
}

// The passphrase comes from configuration, not from a person: if gpg rejected it once, the same bytes will not
// do better, so stop instead of letting gpg-agent ask again.
gpgme_error_t supply_passphrase(void* hook, const char* /*uid_hint*/, const char* /*info*/, int prev_was_bad, int fd) {
  if (prev_was_bad) return gpgme_error(GPG_ERR_BAD_PASSPHRASE);
  const auto& passphrase = *static_cast<const SecretBytes*>(hook);
  if (!passphrase.empty() && gpgme().io_writen(fd, passphrase.bytes().data(), passphrase.size()) != 0)
    return gpgme_error(gpgme().err_code_from_syserror());
  if (gpgme().io_writen(fd, "\n", 1) != 0) return gpgme_error(gpgme().err_code_from_syserror());
  return 0;
}

// gpg reads the passphrase as one line: a newline would silently cut it short.
bool is_one_line(const SecretBytes& passphrase) {
  const auto bytes = passphrase.bytes();
  return std::find(bytes.begin(), bytes.end(), std::uint8_t{'\n'}) == bytes.end();
}

Result<CtxPtr> new_context(const std::string& home_dir, const SecretBytes& passphrase) {
  if (auto ready = ready_gpgme(); !ready) return fail(ready.error());
  gpgme_ctx_t raw = nullptr;
  if (const gpgme_error_t err = gpgme().new_context(&raw)) return gpg_failure("gpgme_new", err);
  CtxPtr ctx(raw);
  if (const gpgme_error_t err = gpgme().set_protocol(ctx.get(), GPGME_PROTOCOL_OpenPGP))
    return gpg_failure("gpgme_set_protocol", err);
  if (!home_dir.empty()) {
    // Per context, not gpgme_set_engine_info: two stanzas with different GPG_HOME_DIRs must not race.
    if (const gpgme_error_t err =
            gpgme().ctx_set_engine_info(ctx.get(), GPGME_PROTOCOL_OpenPGP, nullptr, home_dir.c_str()))
      return gpg_failure("gpgme_ctx_set_engine_info(" + home_dir + ")", err);
  }
  gpgme().set_armor(ctx.get(), 0);    // binary: the SPA layer base64-encodes it itself (protocol.md §5)
  gpgme().set_offline(ctx.get(), 1);  // no dirmngr: verifying a signature must never fetch keys from the network
  if (const gpgme_error_t err = gpgme().set_keylist_mode(ctx.get(), GPGME_KEYLIST_MODE_LOCAL))
    return gpg_failure("gpgme_set_keylist_mode", err);
  if (const gpgme_error_t err = gpgme().set_pinentry_mode(ctx.get(), GPGME_PINENTRY_MODE_LOOPBACK))
    return gpg_failure("gpgme_set_pinentry_mode(loopback)", err);
  // gpgme only reads through the hook; the SecretBytes outlives the context (both belong to the caller's call).
  gpgme().set_passphrase_cb(ctx.get(), supply_passphrase, const_cast<SecretBytes*>(&passphrase));
  return ctx;
}

// Exactly one key must match `spec`, as in fwknop: a second match means the configuration is ambiguous.
Result<KeyPtr> find_key(gpgme_ctx_t ctx, const std::string& spec, bool is_secret, std::string_view role) {
  const std::string what = std::string(role) + " key \"" + spec + "\"";
  if (spec.empty()) return error(ErrorCode::kGpgError, std::string(role) + " key id is empty");
  if (const gpgme_error_t err = gpgme().op_keylist_start(ctx, spec.c_str(), is_secret ? 1 : 0))
    return gpg_failure("listing " + what, err);
  gpgme_key_t raw = nullptr;
  gpgme_error_t err = gpgme().op_keylist_next(ctx, &raw);
  KeyPtr first(raw);
  KeyPtr second;
  if (!err) {
    raw = nullptr;
    err = gpgme().op_keylist_next(ctx, &raw);
    second.reset(raw);
  }
  gpgme().op_keylist_end(ctx);
  if (!first) {
    if (gpgme_err_code(err) == GPG_ERR_EOF)
      return error(ErrorCode::kGpgError, what + " not found" + (is_secret ? " among secret keys" : ""));
    return gpg_failure("listing " + what, err);
  }
  if (second) {
    return error(ErrorCode::kGpgError, what + " is ambiguous: matches " + upper(first->fpr ? first->fpr : "?") +
                                           " and " + upper(second->fpr ? second->fpr : "?"));
  }
  if (gpgme_err_code(err) != GPG_ERR_EOF) return gpg_failure("listing " + what, err);
  if (first->revoked || first->expired || first->disabled || first->invalid)
    return error(ErrorCode::kGpgError, what + " is revoked, expired, disabled or invalid");
  return first;
}

Result<DataPtr> data_from(std::span<const std::uint8_t> bytes) {
  gpgme_data_t raw = nullptr;
  // copy = 0: gpgme reads our buffer in place, so no second copy of the plaintext is left in gpgme's heap.
  if (const gpgme_error_t err =
          gpgme().data_new_from_mem(&raw, reinterpret_cast<const char*>(bytes.data()), bytes.size(), 0))
    return gpg_failure("gpgme_data_new_from_mem", err);
  return DataPtr(raw);
}

Result<std::vector<std::uint8_t>> read_all(gpgme_data_t data) {
  if (gpgme().data_seek(data, 0, SEEK_SET) != 0)
    return gpg_failure("gpgme_data_seek", gpgme_error(gpgme().err_code_from_syserror()));
  std::vector<std::uint8_t> out;
  std::array<std::uint8_t, 4096> chunk{};
  for (;;) {
    const ssize_t got = gpgme().data_read(data, chunk.data(), chunk.size());
    if (got == 0) break;
    if (got < 0) return gpg_failure("gpgme_data_read", gpgme_error(gpgme().err_code_from_syserror()));
    out.insert(out.end(), chunk.begin(), chunk.begin() + got);
  }
  return out;
}

// "gpgme_op_encrypt_sign: Unusable public key (recipient ...: reason)" — gpgme's own reason per key.
std::string encrypt_failure_detail(gpgme_ctx_t ctx, std::string_view op, gpgme_error_t err, bool is_signing) {
  std::string detail = std::string(op) + ": " + gpgme_text(err);
  if (const gpgme_encrypt_result_t result = gpgme().op_encrypt_result(ctx)) {
    for (gpgme_invalid_key_t key = result->invalid_recipients; key != nullptr; key = key->next)
      detail += std::string(" (recipient ") + (key->fpr ? key->fpr : "?") + ": " + gpgme_text(key->reason) + ")";
  }
  if (is_signing) {
    if (const gpgme_sign_result_t result = gpgme().op_sign_result(ctx)) {
      for (gpgme_invalid_key_t key = result->invalid_signers; key != nullptr; key = key->next)
        detail += std::string(" (signer ") + (key->fpr ? key->fpr : "?") + ": " + gpgme_text(key->reason) + ")";
    }
  }
  return detail;
}

// Receives the decrypted plaintext straight from gpg, refusing more than kMaxPlaintextBytes.
struct PlaintextSink {
  std::string text;
  bool is_overflowed = false;
};

ssize_t sink_write(void* handle, const void* buffer, std::size_t size) {
  auto& sink = *static_cast<PlaintextSink*>(handle);
  if (size > kMaxPlaintextBytes - sink.text.size()) {
    sink.is_overflowed = true;
    errno = EFBIG;
    return -1;  // gpgme aborts the operation; gpg then dies on the closed pipe
  }
  sink.text.append(static_cast<const char*>(buffer), size);
  return static_cast<ssize_t>(size);
}

GpgSignature first_signature(gpgme_ctx_t ctx) {
  GpgSignature signature;
  const gpgme_verify_result_t result = gpgme().op_verify_result(ctx);
  if (result == nullptr || result->signatures == nullptr) return signature;
  const gpgme_signature_t sig = result->signatures;  // fwknop looks at the first signature only
  signature.present = true;
  signature.validity = static_cast<int>(sig->validity);
  signature.good = gpgme_err_code(sig->status) == GPG_ERR_NO_ERROR && sig->validity >= GPGME_VALIDITY_MARGINAL;
  // With the signer's key in the keyring this is its full fingerprint; without it, whatever the packet names
  // (a key id, or the issuer fingerprint of newer signers). Either way its tail is fwknop's signature ID.
  signature.fingerprint = upper(sig->fpr ? sig->fpr : "");
  signature.id = signature.fingerprint.size() > 8 ? signature.fingerprint.substr(signature.fingerprint.size() - 8)
                                                  : signature.fingerprint;
  signature.status_text = gpgme_text(sig->status);
  return signature;
}

}  // namespace

Result<std::vector<std::uint8_t>> gpg_encrypt(std::string_view plaintext, const GpgEncryptParams& params) {
  if (!is_one_line(params.signer_passphrase))
    return error(ErrorCode::kInvalidKey, "GPG signing passphrase contains a newline");
  auto ctx = new_context(params.home_dir, params.signer_passphrase);
  if (!ctx) return fail(ctx.error());
  auto recipient = find_key(ctx->get(), params.recipient, false, "recipient");
  if (!recipient) return fail(recipient.error());
  if (!(*recipient)->can_encrypt)
    return error(ErrorCode::kGpgError, "recipient key \"" + params.recipient + "\" has no usable encryption key");

  const bool is_signing = !params.signer.empty();
  if (is_signing) {
    auto signer = find_key(ctx->get(), params.signer, true, "signer");
    if (!signer) return fail(signer.error());
    if (!(*signer)->can_sign)
      return error(ErrorCode::kGpgError, "signer key \"" + params.signer + "\" has no usable signing key");
    if (const gpgme_error_t err = gpgme().signers_add(ctx->get(), signer->get()))
      return gpg_failure("gpgme_signers_add(" + params.signer + ")", err);
  }

  auto in = data_from({reinterpret_cast<const std::uint8_t*>(plaintext.data()), plaintext.size()});
  if (!in) return fail(in.error());
  gpgme_data_t raw_out = nullptr;
  if (const gpgme_error_t err = gpgme().data_new(&raw_out)) return gpg_failure("gpgme_data_new", err);
  const DataPtr out(raw_out);

  std::array<gpgme_key_t, 2> recipients = {recipient->get(), nullptr};
  // ALWAYS_TRUST as fwknop: the operator named this key. NO_ENCRYPT_TO: an encrypt-to line in gpg.conf must
  // not add a second recipient (protocol.md §5: exactly one).
  const auto flags = static_cast<gpgme_encrypt_flags_t>(GPGME_ENCRYPT_ALWAYS_TRUST | GPGME_ENCRYPT_NO_ENCRYPT_TO);
  const gpgme_error_t err = is_signing
                                ? gpgme().op_encrypt_sign(ctx->get(), recipients.data(), flags, in->get(), out.get())
                                : gpgme().op_encrypt(ctx->get(), recipients.data(), flags, in->get(), out.get());
  if (err) {
    return error(
        ErrorCode::kGpgError,
        encrypt_failure_detail(ctx->get(), is_signing ? "gpgme_op_encrypt_sign" : "gpgme_op_encrypt", err, is_signing));
  }
  if (is_signing) {
    const gpgme_sign_result_t signed_result = gpgme().op_sign_result(ctx->get());
    if (signed_result == nullptr || signed_result->signatures == nullptr || signed_result->invalid_signers != nullptr)
      return error(ErrorCode::kGpgError, "gpgme_op_encrypt_sign: message was not signed by \"" + params.signer + "\"");
  }
  return read_all(out.get());
}

Result<GpgDecrypted> gpg_decrypt(std::span<const std::uint8_t> blob, const GpgDecryptParams& params) {
  // fwknopd needs GPG_DECRYPT_PW or GPG_ALLOW_NO_PW; silently trying an empty passphrase would hide a config slip.
  if (params.passphrase.empty() && !params.allow_no_passphrase)
    return error(ErrorCode::kInvalidKey, "no GPG decryption passphrase and no-passphrase keys not allowed");
  if (!is_one_line(params.passphrase))
    return error(ErrorCode::kInvalidKey, "GPG decryption passphrase contains a newline");
  auto ctx = new_context(params.home_dir, params.passphrase);
  if (!ctx) return fail(ctx.error());
  auto in = data_from(blob);
  if (!in) return fail(in.error());

  PlaintextSink sink;
  gpgme_data_cbs callbacks{nullptr, sink_write, nullptr, nullptr};  // gpgme keeps a pointer: outlives `out`
  gpgme_data_t raw_out = nullptr;
  if (const gpgme_error_t err = gpgme().data_new_from_cbs(&raw_out, &callbacks, &sink))
    return gpg_failure("gpgme_data_new_from_cbs", err);
  DataPtr out(raw_out);

  const gpgme_error_t err = gpgme().op_decrypt_verify(ctx->get(), in->get(), out.get());
  out.reset();
  if (sink.is_overflowed)
    return error(ErrorCode::kGpgError, "decrypted data exceeds " + std::to_string(kMaxPlaintextBytes) + " bytes");
  const gpgme_decrypt_result_t decrypted = gpgme().op_decrypt_result(ctx->get());
  if (err) {
    std::string detail = "gpgme_op_decrypt_verify: " + gpgme_text(err);
    if (gpgme_err_code(err) == GPG_ERR_NO_SECKEY && decrypted != nullptr) {
      for (gpgme_recipient_t to = decrypted->recipients; to != nullptr; to = to->next)
        detail += std::string(" (encrypted to ") + (to->keyid ? to->keyid : "?") + ")";
    }
    return error(ErrorCode::kGpgError, std::move(detail));
  }
  if (decrypted != nullptr && decrypted->unsupported_algorithm != nullptr)
    return error(ErrorCode::kGpgError, std::string("unsupported algorithm ") + decrypted->unsupported_algorithm);
  return GpgDecrypted{std::move(sink.text), first_signature(ctx->get())};
}

Result<Ok> gpg_support() {
  return Ok{};
}

}  // namespace sesame::spa
