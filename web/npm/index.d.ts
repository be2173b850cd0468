// The entry point's own declaration: `init`. Every other declaration (functions and the Rust types
// they take and return) is generated into premia.d.ts by wasm-bindgen and premia-wasm.
import type { InitInput, InitOutput } from "./premia.js";

export * from "./premia.js";

/** Load the WebAssembly module once. In Node, with no argument, it is read from the package folder. */
export declare function init(input?: { module_or_path: InitInput | Promise<InitInput> }): Promise<InitOutput>;
export default init;
