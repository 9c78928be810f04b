#!/usr/bin/env bash
# Deploy (or re-deploy) Agora on this host with Docker Compose.
#
#   deploy/scripts/deploy.sh [--dry-run] [--pull --tag TAG | --tag TAG] [--no-backup]
#
#   1. build the image agora:<git commit> from this checkout (or, with --pull,
#      pull ${AGORA_IMAGE}:TAG from a registry),
#   2. back up the database (if it is running),
#   3. start PostgreSQL and run `agora migrate up` (the migrate service),
#   4. start the whole stack on the new image,
#   5. wait until the backend's health check passes and /healthz answers
#      through Nginx,
#   6. on success record the tag in deploy/.env (AGORA_TAG); on failure start
#      the previous tag's backend again and exit non-zero.
#
# Migrations are never rolled back automatically: they must stay compatible
# with the previous release (expand first, contract a release later). The
# pre-deploy backup is there for the rare case that cannot hold.
#
# Environment: COMPOSE_FILE, ENV_FILE (deploy/.env), HEALTH_TIMEOUT (seconds,
# 120), HEALTH_INTERVAL (seconds, 2), HEALTH_URL (https://127.0.0.1/healthz).
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
deploy_dir="$(dirname "$script_dir")"
repo_dir="$(dirname "$deploy_dir")"
COMPOSE_FILE="${COMPOSE_FILE:-$deploy_dir/compose.yaml}"
ENV_FILE="${ENV_FILE:-$deploy_dir/.env}"
HEALTH_TIMEOUT="${HEALTH_TIMEOUT:-120}"
HEALTH_INTERVAL="${HEALTH_INTERVAL:-2}"
HEALTH_URL="${HEALTH_URL:-https://127.0.0.1/healthz}"

dry_run=0
pull=0
backup=1
tag=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --dry-run) dry_run=1 ;;
        --pull) pull=1 ;;
        --no-backup) backup=0 ;;
        --tag)
            [[ $# -ge 2 ]] || { echo "deploy: --tag needs a value" >&2; exit 2; }
            tag="$2"
            shift
            ;;
        -h | --help)
            sed -n '2,22p' "${BASH_SOURCE[0]}"
            exit 0
            ;;
        *)
            echo "deploy: unknown argument: $1" >&2
            exit 2
            ;;
    esac
    shift
done

log() { printf '%s deploy: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
die() {
    log "$*"
    exit 1
}

run() {
    printf '+ %s\n' "$*"
    if [[ $dry_run -eq 0 ]]; then
        "$@"
    fi
}

compose() { run docker compose -f "$COMPOSE_FILE" --env-file "$ENV_FILE" "$@"; }

if [[ ! -f $ENV_FILE ]]; then
    if [[ $dry_run -eq 1 ]]; then
        log "note: $ENV_FILE does not exist (copy deploy/.env.example and fill it in)"
    else
        die "$ENV_FILE does not exist: copy deploy/.env.example and fill it in"
    fi
fi

previous_tag=""
if [[ -f $ENV_FILE ]]; then
    previous_tag="$(sed -n 's/^AGORA_TAG=//p' "$ENV_FILE" | tail -n 1)"
fi

if [[ -z $tag ]]; then
    [[ $pull -eq 0 ]] || die "--pull needs --tag TAG"
    tag="$(git -C "$repo_dir" rev-parse --short=12 HEAD)"
    if [[ -n "$(git -C "$repo_dir" status --porcelain --untracked-files=no)" ]]; then
        tag="$tag-dirty"
    fi
fi
[[ $tag =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || die "not a valid image tag: $tag"
export AGORA_TAG="$tag"
log "deploying tag $tag (previous: ${previous_tag:-none})"

# set_tag TAG records TAG as the deployed one in the env file.
set_tag() {
    if [[ $dry_run -eq 1 ]]; then
        printf '+ set AGORA_TAG=%s in %s\n' "$1" "$ENV_FILE"
        return 0
    fi
    if grep -q '^AGORA_TAG=' "$ENV_FILE"; then
        sed -i "s/^AGORA_TAG=.*/AGORA_TAG=$1/" "$ENV_FILE"
    else
        printf 'AGORA_TAG=%s\n' "$1" >>"$ENV_FILE"
    fi
}

# healthy succeeds when the backend container reports healthy and /healthz
# answers through Nginx.
healthy() {
    local id status
    id="$(docker compose -f "$COMPOSE_FILE" --env-file "$ENV_FILE" ps -q backend)"
    [[ -n $id ]] || return 1
    status="$(docker inspect --format '{{.State.Health.Status}}' "$id")"
    [[ $status == healthy ]] || return 1
    curl --fail --silent --show-error --insecure --max-time 5 --output /dev/null "$HEALTH_URL"
}

wait_healthy() {
    printf '+ wait up to %ss: docker inspect --format {{.State.Health.Status}} <backend> = healthy; curl --fail --insecure %s\n' \
        "$HEALTH_TIMEOUT" "$HEALTH_URL"
    [[ $dry_run -eq 0 ]] || return 0
    local deadline=$((SECONDS + HEALTH_TIMEOUT))
    while ((SECONDS < deadline)); do
        if healthy 2>/dev/null; then
            return 0
        fi
        sleep "$HEALTH_INTERVAL"
    done
    return 1
}

# 1. The image.
if [[ $pull -eq 1 ]]; then
    compose pull backend migrate
else
    compose build --pull backend
fi

# 2. A backup before the schema changes (only if the database is running).
if [[ $backup -eq 1 ]]; then
    if [[ $dry_run -eq 1 ]]; then
        printf '+ %s\n' "$script_dir/backup.sh (when the postgres service is running)"
    elif [[ -n "$(docker compose -f "$COMPOSE_FILE" --env-file "$ENV_FILE" ps --status running -q postgres)" ]]; then
        run "$script_dir/backup.sh" || die "pre-deploy backup failed; nothing changed"
    fi
fi

# 3. Database and migrations.
compose up -d --wait postgres
compose run --rm migrate || die "migration failed; the running release is untouched"

# 4. Everything, on the new image. `up` fails when a health check fails
# (Nginx waits for a healthy backend); the health wait below decides.
compose up -d --remove-orphans || log "docker compose up reported an error"

# 5 and 6.
if wait_healthy; then
    set_tag "$tag"
    log "tag $tag is live"
    exit 0
fi

log "tag $tag did not become healthy within ${HEALTH_TIMEOUT}s"
compose logs --tail 50 backend || true
if [[ -z $previous_tag || $previous_tag == "$tag" ]]; then
    die "no previous tag to roll back to"
fi
log "rolling back to $previous_tag"
export AGORA_TAG="$previous_tag"
compose up -d --remove-orphans || log "docker compose up reported an error"
if wait_healthy; then
    die "rolled back to $previous_tag; tag $tag was not deployed"
fi
die "rollback to $previous_tag is not healthy either: look at 'docker compose logs backend'"
