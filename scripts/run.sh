#!/usr/bin/env bash
# Run Premia on a fresh machine: build the quote site and widget (one WebAssembly module; installs the
# wasm target, wasm-bindgen, wasm-pack and binaryen on first use), the underwriting desk page and the
# premium dashboard (each its own module), then start the server on http://127.0.0.1:8080 with an
# embedded SQLite store in ./data (created and migrated on first start).
#
#   ./scripts/run.sh                          # the quote site at /, the widget demo at /widget-demo.html,
#                                             # the underwriting desk at /desk/, the dashboard at /dashboard/
#   ./scripts/run.sh --bind 127.0.0.1:9090    # any premia-server flag (see docs/server.md)
#   PREMIA_DATABASE_URL=postgres://… ./scripts/run.sh
#
# A store without staff accounts gets demo ones (demo.underwriter, demo.senior, demo.manager,
# demo.analyst); their passwords are printed once. More with `premia-server staff add` (docs/server.md).
# A store without applications gets a year of demo business (`premia-server demo seed --allow-demo`:
# 5,000 applications through the server's own routes), so that the dashboard has something to show;
# the dashboard's targets are examples/dashboard-targets.toml.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/web-build.sh
scripts/desk-build.sh
scripts/dashboard-build.sh
cargo build --release --locked -q -p premia-server
server="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/premia-server"
if [[ -z "$("$server" staff list --json)" ]]; then
  echo "run: no staff accounts yet: adding demo accounts for the underwriting desk" >&2
  "$server" staff add demo.underwriter --role underwriter --name "Demo underwriter 核保员"
  "$server" staff add demo.senior --role senior_underwriter --name "Demo senior 高级核保员"
  "$server" staff add demo.manager --role manager --name "Demo manager 核保经理"
  "$server" staff add demo.analyst --role analyst --name "Demo analyst 数据分析员"
fi
"$server" demo seed --allow-demo --if-empty --applications 5000 --days 365
echo "run: starting premia-server (quote site: http://127.0.0.1:8080/, widget demo: http://127.0.0.1:8080/widget-demo.html, underwriting desk: http://127.0.0.1:8080/desk/, dashboard: http://127.0.0.1:8080/dashboard/)" >&2
export PREMIA_DASHBOARD_TARGETS="${PREMIA_DASHBOARD_TARGETS:-examples/dashboard-targets.toml}"
exec "$server" "$@"
