// SPDX-License-Identifier: GPL-2.0-or-later
// An fwknop-compatible SPA packet built in the browser (protocol.md §3, §4, §6, §7): fields, inner SHA-256 digest,
// Rijndael (AES-256 with fwknop's MD5 EVP_BytesToKey derivation), HMAC. WebCrypto does AES, SHA-256 and HMAC;
// md5.js does the key derivation. Nothing here touches the page or the network.
"use strict";
(function (ns) {
  const kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const kSaltedPrefix = new TextEncoder().encode("Salted__");
  const kVersion = "3.0.0";  // FKO_PROTOCOL_VERSION of fwknop 2.6.10/2.6.11
  const kAccessType = 1;
  const kClientTimeoutAccessType = 3;  // type 1 with a client timeout (protocol.md §1.1)
  // WebCrypto names of the HMAC digests fwknop calls sha1/sha256/sha384/sha512 (SHA3 is not in WebCrypto).
  const kHmacHashes = { sha1: "SHA-1", sha256: "SHA-256", sha384: "SHA-384", sha512: "SHA-512" };
  // A stock fwknopd decrypts a Rijndael packet only below 400 base64 characters (protocol.md §11).
  const kMaxWireChars = 399;

  class SpaError extends Error {
    constructor(field, message) {
      super(field + ": " + message);
      this.field = field;
    }
  }

  // Standard base64 with '=' padding (what --key-gen prints).
  function base64Encode(bytes) {
    let out = "";
    for (let i = 0; i < bytes.length; i += 3) {
      const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
      out += kAlphabet[(n >> 18) & 63] + kAlphabet[(n >> 12) & 63];
      out += i + 1 < bytes.length ? kAlphabet[(n >> 6) & 63] : "=";
      out += i + 2 < bytes.length ? kAlphabet[n & 63] : "=";
    }
    return out;
  }

  // fwknop's base64 everywhere on the wire: cut at the first '=' (protocol.md §2).
  function base64NoPad(bytes) {
    const padded = base64Encode(bytes);
    const eq = padded.indexOf("=");
    return eq < 0 ? padded : padded.slice(0, eq);
  }

  // Strict decoding for keys typed or pasted by a person: whitespace around is ignored, padding is optional, any
  // other character is an error naming the field (the key itself is never echoed).
  function base64Decode(text, field) {
    const clean = text.trim().replace(/=+$/, "");
    if (clean.length === 0) throw new SpaError(field, "is empty");
    if (!/^[A-Za-z0-9+/]*$/.test(clean) || clean.length % 4 === 1) throw new SpaError(field, "not valid base64");
    const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
    let bits = 0, value = 0, n = 0;
    for (const c of clean) {
      value = (value << 6) | kAlphabet.indexOf(c);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out[n++] = (value >> bits) & 0xff;
      }
    }
    return out;
  }

  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  // OpenSSL EVP_BytesToKey(MD5, 1 round): D1 = MD5(P||S), Di = MD5(Di-1||P||S); key = D1||D2, iv = D3. fwknop uses it
  // for every key length, always giving AES-256 (protocol.md §4.1).
  function deriveKeyIv(passphrase, salt) {
    const d1 = ns.md5(concat(passphrase, salt));
    const d2 = ns.md5(concat(d1, passphrase, salt));
    const d3 = ns.md5(concat(d2, passphrase, salt));
    return { key: concat(d1, d2), iv: d3 };
  }

  // 16 decimal digits, each drawn without bias from crypto.getRandomValues (fwknop concatenates rand() outputs; the
  // receiver only checks for 16 digits).
  function randomValue() {
    let digits = "";
    while (digits.length < 16) {
      for (const byte of crypto.getRandomValues(new Uint8Array(32))) {
        if (byte < 250 && digits.length < 16) digits += String(byte % 10);
      }
    }
    return digits;
  }

  function utf8(text) {
    return new TextEncoder().encode(text);
  }

  // validate_username of libfko: printable ASCII without " / \ [ ] : ; | = , + * ? < >; the decoder takes at most
  // 64 base64 characters, so 48 bytes.
  function checkUser(user) {
    if (user.length === 0) throw new SpaError("user", "is empty");
    if (user.length > 48) throw new SpaError("user", "longer than 48 characters");
    if (!/^[\x20-\x7e]+$/.test(user) || /["/\\[\]:;|=,+*?<>]/.test(user)) {
      throw new SpaError("user", "may hold printable ASCII except \" / \\ [ ] : ; | = , + * ? < >");
    }
  }

  // The allow IP as fwknop requires it (protocol.md §3.3); leading zeros are refused because inet_aton would read
  // them as octal.
  function checkAllowIp(ip) {
    const octets = ip.split(".");
    const ok = octets.length === 4 && octets.every((o) => /^(0|[1-9][0-9]{0,2})$/.test(o) && Number(o) <= 255);
    if (!ok) throw new SpaError("allow IP", "\"" + ip + "\" is not an IPv4 address (a.b.c.d, or 0.0.0.0)");
  }

  // tcp/N and udp/N only: the only specs libfko decodes and fwknopd grants (protocol.md §17.4).
  function checkAccess(access) {
    const specs = access.split(",");
    for (const spec of specs) {
      const match = /^(tcp|udp)\/([0-9]{1,5})$/.exec(spec);
      if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535) {
        throw new SpaError("access", "\"" + spec + "\" is not tcp/PORT or udp/PORT (1-65535)");
      }
    }
  }

  // The encoded message of protocol.md §3.1 for an access request, with the type adjustment of §1.1.
  function encodeMessage(f) {
    const timeout = f.clientTimeout ?? 0;
    const type = timeout > 0 ? kClientTimeoutAccessType : kAccessType;
    const parts = [f.random, base64NoPad(utf8(f.user)), String(f.timestamp), f.version ?? kVersion, String(type),
                   base64NoPad(utf8(f.allowIp + "," + f.access))];
    if (timeout > 0) parts.push(String(timeout));
    return parts.join(":");
  }

  // PKCS#7, which fwknop applies in every mode, stream modes included (protocol.md §4.3).
  function pkcs7(bytes) {
    const n = 16 - (bytes.length % 16);
    return concat(bytes, new Uint8Array(n).fill(n));
  }

  async function encrypt(mode, key, iv, plaintext) {
    const aes = await crypto.subtle.importKey("raw", key, mode === "ctr" ? "AES-CTR" : "AES-CBC", false, ["encrypt"]);
    if (mode === "ctr") {
      // fwknop's CTR: the counter block starts at the IV and counts as one 128-bit big-endian integer.
      return new Uint8Array(await crypto.subtle.encrypt({ name: "AES-CTR", counter: iv, length: 128 }, aes,
                                                        pkcs7(plaintext)));
    }
    // WebCrypto's AES-CBC adds the PKCS#7 padding itself.
    return new Uint8Array(await crypto.subtle.encrypt({ name: "AES-CBC", iv }, aes, plaintext));
  }

  // The inner digest (protocol.md §3.5): the receiver tells its type by its length.
  async function innerDigest(type, bytes) {
    if (type === "md5") return ns.md5(bytes);
    return new Uint8Array(await crypto.subtle.digest(kHmacHashes[type], bytes));
  }

  // HMAC of `type` (sha1, sha256, sha384, sha512) over the ASCII `text`.
  async function hmac(type, key, text) {
    const k = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: kHmacHashes[type] }, false, ["sign"]);
    return new Uint8Array(await crypto.subtle.sign("HMAC", k, utf8(text)));
  }

  // Builds one packet. `options`: keyBase64, hmacKeyBase64, hmacType (sha256 default), mode ("cbc" default or
  // "ctr"), innerDigest (sha256 default; md5, sha1, sha384, sha512), user, allowIp, access ("tcp/22,udp/53"), clientTimeout (seconds, 0 = none). `fixed` replaces the random
  // and time inputs (random, timestamp, salt) for the known-answer tests only.
  // Returns { encoded, plaintext, wire, httpPath }.
  async function buildPacket(options, fixed = {}) {
    const mode = options.mode ?? "cbc";
    if (mode !== "cbc" && mode !== "ctr") throw new SpaError("mode", "\"" + mode + "\" is not cbc or ctr");
    const hmacType = options.hmacType ?? "sha256";
    if (!kHmacHashes[hmacType]) throw new SpaError("HMAC digest", "\"" + hmacType + "\" is not sha1, sha256, sha384 or sha512");
    const key = base64Decode(options.keyBase64 ?? "", "KEY_BASE64");
    if (key.length > 32) throw new SpaError("KEY_BASE64", "decodes to more than 32 bytes (fwknop's limit)");
    const hmacKey = base64Decode(options.hmacKeyBase64 ?? "", "HMAC_KEY_BASE64");
    if (hmacKey.length > 128) throw new SpaError("HMAC_KEY_BASE64", "decodes to more than 128 bytes");
    if (key.length === hmacKey.length && key.every((b, i) => b === hmacKey[i])) {
      throw new SpaError("HMAC_KEY_BASE64", "equals KEY_BASE64 (fwknop refuses identical keys)");
    }
    const innerDigestType = options.innerDigest ?? "sha256";
    if (innerDigestType !== "md5" && !kHmacHashes[innerDigestType]) {
      throw new SpaError("digest", "\"" + innerDigestType + "\" is not md5, sha1, sha256, sha384 or sha512");
    }
    const user = options.user ?? "";
    checkUser(user);
    checkAllowIp(options.allowIp ?? "");
    checkAccess(options.access ?? "");
    const clientTimeout = Number(options.clientTimeout ?? 0);
    if (!Number.isInteger(clientTimeout) || clientTimeout < 0 || clientTimeout > 65536) {
      throw new SpaError("client timeout", "must be a whole number of seconds, 0-65536");
    }

    const encoded = encodeMessage({
      random: fixed.random ?? randomValue(),
      user,
      timestamp: fixed.timestamp ?? Math.floor(Date.now() / 1000),
      allowIp: options.allowIp,
      access: options.access,
      clientTimeout,
    });
    const digest = await innerDigest(innerDigestType, utf8(encoded));
    const plaintext = encoded + ":" + base64NoPad(digest);

    const salt = fixed.salt ?? crypto.getRandomValues(new Uint8Array(8));
    const { key: aesKey, iv } = deriveKeyIv(key, salt);
    const blob = concat(kSaltedPrefix, salt, await encrypt(mode, aesKey, iv, utf8(plaintext)));
    const full = base64NoPad(blob);  // starts with "U2FsdGVkX1", the base64 of "Salted__"
    // The HMAC covers the full base64 text, prefix included; the wire drops the prefix (protocol.md §6, §7).
    const wire = full.slice(10) + base64NoPad(await hmac(hmacType, hmacKey, full));
    if (wire.length > kMaxWireChars) {
      throw new SpaError("access", "the packet would be " + wire.length + " characters; fwknopd takes at most " +
                         kMaxWireChars + " (fewer ports or a shorter user name)");
    }
    // SPA over HTTP: URL-safe base64 in the path, as `fwknop -P http` sends it (protocol.md §12.4).
    const httpPath = "/" + wire.replace(/\+/g, "-").replace(/\//g, "_");
    return { encoded, plaintext, wire, httpPath };
  }

  ns.spa = { SpaError, base64Encode, base64NoPad, base64Decode, deriveKeyIv, randomValue, encodeMessage, innerDigest, hmac,
            buildPacket };
})(globalThis.Sesame = globalThis.Sesame || {});
