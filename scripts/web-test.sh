#!/usr/bin/env bash
# The web part of the test command: installs what it needs (idempotent), builds the wasm bundle, then
#   1. cargo test for premia-web (the form reducer) and premia-wasm (the JS API in plain Rust);
#   2. the parity test: N generated requests quoted natively and by the wasm build under Node;
#   3. browser end-to-end tests in Debian's headless chromium (site and widget), the npm package test,
#      and the site and widget against the real premia server (crates/premia-server, SQLite), and the
#      underwriting desk end to end (desk.test.mjs: the site, the desk page, two people, the status page),
#      and the premium dashboard end to end (dashboard.test.mjs: seeded business, live figures, print),
#      and buying end to end (buy.test.mjs: the site and the widget, the payment simulators, the policy).
# Screenshots of the last run: tests/artifacts/web/.
#
#   scripts/web-test.sh                      # everything
#   PREMIA_WEB_SKIP_BUILD=1 scripts/web-test.sh   # reuse web/dist and web/pkg from the last build
#   PREMIA_PARITY_COUNT=1000 scripts/web-test.sh  # fewer parity requests (default 10000)
#   PREMIA_WEB_SKIP_SERVER=1 scripts/web-test.sh  # without the premia-server suite
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"

source "$root/scripts/web-tools.sh"
"$root/scripts/web-tools.sh" --browser
if [[ "${PREMIA_WEB_SKIP_BUILD:-}" != 1 ]]; then
  "$root/scripts/web-build.sh"
  # The underwriting desk's own module, for its end-to-end test (desk.test.mjs).
  [[ "${PREMIA_WEB_SKIP_SERVER:-}" == 1 ]] || "$root/scripts/desk-build.sh"
  # The premium dashboard's own module and ECharts, for dashboard.test.mjs.
  [[ "${PREMIA_WEB_SKIP_SERVER:-}" == 1 ]] || "$root/scripts/dashboard-build.sh"
fi

echo "web-test: cargo test (premia-web, premia-wasm, premia-buy-web, premia-desk-web, premia-dashboard-web)" >&2
cargo test --locked -p premia-web -p premia-wasm -p premia-buy-web -p premia-desk-web -p premia-dashboard-web

parity=$(mktemp -d)
trap 'rm -rf "$parity"' EXIT
count="${PREMIA_PARITY_COUNT:-10000}"
echo "web-test: parity, $count requests" >&2
cargo run -q --locked -p premia-wasm --example parity -- "$parity" "$count"

server_bin=""
paysim_bin=""
if [[ "${PREMIA_WEB_SKIP_SERVER:-}" != 1 ]]; then
  echo "web-test: building premia-server and the payment simulators for the end-to-end tests" >&2
  cargo build -q --locked -p premia-server -p premia-paysim
  target_dir=$(web_target_dir)
  server_bin="$target_dir/debug/premia-server"
  paysim_bin="$target_dir/debug/premia-paysim"
fi

echo "web-test: node tests (browser e2e, npm package, parity, premia server)" >&2
cd "$root/tests/web"
PREMIA_PARITY_DIR="$parity" PREMIA_PARITY_COUNT="$count" PREMIA_SERVER_BIN="$server_bin" PREMIA_PAYSIM_BIN="$paysim_bin" \
  node --test --test-concurrency=1 site.test.mjs widget.test.mjs walkthrough.test.mjs a11y.test.mjs npm.test.mjs \
  parity.test.mjs server.test.mjs desk.test.mjs dashboard.test.mjs buy.test.mjs

# With PREMIA_WASM_QUOTES_OUT=FILE, also write the server tests' genuine corpus (10,000 quotes, seed 1,
# dated their "today") as quoted by the wasm build: scripts/test.sh hands it to the server suite.
if [[ -n "${PREMIA_WASM_QUOTES_OUT:-}" ]]; then
  echo "web-test: the server's tamper corpus, quoted by the wasm build" >&2
  current=$(mktemp -d)
  cargo run -q --locked -p premia-server --example quotes_jsonl -- --requests 10000 2026-11-25 1 >"$current/requests.jsonl"
  node "$root/tests/web/wasm-corpus.mjs" "$current/requests.jsonl" "$PREMIA_WASM_QUOTES_OUT" 10000
  rm -rf "$current"
fi
