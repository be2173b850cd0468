#!/usr/bin/env bash
# The web part of the test command: installs what it needs (idempotent), builds the wasm bundle, then
#   1. cargo test for premia-web (the form reducer) and premia-wasm (the JS API in plain Rust);
#   2. the parity test: N generated requests quoted natively and by the wasm build under Node;
#   3. browser end-to-end tests in Debian's headless chromium (site and widget), and the npm package test.
# Screenshots of the last run: tests/artifacts/web/.
#
#   scripts/web-test.sh                      # everything
#   PREMIA_WEB_SKIP_BUILD=1 scripts/web-test.sh   # reuse web/dist and web/pkg from the last build
#   PREMIA_PARITY_COUNT=1000 scripts/web-test.sh  # fewer parity requests (default 10000)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"

"$root/scripts/web-tools.sh" --browser
if [[ "${PREMIA_WEB_SKIP_BUILD:-}" != 1 ]]; then
  "$root/scripts/web-build.sh"
fi

echo "web-test: cargo test (premia-web, premia-wasm)" >&2
cargo test --locked -p premia-web -p premia-wasm

parity=$(mktemp -d)
trap 'rm -rf "$parity"' EXIT
count="${PREMIA_PARITY_COUNT:-10000}"
echo "web-test: parity, $count requests" >&2
cargo run -q --locked -p premia-wasm --example parity -- "$parity" "$count"

echo "web-test: node tests (browser e2e, npm package, parity)" >&2
cd "$root/tests/web"
PREMIA_PARITY_DIR="$parity" PREMIA_PARITY_COUNT="$count" \
  node --test --test-concurrency=1 site.test.mjs widget.test.mjs npm.test.mjs parity.test.mjs
