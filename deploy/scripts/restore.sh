#!/usr/bin/env bash
# Restore an Agora backup made by backup.sh.
#
#   deploy/scripts/restore.sh [--dry-run] [--yes] [--no-safety-backup] [--target-url URL] FILE
#
# Without --target-url (production): takes a safety backup of the current
# database (backup.sh --no-prune, so that FILE is never pruned by it;
# skipped with --no-safety-backup), stops the backend,
# drops and re-creates the Compose postgres database, loads FILE into it in
# one transaction, then starts the backend again and waits until it is
# healthy. This replaces the current data, so it asks for --yes.
#
# With --target-url URL: loads FILE into that existing, empty database with
# the local psql (a scratch database to inspect a backup, or the tests).
#
# FILE is checked (gzip integrity and a complete dump) before anything is
# touched. Any SQL error stops the restore and rolls the load back.
set -euo pipefail

me=restore
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# COMPOSE_FILE (colon-separated), COMPOSE_PROJECT_NAME and ENV_FILE as for
# deploy.sh.
compose_env

dry_run=0
yes=0
safety=1
target_url=""
file=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --dry-run) dry_run=1 ;;
        --yes) yes=1 ;;
        --no-safety-backup) safety=0 ;;
        --target-url)
            [[ $# -ge 2 ]] || { echo "restore: --target-url needs a value" >&2; exit 2; }
            target_url="$2"
            shift
            ;;
        -h | --help)
            sed -n '2,17p' "${BASH_SOURCE[0]}"
            exit 0
            ;;
        -*)
            echo "restore: unknown option: $1" >&2
            exit 2
            ;;
        *)
            [[ -z $file ]] || { echo "restore: only one FILE" >&2; exit 2; }
            file="$1"
            ;;
    esac
    shift
done

[[ -n $file ]] || { echo "usage: restore.sh [--dry-run] [--yes] [--no-safety-backup] [--target-url URL] FILE" >&2; exit 2; }

# 1. Check the file before touching anything.
printf '+ gzip -t %s\n' "$file"
printf '+ gzip -dc %s | tail -n 5 | grep -F "PostgreSQL database dump complete"\n' "$file"
# A dry run of a file that is not there would print a plan that cannot run.
[[ -f $file && -r $file ]] || { echo "restore: cannot read $file" >&2; exit 1; }
if [[ $dry_run -eq 0 ]]; then
    gzip -t -- "$file"
    if ! gzip -dc -- "$file" | tail -n 5 | grep -F 'PostgreSQL database dump complete' >/dev/null; then
        echo "restore: $file is not a complete pg_dump" >&2
        exit 1
    fi
fi

psql_flags=(--no-psqlrc --quiet --set ON_ERROR_STOP=1 --single-transaction)

if [[ -n $target_url ]]; then
    printf '+ gzip -dc %s | psql --dbname=<target-url> %s\n' "$file" "${psql_flags[*]}"
    if [[ $dry_run -eq 0 ]]; then
        log "loading $file"
        gzip -dc -- "$file" | psql --dbname="$target_url" "${psql_flags[@]}" >/dev/null
        log "done"
    fi
    exit 0
fi

if [[ $yes -ne 1 && $dry_run -eq 0 ]]; then
    echo "restore: this replaces the production database; run again with --yes" >&2
    exit 2
fi

# 2. Production: nothing may write while the database is replaced.
# shellcheck disable=SC2016 # expanded by the shell inside the container
drop_create='dropdb --username="$POSTGRES_USER" --if-exists --force "$POSTGRES_DB" && createdb --username="$POSTGRES_USER" "$POSTGRES_DB"'
# shellcheck disable=SC2016
load='psql --username="$POSTGRES_USER" --dbname="$POSTGRES_DB" --no-psqlrc --quiet --set ON_ERROR_STOP=1 --single-transaction'

# FILE stays open from here on: whatever removes or replaces its name
# later (a prune, the cron job) cannot take it from under the load.
if [[ $dry_run -eq 0 ]]; then
    exec 3<"$file"
fi

# 2a. What is there now stays recoverable: a backup of it first. It prunes
# nothing: FILE may be older than the retention.
if [[ $safety -eq 1 ]]; then
    run "$script_dir/backup.sh" --no-prune || { echo "restore: the safety backup of the current database failed; nothing changed (--no-safety-backup skips it)" >&2; exit 1; }
fi
compose stop backend
compose exec -T postgres sh -c "$drop_create"
printf "+ gzip -dc %s | docker compose exec -T postgres sh -c '%s'\n" "$file" "$load"
if [[ $dry_run -eq 0 ]]; then
    log "loading $file"
    gzip -dc <&3 | docker compose exec -T postgres sh -c "$load" >/dev/null
fi
# The migrate service brings the schema up to this release if the backup is
# older (as the owner), the roles get their grants back (the dump has none),
# then the backend starts.
log "loaded $file"
compose run --rm migrate || { echo "restore: the data is restored, but the migrations failed" >&2; exit 1; }
compose exec -T postgres agora-roles || { echo "restore: the data is restored, but agora-roles failed (the backend cannot read it)" >&2; exit 1; }
compose up -d --wait backend || { echo "restore: the data is restored, but the backend did not become healthy: see 'docker compose logs backend'" >&2; exit 1; }
# The backend container may come back on another address: Nginx resolves
# `backend` again.
compose exec -T nginx sh /etc/nginx/agora/set-upstream.sh backend ||
    log "warning: could not point Nginx at the backend again (is nginx running?)"
log "restored $file; the backend is healthy"
