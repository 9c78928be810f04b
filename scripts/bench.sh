#!/usr/bin/env bash
# make bench: builds Agora, starts a throwaway PostgreSQL (fsync on), seeds
# the 1M-post data set (BENCH_SMALL=1: a small one), VACUUM ANALYZE, serves
# Agora with rate limits off, drives load from separate processes (wrk for
# saturation, vegeta through bench/loadgen for constant rate), then stops
# Agora and, right after each endpoint's run (Agora idle), pgbench -M
# prepared over the same SQL as the database's own ceiling. Writes
# docs/benchmarks.md and prints the table.
#
# Knobs: BENCH_SMALL=1, BENCH_DURATION (seconds per phase, default 10),
# BENCH_CONNS (default 64), BENCH_POOL (Agora's pool_max_conns; default: its
# own, 4 per core), BENCH_PROFILE=1 (CPU profiles of Agora under
# saturation into tmp/bench/), BENCH_KEEP=1 (keep the work folder).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
t0=$(date +%s)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
small=${BENCH_SMALL:-0}
dur=${BENCH_DURATION:-10}
conns=${BENCH_CONNS:-64}
password=benchpassword
if [ "$small" = 1 ]; then
  users=1000 posts=20 connections=20 dur=${BENCH_DURATION:-4}
else
  users=10000 posts=100 connections=20
fi
# The knobs are checked before anything is built or seeded: a bad one fails
# in a second, not after a million posts.
case $small in 0 | 1) ;; *) echo "bench: BENCH_SMALL must be 0 or 1, got '$small'" >&2; exit 2 ;; esac
for knob in "BENCH_DURATION:$dur" "BENCH_CONNS:$conns" ${BENCH_POOL+"BENCH_POOL:$BENCH_POOL"}; do
  [[ ${knob#*:} =~ ^[1-9][0-9]{0,3}$ ]] || { echo "bench: ${knob%%:*} must be a whole number from 1 to 9999, got '${knob#*:}'" >&2; exit 2; }
done
login_users=64 # users with tokens: user1..user64
pool=${BENCH_POOL:-$((4 * $(nproc)))} # Agora's pool_max_conns (its default: 4 per core)

me=bench
# shellcheck source=lib.sh
source "$root/scripts/lib.sh"

for tool in wrk go; do command -v "$tool" >/dev/null || die "$tool not found: run 'make deps' (apt: $(grep -x wrk scripts/apt-packages.txt || true))"; done
find_pg_bin
keep_work=${BENCH_KEEP:-0}
make_work
pgdata="$work/pg"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# --- build -------------------------------------------------------------------
say "building agora and loadgen"
go build -trimpath -ldflags '-s -w' -o "$work/agora" ./cmd/agora # as make build
(cd bench && go build -trimpath -o "$work/loadgen" ./loadgen)
go test -c -o "$work/pwbench" ./adapters/password
lg="$work/loadgen"

# --- PostgreSQL: the production settings of deploy/compose.yaml, fsync on ----
pgport=$("$lg" port)
mkdir "$pgdata"
[ "$(id -u)" = 0 ] && chown postgres: "$pgdata"
as_pg "$bin/initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
pg_settings="shared_buffers=128MB effective_cache_size=384MB work_mem=4MB maintenance_work_mem=64MB max_connections=150 fsync=on shared_preload_libraries=pg_stat_statements"
pgopts="-p $pgport -c listen_addresses=127.0.0.1 -k $pgdata"
for s in $pg_settings; do pgopts+=" -c $s"; done
as_pg "$bin/pg_ctl" -D "$pgdata" -w -l "$pgdata/server.log" -o "$pgopts" start >/dev/null
export PGHOST=127.0.0.1 PGPORT=$pgport PGUSER=postgres PGDATABASE=agora
psql -qAt -d postgres -c "CREATE DATABASE agora" >/dev/null
dburl="postgres://postgres@127.0.0.1:$pgport/agora?sslmode=disable"
q() { psql -qAtX -v ON_ERROR_STOP=1 -c "$1"; }
q "CREATE EXTENSION pg_stat_statements"
# What each phase's statements cost inside PostgreSQL (calls, mean execution
# and planning time), saved to tmp/bench/pgss-PHASE.txt for bench/notes.md.
pgss_reset() { q "SELECT pg_stat_statements_reset()" >/dev/null; }
pgss_save() {
  mkdir -p "$root/tmp/bench"
  psql -qX -c "SELECT calls, round((total_exec_time / calls * 1000)::numeric) AS exec_us,
      round((total_plan_time / calls * 1000)::numeric) AS plan_us, plans, rows / calls AS rows,
      shared_blks_hit / calls AS hits, left(regexp_replace(query, '\s+', ' ', 'g'), 160) AS query
    FROM pg_stat_statements WHERE calls > 100 ORDER BY total_exec_time DESC LIMIT 8" >"$root/tmp/bench/pgss-$1.txt"
}

# quiesce: every measured phase, Agora's and pgbench's alike, starts on the
# seeded data set at rest. The rows earlier phases wrote are deleted (the
# create phases' posts, all marked "Benchmark post", and every session but
# the 64 the tokens belong to: without this, pass 2 and every pgbench phase
# would read feeds full of the benchmark users' own new posts), then the
# maintenance they owe is done, so that no phase pays for another's writes in
# its CPU per request: VACUUM ANALYZE (what autovacuum would otherwise start
# in the middle of the next phase), a CHECKPOINT (the dirty pages), and a
# bounded wait for any autovacuum worker still running.
quiesce() {
  if [ "$(q "SELECT to_regclass('bench_sessions') IS NOT NULL")" = t ]; then
    q "DELETE FROM posts WHERE body LIKE 'Benchmark post%';
       DELETE FROM sessions WHERE id NOT IN (SELECT session_id FROM bench_sessions)" >/dev/null
  fi
  q "VACUUM ANALYZE"
  q "CHECKPOINT"
  none_left "backend_type = 'autovacuum worker'" "an autovacuum worker" 10
}

# none_left WHERE WHAT SECONDS: waits, SECONDS at most, until no backend of
# pg_stat_activity matches WHERE; past that it says so and measures anyway.
none_left() {
  local _
  for _ in $(seq 1 $(($3 * 20))); do
    [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE $1")" = 0 ] && return 0
    sleep 0.05
  done
  say "$2 still there after $3 s; measuring anyway"
}

# --- data set ----------------------------------------------------------------
DATABASE_URL=$dburl "$work/agora" migrate up >/dev/null
say "seeding $users users x $posts posts x $connections connections"
s0=$(now)
DATABASE_URL=$dburl "$work/agora" seed --users "$users" --posts-per-user "$posts" \
  --connections-per-user "$connections" --password "$password" --seed 1 >&2
seed_s=$(since "$s0")
s0=$(now)
q "VACUUM ANALYZE"
vacuum_s=$(since "$s0")
say "seed ${seed_s}s, VACUUM ANALYZE ${vacuum_s}s"

# --- Agora -------------------------------------------------------------------
"$work/agora" keygen -out "$work/jwt.pem" >/dev/null
port=$("$lg" port)
mport=$("$lg" port)
base="http://127.0.0.1:$port"
mkdir "$work/mail"
start_agora() {
  env -i PATH="$PATH" DATABASE_URL="$dburl${BENCH_POOL:+&pool_max_conns=$BENCH_POOL}" HTTP_ADDR="127.0.0.1:$port" METRICS_ADDR="127.0.0.1:$mport" \
    JWT_PRIVATE_KEY_FILE="$work/jwt.pem" RATE_LIMIT_ENABLED=false MAIL_DIR="$work/mail" \
    ACCESS_TOKEN_TTL=1h LOG_LEVEL=info GOMEMLIMIT=250MiB \
    "$work/agora" serve >>"$work/agora.log" 2>&1 &
  agora_pid=$!
  "$lg" wait -url "$base/readyz" -timeout 15s || { tail -5 "$work/agora.log" >&2; die "agora not ready"; }
}
start_agora
rss() { [ -n "$agora_pid" ] || { echo 0; return; }; awk '/^VmHWM/ {printf "%.1f", $2/1024}' "/proc/$agora_pid/status"; }
reset_rss() { echo 5 >"/proc/$agora_pid/clear_refs" 2>/dev/null || true; }

say "logging in user1..user$login_users"
"$lg" login -url "$base" -users "$login_users" -password "$password" -out "$work/tokens.txt"
q "SELECT id FROM posts WHERE visibility = 'public' ORDER BY md5(id::text) LIMIT 10000" >"$work/ids.txt"
rss_start=$(rss)

# --- the statements one request issues, as PostgreSQL logs them ------------------
# (bench/pgbench/*.sql must run the same; the report lists them.)
statements="$work/statements.md"
capture() { # capture NAME loadgen-once-args...: every statement logged while it runs (an sqlc query by its name, anything else by its first 60 characters)
  local name=$1 from
  shift
  "$lg" once "$@" # once first, so that caches are warm as in a run
  sleep 0.2
  from=$(wc -l <"$pgdata/server.log")
  "$lg" once "$@"
  sleep 0.2
  printf -- '- %s: %s\n' "$name" "$(tail -n +"$((from + 1))" "$pgdata/server.log" |
    sed -nE -e 's/.*LOG:  execute [^:]*: -- name: ([A-Za-z]+).*/\1/p' -e t -e 's/.*LOG:  (execute [^:]*|statement): (.{1,60}).*/\2/p' |
    paste -sd, - | sed 's/,/, /g')" >>"$statements"
}
q "ALTER SYSTEM SET log_statement = 'all'"
q "SELECT pg_reload_conf()" >/dev/null
sleep 0.2
: >"$statements"
tok=$(head -1 "$work/tokens.txt")
capture "GET /api/v1/posts/{id}" -url "$base/api/v1/posts/$(head -1 "$work/ids.txt")" -token "$tok"
capture "GET /api/v1/feed" -url "$base/api/v1/feed" -token "$tok"
capture "POST /api/v1/posts" -url "$base/api/v1/posts" -method POST -token "$tok" -body '{"body":"Statement capture.","visibility":"public"}'
capture "POST /api/v1/auth/login" -url "$base/api/v1/auth/login" -method POST -body "{\"login\":\"user1\",\"password\":\"$password\"}"
q "ALTER SYSTEM RESET log_statement"
q "SELECT pg_reload_conf()" >/dev/null

# CPU seconds used so far by Agora and by PostgreSQL (postmaster and every
# backend and worker): "AGORA DB". A phase's share is the difference.
pm=$(head -1 "$pgdata/postmaster.pid")
cpu_now() { "$lg" cpu -agora "${agora_pid:-0}" -postmaster "$pm"; }
cpu0=""
cpu_start() { cpu0=$(cpu_now); }
add_rss() { # add_rss JSON -> the same object with this phase's peak RSS and CPU
  local c1 cpu
  c1=$(cpu_now)
  cpu=$(awk -v a="$cpu0" -v b="$c1" 'BEGIN {split(a, x, " "); split(b, y, " ");
    printf "\"app_cpu_s\":%.2f,\"db_cpu_s\":%.2f,\"steal_s\":%.2f", y[1] - x[1], y[2] - x[2], y[3] - x[3]}')
  printf '%s,"peak_rss_mb":%s,%s}\n' "${1%\}}" "$(rss)" "$cpu"
}
run_wrk() { # run_wrk MODE NAME SECONDS [KEY] -> one result line on stdout
  local mode=$1 name=$2 secs=$3 key=${4:-sat/$1}
  BENCH_MODE=$mode BENCH_KEY="$key" BENCH_NAME="$name" BENCH_CONNS=$conns BENCH_TOKENS="$work/tokens.txt" \
    BENCH_IDS="$work/ids.txt" BENCH_USERS=$users BENCH_PASSWORD=$password \
    wrk -t2 -c"$conns" -d"${secs}s" --timeout 10s -s bench/wrk/agora.lua "$base" | grep '^{'
}
prof_pid=""
profile() { # profile NAME SECONDS: a CPU profile of Agora in the background
  prof_pid=""
  [ "${BENCH_PROFILE:-0}" = 1 ] || return 0
  mkdir -p "$root/tmp/bench"
  "$lg" get -url "http://127.0.0.1:$mport/debug/pprof/profile?seconds=$2" -out "$root/tmp/bench/$1.pprof" &
  prof_pid=$!
}

# The machine's verification rate, the login target's yardstick: argon2id
# alone on every core (go test -bench VerifyParallel), three runs of 2 s just
# before the login phase and three just after it (hasher_runs), and the
# median of the six (hasher_rate). Not the best run: the login phase is a
# 10-second average over whatever the machine is doing, and this shared host's
# speed moves by 10 % within minutes (112 and 122 verifications/s in two
# passes of one run), so the best of three overstated the rate the login
# phase actually had; the median of runs on both sides of it does not.
hasher_runs() {
  say "hasher benchmark (adapters/password)"
  "$work/pwbench" -test.run '^$' -test.bench 'BenchmarkVerifyParallel$' -test.benchtime 2s -test.count 3 2>&1 |
    awk '/^BenchmarkVerifyParallel/ {printf "%.1f\n", 1e9 / $3}' >>"$work/hash-rates-$1.txt" || true
}
hasher_rate() {
  local rates
  rates=$(sort -n "$work/hash-rates-$1.txt")
  [ -n "$rates" ] || die "the hasher benchmark printed no result"
  hash_rate_all=$(awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f", (v[NR / 2] + v[NR / 2 + 1]) / 2}' <<<"$rates")
  hash_runs="$(head -3 "$work/hash-rates-$1.txt" | paste -sd' ' -) before, $(tail -n +4 "$work/hash-rates-$1.txt" | paste -sd' ' -) after"
  printf '{"key":"hash/all","name":"the median of %s","tool":"go test","mode":"ceiling","requests":0,"seconds":0,"throughput":%s,"p50_ms":0,"p99_ms":0,"errors":0,"runs":[%s]}\n' \
    "$hash_runs" "$hash_rate_all" "$(paste -sd, "$work/hash-rates-$1.txt")" >>"$results"
}

# pgbench_script EP prints the pgbench script of EP. bench/pgbench/EP.sql,
# with each line "-- include: FILE" replaced by bench/pgbench/FILE (pgbench
# has no include; the issue-18 scripts share their session check). feed-now
# is no file: it is the Feed statement of sql/queries/posts.sql as Agora
# sends it now, for a viewer drawn from bench_sessions, on the first page
# (limit 20: 21 rows asked for); sqlc.embed(p) is every column of posts.
pgbench_script() {
  if [ "$1" = feed-now ]; then
    printf '\\set s random(1, :sessions)\n'
    awk '/^-- name: Feed / {on = 1; next} on && !/^--/ {print} on && /;$/ && !/^--/ {exit}' sql/queries/posts.sql | sed \
      -e 's/sqlc\.embed(p)/p.*/' \
      -e 's/sqlc\.arg(viewer)::uuid/(SELECT user_id FROM bench_sessions WHERE k = :s)/g' \
      -e "s/sqlc\.arg(before_time)::timestamptz/'9999-12-31T00:00:00Z'::timestamptz/" \
      -e "s/sqlc\.arg(before_id)::uuid/'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid/" \
      -e 's/sqlc\.arg(max_rows)/21/g'
  else
    awk '/^-- include: / {f = "bench/pgbench/" $3; while ((getline l <f) > 0) print l; close(f); next} {print}' "bench/pgbench/$1.sql"
  fi
}

# Inputs for the pgbench scripts: the logged-in sessions and the sampled post ids.
q "CREATE TABLE bench_sessions AS
     SELECT row_number() OVER (ORDER BY s.created_at)::int AS k, s.id AS session_id, s.user_id
     FROM (SELECT DISTINCT ON (user_id) * FROM sessions WHERE revoked_at IS NULL ORDER BY user_id, created_at) s
     JOIN users u ON u.id = s.user_id
     WHERE u.username ~ '^user([1-9]|[1-5][0-9]|6[0-4])\$';
   ALTER TABLE bench_sessions ADD PRIMARY KEY (k);
   CREATE TABLE bench_posts (k serial PRIMARY KEY, id uuid NOT NULL);"
psql -qX -c "\\copy bench_posts (id) FROM '$work/ids.txt'"
q "ANALYZE bench_sessions; ANALYZE bench_posts"
nsess=$(q "SELECT count(*) FROM bench_sessions")
nposts=$(q "SELECT count(*) FROM bench_posts")

run_pgbench() { # run_pgbench EP SECONDS CLIENTS -> pgbench's output
  local out
  out=$(pgbench -n -M prepared -c "$3" -j 2 -T "$2" -D sessions="$nsess" -D posts="$nposts" \
    -D users="$users" -f "$work/$1.sql" 2>&1) || { echo "$out" >&2; die "pgbench $1 failed"; }
  echo "$out"
}
backends_gone() { none_left "application_name = 'pgbench'" "pgbench's backends" 5; }

# saturation MODE NAME PASS: Agora at $conns connections (wrk).
saturation() {
  local mode=$1 name=$2 line
  say "saturation: $name, $conns connections, ${dur}s"
  quiesce
  reset_rss # before the warm-up: a cold start's memory counts too
  run_wrk "$mode" "$name" 2 >/dev/null || true # warm-up: pool, caches, statement caches
  profile "$mode-$3" $((dur - 1))
  pgss_reset
  cpu_start
  line=$(run_wrk "$mode" "$name" "$dur")
  [ -z "$prof_pid" ] || wait "$prof_pid" || say "profile of $mode failed"
  add_rss "$line" >>"$results"
  pgss_save "sat-$mode-$3"
}

# ceiling EP PASS: pgbench -M prepared over bench/pgbench/EP.sql, the SQL of
# a request when issue 18 was filed (post, feed, create, login: the ceiling
# each saturation row is compared with), or feed-now, the feed statement
# Agora issues now, alone (its session check is answered from memory): the
# yardstick for the feed's database CPU per request; feed-now-pool is the
# same at as many clients as Agora's pool has connections (information
# beside the issue's 64 clients: fewer backends on two cores spend less CPU
# each). Agora is idle meanwhile (its pool's connections open, unused).
ceiling() {
  local ep=$1 clients=$conns out tps lat n failed line
  [ "$ep" = feed-now-pool ] && clients=$pool
  say "pgbench: the SQL of $ep, $clients clients, ${dur}s"
  pgbench_script "${ep%-pool}" >"$work/$ep.sql"
  quiesce
  run_pgbench "$ep" 2 "$clients" >/dev/null # warm-up, as Agora's phases have one
  backends_gone
  pgss_reset
  cpu_start
  out=$(run_pgbench "$ep" "$dur" "$clients")
  backends_gone # their CPU is in the postmaster's only once they are reaped
  tps=$(awk '/^tps = / {print $3; exit}' <<<"$out")
  lat=$(awk '/^latency average = / {print $4; exit}' <<<"$out")
  n=$(awk '/^number of transactions actually processed:/ {print $6; exit}' <<<"$out")
  failed=$(awk '/^number of failed transactions:/ {print $5; exit}' <<<"$out")
  line=$(printf '{"key":"pg/%s","name":"%s","tool":"pgbench","mode":"ceiling","conns":%d,"requests":%s,"seconds":%s,"throughput":%s,"p50_ms":%s,"p99_ms":0,"errors":%s}' \
    "$ep" "$ep" "$clients" "${n:-0}" "$dur" "${tps:-0}" "${lat:-0}" "${failed:-0}")
  add_rss "$line" >>"$results"
  pgss_save "pg-$ep-$2"
}

# Two passes over the same data set (Agora restarted for the second). Each
# endpoint's saturation run is followed at once by its pgbench ceiling, so
# that both see the machine in the same minute: this host's speed moves, and
# with every pgbench run at the end of a pass the same SQL's ceiling moved by
# 60 % between passes of one run. Then constant rate and the login flood.
run_pass() {
  results="$work/results-$1.jsonl"
  : >"$results"
  [ -n "$agora_pid" ] || start_agora
  saturation post "GET /api/v1/posts/{id}" "$1"
  ceiling post "$1"
  saturation feed "GET /api/v1/feed" "$1"
  ceiling feed "$1"
  ceiling feed-now "$1"
  ceiling feed-now-pool "$1"
  saturation create "POST /api/v1/posts" "$1"
  ceiling create "$1"
  quiesce
  hasher_runs "$1"
  saturation login "POST /api/v1/auth/login" "$1"
  quiesce
  hasher_runs "$1"
  hasher_rate "$1"
  ceiling login "$1"

  # --- constant rate: vegeta -------------------------------------------------------
  for spec in "post:1000:GET /api/v1/posts/{id}" "feed:500:GET /api/v1/feed"; do
    IFS=: read -r ep rate name <<<"$spec"
    say "constant rate: $name at $rate req/s, ${dur}s"
    quiesce
    reset_rss
    cpu_start
    line=$("$lg" rate -url "$base" -endpoint "$ep" -rate "$rate" -duration "${dur}s" -tokens "$work/tokens.txt" \
      -ids "$work/ids.txt" -key "rate/$ep" -name "$name")
    add_rss "$line" >>"$results"
  done

  say "login flood ($conns connections) with GET /api/v1/posts/{id} at 200 req/s beside it, ${dur}s"
  quiesce
  reset_rss
  cpu_start
  run_wrk login "login flood (beside GET /api/v1/posts/{id} at 200 req/s)" $((dur + 2)) flood/login >"$work/flood-login.json" &
  flood=$!
  sleep 1
  line=$("$lg" rate -url "$base" -endpoint post -rate 200 -duration "${dur}s" -tokens "$work/tokens.txt" \
    -ids "$work/ids.txt" -key flood/post -mode flood -name "GET /api/v1/posts/{id} (login flood)")
  wait "$flood" || die "the login flood's wrk failed"
  add_rss "$line" >>"$results"
  cat "$work/flood-login.json" >>"$results" # the flood itself: the report checks it was one

  kill "$agora_pid"
  wait "$agora_pid" 2>/dev/null || true
  agora_pid=""
}
for pass in 1 2; do
  say "pass $pass of 2"
  run_pass "$pass"
done

# --- report ---------------------------------------------------------------------
meta="$work/meta.tsv"
{
  printf 'date\t%s\n' "$(date -u +%Y-%m-%dT%H:%MZ)"
  printf 'cpu\t%s\n' "$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
  printf 'cores\t%s\n' "$(nproc)"
  printf 'memory\t%s\n' "$(awk '/^MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  printf 'kernel\t%s\n' "$(uname -r)"
  # shellcheck source=/dev/null
  printf 'os\t%s\n' "$(. /etc/os-release && echo "$PRETTY_NAME")"
  printf 'go\t%s\n' "$(go env GOVERSION)"
  printf 'postgres\t%s\n' "$("$bin/postgres" --version)"
  printf 'pg_settings\t%s\n' "$pg_settings"
  printf 'pgbench\t%s\n' "$(pgbench --version)"
  printf 'wrk\t%s\n' "$(wrk -v 2>&1 | head -1 | awk '{print $1, $2}')"
  printf 'vegeta\t%s\n' "$(cd bench && go list -m -f '{{.Path}} {{.Version}}' github.com/tsenart/vegeta/v12)"
  printf 'revision\t%s\n' "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (dirty)')"
  printf 'gomaxprocs\t%s (cores) + %s for the hashing threads\n' "$(nproc)" "$(nproc)"
  printf 'dataset\t%s users x %s posts x %s connections (%s posts)\n' "$users" "$posts" "$connections" "$((users * posts))"
  printf 'seed_seconds\t%s\n' "$seed_s"
  printf 'vacuum_seconds\t%s\n' "$vacuum_s"
  printf 'hash_params\t%s\n' "argon2id m=7 MiB, t=5, p=1 (adapters/password.OWASPLowMemory)"
  printf 'hash_rate_all\t%s (pass 2: median of %s)\n' "$hash_rate_all" "$hash_runs"
  printf 'hash_bound\t%s (one a core, nice 19; GOMAXPROCS raised to %s)\n' "$(nproc)" "$((2 * $(nproc)))"
  printf 'rss_start_mb\t%s\n' "$rss_start"
  printf 'duration\t%ss\n' "$dur"
  printf 'conns\t%s\n' "$conns"
  printf 'load_before\t%s (1, 5, 15 min; the machine is shared)\n' "$load_before"
  printf 'total_seconds\t%s\n' "$(($(date +%s) - t0))"
} >"$meta"
# A small run is a check, not a result: it does not replace the committed report.
out=docs/benchmarks.md
[ "$small" = 1 ] && out=tmp/benchmarks-small.md
mkdir -p tmp
cat "$work/results-1.jsonl" >"tmp/bench-results-1.jsonl"
cat "$work/results-2.jsonl" >"tmp/bench-results-2.jsonl"
"$lg" report -results "$work/results-1.jsonl,$work/results-2.jsonl" -meta "$meta" -statements "$statements" -notes bench/notes.md -out "$out"
say "wrote $out in $(($(date +%s) - t0))s"
