#!/usr/bin/env bash
# The README's curl walk-through, as a script that a test runs against a real
# server (cmd/agora/e2e_walkthrough_test.go), so the documentation cannot rot.
#   docs/walkthrough.sh [BASE_URL]      (default http://localhost:8000)
# Needs curl and jq. Creates two users, alice_<suffix> and bob_<suffix>.
set -euo pipefail
BASE="${1:-http://localhost:8000}"
API="$BASE/api/v1"
S="${WALKTHROUGH_SUFFIX:-$RANDOM$RANDOM}"
PW='correct horse battery staple'

step() { printf '\n== %s\n' "$*" >&2; }
# call METHOD PATH [JSON] [TOKEN]: prints the body, fails on a status >= 400.
call() {
  local method=$1 path=$2 body=${3:-} token=${4:-}
  local args=(-sS -X "$method" -w '\n%{http_code}' "$API$path")
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' -d "$body")
  [ -n "$token" ] && args+=(-H "Authorization: Bearer $token")
  local out status
  out=$(curl "${args[@]}")
  status=${out##*$'\n'}
  out=${out%$'\n'*}
  echo "$method $path -> $status" >&2
  if [ "$status" -ge 400 ]; then echo "$out" >&2; return 1; fi
  printf '%s' "$out"
}

step "Register alice and bob (each answer carries tokens)"
call POST /auth/register "{\"username\":\"alice_$S\",\"email\":\"alice_$S@example.com\",\"password\":\"$PW\",\"display_name\":\"Alice\"}" >/dev/null
BOB=$(call POST /auth/register "{\"username\":\"bob_$S\",\"email\":\"bob_$S@example.com\",\"password\":\"$PW\"}")
BOB_TOKEN=$(jq -r .access_token <<<"$BOB")

step "Log in as alice"
LOGIN=$(call POST /auth/login "{\"login\":\"alice_$S\",\"password\":\"$PW\"}")
TOKEN=$(jq -r .access_token <<<"$LOGIN")
REFRESH=$(jq -r .refresh_token <<<"$LOGIN")

step "Refresh: a new pair; the old refresh token is spent"
REFRESHED=$(call POST /auth/refresh "{\"refresh_token\":\"$REFRESH\"}")
TOKEN=$(jq -r .access_token <<<"$REFRESHED")
REFRESH=$(jq -r .refresh_token <<<"$REFRESHED")

step "Who am I"
call GET /users/me "" "$TOKEN" | jq -e ".username == \"alice_$S\"" >/dev/null

step "Alice posts to her connections only"
POST=$(call POST /posts '{"body":"Hello, network!","visibility":"connections"}' "$TOKEN")
POST_ID=$(jq -r .id <<<"$POST")

step "Alice asks bob to connect; bob accepts"
REQ=$(call POST /connection-requests "{\"username\":\"bob_$S\",\"message\":\"We met at the meetup\"}" "$TOKEN")
REQ_ID=$(jq -r .id <<<"$REQ")
call GET "/connection-requests?direction=incoming" "" "$BOB_TOKEN" | jq -e ".items[0].id == \"$REQ_ID\"" >/dev/null
call POST "/connection-requests/$REQ_ID/accept" "" "$BOB_TOKEN" | jq -e '.status == "accepted"' >/dev/null

step "Bob now sees alice's post, in his feed and by id"
call GET "/feed?limit=10" "" "$BOB_TOKEN" | jq -e ".items[0].id == \"$POST_ID\"" >/dev/null
call GET "/posts/$POST_ID" "" "$BOB_TOKEN" | jq -e '.author.display_name == "Alice"' >/dev/null

step "Alice's profile as bob sees it"
call GET "/users/alice_$S" "" "$BOB_TOKEN" | jq -e '.connection == "connected" and .connections_count == 1' >/dev/null

step "Pages: limit and next_cursor (keyset, stable while posts arrive)"
call POST /posts '{"body":"A second, public post."}' "$TOKEN" >/dev/null
PAGE1=$(call GET "/feed?limit=1" "" "$BOB_TOKEN")
CURSOR=$(jq -r .next_cursor <<<"$PAGE1")
call GET "/feed?limit=1&cursor=$CURSOR" "" "$BOB_TOKEN" | jq -e ".items[0].id == \"$POST_ID\"" >/dev/null

step "Connections; everything stored about you (sessions without secrets)"
call GET /connections "" "$TOKEN" | jq -e ".items[0].user.username == \"bob_$S\"" >/dev/null
call GET /users/me/export "" "$TOKEN" | jq -e '(.posts | length) == 2 and (.sessions | length) >= 1' >/dev/null

step "The public keys that verify access tokens"
curl -sS "$BASE/.well-known/jwks.json" | jq -e '.keys[0].alg == "EdDSA"' >/dev/null

step "Bob blocks alice: each is now 404 to the other (and their connection is gone)"
call PUT "/blocks/alice_$S" "" "$BOB_TOKEN" >/dev/null
if call GET "/users/bob_$S" "" "$TOKEN" >/dev/null 2>&1; then echo "a blocked profile is visible" >&2; exit 1; fi
call DELETE "/blocks/alice_$S" "" "$BOB_TOKEN" >/dev/null

step "Log out: the refresh token and the access token stop working at once"
call POST /auth/logout "{\"refresh_token\":\"$REFRESH\"}" >/dev/null
if call GET /users/me "" "$TOKEN" >/dev/null 2>&1; then
  echo "the access token still works after logout" >&2
  exit 1
fi
echo "GET /users/me with the old token -> 401, as it should" >&2
printf '\nwalk-through complete\n' >&2
