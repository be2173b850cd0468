// Quotes made by the wasm build, for the server's tamper corpus: reads requests (one JSON per line; the
// server tests' own generator writes them, `quotes_jsonl --requests`), quotes each with the npm package
// under Node, and writes the first COUNT priced quotes, exactly as the wasm build wrote them. scripts/test.sh hands the file to scripts/server-test.sh as
// PREMIA_TEST_QUOTES, so the server accepts 10,000 genuine quotes from the wasm build and rejects them
// tampered.
//
//   node tests/web/wasm-corpus.mjs REQUESTS.jsonl OUT.jsonl [COUNT]
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { repo } from "./support.mjs";

const [requestsPath, outPath, countArg] = process.argv.slice(2);
if (!requestsPath || !outPath) {
  console.error("usage: node tests/web/wasm-corpus.mjs REQUESTS.jsonl OUT.jsonl [COUNT]");
  process.exit(2);
}
const wanted = Number(countArg ?? 10_000);
const { init, quoteJson } = await import(join(repo, "web/pkg/index.js"));
await init();
const quotes = [];
for (const line of readFileSync(requestsPath, "utf8").split("\n")) {
  if (quotes.length === wanted) break;
  if (!line.trim()) continue;
  try {
    quotes.push(quoteJson(line));
  } catch (error) {
    if (!error.errors) throw error; // a refused request is skipped; anything else is a bug
  }
}
if (quotes.length < wanted) {
  console.error(`wasm-corpus: only ${quotes.length} of ${wanted} requests priced; generate more`);
  process.exit(1);
}
writeFileSync(outPath, quotes.join("\n") + "\n");
console.error(`wasm-corpus: ${quotes.length} quotes from the wasm build written to ${outPath}`);
