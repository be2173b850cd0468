// The npm package (@premia/quote, built by wasm-pack into web/pkg): packed, installed into a fresh
// folder as a user would, imported under Node, and used for quotes, catalogues and verification.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { before, describe, it } from "node:test";

import { repo } from "./support.mjs";

const REQUEST = {
  quote_date: "2026-11-25",
  insured: { birth_date: "1996-05-01", sex: "female", smoker: false, occupation_class: 1, social_insurance: true },
  coverages: [{ product: "CI", sum_assured: "500000", coverage_term: "lifelong", payment_term: "years:20", frequency: "annual" }],
  channel: { kind: "direct" },
};

describe("npm package @premia/quote", () => {
  let api, installed;

  before(async () => {
    const work = mkdtempSync(join(tmpdir(), "premia-npm-"));
    const quiet = { cwd: work, stdio: ["ignore", "pipe", "inherit"] };
    execFileSync("npm", ["pack", join(repo, "web/pkg"), "--pack-destination", work, "--silent"], quiet);
    const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
    writeFileSync(join(work, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", "--silent", `./${tarball}`], quiet);
    installed = join(work, "node_modules/@premia/quote");
    const entry = createRequire(join(work, "index.js")).resolve("@premia/quote");
    api = await import(pathToFileURL(entry).href);
    await api.init();
  });

  it("ships the module, its glue, types and README", () => {
    const files = readdirSync(installed).sort();
    for (const f of ["README.md", "index.d.ts", "index.js", "package.json", "premia.d.ts", "premia.js", "premia_bg.wasm"]) {
      assert.ok(files.includes(f), `${f} missing from ${files}`);
    }
    const types = readFileSync(join(installed, "premia.d.ts"), "utf8");
    assert.match(types, /export function quote\(request: QuoteRequest\): Quote;/);
    assert.match(types, /export function verifyQuote\(quote: Quote, today\?: string \| null\): Verdict;/);
    assert.match(types, /export interface QuoteRequest \{/, "types generated from the Rust types");
  });

  it("type-checks a consumer in strict TypeScript against the generated declarations", () => {
    // A consumer written against the README; tsc must accept it, and must refuse a misuse.
    const good = `import { init, quote, recommend, parseResidentId, verifyQuote, type QuoteRequest, type PremiaError } from "@premia/quote";
await init();
const request: QuoteRequest = ${JSON.stringify(REQUEST)};
const q = quote(request);
const annual: string = q.totals.annual_premium;
const steps: string[] = q.coverages[0].worksheet.map((s) => s.label.en + s.value);
const offers = recommend({ insured: request.insured, channel: { kind: "agent", agent_code: "A123" } }, "2026-11-25");
const id = parseResidentId("11010519491231002X", "2026-11-25");
const verdict = verifyQuote(q, "2026-11-26");
if (verdict.verdict === "invalid") console.log(verdict.mismatches[0].path);
try { quote(request); } catch (e) { console.log((e as PremiaError).errors[0].message.zh); }
console.log(annual, steps, offers[0]?.quote.totals.net_first_year_premium, id.sex);
`;
    const bad = good.replace('const annual: string = q.totals.annual_premium;', 'const annual: number = q.totals.annual_premium;');
    const consumer = join(installed, "..", "..", "..");
    const tsc = join(repo, "tests/web/node_modules/typescript/bin/tsc");
    const check = (source) => {
      writeFileSync(join(consumer, "consumer.ts"), source);
      const args = [tsc, "--noEmit", "--strict", "--target", "esnext", "--module", "nodenext", "--moduleResolution", "nodenext", "consumer.ts"];
      try {
        execFileSync(process.execPath, args, { cwd: consumer, stdio: "pipe" });
        return "";
      } catch (error) {
        return String(error.stdout);
      }
    };
    assert.equal(check(good), "");
    assert.match(check(bad), /Type 'string' is not assignable to type 'number'/);
  });

  it("quotes a request: money as decimal strings, with worksheet and digest", () => {
    const quote = api.quote(REQUEST);
    assert.equal(quote.totals.annual_premium, "9715.00");
    assert.equal(quote.coverages[0].product_version, 2);
    assert.match(quote.digest, /^[0-9a-f]{64}$/);
    assert.ok(quote.coverages[0].worksheet.some((s) => s.code === "table.per_unit" && s.value === "9715.00"));
    assert.equal(api.quoteJson(JSON.stringify(REQUEST)), JSON.stringify(quote), "the same bytes either way");
    assert.equal(api.init(), api.init(), "init is idempotent");
  });

  it("throws typed errors naming the field, in both languages", () => {
    const bad = structuredClone(REQUEST);
    bad.coverages[0].sum_assured = "505000";
    bad.insured.occupation_class = 9;
    const error = catchError(() => api.quote(bad));
    assert.ok(error instanceof Error);
    assert.equal(error.name, "PremiaError");
    const codes = error.errors.map((e) => `${e.code} ${e.field}`).sort();
    assert.deepEqual(codes, ["amount.step coverages[0].sum_assured", "occupation.invalid insured.occupation_class"], "all at once");
    assert.match(error.errors.find((e) => e.code === "occupation.invalid").message.zh, /职业类别 9 无效/);
    bad.insured.occupation_class = 1;
    const step = catchError(() => api.quote(bad));
    assert.deepEqual(step.errors.map((e) => e.code), ["amount.step"]);
    assert.equal(step.errors[0].field, "coverages[0].sum_assured");
    const float = catchError(() => api.quote({ ...REQUEST, coverages: [{ ...REQUEST.coverages[0], sum_assured: 500000.5 }] }));
    assert.equal(float.errors[0].code, "syntax", "a float amount is refused, never rounded");
  });

  it("recommends bundles for the person's age band and reads resident ID numbers", () => {
    const offers = api.recommend({ insured: REQUEST.insured, channel: REQUEST.channel }, "2026-11-25");
    assert.equal(offers[0].bundle, "YOUNG-PROTECT");
    // CI 300,000 (5,829.00) + medical 248.00, less the bundle's 5% of the first year.
    assert.equal(offers[0].quote.totals.net_first_year_premium, "5773.15");
    const id = api.parseResidentId("11010519491231002X", "2026-11-25");
    assert.deepEqual([id.birth_date, id.sex, id.province.en], ["1949-12-31", "female", "Beijing"]);
    const bad = catchError(() => api.parseResidentId("110105194912310021", "2026-11-25"));
    assert.equal(bad.errors[0].code, "resident_id.checksum");
  });

  it("describes and replaces the catalogue", () => {
    const summary = api.catalogue();
    assert.equal(summary.id, "PREMIA-DEMO");
    assert.deepEqual([...new Set(summary.products.map((p) => p.code))], ["CI", "MED", "TERM", "WL", "ANN", "ACC", "LTC", "HMB"]);
    // The browser build reads catalogues in their compiled form (`premia catalogue compile`), here
    // a next version of the demo catalogue compiled by the CLI as an insurer would.
    const before = api.catalogue().content_hash;
    const broken = catchError(() => api.loadCatalogue(readFileSync(join(repo, "catalogue/demo.compiled.bin")).subarray(0, 5000)));
    assert.ok(broken.errors.some((e) => e.field === "compiled catalogue"), "a truncated catalogue is refused");
    assert.equal(api.catalogue().content_hash, before, "a refused catalogue leaves the active one");
    const next = mkdtempSync(join(tmpdir(), "premia-catalogue-"));
    cpSync(join(repo, "catalogue"), next, { recursive: true });
    const toml = readFileSync(join(next, "demo.toml"), "utf8");
    writeFileSync(join(next, "demo.toml"), toml.replace(/^version = "2026\.11\.0"$/m, 'version = "2026.11.1"'));
    execFileSync("cargo", ["run", "-q", "--locked", "-p", "premia-cli", "--", "catalogue", "compile",
      join(next, "demo.toml"), "--out", join(next, "next.bin")], { cwd: repo, stdio: ["ignore", "ignore", "inherit"] });
    assert.equal(api.loadCatalogue(readFileSync(join(next, "next.bin"))).version, "2026.11.1");
    assert.equal(api.quote(REQUEST).catalogue.version, "2026.11.1");
  });

  it("verifies a submitted quote and names tampered figures", () => {
    const quote = api.quote(REQUEST);
    assert.equal(api.verifyQuote(quote, "2026-11-26").verdict, "valid");
    const tampered = structuredClone(quote);
    tampered.coverages[0].annual_premium = "1.00";
    const verdict = api.verifyQuote(tampered, "2026-11-26");
    assert.equal(verdict.verdict, "invalid");
    assert.deepEqual(verdict.mismatches.map((m) => m.path), ["/coverages/0/annual_premium"]);
    assert.equal(api.verifyQuote(quote, "2027-03-01").verdict, "requote_needed", "expired");
  });
});

function catchError(f) {
  try {
    f();
  } catch (error) {
    return error;
  }
  assert.fail("expected an error");
}
