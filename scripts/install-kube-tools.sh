#!/usr/bin/env bash
# Builds Kubernetes components of the release the Helm chart targets from
# the Go module proxy (the only registry these machines reach besides
# Debian's), and caches them in ~/.cache/agora-tools as <name>-v1.37.2.
#
#   scripts/install-kube-tools.sh COMPONENT...     # prints each binary's path
#
# COMPONENT: kube-apiserver (`make kube-tools`, part of `make test`: the
# chart's API-server test), kube-controller-manager, kube-scheduler,
# kubelet, kube-proxy, kubectl (`make e2e-k8s`), pause (the pod sandbox's
# process, build/pause/linux/pause.c compiled with gcc -static).
#
# The k8s.io/kubernetes module zip has no staging/src, but its go.mod and
# go.work point every k8s.io/<staging> module there, so `go build` fails
# inside it. A copy of the module with go.work, go.work.sum and vendor/
# removed, each staging module's `replace` dropped and required at the
# published v0.<minor>.<patch> instead, builds with -mod=mod. The version
# is stamped the way Kubernetes' own build does (hack/lib/version.sh), or
# the binaries report v0.0.0 and the chart's kubeVersion refuses the server.
# The components missing from the cache are built in one `go build`, so
# they share its work. kube-apiserver alone: ~6 minutes and ~2.4 GB of
# memory cold on 2 cores; cached components: nothing to do.
set -euo pipefail

K8S_VERSION="v1.37.2" # = KubernetesVersion in deploy/helm/schemagen
go_components=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl)
usage="usage: install-kube-tools.sh COMPONENT... (${go_components[*]} pause); the version is pinned inside"

[[ $# -gt 0 ]] || { echo "install-kube-tools: no component given; $usage" >&2; exit 2; }
for c in "$@"; do
    [[ " ${go_components[*]} pause " == *" $c "* ]] ||
        { echo "install-kube-tools: unknown component: $c; $usage" >&2; exit 2; }
done

cache_dir="${XDG_CACHE_HOME:-$HOME/.cache}/agora-tools"
# A relative folder would be read from wherever the build has cd'ed to, and
# the paths printed would not name the binaries from the caller's folder.
[[ $cache_dir == /* ]] ||
    { echo "install-kube-tools: the cache folder $cache_dir is not absolute (XDG_CACHE_HOME, HOME)" >&2; exit 2; }
version() { # version NAME: the version the cached binary reports
    local bin="$cache_dir/$1-$K8S_VERSION"
    case $1 in
    pause) [[ -x $bin ]] && echo "$K8S_VERSION" ;; # pause.c has no version flag
    kubectl) "$bin" version --client 2>/dev/null | sed -n 's/^Client Version: //p' ;;
    *) "$bin" --version 2>/dev/null | sed -n 's/^Kubernetes //p' ;;
    esac
}
cached() { [[ -x $cache_dir/$1-$K8S_VERSION && "$(version "$1")" == "$K8S_VERSION" ]]; }
missing=()
for c in "$@"; do cached "$c" || missing+=("$c"); done
if [[ ${#missing[@]} -gt 0 ]]; then
    command -v go >/dev/null || { echo "install-kube-tools: go is not on PATH" >&2; exit 1; }
    src="$(GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@$K8S_VERSION" |
        sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
    [[ -d $src ]] || { echo "install-kube-tools: go mod download gave no module folder" >&2; exit 1; }
    mkdir -p "$cache_dir"
    work="$(mktemp -d "$cache_dir/kubernetes-src.XXXXXX")"
    trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
    pkgs=()
    for c in "${missing[@]}"; do
        if [[ $c == pause ]]; then
            command -v gcc >/dev/null || { echo "install-kube-tools: gcc is not on PATH (pause is C)" >&2; exit 1; }
            echo "install-kube-tools: compiling pause from build/pause/linux/pause.c" >&2
            gcc -Os -Wall -Werror -static -DVERSION="$K8S_VERSION" -o "$work/pause" "$src/build/pause/linux/pause.c"
            strip "$work/pause"
            mv -f "$work/pause" "$cache_dir/pause-$K8S_VERSION"
        else
            pkgs+=("./cmd/$c")
        fi
    done
    if [[ ${#pkgs[@]} -gt 0 ]]; then
        echo "install-kube-tools: building ${pkgs[*]#./cmd/} $K8S_VERSION from the Go module proxy (minutes: ~6 for kube-apiserver alone, cold)" >&2
        minor="${K8S_VERSION#v1.}"    # 37.2
        staging_version="v0.$minor"   # v0.37.2
        major_minor="${minor%%.*}"    # 37
        mkdir "$work/src" "$work/bin"
        cp -r "$src/." "$work/src/"
        chmod -R u+w "$work/src"
        rm -rf "$work/src/go.work" "$work/src/go.work.sum" "$work/src/vendor"
        cd "$work/src"
        staging=()
        while read -r m; do staging+=("$m"); done < <(
            sed -n 's|^[[:space:]]*\(k8s\.io/[a-z0-9-]*\) => \./staging/src/.*$|\1|p' go.mod)
        [[ ${#staging[@]} -gt 0 ]] || { echo "install-kube-tools: no staging replace directives in go.mod" >&2; exit 1; }
        edits=()
        for m in "${staging[@]}"; do
            edits+=("-dropreplace=$m" "-require=$m@$staging_version")
        done
        go mod edit "${edits[@]}"
        pkg="k8s.io/component-base/version"
        ldflags="-s -w -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$major_minor"
        ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
        GOWORK=off CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "$ldflags" \
            -o "$work/bin/" "${pkgs[@]}"
        for p in "${pkgs[@]}"; do
            c="${p#./cmd/}"
            mv -f "$work/bin/$c" "$cache_dir/$c-$K8S_VERSION"
            echo "install-kube-tools: $c $(version "$c")" >&2
            cached "$c" || { echo "install-kube-tools: $c does not report $K8S_VERSION" >&2; exit 1; }
        done
    fi
fi
for c in "$@"; do echo "$cache_dir/$c-$K8S_VERSION"; done
