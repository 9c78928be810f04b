#!/usr/bin/env bash
# Runs every Go fuzz target in the module for a bounded time each.
#   scripts/fuzz.sh [FUZZTIME]   (default 30s; `make test` uses a few seconds)
# Seed corpora live in each package's testdata/fuzz/ and also run as plain
# tests in `go test`.
set -euo pipefail
fuzztime="${1:-30s}"
cd "$(dirname "$0")/.."
found=0
while read -r pkg; do
  while read -r target; do
    case "$target" in Fuzz*) ;; *) continue ;; esac
    found=$((found + 1))
    echo "fuzz: $pkg $target for $fuzztime"
    corpus="${pkg#agora/}/testdata/fuzz/$target"
    before=$({ find "$corpus" -type f 2>/dev/null || true; } | wc -l)
    run() { go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg" >/tmp/agora-fuzz.log 2>&1; }
    # Go's fuzzing engine sometimes ends a run with a bare "context deadline
    # exceeded" when -fuzztime expires while a worker is busy (seen on
    # FuzzHostileInputOnPostgres, whose inputs go to PostgreSQL). A real
    # failure writes its input to testdata/fuzz; this flake writes none, so it
    # gets one more run, said out loud.
    run || {
      if [ "$({ find "$corpus" -type f 2>/dev/null || true; } | wc -l)" = "$before" ] &&
        [ "$(grep -cv -e '^fuzz: elapsed' -e '^--- FAIL' -e 'context deadline exceeded' -e '^FAIL' -e '^exit status' /tmp/agora-fuzz.log)" = 0 ]; then
        echo "fuzz: $target ended with the engine's bare 'context deadline exceeded' and no failing input; running it once more"
        run
      else
        false
      fi
    } || {
      cat /tmp/agora-fuzz.log
      echo "fuzz: $target in $pkg failed; the failing input is under $pkg/testdata/fuzz/$target/" >&2
      exit 1
    }
  done < <(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true)
done < <(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u | sed 's|^\.|agora|')
echo "fuzz: $found targets ran for $fuzztime each, no failure"
