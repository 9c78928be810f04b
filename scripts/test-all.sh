#!/usr/bin/env bash
# `make test`: everything CI runs. The live Compose stack (`make test-stack`,
# about 7 minutes, most of it waiting on containers and timers) runs beside
# the rest instead of after it; its lines stream as they come, each prefixed
# with "[stack] ". Both halves always run to their end (the stack tears
# itself down), and the run fails when either fails, saying which.
#   scripts/test-all.sh     (no arguments; MAKE may name the make to use)
set -uo pipefail
if [ "$#" -ne 0 ]; then
  echo "usage: scripts/test-all.sh (no arguments: it runs what \`make test\` runs)" >&2
  exit 2
fi
cd "$(dirname "$0")/.." || exit 1
make=${MAKE:-make}
started=$(date +%s)
took() { echo "$(($(date +%s) - started)) s"; }

# System packages first: both halves need them.
"$make" --no-print-directory deps || exit 1

# setsid: the stack half gets a process group of its own, so an interrupt
# reaches it once, through the trap, and it can tear its containers down.
# shellcheck disable=SC2016 # $0 expands in the inner shell, on purpose
setsid bash -c 'set -o pipefail; "$0" --no-print-directory test-stack 2>&1 | sed -u "s/^/[stack] /"' "$make" &
stack=$!
trap 'kill -INT -- -"$stack" 2>/dev/null; wait "$stack"; exit 130' INT TERM

"$make" --no-print-directory check-generated vet lint check-openapi test-go fuzz-brief
rest=$?
echo "test-all: the checks besides the stack ended after $(took) (exit $rest); waiting for the live stack"
wait "$stack"
stackrc=$?
trap - INT TERM

echo "test-all: done after $(took): stack exit $stackrc, the rest exit $rest"
if [ "$stackrc" -ne 0 ]; then echo "test-all: FAILED: the live stack test (lines marked [stack])" >&2; fi
if [ "$rest" -ne 0 ]; then echo "test-all: FAILED: the checks besides the stack (see above)" >&2; fi
[ "$stackrc" -eq 0 ] && [ "$rest" -eq 0 ]
