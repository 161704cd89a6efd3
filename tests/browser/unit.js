// SPDX-License-Identifier: GPL-2.0-or-later
// Known-answer tests of web/md5.js and web/spa.js, run inside Chromium by driver.mjs. `vectors` holds the JSON files
// of tests/data (read by the driver: a file:// page cannot fetch them). Returns [{ name, ok, detail }].
"use strict";

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const unhex = (text) => new Uint8Array(text.match(/../g).map((h) => parseInt(h, 16)));
const ascii = (text) => new TextEncoder().encode(text);

// RFC 1321 appendix A.5, plus lengths around the 55/56/64-byte padding boundaries (expected values from
// Python's hashlib).
const kMd5Cases = [
  ["", "d41d8cd98f00b204e9800998ecf8427e"],
  ["a", "0cc175b9c0f1b6a831c399e269772661"],
  ["abc", "900150983cd24fb0d6963f7d28e17f72"],
  ["message digest", "f96b697d7cb7938d525a2f31aaf161d0"],
  ["abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"],
  ["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"],
  ["12345678901234567890123456789012345678901234567890123456789012345678901234567890",
   "57edf4a22be3c955ac49da2e2107b67a"],
  ["x".repeat(55), "04364420e25c512fd958a70738aa8f72"],
  ["x".repeat(56), "668a72d5ba17f08e62dabcafad6db14b"],
  ["x".repeat(64), "c1bb4f81d892b2d57947682aeb252456"],
];

// EVP_BytesToKey(MD5) answers: the text passphrases from `openssl enc -aes-256-cbc -md md5 -S <salt> -pass
// pass:<text> -P`; the binary key (the CBC vector's KEY_BASE64) from Python's hashlib.
const kKdfCases = [
  { pass: ascii("fwknoptest"), salt: "0011223344556677",
    key: "7fa6047294d46e020f58687bca623f136bb57a06baa4e4f7bf4fc88cd44d76e1", iv: "c2639a1155d3230346b530ed89f1926a" },
  { pass: ascii("0123456789abcdef0123456789abcdef"), salt: "0011223344556677",
    key: "5bd4651a2bf13b576b72edbc68322b4f823a61247c64d3d048c6518e264b6f40", iv: "0de6ea712abd69960ca9c10ce7b7a9fb" },
  { pass: ascii("x"), salt: "0011223344556677",
    key: "f30801a98bae802b7c8a3d118d77990a24a56bd23076aa92744988f0c702cbe2", iv: "1c51d6c7602a557d07ad7bd9f7b8d4c6" },
  { passBase64: "8eRJ7C3hJ54OU7B46ToDehnJkRsqtpBwzGSbqXDQHY4=", salt: "f0e1d2c3b4a59687",
    key: "6af49a8e419bfd568ed5e8f86aec00abae96a28d4a461b6cec7d57f85e08d310", iv: "00fa1042a45d3e9de50d7562151701de" },
];

// tests/data/deterministic_vectors.json entries the page can make: CBC or CTR, HMAC and inner digest in WebCrypto.
function pageCanBuild(v) {
  return ["cbc", "ctr"].includes(v.encryption_mode) && ["sha1", "sha256", "sha384", "sha512"].includes(v.hmac_type) &&
         ["md5", "sha1", "sha256", "sha384", "sha512"].includes(v.inner_digest) && [1, 3].includes(v.fields.msg_type);
}

async function runUnitTests(vectors) {
  const results = [];
  const check = async (name, body) => {
    try {
      const detail = await body();
      results.push({ name, ok: detail === true, detail: detail === true ? "" : String(detail) });
    } catch (error) {
      results.push({ name, ok: false, detail: "threw " + error });
    }
  };
  const expectEq = (got, want) => got === want || "got " + got + ", want " + want;
  const spa = Sesame.spa;

  for (const [text, want] of kMd5Cases) {
    await check("md5 of " + text.length + " bytes \"" + text.slice(0, 12) + "\"", () => expectEq(hex(Sesame.md5(ascii(text))), want));
  }
  // The MD5 inner digests of upstream's encoded messages.
  for (const entry of vectors.inner.inner_encoding) {
    await check("md5 inner digest of " + entry.encoded_msg.slice(0, 24),
                () => expectEq(spa.base64NoPad(Sesame.md5(ascii(entry.encoded_msg))), entry.digests.md5));
    for (const type of ["sha1", "sha256", "sha384", "sha512"]) {
      await check(type + " inner digest of " + entry.encoded_msg.slice(0, 24), async () =>
        expectEq(spa.base64NoPad(await spa.innerDigest(type, ascii(entry.encoded_msg))), entry.digests[type]));
    }
  }
  for (const entry of vectors.inner.base64_nopad) {
    await check("base64 without padding of \"" + entry.in + "\"", () => expectEq(spa.base64NoPad(ascii(entry.in)), entry.out));
  }
  for (const entry of vectors.inner.hmac_examples.filter((e) => ["sha1", "sha256", "sha384", "sha512"].includes(e.hmac_type))) {
    await check("hmac " + entry.hmac_type, async () =>
      expectEq(spa.base64NoPad(await spa.hmac(entry.hmac_type, ascii(entry.key_text), entry.msg)), entry.hmac_b64_nopad));
  }
  for (const c of kKdfCases) {
    const pass = c.pass ?? spa.base64Decode(c.passBase64, "key");
    await check("EVP_BytesToKey(MD5) of a " + pass.length + "-byte key, salt " + c.salt, () => {
      const { key, iv } = spa.deriveKeyIv(pass, unhex(c.salt));
      return expectEq(hex(key) + "/" + hex(iv), c.key + "/" + c.iv);
    });
  }

  let built = 0;
  for (const v of vectors.deterministic.vectors.filter(pageCanBuild)) {
    ++built;
    const [allowIp, ...access] = v.fields.message.split(",");
    const packet = spa.buildPacket(
        { keyBase64: v.key_base64, hmacKeyBase64: v.hmac_key_base64, hmacType: v.hmac_type, mode: v.encryption_mode,
          innerDigest: v.inner_digest, user: v.fields.user, allowIp, access: access.join(","),
          clientTimeout: v.fields.client_timeout ?? 0 },
        { random: v.fields.rand, timestamp: v.fields.timestamp, salt: unhex(v.salt_hex) });
    await check(v.id + ": encoded message", async () => expectEq((await packet).encoded, v.encoded_msg));
    await check(v.id + ": plaintext", async () => expectEq((await packet).plaintext, v.plaintext));
    await check(v.id + ": wire", async () => expectEq((await packet).wire, v.spa_wire));
  }
  await check("at least the CBC and CTR deterministic vectors are built", () => built >= 2 || "only " + built);

  await check("a random packet: 16-digit random value, fresh salt, URL-safe HTTP path", async () => {
    const options = { keyBase64: vectors.deterministic.vectors[0].key_base64, user: "u", allowIp: "10.0.0.1",
                      access: "tcp/22", hmacKeyBase64: vectors.deterministic.vectors[0].hmac_key_base64 };
    const [a, b] = [await spa.buildPacket(options), await spa.buildPacket(options)];
    if (!/^[0-9]{16}:/.test(a.encoded)) return "random value: " + a.encoded;
    if (a.wire === b.wire || a.wire.slice(0, 11) === b.wire.slice(0, 11)) return "two packets share their salt";
    if (!/^\/[A-Za-z0-9_-]+$/.test(a.httpPath) || a.httpPath.slice(1).replace(/-/g, "+").replace(/_/g, "/") !== a.wire) {
      return "http path " + a.httpPath;
    }
    return true;
  });

  // Bad input: one message naming the field, never the key.
  const good = { keyBase64: "AAAAAAAAAAAAAAAAAAAAAA==", hmacKeyBase64: "AQEBAQEBAQEBAQEBAQEBAQ==", user: "u",
                 allowIp: "0.0.0.0", access: "tcp/22" };
  const kBad = [
    [{ keyBase64: "not*base64" }, "KEY_BASE64: not valid base64"],
    [{ keyBase64: "" }, "KEY_BASE64: is empty"],
    [{ keyBase64: "A".repeat(48) }, "KEY_BASE64: decodes to more than 32 bytes (fwknop's limit)"],
    [{ hmacKeyBase64: good.keyBase64 }, "HMAC_KEY_BASE64: equals KEY_BASE64 (fwknop refuses identical keys)"],
    [{ allowIp: "1.2.3.400" }, "allow IP: \"1.2.3.400\" is not an IPv4 address (a.b.c.d, or 0.0.0.0)"],
    [{ allowIp: "010.1.1.1" }, "allow IP: \"010.1.1.1\" is not an IPv4 address (a.b.c.d, or 0.0.0.0)"],
    [{ access: "icmp/1" }, "access: \"icmp/1\" is not tcp/PORT or udp/PORT (1-65535)"],
    [{ access: "tcp/70000" }, "access: \"tcp/70000\" is not tcp/PORT or udp/PORT (1-65535)"],
    [{ user: "a:b" }, "user: may hold printable ASCII except \" / \\ [ ] : ; | = , + * ? < >"],
    [{ clientTimeout: 70000 }, "client timeout: must be a whole number of seconds, 0-65536"],
    [{ access: Array.from({ length: 20 }, (_, i) => "tcp/" + (10000 + i)).join(",") },
     "access: the packet would be 545 characters; fwknopd takes at most 399 (fewer ports or a shorter user name)"],
  ];
  for (const [change, want] of kBad) {
    await check("refuses " + JSON.stringify(change).slice(0, 40), async () => {
      try {
        await spa.buildPacket({ ...good, ...change });
        return "no error";
      } catch (error) {
        return expectEq(error.message, want);
      }
    });
  }
  return results;
}
