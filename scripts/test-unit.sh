#!/usr/bin/env bash
# `make test-unit`: the edit-compile-test loop. Runs `go test -short` (cached,
# no race detector) over the packages whose test binaries link neither
# pgtest nor agoratest, i.e. need no PostgreSQL, leaving out deploy/ and
# observability/ (their tests drive nginx, promtool, amtool, Docker...).
# That is the domain, ports with its fakes and contract suites, and the
# adapters that need no database; -short skips the one test among them that
# needs a system program (the docs page in Chromium). The list is computed,
# so a package whose tests start using pgtest leaves it by itself.
# Extra arguments go to go test: scripts/test-unit.sh -run Feed -v
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t pkgs < <(go list -test -f '{{.ImportPath}}|{{join .Deps " "}}' ./... |
  awk -F'|' '$1 ~ /\.test$/ && $2 !~ /(^| )agora\/(adapters\/postgres\/pgtest|cmd\/agora\/agoratest)( |$)/ {
    sub(/\.test$/, "", $1); print $1 }' |
  grep -vE '^agora/(deploy|observability)(/|$)')
if [ "${#pkgs[@]}" -eq 0 ]; then
  echo "test-unit: no package found" >&2
  exit 1
fi
go test -short "$@" "${pkgs[@]}"
