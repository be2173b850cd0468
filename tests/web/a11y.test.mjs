// axe-core (from npm, injected from node_modules: nothing is fetched) on the quote site and the widget
// demo, in both languages, fresh and priced, and with errors showing: no violation of any impact.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { after, before, describe, it } from "node:test";

import { serve } from "./server.mjs";
import { QUOTE_DATE, dist, launch, openPage, shot } from "./support.mjs";

const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

/** Every axe violation on the page (shadow roots included), as "rule: target" lines. */
async function violations(page) {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(async () => {
    const r = await globalThis.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.flatMap((v) => v.nodes.map((n) => `${v.impact} ${v.id}: ${JSON.stringify(n.target)} ${n.failureSummary}`));
  });
  return result;
}

describe("accessibility (axe-core)", () => {
  let browser, site;

  before(async () => {
    browser = await launch();
    site = await serve(dist);
  });

  after(async () => {
    await browser?.close();
    await site?.close();
  });

  for (const lang of ["zh-CN", "en"]) {
    it(`the quote site in ${lang}: fresh, priced with a bundle and discounts, and with errors`, async () => {
      const page = await openPage(browser, { locale: lang });
      await page.goto(`${site.url}/index.html?date=${QUOTE_DATE}&lang=${lang}`);
      await page.locator(".premia-toolbar").waitFor();
      assert.deepEqual(await violations(page), [], "fresh");
      await page.fill("#premia-insured-birth_date", "1996-05-01");
      await page.check("input[name=sex][value=female]");
      await page.locator(".premia-bundle button").first().click();
      await page.fill("#premia-coupons", "PROMO-NOV");
      await page.keyboard.press("Enter");
      await page.locator(".premia-question[data-question=HTN] input[value=yes]").check();
      await page.click(".premia-worksheet summary");
      assert.deepEqual(await violations(page), [], "priced");
      // "Submit" with questions unanswered: the list of what an application still needs, the questions marked.
      await page.fill("#premia-insured-resident_id", "110101199605010024");
      await page.click(".premia-actions .premia-primary");
      await page.locator(".premia-incomplete").waitFor();
      assert.deepEqual(await violations(page), [], "what an application still needs");
      await page.fill("#premia-coverages-0-sum_assured", "505000");
      await page.fill("#premia-insured-height_cm", "1.65");
      await page.fill("#premia-insured-resident_id", "1101011996");
      assert.deepEqual(await violations(page), [], "with errors");
      await shot(page, `a11y-site-${lang}`);
      await page.context().close();
    });

    it(`the widget demo in ${lang}`, async () => {
      const page = await openPage(browser, { locale: lang });
      await page.goto(`${site.url}/widget-demo.html`);
      await page.evaluate((lang) => {
        for (const el of document.querySelectorAll("premia-quote")) {
          el.setAttribute("lang", lang);
          el.setAttribute("quote-date", "2026-11-25");
        }
        document.documentElement.lang = lang;
      }, lang);
      await page.evaluate(() => Promise.all([...document.querySelectorAll("premia-quote")].map((e) => e.ready)));
      assert.deepEqual(await violations(page), [], "fresh");
      await page.click("#fill-first");
      await page.click("#fill-second");
      await page.locator("#first .premia-headline").waitFor();
      assert.deepEqual(await violations(page), [], "prefilled and priced");
      await shot(page, `a11y-widget-demo-${lang}`);
      await page.context().close();
    });
  }
});
