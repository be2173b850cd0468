// Parity: the same generated requests (10,000 by default) quoted by the wasm build under Node and by
// the native core give byte-identical quote JSON (digests included), and the same typed errors.
// The native half is `cargo run --release -p premia-wasm --example parity -- DIR`; scripts/web-test.sh
// runs it and passes DIR as PREMIA_PARITY_DIR.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

import { repo } from "./support.mjs";

const dir = process.env.PREMIA_PARITY_DIR;

test("wasm and native quotes are byte-identical", { skip: !dir && "PREMIA_PARITY_DIR not set (scripts/web-test.sh sets it)" }, async () => {
  const { init, quoteJson } = await import(join(repo, "web/pkg/index.js"));
  await init();
  const lines = (name) => readFileSync(join(dir, name), "utf8").split("\n").filter(Boolean);
  const requests = lines("requests.jsonl");
  const native = lines("native.jsonl");
  assert.equal(requests.length, native.length);
  assert.equal(requests.length, Number(process.env.PREMIA_PARITY_COUNT ?? 10_000), "every generated request");

  const hashes = { wasm: createHash("sha256"), native: createHash("sha256") };
  let priced = 0;
  let refused = 0;
  for (const [i, request] of requests.entries()) {
    let wasm;
    let nativeLine = native[i];
    try {
      wasm = quoteJson(request);
      priced += 1;
      assert.equal(wasm, nativeLine, `request ${i}: quote JSON bytes`);
      assert.equal(JSON.parse(wasm).digest, JSON.parse(nativeLine).digest, `request ${i}: digest`);
    } catch (error) {
      if (!error.errors) throw error;
      refused += 1;
      // Errors cross as JS objects: compare them as JSON values, and hash both in JSON.stringify's form.
      wasm = JSON.stringify({ errors: error.errors });
      nativeLine = JSON.stringify(JSON.parse(nativeLine));
      assert.equal(wasm, nativeLine, `request ${i}: errors`);
    }
    hashes.wasm.update(`${wasm}\n`);
    hashes.native.update(`${nativeLine}\n`);
  }
  const [w, n] = [hashes.wasm.digest("hex"), hashes.native.digest("hex")];
  console.log(`parity: ${requests.length} requests, ${priced} priced and ${refused} refused alike; sha256 of all outputs ${w}`);
  assert.ok(priced > requests.length / 2, `most generated requests should price (${priced})`);
  assert.ok(refused > 0, "some generated requests are refused, so errors are compared too");
  assert.equal(w, n);
});
