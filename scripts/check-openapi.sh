#!/usr/bin/env bash
# check-openapi.sh: guards the OpenAPI document adapters/http/apidoc/openapi.yaml.
#
#   1. installs the pinned npm tools (tools/npm/package-lock.json) when missing or stale
#      (scripts/npm-tools.sh);
#   2. checks that the vendored Redoc bundle (adapters/http/apidoc/assets) is the
#      pinned npm package's file, byte for byte after its one documented patch
#      (tools/npm/vendor-redoc.mjs);
#   3. lints the document with Redocly CLI and the committed ruleset .redocly.yaml:
#      zero errors and zero warnings;
#   4. breaking-change check with oasdiff (a pinned Go module, run with `go run`):
#      the document is compared with the one in the previous commit
#      (`git show HEAD~1:adapters/http/apidoc/openapi.yaml`). Skipped, saying so,
#      when there is no previous commit (first commit, shallow clone) or it had no
#      document.
#
# Announcing a breaking change. A breaking change fails the check unless it is
# announced in one of two ways:
#   - add an entry to adapters/http/apidoc/BREAKING.md in the same change (the
#     check passes when BREAKING.md differs from its HEAD~1 version), or
#   - put a trailer line `API-Breaking: <what breaks and why>` in the message of
#     the commit that makes it (HEAD).
#
# Usage: scripts/check-openapi.sh   (from anywhere in the repository; needs node/npm, go, git)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

doc=adapters/http/apidoc/openapi.yaml
breaking_md=adapters/http/apidoc/BREAKING.md
npm_dir=tools/npm
oasdiff_module="github.com/oasdiff/oasdiff@v1.37.0"

log() { printf 'check-openapi: %s\n' "$*"; }
die() { printf 'check-openapi: FAIL: %s\n' "$*" >&2; exit 1; }

command -v node >/dev/null || die "node is not installed (Debian package nodejs, see scripts/apt-packages.txt)"
command -v npm >/dev/null || die "npm is not installed"
command -v go >/dev/null || die "go is not installed"

# 1. npm tools, installed exactly as locked (scripts/npm-tools.sh does nothing when they already are).
scripts/npm-tools.sh || die "could not install the npm tools"

# 2. The vendored renderer is the pinned one (with its one documented patch, see tools/npm/vendor-redoc.mjs).
node "$npm_dir/vendor-redoc.mjs" --check || die "vendored Redoc is stale"

# 3. Lint. Redocly CLI must not phone home; its banners are dropped from the output.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
lint_out="$(mktemp)"
trap 'rm -f "$lint_out" "${base:-}"' EXIT
set +e
"$npm_dir/node_modules/.bin/redocly" lint --config .redocly.yaml "$doc" >"$lint_out" 2>&1
lint_rc=$?
set -e
grep -v '[║╔╚]' "$lint_out" | sed '/^[[:space:]]*$/d'
[[ $lint_rc -eq 0 ]] || die "redocly lint found errors in $doc"
if grep -Eiq '[0-9]+ warnings?\b' "$lint_out"; then
	die "redocly lint found warnings in $doc (the ruleset allows none)"
fi
log "lint: no errors, no warnings"

# 4. Breaking changes against the previous commit.
if ! git rev-parse --verify --quiet HEAD~1 >/dev/null; then
	log "breaking-change check skipped: no previous commit here (first commit or shallow clone)"
	exit 0
fi
base="$(mktemp --suffix=.yaml)"
if ! git show "HEAD~1:$doc" >"$base" 2>/dev/null; then
	log "breaking-change check skipped: HEAD~1 has no $doc"
	exit 0
fi
set +e
GOFLAGS='' go run "$oasdiff_module" breaking --fail-on ERR --color never "$base" "$doc"
diff_rc=$?
set -e
if [[ $diff_rc -eq 0 ]]; then
	log "breaking-change check: no breaking change since HEAD~1"
	exit 0
fi
if ! git diff --quiet HEAD~1 -- "$breaking_md" 2>/dev/null; then
	log "breaking change announced in $breaking_md: allowed"
	exit 0
fi
if git log -1 --format=%B HEAD | grep -Eq '^API-Breaking:[[:space:]]*[^[:space:]]'; then
	log "breaking change announced by an API-Breaking: trailer in HEAD's message: allowed"
	exit 0
fi
die "unannounced breaking change in $doc (or oasdiff failed, see above); announce it in $breaking_md or with an 'API-Breaking: <why>' trailer"
