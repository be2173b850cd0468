#!/usr/bin/env bash
# Build the premium dashboard page (crates/premia-dashboard-web) into crates/premia-dashboard-web/dist,
# which the server serves at /dashboard/ (--dashboard-dir): its own WebAssembly module, and Apache
# ECharts from npm (echarts.common.min.js, pinned by the crate's package-lock.json) beside it — nothing
# is loaded from a CDN. Installs the wasm target and wasm-bindgen like the site's build
# (scripts/web-tools.sh). Uses $CARGO_TARGET_DIR if set.
#
#   scripts/dashboard-build.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/page-build.sh"

web_npm_ci "$root/crates/premia-dashboard-web"
page_build dashboard
cp "$PAGE_CRATE"/static/{index.html,dashboard.css,dashboard.js} "$PAGE_DIST/"
cp "$PAGE_CRATE/node_modules/echarts/dist/echarts.common.min.js" "$PAGE_CRATE/node_modules/echarts/LICENSE" "$PAGE_DIST/"
page_precompress
echo "dashboard-build: $(du -b "$PAGE_WASM" | cut -f1) bytes of wasm ($(du -b "$PAGE_WASM.gz" | cut -f1) gzip), ECharts $(du -b "$PAGE_DIST/echarts.common.min.js.gz" | cut -f1) gzip, in $PAGE_DIST" >&2
