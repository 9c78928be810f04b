#!/usr/bin/env bash
# `make run`: uses DATABASE_URL when set; otherwise starts a local PostgreSQL
# under .data/pg. Then migrates and serves on HTTP_ADDR (default :8000).
# Ctrl-C stops the server and the database this script started.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/bin/agora"
[ -x "$bin" ] || { echo "run: $bin is missing; run 'make build' first" >&2; exit 1; }

started_db=""
cleanup() {
  if [ -n "$started_db" ]; then "$root/scripts/dev-db.sh" stop || true; fi
}
trap cleanup EXIT

if [ -z "${DATABASE_URL:-}" ]; then
  started_db=1 # before start: a start that fails half-way is still stopped
  DATABASE_URL=$("$root/scripts/dev-db.sh" start)
  export DATABASE_URL
  echo "run: local PostgreSQL at $DATABASE_URL (data in .data/pg)" >&2
fi
export MAIL_DIR="${MAIL_DIR:-$root/.data/mail}"
"$bin" migrate up
# Not exec: the trap must stop the database once the server exits.
"$bin" serve &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null || true' INT TERM
wait "$pid" || true
wait "$pid" 2>/dev/null || true
