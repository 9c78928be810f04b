// Command loadgen is the Go half of `make bench` (scripts/bench.sh): it logs
// the benchmark users in, drives constant-rate load with vegeta's attacker
// (open loop: requests leave on schedule whether or not earlier ones have
// answered, so a slow server shows up as latency, not as a lower rate), and
// renders docs/benchmarks.md from the results the script collected.
//
//	loadgen login  -url U -users K -password PW -out tokens.txt
//	loadgen rate   -url U -endpoint post|feed -rate R -duration D -tokens F [-ids F] [-name N]
//	loadgen report -results results.jsonl -meta meta.json -out docs/benchmarks.md
//	loadgen port   (prints a free loopback port)
//	loadgen wait   -url U -timeout D   (until U answers 200)
//	loadgen get    -url U -out F       (saves U's body, e.g. a pprof profile)
//	loadgen once   -url U -method M -token T [-body JSON]   (one request; fails unless 2xx)
//	loadgen cpu    -agora PID -postmaster PID   (CPU seconds used so far by each)
//
// Every measurement is printed as one JSON line (see result) on stdout.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: loadgen login|rate|report [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "login":
		err = login(os.Args[2:])
	case "rate":
		err = rate(os.Args[2:])
	case "report":
		err = report(os.Args[2:])
	case "port":
		err = port()
	case "wait":
		err = wait(os.Args[2:])
	case "get":
		err = get(os.Args[2:])
	case "once":
		err = once(os.Args[2:])
	case "cpu":
		err = cpu(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// result is one measurement, as scripts/bench.sh and the wrk script write it.
type result struct {
	Key        string         `json:"key"`            // what the report looks it up by: "sat/post", "pg/feed"...
	Name       string         `json:"name"`           // the row: "GET /posts/{id}"
	Tool       string         `json:"tool"`           // wrk, vegeta, pgbench
	Mode       string         `json:"mode"`           // saturation, rate, ceiling, flood
	Conns      int            `json:"conns,omitzero"` // concurrent connections (saturation, ceiling)
	Rate       float64        `json:"rate,omitzero"`  // target req/s (rate)
	Requests   int64          `json:"requests"`
	Seconds    float64        `json:"seconds"`
	Throughput float64        `json:"throughput"` // successful req/s (or pgbench TPS)
	P50ms      float64        `json:"p50_ms"`
	P99ms      float64        `json:"p99_ms"`
	Errors     int64          `json:"errors"`
	Codes      map[string]int `json:"codes,omitempty"`
	PeakRSSMB  float64        `json:"peak_rss_mb,omitzero"` // Agora's VmHWM over this phase
	AppCPUs    float64        `json:"app_cpu_s,omitzero"`   // Agora's CPU seconds over this phase
	DBCPUs     float64        `json:"db_cpu_s,omitzero"`    // PostgreSQL's CPU seconds (every process)
	StealS     float64        `json:"steal_s,omitzero"`     // CPU seconds the hypervisor took from this machine's CPUs
	Runs       []float64      `json:"runs,omitempty"`       // the hash rate's runs, three before the login phase and three after
}

// login signs user1..userK in and writes their access tokens, one a line.
func login(args []string) error {
	fs := flag.NewFlagSet("login", flag.ExitOnError)
	base := fs.String("url", "http://127.0.0.1:8000", "Agora's base URL")
	users := fs.Int("users", 64, "log in user1..userN")
	password := fs.String("password", "", "the seeded password")
	out := fs.String("out", "tokens.txt", "write the access tokens here")
	_ = fs.Parse(args)
	tokens := make([]string, *users)
	errs := make([]error, *users)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	client := &http.Client{Timeout: 30 * time.Second}
	for i := range *users {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			body, _ := json.Marshal(map[string]string{"login": fmt.Sprintf("user%d", i+1), "password": *password})
			req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, *base+"/api/v1/auth/login", bytes.NewReader(body))
			if err != nil {
				errs[i] = err
				return
			}
			req.Header.Set("Content-Type", "application/json")
			res, err := client.Do(req)
			if err != nil {
				errs[i] = err
				return
			}
			defer res.Body.Close()
			raw, _ := io.ReadAll(res.Body)
			var t struct {
				AccessToken string `json:"access_token"`
			}
			if res.StatusCode != http.StatusOK || json.Unmarshal(raw, &t) != nil || t.AccessToken == "" {
				errs[i] = fmt.Errorf("login user%d: %s: %s", i+1, res.Status, raw)
				return
			}
			tokens[i] = t.AccessToken
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return os.WriteFile(*out, []byte(strings.Join(tokens, "\n")+"\n"), 0o600)
}

func readLines(path string) ([]string, error) {
	raw, err := os.ReadFile(path) //nolint:gosec // the script's own file
	if err != nil {
		return nil, err
	}
	var out []string
	for _, l := range strings.Split(string(raw), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s is empty", path)
	}
	return out, nil
}

// rate holds a constant request rate for a while and reports exact
// percentiles of every request's latency.
func rate(args []string) error {
	fs := flag.NewFlagSet("rate", flag.ExitOnError)
	base := fs.String("url", "http://127.0.0.1:8000", "Agora's base URL")
	endpoint := fs.String("endpoint", "post", "post (GET /posts/{id}) or feed (GET /feed)")
	freq := fs.Int("rate", 1000, "requests per second")
	duration := fs.Duration("duration", 15*time.Second, "how long")
	tokensFile := fs.String("tokens", "tokens.txt", "access tokens, one a line")
	idsFile := fs.String("ids", "", "post ids visible to every token, one a line (endpoint post)")
	name := fs.String("name", "", "row name in the report")
	key := fs.String("key", "", "result key (rate/post, flood/post...)")
	mode := fs.String("mode", "rate", "mode label in the report (rate, flood)")
	_ = fs.Parse(args)
	tokens, err := readLines(*tokensFile)
	if err != nil {
		return err
	}
	var ids []string
	if *endpoint == "post" {
		if ids, err = readLines(*idsFile); err != nil {
			return err
		}
	}
	headers := make([]http.Header, len(tokens))
	for i, t := range tokens {
		headers[i] = http.Header{"Authorization": {"Bearer " + t}}
	}
	targeter := func(t *vegeta.Target) error {
		t.Method = http.MethodGet
		t.Header = headers[rand.IntN(len(headers))] //nolint:gosec // load pattern, not a secret
		switch *endpoint {
		case "post":
			t.URL = *base + "/api/v1/posts/" + ids[rand.IntN(len(ids))] //nolint:gosec // load pattern
		case "feed":
			t.URL = *base + "/api/v1/feed"
		default:
			return fmt.Errorf("unknown endpoint %q", *endpoint)
		}
		return nil
	}
	// At most 64 connections, like the saturation runs and like Nginx's pool
	// in front of Agora: when Agora stalls, requests queue for a connection
	// (and that wait counts in their latency) instead of opening hundreds.
	attacker := vegeta.NewAttacker(vegeta.Timeout(10*time.Second), vegeta.KeepAlive(true),
		vegeta.Workers(16), vegeta.MaxWorkers(512), vegeta.Connections(64), vegeta.MaxConnections(64))
	pace := vegeta.Rate{Freq: *freq, Per: time.Second}
	res := result{Key: *key, Name: *name, Tool: "vegeta", Mode: *mode, Rate: float64(*freq), Codes: map[string]int{}}
	var lat []time.Duration
	start := time.Now()
	for r := range attacker.Attack(targeter, pace, *duration, *name) {
		res.Requests++
		lat = append(lat, r.Latency)
		res.Codes[fmt.Sprint(r.Code)]++
		if r.Code < 200 || r.Code > 299 || r.Error != "" {
			res.Errors++
		}
	}
	res.Seconds = time.Since(start).Seconds()
	res.Throughput = float64(res.Requests-res.Errors) / res.Seconds
	slices.Sort(lat)
	res.P50ms, res.P99ms = quantileMS(lat, 0.50), quantileMS(lat, 0.99)
	return json.NewEncoder(os.Stdout).Encode(res)
}

// quantileMS is the nearest-rank quantile of sorted latencies, in ms.
func quantileMS(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := min(len(sorted)-1, max(0, int(float64(len(sorted))*q+0.999999)-1))
	return float64(sorted[i].Microseconds()) / 1000
}

// port prints a free loopback TCP port.
func port() error {
	l, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer l.Close()
	_, err = fmt.Println(l.Addr().(*net.TCPAddr).Port)
	return err
}

// wait polls a URL until it answers 200 or the timeout passes.
func wait(args []string) error {
	fs := flag.NewFlagSet("wait", flag.ExitOnError)
	u := fs.String("url", "", "URL to poll")
	timeout := fs.Duration("timeout", 15*time.Second, "give up after")
	_ = fs.Parse(args)
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(*timeout)
	for {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, *u, nil)
		if err != nil {
			return err
		}
		res, err := client.Do(req)
		if err == nil {
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
			err = errors.New(res.Status)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: %w", *u, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// get saves a URL's body to a file.
func get(args []string) error {
	fs := flag.NewFlagSet("get", flag.ExitOnError)
	u := fs.String("url", "", "URL")
	out := fs.String("out", "", "file")
	_ = fs.Parse(args)
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, *u, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req) //nolint:gosec // a URL the script built
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", *u, res.Status)
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, res.Body); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// once sends one request and fails unless it answers 2xx.
func once(args []string) error {
	fs := flag.NewFlagSet("once", flag.ExitOnError)
	u := fs.String("url", "", "URL")
	method := fs.String("method", http.MethodGet, "method")
	token := fs.String("token", "", "bearer token")
	body := fs.String("body", "", "JSON body")
	_ = fs.Parse(args)
	var rd io.Reader
	if *body != "" {
		rd = strings.NewReader(*body)
	}
	req, err := http.NewRequestWithContext(context.Background(), *method, *u, rd)
	if err != nil {
		return err
	}
	if *body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if *token != "" {
		req.Header.Set("Authorization", "Bearer "+*token)
	}
	res, err := http.DefaultClient.Do(req) //nolint:gosec // a URL the script built
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("%s %s: %s: %s", *method, *u, res.Status, raw)
	}
	return nil
}
