#!/usr/bin/env bash
# make drill: measures the RTO of a pgBackRest restore on the 1M-post data
# set (DRILL_SMALL=1: a small one). A throwaway PostgreSQL with the
# production archive settings and pgBackRest configuration (deploy/postgres,
# compose.yaml) is seeded, backed up (full), written to after the backup,
# then killed with SIGKILL and its data folder deleted. The clock runs from
# "restore starts" to "/readyz is 200 on the restored database": pgBackRest
# restore, WAL replay and promotion, Agora serving. Prints the figures
# (docs/recovery.md records them).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [ "${DRILL_SMALL:-0}" = 1 ]; then users=500 posts=20 connections=10; else users=10000 posts=100 connections=20; fi

me=drill
# shellcheck source=lib.sh
source "$root/scripts/lib.sh"
[ "$(id -u)" = 0 ] || die "run as root (the server runs as the postgres user)"
for tool in pgbackrest psql curl go; do command -v "$tool" >/dev/null || die "$tool not found: run 'make deps'"; done
find_pg_bin
make_work
pgdata="$work/data"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

go build -trimpath -ldflags '-s -w' -o "$work/agora" ./cmd/agora
mkdir -p "$work/bin" "$work/repo" "$work/lock" "$work/log"
cp deploy/postgres/pgbackrest.conf deploy/postgres/agora-pgbackrest "$work/bin/"
chown -R postgres: "$work/bin" "$work/repo" "$work/lock" "$work/log"
chown postgres: "$work"
port=$(free_port)
pgbr_env=(PATH="$work/bin:$bin:/usr/bin:/bin" PGBACKREST_CONFIG="$work/bin/pgbackrest.conf"
  PGBACKREST_CMD="$work/bin/agora-pgbackrest" PGBACKREST_REPO1_PATH="$work/repo" PGBACKREST_LOCK_PATH="$work/lock"
  PGBACKREST_LOG_PATH="$work/log" PGBACKREST_PG1_PATH="$pgdata" PGBACKREST_PG1_PORT="$port"
  PGBACKREST_PG1_SOCKET_PATH="$work" PGBACKREST_PG1_USER=postgres)
as_pg() { runuser -u postgres -- env -i HOME="$work" "${pgbr_env[@]}" "$@"; }
pgbr() { as_pg agora-pgbackrest --stanza=agora "$@"; }

# compose.yaml's settings (memory and archiving), durable as in production.
as_pg "$bin/initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --data-checksums >/dev/null
settings=$(sed -n '/^  postgres:/,/^  [a-z-]*:$/p' deploy/compose.yaml | awk '/^      - -c$/ {getline; sub(/^      - /, ""); print}')
{
  printf "port = %s\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\n" "$port" "$work"
  while IFS='=' read -r k v; do printf "%s = '%s'\n" "$k" "${v//\'/\'\'}"; done <<<"$settings"
} >>"$pgdata/postgresql.conf"
sed -i "s|^archive_command = 'agora-pgbackrest|archive_command = '$work/bin/agora-pgbackrest|" "$pgdata/postgresql.conf"
start_pg() { as_pg "$bin/pg_ctl" -D "$pgdata" -w -t 3600 -l "$work/server.log" start >/dev/null; }
start_pg
pgbr stanza-create >/dev/null
dburl="postgres://postgres@127.0.0.1:$port/agora?sslmode=disable"
psql -qAtX -d "postgres://postgres@127.0.0.1:$port/postgres" -c "CREATE DATABASE agora"
DATABASE_URL=$dburl "$work/agora" migrate up >/dev/null
say "seeding $users users x $posts posts x $connections connections"
DATABASE_URL=$dburl "$work/agora" seed --users "$users" --posts-per-user "$posts" \
  --connections-per-user "$connections" --password drillpassword --seed 1 >/dev/null
size=$(psql -qAtX -d "$dburl" -c "SELECT pg_size_pretty(pg_database_size('agora'))")
posts_n=$(psql -qAtX -d "$dburl" -c "SELECT count(*) FROM posts")
s0=$(now); pgbr backup --type=full >/dev/null; backup_s=$(since "$s0")
say "database $size ($posts_n posts), full backup ${backup_s}s"
# Written after the backup: the restore replays it from the archive.
psql -qAtX -d "$dburl" -c "UPDATE posts SET body = body || '.' WHERE id IN (SELECT id FROM posts ORDER BY id LIMIT 20000)"
pgbr check >/dev/null
repo_size=$(du -sh "$work/repo" | cut -f1)

# The disaster: SIGKILL, data folder gone.
kill -9 "$(head -n 1 "$pgdata/postmaster.pid")"
sleep 1
rm -rf "$pgdata"

say "restoring"
t0=$(now)
pgbr restore >/dev/null
restore_s=$(since "$t0")
start_pg
until [ "$(psql -qAtX -d "$dburl" -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" = f ]; do sleep 0.2; done
recovered_s=$(since "$t0")
"$work/agora" keygen -out "$work/jwt.pem" >/dev/null
hport=$(free_port)
mkdir "$work/mail"
env -i PATH="$PATH" DATABASE_URL="$dburl" HTTP_ADDR="127.0.0.1:$hport" METRICS_ADDR="127.0.0.1:$(free_port)" \
  JWT_PRIVATE_KEY_FILE="$work/jwt.pem" MAIL_DIR="$work/mail" LOG_LEVEL=warn \
  "$work/agora" serve >"$work/agora.log" 2>&1 &
agora_pid=$!
until curl -fsS -o /dev/null "http://127.0.0.1:$hport/readyz" 2>/dev/null; do
  kill -0 "$agora_pid" 2>/dev/null || { tail -5 "$work/agora.log" >&2; die "agora exited"; }
  sleep 0.1
done
rto_s=$(since "$t0")
restored=$(psql -qAtX -d "$dburl" -c "SELECT count(*) FROM posts")
[ "$restored" = "$posts_n" ] || die "restored $restored posts, want $posts_n"
printf 'data set\t%s users, %s posts (%s), repository %s\n' "$users" "$posts_n" "$size" "$repo_size"
printf 'full backup\t%s s\n' "$backup_s"
printf 'restore (files)\t%s s\n' "$restore_s"
printf 'recovered, promoted\t%s s\n' "$recovered_s"
printf 'RTO (/readyz 200)\t%s s\n' "$rto_s"
