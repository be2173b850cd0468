#!/usr/bin/env bash
# Run Premia on a fresh machine: build the quote site and widget (one WebAssembly module; installs the
# wasm target, wasm-bindgen, wasm-pack and binaryen on first use), the underwriting desk page and the
# premium dashboard (each its own module), then start the server on http://127.0.0.1:8080 with an
# embedded SQLite store in ./data (created and migrated on first start).
# Demo material is allowed (--allow-demo): the catalogue's rates are illustrative and its vouchers are
# signed by a key published in this repository; a production server refuses both (docs/server.md).
#
#   ./scripts/run.sh                          # the quote site at /, the widget demo at /widget-demo.html,
#                                             # the underwriting desk at /desk/, the dashboard at /dashboard/
#   ./scripts/run.sh --bind 127.0.0.1:9090    # any premia-server flag (see docs/server.md)
#   PREMIA_DATABASE_URL=postgres://… ./scripts/run.sh
#
# Demo staff for the desk and the dashboard: a store without one of the accounts below gets it, with the
# published password below, said on every start. They are demo material like the catalogue: a real desk's
# accounts are made with `premia-server staff add` (docs/server.md), which generates each password. The
# store is the one PREMIA_DATA_DIR / PREMIA_DATABASE_URL name (default ./data), as for the server.
#
# Payments go to the WeChat Pay, Alipay and UnionPay simulators (premia-paysim), started here on a
# loopback port with keys made for this run (<data>/paysim/, secrets 0600): "pay" in the simulator's
# cashier page. They stop with the server.
#
# A store without applications gets a year of demo business (`premia-server demo seed --allow-demo`:
# 5,000 applications through the server's own routes), so that the dashboard has something to show;
# the dashboard's targets are examples/dashboard-targets.toml.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/web-build.sh
scripts/desk-build.sh
scripts/dashboard-build.sh
cargo build --release --locked -q -p premia-server -p premia-paysim
target="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release"
server="$target/premia-server"

# username, role, password, name shown on the desk
demo_staff=(
  "demo.underwriter underwriter demo-underwriter-2026 Demo underwriter 核保员"
  "demo.senior senior_underwriter demo-senior-2026 Demo senior underwriter 高级核保员"
  "demo.manager manager demo-manager-2026 Demo manager 核保经理"
  "demo.analyst analyst demo-analyst-2026 Demo analyst 数据分析员"
)
accounts="$("$server" staff list --json)"
for account in "${demo_staff[@]}"; do
  read -r username role password name <<<"$account"
  if ! grep -q "\"username\": \"$username\"" <<<"$accounts"; then
    echo "run: adding the demo staff account $username" >&2
    printf '%s\n' "$password" | "$server" staff add "$username" --role "$role" --name "$name" --password-stdin
  fi
done
"$server" demo seed --allow-demo --if-empty --applications 5000 --days 365

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
paysim_out="$(mktemp)"
"$target/premia-paysim" --notify-base "http://$bind/api/pay/notify/" --config-dir "$data/paysim" >"$paysim_out" &
paysim=$!
trap 'kill "$paysim" 2>/dev/null || true; rm -f "$paysim_out"' EXIT
for _ in $(seq 1 100); do
  [[ -s "$paysim_out" ]] && break
  sleep 0.1
done
echo "run: payment simulators: $(cat "$paysim_out")" >&2
echo "run: starting premia-server (quote site: http://$bind/, widget demo: http://$bind/widget-demo.html, underwriting desk: http://$bind/desk/, dashboard: http://$bind/dashboard/)" >&2
echo "run: demo staff for the desk and the dashboard (sign in at http://$bind/staff/login) · 演示员工账户:" >&2
for account in "${demo_staff[@]}"; do
  read -r username role password _ <<<"$account"
  printf 'run:   %-18s %-20s password %s\n' "$username" "$role" "$password" >&2
done
echo "run: DEMO MODE (--allow-demo): illustrative rates, vouchers signed by the published demo key, demo staff passwords, demo business in the dashboard, simulated payments; not for production" >&2
export PREMIA_DASHBOARD_TARGETS="${PREMIA_DASHBOARD_TARGETS:-examples/dashboard-targets.toml}"
"$server" --allow-demo --payments "$data/paysim/payments.toml" "$@" &
server_pid=$!
trap 'kill "$server_pid" "$paysim" 2>/dev/null || true; rm -f "$paysim_out"' EXIT INT TERM
wait "$server_pid"
