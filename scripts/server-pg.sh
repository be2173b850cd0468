#!/usr/bin/env bash
# A private PostgreSQL cluster for Premia's server tests and benchmarks: installed from apt when this
# machine has no server binaries, started in a temporary folder on a loopback port, stopped on request.
#
#   source scripts/server-pg.sh      # defines pg_start / pg_stop
#   pg_start                         # exports PREMIA_TEST_POSTGRES_URL=postgres://premia@127.0.0.1:PORT/postgres
#   pg_stop                          # stops the cluster and removes its folder (call it from a trap)
#
# Run directly, `scripts/server-pg.sh start` prints the URL and leaves the cluster running (for manual use;
# stop it with `scripts/server-pg.sh stop DIR`).

pg_bindir() {
  local dir
  for dir in "$(pg_config --bindir 2>/dev/null)" /usr/lib/postgresql/*/bin /usr/local/pgsql/bin; do
    if [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/pg_ctl" && -x "$dir/postgres" ]]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

pg_install() {
  pg_bindir >/dev/null && return 0
  echo "server-pg: no PostgreSQL server binaries found; installing from apt" >&2
  if [[ $(id -u) -ne 0 ]]; then
    echo "server-pg: need root to apt-get install postgresql (or install it yourself)" >&2
    return 1
  fi
  # No cluster from the Debian package: we run our own in a temporary folder.
  mkdir -p /etc/postgresql-common/createcluster.d
  echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.d/premia-no-main.conf
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  pg_bindir >/dev/null
}

# Run a PostgreSQL program as an unprivileged user: initdb and postgres refuse to run as root.
pg_as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u "${PG_OWNER:-postgres}" -- "$@"
  else
    "$@"
  fi
}

pg_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pg_start() {
  pg_install || return 1
  local bindir
  bindir=$(pg_bindir) || return 1
  if [[ $(id -u) -eq 0 ]] && ! id -u "${PG_OWNER:-postgres}" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "${PG_OWNER:-postgres}"
  fi
  PREMIA_PG_DIR=$(mktemp -d /tmp/premia-pg.XXXXXX)
  export PREMIA_PG_DIR
  chmod 755 "$PREMIA_PG_DIR"
  mkdir -p "$PREMIA_PG_DIR/data" "$PREMIA_PG_DIR/run"
  [[ $(id -u) -eq 0 ]] && chown -R "${PG_OWNER:-postgres}" "$PREMIA_PG_DIR"
  local port
  port=$(pg_free_port)
  pg_as_owner "$bindir/initdb" -D "$PREMIA_PG_DIR/data" -U premia --auth=trust -E UTF8 --locale=C.UTF-8 \
    >"$PREMIA_PG_DIR/initdb.log" 2>&1 || { cat "$PREMIA_PG_DIR/initdb.log" >&2; return 1; }
  # Loopback only; enough connections for the race tests; fsync stays on (durability is under test).
  pg_as_owner "$bindir/pg_ctl" -D "$PREMIA_PG_DIR/data" -l "$PREMIA_PG_DIR/postgres.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $PREMIA_PG_DIR/run -c max_connections=200" start >/dev/null \
    || { cat "$PREMIA_PG_DIR/postgres.log" >&2; return 1; }
  echo "$port" >"$PREMIA_PG_DIR/port"
  export PREMIA_TEST_POSTGRES_URL="postgres://premia@127.0.0.1:$port/postgres"
  echo "server-pg: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($PREMIA_PG_DIR)" >&2
}

pg_stop() {
  local dir=${1:-${PREMIA_PG_DIR:-}}
  [[ -n "$dir" && -d "$dir/data" ]] || return 0
  local bindir
  bindir=$(pg_bindir) || return 0
  pg_as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  case "${1:-}" in
    start) pg_start && echo "$PREMIA_TEST_POSTGRES_URL $PREMIA_PG_DIR" ;;
    stop) pg_stop "${2:?usage: server-pg.sh stop DIR}" ;;
    *) echo "usage: server-pg.sh start | stop DIR" >&2; exit 2 ;;
  esac
fi
