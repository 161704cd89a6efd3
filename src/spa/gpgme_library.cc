// SPDX-License-Identifier: GPL-2.0-or-later
#include "spa/gpgme_library.h"

#include <dlfcn.h>

#include <cstddef>
#include <string>

namespace sesame::spa {
namespace {

// The soname of Debian's libgpgme11 (gpgme 1.x ABI).
constexpr const char* kSoname = "libgpgme.so.11";

class Binder {
 public:
  explicit Binder(void* library) : library_(library) {}

  template <class Function>
  void operator()(const char* name, Function& function) {
    function = reinterpret_cast<Function>(dlsym(library_, name));
    if (function == nullptr && missing_.empty()) missing_ = name;
  }

  const std::string& first_missing() const { return missing_; }

 private:
  void* library_;
  std::string missing_;
};

Result<GpgmeLibrary> load() {
  void* library = dlopen(kSoname, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) return error(ErrorCode::kGpgError, std::string("GnuPG support needs ") + dlerror());
  GpgmeLibrary gpgme{};
  Binder bind{library};
  bind("gpgme_check_version_internal", gpgme.check_version_internal);
  bind("gpgme_engine_check_version", gpgme.engine_check_version);
  bind("gpgme_strerror_r", gpgme.strerror_r);
  bind("gpgme_err_code_from_syserror", gpgme.err_code_from_syserror);
  bind("gpgme_io_writen", gpgme.io_writen);
  bind("gpgme_new", gpgme.new_context);
  bind("gpgme_release", gpgme.release);
  bind("gpgme_set_protocol", gpgme.set_protocol);
  bind("gpgme_ctx_set_engine_info", gpgme.ctx_set_engine_info);
  bind("gpgme_set_armor", gpgme.set_armor);
  bind("gpgme_set_offline", gpgme.set_offline);
  bind("gpgme_set_keylist_mode", gpgme.set_keylist_mode);
  bind("gpgme_set_pinentry_mode", gpgme.set_pinentry_mode);
  bind("gpgme_set_passphrase_cb", gpgme.set_passphrase_cb);
  bind("gpgme_op_keylist_start", gpgme.op_keylist_start);
  bind("gpgme_op_keylist_next", gpgme.op_keylist_next);
  bind("gpgme_op_keylist_end", gpgme.op_keylist_end);
  bind("gpgme_key_unref", gpgme.key_unref);
  bind("gpgme_signers_add", gpgme.signers_add);
  bind("gpgme_data_new", gpgme.data_new);
  bind("gpgme_data_new_from_mem", gpgme.data_new_from_mem);
  bind("gpgme_data_new_from_cbs", gpgme.data_new_from_cbs);
  bind("gpgme_data_seek", gpgme.data_seek);
  bind("gpgme_data_read", gpgme.data_read);
  bind("gpgme_data_release", gpgme.data_release);
  bind("gpgme_op_encrypt", gpgme.op_encrypt);
  bind("gpgme_op_encrypt_sign", gpgme.op_encrypt_sign);
  bind("gpgme_op_encrypt_result", gpgme.op_encrypt_result);
  bind("gpgme_op_sign_result", gpgme.op_sign_result);
  bind("gpgme_op_decrypt_verify", gpgme.op_decrypt_verify);
  bind("gpgme_op_decrypt_result", gpgme.op_decrypt_result);
  bind("gpgme_op_verify_result", gpgme.op_verify_result);
  if (!bind.first_missing().empty())
    return error(ErrorCode::kGpgError, std::string(kSoname) + " has no " + bind.first_missing());
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
