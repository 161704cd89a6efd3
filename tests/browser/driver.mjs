// SPDX-License-Identifier: GPL-2.0-or-later
// Drives web/sesame.html (opened from file://, as a saved copy would be) in real headless Chromium over the DevTools
// protocol with puppeteer-core. Commands:
//   unit                       the known-answer tests of unit.js; prints one line each and "N passed, N failed"
//   screenshot OUT.png         renders the page (and a built packet) to PNG; fails on any console or page error
//   packet OPTIONS             fills the form, clicks "Show packet", prints "packet: <the packet>"
//   knock --url URL OPTIONS    fills the form, clicks "Send knock" and prints the status line
// OPTIONS: --key B64 --hmac-key B64 [--allow IP] [--access tcp/22] [--user NAME] [--hmac-type sha256] [--mode cbc]
// Exit 0 on success, 1 on failure, 77 (ctest's SKIP_RETURN_CODE) when Chromium or puppeteer-core is missing.
// Environment: SESAME_CHROMIUM (default /usr/bin/chromium), SESAME_NODE_MODULES (a folder holding node_modules/).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { inflateSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");

function skip(why) {
  console.log("SKIPPED: " + why);
  process.exit(77);
}

function fail(why) {
  console.error("FAIL: " + why);
  process.exit(1);
}

function parseOptions(args) {
  const options = {};
  for (let i = 0; i < args.length; i += 2) {
    if (!args[i].startsWith("--") || i + 1 >= args.length) fail("bad option " + args[i]);
    options[args[i].slice(2)] = args[i + 1];
  }
  return options;
}

function loadPuppeteer() {
  const base = process.env.SESAME_NODE_MODULES || here;
  try {
    return createRequire(join(base, "package.json"))("puppeteer-core");
  } catch {
    skip("puppeteer-core is not installed in " + base + " (tests/browser/run.sh runs npm ci)");
  }
}

async function launch() {
  const chromium = process.env.SESAME_CHROMIUM || "/usr/bin/chromium";
  if (!existsSync(chromium)) skip("no Chromium at " + chromium + " (apt-get install chromium)");
  const puppeteer = loadPuppeteer();
  // Chromium refuses to start its sandbox as root; only then is --no-sandbox passed.
  const args = process.getuid && process.getuid() === 0 ? ["--no-sandbox"] : [];
  return puppeteer.launch({ executablePath: chromium, headless: true, args: [...args, "--disable-gpu"] });
}

// A page with every console error, uncaught exception and failed request collected into `problems`.
async function openPage(browser, file, problems) {
  const page = await browser.newPage();
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warn") problems.push(m.type() + ": " + m.text()); });
  page.on("pageerror", (e) => problems.push("page error: " + e.message));
  page.on("requestfailed", (r) => { if (!r.url().startsWith("http")) problems.push("request failed: " + r.url()); });
  await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
  return page;
}

async function openSesame(browser, problems) {
  const page = await openPage(browser, join(repo, "web/sesame.html"), problems);
  await page.waitForSelector("body[data-ready=true]", { timeout: 10000 });
  return page;
}

async function fillForm(page, o) {
  const set = async (id, value) => {
    if (value === undefined) return;
    await page.$eval("#" + id, (el, v) => { el.value = v; }, value);
  };
  await set("server-url", o.url);
  await set("allow-ip", o.allow);
  await set("access", o.access);
  await set("user", o.user);
  await set("client-timeout", o["client-timeout"]);
  // Typed like a person would, so the input events are real.
  if (o.key !== undefined) await page.type("#key", o.key);
  if (o["hmac-key"] !== undefined) await page.type("#hmac-key", o["hmac-key"]);
  if (o["hmac-type"] !== undefined) await page.select("#hmac-type", o["hmac-type"]);
  if (o.mode !== undefined) await page.select("#mode", o.mode);
}

async function status(page) {
  await page.waitForFunction(() => {
    const s = document.getElementById("status");
    return s.className === "ok" || s.className === "error";
  }, { timeout: 10000 });
  return page.$eval("#status", (s) => ({ kind: s.className, text: s.textContent }));
}

async function unit(browser) {
  const problems = [];
  const page = await openPage(browser, join(here, "unit.html"), problems);
  const read = (name) => JSON.parse(readFileSync(join(repo, "tests/data", name), "utf8"));
  const vectors = { inner: read("inner_encoding_kat.json"), deterministic: read("deterministic_vectors.json") };
  await page.waitForFunction(() => typeof runUnitTests === "function", { timeout: 10000 });
  const results = await page.evaluate((v) => runUnitTests(v), vectors);
  let failed = 0;
  for (const r of results) {
    console.log((r.ok ? "ok     " : "FAILED ") + r.name + (r.detail ? ": " + r.detail : ""));
    if (!r.ok) ++failed;
  }
  for (const p of problems) console.log("FAILED console: " + p);
  console.log(`${results.length - failed} passed, ${failed + problems.length} failed`);
  return failed === 0 && problems.length === 0 && results.length > 0;
}

// The distinct colours of an 8-bit RGB(A) PNG as Chromium writes it (no palette, no interlace), decoded here so that
// the check does not depend on the renderer it checks.
function pngColours(png) {
  const width = png.readUInt32BE(16), height = png.readUInt32BE(20), depth = png[24], type = png[25];
  if (depth !== 8 || (type !== 2 && type !== 6) || png[28] !== 0) fail("unexpected PNG format " + depth + "/" + type);
  const channels = type === 6 ? 4 : 3;
  const chunks = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at), kind = png.toString("ascii", at + 4, at + 8);
    if (kind === "IDAT") chunks.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(chunks));
  const stride = width * channels;
  const previous = Buffer.alloc(stride), line = Buffer.alloc(stride);
  const colours = new Set();
  for (let y = 0; y < height; ++y) {
    const filter = raw[y * (stride + 1)];
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; ++x) {
      const a = x >= channels ? line[x - channels] : 0, b = previous[x], c = x >= channels ? previous[x - channels] : 0;
      let p = 0;
      if (filter === 1) p = a;
      else if (filter === 2) p = b;
      else if (filter === 3) p = (a + b) >> 1;
      else if (filter === 4) {
        const e = a + b - c, pa = Math.abs(e - a), pb = Math.abs(e - b), pc = Math.abs(e - c);
        p = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      line[x] = (src[x] + p) & 0xff;
    }
    for (let x = 0; x < stride; x += channels) colours.add(line.readUIntBE(x, 3));
    line.copy(previous);
  }
  return { width, height, colours: colours.size };
}

async function screenshot(browser, out) {
  const problems = [];
  const page = await openSesame(browser, problems);
  await page.setViewport({ width: 900, height: 1100 });
  // Also build a packet, so that the scripts' whole path runs under the CSP and any error shows.
  await fillForm(page, { key: "8eRJ7C3hJ54OU7B46ToDehnJkRsqtpBwzGSbqXDQHY4=",
                         "hmac-key": "PKQLbWi8yanTTm7qT1TUoG0nYKtCohPsI4KeQg8sO+9PYx3oLo9WyXplVLLpDfeCePV7UDm2liLeg3U7Qkma5Q==",
                         url: "http://gateway.example:62201" });
  await page.click("#show");
  const shown = await status(page);
  const png = Buffer.from(await page.screenshot({ fullPage: true, type: "png" }));
  writeFileSync(out, png);
  const { width, height, colours } = pngColours(png);
  console.log(`screenshot ${out}: ${png.length} bytes, ${width}x${height}, ${colours} colours; status "${shown.text}"`);
  for (const p of problems) console.log("console/page problem: " + p);
  if (shown.kind !== "ok") fail("Show packet failed: " + shown.text);
  if (width < 600 || height < 600 || colours < 16 || png.length < 10000) fail("the screenshot looks blank");
  if (problems.length > 0) fail(problems.length + " console or page errors");
  return true;
}

async function packet(browser, o) {
  const problems = [];
  const page = await openSesame(browser, problems);
  await fillForm(page, o);
  await page.click("#show");
  const s = await status(page);
  if (s.kind !== "ok") fail("the page refused: " + s.text);
  if (problems.length > 0) fail(problems.join("\n"));
  console.log("packet: " + (await page.$eval("#packet", (t) => t.value)));
  return true;
}

async function knock(browser, o) {
  if (!o.url) fail("knock needs --url");
  const problems = [];
  const page = await openSesame(browser, problems);
  const requests = [];
  // Network requests only: the page's own files come from file://.
  page.on("request", (r) => { if (/^https?:/.test(r.url())) requests.push(r.method() + " " + r.url()); });
  await fillForm(page, o);
  await page.click("#send");
  const s = await status(page);
  console.log(s.text);
  for (const r of requests) console.log("request: " + r.slice(0, 60) + (r.length > 60 ? "..." : ""));
  if (s.kind !== "ok") fail("the page refused: " + s.text);
  // The knock is the page's one request, and it went to the server typed in.
  if (requests.length !== 1 || !requests[0].startsWith("GET " + new URL(o.url).origin + "/")) {
    fail("expected one GET to " + o.url + ", saw " + requests.length);
  }
  // sesamed closes the connection without an answer; Chromium logs that for the knock as a console error of its own.
  const unexpected = problems.filter((p) => !p.includes("net::ERR_EMPTY_RESPONSE"));
  if (unexpected.length > 0) fail(unexpected.join("\n"));
  return true;
}

const [command, ...rest] = process.argv.slice(2);
const commands = { unit: (b) => unit(b), screenshot: (b) => screenshot(b, rest[0] || "sesame-page.png"),
                   packet: (b) => packet(b, parseOptions(rest)), knock: (b) => knock(b, parseOptions(rest)) };
if (!commands[command]) fail("usage: driver.mjs unit|screenshot OUT.png|packet OPTIONS|knock --url URL OPTIONS");
const browser = await launch();
let ok = false;
try {
  ok = await commands[command](browser);
} catch (error) {
  console.error("FAIL: " + (error.stack || error));
} finally {
  await browser.close();
}
process.exit(ok ? 0 : 1);
