// SPDX-License-Identifier: GPL-2.0-or-later
#include "spa/gpgme_library.h"

#include <cstddef>
#include <string>

#include "common/shared_library.h"

namespace sesame::spa {
namespace {

// The soname of Debian's libgpgme11 (gpgme 1.x ABI).
constexpr const char* kSoname = "libgpgme.so.11";

Result<GpgmeLibrary> load() {
  auto library = SharedLibrary::open(kSoname);
  if (!library) return error(ErrorCode::kGpgError, "GnuPG support needs " + library.error());
  GpgmeLibrary gpgme{};
  SharedLibrary& lib = *library;
  lib.bind("gpgme_check_version_internal", gpgme.check_version_internal);
  lib.bind("gpgme_engine_check_version", gpgme.engine_check_version);
  lib.bind("gpgme_strerror_r", gpgme.strerror_r);
  lib.bind("gpgme_err_code_from_syserror", gpgme.err_code_from_syserror);
  lib.bind("gpgme_io_writen", gpgme.io_writen);
  lib.bind("gpgme_new", gpgme.new_context);
  lib.bind("gpgme_release", gpgme.release);
  lib.bind("gpgme_set_protocol", gpgme.set_protocol);
  lib.bind("gpgme_ctx_set_engine_info", gpgme.ctx_set_engine_info);
  lib.bind("gpgme_set_armor", gpgme.set_armor);
  lib.bind("gpgme_set_offline", gpgme.set_offline);
  lib.bind("gpgme_set_keylist_mode", gpgme.set_keylist_mode);
  lib.bind("gpgme_set_pinentry_mode", gpgme.set_pinentry_mode);
  lib.bind("gpgme_set_passphrase_cb", gpgme.set_passphrase_cb);
  lib.bind("gpgme_op_keylist_start", gpgme.op_keylist_start);
  lib.bind("gpgme_op_keylist_next", gpgme.op_keylist_next);
  lib.bind("gpgme_op_keylist_end", gpgme.op_keylist_end);
  lib.bind("gpgme_key_unref", gpgme.key_unref);
  lib.bind("gpgme_signers_add", gpgme.signers_add);
  lib.bind("gpgme_data_new", gpgme.data_new);
  lib.bind("gpgme_data_new_from_mem", gpgme.data_new_from_mem);
  lib.bind("gpgme_data_new_from_cbs", gpgme.data_new_from_cbs);
  lib.bind("gpgme_data_seek", gpgme.data_seek);
  lib.bind("gpgme_data_read", gpgme.data_read);
  lib.bind("gpgme_data_release", gpgme.data_release);
  lib.bind("gpgme_op_encrypt", gpgme.op_encrypt);
  lib.bind("gpgme_op_encrypt_sign", gpgme.op_encrypt_sign);
  lib.bind("gpgme_op_encrypt_result", gpgme.op_encrypt_result);
  lib.bind("gpgme_op_sign_result", gpgme.op_sign_result);
  lib.bind("gpgme_op_decrypt_verify", gpgme.op_decrypt_verify);
  lib.bind("gpgme_op_decrypt_result", gpgme.op_decrypt_result);
  lib.bind("gpgme_op_verify_result", gpgme.op_verify_result);
  if (!lib.first_missing().empty())
    return error(ErrorCode::kGpgError, std::string(kSoname) + " has no " + lib.first_missing());
  // gpgme_check_version() must run before the first context; it also refuses a library older than the headers
  // and one whose struct layout differs from them (the offset argument the header's macro passes).
  if (gpgme.check_version_internal(GPGME_VERSION, offsetof(struct _gpgme_signature, validity)) == nullptr)
    return error(ErrorCode::kGpgError, std::string(kSoname) + " is older than gpgme " GPGME_VERSION);
  return gpgme;  // stays loaded for the life of the process
}

}  // namespace

Result<const GpgmeLibrary*> gpgme_library() {
  static const Result<GpgmeLibrary> loaded = load();
  if (!loaded) return fail(loaded.error());
  return &loaded.value();
}

}  // namespace sesame::spa
