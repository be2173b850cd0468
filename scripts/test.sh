#!/usr/bin/env bash
# Every test Premia has, from a fresh clone: formatting, lints, unit/integration/property tests of all
# crates, the catalogue's own test cases, then the browser and server suites (which install what they
# need: wasm target, wasm-bindgen, Chromium, PostgreSQL, npm packages).
#
#   ./scripts/test.sh            everything
#   PREMIA_SKIP_WEB=1 ./scripts/test.sh     skip the browser suite
#   PREMIA_SKIP_SERVER=1 ./scripts/test.sh  skip the server suite
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
started=$SECONDS

step "rust toolchain components"
for component in rustfmt clippy; do
  rustup component list --installed 2>/dev/null | grep -q "^$component" || rustup component add "$component"
done

step "architecture invariants"
# premia-core is pure: nothing of wasm-bindgen, HTTP, databases or async runtimes in its dependency tree.
if cargo tree -p premia-core --edges normal --prefix none --locked \
    | grep -E '^(wasm-bindgen|web-sys|js-sys|tokio|axum|hyper|sqlx|reqwest|getrandom) ' ; then
  echo "premia-core must not depend on the crates above" >&2
  exit 1
fi
# premia-cli depends on the core only (no server, store or async runtime): at most 60 crates.
cli_crates=$(cargo tree -p premia-cli --edges normal --prefix none --locked | sed 's/ (\*)$//' | sort -u | wc -l)
if (( cli_crates > 60 )) || cargo tree -p premia-cli --edges normal --prefix none --locked \
    | grep -E '^(premia-server|premia-store|tokio|axum|hyper|sqlx|reqwest) '; then
  echo "premia-cli must depend on the core only ($cli_crates crates; at most 60)" >&2
  exit 1
fi
rustup target list --installed | grep -q '^wasm32-unknown-unknown$' || rustup target add wasm32-unknown-unknown
cargo build --locked -p premia-core --target wasm32-unknown-unknown

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (warnings denied)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test (unit, integration, property, doc tests)"
if [[ -z "${PREMIA_SKIP_SERVER:-}" ]]; then
  # The server and store tests run once, below, against SQLite and a real PostgreSQL.
  cargo test --workspace --locked --exclude premia-server --exclude premia-store
else
  cargo test --workspace --locked
fi

step "demo catalogue test cases (premia catalogue check)"
cargo run --quiet --locked -p premia-cli -- catalogue check catalogue/demo.toml

# The server's tamper corpus is quoted by the browser's wasm build when the web suite runs.
wasm_quotes="$PWD/target/wasm-corpus/quotes.jsonl"
if [[ -z "${PREMIA_SKIP_WEB:-}" ]]; then
  step "web: site, widget, JS API, wasm/native parity (scripts/web-test.sh)"
  mkdir -p "$(dirname "$wasm_quotes")"
  PREMIA_WASM_QUOTES_OUT="$wasm_quotes" scripts/web-test.sh
fi

if [[ -z "${PREMIA_SKIP_SERVER:-}" ]]; then
  step "server: SQLite and PostgreSQL (scripts/server-test.sh)"
  if [[ -z "${PREMIA_SKIP_WEB:-}" ]]; then
    PREMIA_TEST_QUOTES="$wasm_quotes" scripts/server-test.sh
  else
    scripts/server-test.sh
  fi
fi

step "all tests passed in $((SECONDS - started)) s"
