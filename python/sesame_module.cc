// SPDX-License-Identifier: GPL-2.0-or-later
// The Python binding of libsesame (pybind11): encode, decode and key generation with fwknop's wire format, errors as
// typed exceptions. The successor of libfko's perl and python bindings; docs/python.md shows it in use.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <variant>

#include "spa/key_gen.h"
#include "spa/packet_codec.h"
#include "spa/random.h"

namespace py = pybind11;
using namespace sesame;

namespace {

// Exception classes, created in the module init below and owned by the module (handles: no destructor runs after
// the interpreter is gone).
py::handle error_class, hmac_error_class, decryption_error_class, decode_error_class, key_error_class,
    argument_error_class, gpg_error_class;

[[noreturn]] void raise(const spa::Error& error) {
  py::handle type = error_class;
  switch (error.code) {
    case spa::ErrorCode::kHmacMismatch:
      type = hmac_error_class;
      break;
    case spa::ErrorCode::kDecryptionFailed:
    case spa::ErrorCode::kBadCipherLength:
      type = decryption_error_class;
      break;
    case spa::ErrorCode::kInvalidKey:
      type = key_error_class;
      break;
    case spa::ErrorCode::kInvalidArgument:
    case spa::ErrorCode::kTooLong:
      type = argument_error_class;
      break;
    case spa::ErrorCode::kGpgError:
    case spa::ErrorCode::kGpgNoSignature:
    case spa::ErrorCode::kGpgBadSignature:
      type = gpg_error_class;
      break;
    case spa::ErrorCode::kInternal:
      break;
    default:  // framing, structure and field errors: the packet is not a valid SPA packet
      type = decode_error_class;
  }
  py::object exception = type(error.to_string());
  exception.attr("code") = std::string(spa::error_code_name(error.code));
  exception.attr("field") = error.field == spa::Field::kNone
                                ? py::object(py::none())
                                : py::object(py::str(std::string(spa::field_name(error.field))));
  PyErr_SetObject(type.ptr(), exception.ptr());
  throw py::error_already_set();
}

template <class T>
T value_or_raise(spa::Result<T> result) {
  if (!result) raise(result.error());
  return std::move(*result);
}

using KeyBytes = std::variant<py::bytes, std::string>;

SecretBytes secret(const KeyBytes& key) {
  if (const auto* text = std::get_if<std::string>(&key)) return SecretBytes::from_text(*text);
  const std::string raw = std::get<py::bytes>(key);
  return SecretBytes(std::vector<std::uint8_t>(raw.begin(), raw.end()));
}

spa::DigestType digest(const std::string& name) {
  const auto type = spa::parse_digest_name(name);
  if (!type) raise(spa::Error{spa::ErrorCode::kInvalidArgument, spa::Field::kNone, "unknown digest \"" + name + "\""});
  return *type;
}

spa::EncryptionMode mode(const std::string& name) {
  static const std::pair<const char*, spa::EncryptionMode> kModes[] = {
      {"cbc", spa::EncryptionMode::kCbc}, {"ecb", spa::EncryptionMode::kEcb},
      {"cfb", spa::EncryptionMode::kCfb}, {"ofb", spa::EncryptionMode::kOfb},
      {"ctr", spa::EncryptionMode::kCtr}, {"legacy", spa::EncryptionMode::kCbcLegacyIv}};
  for (const auto& [text, value] : kModes)
    if (name == text) return value;
  raise(spa::Error{spa::ErrorCode::kInvalidArgument, spa::Field::kNone,
                   "unknown mode \"" + name + "\" (cbc, ecb, cfb, ofb, ctr or legacy)"});
}

spa::Keys keys(const KeyBytes& key, const std::optional<KeyBytes>& hmac_key, const std::string& mode_name,
               const std::string& hmac_type) {
  spa::Keys k;
  k.encryption_key = secret(key);
  if (hmac_key) k.hmac_key = secret(*hmac_key);
  k.mode = mode(mode_name);
  k.hmac_type = digest(hmac_type);
  return k;
}

// A codec for many packets with one key set (what a server stanza or a load generator keeps).
class Codec {
 public:
  Codec(const KeyBytes& key, const std::optional<KeyBytes>& hmac_key, const std::string& mode_name,
        const std::string& hmac_type)
      : codec_(value_or_raise(spa::PacketCodec::create(keys(key, hmac_key, mode_name, hmac_type)))) {}
  std::string encode(const spa::Message& message) { return value_or_raise(codec_.encode(message)); }
  spa::Message decode(const std::string& wire) { return value_or_raise(codec_.decode(wire)).message; }

 private:
  spa::PacketCodec codec_;
};

}  // namespace

PYBIND11_MODULE(sesame, m) {
  m.doc() = "libsesame: fwknop 2.6-compatible Single Packet Authorization packets";

  // New references, kept for the life of the process (the module holds them too).
  error_class = PyErr_NewException("sesame.Error", PyExc_Exception, nullptr);
  const auto subclass = [&](const char* name) {
    return py::handle(PyErr_NewException(name, error_class.ptr(), nullptr));
  };
  hmac_error_class = subclass("sesame.HmacError");
  decryption_error_class = subclass("sesame.DecryptionError");
  decode_error_class = subclass("sesame.DecodeError");
  key_error_class = subclass("sesame.InvalidKeyError");
  argument_error_class = subclass("sesame.ArgumentError");
  gpg_error_class = subclass("sesame.GpgError");
  m.attr("Error") = error_class;
  m.attr("HmacError") = hmac_error_class;
  m.attr("DecryptionError") = decryption_error_class;
  m.attr("DecodeError") = decode_error_class;
  m.attr("InvalidKeyError") = key_error_class;
  m.attr("ArgumentError") = argument_error_class;
  m.attr("GpgError") = gpg_error_class;

  py::enum_<spa::MessageType>(m, "MessageType")
      .value("COMMAND", spa::MessageType::kCommand)
      .value("ACCESS", spa::MessageType::kAccess)
      .value("NAT_ACCESS", spa::MessageType::kNatAccess)
      .value("CLIENT_TIMEOUT_ACCESS", spa::MessageType::kClientTimeoutAccess)
      .value("CLIENT_TIMEOUT_NAT_ACCESS", spa::MessageType::kClientTimeoutNatAccess)
      .value("LOCAL_NAT_ACCESS", spa::MessageType::kLocalNatAccess)
      .value("CLIENT_TIMEOUT_LOCAL_NAT_ACCESS", spa::MessageType::kClientTimeoutLocalNatAccess);

  py::class_<spa::Message>(m, "Message")
      .def(py::init([](std::string message, std::string username, std::uint32_t timestamp, spa::MessageType type,
                       std::optional<std::string> nat_access, std::uint32_t client_timeout,
                       std::optional<std::string> random_value, std::string digest_type) {
             spa::Message msg;
             msg.message = std::move(message);
             msg.username = std::move(username);
             msg.timestamp = timestamp;
             msg.type = type;
             msg.nat_access = std::move(nat_access);
             msg.client_timeout = client_timeout;
             msg.digest_type = digest(digest_type);
             if (random_value) {
               msg.random_value = std::move(*random_value);
             } else {
               msg.random_value = value_or_raise(spa::make_random_value());
             }
             return msg;
           }),
           py::arg("message"), py::arg("username"), py::arg("timestamp"), py::arg("type") = spa::MessageType::kAccess,
           py::arg("nat_access") = py::none(), py::arg("client_timeout") = 0, py::arg("random_value") = py::none(),
           py::arg("digest_type") = "sha256")
      .def_readwrite("random_value", &spa::Message::random_value)
      .def_readwrite("username", &spa::Message::username)
      .def_readwrite("timestamp", &spa::Message::timestamp)
      .def_readwrite("version", &spa::Message::version)
      .def_readwrite("type", &spa::Message::type)
      .def_readwrite("message", &spa::Message::message)
      .def_readwrite("nat_access", &spa::Message::nat_access)
      .def_readwrite("server_auth", &spa::Message::server_auth)
      .def_readwrite("client_timeout", &spa::Message::client_timeout)
      .def_property(
          "digest_type", [](const spa::Message& msg) { return std::string(spa::digest_name(msg.digest_type)); },
          [](spa::Message& msg, const std::string& name) { msg.digest_type = digest(name); })
      .def("__eq__", [](const spa::Message& a, const spa::Message& b) { return a == b; })
      .def("__repr__", [](const spa::Message& msg) {
        return "sesame.Message(message='" + msg.message + "', username='" + msg.username +
               "', timestamp=" + std::to_string(msg.timestamp) + ")";
      });

  py::class_<Codec>(m, "Codec", "Encodes and decodes many packets with one key set.")
      .def(py::init<const KeyBytes&, const std::optional<KeyBytes>&, const std::string&, const std::string&>(),
           py::arg("key"), py::arg("hmac_key") = py::none(), py::arg("mode") = "cbc", py::arg("hmac_type") = "sha256")
      .def("encode", &Codec::encode, py::arg("message"))
      .def("decode", &Codec::decode, py::arg("wire"));

  m.def(
      "encode",
      [](const spa::Message& message, const KeyBytes& key, const std::optional<KeyBytes>& hmac_key,
         const std::string& mode_name,
         const std::string& hmac_type) { return Codec(key, hmac_key, mode_name, hmac_type).encode(message); },
      "The SPA payload (base64 text, the UDP datagram's content) for `message`.", py::arg("message"), py::arg("key"),
      py::arg("hmac_key") = py::none(), py::arg("mode") = "cbc", py::arg("hmac_type") = "sha256");
  m.def(
      "decode",
      [](const std::string& wire, const KeyBytes& key, const std::optional<KeyBytes>& hmac_key,
         const std::string& mode_name,
         const std::string& hmac_type) { return Codec(key, hmac_key, mode_name, hmac_type).decode(wire); },
      "The message in an SPA payload; the HMAC is checked before anything is decrypted.", py::arg("wire"),
      py::arg("key"), py::arg("hmac_key") = py::none(), py::arg("mode") = "cbc", py::arg("hmac_type") = "sha256");
  m.def(
      "generate_keys",
      [](std::size_t key_length, const std::string& hmac_type, std::optional<std::size_t> hmac_key_length) {
        const auto generated = value_or_raise(spa::generate_keys(digest(hmac_type), key_length, hmac_key_length));
        return py::make_tuple(generated.key_base64, generated.hmac_key_base64);
      },
      "New random keys as (KEY_BASE64, HMAC_KEY_BASE64), as `fwknop --key-gen` prints them.",
      py::arg("key_length") = 32, py::arg("hmac_type") = "sha256", py::arg("hmac_key_length") = py::none());
}
