#!/usr/bin/env bash
# The host's secrets, encrypted and off-site: deploy/.env and deploy/secrets
# (JWT signing key, Alertmanager secrets) in one tar, encrypted with age to
# SECRETS_AGE_RECIPIENT (a public key: this server can write the archive but
# not read it; the private key stays with the operator), kept in BACKUP_DIR
# for 7 days and copied beside the off-site database backups.
#
#   deploy/scripts/secrets-archive.sh [--dry-run]
#
# Runs from cron every night (bootstrap.sh). The copy goes with rclone to
# the bucket of pgBackRest's repo2, under <PGBACKREST_REPO2_PATH>-secrets/
# (e.g. /agora-secrets/secrets_20260115_024500.tar.age), with the same
# credentials. Without PGBACKREST_REPO2_TYPE it fails (the archive is kept
# here) unless AGORA_NO_OFFSITE=1 (bootstrap.sh --no-offsite) says the
# operator chose to keep everything on this server. Restoring it is step 2
# of README.md's "The VPS is gone".
#
# Metrics (TEXTFILE_DIR/agora_secrets_archive.prom, for the alerts
# SecretsArchiveTooOld and SecretsArchiveFailed):
# agora_secrets_archive_last_success_timestamp_seconds (kept when a run
# fails), agora_secrets_archive_last_status (1 or 0).
#
# Environment (deploy/.env's values apply unless set): SECRETS_AGE_RECIPIENT,
# PGBACKREST_REPO2_* (the off-site store), AGORA_NO_OFFSITE, BACKUP_DIR
# (/home/deploy/backups), TEXTFILE_DIR
# (/var/lib/node_exporter/textfile_collector), SECRETS_SOURCE_DIR (the
# deploy folder), ENV_FILE (deploy/.env); SSL_CERT_FILE names another CA
# bundle for the store's certificate (tests).
set -euo pipefail

me=secrets-archive
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SECRETS_SOURCE_DIR="${SECRETS_SOURCE_DIR:-$deploy_dir}"
ENV_FILE="${ENV_FILE:-$SECRETS_SOURCE_DIR/.env}"

switches "" "$@"

read_settings 'SECRETS_AGE_RECIPIENT|PGBACKREST_REPO2_[A-Z0-9_]+|BACKUP_DIR|AGORA_NO_OFFSITE'
BACKUP_DIR="${BACKUP_DIR:-/home/deploy/backups}"
recipient="${SECRETS_AGE_RECIPIENT:-}"

metric_file="$TEXTFILE_DIR/agora_secrets_archive.prom"
# write_metrics runs at exit: status 1 only when the script got to its end.
write_metrics() {
    local rc=$? status=0 last now tmp
    now="$(date +%s)"
    [[ $rc -ne 0 || -z ${finished:-} ]] || status=1
    if [[ $dry_run -eq 1 ]]; then
        printf '+ write %s (status %s)\n' "$metric_file" "$status" >&2
        return 0
    fi
    if [[ $status -eq 1 ]]; then
        last="$now"
    else
        last="$(awk '$1 == "agora_secrets_archive_last_success_timestamp_seconds" { v = $2 } END { print v + 0 }' "$metric_file" 2>/dev/null || echo 0)"
    fi
    mkdir -p "$TEXTFILE_DIR" 2>/dev/null || { log "cannot create $TEXTFILE_DIR"; return 0; }
    tmp="$TEXTFILE_DIR/.agora_secrets_archive.prom.$$"
    cat >"$tmp" <<METRICS || { log "cannot write $metric_file"; return 0; }
# HELP agora_secrets_archive_last_success_timestamp_seconds When the secrets archive was last written and copied off-site (Unix time, 0 if never).
# TYPE agora_secrets_archive_last_success_timestamp_seconds gauge
agora_secrets_archive_last_success_timestamp_seconds ${last:-0}
# HELP agora_secrets_archive_last_status 1 if the last secrets archive run succeeded, 0 if it failed.
# TYPE agora_secrets_archive_last_status gauge
agora_secrets_archive_last_status $status
METRICS
    chmod 0644 "$tmp"
    mv -f "$tmp" "$metric_file"
}
finished=""
trap write_metrics EXIT

[[ $recipient =~ ^age1[0-9a-z]{58}$ ]] || die "SECRETS_AGE_RECIPIENT is not an age public key (age1...): set it in deploy/.env"
[[ -r $SECRETS_SOURCE_DIR/.env ]] || die "no $SECRETS_SOURCE_DIR/.env to archive"
members=(.env)
[[ ! -d $SECRETS_SOURCE_DIR/secrets ]] || members+=(secrets)

name="secrets_$(date -u +%Y%m%d_%H%M%S).tar.age"
final="$BACKUP_DIR/$name"
if [[ $dry_run -eq 1 ]]; then
    printf '+ tar -c -C %s %s | age -r %s > %s\n' "$SECRETS_SOURCE_DIR" "${members[*]}" "$recipient" "$final"
else
    mkdir -p "$BACKUP_DIR"
    umask 077
    partial="$BACKUP_DIR/.$name.partial"
    trap 'rm -f "$partial"; write_metrics' EXIT
    tar -c -C "$SECRETS_SOURCE_DIR" "${members[@]}" | age -r "$recipient" >"$partial"
    mv -f "$partial" "$final"
    trap write_metrics EXIT
    log "wrote $final ($(stat -c %s "$final") bytes)"
fi

if [[ -n ${PGBACKREST_REPO2_TYPE:-} ]]; then
    # rclone's S3 remote from the same settings pgBackRest uses.
    export RCLONE_CONFIG_OFFSITE_TYPE=s3 RCLONE_CONFIG_OFFSITE_PROVIDER=Other
    export RCLONE_CONFIG_OFFSITE_ENDPOINT="https://${PGBACKREST_REPO2_S3_ENDPOINT:-}${PGBACKREST_REPO2_STORAGE_PORT:+:$PGBACKREST_REPO2_STORAGE_PORT}"
    export RCLONE_CONFIG_OFFSITE_REGION="${PGBACKREST_REPO2_S3_REGION:-}"
    export RCLONE_CONFIG_OFFSITE_ACCESS_KEY_ID="${PGBACKREST_REPO2_S3_KEY:-}"
    export RCLONE_CONFIG_OFFSITE_SECRET_ACCESS_KEY="${PGBACKREST_REPO2_S3_KEY_SECRET:-}"
    export RCLONE_CONFIG_OFFSITE_FORCE_PATH_STYLE=true
    [[ ${PGBACKREST_REPO2_S3_URI_STYLE:-path} == path ]] || RCLONE_CONFIG_OFFSITE_FORCE_PATH_STYLE=false
    remote="offsite:${PGBACKREST_REPO2_S3_BUCKET:-}${PGBACKREST_REPO2_PATH:-/agora}-secrets"
    printf '+ rclone copy %s %s\n' "$final" "$remote"
    if [[ $dry_run -eq 0 ]]; then
        # Debian's rclone (1.60) cannot use AWS_CA_BUNDLE for S3 (it fails
        # with "unsupported transport"); SSL_CERT_FILE serves the same end.
        env -u AWS_CA_BUNDLE rclone copy --retries 3 -- "$final" "$remote" || die "upload to $remote failed; the local copy $final is kept"
        log "copied to $remote"
    fi
elif [[ ${AGORA_NO_OFFSITE:-} == 1 ]]; then
    log "WARNING: AGORA_NO_OFFSITE=1: the archive stays on this server only"
else
    offsite_missing=1
fi

# Seven days of archives here; the store keeps what its lifecycle rules keep.
if [[ $dry_run -eq 0 ]]; then
    find "$BACKUP_DIR" -maxdepth 1 -name 'secrets_*.tar.age' -mtime +6 -delete
fi
[[ -z ${offsite_missing:-} ]] ||
    die "no off-site store (PGBACKREST_REPO2_TYPE is empty): $final stays on this server only; set the PGBACKREST_REPO2_* values, or AGORA_NO_OFFSITE=1 to accept that (bootstrap.sh --no-offsite)"
finished=1
