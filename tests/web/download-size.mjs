// What the widget really downloads (scripts/web-bench.sh): the files of web/dist raw, gzip -9, and as
// the build precompressed them (FILE.gz by zopfli, FILE.br by brotli -q 11); then the widget demo page
// loaded from the real premia server (PREMIA_SERVER_BIN, serving web/dist) in headless Chromium, with
// what Chromium asked for (Accept-Encoding), what the server answered (Content-Encoding) and the bytes it
// transferred per file (Resource Timing encodedBodySize / transferSize). Prints a Markdown report.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

import { dist, launch, startPremiaServer } from "./support.mjs";

// The widget's own downloads: the loader, the glue, the module, the stylesheet.
const FILES = ["pkg/premia_bg.wasm", "pkg/premia.js", "premia-widget.js", "premia.css"];
const bin = process.env.PREMIA_SERVER_BIN;
if (!bin) throw new Error("PREMIA_SERVER_BIN must name the premia-server binary (scripts/web-bench.sh builds it)");

const kib = (n) => (n / 1024).toFixed(1);
const size = (n) => `${n} B (${kib(n)} KiB)`;
const fileSize = (path) => (existsSync(path) ? readFileSync(path).length : NaN);

function fileSizes() {
  const rows = FILES.map((file) => {
    const path = join(dist, file);
    const raw = readFileSync(path);
    return {
      file,
      raw: raw.length,
      gzip9: gzipSync(raw, { level: 9 }).length,
      gz: fileSize(`${path}.gz`),
      br: fileSize(`${path}.br`),
    };
  });
  const sum = (key) => rows.reduce((s, r) => s + r[key], 0);
  return [...rows, { file: "**total**", raw: sum("raw"), gzip9: sum("gzip9"), gz: sum("gz"), br: sum("br") }];
}

/** Load the widget demo from `origin` in a fresh context (cold cache); per widget file what was sent. */
async function load(browser, origin) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const exchanges = new Map();
  page.on("response", async (response) => {
    const path = new URL(response.url()).pathname.slice(1);
    if (!FILES.includes(path)) return;
    const request = await response.request().allHeaders();
    exchanges.set(path, {
      accepted: request["accept-encoding"] ?? "(none)",
      encoding: (await response.allHeaders())["content-encoding"] ?? "identity",
    });
  });
  await page.goto(`${origin}/widget-demo.html`);
  await page.evaluate(async () => {
    await customElements.whenDefined("premia-quote");
    await Promise.all([...document.querySelectorAll("premia-quote")].map((el) => el.ready));
  });
  const timings = await page.evaluate(() =>
    performance.getEntriesByType("resource").map((e) => ({
      path: new URL(e.name).pathname.slice(1),
      transfer: e.transferSize,
      encoded: e.encodedBodySize,
      decoded: e.decodedBodySize,
    })),
  );
  await context.close();
  return FILES.map((file) => {
    const entries = timings.filter((t) => t.path === file);
    if (entries.length !== 1) throw new Error(`${origin}: ${file} fetched ${entries.length} times`);
    return { file, ...entries[0], ...exchanges.get(file) };
  });
}

const sizes = fileSizes();
const server = await startPremiaServer(bin);
const browser = await launch();
try {
  console.log("| file | raw | gzip -9 | .gz (zopfli) | .br (brotli -q 11) |\n| --- | ---: | ---: | ---: | ---: |");
  for (const r of sizes) console.log(`| ${r.file} | ${size(r.raw)} | ${size(r.gzip9)} | ${size(r.gz)} | ${size(r.br)} |`);

  const precompressed = Object.fromEntries(sizes.map((r) => [r.file, r]));
  for (const origin of [`http://127.0.0.1:${server.port}`, `http://localhost:${server.port}`]) {
    const rows = await load(browser, origin);
    console.log(`\nHeadless Chromium, widget demo from the premia server at ${origin} (cold cache):\n`);
    console.log("| file | Accept-Encoding sent | Content-Encoding | encodedBodySize | transferSize | decodedBodySize | = the file sent |");
    console.log("| --- | --- | --- | ---: | ---: | ---: | --- |");
    for (const r of rows) {
      const expected = { br: "br", gzip: "gz", identity: "raw" }[r.encoding];
      const nominal = expected === "raw" ? precompressed[r.file].raw : precompressed[r.file][expected];
      const same = r.encoded === nominal ? `yes (${expected})` : `no: ${expected} file is ${nominal} B`;
      console.log(`| ${r.file} | ${r.accepted} | ${r.encoding} | ${r.encoded} B | ${r.transfer} B | ${r.decoded} B | ${same} |`);
    }
    const sum = (key) => rows.reduce((s, r) => s + r[key], 0);
    console.log(`| **total** | | | **${size(sum("encoded"))}** | **${size(sum("transfer"))}** | ${size(sum("decoded"))} | |`);
  }
} finally {
  await browser.close();
  await server.close();
}
