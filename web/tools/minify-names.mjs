// Shorten the names the wasm-bindgen glue and its module know each other by, in both files at once.
//
//   node web/tools/minify-names.mjs premia_bg.wasm premia.js
//
// wasm-bindgen names every import after the JS it calls plus a hash (`__wbg_querySelector_1555c2…`),
// and exports its closure shims after their full Rust types (`wasm_bindgen_d728…___convert__closures…`).
// Each name is written twice, in the module and in the glue, and the hashes do not compress: about 4 KB
// of what the widget downloads, compressed. Here they become `$0`, `$1`, …, and the import module
// `./premia_bg.js` becomes `a`. Nothing else changes: the glue's own exported functions (`mount`,
// `default`) keep their names, and `memory` keeps its. Used on web/dist only; the npm package keeps
// wasm-bindgen's names.
//
// The glue refers to an import only as a key of its imports object and to an export only as
// `wasm.NAME`; every name renamed must be found there exactly so, or the script fails rather than
// write a module the glue cannot load.
import { readFileSync, writeFileSync } from "node:fs";
import { exportSection, importSection, readExports, readImports, readSections, writeSections } from "./wasm-module.mjs";

const [wasmFile, jsFile] = process.argv.slice(2);
if (!wasmFile || !jsFile) {
  console.error("usage: node minify-names.mjs MODULE.wasm GLUE.js   (both rewritten in place)");
  process.exit(2);
}

const GLUE_MODULE = "./premia_bg.js";
const sections = readSections(readFileSync(wasmFile), wasmFile);
let js = readFileSync(jsFile, "utf8");

const short = (n) => `$${n.toString(36)}`;
let next = 0;
const escape = (text) => text.replace(/[$]/g, "\\$");
/** Replace every `before` (whole identifier after `prefix`) by `after`; fail unless there is one. */
function rename(prefix, before, after) {
  if (!/^[A-Za-z_$][\w$]*$/.test(before)) throw new Error(`${wasmFile}: ${before} is not a JS identifier`);
  const pattern = new RegExp(`(?<![\\w$])${escape(prefix)}${escape(before)}(?![\\w$])`, "g");
  const found = js.match(pattern)?.length ?? 0;
  if (found === 0) throw new Error(`${jsFile}: ${prefix}${before} is not in the glue`);
  js = js.replace(pattern, `${prefix}${after}`);
}

const exportNames = new Set(readExports(sections).map((e) => e.name));
const imports = readImports(sections).map((entry) => {
  if (entry.module !== GLUE_MODULE) return entry;
  // An import spelt like an export would also match `wasm.NAME` below.
  if (exportNames.has(entry.field)) throw new Error(`${wasmFile}: ${entry.field} is both imported and exported`);
  const field = short(next++);
  rename("", entry.field, field);
  return { ...entry, module: "a", field };
});
const moduleKey = `"${GLUE_MODULE}":`;
if (!js.includes(moduleKey)) throw new Error(`${jsFile}: the imports object has no ${moduleKey} key`);
js = js.replace(moduleKey, `"a":`);

const exports = readExports(sections).map((entry) => {
  if (entry.name === "memory" || !js.includes(`wasm.${entry.name}`)) return entry;
  const renamed = short(next++);
  rename("wasm.", entry.name, renamed);
  return { ...entry, name: renamed };
});

const replaced = sections.map((s) => (s.id === 2 ? importSection(imports) : s.id === 7 ? exportSection(exports) : s));
writeFileSync(wasmFile, writeSections(replaced));
writeFileSync(jsFile, js);
console.error(`minify-names: ${next} names shortened`);
