// The <premia-quote> widget in real headless Chromium: on a hostile host page of another origin,
// its events and prefill, and two widgets on one page.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { serve } from "./server.mjs";
import { FEMALE_30_ID, QUOTE_DATE, completeForApplication, dist, launch, openPage, shot } from "./support.mjs";

const CUSTOMER = { birth_date: "1996-05-01", sex: "female", occupation_class: 1, social_insurance: true };

/** A CRM page whose CSS tries hard to break anything it can reach. */
function hostilePage(widgetOrigin) {
  return `<!doctype html><html><head><meta charset="utf-8"><title>hostile CRM</title>
<style>
  html { font-size: 10px !important; }
  * { font-family: "Comic Sans MS", cursive !important; color: #f0f !important; line-height: 4 !important;
      letter-spacing: 3px !important; text-transform: uppercase !important; font-style: italic !important; }
  div, p, input, select, button, label, fieldset, section, span, aside, form, h2, h3, dl, ul, li {
      display: inline !important; border: 3px dashed red !important; background: yellow !important;
      margin: 20px !important; font-size: 40px !important; width: 10px !important; }
  .premia, .premia-card, .premia-amount, .premia-summary { display: none !important; }
  premia-quote { padding: 8px; }
</style>
<script type="module" src="${widgetOrigin}/premia-widget.js"></script></head>
<body><p id="host-text">host text</p><div class="premia-card" id="decoy">decoy</div>
<premia-quote id="w" lang="zh-CN" channel="agent" agent-code="A123" products="CI,MED" quote-date="${QUOTE_DATE}"></premia-quote>
</body></html>`;
}

const twoWidgets = `<!doctype html><html><head><meta charset="utf-8"><title>two widgets</title>
<script type="module" src="/premia-widget.js"></script></head><body>
<premia-quote id="a" lang="zh-CN" products="CI" quote-date="${QUOTE_DATE}"></premia-quote>
<premia-quote id="b" lang="en" channel="agent" agent-code="B77" products="MED,ACC" quote-date="${QUOTE_DATE}"
  style="--premia-primary: #6b2fb3"></premia-quote>
<premia-quote id="bad" products="CI,NOPE"></premia-quote>
</body></html>`;

/** Record the widget events of the page in window.events, from before its first script runs. */
async function recordEvents(page) {
  await page.addInitScript(() => {
    globalThis.events = [];
    for (const name of ["premia-quote-change", "premia-submit", "premia-error"]) {
      document.addEventListener(name, (e) => globalThis.events.push({ name, id: e.target.id, detail: e.detail }));
    }
  });
}

describe("quote widget", () => {
  let browser, widgetServer, hostServer;

  before(async () => {
    browser = await launch();
    widgetServer = await serve(dist, { cors: true, extra: { "/two.html": twoWidgets } });
    hostServer = await serve(dist, { extra: { "/crm.html": hostilePage(widgetServer.url) } });
  });

  after(async () => {
    await browser?.close();
    await widgetServer?.close();
    await hostServer?.close();
  });

  it("renders intact on a hostile page of another origin, takes prefill and emits its events", async () => {
    const page = await openPage(browser);
    await recordEvents(page);
    await page.goto(`${hostServer.url}/crm.html`);
    assert.notEqual(new URL(hostServer.url).origin, new URL(widgetServer.url).origin);
    await page.evaluate(() => document.getElementById("w").ready);
    // The hostile CSS is live on the host page…
    assert.equal(await page.locator("#host-text").evaluate((el) => getComputedStyle(el).textTransform), "uppercase");
    // …and the widget's CSS did not leak onto the host's own .premia-card.
    assert.equal(await page.locator("#decoy").evaluate((el) => getComputedStyle(el).borderRadius), "0px");

    await page.evaluate((customer) => {
      document.getElementById("w").customer = customer;
    }, CUSTOMER);
    const amount = page.locator("#w .premia-headline .premia-amount");
    assert.equal(await amount.textContent(), "¥9,715.00");
    const style = await amount.evaluate((el) => {
      const s = getComputedStyle(el);
      return { fontSize: s.fontSize, color: s.color, textTransform: s.textTransform, display: s.display, font: s.fontFamily };
    });
    assert.deepEqual(
      { fontSize: style.fontSize, color: style.color, textTransform: style.textTransform, display: style.display },
      { fontSize: "36px", color: "rgb(11, 94, 107)", textTransform: "none", display: "inline" },
    );
    assert.doesNotMatch(style.font, /Comic/);
    const input = await page.locator("#w #premia-insured-birth_date").boundingBox();
    assert.ok(input.width > 150 && input.height >= 40, `the date input keeps its size: ${JSON.stringify(input)}`);
    await shot(page, "widget-hostile-page");

    const changes = await page.evaluate(() => globalThis.events.filter((e) => e.name === "premia-quote-change"));
    const last = changes.at(-1);
    assert.equal(last.id, "w");
    assert.equal(last.detail.quote.totals.annual_premium, "9715.00");
    assert.deepEqual(last.detail.quote.request.channel, { kind: "agent", agent_code: "A123" });
    assert.deepEqual(last.detail.errors, []);

    await page.locator("#w #premia-coverages-0-sum_assured").fill("505000");
    const invalid = await page.evaluate(() => globalThis.events.at(-1));
    assert.equal(invalid.detail.quote, null);
    assert.equal(invalid.detail.errors[0].code, "amount.step");
    assert.equal(invalid.detail.errors[0].field, "coverages[0].sum_assured");
    await page.locator("#w #premia-coverages-0-sum_assured").fill("500000");

    // Priced from birth date and sex: "submit" asks for the resident ID number beside its field, in the
    // widget's shadow root, and emits nothing.
    await page.locator("#w .premia-primary").click();
    const needed = page.locator("#w #premia-insured-resident_id-needed");
    await needed.waitFor();
    assert.match(await needed.textContent(), /投保须填写被保险人的身份证号码/);
    const focused = await page.evaluate(() => document.getElementById("w").shadowRoot.activeElement?.id);
    assert.equal(focused, "premia-insured-resident_id");
    assert.equal(await page.evaluate(() => globalThis.events.some((e) => e.name === "premia-submit")), false);
    await shot(page, "widget-submit-needs-id");

    // With the number the quote is re-priced (same person, same price, the number's hash in the request)
    // and "submit" emits the application: the quote beside the number.
    await page.locator("#w #premia-insured-resident_id").fill(FEMALE_30_ID);
    const priced = await page.evaluate(() => globalThis.events.at(-1));
    assert.equal(priced.detail.quote.totals.annual_premium, "9715.00");
    assert.equal(priced.detail.quote.request.insured.birth_date, "1996-05-01");
    assert.equal("resident_id_hash" in priced.detail.quote.request.insured, false, "nothing of the number in the quote");
    // What underwriting needs (height, weight, every answer) re-prices it once more: that quote is sent.
    await completeForApplication(page, "#w ");
    const complete = await page.evaluate(() => globalThis.events.at(-1));
    assert.equal(complete.name, "premia-quote-change");
    assert.equal(complete.detail.quote.decision.outcome, "accept");
    await page.locator("#w .premia-primary").click();
    const submitted = await page.evaluate(() => globalThis.events.find((e) => e.name === "premia-submit"));
    assert.deepEqual(Object.keys(submitted.detail), ["quote", "resident_id"]);
    assert.equal(submitted.detail.quote.digest, complete.detail.quote.digest);
    assert.equal(submitted.detail.resident_id, FEMALE_30_ID);
    const payload = page.locator("#w .premia-submission.is-unavailable .premia-payload");
    const shown = JSON.parse(await payload.textContent());
    assert.equal(shown.quote.digest, complete.detail.quote.digest, "no endpoint: payload shown");
    assert.equal(shown.resident_id, FEMALE_30_ID);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  it("keeps two widgets on one page independent, and reports a bad attribute without breaking the others", async () => {
    const page = await openPage(browser);
    await recordEvents(page);
    await page.goto(`${widgetServer.url}/two.html`);
    await page.evaluate(() => Promise.all([document.getElementById("a").ready, document.getElementById("b").ready]));

    await page.evaluate((insured) => document.getElementById("a").prefill({ insured }), CUSTOMER);
    assert.equal(await page.locator("#a .premia-headline .premia-amount").textContent(), "¥9,715.00");
    assert.equal(await page.locator("#b .premia-amount").count(), 0, "the other widget knows nothing yet");
    assert.equal(await page.locator("#b .premia-summary-title").textContent(), "Your premium");
    assert.equal(await page.locator("#a h2.premia-title").count(), 1, "a section of the CRM's page, not its h1");
    assert.equal(await page.locator("#a .premia-summary-title").textContent(), "您的保费");
    assert.deepEqual(
      await page.locator("#b input[name=product]").evaluateAll((els) => els.map((e) => e.value)),
      ["MED", "ACC"],
    );

    await page.locator("#b #premia-insured-birth_date").fill("1991-01-15");
    await page.locator("#b input[name=sex][value=male]").check();
    await page.locator("#b #premia-coverages-0-frequency").selectOption("monthly");
    // The catalogue's MED case: 35, social insurance, D10K, monthly: 27.98 a month.
    assert.equal(await page.locator("#b .premia-headline .premia-amount").textContent(), "¥27.98");
    assert.equal(await page.locator("#a .premia-headline .premia-amount").textContent(), "¥9,715.00");
    const primary = await page.locator("#b .premia-primary").evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.equal(primary, "rgb(107, 47, 179)", "themed through --premia-primary");

    await page.evaluate(() => document.getElementById("a").setAttribute("lang", "en"));
    assert.equal(await page.locator("#a .premia-summary-title").textContent(), "Your premium");

    const bByEvents = await page.evaluate(() => globalThis.events.filter((e) => e.id === "b" && e.detail?.quote).at(-1));
    assert.deepEqual(bByEvents.detail.quote.request.channel, { kind: "agent", agent_code: "B77" });
    const refused = await page.evaluate(() =>
      document.getElementById("bad").ready.then(() => null, (e) => e.errors.map((x) => x.code)),
    );
    assert.deepEqual(refused, ["unknown"]);
    const error = await page.evaluate(() => globalThis.events.find((e) => e.name === "premia-error"));
    assert.equal(error?.id, "bad");
    assert.match(error.detail.message, /products\[1\]: unknown product "NOPE"/);
    assert.match(await page.locator("#bad [role=alert]").textContent(), /未定义的产品“NOPE”/);
    await shot(page, "widget-two-on-one-page");
    await page.context().close();
  });
});
