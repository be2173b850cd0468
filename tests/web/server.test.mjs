// The site and the widget against the real premia server (crates/premia-server): the server serves
// web/dist and takes submissions at /api/quotes. Runs when PREMIA_SERVER_BIN names the server binary
// (scripts/web-test.sh builds it); each run uses its own SQLite store in a temporary folder.
//
// The quote date is the browser's today, as for a real visitor, because the server verifies against
// its own today: the test checks what happens to a submission, not the figures.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { serve } from "./server.mjs";
import { FEMALE_30_ID, answerAllNo, dist, freePort, launch, openPage, residentId, shot, startPremiaServer, underwriter } from "./support.mjs";

/** A day before `date` ("YYYY-MM-DD"). */
function dayBefore(date) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

/** The element's box lies within the viewport: the person sees it without scrolling. */
async function assertInView(page, locator) {
  const box = await locator.boundingBox();
  const { width, height } = page.viewportSize();
  assert.ok(box && box.y >= 0 && box.x >= 0 && box.y < height && box.x + box.width <= width, `in view: ${JSON.stringify(box)} of ${width}×${height}`);
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
  // The CRM's pages, served from its own (loopback) origin: a test may add one. (A page fulfilled by
  // `page.route` counts as public to Chromium, which then refuses its requests to a loopback server.)
  const crmPages = {};

  before(async () => {
    const port = await freePort();
    serverUrl = `http://127.0.0.1:${port}`;
    // The CRM: another origin (another port) whose page embeds the widget from the premia server.
    const page = `<!doctype html><meta charset="utf-8"><script type="module" src="${serverUrl}/premia-widget.js"></script>
<premia-quote id="w" channel="agent" agent-code="A123" products="CI" endpoint="${serverUrl}/api/quotes"></premia-quote>`;
    crmPages["/crm.html"] = page;
    crm = await serve(dist, { extra: crmPages });
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

  it("says which health questions are unanswered before submitting, moves focus there, and sends nothing", async () => {
    const page = await openPage(browser);
    await page.goto(`${serverUrl}/index.html?lang=en`);
    await page.locator(".premia-toolbar").waitFor();
    const { health_answers: _skipped, ...withoutAnswers } = CUSTOMER;
    await page.evaluate((insured) => globalThis.premiaApp.prefill({ insured: { ...insured, health_answers: { CANCER: { yes: false } } } }), withoutAnswers);
    const sent = [];
    page.on("request", (r) => r.url().endsWith("/api/quotes") && sent.push(r.postData()));
    await page.click(".premia-primary");
    const missing = page.locator(".premia-incomplete li");
    await missing.first().waitFor();
    const listed = await missing.evaluateAll((items) => items.map((li) => [li.dataset.field, li.textContent]));
    assert.deepEqual(
      listed.map(([field]) => field),
      ["HEART", "HTN", "DIABETES", "HOSPITAL", "THYROID"].map((q) => `insured.health_answers.${q}`),
      "each unanswered question, in the form's order; not the one answered",
    );
    assert.match(listed[0][1], /heart disease/i, "named by its words, not its code");
    // Focus is on the first unanswered question, which says it needs an answer.
    const focused = await page.evaluate(() => [document.activeElement?.name, document.activeElement?.closest("fieldset")?.id]);
    assert.deepEqual(focused, ["premia-insured-health_answers-HEART", "premia-insured-health_answers-HEART"]);
    const heart = page.locator("#premia-insured-health_answers-HEART");
    assert.equal(await heart.getAttribute("aria-invalid"), "true");
    assert.match(await heart.textContent(), /Please answer this question/);
    assert.equal(await page.locator("#premia-insured-health_answers-CANCER").getAttribute("aria-invalid"), "false");
    assert.equal(sent.length, 0, "nothing was sent");
    await shot(page, "issue11-unanswered-en");
    // Each listed question is a way there; answering one leaves the others listed.
    await missing.nth(2).locator("button").click();
    assert.equal(await page.evaluate(() => document.activeElement?.name), "premia-insured-health_answers-DIABETES");
    await page.locator("#premia-insured-health_answers-HEART input[value=no]").check();
    assert.equal(await missing.count(), 4);
    await page.click(".premia-lang");
    assert.match(await page.locator(".premia-incomplete").textContent(), /投保前请先补充/);
    await shot(page, "issue11-unanswered-zh");
    // All answered: the list goes, and the application is sent and accepted.
    await answerAllNo(page);
    assert.equal(await page.locator(".premia-incomplete").count(), 0);
    await page.click(".premia-primary");
    await page.locator(".premia-submission.is-accepted").waitFor();
    assert.equal(sent.length, 1);
    await page.context().close();
  });

  it("asks for the height and weight underwriting needs before submitting", async () => {
    const page = await openPage(browser);
    await page.goto(`${serverUrl}/index.html`);
    await page.locator(".premia-toolbar").waitFor();
    const { height_cm: _h, weight_kg: _w, ...rest } = CUSTOMER;
    await page.evaluate((insured) => globalThis.premiaApp.prefill({ insured }), rest);
    await page.click(".premia-primary");
    const missing = page.locator(".premia-incomplete li");
    await missing.first().waitFor();
    assert.deepEqual(await missing.evaluateAll((items) => items.map((li) => li.dataset.field)), ["insured.height_cm", "insured.weight_kg"]);
    assert.match(await page.locator(".premia-incomplete").textContent(), /身高（厘米）.*体重（千克）/);
    assert.equal(await page.evaluate(() => document.activeElement?.id), "premia-insured-height_cm");
    await page.context().close();
  });

  it("shows the server's refusal in the chosen language, where the person is looking, with focus", async () => {
    // A person on the server's blacklist: the server refuses the application (403), and says so in words.
    const listed = residentId("11010119900101001");
    await server.admin(["blacklist", "add", "--resident-id", listed, "--reason", "web test"]);
    for (const viewport of [{ width: 1280, height: 900 }, { width: 390, height: 844 }]) {
      const page = await openPage(browser, viewport);
      await page.goto(`${serverUrl}/index.html?lang=en`);
      await page.locator(".premia-toolbar").waitFor();
      await page.evaluate((insured) => globalThis.premiaApp.prefill({ insured }), { ...CUSTOMER, resident_id: listed });
      await page.click(".premia-primary");
      const refused = page.locator(".premia-submission.is-refused");
      await refused.waitFor();
      assert.equal(await refused.getAttribute("data-status"), "403");
      assert.equal(await refused.locator("[data-code]").getAttribute("data-code"), "blacklist.declined");
      assert.match(await refused.textContent(), /this application cannot be accepted/);
      assert.equal(await page.evaluate(() => document.activeElement?.classList.contains("is-refused")), true, "focus on the answer");
      await assertInView(page, refused);
      await shot(page, `server-site-refused-${viewport.width}`);
      await page.context().close();
    }
  });

  it("shows an accepted application where the person is looking, with focus, and says truthfully what happens next", async () => {
    for (const viewport of [{ width: 1280, height: 900 }, { width: 390, height: 844 }]) {
      for (const lang of ["zh-CN", "en"]) {
        const page = await openPage(browser, viewport);
        await page.goto(`${serverUrl}/index.html?lang=${lang}`);
        await page.locator(".premia-toolbar").waitFor();
        await page.evaluate((insured) => globalThis.premiaApp.prefill({ insured }), CUSTOMER);
        await page.click(".premia-primary");
        const accepted = page.locator(".premia-submission.is-accepted");
        await accepted.waitFor();
        assert.equal(await accepted.getAttribute("data-status"), "accepted");
        assert.equal(await page.evaluate(() => document.activeElement?.classList.contains("is-accepted")), true, "focus on the answer");
        await assertInView(page, accepted);
        const text = await accepted.textContent();
        assert.match(text, lang === "en" ? /No premium has been taken/ : /尚未收取任何保费/);
        assert.doesNotMatch(text, /联系您|与您联系|be in touch|contact you|will call/, "no promise the site cannot keep");
        await shot(page, `issue11-accepted-${lang}-${viewport.width}`);
        await page.context().close();
      }
    }
  });

  it("says so when an application is referred to an underwriter", async () => {
    const page = await openPage(browser);
    await page.goto(`${serverUrl}/index.html?lang=en`);
    await page.locator(".premia-toolbar").waitFor();
    // 165 cm, 80 kg: BMI 29.4, which the demo catalogue refers to an underwriter.
    await page.evaluate((insured) => globalThis.premiaApp.prefill({ insured }), { ...CUSTOMER, weight_kg: "80" });
    await page.click(".premia-primary");
    const accepted = page.locator(".premia-submission.is-accepted");
    await accepted.waitFor();
    assert.equal(await accepted.getAttribute("data-status"), "referred");
    assert.match(await accepted.textContent(), /An underwriter must review it before it can be accepted/);
    assert.doesNotMatch(await accepted.textContent(), /contact you|be in touch/);
    await page.click(".premia-lang");
    assert.match(await accepted.textContent(), /须由核保人员人工审核/);
    await shot(page, "issue11-referred");
    await page.context().close();
  });

  it("sends the resident ID number as it was typed, and the server reads it", async () => {
    const page = await openPage(browser);
    await page.goto(`${serverUrl}/index.html`);
    await page.locator(".premia-toolbar").waitFor();
    const { resident_id: _number, ...rest } = CUSTOMER;
    await page.evaluate((insured) => globalThis.premiaApp.prefill({ insured }), rest);
    const typed = `${FEMALE_30_ID.slice(0, 6)} ${FEMALE_30_ID.slice(6, 14)}-${FEMALE_30_ID.slice(14)}`.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));
    await page.fill("#premia-insured-resident_id", typed);
    const sent = page.waitForRequest((r) => r.url().endsWith("/api/quotes") && r.method() === "POST");
    await page.click(".premia-primary");
    assert.equal(JSON.parse((await sent).postData()).resident_id, typed, "nothing cut or changed");
    // The server reads it as the core does (spaces, a hyphen, full-width digits), and accepts it.
    await page.locator(".premia-submission.is-accepted").waitFor();
    assert.equal(await page.locator("#premia-insured-resident_id").inputValue(), typed, "the field keeps what was typed");
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
    // The CRM hears the server's answer: refused (with the typed errors) or accepted (with the number and token).
    await page.evaluate(() => {
      globalThis.answers = [];
      for (const name of ["premia-submitted", "premia-refused", "premia-requote"]) {
        document.addEventListener(name, (e) => globalThis.answers.push({ name, id: e.target.id, detail: e.detail }));
      }
    });
    // Without the agent's token the server refuses the agent-channel application, and the widget says so.
    await page.locator("#w .premia-primary").click();
    const refused = page.locator("#w .premia-submission.is-refused");
    await refused.waitFor();
    assert.equal(await refused.getAttribute("data-status"), "401");
    assert.equal(await refused.locator("[data-code]").getAttribute("data-code"), "auth.required");
    const [refusal] = await page.evaluate(() => globalThis.answers);
    assert.equal(refusal.name, "premia-refused");
    assert.equal(refusal.id, "w");
    assert.equal(refusal.detail.status, 401);
    assert.equal(refusal.detail.errors[0].code, "auth.required");
    assert.match(refusal.detail.errors[0].message.en, /token/);
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
    const answers = await page.evaluate(() => globalThis.answers);
    assert.deepEqual(answers.map((a) => a.name), ["premia-refused", "premia-submitted"]);
    const created = answers[1].detail;
    assert.match(created.application, /^PA\d{8}-/);
    assert.match(await accepted.textContent(), new RegExp(created.application));
    assert.equal(created.status, "accepted");
    assert.equal(created.digest, detail.quote.digest);
    assert.match(created.token, /^[\w-]+\.[\w-]+\.[\w-]+$/, "the application's signed token");
    assert.equal(JSON.stringify(answers).includes(token), false, "the agent's token is in no event");
    await shot(page, "server-widget-cross-origin");
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  it("tells the CRM when the server priced the quote again, and what it answered once confirmed", async () => {
    const { today } = await (await fetch(`${serverUrl}/api/catalogue`)).json();
    const page = await openPage(browser);
    const widget = `<!doctype html><meta charset="utf-8"><script type="module" src="${serverUrl}/premia-widget.js"></script>
<premia-quote id="old" lang="en" products="CI" quote-date="${dayBefore(today)}" endpoint="${serverUrl}/api/quotes"></premia-quote>`;
    crmPages["/requote.html"] = widget;
    await page.goto(`${crm.url}/requote.html`);
    await page.evaluate(() => customElements.whenDefined("premia-quote").then(() => document.getElementById("old").ready));
    await page.evaluate(() => {
      globalThis.answers = [];
      for (const name of ["premia-submitted", "premia-refused", "premia-requote"]) {
        document.addEventListener(name, (e) => globalThis.answers.push({ name, detail: e.detail }));
      }
    });
    await page.evaluate((insured) => document.getElementById("old").prefill({ insured }), CUSTOMER);
    await page.locator("#old .premia-primary").click();
    const requote = page.locator("#old .premia-submission.is-requote");
    await requote.waitFor();
    assert.equal(await page.evaluate(() => document.getElementById("old").shadowRoot.activeElement?.classList.contains("is-requote")), true);
    const [asked] = await page.evaluate(() => globalThis.answers);
    assert.equal(asked.name, "premia-requote");
    assert.equal(asked.detail.errors[0].code, "quote.requote_needed");
    assert.equal(asked.detail.requote.reason, "dated_before_today");
    assert.equal(asked.detail.requote.fresh.request.quote_date, today);
    assert.match(asked.detail.requote.stamp, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    await requote.locator(".premia-confirm").click();
    await page.locator("#old .premia-submission.is-accepted").waitFor();
    const answers = await page.evaluate(() => globalThis.answers);
    assert.deepEqual(answers.map((a) => a.name), ["premia-requote", "premia-submitted"]);
    assert.equal(answers[1].detail.digest, asked.detail.requote.fresh.digest, "the fresh quote was the one accepted");
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
  it("shows where a referred application stands and follows it as the desk decides, without a reload", async () => {
    const decide = await underwriter(server, "u.status");
    const page = await openPage(browser);
    // The page's timers run on a clock the test moves: its 15 s between reads pass at once.
    await page.clock.install();
    await page.goto(`${serverUrl}/index.html?lang=en`);
    await page.locator(".premia-toolbar").waitFor();
    // 165 cm, 80 kg: BMI 29.4, referred to an underwriter (one person decides it).
    await page.evaluate((insured) => globalThis.premiaApp.prefill({ insured }), { ...CUSTOMER, weight_kg: "80" });
    const reads = [];
    page.on("request", (r) => r.url().includes("/status") && reads.push(r));
    const answered = page.waitForResponse((r) => r.url().endsWith("/api/quotes") && r.request().method() === "POST");
    await page.click(".premia-primary");
    const created = await (await answered).json();
    assert.equal(created.status, "referred");
    await page.evaluate(() => (globalThis.sameDocument = true));
    const standing = page.locator(".premia-submission.is-accepted .premia-standing");
    // At once: the server's words for where it stands, and the link to its status page on the server.
    await page.locator('.premia-standing[data-status="submitted"]').waitFor();
    assert.match(await standing.textContent(), /submitted: waiting for underwriting/);
    const link = page.locator(".premia-status-link");
    assert.equal(await link.getAttribute("href"), `${serverUrl}${created.status_url}`);
    assert.equal(await link.getAttribute("rel"), "noopener noreferrer");
    assert.equal(reads[0].url(), `${serverUrl}/api/status/${created.receipt}`, "the applicant's receipt route");
    assert.equal(reads[0].headers().authorization, undefined, "no token on the receipt route");
    await shot(page, "issue13-status-submitted");

    // The underwriter asks for an exam: the next read (15 s on) shows it, in the page's language.
    await decide(created.application, { kind: "medical_exam" });
    await page.clock.runFor(15_000);
    await page.locator('.premia-standing[data-status="under_review"]').waitFor();
    assert.match(await standing.textContent(), /under review.*We need you to.*medical examination/s);
    assert.match(await page.locator(".premia-next").textContent(), /An underwriter must review it/, "still undecided");
    await page.click(".premia-lang");
    assert.match(await standing.textContent(), /核保中.*需要您.*体检/s);
    await page.click(".premia-lang");

    // Accepted: the final premium is the server's, shown as it says; the page stops reading.
    await decide(created.application, { kind: "accept" });
    await page.clock.runFor(15_000);
    await page.locator('.premia-standing[data-status="accepted"]').waitFor();
    const status = await (await fetch(`${serverUrl}/api/status/${created.receipt}`)).json();
    assert.equal(status.status, "accepted");
    const money = (amount) => `¥${amount.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}`;
    const text = await standing.textContent();
    assert.ok(text.includes(money(status.premium.annual_premium)), `${text} has ${status.premium.annual_premium}`);
    assert.ok(text.includes(money(status.premium.net_total_premium)));
    assert.doesNotMatch(text, /internal|BMI/, "never the underwriter's note");
    assert.equal(await page.locator(".premia-next").count(), 0, "decided: no more 'an underwriter must review it'");
    assert.equal(await page.evaluate(() => globalThis.sameDocument), true, "no reload");
    await shot(page, "issue13-status-accepted");
    const settled = reads.length;
    await page.clock.runFor(120_000);
    assert.equal(reads.length, settled, "settled: not read again");
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  it("lets the selling agent's widget follow the application with the agent's token and tells the CRM", async () => {
    const decide = await underwriter(server, "u.widget");
    const token = await server.admin(["agent", "issue", "A123", "--label", "status test"]);
    const page = await openPage(browser);
    await page.clock.install();
    await page.goto(`${crm.url}/crm.html`);
    await page.evaluate(() => customElements.whenDefined("premia-quote").then(() => document.getElementById("w").ready));
    await page.evaluate((t) => (document.getElementById("w").agentToken = t), token);
    await page.evaluate((insured) => document.getElementById("w").prefill({ insured }), { ...CUSTOMER, weight_kg: "80" });
    await page.evaluate(() => {
      globalThis.statuses = [];
      document.addEventListener("premia-status", (e) => globalThis.statuses.push({ id: e.target.id, detail: e.detail }));
      document.addEventListener("premia-submitted", (e) => (globalThis.created = e.detail));
    });
    const reads = [];
    page.on("request", (r) => r.url().includes("/status") && reads.push(r));
    await page.locator("#w .premia-primary").click();
    await page.locator('#w .premia-standing[data-status="submitted"]').waitFor();
    const created = await page.evaluate(() => globalThis.created);
    assert.equal(created.status, "referred");
    // The agent's route, with their token; from the CRM's origin (the server allows it).
    assert.equal(reads[0].url(), `${serverUrl}/api/applications/${created.application}/status`);
    assert.equal(reads[0].headers().authorization, `Bearer ${token}`);
    assert.equal(await page.locator("#w .premia-status-link").getAttribute("href"), `${serverUrl}${created.status_url}`);
    await page.waitForFunction(() => globalThis.statuses.length === 1);
    let statuses = await page.evaluate(() => globalThis.statuses);
    assert.equal(statuses[0].id, "w");
    assert.equal(statuses[0].detail.status, "submitted");
    assert.equal(statuses[0].detail.application, created.application);

    // Nothing changed at the next read: no second event.
    const again = page.waitForResponse((r) => r.url().endsWith("/status") && r.request().method() === "GET");
    await page.clock.runFor(15_000);
    await (await again).finished();
    await new Promise((ok) => setTimeout(ok, 300));
    assert.equal(reads.length, 2);
    assert.equal((await page.evaluate(() => globalThis.statuses)).length, 1);

    // Declined, with a reason category the applicant can read: the widget shows it, the CRM hears it.
    await decide(created.application, { kind: "decline", reason: "HEALTH" });
    await page.clock.runFor(15_000);
    await page.locator('#w .premia-standing[data-status="declined"]').waitFor();
    assert.match(await page.locator("#w .premia-standing").textContent(), /未能承保.*原因.*健康状况不符合承保要求/s);
    await page.waitForFunction(() => globalThis.statuses.length === 2);
    statuses = await page.evaluate(() => globalThis.statuses);
    assert.equal(statuses[1].detail.status, "declined");
    assert.equal(statuses[1].detail.reason.id, "HEALTH");
    assert.equal(statuses[1].detail.label.en, "declined");
    assert.equal(JSON.stringify(statuses).includes("internal"), false, "never the underwriter's note");
    assert.equal(JSON.stringify(statuses).includes(token), false, "the agent's token is in no event");
    await shot(page, "issue13-widget-declined");
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});
