#!/usr/bin/env bash
# pgBackRest backup of the Compose postgres service, to every repository.
#
#   deploy/scripts/pgbackrest-backup.sh [--dry-run] full|diff
#
# Runs from cron at 02:00 as the deploy user (bootstrap.sh: full on Sundays,
# diff on the other days). It creates the stanza if needed (a no-op once it
# exists), backs up to repo1 (the host volume) and, when configured, repo2
# (off-site S3), then writes node_exporter textfile metrics from
# `pgbackrest info`: agora_pgbackrest_backup_timestamp_seconds{repo,type}
# (end of the newest full and diff per repository), agora_pgbackrest_last_status
# and agora_pgbackrest_last_run_timestamp_seconds, and what guards the
# off-site copy against vanishing silently: agora_pgbackrest_repo_configured
# {repo="1"|"2"} (1 if pgBackRest has the repository, 0 if not) and
# agora_pgbackrest_offsite_disabled (1 if deploy/.env has AGORA_NO_OFFSITE=1,
# bootstrap.sh --no-offsite: no repo2 by choice). Any failure exits non-zero
# and reports status 0 (PgBackRestBackupFailed); expiry by retention runs
# after each backup (pgBackRest's own).
#
# Environment (deploy/.env's TEXTFILE_DIR applies unless set): TEXTFILE_DIR
# (/var/lib/node_exporter/textfile_collector),
# COMPOSE_FILE / COMPOSE_PROJECT_NAME / ENV_FILE as for deploy.sh, and
# PGBACKREST_EXEC: the command that runs agora-pgbackrest as the postgres
# user (default: docker compose exec -T -u postgres postgres agora-pgbackrest;
# the tests run it on the host).
set -euo pipefail

me=pgbackrest-backup
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
compose_settings 'AGORA_NO_OFFSITE'
offsite_disabled=0
[[ ${AGORA_NO_OFFSITE:-} != 1 ]] || offsite_disabled=1
read -r -a exec_cmd <<<"${PGBACKREST_EXEC:-docker compose exec -T -u postgres postgres agora-pgbackrest}"

dry_run=0
type=""
for arg in "$@"; do
    case "$arg" in
        --dry-run) dry_run=1 ;;
        full | diff) [[ -z $type ]] || { echo "pgbackrest-backup: one type only" >&2; exit 2; }; type="$arg" ;;
        -h | --help) sed -n '2,26p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "pgbackrest-backup: unknown argument: $arg (full or diff)" >&2; exit 2 ;;
    esac
done
[[ -n $type ]] || { echo "usage: pgbackrest-backup.sh [--dry-run] full|diff" >&2; exit 2; }

pgbr() {
    printf '+ %s --stanza=agora %s\n' "${exec_cmd[*]}" "$*" >&2
    [[ $dry_run -eq 1 ]] || "${exec_cmd[@]}" --stanza=agora "$@"
}

metric_file="$TEXTFILE_DIR/agora_pgbackrest.prom"
status=0
# write_metrics reads what the repositories hold now (after a failure too:
# the ages of the backups that exist are still true).
write_metrics() {
    local info="" tmp
    [[ $dry_run -eq 0 ]] || { printf '+ write %s (status %s)\n' "$metric_file" "$status" >&2; return 0; }
    local ages="" configured=""
    mkdir -p "$TEXTFILE_DIR" 2>/dev/null || { log "cannot create $TEXTFILE_DIR"; return 0; }
    if info="$(pgbr info --output=json 2>/dev/null)"; then
        ages="$(jq -r '[.[0].backup // [] | .[] | select(.type == "full" or .type == "diff")
                | {repo: .database["repo-key"], type, stop: .timestamp.stop}]
               | group_by([.repo, .type])[] | max_by(.stop)
               | "agora_pgbackrest_backup_timestamp_seconds{repo=\"\(.repo)\",type=\"\(.type)\"} \(.stop)"' <<<"$info")" || ages=""
        configured="$(jq -r '[.[0].repo // [] | .[].key] as $k | (1, 2) as $r
               | "agora_pgbackrest_repo_configured{repo=\"\($r)\"} \(if $k | any(. == $r) then 1 else 0 end)"' <<<"$info")" || configured=""
    fi
    if [[ -z $configured && -r $metric_file ]]; then
        configured="$(grep '^agora_pgbackrest_repo_configured{' "$metric_file" || true)"
    fi
    if [[ -z $ages && -r $metric_file ]]; then
        # pgBackRest cannot be asked (the container or Docker is down): the
        # last known ages stay, so that the too-old alerts keep counting
        # instead of going silent with their series.
        log "cannot read pgbackrest info; keeping the last known backup times"
        ages="$(grep '^agora_pgbackrest_backup_timestamp_seconds{' "$metric_file" || true)"
    fi
    tmp="$TEXTFILE_DIR/.agora_pgbackrest.prom.$$"
    {
        echo '# HELP agora_pgbackrest_backup_timestamp_seconds End of the newest backup of this type in this repository (Unix time).'
        echo '# TYPE agora_pgbackrest_backup_timestamp_seconds gauge'
        [[ -z $ages ]] || printf '%s\n' "$ages"
        echo '# HELP agora_pgbackrest_repo_configured 1 if pgBackRest has this repository (2 is the off-site one), 0 if not.'
        echo '# TYPE agora_pgbackrest_repo_configured gauge'
        [[ -z $configured ]] || printf '%s\n' "$configured"
        echo '# HELP agora_pgbackrest_offsite_disabled 1 if the operator chose no off-site repository (AGORA_NO_OFFSITE=1).'
        echo '# TYPE agora_pgbackrest_offsite_disabled gauge'
        echo "agora_pgbackrest_offsite_disabled $offsite_disabled"
        echo '# HELP agora_pgbackrest_last_status 1 if the last backup run succeeded on every repository, 0 if not.'
        echo '# TYPE agora_pgbackrest_last_status gauge'
        echo "agora_pgbackrest_last_status $status"
        echo '# HELP agora_pgbackrest_last_run_timestamp_seconds When the last backup run ended (Unix time).'
        echo '# TYPE agora_pgbackrest_last_run_timestamp_seconds gauge'
        echo "agora_pgbackrest_last_run_timestamp_seconds $(date +%s)"
    } >"$tmp"
    chmod 0644 "$tmp"
    mv -f "$tmp" "$metric_file"
}
trap 'write_metrics' EXIT

pgbr stanza-create
repos="1"
if [[ $dry_run -eq 0 ]]; then
    repos="$(pgbr info --output=json | jq -r '.[0].repo[].key')"
fi
for repo in $repos; do
    log "$type backup to repo$repo"
    pgbr backup --type="$type" --repo="$repo"
done
status=1
log "done"
