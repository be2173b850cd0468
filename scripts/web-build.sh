#!/usr/bin/env bash
# Build the one WebAssembly module of Premia and everything that ships it:
#   web/pkg/   the npm package (@premia/quote): wasm-pack output + the init shim, README, package.json
#   web/dist/  the site, served as static files:
#                index.html          the quote page (mounts the app, POSTs submissions to /api/quotes)
#                widget-demo.html    a host page embedding two <premia-quote> widgets
#                premia-widget.js    the widget loader (one script tag)
#                premia.css site.css site.js
#                buy/                the buying module (scripts/buy-build.sh), loaded on "buy online"
#                pkg/premia.js pkg/premia_bg.wasm   the wasm-bindgen glue and the module
#              the JS and CSS there minified (terser, csso; web/pkg keeps the readable glue), and beside
#              every html/js/css/wasm file its precompressed forms, FILE.gz (zopfli) and FILE.br (brotli
#              -q 11), which the premia server sends to browsers that accept them
#
#   scripts/web-build.sh            # release build (profile wasm-release, functions ordered for compression)
# Uses $CARGO_TARGET_DIR if set. Tools are installed by scripts/web-tools.sh (run first, idempotent).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
source "$root/scripts/web-tools.sh"
"$root/scripts/web-tools.sh"
export PATH="$HOME/.cargo/bin:$PATH"
# Every tool of the size build, or no build: without one the module would be larger and nothing would
# say so (web-tools.sh installs them).
web_require_tools zopfli brotli wasm-bindgen wasm-pack "$root/web/node_modules/.bin/wasm-opt" \
  "$root/web/node_modules/.bin/terser" "$root/web/node_modules/.bin/csso"

pkg="$root/web/pkg"
dist="$root/web/dist"

# The standard library rebuilt for size: `-Zbuild-std` with `panic = immediate-abort`, so a panic is a
# trap and no panic message, location or formatting code is left in the module (5 KiB compressed;
# check-size-steps.mjs fails the build if std's panic messages are back), and std's `optimize_for_size`
# variants. These are unstable cargo/rustc flags: RUSTC_BOOTSTRAP=1 lets the one stable rustc every
# other build uses take them, for this command only. The library's source is rustup's rust-src component
# (web-tools.sh adds it; the build stops without it). `-Zfmt-debug=none` (nothing) and
# `-Zlocation-detail=none` (1.1 KiB) no longer earned the 2 KiB a size step must, and were dropped
# (BENCHMARKS.md, "The size build, step by step").
web_size_flags

# wasm-pack with the wasm-bindgen on PATH (same version as Cargo.lock) and without its own wasm-opt
# download: we run binaryen's current wasm-opt ourselves. `strip` is turned off for this build only so
# wasm-bindgen can read the target-features section; wasm-opt strips names and debug info after it.
echo "web-build: wasm-pack (profile wasm-release)" >&2
env "${size_env[@]}" WASM_PACK_CACHE="${WASM_PACK_CACHE:-$root/target/wasm-pack-cache}" \
  wasm-pack --log-level warn build crates/premia-wasm --target web --out-dir "$pkg" --out-name premia \
  --profile wasm-release --no-opt -- --locked --config 'profile.wasm-release.strip=false' "${size_args[@]}"

# No binaryen optimisation level: on top of rustc's opt-level "z" its -Oz/-Os/-O2 passes make the module
# smaller raw but larger compressed (what a browser downloads), and -O1 with duplicate-function
# elimination earned 0.7 KiB compressed, under the 2 KiB a size step must earn to stay (BENCHMARKS.md,
# "The size build, step by step"). What stays: the functions put in an order where similar ones are
# neighbours (web/tools/order-functions.mjs: 4 % smaller compressed, same code; binaryen renumbers calls,
# the table and exports by it), then names and debug info stripped.
wasm_opt="$root/web/node_modules/.bin/wasm-opt"
features=(--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals
  --enable-reference-types --enable-multivalue)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# optimize IN OUT: a module as wasm-bindgen wrote it (with its name section), ordered and stripped, into OUT.
optimize() {
  node "$root/web/tools/order-functions.mjs" "$1" "$work/ordered.wasm"
  "$wasm_opt" "$work/ordered.wasm" -o "$2" --reorder-functions-by-name "${features[@]}" \
    --strip-debug --strip-producers
  # The order must have changed something: the same module stripped without it must differ.
  "$wasm_opt" "$1" -o "$work/unordered.wasm" "${features[@]}" --strip-debug --strip-producers
  if cmp -s "$work/unordered.wasm" "$2"; then
    echo "web-build: order-functions.mjs left the functions in their order" >&2
    exit 1
  fi
}
echo "web-build: function order (the npm package's module)" >&2
optimize "$pkg/premia_bg.wasm" "$pkg/premia_bg.wasm"

# The npm package: our entry point (a Node-aware init) and README beside wasm-pack's files.
cp "$root/web/npm/index.js" "$root/web/npm/index.d.ts" "$root/web/npm/README.md" "$pkg/"
node "$root/web/npm/package.mjs" "$pkg/package.json"

# The site and the widget call only `mount` and the mounted app's methods: they get the module built
# without the `api` feature (no JS API entry points, nor the code only they reach, nor their glue):
# 5 % less to download. Pages that want the API use the npm package (web/pkg), which has every export.
# Same profile and flags as wasm-pack's build above, so only premia-wasm and the link are redone.
echo "web-build: the module without the JS API (the site's and the widget's)" >&2
env "${size_env[@]}" cargo build --quiet --locked -p premia-wasm --lib --no-default-features \
  --target wasm32-unknown-unknown --profile wasm-release --config 'profile.wasm-release.strip=false' \
  "${size_args[@]}"
target_dir=$(web_target_dir)
wasm-bindgen --target web --no-typescript --out-dir "$work/site" --out-name premia \
  "$target_dir/wasm32-unknown-unknown/wasm-release/premia_wasm.wasm"

rm -rf "$dist"
mkdir -p "$dist/pkg"
cp "$root"/web/{index.html,widget-demo.html,widget-demo.js,widget-demo.css,premia-widget.js,premia.css,site.css,site.js} "$dist/"
cp "$work/site/premia.js" "$dist/pkg/"
optimize "$work/site/premia_bg.wasm" "$dist/pkg/premia_bg.wasm"
# The names glue and module call each other by, shortened in both (web/tools/minify-names.mjs): 4 KB.
node "$root/web/tools/minify-names.mjs" "$dist/pkg/premia_bg.wasm" "$dist/pkg/premia.js"

# Minify what the site and the widget download. The sources and the npm package stay readable.
# Class names are kept: the glue prints them in its debug strings and errors (`constructor.name`).
echo "web-build: minify JS (terser) and CSS (csso)" >&2
bin="$root/web/node_modules/.bin"
for js in "$dist/pkg/premia.js" "$dist/premia-widget.js" "$dist/site.js"; do
  "$bin/terser" "$js" --module --compress --mangle --keep-classnames --output "$js"
done
for css in "$dist/premia.css" "$dist/site.css"; do
  "$bin/csso" "$css" --output "$css"
done

# Precompress: FILE.gz and FILE.br beside each file a browser fetches, for the server's ServeDir
# (precompressed_gzip/precompressed_br). zopfli makes the smallest gzip format (every browser and proxy
# reads it); brotli -q 11 is smaller still, for browsers that send `Accept-Encoding: br`. Both are
# required (checked at the top).
compress() {
  zopfli -c "$1" >"$1.gz"
  brotli -q 11 -f -o "$1.br" "$1"
}
export -f compress
echo "web-build: precompress (.gz, .br)" >&2
find "$dist" -type f \( -name '*.html' -o -name '*.js' -o -name '*.css' -o -name '*.wasm' \) -print0 |
  xargs -0 -n 1 -P "$(nproc)" bash -c 'compress "$1"' _
wasm="$dist/pkg/premia_bg.wasm"
echo "web-build: built $(du -b "$wasm" | cut -f1) bytes of wasm ($(du -b "$wasm.gz" | cut -f1) gzip) into web/dist and web/pkg" >&2
# Each size step above did its work (a step that stops working raises no error, the module just grows).
node "$root/web/tools/check-size-steps.mjs" "$dist"

# The buying module (crates/premia-buy-web), its own WebAssembly module in web/dist/buy/: fetched only
# when a person chooses to buy, so nothing above grows for it.
"$root/scripts/buy-build.sh"
