// The quote site in real headless Chromium: prices as the person types, in zh-CN and English, the
// core's errors beside their fields, the worksheet, submission, keyboard, 200% zoom and print.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { join } from "node:path";

import { serve } from "./server.mjs";
import { FEMALE_30_ID, QUOTE_DATE, artifacts, completeForApplication, dist, launch, openPage, residentId, shot } from "./support.mjs";

const FEMALE_30 = "1996-05-01";

describe("quote site", () => {
  let browser, site, withApi;

  before(async () => {
    browser = await launch();
    site = await serve(dist);
    withApi = await serve(dist, { acceptQuotesAt: "/api/quotes" });
  });

  after(async () => {
    await browser?.close();
    await site?.close();
    await withApi?.close();
  });

  async function open(options = {}, server = site, query = "") {
    const page = await openPage(browser, options);
    await page.goto(`${server.url}/index.html?date=${QUOTE_DATE}${query}`);
    await page.locator(".premia-toolbar").waitFor();
    return page;
  }

  async function fillCustomer(page) {
    await page.fill("#premia-insured-birth_date", FEMALE_30);
    await page.check("input[name=sex][value=female]");
  }

  const headline = (page) => page.locator(".premia-headline .premia-amount").textContent();

  it("prices a customer's bundle as they type, in Chinese and then in English, and remembers the language", async () => {
    const page = await open();
    assert.equal(await page.locator("html").getAttribute("lang"), "zh-CN");
    assert.deepEqual(await page.locator("h1").allTextContents(), ["保费测算"], "one main heading: the app's title");
    assert.equal(await page.locator(".premia-summary-title").textContent(), "您的保费");
    assert.equal(await page.locator(".premia-amount").count(), 0, "no price before the person is known");
    await fillCustomer(page);
    // The catalogue's own test case: CI 2026, female 30, 500,000 lifelong, 20-year pay: 9,715.00 a year.
    assert.equal(await headline(page), "¥9,715.00");
    await page.check("input[name=product][value=MED]");
    assert.equal(await headline(page), "¥9,963.00", "CI 9,715.00 + medical 248.00 (age 26-30, social, D10K)");
    assert.match(await page.locator(".premia-line[data-product=MED]").textContent(), /安康百万医疗险/);
    assert.match(await page.locator("[data-figure=total-premium]").textContent(), /¥194,548\.00/);

    // The bundle recommended for a 30-year-old: CI 300,000 (300 × 19.43 = 5,829.00) + medical 248.00,
    // 5% off the first year (303.85): 5,773.15.
    const bundle = page.locator(".premia-bundle[data-bundle=YOUNG-PROTECT]");
    assert.match(await bundle.locator("h3").textContent(), /青年保障组合/);
    assert.equal(await bundle.locator(".premia-bundle-amount").textContent(), "¥5,773.15");
    await bundle.locator("button").click();
    assert.equal(await bundle.locator("button").getAttribute("aria-pressed"), "true");
    assert.equal(await page.locator("#premia-coverages-0-sum_assured").inputValue(), "300000");
    assert.equal(await headline(page), "¥6,077.00");
    assert.equal(await page.locator("[data-figure=discount]").textContent(), "−¥303.85");
    assert.equal(await page.locator("[data-figure=net-first-year]").textContent(), "¥5,773.15");
    assert.match(await page.locator(".premia-discount dt").textContent(), /青年保障组合/);
    await shot(page, "site-zh-desktop");

    await page.click(".premia-lang");
    assert.equal(await page.locator(".premia-summary-title").textContent(), "Your premium");
    assert.equal(await page.locator("[data-figure=net-first-year]").textContent(), "¥5,773.15", "same price in English");
    assert.match(await bundle.locator("h3").textContent(), /Young adult protection/);
    assert.match(await page.locator(".premia-line[data-product=MED]").textContent(), /Ankang Million Medical/);
    await shot(page, "site-en-desktop");

    await page.reload();
    await page.locator(".premia-toolbar").waitFor();
    assert.equal(await page.locator(".premia-summary-title").textContent(), "Your premium", "remembered");
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  it("shows the core's errors beside the field, in the chosen language, and prices again once fixed", async () => {
    const page = await open();
    await fillCustomer(page);
    const amount = page.locator("#premia-coverages-0-sum_assured");
    await amount.fill("505000");
    const error = page.locator("#premia-coverages-0-sum_assured-error");
    assert.match(await error.textContent(), /金额 505000 不是安心重疾险（2026版）要求的 10000 的整数倍/);
    assert.equal(await error.locator("[data-code]").getAttribute("data-code"), "amount.step");
    assert.equal(await amount.getAttribute("aria-invalid"), "true");
    assert.match(await amount.getAttribute("aria-describedby"), /premia-coverages-0-sum_assured-error/);
    assert.equal(await page.locator(".premia-amount").count(), 0, "no price for an invalid request");
    await shot(page, "site-error-zh");
    await page.click(".premia-lang");
    assert.match(await error.textContent(), /amount 505000 is not a multiple of 10000 for Anxin Critical Illness \(2026\)/);

    await amount.fill("五十万");
    assert.match(await error.textContent(), /is not a number we can read/);
    await amount.fill("600,000");
    assert.equal(await error.count(), 0);
    assert.equal(await amount.getAttribute("aria-invalid"), "false");
    assert.equal(await headline(page), "¥11,658.00", "600,000 ÷ 1000 × 19.43");

    await page.fill("#premia-insured-birth_date", "1960-01-01");
    assert.match(
      await page.locator("#premia-coverages-0-product-error").textContent(),
      /the insured is 66, above the highest age 55 that Anxin Critical Illness \(2026\) insures/,
    );
    await shot(page, "site-error-en");
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  it("takes birth date and sex from a resident ID number, and shows why an invalid one is refused", async () => {
    const page = await open();
    const id = page.locator("#premia-insured-resident_id");
    // 1996-05-01, sequence 002 (even: female), Beijing Dongcheng.
    await id.fill(residentId("11010119960501002"));
    const error = page.locator("#premia-insured-resident_id-error");
    assert.equal(await error.count(), 0);
    assert.equal(await page.locator("#premia-insured-birth_date").isDisabled(), true, "birth date comes from the ID");
    assert.equal(await page.locator("#premia-insured-birth_date").inputValue(), "1996-05-01", "and is shown");
    assert.equal(await headline(page), "¥9,715.00", "female, 30: the same price as typing them in");
    assert.match(await page.locator(".premia-insured-line").textContent(), /^女/);

    const digits = await id.inputValue();
    const wrong = digits.slice(0, 17) + (digits.at(-1) === "0" ? "1" : "0");
    await id.fill(wrong);
    assert.equal(await error.locator("[data-code]").getAttribute("data-code"), "resident_id.checksum");
    assert.match(await error.textContent(), /身份证号码校验位错误/);
    assert.equal(await id.getAttribute("aria-invalid"), "true");
    assert.equal(await page.locator(".premia-amount").count(), 0);
    await shot(page, "site-resident-id-invalid");
    await page.click(".premia-lang");
    assert.match(await error.textContent(), /the check character is \w but should be \w/);
    await id.fill("1101011996");
    assert.equal(await error.locator("[data-code]").getAttribute("data-code"), "resident_id.length");
    await page.context().close();
  });

  it("applies a coupon, and shows why an expired one does not apply", async () => {
    const page = await open();
    await fillCustomer(page);
    await page.fill("#premia-coupons", "PROMO-NOV");
    await page.keyboard.press("Enter");
    const coupon = page.locator(".premia-coupon").first();
    assert.match(await coupon.getAttribute("class"), /is-applied/);
    assert.match(await coupon.textContent(), /11月保障月：首年保费95折 −¥485\.75/);
    assert.equal(await page.locator("[data-figure=net-first-year]").textContent(), "¥9,229.25", "9,715.00 − 5%");
    await page.context().close();

    const december = await openPage(browser);
    await december.goto(`${site.url}/index.html?date=2026-12-02`);
    await fillCustomer(december);
    await december.fill("#premia-coupons", "PROMO-NOV");
    await december.click(".premia-coupon-entry button");
    const expired = december.locator(".premia-coupon").first();
    assert.equal(await expired.getAttribute("data-code"), "coupon.expired");
    assert.match(await expired.textContent(), /优惠已于 2026-11-30 过期/);
    assert.equal(await december.locator("[data-figure=discount]").count(), 0);
    await shot(december, "site-coupon-expired");
    await december.click(".premia-lang");
    assert.match(await expired.textContent(), /the coupon expired on 2026-11-30/);
    await december.context().close();
  });

  it("shows underwriting's decline with its reason, and a loading for a controlled condition", async () => {
    const page = await open();
    await fillCustomer(page);
    const cancer = page.locator(".premia-question[data-question=CANCER]");
    assert.match(await cancer.locator("legend").textContent(), /是否曾被诊断患有癌症或恶性肿瘤/);
    await cancer.locator("input[value=yes]").check();
    const declined = page.locator(".premia-declined li[data-product=CI]");
    assert.match(await declined.textContent(), /拒保|不予承保/);
    assert.equal(await page.locator(".premia-overall-decision [data-outcome]").first().getAttribute("data-outcome"), "decline");
    assert.match(await page.locator(".premia-overall-decision .premia-reasons").textContent(), /癌症/);
    assert.equal(await page.locator(".premia-headline").count(), 0, "nothing left to price");
    await shot(page, "site-decline");

    await cancer.locator("input[value=no]").check();
    const htn = page.locator(".premia-question[data-question=HTN]");
    await htn.locator("input[value=yes]").check();
    await htn.locator("select").selectOption("CONTROLLED");
    // 9,715.00 + 25% loading = 12,143.75: the catalogue's own hypertension case.
    assert.equal(await page.locator(".premia-line[data-product=CI] .premia-line-amount").textContent(), "¥12,143.75");
    assert.match(await page.locator(".premia-overall-decision").textContent(), /\+25%/);
    await page.context().close();
  });

  it("explains the price with the core's rating worksheet", async () => {
    const page = await open();
    await fillCustomer(page);
    await page.click(".premia-worksheet summary");
    const table = page.locator(".premia-worksheet table").first();
    assert.match(await table.locator("caption").textContent(), /安心重疾险/);
    const lookup = await table.locator("tr[data-code='table.lookup']").textContent();
    assert.match(lookup, /查费率表/);
    assert.match(lookup, /19\.43/);
    const perUnit = await table.locator("tr[data-code='table.per_unit']").textContent();
    assert.match(perUnit, /500000 ÷ 1000 × 费率 19\.43/);
    assert.match(perUnit, /9715\.00/);
    await shot(page, "site-worksheet");
    await page.context().close();
  });

  it("asks for the resident ID number before submitting a quote priced without it, in both languages", async () => {
    const page = await open({}, withApi);
    await fillCustomer(page);
    assert.equal(await headline(page), "¥9,715.00", "a price needs no ID number");
    await page.click(".premia-primary");
    const needed = page.locator("#premia-insured-resident_id-needed");
    await needed.waitFor();
    assert.equal(await needed.locator("[data-code]").getAttribute("data-code"), "required");
    assert.match(await needed.textContent(), /投保须填写被保险人的身份证号码/);
    const id = page.locator("#premia-insured-resident_id");
    assert.equal(await id.getAttribute("aria-invalid"), "true");
    assert.match(await id.getAttribute("aria-describedby"), /premia-insured-resident_id-needed/);
    assert.equal(await page.evaluate(() => document.activeElement?.id), "premia-insured-resident_id", "focus moves there");
    assert.equal(await page.locator(".premia-submission").count(), 0, "nothing was sent");
    await shot(page, "site-submit-needs-id");
    await page.click(".premia-lang");
    assert.match(await needed.textContent(), /To apply, enter the insured's resident ID number/);
    assert.equal(withApi.received.length, 0, "nothing reached the server");
    // Typing the number re-prices the quote with it and clears the request.
    await id.fill(FEMALE_30_ID);
    assert.equal(await needed.count(), 0);
    assert.equal(await headline(page), "¥9,715.00");
    // Priced by the number: the quote keeps the birth date and sex it gives, nothing of the number itself.
    const insured = await page.evaluate(() => globalThis.premiaApp.current().quote.request.insured);
    assert.equal(insured.birth_date, "1996-05-01");
    assert.equal(JSON.stringify(insured).includes(FEMALE_30_ID.slice(0, 17)), false);
    assert.equal("resident_id_hash" in insured, false);
    await page.context().close();
  });

  it("quotes on the insurer's date, not on the date of a browser in another zone", async () => {
    // 17:00 UTC on 25 November: in Los Angeles still the 25th (09:00), in China already the 26th (01:00).
    const page = await openPage(browser, { timezoneId: "America/Los_Angeles" });
    await page.clock.setFixedTime(new Date("2026-11-25T17:00:00Z"));
    await page.goto(`${site.url}/index.html`);
    await page.locator(".premia-toolbar").waitFor();
    assert.equal(await page.evaluate(() => new Date().getDate()), 25, "the browser's own date");
    await fillCustomer(page);
    const quoteDate = await page.evaluate(() => globalThis.premiaApp.current().quote.request.quote_date);
    assert.equal(quoteDate, "2026-11-26", "the date in +08:00, as the server decides it");
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  it("submits the application to /api/quotes, and shows the payload when no server takes it", async () => {
    const page = await open();
    await fillCustomer(page);
    await page.fill("#premia-insured-resident_id", FEMALE_30_ID);
    await completeForApplication(page);
    const digest = await page.evaluate(() => globalThis.premiaApp.current().quote.digest);
    await page.click(".premia-primary");
    const box = page.locator(".premia-submission.is-unavailable");
    await box.waitFor();
    const payload = JSON.parse(await box.locator(".premia-payload").textContent());
    assert.deepEqual(Object.keys(payload), ["quote", "resident_id"]);
    assert.equal(payload.quote.digest, digest);
    assert.equal(payload.quote.totals.annual_premium, "9715.00");
    assert.equal(payload.resident_id, FEMALE_30_ID);
    await shot(page, "site-submit-no-server");
    await page.context().close();

    const served = await open({}, withApi);
    await served.fill("#premia-insured-resident_id", FEMALE_30_ID);
    await completeForApplication(served);
    await served.click(".premia-primary");
    const accepted = served.locator(".premia-submission.is-accepted");
    await accepted.waitFor();
    assert.match(await accepted.textContent(), /投保申请号 P20261125000001/);
    assert.equal(withApi.received.length, 1);
    const [sent] = withApi.received;
    assert.equal(sent.quote.totals.annual_premium, "9715.00");
    assert.equal(sent.quote.request.channel.kind, "direct");
    assert.equal(sent.quote.request.insured.resident_id, undefined, "the quote keeps only the hash");
    assert.equal(sent.residentId, FEMALE_30_ID, "the number travels beside the quote");
    assert.equal(sent.idempotencyKey, sent.quote.digest, "a retry of the same quote is the same submission");
    const again = await served.evaluate(() => globalThis.premiaApp.current().quote);
    assert.equal(
      sent.body,
      JSON.stringify({ quote: again, resident_id: FEMALE_30_ID }),
      "sent compact, the quote byte for byte as the engine writes it",
    );
    await served.context().close();
  });

  it("is usable by keyboard: every control is labelled, focus follows the form, the price is announced", async () => {
    const page = await open();
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll("#premia-app input, #premia-app select, #premia-app button")]
        .filter((el) => !(el.labels?.length || el.getAttribute("aria-label") || el.textContent.trim()))
        .map((el) => el.outerHTML),
    );
    assert.deepEqual(unlabelled, []);
    assert.equal(await page.locator(".premia-price").getAttribute("aria-live"), "polite");

    await page.fill("#premia-insured-birth_date", FEMALE_30);
    await page.focus("#premia-insured-birth_date");
    // Tab walks the date's own fields first (year, month, day), then the next controls in form order.
    const order = ["birth_date"];
    while (order.length < 7) {
      await page.keyboard.press("Tab");
      const name = await page.evaluate(() => document.activeElement.name || document.activeElement.closest("[data-bundle]")?.dataset.bundle);
      if (name !== order.at(-1)) order.push(name);
      if (name === "sex" && !(await page.locator("input[name=sex][value=female]").isChecked())) {
        await page.keyboard.press("ArrowRight"); // from male to female
      }
    }
    // …then the recommended bundles (their buttons), then the products.
    assert.deepEqual(order, ["birth_date", "sex", "smoker", "occupation_class", "region", "social_insurance", "YOUNG-PROTECT"]);
    assert.equal(await page.locator("input[name=sex][value=female]").isChecked(), true);
    assert.equal(await headline(page), "¥9,715.00");
    await page.context().close();
  });

  it("works at 200% zoom and on a phone without sideways scrolling", async () => {
    for (const [name, options] of [
      ["site-zoom-200", { width: 640, height: 450, deviceScaleFactor: 2 }],
      ["site-phone", { width: 390, height: 844, deviceScaleFactor: 2 }],
    ]) {
      const page = await open(options);
      await fillCustomer(page);
      assert.equal(await headline(page), "¥9,715.00");
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${name}: the page scrolls sideways by ${overflow}px`);
      const priceBox = await page.locator(".premia-amount").boundingBox();
      assert.ok(priceBox.x >= 0 && priceBox.x + priceBox.width <= options.width, `${name}: price fits`);
      await shot(page, name);
      await page.context().close();
    }
  });

  it("prints a clean quote: no form controls, the price and the worksheet", async () => {
    const page = await open();
    await fillCustomer(page);
    await page.emulateMedia({ media: "print" });
    assert.equal(await page.locator(".premia-form").isVisible(), false);
    assert.equal(await page.locator(".premia-actions").isVisible(), false);
    assert.equal(await page.locator(".premia-summary .premia-amount").isVisible(), true);
    await page.evaluate(() => dispatchEvent(new Event("beforeprint")));
    assert.equal(await page.locator(".premia-worksheet table").first().isVisible(), true);
    await shot(page, "site-print");
    await page.pdf({ path: join(artifacts, "site-print.pdf"), format: "A4" });
    await page.context().close();
  });
});
