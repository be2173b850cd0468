#!/usr/bin/env bash
# The underwriting desk's benchmarks (issue 13): the queue with 100,000 cases (GET /api/desk/cases, each
# view, through the router with a session) and a decision's commit (end to end and the store's
# transaction alone), on SQLite and on a private PostgreSQL. Figures for BENCHMARKS.md.
#
#   scripts/desk-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/server-pg.sh
trap pg_stop EXIT
pg_start
echo "load: $(uptime | sed 's/.*load average/load average/')"
cargo bench --locked -q -p premia-server --bench desk
echo "load: $(uptime | sed 's/.*load average/load average/')"
