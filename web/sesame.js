// SPDX-License-Identifier: GPL-2.0-or-later
// The page's controls: reads the form, builds the packet with spa.js, then sends it as an SPA-over-HTTP GET
// (protocol.md §12.4) or shows it for copying. The keys are read from the inputs on each click and kept nowhere else.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);

  function formOptions() {
    return {
      keyBase64: stripName($("key").value, "KEY_BASE64"),
      hmacKeyBase64: stripName($("hmac-key").value, "HMAC_KEY_BASE64"),
      hmacType: $("hmac-type").value,
      mode: $("mode").value,
      user: $("user").value,
      allowIp: $("allow-ip").value.trim(),
      access: $("access").value.replace(/\s+/g, ""),
      clientTimeout: $("client-timeout").value.trim() === "" ? 0 : Number($("client-timeout").value),
    };
  }

  // A whole `KEY_BASE64: ...` line pasted from --key-gen is taken as its value.
  function stripName(text, name) {
    const trimmed = text.trim();
    return trimmed.startsWith(name + ":") ? trimmed.slice(name.length + 1).trim() : trimmed;
  }

  // "host:port" and "http://host:port/..." both name the server; the path is dropped because fwknopd and sesamed
  // read the SPA data from right after "GET /".
  function serverOrigin(text) {
    const trimmed = text.trim();
    if (trimmed === "") throw new Sesame.spa.SpaError("server URL", "is empty");
    let url;
    try {
      url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : "http://" + trimmed);
    } catch {
      throw new Sesame.spa.SpaError("server URL", "\"" + trimmed + "\" is not a URL");
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new Sesame.spa.SpaError("server URL", "must start with http:// or https://");
    }
    return url;
  }

  function setStatus(text, kind) {
    const status = $("status");
    status.textContent = text;
    status.className = kind;
  }

  function showPacket(wire) {
    let host = "SERVER", port = "62201";
    try {
      const url = serverOrigin($("server-url").value);
      host = url.hostname;
    } catch {
      // No server typed yet: the command keeps the placeholders.
    }
    $("packet").value = wire;
    $("packet-command").textContent = "printf '%s' '" + wire + "' | nc -u -w1 " + host + " " + port;
    $("packet-box").hidden = false;
  }

  async function onShow() {
    try {
      const packet = await Sesame.spa.buildPacket(formOptions());
      showPacket(packet.wire);
      setStatus("Packet built (" + packet.wire.length + " characters). It is valid for the server's packet age " +
                "window (120 s by default) and only once.", "ok");
    } catch (error) {
      setStatus(error.message, "error");
    }
  }

  async function onSend() {
    let url, packet;
    try {
      url = serverOrigin($("server-url").value);
      packet = await Sesame.spa.buildPacket(formOptions());
    } catch (error) {
      setStatus(error.message, "error");
      return;
    }
    $("packet-box").hidden = true;
    const target = url.origin + packet.httpPath;
    setStatus("Sending to " + url.origin + " ...", "");
    try {
      // no-cors: the server only has to receive the GET; no answer is read, no cookie or referrer goes with it.
      await fetch(target, { mode: "no-cors", cache: "no-store", credentials: "omit", referrerPolicy: "no-referrer" });
      setStatus("Knock sent to " + url.origin + ".", "ok");
    } catch {
      // sesamed and fwknopd close the connection without an HTTP answer, which fetch() reports as a network error,
      // exactly as it reports a refused connection: the page cannot tell them apart.
      setStatus("Knock sent to " + url.origin + "; no HTTP answer came (sesamed gives none), so only the port " +
                "opening shows that it arrived. If it does not, check the URL and that the server has " +
                "ENABLE_SPA_OVER_HTTP and ALLOW_ANY_USER_AGENT set.", "ok");
    }
  }

  $("send").addEventListener("click", onSend);
  $("show").addEventListener("click", onShow);
  document.body.dataset.ready = "true";  // the tests wait for this before they type
})();
