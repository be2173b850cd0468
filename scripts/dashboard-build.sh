#!/usr/bin/env bash
# Build the premium dashboard page (crates/premia-dashboard-web) into crates/premia-dashboard-web/dist,
# which the server serves at /dashboard/ (--dashboard-dir): its own WebAssembly module, and Apache
# ECharts from npm (echarts.common.min.js, pinned by the crate's package-lock.json) beside it — nothing
# is loaded from a CDN. Installs the wasm target and wasm-bindgen like the site's build
# (scripts/web-tools.sh). Uses $CARGO_TARGET_DIR if set.
#
#   scripts/dashboard-build.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
source "$root/scripts/web-tools.sh"
web_install_rust_tools
export PATH="$HOME/.cargo/bin:$PATH"

crate="$root/crates/premia-dashboard-web"
dist="$crate/dist"
web_npm_ci "$crate"
echo "dashboard-build: cargo build (wasm32, profile desk-release)" >&2
cargo build --quiet --locked -p premia-dashboard-web --lib --target wasm32-unknown-unknown --profile desk-release
target_dir=$(web_target_dir)
rm -rf "$dist"
mkdir -p "$dist/pkg"
wasm-bindgen --target web --no-typescript --out-dir "$dist/pkg" --out-name premia_dashboard_web \
  "$target_dir/wasm32-unknown-unknown/desk-release/premia_dashboard_web.wasm"
cp "$crate"/static/{index.html,dashboard.css,dashboard.js} "$dist/"
cp "$crate/node_modules/echarts/dist/echarts.common.min.js" "$crate/node_modules/echarts/LICENSE" "$dist/"
# Precompressed copies for the server (gzip -9: quick; a staff page has no download budget).
find "$dist" -type f \( -name '*.html' -o -name '*.js' -o -name '*.css' -o -name '*.wasm' \) -print0 |
  xargs -0 -n 1 gzip -9 -n -k -f
wasm="$dist/pkg/premia_dashboard_web_bg.wasm"
echo "dashboard-build: $(du -b "$wasm" | cut -f1) bytes of wasm ($(du -b "$wasm.gz" | cut -f1) gzip), ECharts $(du -b "$dist/echarts.common.min.js.gz" | cut -f1) gzip, in $dist" >&2
