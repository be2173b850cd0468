#!/usr/bin/env bash
# Build the underwriting desk page (crates/premia-desk-web) into crates/premia-desk-web/dist, which the
# server serves at /desk/ (--desk-dir). Its own WebAssembly module: the quote site's and the widget's
# (scripts/web-build.sh) carry nothing of it. Installs the wasm target and wasm-bindgen like the site's
# build (scripts/web-tools.sh). Uses $CARGO_TARGET_DIR if set.
#
#   scripts/desk-build.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
source "$root/scripts/web-tools.sh"
web_install_rust_tools
export PATH="$HOME/.cargo/bin:$PATH"

crate="$root/crates/premia-desk-web"
dist="$crate/dist"
echo "desk-build: cargo build (wasm32, profile desk-release)" >&2
cargo build --quiet --locked -p premia-desk-web --lib --target wasm32-unknown-unknown --profile desk-release
target_dir=$(web_target_dir)
rm -rf "$dist"
mkdir -p "$dist/pkg"
wasm-bindgen --target web --no-typescript --out-dir "$dist/pkg" --out-name premia_desk_web \
  "$target_dir/wasm32-unknown-unknown/desk-release/premia_desk_web.wasm"
cp "$crate"/static/{index.html,desk.css,desk.js} "$dist/"
# Precompressed copies for the server (gzip -9: quick; the desk has no download budget).
find "$dist" -type f \( -name '*.html' -o -name '*.js' -o -name '*.css' -o -name '*.wasm' \) -print0 |
  xargs -0 -n 1 gzip -9 -n -k -f
wasm="$dist/pkg/premia_desk_web_bg.wasm"
echo "desk-build: $(du -b "$wasm" | cut -f1) bytes of wasm ($(du -b "$wasm.gz" | cut -f1) gzip) in $dist" >&2
