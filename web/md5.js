// SPDX-License-Identifier: GPL-2.0-or-later
// MD5 (RFC 1321) over bytes. WebCrypto has no MD5, yet fwknop's Rijndael key derivation (OpenSSL EVP_BytesToKey with
// MD5, protocol.md §4.1) needs it; MD5 is used here only for that derivation, never as a security hash on its own.
"use strict";
(function (ns) {
  // Per-round left rotations and the sine-derived constants K[i] = floor(abs(sin(i + 1)) * 2^32).
  const kShift = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
  const kSine = new Uint32Array(64);
  for (let i = 0; i < 64; ++i) kSine[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 0x100000000) >>> 0;

  // Pads to a whole number of 64-byte blocks: 0x80, zeros, then the bit length as 64-bit little endian.
  function pad(bytes) {
    const blocks = Math.ceil((bytes.length + 9) / 64);
    const out = new Uint8Array(blocks * 64);
    out.set(bytes);
    out[bytes.length] = 0x80;
    const view = new DataView(out.buffer);
    const bits = bytes.length * 8;
    view.setUint32(out.length - 8, bits >>> 0, true);
    view.setUint32(out.length - 4, Math.floor(bits / 0x100000000), true);
    return out;
  }

  function md5(bytes) {
    const data = pad(bytes);
    const view = new DataView(data.buffer);
    let a0 = 0x67452301, b0 = 0xefcdab89, c0 = 0x98badcfe, d0 = 0x10325476;
    const m = new Uint32Array(16);
    for (let offset = 0; offset < data.length; offset += 64) {
      for (let i = 0; i < 16; ++i) m[i] = view.getUint32(offset + 4 * i, true);
      let a = a0, b = b0, c = c0, d = d0;
      for (let i = 0; i < 64; ++i) {
        let f, g;
        const round = i >> 4;
        if (round === 0) { f = (b & c) | (~b & d); g = i; }
        else if (round === 1) { f = (d & b) | (~d & c); g = (5 * i + 1) & 15; }
        else if (round === 2) { f = b ^ c ^ d; g = (3 * i + 5) & 15; }
        else { f = c ^ (b | ~d); g = (7 * i) & 15; }
        const sum = (a + f + kSine[i] + m[g]) >>> 0;
        const s = kShift[(round << 2) | (i & 3)];
        a = d; d = c; c = b;
        b = (b + ((sum << s) | (sum >>> (32 - s)))) >>> 0;
      }
      a0 = (a0 + a) >>> 0; b0 = (b0 + b) >>> 0; c0 = (c0 + c) >>> 0; d0 = (d0 + d) >>> 0;
    }
    const digest = new Uint8Array(16);
    const out = new DataView(digest.buffer);
    [a0, b0, c0, d0].forEach((word, i) => out.setUint32(4 * i, word, true));
    return digest;
  }

  ns.md5 = md5;
})(globalThis.Sesame = globalThis.Sesame || {});
