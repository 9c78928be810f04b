// Command healthcheck is the container health probe of the Agora image.
//
// The runtime image is distroless (no shell, curl or wget), so Docker's
// HEALTHCHECK runs this small static binary instead:
//
//	healthcheck [URL]
//
// It GETs URL (default http://127.0.0.1:8000/healthz) with a short timeout
// and exits 0 on a 2xx answer, 1 otherwise.
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

func main() {
	url := "http://127.0.0.1:8000/healthz"
	if len(os.Args) > 1 {
		url = os.Args[1]
	}
	if err := probe(url, 3*time.Second); err != nil {
		fmt.Fprintln(os.Stderr, "unhealthy:", err)
		os.Exit(1)
	}
}

func probe(url string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	// The URL comes from the image's own HEALTHCHECK line, not from a user.
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil) //nolint:gosec // fixed probe URL
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", "agora-healthcheck")
	resp, err := http.DefaultClient.Do(req) //nolint:gosec // fixed probe URL
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%s answered %s", url, resp.Status)
	}
	return nil
}
