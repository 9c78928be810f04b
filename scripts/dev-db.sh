#!/usr/bin/env bash
# Starts or stops the local development PostgreSQL under .data/pg (used by
# `make run` when DATABASE_URL is unset). Prints the DATABASE_URL on start.
#   scripts/dev-db.sh start|stop|url
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/.data/pg"
port="${DEV_PG_PORT:-55432}"
url="postgres://postgres@127.0.0.1:${port}/agora?sslmode=disable"

die() { echo "dev-db: $*" >&2; exit 1; }

bin=""
if command -v pg_ctl >/dev/null && command -v initdb >/dev/null; then
  bin=$(dirname "$(readlink -f "$(command -v pg_ctl)")")
else
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && bin=$d; done
fi

# PostgreSQL refuses to run as root: run its tools as the postgres user then.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    [ -n "$bin" ] || die "PostgreSQL server binaries not found: run 'apt-get install -y postgresql' (or set DATABASE_URL)"
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    if [ ! -f "$dir/PG_VERSION" ]; then
      as_pg "$bin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if ! as_pg "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
      as_pg "$bin/pg_ctl" -D "$dir" -w -l "$dir/server.log" \
        -o "-p $port -c listen_addresses=127.0.0.1 -k $dir" start >/dev/null \
        || die "could not start PostgreSQL; see $dir/server.log"
    fi
    as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='agora'" postgres | grep -q 1 \
      || as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres agora
    echo "$url"
    ;;
  stop)
    [ -n "$bin" ] || exit 0
    if [ -f "$dir/PG_VERSION" ] && as_pg "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
      as_pg "$bin/pg_ctl" -D "$dir" -w -m fast stop >/dev/null
    fi
    ;;
  url) echo "$url" ;;
  *) die "usage: scripts/dev-db.sh start|stop|url" ;;
esac
