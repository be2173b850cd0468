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
#
# Payments go to the WeChat Pay, Alipay and UnionPay simulators (premia-paysim), started here on a
# loopback port with keys made for this run (data/paysim/, secrets 0600): "pay" in the simulator's
# cashier page. They stop with the server.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/web-build.sh

bind="${PREMIA_BIND:-127.0.0.1:8080}"
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in
    --bind) bind="${args[$((i + 1))]:-$bind}" ;;
    --bind=*) bind="${args[$i]#--bind=}" ;;
  esac
done
data="${PREMIA_DATA_DIR:-data}"
mkdir -p "$data" && chmod 700 "$data"
cargo build --release --locked -p premia-paysim -p premia-server
paysim_out="$(mktemp)"
target/release/premia-paysim --notify-base "http://$bind/api/pay/notify/" --config-dir "$data/paysim" >"$paysim_out" &
paysim=$!
trap 'kill "$paysim" 2>/dev/null || true; rm -f "$paysim_out"' EXIT
for _ in $(seq 1 100); do
  [[ -s "$paysim_out" ]] && break
  sleep 0.1
done
echo "run: payment simulators: $(cat "$paysim_out")" >&2
echo "run: starting premia-server (quote site: http://$bind/, widget demo: http://$bind/widget-demo.html)" >&2
echo "run: DEMO MODE (--allow-demo): illustrative rates, vouchers signed by the published demo key, simulated payments; not for production" >&2
target/release/premia-server --allow-demo --payments "$data/paysim/payments.toml" "$@" &
server=$!
trap 'kill "$server" "$paysim" 2>/dev/null || true; rm -f "$paysim_out"' EXIT INT TERM
wait "$server"
