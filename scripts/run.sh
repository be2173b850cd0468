#!/usr/bin/env bash
# Run Premia on a fresh machine: build the quote site and widget (one WebAssembly module; installs the
# wasm target, wasm-bindgen, wasm-pack and binaryen on first use), then start the server on
# http://127.0.0.1:8080 with an embedded SQLite store in ./data (created and migrated on first start).
# Demo material is allowed (--allow-demo): the catalogue's rates are illustrative and its vouchers are
# signed by a key published in this repository; a production server refuses both (docs/server.md).
#
#   ./scripts/run.sh                          # the quote site at /, the widget demo at /widget-demo.html
#   ./scripts/run.sh --bind 127.0.0.1:9090    # any premia-server flag (see docs/server.md)
#   PREMIA_DATABASE_URL=postgres://… ./scripts/run.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/web-build.sh
echo "run: starting premia-server (quote site: http://127.0.0.1:8080/, widget demo: http://127.0.0.1:8080/widget-demo.html)" >&2
echo "run: DEMO MODE (--allow-demo): illustrative rates, vouchers signed by the published demo key; not for production" >&2
exec cargo run --release --locked -p premia-server -- --allow-demo "$@"
