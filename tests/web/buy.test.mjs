// Buying end to end in Chromium (issue 15): the quote site and the <premia-quote> widget against the real
// premia server and the payment simulators (crates/premia-paysim, started here as scripts/run.sh does):
// price → "buy online" (the buying module loads only then) → details → each document read and confirmed
// → submitted with the application → paid in the simulator's cashier → the policy shown. A second tab
// paying the same order changes nothing; a bad field at each step gives the bilingual error on that field
// with the typed text kept; a reload keeps what was typed (never an ID number); the widget tells its host
// page paid and issued. Runs when PREMIA_SERVER_BIN and PREMIA_PAYSIM_BIN name the binaries
// (scripts/web-test.sh builds them).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { FEMALE_30_ID, freePort, launch, openPage, shot, startPremiaServer, underwriter } from "./support.mjs";

const bin = process.env.PREMIA_SERVER_BIN;
const simBin = process.env.PREMIA_PAYSIM_BIN;

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

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** Every axe-core violation in the buying app, as "impact rule: target" lines (evaluated through the
 * DevTools protocol: the site's CSP allows no injected script tag). */
async function violations(page) {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const r = await globalThis.axe.run(".premia-buy", { resultTypes: ["violations"] });
    return r.violations.flatMap((v) => v.nodes.map((n) => `${v.impact} ${v.id}: ${JSON.stringify(n.target)} ${n.failureSummary}`));
  });
}

/** The simulators, notifying the server on `serverPort`: `{ base, config, close }`. */
async function startSimulators(serverPort) {
  const dir = mkdtempSync(join(tmpdir(), "premia-paysim-"));
  const child = spawn(simBin, ["--notify-base", `http://127.0.0.1:${serverPort}/api/pay/notify/`, "--config-dir", dir], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = await new Promise((ok, fail) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      if (out.includes("\n")) ok(out.split("\n")[0]);
    });
    child.once("exit", (code) => fail(new Error(`premia-paysim exited ${code}`)));
  });
  const ready = JSON.parse(line);
  const close = async () => {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await new Promise((ok) => child.once("exit", ok));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return { base: ready.base, config: ready.merchant_config ?? join(dir, "payments.toml"), close };
}

/** Price on the site (everything an application needs) and choose "buy online". */
async function priceAndBuy(page, url) {
  await page.goto(url);
  await page.locator(".premia-toolbar").waitFor();
  await page.evaluate((insured) => globalThis.premiaApp.prefill({ insured }), CUSTOMER);
  await page.click(".premia-buy-button");
  await page.locator(".premia-buy[data-step=details]").waitFor();
}

/** Fill in the details of a policyholder insuring herself and confirm every document, then submit. */
async function applyForSelf(page, scope = "") {
  await page.fill(`${scope}#buy-policyholder-name`, "王丽");
  await page.fill(`${scope}#buy-policyholder-mobile`, "13800138000");
  await page.fill(`${scope}#buy-policyholder-address-region`, "110101");
  await page.fill(`${scope}#buy-policyholder-address-detail`, "东城区东长安街 1 号");
  await page.click(`${scope}#buy-next`);
  const documents = page.locator(`${scope}.premia-buy section[data-document]`);
  await documents.first().waitFor();
  for (let i = 0, n = await documents.count(); i < n; i++) {
    await documents.nth(i).locator(".premia-doc-text").waitFor();
    await documents.nth(i).locator("input[type=checkbox]").check();
  }
  await page.click(`${scope}#buy-submit`);
  await page.locator(`${scope}#buy-purchase`).waitFor();
}

/** The field's error, shown beside it, in the page's language. */
async function fieldError(page, id) {
  const error = page.locator(`#${id}-error`);
  await error.waitFor();
  return (await error.textContent()).trim();
}

describe("buying: site and widget with the premia server and the payment simulators", {
  skip: !bin || !simBin ? "PREMIA_SERVER_BIN / PREMIA_PAYSIM_BIN not set" : false,
}, () => {
  let browser, server, sim;

  before(async () => {
    const port = await freePort();
    sim = await startSimulators(port);
    server = await startPremiaServer(bin, { port, args: ["--payments", sim.config] });
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await sim?.close();
  });

  it("prices, takes the details and the confirmations, is paid in the simulator once, and shows the policy", async () => {
    const page = await openPage(browser, { locale: "en" });
    const loaded = [];
    page.on("request", (r) => loaded.push(new URL(r.url()).pathname));
    await page.goto(`${server.url}/index.html?lang=en`);
    await page.locator(".premia-toolbar").waitFor();
    assert.ok(!loaded.some((p) => p.startsWith("/buy/")), "the buying module is not part of the first download");
    await priceAndBuy(page, `${server.url}/index.html?lang=en`);
    assert.ok(loaded.some((p) => p.endsWith("premia_buy_bg.wasm")), "loaded on 'buy'");

    // Details: nothing typed — every required field named, in English, beside its input.
    await page.click("#buy-next");
    assert.match(await fieldError(page, "buy-policyholder-name"), /name/i);
    // A bad mobile number: the core's bilingual error on that field, the typed text kept.
    await page.fill("#buy-policyholder-name", "王丽");
    await page.fill("#buy-policyholder-mobile", "12345");
    await page.fill("#buy-policyholder-address-region", "110101");
    await page.fill("#buy-policyholder-address-detail", "东城区东长安街 1 号");
    await page.click("#buy-next");
    assert.match(await fieldError(page, "buy-policyholder-mobile"), /mobile/i);
    assert.equal(await page.inputValue("#buy-policyholder-mobile"), "12345");
    await shot(page, "buy-details-error");
    assert.deepEqual(await violations(page), [], "the details with errors showing");
    // In Chinese, the same error in Chinese (the page's language switch reaches the buying app).
    await page.evaluate(() => globalThis.premiaApp.setLang("zh-CN"));
    await page.waitForFunction(() => document.querySelector(".premia-buy")?.getAttribute("lang") === "zh-CN");
    assert.match(await fieldError(page, "buy-policyholder-mobile"), /[\u4e00-\u9fff]/);
    await page.evaluate(() => globalThis.premiaApp.setLang("en"));

    // A reload keeps what was typed (never the ID number): price again, buy again, the details are there.
    await page.reload();
    await priceAndBuy(page, `${server.url}/index.html?lang=en`);
    assert.equal(await page.inputValue("#buy-policyholder-name"), "王丽");
    assert.equal(await page.inputValue("#buy-policyholder-mobile"), "12345");
    const kept = await page.evaluate(() => JSON.stringify(sessionStorage));
    assert.ok(!kept.includes(FEMALE_30_ID), "no ID number in sessionStorage");

    await page.fill("#buy-policyholder-mobile", "138 0013 8000");
    await page.click("#buy-next");
    await page.locator(".premia-buy[data-step=documents]").waitFor();

    // Documents: submitting without confirming names the confirmations; each is shown, then confirmed.
    const documents = page.locator(".premia-buy section[data-document]");
    const count = await documents.count();
    assert.ok(count >= 2, `documents shown: ${count}`);
    await page.click("#buy-submit");
    assert.ok((await fieldError(page, "buy-confirmations")).length > 0);
    for (let i = 0; i < count; i++) {
      await documents.nth(i).locator(".premia-doc-text").waitFor();
      await documents.nth(i).locator("input[type=checkbox]").check();
    }
    await shot(page, "buy-documents");
    assert.deepEqual(await violations(page), [], "the documents");
    await page.click("#buy-submit");
    const purchase = page.locator("#buy-purchase");
    await purchase.waitFor();
    await page.locator("#buy-purchase[data-status=accepted]").waitFor();
    const firstPremium = (await page.locator("#buy-first-premium").textContent()).trim();

    // Pay by WeChat Pay's QR code; the phone that scans it is the simulator's cashier, in two tabs.
    await page.click("#buy-pay-button");
    const qr = page.locator("#buy-qr");
    await qr.waitFor();
    assert.ok(await qr.locator("svg").count(), "a QR code is drawn");
    const content = await qr.getAttribute("data-content");
    await shot(page, "buy-qr");
    const scan = `${sim.base}sim/scan?code=${encodeURIComponent(content)}`;
    const phone = await browser.newPage();
    const second = await browser.newPage();
    await phone.goto(scan);
    await second.goto(scan);
    await phone.click("#pay");
    await phone.locator("#state").waitFor();

    await page.locator("#buy-policy-number").waitFor({ timeout: 20_000 });
    const policyNumber = (await page.locator("#buy-policy-number").textContent()).trim();
    assert.match(policyNumber, /^PL/);
    assert.equal((await page.locator("#buy-policy-first").textContent()).trim(), firstPremium, "the server's figure");
    await shot(page, "buy-policy");
    assert.deepEqual(await violations(page), [], "the policy");

    // The second tab pays the same order: nothing changes (one paid order, one policy).
    await second.click("#pay");
    await second.locator("#state").waitFor();
    await new Promise((ok) => setTimeout(ok, 1500));
    const token = await page.evaluate(() => JSON.parse(sessionStorage.getItem("premia.quote:buy")).token);
    const status = await (await fetch(`${server.url}/api/purchases/${token}`)).json();
    assert.equal(status.status, "issued");
    assert.equal(status.orders.filter((o) => o.state === "paid").length, 1, JSON.stringify(status.orders));
    assert.equal(status.policy.number, policyNumber);

    // The printable policy the link opens.
    const href = await page.locator("#buy-policy-link").getAttribute("href");
    const printed = await phone.goto(new URL(href, server.url).href);
    assert.equal(printed.status(), 200);
    assert.ok((await phone.content()).includes(policyNumber));
    // A reload follows the purchase kept in this tab and shows the policy again.
    await page.reload();
    await page.locator("#buy-policy-number").waitFor();
    assert.deepEqual(page.problems, []);
    await phone.close();
    await second.close();
    await page.context().close();
  });

  it("the widget buys inside its shadow root and tells its host page paid and issued", async () => {
    const page = await openPage(browser, { locale: "en" });
    await page.goto(`${server.url}/widget-demo.html`);
    await page.evaluate((endpoint) => {
      globalThis.events = [];
      document.body.insertAdjacentHTML("beforeend", `<premia-quote id="buyer" lang="en" buy endpoint="${endpoint}"></premia-quote>`);
      const el = document.getElementById("buyer");
      for (const name of ["premia-buy", "premia-submitted", "premia-paid", "premia-issued", "premia-cancelled"]) {
        el.addEventListener(name, (e) => globalThis.events.push({ name, status: e.detail?.status }));
      }
      return el.ready;
    }, `${server.url}/api/quotes`);
    await page.evaluate((insured) => document.getElementById("buyer").prefill({ insured }), CUSTOMER);
    await page.click("#buyer .premia-buy-button");
    await page.locator("#buyer .premia-buy[data-step=details]").waitFor();
    await applyForSelf(page, "#buyer ");
    await page.locator("#buyer #buy-purchase[data-status=accepted]").waitFor();
    await page.click("#buyer #buy-method-alipay_qr");
    await page.click("#buyer #buy-pay-button");
    const content = await page.locator("#buyer #buy-qr").getAttribute("data-content");
    const phone = await browser.newPage();
    // Alipay's QR content is the cashier's address as the simulator gives it (scanning opens it).
    await phone.goto(content.startsWith("http") ? content : `${sim.base}sim/scan?code=${encodeURIComponent(content)}`);
    await phone.click("#pay");
    await page.locator("#buyer #buy-policy-number").waitFor({ timeout: 20_000 });
    await page.waitForFunction(() => globalThis.events.some((e) => e.name === "premia-issued"));
    const names = await page.evaluate(() => globalThis.events.map((e) => e.name));
    for (const name of ["premia-buy", "premia-submitted", "premia-paid", "premia-issued"]) assert.ok(names.includes(name), `${name} in ${names}`);
    assert.ok(names.indexOf("premia-paid") < names.indexOf("premia-issued"));
    await shot(page, "buy-widget-policy");

    // Cancelled in the cooling-off period: refunded, and the host is told.
    await page.click("#buyer #buy-cancel");
    await page.waitForFunction(() => globalThis.events.some((e) => e.name === "premia-cancelled"), null, { timeout: 20_000 });
    assert.deepEqual(page.problems, []);
    await phone.close();
    await page.context().close();
  });

  it("a referred application is followed and can be paid once the underwriter accepts it", async () => {
    const decide = await underwriter(server, "u.buy");
    const page = await openPage(browser, { locale: "en" });
    await page.goto(`${server.url}/index.html?lang=en`);
    await page.locator(".premia-toolbar").waitFor();
    // 165 cm, 80 kg: BMI 29.4, referred to an underwriter.
    await page.evaluate((insured) => globalThis.premiaApp.prefill({ insured }), { ...CUSTOMER, weight_kg: "80" });
    await page.click(".premia-buy-button");
    await page.locator(".premia-buy[data-step=details]").waitFor();
    await applyForSelf(page);
    await page.locator("#buy-referred").waitFor();
    assert.equal(await page.locator("#buy-pay").count(), 0, "not payable before the decision");
    await shot(page, "buy-referred");
    const application = (await page.locator("#buy-status").textContent()).match(/PA\S+/)[0];
    await decide(application, { kind: "accept" });
    // The page follows the purchase: the ways to pay appear once accepted.
    await page.locator("#buy-pay").waitFor({ timeout: 20_000 });
    await page.click("#buy-pay-button");
    await page.locator("#buy-qr svg").waitFor();
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  it("pays by Alipay's page: to the provider's cashier and back, and the page follows the purchase to the policy", async () => {
    const page = await openPage(browser, { locale: "en" });
    await priceAndBuy(page, `${server.url}/index.html?lang=en`);
    await applyForSelf(page);
    await page.locator("#buy-purchase[data-status=accepted]").waitFor();
    await page.click("#buy-method-alipay_page");
    await page.click("#buy-pay-button");
    await page.click("#buy-redirect");
    await page.waitForURL((url) => url.href.startsWith(sim.base));
    await page.click("#pay");
    await page.click("#return");
    await page.waitForURL((url) => url.href.startsWith(server.url));
    // Back on the site: the purchase kept in this tab is followed again, to the policy.
    await page.locator("#buy-policy-number").waitFor({ timeout: 20_000 });
    await shot(page, "buy-alipay-returned");
    await page.context().close();
  });

  it("pays by bank card through UnionPay's gateway: the page posts the signed form there (the site's form-action allows the configured gateway) and follows the purchase back to the policy", async () => {
    const page = await openPage(browser, { locale: "en" });
    await priceAndBuy(page, `${server.url}/index.html?lang=en`);
    await applyForSelf(page);
    await page.locator("#buy-purchase[data-status=accepted]").waitFor();
    await page.click("#buy-method-unionpay");
    await page.click("#buy-pay-button");
    await page.click("#buy-form-submit");
    await page.waitForURL((url) => url.href.startsWith(sim.base));
    await page.click("#pay");
    await page.click("#return");
    await page.waitForURL((url) => url.href.startsWith(server.url));
    await page.locator("#buy-policy-number").waitFor({ timeout: 20_000 });
    await shot(page, "buy-unionpay-returned");
    await page.context().close();
  });
});
