// Order a WebAssembly module's functions so that similar ones sit next to each other, which makes the
// module smaller once compressed: gzip finds repeats only within its last 32 KiB, and a module's
// many generic instances (the same code for another type) compress best when they are neighbours.
// Measured on the Premia module: 4.5 % smaller with zopfli, 3.8 % with brotli; raw size unchanged.
//
//   node web/tools/order-functions.mjs IN.wasm OUT.wasm
//
// IN must carry a function name section (`wasm-opt -g`). This script computes the order and writes it
// as the functions' names ("000000", "000001", ...); binaryen then does the actual reordering, which
// renumbers every call, table entry and export consistently:
//   wasm-opt OUT.wasm --reorder-functions-by-name --strip-debug ...
// The order: function bodies sorted by their bytes, then chained greedily, each next function the one
// most similar to the last one placed (the Jaccard index of their 4-byte sequences). Deterministic for a given input.
import { readFileSync, writeFileSync } from "node:fs";
import { leb, readImports, readLeb, readSections, writeSections } from "./wasm-module.mjs";

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error("usage: node order-functions.mjs IN.wasm OUT.wasm");
  process.exit(2);
}

const bytes = readFileSync(input);
const sections = readSections(bytes, input);
// Functions are numbered imports first: the count of imported functions offsets the bodies.
const imported = readImports(sections).filter((i) => i.kind === 0).length;
const bodies = codeBodies(sections);
const order = similarityChain(bodies);
const names = new Map(order.map((body, rank) => [imported + body, String(rank).padStart(6, "0")]));
writeFileSync(output, writeModule(sections, names, imported));

function codeBodies(all) {
  const section = all.find((s) => s.id === 10);
  if (!section) throw new Error(`${input}: no code section`);
  let [count, at] = readLeb(section.body, 0);
  const out = [];
  while (count-- > 0) {
    const [size, start] = readLeb(section.body, at);
    out.push(section.body.subarray(start, start + size));
    at = start + size;
  }
  return out;
}

function similarityChain(functions) {
  const shingles = functions.map((body) => {
    const set = new Set();
    for (let i = 0; i + 4 <= body.length; i++) set.add(body.readUInt32LE(i));
    return set;
  });
  const rest = functions.map((_, i) => i).sort((a, b) => Buffer.compare(functions[a], functions[b]) || a - b);
  const chain = [rest.shift()];
  while (rest.length > 0) {
    const last = shingles[chain[chain.length - 1]];
    let best = 0;
    let bestAt = 0;
    for (let j = 0; j < rest.length; j++) {
      const candidate = shingles[rest[j]];
      let shared = 0;
      const [small, large] = candidate.size < last.size ? [candidate, last] : [last, candidate];
      for (const s of small) if (large.has(s)) shared++;
      // Jaccard similarity: shared over all shingles of the two (1.4 KB less zopfli on the site's
      // module than sharing over the candidate's own size, which favoured small functions).
      const score = shared / (1 + candidate.size + last.size - shared);
      if (score > best) {
        best = score;
        bestAt = j;
      }
    }
    chain.push(rest.splice(bestAt, 1)[0]);
  }
  return chain;
}

/** The module with its name section replaced by one naming the defined functions by rank. */
function writeModule(all, rank, importCount) {
  const entries = [];
  for (let index = 0; index < importCount; index++) entries.push([index, `import${index}`]);
  for (const [index, name] of [...rank.entries()].sort((a, b) => a[0] - b[0])) entries.push([index, name]);
  const functionNames = Buffer.concat([
    leb(entries.length),
    ...entries.flatMap(([index, name]) => [leb(index), leb(Buffer.byteLength(name)), Buffer.from(name)]),
  ]);
  const nameSection = Buffer.concat([leb(4), Buffer.from("name"), Buffer.from([1]), leb(functionNames.length), functionNames]);
  const isNameSection = (s) => s.id === 0 && s.body.subarray(1, 5).toString() === "name" && s.body[0] === 4;
  return writeSections([...all.filter((s) => !isNameSection(s)), { id: 0, body: nameSection }]);
}
