#!/usr/bin/env bash
# Build the underwriting desk page (crates/premia-desk-web) into crates/premia-desk-web/dist, which the
# server serves at /desk/ (--desk-dir). Its own WebAssembly module: the quote site's and the widget's
# (scripts/web-build.sh) carry nothing of it. Installs the wasm target and wasm-bindgen like the site's
# build (scripts/web-tools.sh). Uses $CARGO_TARGET_DIR if set.
#
#   scripts/desk-build.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/page-build.sh"

page_build desk
cp "$PAGE_CRATE"/static/{index.html,desk.css,desk.js} "$PAGE_DIST/"
page_precompress
echo "desk-build: $(du -b "$PAGE_WASM" | cut -f1) bytes of wasm ($(du -b "$PAGE_WASM.gz" | cut -f1) gzip) in $PAGE_DIST" >&2
