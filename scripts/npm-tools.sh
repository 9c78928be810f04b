#!/usr/bin/env bash
# npm-tools.sh: installs the npm tools pinned in tools/npm/package-lock.json
# (Redocly CLI, Redoc, openapi-typescript, openapi-fetch, TypeScript) into
# tools/npm/node_modules with `npm ci`, exactly as locked, when they are missing
# or do not match the lock file; does nothing otherwise. A stamp file records
# which lock file the installed tree matches.
#
# Used by scripts/check-openapi.sh and by the generated-client test in cmd/agora.
#
# Usage: scripts/npm-tools.sh   (from anywhere in the repository; needs node and npm,
#        and the npm registry when it has to install)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
npm_dir="$root/tools/npm"

die() { printf 'npm-tools: FAIL: %s\n' "$*" >&2; exit 1; }

[[ $# -eq 0 ]] || die "takes no arguments (got: $*)"
command -v node >/dev/null || die "node is not installed (Debian package nodejs, see scripts/apt-packages.txt)"
command -v npm >/dev/null || die "npm is not installed (Debian package npm, see scripts/apt-packages.txt)"

stamp="$npm_dir/node_modules/.agora-lock.sha256"
want="$(sha256sum "$npm_dir/package-lock.json" | cut -d' ' -f1)"
installed=true
for bin in redocly openapi-typescript tsc; do
	[[ -x "$npm_dir/node_modules/.bin/$bin" ]] || installed=false
done
if [[ $installed == true && "$(cat "$stamp" 2>/dev/null)" == "$want" ]]; then
	exit 0
fi
printf 'npm-tools: installing npm tools from %s\n' "$npm_dir/package-lock.json" >&2
npm ci --prefix "$npm_dir" --no-audit --no-fund --loglevel=error >&2 || die "npm ci failed in $npm_dir (is the npm registry reachable?)"
echo "$want" >"$stamp"
