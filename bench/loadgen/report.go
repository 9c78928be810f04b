package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
)

// The targets.
const (
	targetLoginShare  = 0.80 // login req/s over the machine's all-core verification rate
	targetPostP99ms   = 20.0 // GET /posts/{id} at 1,000 req/s
	targetFeedP99ms   = 20.0 // GET /feed at 500 req/s
	targetFloodP99ms  = 50.0 // GET /posts/{id} at 200 req/s during a login flood
	targetRSSMB       = 64.0
	targetSeedSeconds = 15.0
)

// ceilingShare is each endpoint's target: saturation req/s over the TPS of
// pgbench running the SQL a request issued when issue 18 was filed (the
// session check plus the endpoint's statement; bench/pgbench/*.sql), so a
// statement the service no longer sends counts as a gain.
var ceilingShare = map[string]float64{"post": 0.75, "feed": 0.75, "create": 0.70}

// perRequestUS is a phase's CPU seconds per request, in µs.
func perRequestUS(cpuS float64, r result) float64 {
	if r.Requests == 0 {
		return 0
	}
	return 1e6 * cpuS / float64(r.Requests)
}

// report renders docs/benchmarks.md from the collected results, the run's
// facts (meta: "key<TAB>value" lines) and the hand-written notes.
func report(args []string) error {
	fs := flag.NewFlagSet("report", flag.ExitOnError)
	resultsFile := fs.String("results", "results.jsonl", "results, one JSON object a line; several passes comma-separated")
	metaFile := fs.String("meta", "meta.tsv", "facts about the run, key<TAB>value a line")
	notesFile := fs.String("notes", "", "markdown appended at the end (analysis that outlives a run)")
	stmtsFile := fs.String("statements", "", "markdown list of the statements each request issued, as logged")
	out := fs.String("out", "docs/benchmarks.md", "write the report here")
	_ = fs.Parse(args)

	var results []map[string]result // one per pass
	for _, f := range strings.Split(*resultsFile, ",") {
		rs, err := readResults(f)
		if err != nil {
			return err
		}
		results = append(results, rs)
	}
	meta, err := readMeta(*metaFile)
	if err != nil {
		return err
	}
	var notes []byte
	if *notesFile != "" {
		if notes, err = os.ReadFile(*notesFile); err != nil {
			return err
		}
	}
	if *stmtsFile != "" {
		stmts, err := os.ReadFile(*stmtsFile)
		if err != nil {
			return err
		}
		meta["statements"] = string(stmts)
	}
	doc := render(results, meta, string(notes))
	if err := os.WriteFile(*out, []byte(doc), 0o644); err != nil { //nolint:gosec // a document
		return err
	}
	fmt.Print(summary(results, meta))
	return nil
}

func readResults(path string) (map[string]result, error) {
	f, err := os.Open(path) //nolint:gosec // the script's own file
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	out := map[string]result{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var r result
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			return nil, fmt.Errorf("%s: %q: %w", path, line, err)
		}
		out[r.Key] = r
	}
	return out, sc.Err()
}

func readMeta(path string) (map[string]string, error) {
	raw, err := os.ReadFile(path) //nolint:gosec // the script's own file
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, l := range strings.Split(string(raw), "\n") {
		if k, v, ok := strings.Cut(l, "\t"); ok {
			m[k] = strings.TrimSpace(v)
		}
	}
	return m, nil
}

// endpoints in report order: key suffix and row name.
var endpoints = []struct{ key, name string }{
	{"post", "GET /api/v1/posts/{id}"},
	{"feed", "GET /api/v1/feed"},
	{"create", "POST /api/v1/posts"},
	{"login", "POST /api/v1/auth/login"},
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "**missed**"
}

func ms(v float64) string { return fmt.Sprintf("%.2f", v) }

// check is one target with its measurement.
type check struct {
	target, measured string
	ok               bool
}

func checks(rs map[string]result, meta map[string]string) []check {
	var out []check
	for _, e := range endpoints[:3] {
		want := ceilingShare[e.key]
		target := fmt.Sprintf("%s at 64 connections: ≥ %.0f %% of pgbench TPS (issue-18 SQL), 0 errors", e.name, 100*want)
		s, okS := rs["sat/"+e.key]
		p, okP := rs["pg/"+e.key]
		if !okS || !okP || p.Throughput == 0 {
			out = append(out, check{target, "not measured", false})
			continue
		}
		share := s.Throughput / p.Throughput
		out = append(out, check{
			target,
			fmt.Sprintf("%.0f req/s = %.0f %% of %.0f TPS, %d errors", s.Throughput, 100*share, p.Throughput, s.Errors),
			share >= want && s.Errors == 0,
		})
	}
	if s, p, old := rs["sat/feed"], rs["pg/feed-now"], rs["pg/feed"]; s.DBCPUs > 0 && p.DBCPUs > 0 {
		a, b := perRequestUS(s.DBCPUs, s), perRequestUS(p.DBCPUs, p)
		out = append(out, check{
			"GET /api/v1/feed: database CPU per request ≤ pgbench's per transaction of the same SQL (feed-now: the Feed statement of sql/queries/posts.sql)",
			fmt.Sprintf("%.0f µs per request; pgbench %.0f µs on the same statement at %d clients (%.0f TPS)%s, %.0f µs on issue 18's SQL",
				a, b, p.Conns, p.Throughput, atPool(rs["pg/feed-now-pool"]), perRequestUS(old.DBCPUs, old)),
			a <= b,
		})
	} else {
		out = append(out, check{"GET /api/v1/feed: database CPU per request ≤ pgbench's on the same SQL", "not measured", false})
	}
	for _, c := range []struct {
		key, name string
		p99       float64
	}{{"rate/post", "GET /api/v1/posts/{id} at 1,000 req/s", targetPostP99ms}, {"rate/feed", "GET /api/v1/feed at 500 req/s", targetFeedP99ms}} {
		r, ok := rs[c.key]
		if !ok {
			out = append(out, check{c.name + fmt.Sprintf(": p99 < %.0f ms", c.p99), "not measured", false})
			continue
		}
		out = append(out, check{
			c.name + fmt.Sprintf(": p99 < %.0f ms", c.p99),
			fmt.Sprintf("p99 %s ms at %.0f req/s, %d errors", ms(r.P99ms), r.Throughput, r.Errors),
			r.P99ms < c.p99 && r.Errors == 0 && r.Throughput >= 0.98*r.Rate,
		})
	}
	// The target is the machine's verification rate: every core
	// hashing, as `go test -bench VerifyParallel` measures it (scripts/bench.sh:
	// the median of runs just before and just after the login phase).
	var hashRateAll float64
	_, _ = fmt.Sscan(meta["hash_rate_all"], &hashRateAll)
	runs := ""
	if h, ok := rs["hash/all"]; ok {
		hashRateAll = h.Throughput // this pass's own measurement
		runs = " (" + h.Name + ")"
	}
	if l, ok := rs["sat/login"]; ok && hashRateAll > 0 {
		measured := fmt.Sprintf("%.1f req/s = %.0f %% of %.1f verifications/s on all cores%s, %d errors",
			l.Throughput, 100*l.Throughput/hashRateAll, hashRateAll, runs, l.Errors)
		steady := true
		if r := rs["hash/all"].Runs; len(r) == 6 {
			// A machine whose speed moved across the phase leaves no yardstick.
			before, after := median(r[:3]), median(r[3:])
			if steady = max(before, after) <= maxHashDrift*min(before, after); !steady {
				measured += fmt.Sprintf("; inconclusive: the machine's rate moved from %.1f to %.1f across the phase", before, after)
			}
		}
		out = append(out, check{
			"login at 64 connections: ≥ 80 % of the machine's hash-verification rate",
			measured,
			steady && l.Throughput/hashRateAll >= targetLoginShare && l.Errors == 0,
		})
	} else {
		out = append(out, check{"login: ≥ 80 % of the machine's hash-verification rate", "not measured", false})
	}
	// The flood must have been one: its logins answered without errors, at
	// least half as fast as the saturation row's (a failed flood would make
	// the reads' p99 trivially good).
	if f, ok := rs["flood/post"]; ok {
		l, sat := rs["flood/login"], rs["sat/login"]
		measured := fmt.Sprintf("p99 %s ms, %d errors; the flood %.1f logins/s, %d errors", ms(f.P99ms), f.Errors, l.Throughput, l.Errors)
		flood := l.Requests > 0 && l.Errors == 0 && l.Throughput >= 0.5*sat.Throughput
		if !flood {
			measured += fmt.Sprintf("; not a flood (its logins must answer without errors, at least half as fast as the saturation row's %.1f/s)", sat.Throughput)
		}
		out = append(out, check{
			"GET /api/v1/posts/{id} at 200 req/s during a 64-connection login flood: p99 < 50 ms",
			measured,
			f.P99ms < targetFloodP99ms && f.Errors == 0 && flood,
		})
	} else {
		out = append(out, check{"GET /posts/{id} during a login flood: p99 < 50 ms", "not measured", false})
	}
	peak := 0.0
	for _, r := range rs {
		peak = max(peak, r.PeakRSSMB)
	}
	var startRSS float64
	_, _ = fmt.Sscan(meta["rss_start_mb"], &startRSS)
	peak = max(peak, startRSS)
	out = append(out, check{"Agora's peak RSS < 64 MB in every phase, warm-ups included", fmt.Sprintf("%.1f MB (VmHWM)", peak), peak > 0 && peak < targetRSSMB})
	var seed float64
	_, _ = fmt.Sscan(meta["seed_seconds"], &seed)
	if !strings.Contains(meta["dataset"], "(1000000 posts)") {
		return append(out, check{"1M-post seed < 15 s", fmt.Sprintf("not judged: %.1f s for %s", seed, meta["dataset"]), false})
	}
	out = append(out, check{"1M-post seed < 15 s (one seed per run, before pass 1)", fmt.Sprintf("%.1f s: `agora seed`, the whole COPY load with its foreign-key proofs; migrations and the VACUUM ANALYZE after it (%s s) apart", seed, meta["vacuum_seconds"]), seed > 0 && seed < targetSeedSeconds})
	return out
}

func summary(runs []map[string]result, meta map[string]string) string {
	var b strings.Builder
	missed := 0
	for i, rs := range runs {
		fmt.Fprintf(&b, "pass %d\n%s\n", i+1, table(rs))
		for _, c := range checks(rs, meta) {
			fmt.Fprintf(&b, "%-9s %s: %s\n", strings.Trim(verdict(c.ok), "*"), c.target, c.measured)
			if !c.ok {
				missed++
			}
		}
		b.WriteString("\n")
	}
	if missed == 0 {
		b.WriteString("overall: every target met in every pass\n")
	} else {
		fmt.Fprintf(&b, "overall: %d targets missed or not judged over the passes (a target is met only when met in every pass)\n", missed)
	}
	return b.String()
}

// table is the main table: per endpoint, saturation and the database's
// ceiling side by side, then the constant-rate runs.
func table(rs map[string]result) string {
	var b strings.Builder
	b.WriteString("| endpoint | load | req/s | p50 ms | p99 ms | errors | Agora peak RSS MB | CPU µs per request (Agora / PostgreSQL) |" +
		" pgbench TPS (issue-18 SQL) | pgbench PostgreSQL CPU µs per tx | Agora / pgbench |\n")
	b.WriteString("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, e := range endpoints {
		s, ok := rs["sat/"+e.key]
		if !ok {
			continue
		}
		pg, pgCPU, share := "n/a", "n/a", "n/a"
		if p, ok := rs["pg/"+e.key]; ok && p.Throughput > 0 {
			pg = fmt.Sprintf("%.0f", p.Throughput)
			pgCPU = fmt.Sprintf("%.0f", perRequestUS(p.DBCPUs, p))
			share = fmt.Sprintf("%.0f %%", 100*s.Throughput/p.Throughput)
		}
		if e.key == "login" {
			share = "" // its target is the hash rate, not the database's
		}
		fmt.Fprintf(&b, "| %s | wrk, %d connections | %.0f | %s | %s | %d | %.1f | %s | %s | %s | %s |\n",
			e.name, s.Conns, s.Throughput, ms(s.P50ms), ms(s.P99ms), s.Errors, s.PeakRSSMB, cpuPair(s), pg, pgCPU, share)
	}
	for _, k := range []string{"rate/post", "rate/feed", "flood/post", "flood/login"} {
		r, ok := rs[k]
		if !ok {
			continue
		}
		load := fmt.Sprintf("vegeta, constant %.0f req/s", r.Rate)
		switch {
		case r.Tool == "wrk":
			load = fmt.Sprintf("wrk, %d connections, beside the row above", r.Conns)
		case r.Mode == "flood":
			load += " + wrk login flood (64 conn.)"
		}
		rss := "(above)" // the flood's own row shares the reads' phase, measured there
		if r.PeakRSSMB > 0 {
			rss = fmt.Sprintf("%.1f", r.PeakRSSMB)
		}
		fmt.Fprintf(&b, "| %s | %s | %.0f | %s | %s | %d | %s | %s | | | |\n",
			r.Name, load, r.Throughput, ms(r.P50ms), ms(r.P99ms), r.Errors, rss, cpuPair(r))
	}
	return b.String()
}

// maxHashDrift is how far the hash rate may move between the runs before
// and after the login phase for the phase to be judged at all.
const maxHashDrift = 1.2

// median of three or more values.
func median(v []float64) float64 {
	s := slices.Sorted(slices.Values(v))
	if n := len(s); n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[len(s)/2]
}

// stolen says how much CPU the hypervisor took from this machine during the
// pass's measured phases: the host's other guests are the drift between runs
// that nothing in the run controls.
func stolen(rs map[string]result) string {
	var steal, secs float64
	for k, r := range rs {
		if k == "flood/login" { // the same seconds as flood/post
			continue
		}
		steal += r.StealS
		secs += r.Seconds
	}
	if secs == 0 {
		return ""
	}
	cores := float64(runtime.NumCPU()) // the report is written on the machine measured
	return fmt.Sprintf("CPU taken by the hypervisor (steal, /proc/stat) during this pass's measured phases: %.1f s of %.0f s × %.0f cores (%.1f %%).\n\n",
		steal, secs, cores, 100*steal/(cores*secs))
}

// atPool is pgbench's database CPU on the feed statement at as many clients
// as Agora's pool has connections, when it was measured.
func atPool(r result) string {
	if r.DBCPUs == 0 {
		return ""
	}
	return fmt.Sprintf(" and %.0f µs at %d clients, Agora's pool size (%.0f TPS)", perRequestUS(r.DBCPUs, r), r.Conns, r.Throughput)
}

// cpuPair is "app / db" CPU µs per request of a phase.
func cpuPair(r result) string {
	if r.AppCPUs == 0 && r.DBCPUs == 0 {
		return "(above)"
	}
	return fmt.Sprintf("%.0f / %.0f", perRequestUS(r.AppCPUs, r), perRequestUS(r.DBCPUs, r))
}

func render(runs []map[string]result, meta map[string]string, notes string) string {
	var b strings.Builder
	b.WriteString("# Benchmarks\n\n")
	b.WriteString("<!-- Generated by `make bench` (scripts/bench.sh, bench/loadgen report); edit bench/notes.md instead. -->\n\n")
	fmt.Fprintf(&b, "Run of %s, %s data set, two passes over it (Agora restarted for the second). Load generator,"+
		" PostgreSQL and Agora share the machine; load average before the run: %s.\n\n",
		meta["date"], meta["dataset"], meta["load_before"])
	b.WriteString("## Results\n\n")
	for i, rs := range runs {
		fmt.Fprintf(&b, "### Pass %d of %d\n\n%s\n%s", i+1, len(runs), table(rs), stolen(rs))
	}
	b.WriteString("Saturation rows: wrk, 2 threads, " + meta["conns"] + " keep-alive connections, " + meta["duration"] +
		" after a 2 s warm-up. The pgbench columns run right after each saturation row, with Agora idle, `pgbench -M prepared`" +
		" at as many clients (" + meta["conns"] + "), after a 2 s warm-up of its own, over the SQL statements one such request" +
		" issued when issue 18 was filed (bench/pgbench/*.sql: the session check plus the endpoint's statements; Agora now" +
		" beats that SQL's ceiling when it sends less). The login row has no ratio: its target is the hash rate. The flood" +
		" rows' CPU is the whole flood's (hashing included) divided by the reads. Every phase starts on the seeded data set" +
		" at rest (scripts/bench.sh quiesce). CPU per request is, from /proc, Agora's and every PostgreSQL process's user +" +
		" system time over the phase divided by its requests (10 ms resolution). Peak RSS is Agora's VmHWM during" +
		" that phase (reset between phases through /proc/PID/clear_refs).\n\n")
	b.WriteString("## Targets\n\nMet only when met in every pass.\n\n")
	b.WriteString(targets(runs, meta))
	if st := meta["statements"]; st != "" {
		b.WriteString("\n## Statements per request\n\nAs PostgreSQL logged them (`log_statement = all`) for one request of each kind" +
			" during this run, after a first one (warm caches, as in the saturation runs). `bench/pgbench/*.sql` run the SQL" +
			" of issue 18's time (the session check, then these), and feed-now the feed statement as it is now (the Feed statement of sql/queries/posts.sql)." +
			" A `-- ping` is pgxpool checking a connection that sat idle for over a second before handing it out; under load" +
			" none sits idle, and the saturation phases' pg_stat_statements show one statement per request.\n\n")
		b.WriteString(st)
	}
	b.WriteString("\n## Machine, versions, data set\n\n| | |\n| --- | --- |\n")
	for _, k := range []struct{ key, label string }{
		{"cpu", "CPU"}, {"cores", "cores"}, {"memory", "memory"}, {"kernel", "kernel"}, {"os", "OS"},
		{"go", "Go"}, {"postgres", "PostgreSQL"}, {"pg_settings", "PostgreSQL settings"}, {"wrk", "wrk"},
		{"vegeta", "vegeta"}, {"pgbench", "pgbench"}, {"revision", "Agora revision"}, {"gomaxprocs", "Agora GOMAXPROCS"},
		{"dataset", "data set"}, {"seed_seconds", "agora seed time (s)"}, {"vacuum_seconds", "VACUUM ANALYZE time (s)"},
		{"hash_params", "argon2id parameters"}, {"hash_bound", "hashing threads (niced)"},
		{"hash_rate_all", "hasher rate on all cores (verifications/s, Go benchmark)"},
		{"load_before", "load average before the run"},
		{"total_seconds", "whole run (s)"},
	} {
		if v := meta[k.key]; v != "" {
			fmt.Fprintf(&b, "| %s | %s |\n", k.label, v)
		}
	}
	b.WriteString("\n## Reproduce\n\n```sh\nmake bench                # full data set (10,000 users, 1M posts), under 10 minutes\n" +
		"BENCH_SMALL=1 make bench  # small data set, a quick check\n```\n\n")
	if notes != "" {
		b.WriteString("The rest is bench/notes.md, kept by hand: how the run works, and each round of work with the runs it names" +
			" (figures there are those runs', not necessarily this one's).\n\n")
		b.WriteString(notes)
		if !strings.HasSuffix(notes, "\n") {
			b.WriteString("\n")
		}
	}
	return b.String()
}
