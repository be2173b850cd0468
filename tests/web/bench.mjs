// The web benchmark (scripts/web-bench.sh): the time from navigation to the first price on screen in
// headless Chromium, and the time from an input event to the updated price, measured inside the page
// with the Performance API. Prints a Markdown report. What the widget downloads: download-size.mjs.
import { serve } from "./server.mjs";
import { join } from "node:path";
import { QUOTE_DATE, dist, launch, repo } from "./support.mjs";

const RUNS = Number(process.env.RUNS ?? 15);
const UPDATES = Number(process.env.UPDATES ?? 200);

const page = `<!doctype html><html><head><meta charset="utf-8"><title>bench</title>
<script>
  // Armed before anything loads: the first premia-quote-change that carries a quote, then two frames
  // so the price has been painted.
  globalThis.firstPrice = new Promise((resolve) => {
    document.addEventListener("premia-quote-change", function on(e) {
      if (!e.detail.quote) return;
      document.removeEventListener("premia-quote-change", on);
      requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now())));
    });
  });
</script>
<script type="module" src="/premia-widget.js"></script></head><body>
<premia-quote id="w" channel="agent" agent-code="A123" products="CI,MED" quote-date="${QUOTE_DATE}"></premia-quote>
<script type="module">
  await customElements.whenDefined("premia-quote");
  document.getElementById("w").customer = { birth_date: "1996-05-01", sex: "female", occupation_class: 1, social_insurance: true };
</script></body></html>`;

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { median: at(0.5), p95: at(0.95), max: s.at(-1), n: s.length };
};

const server = await serve(dist, { extra: { "/bench.html": page } });
// The JS API is the npm package's (web/dist's module carries only what the site and the widget call).
const npm = await serve(join(repo, "web/pkg"), { cors: true });
const browser = await launch();
try {
  const firstPrices = [];
  // One run first, not counted: it starts the browser's own services (GPU process, network service),
  // which a visitor's browser has running already.
  for (let i = -1; i < RUNS; i++) {
    const context = await browser.newContext(); // a fresh HTTP cache: every run downloads everything
    const tab = await context.newPage();
    await tab.goto(`${server.url}/bench.html`);
    const first = await tab.evaluate(() => globalThis.firstPrice);
    if (i >= 0) firstPrices.push(first);
    await context.close();
  }

  const context = await browser.newContext();
  const tab = await context.newPage();
  await tab.goto(`${server.url}/bench.html`);
  await tab.evaluate(() => globalThis.firstPrice);
  const updates = await tab.evaluate(async (n) => {
    const host = document.getElementById("w");
    const input = host.shadowRoot.getElementById("premia-coverages-0-sum_assured");
    const times = [];
    for (let i = 0; i < n; i++) {
      const changed = new Promise((resolve) => host.addEventListener("premia-quote-change", resolve, { once: true }));
      input.value = String(500000 + (i % 50) * 10000);
      performance.mark("premia:input");
      input.dispatchEvent(new InputEvent("input", { bubbles: true, composed: true }));
      await changed;
      times.push(performance.measure("premia:update", "premia:input", "premia:priced").duration);
    }
    const shown = host.shadowRoot.querySelector(".premia-headline .premia-amount").textContent;
    return { times, shown };
  }, UPDATES);
  const engine = await tab.evaluate(async (npmUrl) => {
    const api = await import(`${npmUrl}/premia.js`);
    await api.default();
    const request = JSON.stringify(host().current.quote.request);
    function host() {
      return document.getElementById("w");
    }
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) api.quoteJson(request);
    return (performance.now() - t0) / 1000;
  }, npm.url);
  await context.close();

  const first = stats(firstPrices);
  const update = stats(updates.times);
  const ms = (n) => n.toFixed(2);
  console.log("| measure (headless Chromium) | median | p95 | max | runs |\n| --- | ---: | ---: | ---: | ---: |");
  console.log(`| navigation → first price painted (cold cache) | ${ms(first.median)} ms | ${ms(first.p95)} ms | ${ms(first.max)} ms | ${first.n} |`);
  console.log(`| input event → price updated (Performance API marks) | ${ms(update.median)} ms | ${ms(update.p95)} ms | ${ms(update.max)} ms | ${update.n} |`);
  console.log(`| quoteJson() alone, same request (CI + MED) | ${ms(engine)} ms | | | 1000 |`);
  console.log(`\nfirst price, every run (ms): ${firstPrices.map((t) => t.toFixed(0)).join(" ")}`);
  console.log(`last price shown: ${updates.shown}`);
} finally {
  await browser.close();
  await server.close();
  await npm.close();
}
