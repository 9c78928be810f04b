// Command loadgen is the stack test's client: run in a container on the
// stack's network, it registers one user and then sends a steady mix of
// writes and reads through Nginx (HTTP/2 over TLS, as a browser or a current
// HTTP client would), until a stop file appears.
//
//	loadgen -base https://nginx -rate 20 -name lg1 -control /control -ca /control/ca.pem
//
// It writes /control/NAME.json: requests sent, succeeded and failed, the
// first failures, and the id of every post the API acknowledged with 201, so
// the test can check that none of them was lost.
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"agora/deploy/stack/loadgen/result"
)

func main() {
	base := flag.String("base", "https://nginx", "Nginx's address on the stack network")
	host := flag.String("host", "agora.test", "TLS server name and Host header")
	rate := flag.Int("rate", 20, "requests per second")
	name := flag.String("name", "lg", "name of this client (user name prefix, result file)")
	control := flag.String("control", "/control", "folder watched for the stop file; results go here")
	caFile := flag.String("ca", "", "PEM file of the CA that signed Nginx's certificate")
	maxDur := flag.Duration("max", 5*time.Minute, "stop after this long even without the stop file")
	flag.Parse()
	if err := run(*base, *host, *rate, *name, *control, *caFile, *maxDur); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func run(base, host string, rate int, name, control, caFile string, maxDur time.Duration) error {
	if rate < 1 || rate > 1000 {
		return fmt.Errorf("rate %d out of 1-1000", rate)
	}
	pool := x509.NewCertPool()
	if caFile != "" {
		pem, err := os.ReadFile(caFile) //nolint:gosec // the operator names the CA file
		if err != nil {
			return err
		}
		if !pool.AppendCertsFromPEM(pem) {
			return errors.New("no certificate in " + caFile)
		}
	}
	client := &http.Client{
		Timeout: 15 * time.Second,
		Transport: &http.Transport{
			TLSClientConfig:     &tls.Config{RootCAs: pool, ServerName: host, MinVersion: tls.VersionTLS12},
			ForceAttemptHTTP2:   true,
			MaxIdleConnsPerHost: 8,
		},
	}
	c := &caller{client: client, base: base + "/api/v1", host: host}

	// One account per client: registration also logs in.
	var reg struct {
		AccessToken string `json:"access_token"`
	}
	user := fmt.Sprintf("%s_%d", name, time.Now().UnixNano()%1e9)
	body := fmt.Sprintf(`{"username":%q,"email":"%s@agora.test","password":"correct horse battery staple"}`, user, user)
	if status, err := c.do(http.MethodPost, "/auth/register", body, "", &reg); err != nil || status != http.StatusCreated {
		return fmt.Errorf("register: status %d: %w", status, err)
	}
	c.token = reg.AccessToken

	res := result.Result{Name: name, Failures: []string{}, Created: []string{}}
	var mu sync.Mutex
	record := func(ok bool, what string) {
		mu.Lock()
		defer mu.Unlock()
		res.Sent++
		if ok {
			res.Succeeded++
			return
		}
		res.Failed++
		if len(res.Failures) < 20 {
			res.Failures = append(res.Failures, time.Now().UTC().Format(time.RFC3339Nano)+" "+what)
		}
	}

	ticker := time.NewTicker(time.Second / time.Duration(rate))
	defer ticker.Stop()
	deadline := time.Now().Add(maxDur)
	stopFile := filepath.Join(control, "stop")
	var wg sync.WaitGroup
	for i := 0; time.Now().Before(deadline); i++ {
		if i%rate == 0 {
			if _, err := os.Stat(stopFile); err == nil {
				break
			}
		}
		<-ticker.C
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			switch i % 3 {
			case 0: // a write: every 201 must survive the deploy
				var p struct {
					ID string `json:"id"`
				}
				status, err := c.do(http.MethodPost, "/posts", fmt.Sprintf(`{"body":"load %s %d"}`, name, i), c.token, &p)
				ok := err == nil && status == http.StatusCreated && p.ID != ""
				record(ok, fmt.Sprintf("POST /posts: %d %v", status, err))
				if ok {
					mu.Lock()
					res.Created = append(res.Created, p.ID)
					mu.Unlock()
				}
			case 1:
				status, err := c.do(http.MethodGet, "/feed?limit=20", "", c.token, nil)
				record(err == nil && status == http.StatusOK, fmt.Sprintf("GET /feed: %d %v", status, err))
			default:
				status, err := c.do(http.MethodGet, "/users/me", "", c.token, nil)
				record(err == nil && status == http.StatusOK, fmt.Sprintf("GET /users/me: %d %v", status, err))
			}
		}(i)
	}
	wg.Wait()
	b, err := json.MarshalIndent(res, "", " ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(control, name+".json.tmp")
	// The test reads it as another user than the container's.
	if err := os.WriteFile(tmp, b, 0o644); err != nil { //nolint:gosec // holds no secret
		return err
	}
	return os.Rename(tmp, filepath.Join(control, name+".json"))
}

type caller struct {
	client *http.Client
	base   string
	host   string
	token  string
}

// do sends one request and decodes a JSON answer into out (when not nil).
func (c *caller) do(method, path, body, token string, out any) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var rd io.Reader
	if body != "" {
		rd = bytes.NewReader([]byte(body))
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, err
	}
	req.Host = c.host
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, err
		}
	}
	if resp.StatusCode >= 400 {
		return resp.StatusCode, fmt.Errorf("%.200s", b)
	}
	return resp.StatusCode, nil
}
