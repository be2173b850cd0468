#!/usr/bin/env bash
# Build the one WebAssembly module of Premia and everything that ships it:
#   web/pkg/   the npm package (@premia/quote): wasm-pack output + the init shim, README, package.json
#   web/dist/  the site, served as static files:
#                index.html          the quote page (mounts the app, POSTs submissions to /api/quotes)
#                widget-demo.html    a host page embedding two <premia-quote> widgets
#                premia-widget.js    the widget loader (one script tag)
#                premia.css site.css site.js
#                pkg/premia.js pkg/premia_bg.wasm   the wasm-bindgen glue and the module
#
#   scripts/web-build.sh            # release build (profile wasm-release + wasm-opt -Oz)
# Uses $CARGO_TARGET_DIR if set. Tools are installed by scripts/web-tools.sh (run first, idempotent).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
"$root/scripts/web-tools.sh"
export PATH="$HOME/.cargo/bin:$PATH"

pkg="$root/web/pkg"
dist="$root/web/dist"

# wasm-pack with the wasm-bindgen on PATH (same version as Cargo.lock) and without its own wasm-opt
# download: we run binaryen's current wasm-opt ourselves. `strip` is turned off for this build only so
# wasm-bindgen can read the target-features section; wasm-opt strips names and debug info after it.
echo "web-build: wasm-pack (profile wasm-release)" >&2
WASM_PACK_CACHE="${WASM_PACK_CACHE:-$root/target/wasm-pack-cache}" \
  wasm-pack --log-level warn build crates/premia-wasm --target web --out-dir "$pkg" --out-name premia \
  --profile wasm-release --no-opt -- --locked --config 'profile.wasm-release.strip=false'

# -O1, not -Oz: on top of rustc's opt-level "z", binaryen's -Oz/-Os/-O2 passes make the module 10%
# smaller raw but 14% LARGER gzip-compressed (what a browser downloads); -O1 gives the smallest gzip.
# Measured in BENCHMARKS.md ("wasm-opt levels").
echo "web-build: wasm-opt -O1" >&2
"$root/web/node_modules/.bin/wasm-opt" "$pkg/premia_bg.wasm" -o "$pkg/premia_bg.wasm" -O1 \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
  --enable-reference-types --enable-multivalue --strip-debug --strip-producers

# The npm package: our entry point (a Node-aware init) and README beside wasm-pack's files.
cp "$root/web/npm/index.js" "$root/web/npm/index.d.ts" "$root/web/npm/README.md" "$pkg/"
node "$root/web/npm/package.mjs" "$pkg/package.json"

rm -rf "$dist"
mkdir -p "$dist/pkg"
cp "$root"/web/{index.html,widget-demo.html,premia-widget.js,premia.css,site.css,site.js} "$dist/"
cp "$pkg/premia.js" "$pkg/premia_bg.wasm" "$pkg/premia.d.ts" "$dist/pkg/"
echo "web-build: built $(du -b "$dist/pkg/premia_bg.wasm" | cut -f1) bytes of wasm into web/dist and web/pkg" >&2
