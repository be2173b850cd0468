// The premium dashboard end to end in Chromium, against the real premia server (PREMIA_SERVER_BIN) with
// the dashboard page (crates/premia-dashboard-web/dist, scripts/dashboard-build.sh):
//
//   90 days of business seeded with `premia-server demo seed --allow-demo` (the server's own routes)
//   → more applications submitted today through the HTTP API (verify, then submit) → an analyst signs in
//   and opens /dashboard/ → every key figure on the page is the API's, and today's policies grew by
//   exactly the coverages the API accepted → one more application appears on the open page within a
//   second → filters, English, print → an underwriter is refused.
//
// Screenshots in tests/artifacts/dashboard/.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { launch, openPage, repo, startPremiaServer } from "./support.mjs";

const bin = process.env.PREMIA_SERVER_BIN;
const dashboardDist = join(repo, "crates/premia-dashboard-web/dist");
const shots = join(repo, "tests/artifacts/dashboard");
mkdirSync(shots, { recursive: true });
const shot = (page, name) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
const password = (user) => `${user}-correct-horse-battery`;

// Today in the insurer's time zone (+08:00): the server prices and counts on it.
const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);

/** `count` applications priced today by the engine (`{quote, resident_id}` each), from the server's example. */
function applications(count) {
  const out = execFileSync(
    "cargo",
    ["run", "-q", "--locked", "-p", "premia-server", "--example", "quotes_jsonl", "--", "--applications", String(count), today],
    { cwd: repo, encoding: "utf8", maxBuffer: 64 << 20 },
  );
  return out.trim().split("\n").map((line) => JSON.parse(line));
}

/** The money figure as the page writes it (¥ and thousands separators; the amount exactly). */
function money(text) {
  const [whole, fraction] = text.split(".");
  return `¥${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${fraction}`;
}

describe("the premium dashboard", { skip: !bin ? "PREMIA_SERVER_BIN not set" : !existsSync(join(dashboardDist, "index.html")) && "the dashboard is not built (scripts/dashboard-build.sh)" }, () => {
  let browser, server, data, database;

  before(async () => {
    data = mkdtempSync(join(tmpdir(), "premia-dashboard-e2e-"));
    database = `sqlite:${join(data, "premia.db")}`;
    for (const [user, role] of [["d.analyst", "analyst"], ["d.underwriter", "underwriter"]]) {
      execFileSync(bin, ["staff", "--database-url", database, "add", user, "--role", role, "--password-stdin"], {
        input: `${password(user)}\n`,
        stdio: ["pipe", "ignore", "inherit"],
      });
    }
    // History, through the server's own routes (in process): a quarter of business.
    execFileSync(bin, ["demo", "seed", "--allow-demo", "--applications", "600", "--days", "90", "--database-url", database, "--data-dir", data], {
      cwd: repo,
      stdio: ["ignore", "ignore", "inherit"],
    });
    const targets = join(data, "targets.toml");
    writeFileSync(targets, '[[target]]\nfigure = "regular_share_by_premium"\ngrain = "month"\nvalue = "0.60"\n\n[[target]]\nfigure = "new_business_premium"\ngrain = "month"\nvalue = "3000000"\n');
    // The seed's store was keyed with the secret the seed made in `data`: the server uses the same one.
    // The test submits a burst from one address: the rate limits have their own tests.
    server = await startPremiaServer(bin, {
      args: ["--database-url", database, "--server-secret", join(data, "server-secret.key"), "--dashboard-dir", dashboardDist, "--dashboard-targets", targets, "--submit-rate", "0", "--verify-rate", "0"],
    });
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (data) rmSync(data, { recursive: true, force: true });
  });

  async function signIn(user, lang = "zh") {
    const page = await openPage(browser, { width: 1440, height: 1000, locale: lang === "en" ? "en-US" : "zh-CN" });
    // Everything the page loads (ECharts included) comes from this server, never a CDN.
    page.elsewhere = [];
    page.on("request", (r) => {
      if (!r.url().startsWith(`${server.url}/`)) page.elsewhere.push(r.url());
    });
    await page.goto(`${server.url}/dashboard/${lang === "en" ? "?lang=en" : ""}`);
    await page.waitForURL(/\/staff\/login\?next=/);
    await page.fill("#username", user);
    await page.fill("#password", password(user));
    await page.click("button[type=submit]");
    await page.waitForURL(/\/dashboard\//);
    return page;
  }

  /** The API's dashboard, read with the page's own session. */
  const api = (page, query) => page.evaluate(async (q) => (await fetch(`/api/dashboard?${q}`)).json(), query);
  const kpi = (board, id) => board.kpis.find((k) => k.id === id);
  const kpiText = (page, id) => page.locator(`.dash-kpi[data-figure=${id}] .dash-kpi-value`).textContent();

  /** The `Authorization` of an agent's token, issued once by `premia-server agent issue` on this store. */
  const tokens = new Map();
  function bearer(agent) {
    if (!tokens.has(agent)) {
      const token = execFileSync(bin, ["agent", "issue", agent, "--label", "dashboard test", "--database-url", database, "--data-dir", data], { encoding: "utf8" }).trim();
      tokens.set(agent, `Bearer ${token}`);
    }
    return tokens.get(agent);
  }

  /** `fetch`, sent once more when the connection it reused was closed by the server meanwhile (an idle
   * keep-alive connection past the server's header timeout while this process was blocked issuing tokens):
   * what any HTTP client does for a request that never reached the server. Only for idempotent requests. */
  async function send(url, init) {
    try {
      return await fetch(url, init);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      return await fetch(url, init);
    }
  }

  /** Verify and submit through the HTTP API (an agent's sale with that agent's token); the coverages
   * accepted at submission. (A voucher the seed's pool already redeemed is refused, 409: nothing accepted.) */
  async function submit(envelope) {
    const verified = await (await send(`${server.url}/api/quotes/verify`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(envelope.quote) })).json();
    assert.equal(verified.verdict, "valid");
    // With an Idempotency-Key, sending again is safe whether or not the first one arrived.
    const headers = { "content-type": "application/json", "idempotency-key": `dashboard-test-${envelope.quote.digest}` };
    const channel = envelope.quote.request.channel;
    if (channel.kind === "agent") headers.authorization = bearer(channel.agent_code);
    const response = await send(`${server.url}/api/quotes`, { method: "POST", headers, body: JSON.stringify(envelope) });
    const created = await response.json();
    if (response.status === 409 && created.errors?.[0]?.code === "coupon.redeemed") return 0;
    assert.equal(response.status, 201, JSON.stringify(created));
    return created.status === "accepted" ? envelope.quote.coverages.length : 0;
  }

  it("shows the API's figures, counts what the API took today, and follows a new application within a second", async () => {
    const page = await signIn("d.analyst");
    await page.locator(".dash-kpi").first().waitFor();
    const before = await api(page, `grain=day&period=${today}`);
    const envelopes = applications(24);
    // The agents' tokens first: issuing one blocks this process (a subprocess), which must not happen
    // between two requests on a kept-alive connection the server may close meanwhile.
    for (const e of envelopes) if (e.quote.request.channel.kind === "agent") bearer(e.quote.request.channel.agent_code);
    // For the live check: one accepted as it is, with no coupon (nothing can refuse it).
    const plain = (e) => !e.quote.coupons_used && ["accept", "accept_with_conditions"].includes(e.quote.decision.outcome);
    const last = envelopes.find(plain);
    const more = envelopes.filter((e) => e !== last);
    let accepted = 0;
    for (const envelope of more) accepted += await submit(envelope);
    const after = await api(page, `grain=day&period=${today}`);
    assert.equal(kpi(after, "policies").value.count, kpi(before, "policies").value.count + accepted, "today's policies grew by the coverages accepted");

    // The page (this month, no filters) shows the API's figures.
    await page.locator(".dash-live.open").waitFor();
    const month = await api(page, "grain=month");
    for (const id of ["new_business_premium", "ape", "regular_premium", "single_premium", "coupon_cost"]) {
      assert.equal(await kpiText(page, id), money(kpi(month, id).value.money), id);
    }
    assert.equal(await kpiText(page, "policies"), kpi(month, "policies").value.count.toLocaleString("en-US"));
    const share = kpi(month, "regular_share_by_premium").value.share;
    assert.equal(await kpiText(page, "regular_share_by_premium"), `${(Number(share) * 100).toFixed(2)}%`);
    assert.equal(await page.locator(".dash-target").count(), 2, "both targets shown as progress");
    assert.equal(await page.locator(".dash-chart canvas").count(), 8, "every chart drawn");
    await shot(page, "dashboard-zh");

    // A new application: the open page moves within a second.
    const shown = await kpiText(page, "policies");
    const sent = Date.now();
    const coverages = await submit(last);
    assert.ok(coverages > 0, "the last application is accepted at submission");
    await page.waitForFunction((old) => document.querySelector(".dash-kpi[data-figure=policies] .dash-kpi-value").textContent !== old, shown, { timeout: 5000 });
    const took = Date.now() - sent;
    assert.ok(took < 1000, `the new application appeared after ${took} ms`);
    const now = await api(page, "grain=month");
    assert.equal(await kpiText(page, "policies"), kpi(now, "policies").value.count.toLocaleString("en-US"));
    await shot(page, "dashboard-live");

    // Filters and another grain: the page asks again and shows the filtered figures.
    await page.locator(".dash-filter-channel select").selectOption("agent");
    await page.locator(".dash-grain", { hasText: "季度" }).click();
    await page.waitForFunction(() => location.search.includes("grain=quarter") && location.search.includes("channel=agent"));
    const agents = await api(page, "grain=quarter&channel=agent");
    await page.waitForFunction((want) => document.querySelector(".dash-kpi[data-figure=new_business_premium] .dash-kpi-value")?.textContent === want, money(kpi(agents, "new_business_premium").value.money));
    assert.equal(await page.locator(".dash-target").count(), 0, "targets are for the whole business");
    await shot(page, "dashboard-agents-quarter");

    // Print: the controls go, the charts and figures stay.
    await page.emulateMedia({ media: "print" });
    assert.equal(await page.locator(".dash-actions").isVisible(), false);
    await shot(page, "dashboard-print");
    await page.pdf({ path: join(shots, "dashboard-print.pdf"), landscape: true, printBackground: true });
    await page.emulateMedia({ media: "screen" });
    assert.deepEqual(page.problems, [], "no script error and no CSP violation");
    assert.deepEqual(page.elsewhere, [], "nothing loaded from another origin");
  });

  it("reads in English, and refuses an underwriter", async () => {
    const page = await signIn("d.analyst", "en");
    await page.locator(".dash-kpi").first().waitFor();
    assert.equal(await page.locator("h1").textContent(), "Premium dashboard");
    assert.match(await page.locator(".dash-kpi[data-figure=regular_share_by_premium] .dash-kpi-label").textContent(), /regular share/);
    await page.locator(".dash-chart canvas").first().waitFor();
    await shot(page, "dashboard-en");
    const workbook = await page.evaluate(async () => {
      const r = await fetch("/api/dashboard/export?grain=month&format=xlsx&lang=en");
      return { status: r.status, type: r.headers.get("content-type"), size: (await r.arrayBuffer()).byteLength };
    });
    assert.equal(workbook.status, 200);
    assert.match(workbook.type, /spreadsheetml/);
    assert.ok(workbook.size > 4000);

    const underwriter = await signIn("d.underwriter");
    await underwriter.locator(".dash-error").waitFor();
    assert.match(await underwriter.locator(".dash-error").textContent(), /无权查看数据看板/);
    const refused = await underwriter.evaluate(async () => (await fetch("/api/dashboard")).status);
    assert.equal(refused, 403);
    await shot(underwriter, "dashboard-refused");
  });
});
