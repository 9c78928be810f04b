#!/usr/bin/env bash
# Container restarts and OOM kills as node_exporter textfile metrics.
#
#   deploy/scripts/container-state.sh [--dry-run]
#
# cAdvisor does not run on this host, so nothing else shows a crash-looping or
# OOM-killed container. A systemd timer (deploy/systemd/agora-container-state.timer)
# runs this every minute as root (it needs the Docker socket). It reads
# `docker inspect` of every Compose container and writes
# $TEXTFILE_DIR/agora_containers.prom atomically (a temp file in the same
# folder, then mv), which node_exporter serves:
#
#   agora_container_restarts_total{container,service}  Docker's RestartCount:
#       restarts by the restart policy since the container was created
#       (a re-created container starts again at 0; increase() handles that)
#   agora_container_oom_killed{container,service}       1 when the last exit
#       was an OOM kill (Docker clears it at the next start)
#   agora_container_running{container,service}          1 while running
#   agora_container_state_last_run_timestamp_seconds    when this last ran
#
# On any failure (Docker unreachable, unexpected output) it exits non-zero
# and leaves the previous file as it was; ContainerStateStale fires when the
# file stops being refreshed.
#
# Options:
#   --dry-run   print the metrics to stdout, write nothing
#
# Environment (all optional):
#   TEXTFILE_DIR   node_exporter textfile collector folder
#                  (/var/lib/node_exporter/textfile_collector)
#   DOCKER         the docker command (docker)
set -euo pipefail

usage() {
    cat <<'USAGE'
usage: container-state.sh [--dry-run]
  Writes $TEXTFILE_DIR/agora_containers.prom (default folder
  /var/lib/node_exporter/textfile_collector) from `docker inspect` of the
  Compose containers. --dry-run prints the metrics and writes nothing.
USAGE
}

dry_run=0
while [[ $# -gt 0 ]]; do
    case "$1" in
    --dry-run) dry_run=1 ;;
    -h | --help)
        usage
        exit 0
        ;;
    *)
        echo "container-state: unknown argument: $1" >&2
        usage >&2
        exit 2
        ;;
    esac
    shift
done

TEXTFILE_DIR="${TEXTFILE_DIR:-/var/lib/node_exporter/textfile_collector}"
DOCKER="${DOCKER:-docker}"
metric_file="$TEXTFILE_DIR/agora_containers.prom"

fail() {
    echo "container-state: $*" >&2
    exit 1
}

if [[ $dry_run -eq 0 && ! -d $TEXTFILE_DIR ]]; then
    fail "textfile folder $TEXTFILE_DIR does not exist (bootstrap.sh creates it; set TEXTFILE_DIR)"
fi

if ! ids="$("$DOCKER" ps --all --quiet --no-trunc --filter label=com.docker.compose.service)"; then
    fail "docker ps failed; is the Docker daemon running and is this run as root?"
fi

inspect=""
if [[ -n $ids ]]; then
    # One id per word; docker prints one line per container.
    # shellcheck disable=SC2086
    if ! inspect="$("$DOCKER" inspect --format '{{.Name}}|{{index .Config.Labels "com.docker.compose.service"}}|{{.RestartCount}}|{{.State.OOMKilled}}|{{.State.Running}}' $ids)"; then
        fail "docker inspect failed (a container removed while it ran, during a deploy, is retried on the next run)"
    fi
fi

# escape VALUE escapes a label value for the text exposition format.
escape() {
    local v="$1"
    v="${v//\\/\\\\}"
    v="${v//\"/\\\"}"
    printf '%s' "$v"
}

# bool WORD prints 1 for true, 0 for false, and fails on anything else.
bool() {
    case "$1" in
    true) echo 1 ;;
    false) echo 0 ;;
    *) return 1 ;;
    esac
}

restarts="" oom="" running=""
while IFS='|' read -r name service count oom_killed is_running extra; do
    [[ -z $name && -z $service ]] && continue
    name="${name#/}"
    if [[ -z $name || -z $service || -n ${extra:-} ]] || ! [[ $count =~ ^[0-9]+$ ]]; then
        fail "unexpected docker inspect line: $name|$service|$count|$oom_killed|$is_running${extra:+|$extra}"
    fi
    o="$(bool "$oom_killed")" || fail "OOMKilled of $name is '$oom_killed', want true or false"
    r="$(bool "$is_running")" || fail "Running of $name is '$is_running', want true or false"
    labels="container=\"$(escape "$name")\",service=\"$(escape "$service")\""
    restarts+="agora_container_restarts_total{$labels} $count"$'\n'
    oom+="agora_container_oom_killed{$labels} $o"$'\n'
    running+="agora_container_running{$labels} $r"$'\n'
done <<<"$inspect"

metrics="# HELP agora_container_restarts_total Restarts by the restart policy since the container was created (docker inspect RestartCount).
# TYPE agora_container_restarts_total counter
${restarts}# HELP agora_container_oom_killed 1 when the container's last exit was an OOM kill (docker inspect State.OOMKilled).
# TYPE agora_container_oom_killed gauge
${oom}# HELP agora_container_running 1 while the container runs (docker inspect State.Running).
# TYPE agora_container_running gauge
${running}# HELP agora_container_state_last_run_timestamp_seconds When container-state.sh last read Docker (Unix time).
# TYPE agora_container_state_last_run_timestamp_seconds gauge
agora_container_state_last_run_timestamp_seconds $(date -u +%s)
"

if [[ $dry_run -eq 1 ]]; then
    printf '%s' "$metrics"
    exit 0
fi

tmp="$(mktemp "$TEXTFILE_DIR/.agora_containers.prom.XXXXXX")" || fail "cannot write in $TEXTFILE_DIR"
trap 'rm -f "$tmp"' EXIT
printf '%s' "$metrics" >"$tmp"
chmod 0644 "$tmp" # node_exporter reads it as its own user
mv -f "$tmp" "$metric_file"
trap - EXIT
