#!/usr/bin/env bash
# Proves the hexagon's import rules bite, run by `make lint`: copies the
# working tree to a temporary folder, plants one forbidden import per
# depguard rule (and one allowed import as a control), runs golangci-lint
# with the repository's .golangci.yml (depguard only, on the packages
# touched) and fails unless each forbidden import, and only those, is
# reported. Adding a rule to .golangci.yml: add its plant here.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root"
git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$tmp" 2>/dev/null || true
cd "$tmp"

# dir|import|rule that must report it ("" = must pass)
plants=(
  "ports/social|net/http|ports"
  "ports/identity|database/sql|ports"
  "ports|github.com/jackc/pgx/v5|ports"
  "ports/social/socialtest|go.opentelemetry.io/otel|ports"
  "ports/identity/identitytest|net/url|"
  "domain/post|github.com/jackc/pgx/v5|domain"
  "adapters/http|agora/adapters/postgres|http-not-postgres"
  "adapters/postgres|agora/adapters/http/apidoc|postgres-not-http"
)
pkgs=()
for p in "${plants[@]}"; do
  IFS='|' read -r dir imp _ <<<"$p"
  name=$(go list -f '{{.Name}}' "./$dir")
  printf 'package %s\n\nimport _ "%s"\n' "$name" "$imp" >"$dir/zz_planted.go"
  pkgs+=("./$dir")
done

out=$(go tool -modfile=tools/go.mod golangci-lint run --allow-serial-runners --enable-only depguard --max-same-issues 0 \
  --max-issues-per-linter 0 "${pkgs[@]}" 2>&1) && code=0 || code=$?
fail=0
for p in "${plants[@]}"; do
  IFS='|' read -r dir imp rule <<<"$p"
  hits=$(grep -cF "$dir/zz_planted.go:3:8: import '$imp' is not allowed from list '$rule'" <<<"$out" || true)
  any=$(grep -cF "$dir/zz_planted.go" <<<"$out" || true)
  if [ -n "$rule" ] && [ "$hits" -ne 1 ]; then
    echo "check-depguard: $dir importing $imp was not reported by rule '$rule'" >&2
    fail=1
  elif [ -z "$rule" ] && [ "$any" -ne 0 ]; then
    echo "check-depguard: $dir importing $imp (allowed) was reported" >&2
    fail=1
  fi
done
# Only the plants may be reported: the tree itself is clean.
if grep -E '^[^ ]+\.go:[0-9]+' <<<"$out" | grep -vq 'zz_planted.go'; then
  echo "check-depguard: findings outside the planted files" >&2
  fail=1
fi
if [ "$code" -eq 0 ]; then
  echo "check-depguard: golangci-lint passed with forbidden imports planted" >&2
  fail=1
fi
if [ "$fail" -ne 0 ]; then
  echo "$out" >&2
  exit 1
fi
echo "check-depguard: $(grep -c '|[^|]*|.' <<<"$(printf '%s\n' "${plants[@]}")") planted forbidden imports reported, the allowed one not"
