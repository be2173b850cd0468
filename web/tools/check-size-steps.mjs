// Fail the build when one of its size steps has silently stopped working (scripts/web-build.sh runs
// this on web/dist; each step is kept because it earns at least 2 KiB compressed, BENCHMARKS.md "The
// size build, step by step"). A step that stops working leaves no error of its own: the module just
// grows, so each is checked by what it must have removed or changed.
//
//   node web/tools/check-size-steps.mjs web/dist
//
// The function order is checked where it happens (web-build.sh's `optimize`: the ordered module must
// differ from the unordered one), the compressors by web-build.sh refusing to run without them.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

import { readImports, readSections } from "./wasm-module.mjs";

const dist = process.argv[2];
if (!dist) {
  console.error("usage: node check-size-steps.mjs DIST");
  process.exit(2);
}

const failures = [];
const check = (ok, step, why) => ok || failures.push(`${step}: ${why}`);

const wasm = readFileSync(join(dist, "pkg/premia_bg.wasm"));
const glue = readFileSync(join(dist, "pkg/premia.js"), "utf8");
const text = wasm.toString("latin1");

// The standard library rebuilt with `panic=immediate-abort`: a panic is a trap, so none of the standard
// library's panic messages (and their formatting) is left. These are written by `unwrap`, `Vec`'s
// allocation and integer division, which the module uses; they are present whenever panics unwind or
// abort with a message.
for (const message of ["called `Option::unwrap()` on a `None` value", "capacity overflow", "attempt to divide"]) {
  check(!text.includes(message), "-Zbuild-std with panic=immediate-abort", `the module contains "${message}"`);
}

// The names glue and module call each other by, shortened (web/tools/minify-names.mjs): no import keeps
// wasm-bindgen's hashed name, and the glue names none.
const hashed = /__wbg_\w+_[0-9a-f]{8,}|wasm_bindgen_[0-9a-f]{8,}/;
const imports = readImports(readSections(wasm, "pkg/premia_bg.wasm"));
check(imports.length > 0, "minify-names", "the module imports nothing: not the module the glue loads");
for (const entry of imports) {
  check(!hashed.test(entry.name), "minify-names", `the module still imports ${entry.module}.${entry.name}`);
}
check(!hashed.test(glue), "minify-names", `the glue still names ${glue.match(hashed)?.[0]}`);

// The JS and CSS the widget downloads, minified (terser, csso): a minified file is well under its
// source, which is commented and indented.
for (const [built, source] of [
  ["premia-widget.js", "premia-widget.js"],
  ["premia.css", "premia.css"],
]) {
  const size = readFileSync(join(dist, built)).length;
  const original = readFileSync(join(dist, "..", source)).length;
  check(size < 0.85 * original, "terser/csso", `${built} is ${size} B, its source ${original} B: not minified`);
}

// zopfli: the served .gz of the module is smaller than gzip -9 would make it (zopfli finds about 5 %
// more); a .gz written by plain gzip would not be.
const gz = readFileSync(join(dist, "pkg/premia_bg.wasm.gz")).length;
const gzip9 = gzipSync(wasm, { level: 9 }).length;
check(gz < 0.98 * gzip9, "zopfli", `pkg/premia_bg.wasm.gz is ${gz} B, gzip -9 makes ${gzip9} B`);

// Not a size step, but checked with them: no source path of the building machine is in the module
// (web-tools.sh remaps the standard library's, the registry's and the repository's directories).
for (const leak of [process.env.HOME, process.cwd(), "/.cargo/", "/.rustup/"].filter((path) => path && path.length > 1)) {
  check(!text.includes(leak), "--remap-path-prefix", `the module names the build machine's path ${leak}`);
}

if (failures.length) {
  console.error(`check-size-steps: a size step stopped working:\n  ${failures.join("\n  ")}`);
  process.exit(1);
}
console.error("check-size-steps: every size step did its work");
