# shellcheck shell=bash
# Sourced by bench.sh and drill.sh (make bench, make drill), which both run
# a throwaway PostgreSQL cluster and Agora in a work folder: their messages,
# the server binaries, the work folder and what is stopped and removed at
# exit. The caller sets `me` (its name in messages) before sourcing, and
# pgdata (the cluster's folder) and as_pg (how it runs PostgreSQL's tools)
# before the cluster starts.
: "${me:?the sourcing script sets me}"

say() { printf '\033[1m%s:\033[0m %s\n' "$me" "$*" >&2; }
die() { say "$*"; exit 1; }
now() { date +%s%N; }
# since T0: seconds from T0 (a now) to now, one decimal.
since() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.1f", (b - a) / 1e9}'; }

# find_pg_bin sets bin to the newest PostgreSQL server binaries (Debian's
# /usr/lib/postgresql/N/bin).
find_pg_bin() {
  bin=""
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && bin=$d; done
  [ -n "$bin" ] || die "PostgreSQL server binaries not found: apt-get install -y postgresql"
}

# make_work sets work to a new folder under /tmp that the postgres user can
# pass through (mode 711), removed at exit after Agora ($agora_pid) and the
# cluster in $pgdata are stopped; keep_work=1 keeps it.
make_work() {
  work=$(mktemp -d "/tmp/agora-$me.XXXXXX")
  chmod 711 "$work"
  agora_pid=""
  trap cleanup EXIT
}

cleanup() {
  if [ -n "$agora_pid" ]; then { kill "$agora_pid" 2>/dev/null && wait "$agora_pid" 2>/dev/null; } || true; fi
  if [ -f "${pgdata:-}/postmaster.pid" ]; then as_pg "$bin/pg_ctl" -D "$pgdata" -m immediate -w stop >/dev/null 2>&1 || true; fi
  if [ "${keep_work:-0}" = 1 ]; then say "kept $work"; else rm -rf "$work"; fi
}
