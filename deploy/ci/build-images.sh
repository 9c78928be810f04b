#!/usr/bin/env bash
# Builds, offline, every image the CI stack runs (deploy/ci/compose.ci.yaml):
#
#   deploy/ci/build-images.sh [AGORA_TAG ...]
#
#   agora-ci/debian:bookworm      debootstrap --variant=minbase, imported
#   agora-ci/<service>:ci         stand-ins from Debian's packages for the
#                                 images no registry can give us here
#                                 (postgres-base, nginx, prometheus, alertmanager,
#                                 node-exporter, postgres-exporter,
#                                 nginx-exporter, blackbox-exporter, mailcatcher)
#   agora-ci/postgres:ci          deploy/postgres/Dockerfile on postgres-base
#   agora-ci/golang, agora-ci/distroless
#                                 the two bases of deploy/Dockerfile
#   agora-ci/agora:TAG            deploy/Dockerfile itself, for each TAG given
#                                 (default: ci), with VERSION=TAG
#   agora-ci/agora:$BROKEN_TAG    when BROKEN_TAG is set: the first TAG with an
#                                 entrypoint that fails (a release that never
#                                 gets healthy, for the rollback test)
#
# Builds use the host's network namespace (--network host): that is how the
# build reaches Debian's mirror and the Go module proxy served on 127.0.0.1
# from this machine's module cache. Every step is cached by the engine, so a
# second run takes seconds. Needs a running engine (scripts/ensure-docker.sh).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
images="$here/images"
BASE_IMAGE="agora-ci/debian:bookworm"
MIRROR="${DEBIAN_MIRROR:-}"

log() { printf 'build-images: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

for tag in "$@"; do
    [[ $tag =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || die "not a valid image tag: $tag"
done
[[ $# -gt 0 ]] || set -- ci

docker info >/dev/null 2>&1 || die "no Docker engine answers (run scripts/ensure-docker.sh)"
# The classic builder for the stand-ins (plain Dockerfiles, no BuildKit
# needed); BuildKit for deploy/Dockerfile, through Debian's docker CLI 20.10,
# which drives the engine's built-in BuildKit without the buildx plugin.
# Output only when a build fails (the classic builder's deprecation notice
# is noise here).
legacy_build() {
    local out
    if ! out="$(DOCKER_BUILDKIT=0 docker build --network host --quiet "$@" 2>&1)"; then
        printf '%s\n' "$out" >&2
        return 1
    fi
}
buildkit_cli=/usr/bin/docker
[[ -x $buildkit_cli ]] || buildkit_cli="$(command -v docker)"

# 1. The base: a minimal Debian made by debootstrap from the machine's mirror.
if ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    command -v debootstrap >/dev/null || die "debootstrap is not installed (apt-get install -y debootstrap)"
    if [[ -z $MIRROR ]]; then
        MIRROR="$(grep -rhoE 'https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null |
            grep -v security | head -n 1 | tr -d ' ' || true)"
        MIRROR="${MIRROR:-http://deb.debian.org/debian}"
    fi
    rootfs="$(mktemp -d /var/tmp/agora-rootfs.XXXXXX)"
    trap 'rm -rf "$rootfs"' EXIT
    log "debootstrap bookworm from $MIRROR (about 40 s)"
    debootstrap --variant=minbase bookworm "$rootfs" "$MIRROR" >/dev/null
    security="${MIRROR%/debian*}/debian-security"
    printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb %s bookworm-security main\n' \
        "$MIRROR" "$MIRROR" "$security" >"$rootfs/etc/apt/sources.list"
    printf 'APT::Install-Recommends "false";\nAcquire::Languages "none";\n' >"$rootfs/etc/apt/apt.conf.d/90agora"
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -c . | docker import --change 'CMD ["/bin/bash"]' - "$BASE_IMAGE" >/dev/null
    rm -rf "$rootfs"
    trap - EXIT
fi

# 2. Stand-ins from Debian's packages.
for name in postgres nginx prometheus alertmanager node-exporter postgres-exporter nginx-exporter blackbox-exporter mailcatcher; do
    tag="agora-ci/$name:ci"
    [[ $name != postgres ]] || tag="agora-ci/postgres-base:ci"
    log "image $tag"
    legacy_build --build-arg "BASE_IMAGE=$BASE_IMAGE" -f "$images/$name.Dockerfile" -t "$tag" "$images"
done
# The stack's postgres image is the production one (deploy/postgres: the
# server plus pgBackRest), built on the stand-in instead of the official image.
log "image agora-ci/postgres:ci (deploy/postgres/Dockerfile)"
legacy_build --build-arg "POSTGRES_IMAGE=agora-ci/postgres-base:ci" --build-arg "IMAGE_USER=postgres" \
    -t "agora-ci/postgres:ci" "$repo/deploy/postgres"

# 3. The bases of deploy/Dockerfile.
goroot="$(go env GOROOT)"
gover="$(go env GOVERSION)"
log "image agora-ci/golang:$gover (this machine's $goroot)"
legacy_build --build-arg "BASE_IMAGE=$BASE_IMAGE" -f "$images/golang.Dockerfile" -t "agora-ci/golang:$gover" "$goroot"
log "image agora-ci/distroless:nonroot"
legacy_build --build-arg "BASE_IMAGE=$BASE_IMAGE" -f "$images/distroless.Dockerfile" -t "agora-ci/distroless:nonroot" "$images"

# 4. Agora, from the production Dockerfile. Modules come from this machine's
# module cache, served read-only on loopback as a GOPROXY for the build.
(cd "$repo" && go mod download)
modcache="$(go env GOMODCACHE)/cache/download"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
python3 -m http.server --bind 127.0.0.1 --directory "$modcache" "$port" >/dev/null 2>&1 &
proxy_pid=$!
trap 'kill $proxy_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
revision="$(git -C "$repo" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
for tag in "$@"; do
    log "image agora-ci/agora:$tag (deploy/Dockerfile)"
    DOCKER_BUILDKIT=1 "$buildkit_cli" build --network host --quiet \
        --build-arg "GO_IMAGE=agora-ci/golang:$gover" \
        --build-arg "RUNTIME_IMAGE=agora-ci/distroless:nonroot" \
        --build-arg "GOPROXY=http://127.0.0.1:$port" \
        --build-arg "VERSION=$tag" --build-arg "REVISION=$revision" \
        -f "$repo/deploy/Dockerfile" -t "agora-ci/agora:$tag" "$repo" >/dev/null
done
if [[ -n ${BROKEN_TAG:-} ]]; then
    [[ $BROKEN_TAG =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || die "not a valid image tag: $BROKEN_TAG"
    log "image agora-ci/agora:$BROKEN_TAG (its health check fails)"
    legacy_build --build-arg "AGORA_IMAGE=agora-ci/agora:$1" -f "$images/broken.Dockerfile" -t "agora-ci/agora:$BROKEN_TAG" "$images"
fi
log "done"
