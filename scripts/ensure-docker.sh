#!/usr/bin/env bash
# Makes sure a Docker engine answers, for the live Compose stack test
# (`make test-stack`). Run by `make test-stack`; safe to run again.
#
# When none answers and this is root, it starts Debian's dockerd (package
# docker.io, installed by scripts/install-deps.sh) with a data root of its
# own, so the test's images and volumes never mix with another engine's:
#   /var/lib/agora-docker (AGORA_DOCKER_ROOT), log in /var/log/agora-dockerd.log
# The engine keeps running after the tests (its image cache makes the next
# run warm); stop it with `kill $(cat /var/run/agora-dockerd.pid)`.
set -euo pipefail

AGORA_DOCKER_ROOT="${AGORA_DOCKER_ROOT:-/var/lib/agora-docker}"

if docker info >/dev/null 2>&1; then
    exit 0
fi
if ! command -v dockerd >/dev/null; then
    echo "ensure-docker: no Docker engine answers and dockerd is not installed (apt-get install -y docker.io)" >&2
    exit 1
fi
if [[ $(id -u) -ne 0 ]]; then
    echo "ensure-docker: no Docker engine answers; start one (as root: scripts/ensure-docker.sh)" >&2
    exit 1
fi
mkdir -p "$AGORA_DOCKER_ROOT"
echo "ensure-docker: starting dockerd (data root $AGORA_DOCKER_ROOT)" >&2
# --userland-proxy=false: published ports go through iptables NAT, as
# bootstrap.sh configures production (clients keep their address).
setsid dockerd --data-root "$AGORA_DOCKER_ROOT" --pidfile /var/run/agora-dockerd.pid \
    --userland-proxy=false >>/var/log/agora-dockerd.log 2>&1 </dev/null &
for _ in $(seq 120); do
    if docker info >/dev/null 2>&1; then
        exit 0
    fi
    sleep 0.5
done
echo "ensure-docker: dockerd did not answer within 60 s; see /var/log/agora-dockerd.log:" >&2
tail -n 5 /var/log/agora-dockerd.log >&2
exit 1
