#!/usr/bin/env bash
# Agora database backup: pg_dump -> gzip -> backup_YYYYMMDD_HHMMSS.sql.gz.
#
#   deploy/scripts/backup.sh [--dry-run] [--prune-only | --no-prune]
#
# --no-prune writes a backup and deletes nothing (restore.sh's safety
# backup: the file being restored may be older than the retention).
#
# Runs from cron at 02:30 as the deploy user (bootstrap.sh installs the job).
# On any failure it exits non-zero, leaves no partial file behind, keeps the
# older backups, and records the failure in the node_exporter textfile metric
# so the "backup failed / too old" alerts fire.
#
# Environment (all optional):
#   BACKUP_DIR              where backups go (/home/deploy/backups)
#   BACKUP_RETENTION_DAYS   calendar days kept, today included (7)
#   BACKUP_KEEP_MIN         the newest this many backups are kept whatever
#                           their age (3): days without a good dump (a
#                           failing job, a stopped server) never empty the
#                           folder or the remote
#   BACKUP_DATABASE_URL     dump this libpq URL with the local pg_dump instead
#                           of running pg_dump inside the Compose postgres
#                           container (used by the tests)
#   BACKUP_RCLONE_REMOTE    off-site copy, e.g. "b2:agora-backups" or
#                           "s3:my-bucket/agora"; rclone reads its remote's
#                           settings from RCLONE_CONFIG_<NAME>_* variables or
#                           from ~/.config/rclone/rclone.conf
#   TEXTFILE_DIR            node_exporter textfile collector folder
#                           (/var/lib/node_exporter/textfile_collector)
#   COMPOSE_FILE            the stack's compose files, colon-separated
#                           (deploy/compose.yaml); COMPOSE_PROJECT_NAME too
#   BACKUP_NOW              UTC time stamp YYYYMMDD_HHMMSS to use instead of
#                           the clock (tests)
#   ENV_FILE                deploy/.env; its BACKUP_*, RCLONE_* and
#                           TEXTFILE_DIR lines apply unless already set in
#                           the environment (cron passes nothing else)
set -euo pipefail

me=backup
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# Compose reads the same env file for the stack's variables; of it, only the
# backup's own settings, read as the other backup scripts read them (the
# file is not run as shell code).
compose_settings 'BACKUP_[A-Z0-9_]+|RCLONE_[A-Z0-9_]+'

BACKUP_DIR="${BACKUP_DIR:-/home/deploy/backups}"
BACKUP_RETENTION_DAYS="${BACKUP_RETENTION_DAYS:-7}"
BACKUP_KEEP_MIN="${BACKUP_KEEP_MIN:-3}"
BACKUP_DATABASE_URL="${BACKUP_DATABASE_URL:-}"
BACKUP_RCLONE_REMOTE="${BACKUP_RCLONE_REMOTE:-}"

prune_only=0
no_prune=0
switches 'prune-only no-prune' "$@"

if [[ $prune_only -eq 1 && $no_prune -eq 1 ]]; then
    echo "backup: --prune-only and --no-prune exclude each other" >&2
    exit 2
fi

if ! [[ $BACKUP_RETENTION_DAYS =~ ^[1-9][0-9]*$ ]]; then
    echo "backup: BACKUP_RETENTION_DAYS must be a positive integer" >&2
    exit 2
fi
if ! [[ $BACKUP_KEEP_MIN =~ ^[0-9]+$ ]]; then
    echo "backup: BACKUP_KEEP_MIN must be a number (0 or more)" >&2
    exit 2
fi

if [[ -n ${BACKUP_NOW:-} ]]; then
    if ! [[ $BACKUP_NOW =~ ^[0-9]{8}_[0-9]{6}$ ]]; then
        echo "backup: BACKUP_NOW must look like YYYYMMDD_HHMMSS" >&2
        exit 2
    fi
    stamp="$BACKUP_NOW"
else
    stamp="$(date -u +%Y%m%d_%H%M%S)"
fi
today="${stamp%%_*}"
now_epoch="$(date -u +%s)"

final="$BACKUP_DIR/backup_${stamp}.sql.gz"
# Never replace a backup: two runs within one second (restore.sh's safety
# backup right after a scheduled one) would otherwise overwrite the first
# with newer data. Take the next free second instead.
if [[ $prune_only -eq 1 ]]; then
    : # nothing is written
elif [[ -z ${BACKUP_NOW:-} ]]; then
    while [[ -e $final ]]; do
        sleep 1
        stamp="$(date -u +%Y%m%d_%H%M%S)"
        final="$BACKUP_DIR/backup_${stamp}.sql.gz"
    done
elif [[ -e $final ]]; then
    echo "backup: $final exists; a backup is never replaced" >&2
    exit 1
fi
today="${stamp%%_*}"
partial="$BACKUP_DIR/.backup_${stamp}.sql.gz.partial"
metric_file="$TEXTFILE_DIR/agora_backup.prom"

# previous_metric NAME prints NAME's value from the last metric file, or 0.
previous_metric() {
    local value=""
    if [[ -r $metric_file ]]; then
        value="$(awk -v n="$1" '$1 == n { print $2 }' "$metric_file" | tail -n 1)"
    fi
    printf '%s\n' "${value:-0}"
}

# write_metrics STATUS SUCCESS_TIME SIZE writes the textfile atomically.
write_metrics() {
    local status="$1" success="$2" size="$3" tmp
    if [[ $dry_run -eq 1 ]]; then
        printf '+ write %s (status %s)\n' "$metric_file" "$status"
        return 0
    fi
    if ! mkdir -p "$TEXTFILE_DIR" 2>/dev/null; then
        log "cannot create $TEXTFILE_DIR; metric not written"
        return 0
    fi
    tmp="$TEXTFILE_DIR/.agora_backup.prom.$$"
    {
        echo '# HELP agora_backup_last_run_timestamp_seconds When the last backup run ended (Unix time).'
        echo '# TYPE agora_backup_last_run_timestamp_seconds gauge'
        echo "agora_backup_last_run_timestamp_seconds $now_epoch"
        echo '# HELP agora_backup_last_success_timestamp_seconds When the last good backup was written (Unix time, 0 if never).'
        echo '# TYPE agora_backup_last_success_timestamp_seconds gauge'
        echo "agora_backup_last_success_timestamp_seconds $success"
        echo '# HELP agora_backup_last_size_bytes Size of the last good backup file.'
        echo '# TYPE agora_backup_last_size_bytes gauge'
        echo "agora_backup_last_size_bytes $size"
        echo '# HELP agora_backup_last_status 1 if the last backup run succeeded, 0 if it failed.'
        echo '# TYPE agora_backup_last_status gauge'
        echo "agora_backup_last_status $status"
    } >"$tmp" 2>/dev/null || true
    chmod 0644 "$tmp" 2>/dev/null || true  # node_exporter reads it as nobody
    if ! mv -f "$tmp" "$metric_file" 2>/dev/null; then
        rm -f "$tmp"
        log "cannot write $metric_file"
    fi
}

# expired prints, of the backup file names given (one a line on stdin),
# those older than BACKUP_RETENTION_DAYS calendar days (today included, by
# the date in the name, not the mtime) and not among the newest
# BACKUP_KEEP_MIN. Other names are never printed.
expired() {
    local cutoff name
    cutoff="$(date -u -d "${today} -$((BACKUP_RETENTION_DAYS - 1)) days" +%Y%m%d)"
    grep -E '^backup_[0-9]{8}_[0-9]{6}\.sql\.gz$' | sort -r | tail -n +"$((BACKUP_KEEP_MIN + 1))" |
        while IFS= read -r name; do
            [[ ${name:7:8} < "$cutoff" ]] && printf '%s\n' "$name"
        done || true
}

prune() {
    local name names
    names="$({ find "$BACKUP_DIR" -maxdepth 1 -type f -name 'backup_*.sql.gz' -printf '%f\n' 2>/dev/null || true; } | expired)"
    for name in $names; do
        run rm -f -- "$BACKUP_DIR/$name"
    done
    if [[ -n $BACKUP_RCLONE_REMOTE ]]; then
        printf '+ rclone lsf --files-only --include backup_*.sql.gz %s\n' "$BACKUP_RCLONE_REMOTE"
        [[ $dry_run -eq 0 ]] || return 0
        names="$(rclone lsf --files-only --include 'backup_*.sql.gz' "$BACKUP_RCLONE_REMOTE" | expired)"
        for name in $names; do
            run rclone deletefile "${BACKUP_RCLONE_REMOTE%/}/$name"
        done
    fi
}

if [[ $prune_only -eq 1 ]]; then
    prune
    exit 0
fi

# The dump command: the local pg_dump against a URL, or pg_dump inside the
# postgres container (same major version as the server).
dump_cmd=()
if [[ -n $BACKUP_DATABASE_URL ]]; then
    dump_cmd=(pg_dump --dbname="$BACKUP_DATABASE_URL" --no-owner --no-privileges)
else
    # shellcheck disable=SC2016 # expanded by the shell inside the container
    dump_cmd=(docker compose exec -T postgres
        sh -c 'pg_dump --username="$POSTGRES_USER" --dbname="$POSTGRES_DB" --no-owner --no-privileges')
fi

succeeded=0
cleanup() {
    local rc=$?
    if [[ $succeeded -ne 1 ]]; then
        rm -f -- "$partial"
        if [[ $dry_run -eq 0 ]]; then
            log "FAILED (exit $rc); no file written, older backups kept"
        fi
        write_metrics 0 "$(previous_metric agora_backup_last_success_timestamp_seconds)" \
            "$(previous_metric agora_backup_last_size_bytes)"
        [[ $rc -ne 0 ]] || rc=1
        exit "$rc"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

run mkdir -p "$BACKUP_DIR"
run chmod 0700 "$BACKUP_DIR"

printf '+ %s | gzip -c > %s\n' "${dump_cmd[*]}" "$partial"
if [[ $dry_run -eq 0 ]]; then
    umask 077
    log "dumping to $final"
    "${dump_cmd[@]}" | gzip -c >"$partial"
fi

# A complete plain-format dump ends with this line; a cut-off one does not.
printf '+ gzip -dc %s | tail -n 5 | grep -F "PostgreSQL database dump complete"\n' "$partial"
if [[ $dry_run -eq 0 ]]; then
    if ! gzip -dc -- "$partial" | tail -n 5 | grep -F 'PostgreSQL database dump complete' >/dev/null; then
        log "the dump is incomplete"
        exit 1
    fi
fi

run sync -- "$partial"
run mv -f -- "$partial" "$final"

size=0
if [[ $dry_run -eq 0 ]]; then
    size="$(stat -c %s -- "$final")"
    log "wrote $final ($size bytes)"
fi

if [[ -n $BACKUP_RCLONE_REMOTE ]]; then
    # A failed upload fails the run (and the metric) but keeps the good local
    # file: it is complete, and the next run uploads again.
    run rclone copy --retries 3 -- "$final" "$BACKUP_RCLONE_REMOTE"
fi

if [[ $no_prune -eq 0 ]]; then
    prune
fi

succeeded=1
write_metrics 1 "$now_epoch" "$size"
