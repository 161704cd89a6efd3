// SPDX-License-Identifier: GPL-2.0-or-later
// libgpgme, loaded with dlopen() the first time GnuPG is used. Linked normally it brings libgpgme, libassuan and
// libgpg-error into every process: about a third of the dynamic loader's work at each client start and ~1 MB of
// sesamed's memory, for a mode most users never turn on. The one piece of process state in libsesame: the table is
// filled once (thread-safely) and never written again.
#pragma once

#include <gpgme.h>

#include "spa/error.h"

namespace sesame::spa {

// The gpgme functions gpg.cc calls, each with the type the header declares.
struct GpgmeLibrary {
  decltype(&::gpgme_check_version_internal) check_version_internal;
  decltype(&::gpgme_engine_check_version) engine_check_version;
  decltype(&::gpgme_strerror_r) strerror_r;
  decltype(&::gpgme_err_code_from_syserror) err_code_from_syserror;
  decltype(&::gpgme_io_writen) io_writen;
  decltype(&::gpgme_new) new_context;
  decltype(&::gpgme_release) release;
  decltype(&::gpgme_set_protocol) set_protocol;
  decltype(&::gpgme_ctx_set_engine_info) ctx_set_engine_info;
  decltype(&::gpgme_set_armor) set_armor;
  decltype(&::gpgme_set_offline) set_offline;
  decltype(&::gpgme_set_keylist_mode) set_keylist_mode;
  decltype(&::gpgme_set_pinentry_mode) set_pinentry_mode;
  decltype(&::gpgme_set_passphrase_cb) set_passphrase_cb;
  decltype(&::gpgme_op_keylist_start) op_keylist_start;
  decltype(&::gpgme_op_keylist_next) op_keylist_next;
  decltype(&::gpgme_op_keylist_end) op_keylist_end;
  decltype(&::gpgme_key_unref) key_unref;
  decltype(&::gpgme_signers_add) signers_add;
  decltype(&::gpgme_data_new) data_new;
  decltype(&::gpgme_data_new_from_mem) data_new_from_mem;
  decltype(&::gpgme_data_new_from_cbs) data_new_from_cbs;
  decltype(&::gpgme_data_seek) data_seek;
  decltype(&::gpgme_data_read) data_read;
  decltype(&::gpgme_data_release) data_release;
  decltype(&::gpgme_op_encrypt) op_encrypt;
  decltype(&::gpgme_op_encrypt_sign) op_encrypt_sign;
  decltype(&::gpgme_op_encrypt_result) op_encrypt_result;
  decltype(&::gpgme_op_sign_result) op_sign_result;
  decltype(&::gpgme_op_decrypt_verify) op_decrypt_verify;
  decltype(&::gpgme_op_decrypt_result) op_decrypt_result;
  decltype(&::gpgme_op_verify_result) op_verify_result;
};

// libgpgme.so.11 with every function above, gpgme_check_version done; else why not (kGpgError, one line).
Result<const GpgmeLibrary*> gpgme_library();

}  // namespace sesame::spa
