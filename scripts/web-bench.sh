#!/usr/bin/env bash
# The web benchmark: widget download size (raw, gzip), navigation → first price, input → price update,
# in Debian's headless chromium. Prints a Markdown report (BENCHMARKS.md records one).
#   scripts/web-bench.sh                    # build, then measure
#   PREMIA_WEB_SKIP_BUILD=1 RUNS=15 UPDATES=200 scripts/web-bench.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/web-tools.sh" --browser
[[ "${PREMIA_WEB_SKIP_BUILD:-}" == 1 ]] || "$root/scripts/web-build.sh"
cd "$root/tests/web"
node bench.mjs
