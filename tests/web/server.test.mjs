// The site and the widget against the real premia server (crates/premia-server): the server serves
// web/dist and takes submissions at /api/quotes. Runs when PREMIA_SERVER_BIN names the server binary
// (scripts/web-test.sh builds it); each run uses its own SQLite store in a temporary folder.
//
// The quote date is the browser's today, as for a real visitor, because the server verifies against
// its own today: the test checks what happens to a submission, not the figures.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { serve } from "./server.mjs";
import { FEMALE_30_ID, dist, freePort, launch, openPage, residentId, shot, startPremiaServer } from "./support.mjs";

/** A day before `date` ("YYYY-MM-DD"). */
function dayBefore(date) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

const bin = process.env.PREMIA_SERVER_BIN;
// Given by the resident ID number (born 1996-05-01, female): an application needs it.
const CUSTOMER = {
  resident_id: FEMALE_30_ID,
  occupation_class: 1,
  social_insurance: true,
  height_cm: "165",
  weight_kg: "58",
  health_answers: Object.fromEntries(
    ["CANCER", "HEART", "HTN", "DIABETES", "HOSPITAL", "THYROID"].map((id) => [id, { yes: false }]),
  ),
};

describe("site and widget with the premia server", { skip: !bin && "PREMIA_SERVER_BIN not set" }, () => {
  let browser, server, serverUrl, crm;

  before(async () => {
    const port = await freePort();
    serverUrl = `http://127.0.0.1:${port}`;
    // The CRM: another origin (another port) whose page embeds the widget from the premia server.
    const page = `<!doctype html><meta charset="utf-8"><script type="module" src="${serverUrl}/premia-widget.js"></script>
<premia-quote id="w" channel="agent" agent-code="A123" products="CI" endpoint="${serverUrl}/api/quotes"></premia-quote>`;
    crm = await serve(dist, { extra: { "/crm.html": page } });
    server = await startPremiaServer(bin, { port, args: ["--allowed-origin", crm.url] });
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await crm?.close();
  });

  it("takes a complete quote from the site and answers with an application number", async () => {
    const page = await openPage(browser);
    await page.goto(`${serverUrl}/index.html`);
    await page.locator(".premia-toolbar").waitFor();
    await page.evaluate((insured) => globalThis.premiaApp.prefill({ insured }), CUSTOMER);
    const digest = await page.evaluate(() => globalThis.premiaApp.current().quote.digest);
    await page.click(".premia-primary");
    const accepted = page.locator(".premia-submission.is-accepted .premia-application");
    await accepted.waitFor();
    const [, number] = (await accepted.textContent()).match(/投保申请号 (\S+)/);
    assert.match(number, /^PA\d{8}-/);
    await shot(page, "server-site-accepted");

    // The same quote again is the same submission (Idempotency-Key: its digest), not a second one.
    await page.click(".premia-submission button");
    await page.click(".premia-primary");
    await accepted.waitFor();
    assert.equal((await accepted.textContent()).match(/投保申请号 (\S+)/)[1], number);
    assert.match(digest, /^[0-9a-f]{64}$/);
    await page.context().close();
  });

  it("shows the server's refusal of an incomplete quote, in the chosen language", async () => {
    const page = await openPage(browser);
    await page.goto(`${serverUrl}/index.html?lang=en`);
    await page.locator(".premia-toolbar").waitFor();
    const { health_answers: _skipped, ...withoutAnswers } = CUSTOMER;
    await page.evaluate((insured) => globalThis.premiaApp.prefill({ insured }), withoutAnswers);
    await page.click(".premia-primary");
    const refused = page.locator(".premia-submission.is-refused");
    await refused.waitFor();
    assert.equal(await refused.getAttribute("data-status"), "422");
    assert.equal(await refused.locator("[data-code]").getAttribute("data-code"), "underwriting.pending");
    assert.match(await refused.textContent(), /underwriting needs more information/);
    await page.context().close();
  });

  it("quotes on the server's today, whatever the browser's zone, with the site's CSP and no console error", async () => {
    const { today } = await (await fetch(`${serverUrl}/api/catalogue`)).json();
    const page = await openPage(browser, { timezoneId: "Pacific/Honolulu" });
    await page.goto(`${serverUrl}/index.html`);
    await page.locator(".premia-toolbar").waitFor();
    await page.evaluate((insured) => globalThis.premiaApp.prefill({ insured }), CUSTOMER);
    assert.equal(await page.evaluate(() => globalThis.premiaApp.current().quote.request.quote_date), today);
    assert.deepEqual(page.problems, [], "the wasm module runs under the CSP ('wasm-unsafe-eval'), nothing inline is refused");
    await page.context().close();
  });

  it("shows the fresh price of a back-dated quote and submits it once confirmed", async () => {
    const { today } = await (await fetch(`${serverUrl}/api/catalogue`)).json();
    const page = await openPage(browser);
    // A page left open since yesterday (its date given as ?date=): the server prices it again today.
    await page.goto(`${serverUrl}/index.html?date=${dayBefore(today)}&lang=en`);
    await page.locator(".premia-toolbar").waitFor();
    await page.evaluate((insured) => globalThis.premiaApp.prefill({ insured }), CUSTOMER);
    const sent = [];
    page.on("request", (r) => r.url().endsWith("/api/quotes") && sent.push(JSON.parse(r.postData())));
    await page.click(".premia-primary");
    const requote = page.locator(".premia-submission.is-requote");
    await requote.waitFor();
    assert.equal(await requote.getAttribute("data-reason"), "dated_before_today");
    assert.match(await requote.textContent(), /confirm the fresh quote priced today/);
    assert.match(await requote.locator(".premia-amount").textContent(), /^¥[\d,]+\.\d\d$/);
    await shot(page, "server-site-requote");
    assert.equal(sent.length, 1);
    // Confirmed: the server's fresh quote goes back as it is, with its stamp, and is accepted.
    await requote.locator(".premia-confirm").click();
    const accepted = page.locator(".premia-submission.is-accepted .premia-application");
    await accepted.waitFor();
    assert.match(await accepted.textContent(), /PA\d{8}-/);
    assert.equal(sent.length, 2);
    assert.equal(sent[1].quote.request.quote_date, today);
    assert.match(sent[1].stamp, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.equal(sent[1].resident_id, FEMALE_30_ID);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  it("asks for the number when the quote was priced without it, and shows the server's refusal of one that does not match", async () => {
    const page = await openPage(browser);
    await page.goto(`${serverUrl}/index.html?lang=en`);
    await page.locator(".premia-toolbar").waitFor();
    const { resident_id: _number, ...rest } = CUSTOMER;
    const byBirthDate = { ...rest, birth_date: "1996-05-01", sex: "female" };
    await page.evaluate((insured) => globalThis.premiaApp.prefill({ insured }), byBirthDate);
    await page.click(".premia-primary");
    const needed = page.locator("#premia-insured-resident_id-needed");
    await needed.waitFor();
    assert.match(await needed.textContent(), /To apply, enter the insured's resident ID number/);
    await page.fill("#premia-insured-resident_id", FEMALE_30_ID);

    // A client that swaps in another valid number (another person, born another day) is refused: its birth
    // date is not the quote's. The page shows the server's typed error, in English.
    const other = residentId("11010119960502002");
    await page.route("**/api/quotes", (route) => {
      const sent = JSON.parse(route.request().postData());
      route.continue({ postData: JSON.stringify({ ...sent, resident_id: other }) });
    });
    await page.click(".premia-primary");
    const refused = page.locator(".premia-submission.is-refused");
    await refused.waitFor();
    assert.equal(await refused.getAttribute("data-status"), "422");
    assert.equal(await refused.locator("[data-code]").getAttribute("data-code"), "resident_id.contradicts");
    assert.match(await refused.textContent(), /birth date/);
    await shot(page, "server-site-id-mismatch");
    await page.unroute("**/api/quotes");

    // As the page wrote it, the same application is accepted.
    await page.click(".premia-submission button");
    await page.click(".premia-primary");
    const accepted = page.locator(".premia-submission.is-accepted .premia-application");
    await accepted.waitFor();
    assert.match(await accepted.textContent(), /PA\d{8}-/);
    await page.context().close();
  });

  it("lets a widget on a CRM page of another origin submit to the server with the agent's token", async () => {
    const page = await openPage(browser);
    await page.goto(`${crm.url}/crm.html`);
    // The widget's files come from the server's origin: this needs its CORS answer for the CRM origin.
    await page.evaluate(() => customElements.whenDefined("premia-quote"));
    await page.evaluate(() => document.getElementById("w").ready);
    await page.evaluate((insured) => document.getElementById("w").prefill({ insured }), CUSTOMER);
    // Without the agent's token the server refuses the agent-channel application, and the widget says so.
    await page.locator("#w .premia-primary").click();
    const refused = page.locator("#w .premia-submission.is-refused");
    await refused.waitFor();
    assert.equal(await refused.getAttribute("data-status"), "401");
    assert.equal(await refused.locator("[data-code]").getAttribute("data-code"), "auth.required");
    await page.locator("#w .premia-submission button").click();
    // The CRM's script gives the token (never an attribute: the markup does not carry it).
    const token = await server.admin(["agent", "issue", "A123", "--label", "crm test"]);
    await page.evaluate((t) => (document.getElementById("w").agentToken = t), token);
    assert.equal(await page.evaluate(() => document.getElementById("w").outerHTML.includes("pat_")), false);
    assert.equal(await page.evaluate(() => document.getElementById("w").agentToken), true);
    const sentAuth = page.waitForRequest((r) => r.url().endsWith("/api/quotes") && r.method() === "POST");
    const submitted = page.evaluate(
      () => new Promise((ok) => document.addEventListener("premia-submit", (e) => ok(e.detail), { once: true })),
    );
    await page.locator("#w .premia-primary").click();
    assert.equal((await sentAuth).headers().authorization, `Bearer ${token}`);
    const detail = await submitted;
    assert.match(detail.quote.digest, /^[0-9a-f]{64}$/);
    assert.equal(detail.resident_id, FEMALE_30_ID);
    assert.equal(JSON.stringify(detail).includes(token), false, "the token is not in the event");
    const accepted = page.locator("#w .premia-submission.is-accepted");
    await accepted.waitFor();
    assert.match(await accepted.textContent(), /投保申请号 PA\d{8}-/);
    await shot(page, "server-widget-cross-origin");
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});
