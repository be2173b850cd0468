#!/usr/bin/env bash
# Build the site and serve it (with the widget demo page) on http://127.0.0.1:${PORT:-8080} until Ctrl-C.
# Submissions go to /api/quotes on this origin: with this static server there is none, so the page shows
# the payload. The premia server (crates/premia-server) serves the same web/dist with the real API.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[[ "${PREMIA_WEB_SKIP_BUILD:-}" == 1 ]] || "$root/scripts/web-build.sh"
exec node "$root/tests/web/server.mjs" "$root/web/dist" "${PORT:-8080}"
