#!/usr/bin/env bash
# The web benchmark, in Debian's headless chromium; prints a Markdown report (BENCHMARKS.md records one):
#   1. what the widget downloads (tests/web/download-size.mjs): raw, gzip -9, the build's precompressed
#      .gz (zopfli) and .br (brotli) per file, and what Chromium negotiated and transferred loading the
#      widget demo from the real premia server;
#   2. navigation → first price, input → price update (tests/web/bench.mjs).
#   scripts/web-bench.sh                    # build, then measure
#   PREMIA_WEB_SKIP_BUILD=1 RUNS=15 UPDATES=200 scripts/web-bench.sh
# Uses $CARGO_TARGET_DIR if set.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"
source "$root/scripts/web-tools.sh"
"$root/scripts/web-tools.sh" --browser
[[ "${PREMIA_WEB_SKIP_BUILD:-}" == 1 ]] || "$root/scripts/web-build.sh"
cargo build -q --locked -p premia-server
target_dir=$(web_target_dir)
cd "$root/tests/web"
PREMIA_SERVER_BIN="$target_dir/debug/premia-server" node download-size.mjs
echo
node bench.mjs
