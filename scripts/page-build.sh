#!/usr/bin/env bash
# What the staff pages' builds share (scripts/desk-build.sh, scripts/dashboard-build.sh): each page is its
# own WebAssembly module, crates/premia-NAME-web built for wasm32 (profile desk-release) and bound by
# wasm-bindgen into crates/premia-NAME-web/dist, which the server serves at /NAME/.
#
#   source scripts/page-build.sh   # installs the wasm target and wasm-bindgen (scripts/web-tools.sh)
#   page_build NAME                # sets PAGE_CRATE, PAGE_DIST (emptied, with pkg/) and PAGE_WASM
#   page_precompress               # gzip -9 copies of PAGE_DIST's pages, scripts, styles and wasm
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
source "$root/scripts/web-tools.sh"
web_install_rust_tools
export PATH="$HOME/.cargo/bin:$PATH"

page_build() {
  local name=$1 target_dir
  PAGE_CRATE="$root/crates/premia-$name-web"
  PAGE_DIST="$PAGE_CRATE/dist"
  echo "$name-build: cargo build (wasm32, profile desk-release)" >&2
  cargo build --quiet --locked -p "premia-$name-web" --lib --target wasm32-unknown-unknown --profile desk-release
  target_dir=$(web_target_dir)
  rm -rf "$PAGE_DIST"
  mkdir -p "$PAGE_DIST/pkg"
  wasm-bindgen --target web --no-typescript --out-dir "$PAGE_DIST/pkg" --out-name "premia_${name}_web" \
    "$target_dir/wasm32-unknown-unknown/desk-release/premia_${name}_web.wasm"
  PAGE_WASM="$PAGE_DIST/pkg/premia_${name}_web_bg.wasm"
}

# Precompressed copies for the server (gzip -9: quick; a staff page has no download budget).
page_precompress() {
  find "$PAGE_DIST" -type f \( -name '*.html' -o -name '*.js' -o -name '*.css' -o -name '*.wasm' \) -print0 |
    xargs -0 -n 1 gzip -9 -n -k -f
}
