#!/usr/bin/env bash
# The weekly restore drill of the Compose stack (agora-restore-drill.timer).
#
#   deploy/scripts/restore-drill.sh [--dry-run] [--repo N]
#
# Runs the postgres image once more, beside the live database, as the
# postgres user with the service's settings (repositories, off-site
# variables) and deploy/postgres/restore-drill.sh as the command: the latest
# backup and all archived WAL are restored into a scratch cluster inside that
# throwaway container, `agora migrate status` (the binary of the release
# that runs now, copied out of its image) and row-count/checksum probes run
# on it, and agora_restore.prom goes to the textfile collector. The live
# database is not touched; the container and its scratch data are removed.
# --repo 2 restores from the off-site repository alone.
#
# Environment (deploy/.env's TEXTFILE_DIR applies unless set): TEXTFILE_DIR
# (/var/lib/node_exporter/textfile_collector),
# COMPOSE_FILE / COMPOSE_PROJECT_NAME / ENV_FILE as for deploy.sh.
set -euo pipefail

me=restore-drill
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
compose_settings ""

dry_run=0
repo=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --dry-run) dry_run=1 ;;
        --repo)
            [[ $# -ge 2 && $2 =~ ^[1-9]$ ]] || { echo "restore-drill: --repo needs a repository number" >&2; exit 2; }
            repo="$2"
            shift
            ;;
        -h | --help) sed -n '2,18p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "restore-drill: unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done

work="$(mktemp -d)"
cid=""
cleanup() {
    [[ -z $cid ]] || docker rm -f "$cid" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
# The container's postgres user (whose uid the image decides) writes into
# out, so out is open to all; but $work stays 0700 (mktemp's mode), so no
# other local user can reach out to plant a file there. The bind mounts
# need no search right on $work: the daemon resolves them as root.
mkdir -p "$work/bin" "$work/out"
chmod 0700 "$work"
chmod 0755 "$work/bin"
chmod 0777 "$work/out"
if [[ -r $TEXTFILE_DIR/agora_restore.prom ]]; then
    cp "$TEXTFILE_DIR/agora_restore.prom" "$work/out/"
fi

# The agora binary of the release that runs now.
image="backend-image"
if [[ $dry_run -eq 0 ]]; then
    image="$(docker compose config --format json | jq -r '.services.backend.image')"
    cid="$(docker create "$image")"
fi
run docker cp "${cid:-CONTAINER}:/agora" "$work/bin/agora"
[[ $dry_run -eq 1 ]] || { docker rm -f "$cid" >/dev/null; cid=""; }
log "drill with $image"

rc=0
run docker compose run --rm --no-deps -T --user postgres \
    --volume "$work/bin:/drill-bin:ro" --volume "$work/out:/drill-out" \
    --env "DRILL_MIGRATE_CMD=/drill-bin/agora migrate status" \
    --env TEXTFILE_DIR=/drill-out --env "DRILL_REPO=$repo" \
    --entrypoint restore-drill.sh postgres || rc=$?

if [[ $dry_run -eq 0 ]]; then
    result="$work/out/agora_restore.prom"
    if [[ -L $result || ( -e $result && ! -f $result ) ]]; then
        log "the drill's metric file is not a regular file; not installed"
        rc=1
    elif [[ -s $result ]] && grep -Evq '^(# (HELP|TYPE) agora_restore_[a-z_]+ .*|agora_restore_[a-z_]+ [0-9]+)$' "$result"; then
        log "the drill's metric file has lines the drill does not write; not installed"
        rc=1
    elif [[ -s $result ]]; then
        mkdir -p "$TEXTFILE_DIR"
        install -m 0644 "$result" "$TEXTFILE_DIR/.agora_restore.prom.$$"
        mv -f "$TEXTFILE_DIR/.agora_restore.prom.$$" "$TEXTFILE_DIR/agora_restore.prom"
    else
        log "the drill wrote no metrics"
    fi
fi
[[ $rc -eq 0 ]] || { log "FAILED (exit $rc)"; exit "$rc"; }
log "passed"
