#!/usr/bin/env bash
# Dead code check, run by `make lint`: prints every dead function and fails
# if there is one. golang.org/x/tools/cmd/deadcode (pinned in tools/go.mod)
# walks the call graph from the program entry points, twice:
#  1. from the binaries' main functions, tests not counted, over every
#     package but the test-support ones (named *test or *fake: pgtest,
#     apitest, socialtest...). A production function that only a test calls
#     is a test hook and is reported: delete it, or move it into an
#     export_test.go of its package.
#  2. from the test binaries too, over the test-support packages alone: a
#     helper that no test calls is reported.
# Generated code counts (-generated): a sqlc query that nothing calls is
# reported too; drop it from sql/queries and `make generate`.
set -euo pipefail
cd "$(dirname "$0")/.."
support='^agora/(.*/)?[a-z]+(test|fake)$'
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dead() { go tool -modfile=tools/go.mod deadcode -generated "$@"; }

# Both walks load the whole module; they run side by side.
dead -f '{{range .Funcs}}{{$.Path}}{{"\t"}}{{.Position}}: unreachable func: {{.Name}}{{"\n"}}{{end}}' ./... \
  >"$tmp/prod" 2>"$tmp/prod.err" &
prod=$!
dead -test -filter "$support" ./... >"$tmp/support" 2>"$tmp/support.err" &
support_pid=$!
status=0
wait "$prod" || status=$?
wait "$support_pid" || status=$?
cat "$tmp/prod.err" "$tmp/support.err" >&2
if [ "$status" -ne 0 ]; then
  echo "deadcode: the analysis itself failed (exit $status)" >&2
  exit "$status"
fi
awk -F '\t' -v re="$support" '$1 !~ re { print $2 }' "$tmp/prod" >"$tmp/found"
cat "$tmp/support" >>"$tmp/found"
if [ -s "$tmp/found" ]; then
  cat "$tmp/found"
  echo "deadcode: $(wc -l <"$tmp/found") dead functions (see scripts/deadcode.sh for what to do)" >&2
  exit 1
fi
echo "deadcode: no dead code"
