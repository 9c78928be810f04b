#!/usr/bin/env bash
# Builds the real kube-apiserver of the Kubernetes release the Helm chart
# targets, from the Go module proxy (the only registry these machines reach
# besides Debian's), and caches it. Run by `make kube-tools` (part of
# `make test`); deploy/helm's API-server test runs the cached binary.
#
#   scripts/install-kube-apiserver.sh          # prints the binary's path
#
# The k8s.io/kubernetes module zip has no staging/src, but its go.mod and
# go.work point every k8s.io/<staging> module there, so `go build` fails
# inside it. A copy of the module with go.work, go.work.sum and vendor/
# removed, each staging module's `replace` dropped and required at the
# published v0.<minor>.<patch> instead, builds with -mod=mod. The version
# is stamped the way Kubernetes' own build does (hack/lib/version.sh), or
# the server reports v0.0.0 and the chart's kubeVersion refuses it.
# Cold: ~6 minutes and ~2.4 GB of memory on 2 cores; warm: nothing to do.
set -euo pipefail

if [[ $# -ne 0 ]]; then
    echo "install-kube-apiserver: takes no arguments (got: $*); the version is pinned inside" >&2
    exit 2
fi

K8S_VERSION="v1.37.2" # = KubernetesVersion in deploy/helm/schemagen
cache_dir="${XDG_CACHE_HOME:-$HOME/.cache}/agora-tools"
bin="$cache_dir/kube-apiserver-$K8S_VERSION"

if [[ -x $bin ]] && "$bin" --version 2>/dev/null | grep -qx "Kubernetes $K8S_VERSION"; then
    echo "$bin"
    exit 0
fi
command -v go >/dev/null || { echo "install-kube-apiserver: go is not on PATH" >&2; exit 1; }

minor="${K8S_VERSION#v1.}"    # 37.2
staging_version="v0.$minor"   # v0.37.2
major_minor="${minor%%.*}"    # 37

echo "install-kube-apiserver: building kube-apiserver $K8S_VERSION from the Go module proxy (about 6 minutes cold)" >&2
src="$(GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@$K8S_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[[ -d $src ]] || { echo "install-kube-apiserver: go mod download gave no module folder" >&2; exit 1; }

mkdir -p "$cache_dir"
work="$(mktemp -d "$cache_dir/kubernetes-src.XXXXXX")"
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
cp -r "$src/." "$work/"
chmod -R u+w "$work"
rm -rf "$work/go.work" "$work/go.work.sum" "$work/vendor"

cd "$work"
staging=()
while read -r m; do staging+=("$m"); done < <(
    sed -n 's|^[[:space:]]*\(k8s\.io/[a-z0-9-]*\) => \./staging/src/.*$|\1|p' go.mod)
[[ ${#staging[@]} -gt 0 ]] || { echo "install-kube-apiserver: no staging replace directives in go.mod" >&2; exit 1; }
edits=()
for m in "${staging[@]}"; do
    edits+=("-dropreplace=$m" "-require=$m@$staging_version")
done
go mod edit "${edits[@]}"

pkg="k8s.io/component-base/version"
ldflags="-s -w -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$major_minor"
ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
GOWORK=off CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "$ldflags" \
    -o "$bin.tmp" ./cmd/kube-apiserver
mv -f "$bin.tmp" "$bin"
"$bin" --version >&2
echo "$bin"
