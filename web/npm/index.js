// @premia/quote: the Premia premium engine as WebAssembly, for browsers and Node.
// `init()` loads the module once (in Node from the package folder, in a browser next to this file);
// every other export is the wasm-bindgen API of premia-wasm (see premia.d.ts, generated).
import wasmInit from "./premia.js";

export * from "./premia.js";

let ready = null;

export function init(input) {
  ready ??= (async () => {
    if (input === undefined && typeof process !== "undefined" && process.versions?.node) {
      const { readFile } = await import("node:fs/promises");
      input = { module_or_path: await readFile(new URL("./premia_bg.wasm", import.meta.url)) };
    }
    return wasmInit(input);
  })();
  return ready;
}

export default init;
