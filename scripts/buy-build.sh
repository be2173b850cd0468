#!/usr/bin/env bash
# Build the buying module (crates/premia-buy-web) into web/dist/buy/, beside the quote site and the
# widget (scripts/web-build.sh runs this last): its own WebAssembly module, which the site and the
# widget fetch only when a person chooses to buy, so what they download first does not grow.
#   web/dist/buy/mount.js                 what the site and the widget import on "buy": mounts the app
#   web/dist/buy/premia_buy.js, premia_buy_bg.wasm   the wasm-bindgen glue and the module
# each with its precompressed FILE.gz and FILE.br. Same profile and flags as the quote module (the
# standard library rebuilt for size, see web-build.sh), so the two builds share what they compile.
#
#   scripts/buy-build.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
source "$root/scripts/web-tools.sh"
web_install_rust_tools
export PATH="$HOME/.cargo/bin:$PATH"
web_size_flags

crate="$root/crates/premia-buy-web"
out="$root/web/dist/buy"
echo "buy-build: cargo build (wasm32, profile wasm-release)" >&2
env "${size_env[@]}" cargo build --quiet --locked -p premia-buy-web --lib --target wasm32-unknown-unknown \
  --profile wasm-release --config 'profile.wasm-release.strip=false' "${size_args[@]}"
target_dir=$(web_target_dir)
rm -rf "$out"
mkdir -p "$out"
wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name premia_buy \
  "$target_dir/wasm32-unknown-unknown/wasm-release/premia_buy_web.wasm"
wasm="$out/premia_buy_bg.wasm"
"$root/web/node_modules/.bin/wasm-opt" "$wasm" -o "$wasm" -O1 --strip-debug --strip-producers \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
  --enable-reference-types --enable-multivalue
cp "$crate"/static/{mount.js,buy.css} "$out/"
"$root/web/node_modules/.bin/terser" "$out/mount.js" --module --compress --mangle --output "$out/mount.js"
"$root/web/node_modules/.bin/terser" "$out/premia_buy.js" --module --compress --mangle --keep-classnames \
  --output "$out/premia_buy.js"
# Precompressed for the server: gzip -9 (quick; this module is fetched once, on "buy") and brotli.
for file in "$out"/*.js "$out"/*.css "$wasm"; do
  gzip -9 -n -k -f "$file"
  if command -v brotli >/dev/null; then brotli -q 11 -f -o "$file.br" "$file"; fi
done
echo "buy-build: $(du -b "$wasm" | cut -f1) bytes of wasm ($(du -b "$wasm.gz" | cut -f1) gzip) in $out" >&2
