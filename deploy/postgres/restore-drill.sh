#!/bin/sh
# The restore drill: restore the latest backup into a scratch cluster, prove
# it usable, record the result for Prometheus, remove the scratch cluster.
#
#   restore-drill.sh
#
# Runs as the postgres user where PostgreSQL's binaries and pgBackRest are
# (the postgres image; deploy/scripts/restore-drill.sh starts it there every
# week). Steps:
#   1. agora-pgbackrest restore of the newest backup plus every archived WAL
#      (recovery to the end of the archive, then promotion) into DRILL_DIR,
#   2. the scratch server on DRILL_PORT, unix socket only, archiving off,
#   3. DRILL_MIGRATE_CMD with DATABASE_URL pointing at it (agora migrate
#      status: the schema is readable and at a known version),
#   4. a row count and a checksum of every row of every table (every heap
#      page is read; a table that cannot be read fails the drill); one line
#      "schema.table rows checksum" per table in DRILL_REPORT,
#   5. metrics in TEXTFILE_DIR/agora_restore.prom, written atomically:
#      agora_restore_verified_timestamp_seconds (end of the last good drill,
#      kept when a drill fails), agora_restore_duration_seconds (restore start
#      to probes done, of the last good drill), agora_restore_last_status,
#      agora_restore_last_run_timestamp_seconds.
#
# Environment: DRILL_DIR (/var/lib/postgresql/drill, emptied first and
# removed at the end), DRILL_PORT (5433), DRILL_USER ($POSTGRES_USER or
# postgres), DRILL_DATABASE ($POSTGRES_DB or agora), DRILL_REPO (a repository
# index, e.g. 2 for the off-site one; default: the first that has a backup),
# DRILL_MIGRATE_CMD (required), DRILL_REPORT, TEXTFILE_DIR, DRILL_TIMEOUT
# (seconds to wait for recovery, 3600), PG_BIN (folder of pg_ctl).
set -eu

DRILL_DIR="${DRILL_DIR:-/var/lib/postgresql/drill}"
DRILL_PORT="${DRILL_PORT:-5433}"
DRILL_USER="${DRILL_USER:-${POSTGRES_USER:-postgres}}"
DRILL_DATABASE="${DRILL_DATABASE:-${POSTGRES_DB:-agora}}"
DRILL_REPO="${DRILL_REPO:-}"
DRILL_MIGRATE_CMD="${DRILL_MIGRATE_CMD:-}"
DRILL_REPORT="${DRILL_REPORT:-}"
DRILL_TIMEOUT="${DRILL_TIMEOUT:-3600}"
TEXTFILE_DIR="${TEXTFILE_DIR:-}"
if [ -z "${PG_BIN:-}" ]; then
    PG_BIN="$(dirname "$(command -v pg_ctl)")"
fi

log() { printf '%s restore-drill: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
fail() { log "FAILED: $*"; exit 1; }

case "$DRILL_PORT" in '' | *[!0-9]*) fail "DRILL_PORT must be a port number" ;; esac
case "$DRILL_TIMEOUT" in '' | *[!0-9]*) fail "DRILL_TIMEOUT must be a number of seconds" ;; esac
case "$DRILL_REPO" in *[!0-9]*) fail "DRILL_REPO must be a repository index" ;; esac
[ -n "$DRILL_MIGRATE_CMD" ] || fail "DRILL_MIGRATE_CMD is not set (e.g. 'agora migrate status')"
case "$DRILL_DIR" in /*/*) ;; *) fail "DRILL_DIR must be an absolute path below a folder" ;; esac

data="$DRILL_DIR/data"
metric_file="$TEXTFILE_DIR/agora_restore.prom"
started="$(date +%s)"
status=0

# previous NAME prints NAME's value from the last metric file, or 0.
previous() {
    v=""
    if [ -n "$TEXTFILE_DIR" ] && [ -r "$metric_file" ]; then
        v="$(awk -v n="$1" '$1 == n { print $2 }' "$metric_file" | tail -n 1)"
    fi
    echo "${v:-0}"
}

write_metrics() {
    [ -n "$TEXTFILE_DIR" ] || return 0
    now="$(date +%s)"
    if [ "$status" -eq 1 ]; then
        verified="$now"
        duration="$((now - started))"
    else
        verified="$(previous agora_restore_verified_timestamp_seconds)"
        duration="$(previous agora_restore_duration_seconds)"
    fi
    tmp="$TEXTFILE_DIR/.agora_restore.prom.$$"
    cat >"$tmp" <<METRICS
# HELP agora_restore_verified_timestamp_seconds When the last restore drill that passed ended (Unix time, 0 if never).
# TYPE agora_restore_verified_timestamp_seconds gauge
agora_restore_verified_timestamp_seconds $verified
# HELP agora_restore_duration_seconds Restore start to probes done, of the last restore drill that passed.
# TYPE agora_restore_duration_seconds gauge
agora_restore_duration_seconds $duration
# HELP agora_restore_last_status 1 if the last restore drill passed, 0 if it failed.
# TYPE agora_restore_last_status gauge
agora_restore_last_status $status
# HELP agora_restore_last_run_timestamp_seconds When the last restore drill ended (Unix time).
# TYPE agora_restore_last_run_timestamp_seconds gauge
agora_restore_last_run_timestamp_seconds $now
METRICS
    chmod 0644 "$tmp"
    mv -f "$tmp" "$metric_file"
}

stop_scratch() {
    if [ -f "$data/postmaster.pid" ]; then
        "$PG_BIN/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
}

finish() {
    rc=$?
    stop_scratch
    rm -rf "$DRILL_DIR"
    [ "$rc" -eq 0 ] || status=0
    write_metrics || log "could not write $metric_file"
    if [ "$status" -eq 1 ]; then
        log "passed in $(($(date +%s) - started)) s"
    fi
    exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT TERM

rm -rf "$DRILL_DIR"
mkdir -p "$data"
chmod 0700 "$DRILL_DIR" "$data"

# 1. Restore: the newest backup, then WAL to the end of the archive.
log "restoring the latest backup into $data${DRILL_REPO:+ from repo$DRILL_REPO}"
set -- --stanza=agora --pg1-path="$data" --archive-mode=off --log-level-console=warn
[ -z "$DRILL_REPO" ] || set -- "$@" --repo="$DRILL_REPO"
agora-pgbackrest "$@" restore || fail "pgbackrest restore failed"

# 2. The scratch server: its own port and socket, nothing archived, no
# network, small memory (the live database runs beside it).
"$PG_BIN/pg_ctl" -D "$data" -w -t 60 -l "$DRILL_DIR/server.log" \
    -o "-c port=$DRILL_PORT -c listen_addresses= -c unix_socket_directories=$DRILL_DIR -c archive_mode=off -c shared_buffers=64MB" \
    start >/dev/null || { tail -n 20 "$DRILL_DIR/server.log" >&2; fail "the scratch server did not start"; }

psql_scratch() {
    psql --no-psqlrc -X -At -v ON_ERROR_STOP=1 -h "$DRILL_DIR" -p "$DRILL_PORT" -U "$DRILL_USER" -d "$DRILL_DATABASE" "$@"
}
waited=0
until [ "$(psql_scratch -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" = f ]; do
    [ "$waited" -lt "$DRILL_TIMEOUT" ] || { tail -n 20 "$DRILL_DIR/server.log" >&2; fail "recovery did not finish in $DRILL_TIMEOUT s"; }
    sleep 1
    waited=$((waited + 1))
done
log "recovered and promoted after $(($(date +%s) - started)) s"

# 3. The application's view of the schema.
DATABASE_URL="postgres:///$DRILL_DATABASE?host=$DRILL_DIR&port=$DRILL_PORT&user=$DRILL_USER&sslmode=disable"
export DATABASE_URL
log "running: $DRILL_MIGRATE_CMD"
sh -c "$DRILL_MIGRATE_CMD" >&2 || fail "'$DRILL_MIGRATE_CMD' failed on the restored database"

# 4. Row counts and checksums: every row of every table is read.
tables="$(psql_scratch -c "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables
    WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1")" || fail "cannot list the tables"
[ -n "$tables" ] || fail "the restored database has no tables"
report="$DRILL_DIR/report"
: >"$report"
for table in $tables; do
    line="$(psql_scratch -c "SELECT count(*) || ' ' || coalesce(sum(hashtextextended(r::text, 0)), 0) FROM $table r")" ||
        fail "cannot read $table"
    echo "$table $line" >>"$report"
done
log "probed $(wc -l <"$report") tables"
if [ -n "$DRILL_REPORT" ]; then
    cp "$report" "$DRILL_REPORT"
fi
status=1
