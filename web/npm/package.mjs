// Turn wasm-pack's package.json into @premia/quote's: our entry point, ES modules, types, README.
import { readFileSync, writeFileSync } from "node:fs";

const file = process.argv[2];
const pkg = JSON.parse(readFileSync(file, "utf8"));
const files = new Set([...(pkg.files ?? []), "index.js", "index.d.ts", "README.md", "premia.js", "premia.d.ts", "premia_bg.wasm"]);
const out = {
  name: "@premia/quote",
  version: pkg.version,
  description: "Premia premium engine in WebAssembly: quotes, catalogue, verification and the quote widget",
  license: pkg.license,
  type: "module",
  main: "index.js",
  types: "index.d.ts",
  exports: {
    ".": { types: "./index.d.ts", default: "./index.js" },
    "./premia_bg.wasm": "./premia_bg.wasm",
  },
  files: [...files].sort(),
  sideEffects: ["./premia.js", "./index.js"],
  engines: { node: ">=18" },
};
writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
