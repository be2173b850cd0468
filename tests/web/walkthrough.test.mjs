// The quote page and the widget as a person meets them (issue 11): money at its rounding's places, the
// worksheet's steps once, a price panel that says what blocks the price and takes you there, the ID
// number and amounts as people type them, impossible measurements as input errors, the form kept across
// a reload and Back, words instead of codes, what is paid when, focus, headings and prefill. Screenshots
// of each state go to tests/artifacts/web/.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { serve } from "./server.mjs";
import { QUOTE_DATE, dist, launch, openPage, shot } from "./support.mjs";

describe("quote page walkthrough", () => {
  let browser, site;

  before(async () => {
    browser = await launch();
    site = await serve(dist);
  });

  after(async () => {
    await browser?.close();
    await site?.close();
  });

  async function open(options = {}, query = "") {
    const page = await openPage(browser, options);
    await page.goto(`${site.url}/index.html?date=${QUOTE_DATE}${query}`);
    await page.locator(".premia-toolbar").waitFor();
    return page;
  }

  async function customer(page, birth = "1996-05-01") {
    await page.fill("#premia-insured-birth_date", birth);
    await page.check("input[name=sex][value=female]");
  }

  const headline = (page) => page.locator(".premia-headline .premia-amount").textContent();
  const quote = (page) => page.evaluate(() => globalThis.premiaApp.current().quote);

  it("shows money at its rounding's places whatever the factor: accident cover at occupation class 1", async () => {
    const page = await open();
    await customer(page);
    await page.check("input[name=product][value=ACC]");
    await page.uncheck("input[name=product][value=CI]");
    // 1,000,000 ÷ 1000 × 0.40 × 1.0 (class 1): ¥400.00, not ¥400.000.
    assert.equal(await headline(page), "¥400.00");
    const q = await quote(page);
    assert.equal(q.coverages[0].base_premium, "400.00");
    assert.equal(q.totals.first_year_premium, "400.00");
    await page.click(".premia-worksheet summary");
    const rounding = page.locator(".premia-worksheet tr[data-code=rounding]").last();
    assert.match(await rounding.textContent(), /400\.000 → 精确到分，四舍五入/);
    await shot(page, "issue11-money-places");
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  it("shows each worksheet step once when a coupon is entered twice in two spellings", async () => {
    const page = await open();
    await customer(page);
    for (const code of ["ONLINE-2026", "online-2026"]) {
      await page.fill("#premia-coupons", code);
      await page.keyboard.press("Enter");
    }
    const refused = page.locator(".premia-coupon.is-refused");
    assert.equal(await refused.getAttribute("data-code"), "duplicate");
    assert.match(await refused.textContent(), /优惠“ONLINE-2026”重复/);
    await page.click(".premia-worksheet summary");
    assert.equal(await page.locator(".premia-worksheet tr[data-code='discount.percent']").count(), 1);
    assert.equal(await page.locator(".premia-worksheet tr[data-code='discount.every_year']").count(), 1);
    await shot(page, "issue11-coupon-twice");
    await page.context().close();
  });

  it("says what blocks the price, marks the field and takes the person there", async () => {
    const page = await open();
    await customer(page, "1950-01-01");
    const blockers = page.locator(".premia-blockers li");
    assert.equal(await blockers.count(), 1);
    assert.equal(await blockers.first().getAttribute("data-code"), "age.above_max");
    assert.doesNotMatch(await page.locator(".premia-price").textContent(), /请填写出生日期和性别/);
    assert.match(await page.locator(".premia-price").textContent(), /被保险人 76 岁，超过安心重疾险（2026版）的最高投保年龄 55 岁/);
    const birth = page.locator("#premia-insured-birth_date");
    assert.equal(await birth.getAttribute("aria-invalid"), "true", "the birth date is marked");
    await page.locator("#premia-insured-birth_date").evaluate((el) => el.blur());
    await blockers.first().locator("button").click();
    assert.equal(await page.evaluate(() => document.activeElement?.id), "premia-insured-birth_date");
    await shot(page, "issue11-price-blocked");
    await page.click(".premia-lang[lang=en]");
    assert.match(await page.locator(".premia-price").textContent(), /The price cannot be worked out until these are put right/);
    await shot(page, "issue11-price-blocked-en");
    await page.context().close();
  });

  it("reads the ID number and amounts as people type them, fills in what the number says and shows what was read", async () => {
    const page = await open();
    const id = page.locator("#premia-insured-resident_id");
    for (const typed of ["110101 19960501 0024", "１１０１０１１９９６０５０１００２４", "11010119960501002x".replace("2x", "24")]) {
      await id.fill(typed);
      assert.equal(await id.inputValue(), typed, "nothing cut");
      assert.equal(await page.locator("#premia-insured-birth_date").inputValue(), "1996-05-01");
      assert.equal(await page.locator("input[name=sex][value=female]").isChecked(), true);
      assert.match(await page.locator("#premia-insured-resident_id-hint").textContent(), /识别为 110101199605010024 · 1996-05-01 · 女 · 北京市/);
      assert.equal(await headline(page), "¥9,715.00");
    }
    await shot(page, "issue11-id-read");
    const amount = page.locator("#premia-coverages-0-sum_assured");
    await amount.fill("50万");
    assert.equal(await headline(page), "¥9,715.00");
    assert.match(await page.locator("#premia-coverages-0-sum_assured-hint").textContent(), /识别为 ¥500,000/);
    await amount.fill("６０万");
    assert.equal(await headline(page), "¥11,658.00");
    await shot(page, "issue11-amount-read");
    await page.context().close();
  });

  it("refuses a height or weight no person has on its field, instead of deciding on it", async () => {
    const page = await open();
    await customer(page);
    await page.fill("#premia-insured-height_cm", "1.65");
    await page.fill("#premia-insured-weight_kg", "58");
    const error = page.locator("#premia-insured-height_cm-error [data-code]");
    assert.equal(await error.getAttribute("data-code"), "measure.impossible");
    assert.match(await error.textContent(), /身高 1.65 厘米不可能，请以厘米为单位填写/);
    assert.equal(await page.locator("[data-outcome=decline]").count(), 0, "no decline on a typo");
    await page.fill("#premia-insured-height_cm", "165");
    await page.fill("#premia-insured-weight_kg", "0");
    assert.equal(await page.locator("#premia-insured-weight_kg-error [data-code]").getAttribute("data-code"), "measure.impossible");
    await shot(page, "issue11-impossible-measure");
    await page.context().close();
  });

  it("keeps the form across a reload and Back in this tab (never the ID number), and starts over on request", async () => {
    const page = await open();
    await page.fill("#premia-insured-resident_id", "110101199605010024");
    await page.check("input[name=product][value=MED]");
    await page.fill("#premia-coverages-0-sum_assured", "60万");
    await page.fill("#premia-insured-height_cm", "165");
    await page.locator(".premia-question[data-question=CANCER] input[value=no]").check();
    const before = await quote(page);
    await page.reload();
    await page.locator(".premia-toolbar").waitFor();
    assert.equal(await page.locator("#premia-insured-resident_id").inputValue(), "", "the ID number is not kept");
    assert.equal(await page.locator("#premia-insured-birth_date").inputValue(), "1996-05-01");
    assert.equal(await page.locator("#premia-coverages-0-sum_assured").inputValue(), "60万");
    assert.equal(await page.locator("#premia-insured-height_cm").inputValue(), "165");
    assert.equal(await page.locator(".premia-question[data-question=CANCER] input[value=no]").isChecked(), true);
    const after = await quote(page);
    assert.deepEqual(after.totals, before.totals, "the same price again");
    const kept = await page.evaluate(() => sessionStorage.getItem("premia.quote"));
    assert.doesNotMatch(kept, /110101199605010024/);
    await shot(page, "issue11-reloaded");
    // Back from another page.
    await page.goto(`${site.url}/widget-demo.html`);
    await page.goBack();
    await page.locator(".premia-toolbar").waitFor();
    assert.equal(await page.locator("#premia-coverages-0-sum_assured").inputValue(), "60万");
    await page.click(".premia-tools button:first-child");
    assert.equal(await page.locator("#premia-insured-birth_date").inputValue(), "");
    assert.equal(await page.evaluate(() => sessionStorage.getItem("premia.quote")), null, "nothing kept after starting over");
    await page.context().close();
  });

  it("shows customers words, not codes, in both languages", async () => {
    const page = await open();
    await customer(page);
    await page.check("input[name=product][value=MED]");
    await page.fill("#premia-coupons", "PROMO-NOV");
    await page.keyboard.press("Enter");
    await page.fill("#premia-coupons", "ONLINE-2026");
    await page.keyboard.press("Enter");
    await page.locator(".premia-question[data-question=HTN] input[value=yes]").check();
    await page.click(".premia-worksheet summary");
    const codes = /\b(CANCER|HEART|HTN|DIABETES|HOSPITAL|THYROID|half_up|years:\d+|to_age:\d+|no_social)\b|campaign类|\.csv|\[CI-|CI: |MED: /;
    const outcomes = ["accept", "accept_with_conditions", "medical_exam", "refer", "pending", "decline"];
    for (const lang of ["zh", "en"]) {
      const text = await page.locator(".premia").innerText();
      const found = text.match(codes);
      assert.equal(found, null, `${lang}: ${found?.[0]} in ${text.slice(Math.max(0, (found?.index ?? 0) - 80), (found?.index ?? 0) + 80)}`);
      const badges = await page.locator(".premia-badge").allTextContents();
      assert.ok(badges.length > 0 && !badges.some((b) => outcomes.includes(b.trim())), `${lang}: ${badges}`);
      await shot(page, `issue11-words-${lang}`);
      await page.click(".premia-lang[lang]");
    }
    await page.context().close();
  });

  it("names the plan and the actuarial steps in words in the worksheet, in both languages", async () => {
    const page = await open();
    await customer(page);
    await page.check("input[name=product][value=MED]");
    await page.check("input[name=product][value=TERM]");
    await page.uncheck("input[name=product][value=CI]");
    await page.click(".premia-worksheet summary");
    const symbols = /ä|Σ|A¹|_\{|D_\d|方案 D|plan D\d|D10K|D5K/;
    for (const lang of ["zh", "en"]) {
      const worksheet = await page.locator(".premia-worksheet").innerText();
      assert.doesNotMatch(worksheet, symbols, `${lang}: ${worksheet.match(symbols)?.[0]}`);
      assert.match(worksheet, lang === "zh" ? /年免赔额1万元/ : /10,000 yuan deductible a year/);
      assert.match(worksheet, lang === "zh" ? /岁起每年年初交费，共 \d+ 年/ : /at the start of each year, for \d+ years/);
      await shot(page, `issue11-worksheet-words-${lang}`);
      await page.click(".premia-lang[lang]");
    }
    await page.context().close();
  });

  it("says what a product offers in words when a prefill asks for what it does not", async () => {
    const page = await open({}, "&lang=en");
    await customer(page);
    await page.evaluate(() =>
      globalThis.premiaApp.prefill({
        coverages: [{ product: "MED", coverage_term: "years:1", payment_term: "years:1", frequency: "annual", plan: "D20K" }],
      }),
    );
    const error = page.locator("#premia-coverages-0-plan-error");
    await error.waitFor();
    assert.match(await error.textContent(), /offered: 10,000 yuan deductible a year, 5,000 yuan deductible a year/);
    assert.doesNotMatch(await error.textContent(), /D10K|D5K/);
    await shot(page, "issue11-not-offered-words");
    await page.context().close();
  });

  it("says what is paid when with mixed frequencies", async () => {
    const page = await open();
    await customer(page);
    await page.check("input[name=product][value=MED]");
    await page.locator("#premia-coverages-0-frequency").selectOption("monthly");
    const q = await quote(page);
    assert.equal(await headline(page), `¥${Number(q.totals.first_year_premium).toLocaleString("en", { minimumFractionDigits: 2 })}`);
    assert.match(await page.locator(".premia-headline").textContent(), /首年保费/);
    const ci = q.coverages.find((c) => c.product === "CI");
    const med = q.coverages.find((c) => c.product === "MED");
    const schedule = await page.locator(".premia-schedule").textContent();
    assert.match(schedule, new RegExp(`月交 ¥${Number(ci.instalment_premium).toLocaleString("en", { minimumFractionDigits: 2 })}`));
    assert.match(schedule, new RegExp(`年交 ¥${Number(med.instalment_premium).toLocaleString("en", { minimumFractionDigits: 2 })}`));
    assert.equal(await page.locator("[data-figure=total-annual]").count(), 0, "no 'per year' figure that is not what a year costs");
    await shot(page, "issue11-mixed-frequencies");
    await page.context().close();
  });

  it("keeps focus in the coupon field after removing a coupon by keyboard, and headings never skip a level", async () => {
    const page = await open();
    await customer(page);
    await page.fill("#premia-coupons", "PROMO-NOV");
    await page.keyboard.press("Enter");
    await page.locator(".premia-coupon button").focus();
    await page.keyboard.press("Enter");
    assert.equal(await page.locator(".premia-coupon").count(), 0);
    assert.equal(await page.evaluate(() => document.activeElement?.id), "premia-coupons");
    const levels = await page.evaluate(() => [...document.querySelectorAll("h1,h2,h3,h4,h5,h6")].map((h) => Number(h.tagName[1])));
    assert.equal(levels[0], 1);
    for (let i = 1; i < levels.length; i++) assert.ok(levels[i] <= levels[i - 1] + 1, `h${levels[i - 1]} then h${levels[i]}: ${levels}`);
    await page.context().close();
  });
});

describe("widget walkthrough", () => {
  let browser, site;

  before(async () => {
    browser = await launch();
    site = await serve(dist, {
      extra: {
        "/kept.html": `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>kept</title>
<script type="module" src="/premia-widget.js"></script></head><body><main>
<premia-quote id="w" lang="en" products="CI,MED" quote-date="${QUOTE_DATE}" persist-key="customer-1"></premia-quote>
<premia-quote id="plain" lang="en" products="CI" quote-date="${QUOTE_DATE}"></premia-quote></main></body></html>`,
      },
    });
  });

  after(async () => {
    await browser?.close();
    await site?.close();
  });

  it("refuses a prefill with a product it does not offer by name, and keeps its form only where the host allows", async () => {
    const page = await openPage(browser);
    await page.goto(`${site.url}/kept.html`);
    await page.evaluate(() => Promise.all([document.getElementById("w").ready, document.getElementById("plain").ready]));
    const refused = await page.evaluate(() => {
      try {
        document.getElementById("w").prefill({ coverages: [{ product: "NOPE" }] });
        return null;
      } catch (e) {
        return e.errors.map((x) => [x.field, x.code, x.message.en]);
      }
    });
    assert.deepEqual(refused, [["prefill.coverages[0].product", "unknown", 'unknown product "NOPE"']]);
    for (const id of ["w", "plain"]) {
      await page.locator(`#${id} #premia-insured-birth_date`).fill("1996-05-01");
      await page.locator(`#${id} input[name=sex][value=female]`).check();
    }
    await page.reload();
    await page.evaluate(() => Promise.all([document.getElementById("w").ready, document.getElementById("plain").ready]));
    assert.equal(await page.locator("#w #premia-insured-birth_date").inputValue(), "1996-05-01", "persist-key: kept");
    assert.equal(await page.locator("#plain #premia-insured-birth_date").inputValue(), "", "no persist-key: nothing kept");
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});
