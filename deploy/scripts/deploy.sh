#!/usr/bin/env bash
# Deploy (or re-deploy) Agora on this host with Docker Compose, without
# dropping a request.
#
#   deploy/scripts/deploy.sh [--dry-run] [--tag TAG] [--pull | --no-build]
#                            [--pull-base] [--no-backup]
#
#   1. the image ${AGORA_IMAGE}:TAG: built from this checkout (TAG defaults to
#      the git commit; --pull-base refreshes the base images first), pulled
#      from a registry (--pull), or taken as it is from the local engine
#      (--no-build, e.g. after `docker load`);
#   2. a backup of the database, if it is running;
#   3. PostgreSQL up, then `agora migrate up` on the new image;
#   4. the backend, one release handing over to the next:
#      - no backend running (first deploy): the whole stack comes up;
#      - otherwise a container of the new release starts beside the running
#        one; once its health check passes, Nginx is pointed at it alone and
#        reloaded (graceful: requests in flight on the old release finish),
#        then the old container gets SIGTERM and drains;
#      a new release that never gets healthy is removed and the old one keeps
#      serving: the script says so and exits 1 (it never took traffic);
#   5. every other service brought to this configuration, and waited on until
#      its health check passes (a failing Loki fails the deploy, too);
#   6. the tag recorded as AGORA_TAG in the env file.
#
# Migrations are never rolled back automatically: they must stay compatible
# with the previous release (expand first, contract a release later), since
# both releases serve side by side for a few seconds.
#
# Environment:
#   COMPOSE_FILE          compose files, colon-separated (deploy/compose.yaml);
#                         e.g. deploy/compose.yaml:deploy/compose.override.yaml
#   COMPOSE_PROJECT_NAME  project name (the compose file's: agora)
#   ENV_FILE              variables for the compose files (deploy/.env)
#   HEALTH_TIMEOUT        seconds a new release gets to become healthy (120)
#   HEALTH_INTERVAL       seconds between checks (2)
#   DRAIN_SECONDS         seconds Nginx's old workers get before the old
#                         release is stopped (5)
set -euo pipefail

me=deploy
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
repo_dir="$(dirname "$deploy_dir")"
export COMPOSE_FILE="${COMPOSE_FILE:-$deploy_dir/compose.yaml}"
ENV_FILE="${ENV_FILE:-$deploy_dir/.env}"
HEALTH_TIMEOUT="${HEALTH_TIMEOUT:-120}"
HEALTH_INTERVAL="${HEALTH_INTERVAL:-2}"
DRAIN_SECONDS="${DRAIN_SECONDS:-5}"

usage() { sed -n '2,41p' "${BASH_SOURCE[0]}"; }

dry_run=0
source="build"
pull_base=0
backup=1
tag=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --dry-run) dry_run=1 ;;
        --pull) source="pull" ;;
        --no-build) source="local" ;;
        --pull-base) pull_base=1 ;;
        --no-backup) backup=0 ;;
        --tag)
            [[ $# -ge 2 ]] || { echo "deploy: --tag needs a value" >&2; exit 2; }
            tag="$2"
            shift
            ;;
        -h | --help)
            usage
            exit 0
            ;;
        *)
            echo "deploy: unknown argument: $1 (see --help)" >&2
            exit 2
            ;;
    esac
    shift
done
# Plain decimal only: bash reads a leading zero as octal ("08" is an error,
# "010" is 8).
for n in HEALTH_TIMEOUT HEALTH_INTERVAL; do
    [[ ${!n} =~ ^[1-9][0-9]{0,4}$ ]] || { echo "deploy: $n must be a whole number of seconds from 1 to 99999, not '${!n}'" >&2; exit 2; }
done
[[ $DRAIN_SECONDS =~ ^(0|[1-9][0-9]{0,3})$ ]] || { echo "deploy: DRAIN_SECONDS must be a whole number of seconds from 0 to 9999, not '$DRAIN_SECONDS'" >&2; exit 2; }
command -v jq >/dev/null || { echo "deploy: jq is not installed (apt-get install -y jq; bootstrap.sh installs it)" >&2; exit 1; }

if [[ -f $ENV_FILE ]]; then
    export COMPOSE_ENV_FILES="$ENV_FILE"
elif [[ $dry_run -eq 1 ]]; then
    log "note: $ENV_FILE does not exist (copy deploy/.env.example and fill it in)"
else
    die "$ENV_FILE does not exist: copy deploy/.env.example and fill it in"
fi

# query runs a read-only compose command even in a dry run.
query() { docker compose "$@"; }

previous_tag=""
if [[ -f $ENV_FILE ]]; then
    previous_tag="$(sed -n 's/^AGORA_TAG=//p' "$ENV_FILE" | tail -n 1)"
fi
if [[ -z $tag ]]; then
    [[ $source == build ]] || die "--pull and --no-build need --tag TAG"
    tag="$(git -C "$repo_dir" rev-parse --short=12 HEAD)"
    if [[ -n "$(git -C "$repo_dir" status --porcelain --untracked-files=no)" ]]; then
        tag="$tag-dirty"
    fi
fi
[[ $tag =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || die "not a valid image tag: $tag"
export AGORA_TAG="$tag"
log "deploying tag $tag (previous: ${previous_tag:-none})"

# 0. The configuration must load, and the host paths the stack mounts but
# Docker must not create (compose.yaml marks them create_host_path: false)
# must exist: name every missing one at once.
config="$(query config --format json)" || die "docker compose cannot load the configuration (COMPOSE_FILE=$COMPOSE_FILE)"
paths="$(jq -r '[.services[] | select(.profiles == null) | .volumes[]?
                | select(.type == "bind" and .bind.create_host_path == false) | .source]
               + [.secrets[]?.file // empty] | unique[]' <<<"$config")" || die "cannot read the host paths from the configuration"
missing=()
while IFS= read -r path; do
    [[ -z $path || -e $path ]] || missing+=("$path")
done <<<"$paths"
if [[ ${#missing[@]} -gt 0 ]]; then
    if [[ $dry_run -eq 1 ]]; then
        log "note: missing on this host: ${missing[*]}"
    else
        die "missing on this host (bootstrap.sh makes them; see deploy/README.md): ${missing[*]}"
    fi
fi

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

# wait_healthy ID waits until container ID's health check passes. It gives up
# early when the container keeps crashing or Docker marks it unhealthy.
wait_healthy() {
    local id="$1" deadline=$((SECONDS + HEALTH_TIMEOUT)) state
    while ((SECONDS < deadline)); do
        state="$(docker inspect --format '{{.State.Status}} {{.RestartCount}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$id" 2>/dev/null)" ||
            return 1
        case "$state" in
            "running "*" healthy") return 0 ;;
            *" unhealthy") log "container ${id:0:12} is unhealthy"; return 1 ;;
        esac
        if [[ ${state#* } =~ ^([0-9]+)\  ]] && ((BASH_REMATCH[1] >= 3)); then
            log "container ${id:0:12} restarted ${BASH_REMATCH[1]} times"
            return 1
        fi
        sleep "$HEALTH_INTERVAL"
    done
    log "container ${id:0:12} not healthy within ${HEALTH_TIMEOUT}s"
    return 1
}

# report_unhealthy names every service that is not running and healthy, with
# the end of its log.
report_unhealthy() {
    local svc state health bad=()
    while read -r svc state health; do
        [[ -n $svc ]] || continue
        if [[ $svc == migrate ]]; then
            [[ $state == exited ]] || bad+=("$svc")
        elif [[ $state != running || ($health != healthy && $health != "-") ]]; then
            bad+=("$svc")
        fi
    done < <(query ps -a --format '{{.Service}} {{.State}} {{if .Health}}{{.Health}}{{else}}-{{end}}' 2>/dev/null)
    if [[ ${#bad[@]} -eq 0 ]]; then
        log "tag $tag: docker compose up --wait failed"
        return 0
    fi
    log "tag $tag: not running and healthy: ${bad[*]}"
    for svc in "${bad[@]}"; do
        query logs --tail 20 "$svc" >&2 || true
    done
}

# set_upstream NAME... points Nginx at these backends and reloads it.
set_upstream() {
    compose exec -T nginx sh /etc/nginx/agora/set-upstream.sh "$@"
}

# 1. The image.
case $source in
    pull) compose pull backend migrate ;;
    local)
        image="$(jq -r '.services.backend.image' <<<"$config")"
        if [[ $dry_run -eq 0 ]] && ! docker image inspect "$image" >/dev/null 2>&1; then
            die "image $image is not in the local engine (--no-build deploys a loaded image)"
        fi
        ;;
    build)
        if [[ $pull_base -eq 1 ]]; then
            compose build --pull backend postgres
        else
            compose build backend postgres
        fi
        ;;
esac

# 2. A backup before the schema changes (only if the database is running).
if [[ $backup -eq 1 ]]; then
    if [[ $dry_run -eq 1 ]]; then
        printf '+ %s\n' "$script_dir/backup.sh (when the postgres service is running)"
    elif [[ -n "$(query ps --status running -q postgres)" ]]; then
        run "$script_dir/backup.sh" || die "pre-deploy backup failed; nothing changed"
    fi
fi

# 3. Database and migrations.
compose up -d --wait postgres || die "PostgreSQL did not become healthy; nothing changed"
# The roles first: pgBackRest connects as agora_backup (roles.sql).
compose exec -T postgres agora-roles || die "agora-roles failed; nothing else changed"
# pgBackRest's stanza (a no-op once it exists): WAL archiving fails until
# it is there.
compose exec -T -u postgres postgres agora-pgbackrest --stanza=agora stanza-create ||
    die "pgbackrest stanza-create failed (repositories, off-site settings in .env); nothing else changed"
compose run --rm migrate || die "migration failed; the running release is untouched"
# The backend's and the exporter's roles and grants, for the tables the
# migrations just made too (deploy/postgres/roles.sql).
compose exec -T postgres agora-roles || die "agora-roles failed; the running release is untouched"

# 4. The backend.
old_ids=(old-backend) # a dry run shows the hand-over from a running release
if [[ $dry_run -eq 0 ]]; then
    mapfile -t old_ids < <(query ps -q backend)
fi

if [[ ${#old_ids[@]} -eq 0 ]]; then
    # First start (or after a stop): everything at once; `--wait` fails if
    # any health check does.
    if compose up -d --wait --wait-timeout "$HEALTH_TIMEOUT" --remove-orphans; then
        set_tag "$tag"
        log "tag $tag is live"
        exit 0
    fi
    report_unhealthy
    if [[ -z $previous_tag || $previous_tag == "$tag" ]]; then
        die "no previous tag to roll back to"
    fi
    log "rolling back to $previous_tag"
    export AGORA_TAG="$previous_tag"
    compose up -d --wait --wait-timeout "$HEALTH_TIMEOUT" --remove-orphans ||
        die "rollback to $previous_tag is not healthy either: look at 'docker compose logs'"
    die "rolled back to $previous_tag; tag $tag was not deployed"
fi

# A new container beside the running ones (--no-recreate keeps them as they
# are; the new one is made from the new configuration).
compose up -d --no-deps --no-recreate --scale "backend=$((${#old_ids[@]} + 1))" backend ||
    die "could not start a container of tag $tag; the running release is untouched"
new_id=""
if [[ $dry_run -eq 0 ]]; then
    for id in $(query ps -q backend); do
        [[ " ${old_ids[*]} " == *" $id "* ]] || new_id="$id"
    done
    [[ -n $new_id ]] || die "no new backend container appeared"
fi
printf '+ wait up to %ss for the new container'"'"'s health check\n' "$HEALTH_TIMEOUT"
# Only an explicit success counts (an error inside wait_healthy must not
# read as "healthy").
healthy=0
if [[ $dry_run -eq 1 ]]; then
    healthy=1
else
    wait_healthy "$new_id" && healthy=1
fi
if [[ $healthy -ne 1 ]]; then
    docker logs --tail 30 "$new_id" >&2 || true
    run docker rm -f "$new_id"
    die "ROLLED BACK: tag $tag never became healthy and was removed; ${previous_tag:-the previous release} still serves"
fi

new_name="new-backend"
if [[ $dry_run -eq 0 ]]; then
    new_name="$(docker inspect --format '{{.Name}}' "$new_id")"
    new_name="${new_name#/}"
fi
log "tag $tag is healthy ($new_name); moving traffic to it"
# From here on, however the script ends (an error, Ctrl-C, SIGTERM), Nginx is
# pointed back at `backend`, which resolves to whichever containers exist:
# never at a single name that may be gone.
restore_upstream() {
    if [[ ${handover_done:-0} -ne 1 ]]; then
        log "interrupted during the hand-over: pointing Nginx at every backend container"
        docker compose exec -T nginx sh /etc/nginx/agora/set-upstream.sh backend >&2 || true
    fi
}
if [[ $dry_run -eq 0 ]]; then
    trap restore_upstream EXIT
    trap 'exit 130' INT TERM
fi
set_upstream "$new_name" || {
    run docker rm -f "$new_id"
    die "ROLLED BACK: Nginx refused the new upstream; the previous release still serves"
}
run sleep "$DRAIN_SECONDS"
# SIGTERM: each old container finishes what it holds (SHUTDOWN_TIMEOUT)
# within the stop grace period.
for id in "${old_ids[@]}"; do
    run docker stop -t 30 "$id"
    run docker rm "$id"
done
# Back to the service name, which now resolves to the new container only.
set_upstream backend || log "warning: Nginx keeps the explicit upstream $new_name"
handover_done=1
set_tag "$tag"
log "tag $tag is live"

# 5. Everything else at this configuration, and healthy.
compose up -d --wait --wait-timeout "$HEALTH_TIMEOUT" --remove-orphans ||
    die "tag $tag serves, but not every service is healthy: see 'docker compose ps'"
log "every service is healthy"
