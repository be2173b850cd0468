// The underwriting desk end to end in Chromium, against the real premia server (PREMIA_SERVER_BIN) with
// the site (web/dist) and the desk page (crates/premia-desk-web/dist, scripts/desk-build.sh):
//
//   an applicant submits on the quote site a quote referred with two-person review (a declared heart
//   condition) → underwriter A signs in and accepts it with a 50 % loading → A cannot confirm it →
//   senior underwriter B confirms it → the applicant's status page shows the new premium → an analyst,
//   whose role may not see cases, is refused.
//
// Staff accounts are made with `premia-server staff add --password-stdin`. Screenshots in
// tests/artifacts/desk/.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { FEMALE_30_ID, launch, openPage, repo, startPremiaServer } from "./support.mjs";

const bin = process.env.PREMIA_SERVER_BIN;
const deskDist = join(repo, "crates/premia-desk-web/dist");
const shots = join(repo, "tests/artifacts/desk");
mkdirSync(shots, { recursive: true });
const shot = (page, name) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

// Born 1996-05-01 (by her resident ID number), declares heart disease: referred, two-person review.
const APPLICANT = {
  resident_id: FEMALE_30_ID,
  occupation_class: 1,
  social_insurance: true,
  height_cm: "165",
  weight_kg: "58",
  annual_income: "300000",
  health_answers: Object.fromEntries(
    ["CANCER", "HEART", "HTN", "DIABETES", "HOSPITAL", "THYROID"].map((id) => [id, { yes: id === "HEART" }]),
  ),
};
const STAFF = [
  ["a.wang", "underwriter"],
  ["b.li", "senior_underwriter"],
  ["c.zhao", "analyst"],
];
const password = (user) => `${user}-correct-horse-battery`;

describe("the underwriting desk", { skip: !bin ? "PREMIA_SERVER_BIN not set" : !existsSync(join(deskDist, "index.html")) && "the desk is not built (scripts/desk-build.sh)" }, () => {
  let browser, server, data;

  before(async () => {
    data = mkdtempSync(join(tmpdir(), "premia-desk-e2e-"));
    const database = `sqlite:${join(data, "premia.db")}`;
    for (const [user, role] of STAFF) {
      execFileSync(bin, ["staff", "--database-url", database, "add", user, "--role", role, "--password-stdin"], {
        input: `${password(user)}\n`,
        stdio: ["pipe", "ignore", "inherit"],
      });
    }
    server = await startPremiaServer(bin, { args: ["--database-url", database, "--desk-dir", deskDist] });
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (data) rmSync(data, { recursive: true, force: true });
  });

  async function signIn(user, lang = "zh") {
    const page = await openPage(browser, { locale: lang === "en" ? "en-US" : "zh-CN" });
    await page.goto(`${server.url}/desk/${lang === "en" ? "?lang=en" : ""}`);
    // No session: the desk sends the browser to sign in, and back afterwards.
    await page.waitForURL(/\/staff\/login\?next=/);
    await page.fill("#username", user);
    await page.fill("#password", password(user));
    await page.click("button[type=submit]");
    await page.waitForURL(/\/desk\//);
    await page.locator(".desk-user").waitFor().catch((e) => { throw new Error(`${e.message}\n${page.problems.join("\n")}`); });
    return page;
  }

  it("takes a referred application through two people to the applicant's new premium", async () => {
    // 1. The applicant submits on the quote site.
    const applicant = await openPage(browser);
    await applicant.goto(`${server.url}/index.html`);
    await applicant.locator(".premia-toolbar").waitFor();
    await applicant.evaluate((insured) => globalThis.premiaApp.prefill({ insured }), APPLICANT);
    const quoted = await applicant.evaluate(() => globalThis.premiaApp.current().quote);
    assert.equal(quoted.decision.outcome, "refer");
    assert.equal(quoted.decision.two_person_review, true);
    const answered = applicant.waitForResponse((r) => r.url().endsWith("/api/quotes") && r.request().method() === "POST");
    await applicant.click(".premia-primary");
    const created = await (await answered).json();
    assert.equal(created.status, "referred");
    assert.match(created.receipt, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(created.status_url, `/status/${created.receipt}`);
    await shot(applicant, "01-applicant-submitted");
    await applicant.goto(`${server.url}${created.status_url}`);
    assert.equal(await applicant.locator(".status").getAttribute("data-status"), "submitted");
    await shot(applicant, "02-applicant-status-submitted");

    // 2. Underwriter A: the queue, the case, a 50 % loading.
    const a = await signIn("a.wang");
    const row = a.locator(`.desk-queue tr[data-application="${created.application}"]`);
    await row.waitFor();
    await shot(a, "03-queue");
    await row.locator(".desk-open").click();
    await a.locator(`.desk-case[data-application="${created.application}"]`).waitFor();
    assert.ok(await a.locator('.desk-reasons li[data-rule="question.HEART"]').count());
    assert.ok(await a.locator(".desk-worksheet").count(), "the server's worksheet is shown");
    await shot(a, "04-case");
    await a.selectOption("#desk-kind", "accept_with_terms");
    await a.selectOption("#desk-loading", "0.50");
    await a.fill("#desk-note", "ECG and echo on file: stable, NYHA I");
    await a.click(".desk-submit-decision");
    const pending = a.locator('.desk-decision[data-state="pending"]');
    await pending.waitFor();
    assert.ok(await pending.locator('.desk-worksheet tr[data-code="underwriting.loading"]').count(), "the loading is a worksheet step");
    await shot(a, "05-provisional");

    // 3. A cannot confirm: no button, and the server refuses the request itself.
    assert.equal(await a.locator(".desk-agree").count(), 0);
    const refused = await a.evaluate(async (number) => {
      const me = await (await fetch("/api/staff/me")).json();
      const response = await fetch(`/api/desk/cases/${number}/review`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-csrf-token": me.csrf },
        body: JSON.stringify({ agree: true }),
      });
      return { status: response.status, body: await response.json() };
    }, created.application);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.errors[0].code, "role.forbidden");

    // 4. Senior B confirms from the second-review inbox, in English.
    const b = await signIn("b.li", "en");
    await b.click(".desk-nav-inbox");
    const inboxRow = b.locator(`.desk-inbox tr[data-application="${created.application}"]`);
    await inboxRow.waitFor();
    await shot(b, "06-second-review-inbox");
    await inboxRow.locator(".desk-open").click();
    await b.locator(".desk-agree").click();
    await b.locator('.desk-decision[data-state="final"]').waitFor();
    await b.locator('.desk-case[data-status="decided"]').waitFor();
    await shot(b, "07-confirmed");

    // 5. The applicant's status: accepted, with the new premium (half as much again) and a token.
    const status = await (await fetch(`${server.url}/api/status/${created.receipt}`)).json();
    assert.equal(status.status, "accepted");
    assert.equal(status.loading, "0.50");
    assert.ok(Number(status.premium.annual_premium) > Number(quoted.totals.annual_premium) * 1.45);
    assert.ok(status.token.split(".").length === 3);
    await applicant.goto(`${server.url}${created.status_url}?lang=en`);
    assert.equal(await applicant.locator(".status").getAttribute("data-status"), "accepted");
    assert.match(await applicant.textContent("main"), new RegExp(status.premium.annual_premium.replace(".", "\\.")));
    assert.doesNotMatch(await applicant.textContent("main"), /NYHA/, "never the internal note");
    await shot(applicant, "08-applicant-accepted");

    // 6. An analyst is refused: the page shows the server's refusal, and the API refuses the case.
    const c = await signIn("c.zhao");
    const error = c.locator('.desk-error[data-code="role.forbidden"]');
    await error.waitFor();
    assert.equal(await c.locator(".desk-queue tr[data-application]").count(), 0);
    const caseStatus = await c.evaluate(async (n) => (await fetch(`/api/desk/cases/${n}`)).status, created.application);
    assert.equal(caseStatus, 403);
    await shot(c, "09-analyst-refused");

    for (const page of [applicant, a, b, c]) {
      assert.deepEqual(page.problems.filter((p) => !/status of 40[13]/.test(p)), []);
      await page.context().close();
    }
  });
});
