// Shared setup for the browser tests: Debian's chromium through playwright-core, the built site served
// from web/dist on an ephemeral loopback port, and screenshots kept under tests/artifacts/web/.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const dist = join(repo, "web/dist");
export const artifacts = join(repo, "tests/artifacts/web");
mkdirSync(artifacts, { recursive: true });

/** The quote date every test uses, so prices do not move with the calendar. */
export const QUOTE_DATE = "2026-11-25";

/** A GB 11643 number: the 17 digits and their ISO 7064 MOD 11-2 check character. */
export function residentId(first17) {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, d, i) => s + Number(d) * weights[i], 0);
  return first17 + "10X98765432"[sum % 11];
}

/** The number of the tests' customer: born 1996-05-01, sequence 002 (even: female), Beijing Dongcheng. */
export const FEMALE_30_ID = residentId("11010119960501002");

/** A loopback port nobody listens on. */
export async function freePort() {
  const probe = createServer();
  await new Promise((ok) => probe.listen(0, "127.0.0.1", ok));
  const { port } = probe.address();
  await new Promise((ok) => probe.close(ok));
  return port;
}

/**
 * The real premia server (binary `bin`) on 127.0.0.1:`port`, serving web/dist with a fresh data folder;
 * resolves once `/healthz` answers. `close()` stops it and removes the folder.
 */
export async function startPremiaServer(bin, { port, args = [] } = {}) {
  port ??= await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "premia-web-server-"));
  // The demo catalogue is illustrative: a demo server (as scripts/run.sh starts it).
  const child = spawn(bin, ["--bind", `127.0.0.1:${port}`, "--data-dir", dataDir, "--site-dir", dist, "--allow-demo", ...args], {
    cwd: repo,
    stdio: ["ignore", "ignore", "pipe"],
  });
  const close = async () => {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await new Promise((ok) => child.once("exit", ok));
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  let log = "";
  child.stderr.on("data", (chunk) => (log += chunk));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (i > 100 || child.exitCode !== null) {
      await close();
      throw new Error(`premia-server did not start:\n${log}`);
    }
    await new Promise((ok) => setTimeout(ok, 100));
  }
  /** Run an administration subcommand on this server's data (e.g. ["agent", "issue", "A123"]): its stdout. */
  const admin = (subcommand) =>
    new Promise((ok, fail) => {
      const run = spawn(bin, [...subcommand, "--data-dir", dataDir], { cwd: repo, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      run.stdout.on("data", (chunk) => (out += chunk));
      run.stderr.on("data", (chunk) => (err += chunk));
      run.on("exit", (code) => (code === 0 ? ok(out.trim()) : fail(new Error(`premia-server ${subcommand.join(" ")}: ${err}`))));
    });
  return { port, url, dataDir, admin, close };
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
    ],
  });
}

/** A page that fails the test on any uncaught error or console error (other than a refused submission). */
export async function openPage(
  browser,
  { width = 1280, height = 900, deviceScaleFactor = 1, locale = "zh-CN", timezoneId = undefined } = {},
) {
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor, locale, timezoneId });
  const page = await context.newPage();
  page.problems = [];
  page.on("pageerror", (e) => page.problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    const expected = /status of 404|Failed to load resource/.test(m.text());
    if (m.type() === "error" && !expected) page.problems.push(`console: ${m.text()}`);
  });
  return page;
}

export async function shot(page, name, options = {}) {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true, ...options });
}

/** Answer "no" to every health question shown (in `scope`, e.g. "#w " for a widget). */
export async function answerAllNo(page, scope = "") {
  const noes = page.locator(`${scope}.premia-question input[value=no]`);
  for (let i = 0, n = await noes.count(); i < n; i++) await noes.nth(i).check();
}

/** What an application of the demo's products needs beyond a price: height, weight and every health answer. */
export async function completeForApplication(page, scope = "") {
  await page.locator(`${scope}#premia-insured-height_cm`).fill("165");
  await page.locator(`${scope}#premia-insured-weight_kg`).fill("58");
  await answerAllNo(page, scope);
}

/**
 * An underwriter signed in to the staff API from Node (as the desk page would), to decide a case:
 * `decide(number, verdict)` POSTs a decision with the session's cookie and CSRF token.
 */
export async function underwriter(server, username) {
  const password = await server.admin(["staff", "add", username, "--role", "underwriter"]);
  const signedIn = await fetch(`${server.url}/api/staff/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  assert.equal(signedIn.status, 200, await signedIn.clone().text());
  const cookie = signedIn.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const { csrf } = await (await fetch(`${server.url}/api/staff/me`, { headers: { cookie } })).json();
  return async (number, verdict) => {
    const decided = await fetch(`${server.url}/api/desk/cases/${number}/decisions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-csrf-token": csrf, cookie },
      body: JSON.stringify({ verdict, note: "internal: BMI 29.4, ask for an exam first" }),
    });
    assert.equal(decided.status, 200, await decided.clone().text());
  };
}
