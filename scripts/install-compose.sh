#!/usr/bin/env bash
# Installs the Docker Compose CLI plugin, built from source through the Go
# module proxy (there is no other way to get it on a machine that reaches no
# registry but the module proxy). Pinned; built once and cached.
#
#   scripts/install-compose.sh        # prints nothing when already installed
#
# `go install ...@version` refuses this module (its go.mod has `exclude`
# directives), so the module is downloaded and built in its own folder.
# The result is ~/.docker/cli-plugins/docker-compose, which both Debian's
# docker CLI and a newer static one pick up as `docker compose`.
set -euo pipefail

COMPOSE_VERSION="v5.6.0"
plugin_dir="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"
plugin="$plugin_dir/docker-compose"
cache_dir="${XDG_CACHE_HOME:-$HOME/.cache}/agora-tools"
cached="$cache_dir/docker-compose-$COMPOSE_VERSION"

if [[ -x $plugin ]] && "$plugin" version --short 2>/dev/null | grep -qx "${COMPOSE_VERSION#v}"; then
    exit 0
fi
command -v go >/dev/null || { echo "install-compose: go is not on PATH" >&2; exit 1; }

if [[ ! -x $cached ]]; then
    echo "install-compose: building Docker Compose $COMPOSE_VERSION from the Go module proxy (about a minute)" >&2
    dir="$(GOFLAGS=-mod=mod go mod download -json "github.com/docker/compose/v5@$COMPOSE_VERSION" |
        sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
    [[ -d $dir ]] || { echo "install-compose: go mod download gave no module folder" >&2; exit 1; }
    mkdir -p "$cache_dir"
    # The module folder is read-only; go build writes only to its caches.
    (cd "$dir" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath \
        -ldflags "-s -w -X github.com/docker/compose/v5/internal.Version=$COMPOSE_VERSION" \
        -o "$cached.tmp" ./cmd)
    mv -f "$cached.tmp" "$cached"
fi
mkdir -p "$plugin_dir"
install -m 0755 "$cached" "$plugin"
"$plugin" version >&2
