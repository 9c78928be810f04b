package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"agora/adapters/postgres/pgtest"
	"agora/cmd/agora/agoratest"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// SIGTERM mid-load: the process stops accepting, finishes what it accepted,
// exits 0, and every write it acknowledged is in the database.
func TestGracefulShutdownLosesNoAcknowledgedWrite(t *testing.T) {
	t.Parallel()
	bin := agoratest.Binary(t)
	dbURL := pgtest.NewDatabase(t)
	addr := freeAddr(t)
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL, "HTTP_ADDR="+addr, "RATE_LIMIT_ENABLED=false",
		"SHUTDOWN_TIMEOUT=10s", "MAIL_DIR="+t.TempDir(), "LOG_LEVEL=warn")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	base := "http://" + addr
	client := &http.Client{Timeout: 8 * time.Second}
	for start := time.Now(); ; time.Sleep(50 * time.Millisecond) {
		if res, err := client.Get(base + "/healthz"); err == nil {
			_ = res.Body.Close()
			break
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("server did not start: %s", stderr.String())
		}
	}

	var mu sync.Mutex
	var acked []string
	answered := 0
	sigterm := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				name := fmt.Sprintf("w%d_%d", w, i)
				body, _ := json.Marshal(map[string]string{"username": name, "email": name + "@example.com", "password": "correct horse battery"})
				res, err := client.Post(base+"/api/v1/auth/register", "application/json", bytes.NewReader(body))
				if err != nil {
					var nerr net.Error
					if errors.As(err, &nerr) && nerr.Timeout() {
						t.Errorf("a request hung: %v", err)
					}
					return // refused: the server stopped accepting
				}
				_ = res.Body.Close()
				mu.Lock()
				answered++
				if res.StatusCode == http.StatusCreated {
					acked = append(acked, name)
				}
				if answered == 24 {
					once.Do(func() { close(sigterm) })
				}
				mu.Unlock()
			}
		}()
	}
	select {
	case <-sigterm:
	case <-time.After(60 * time.Second):
		t.Fatal("too slow to reach 24 answers")
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("process did not exit within 20s of SIGTERM")
	}
	wg.Wait()

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	mu.Lock()
	defer mu.Unlock()
	if len(acked) < 24 {
		t.Fatalf("only %d registrations acknowledged", len(acked))
	}
	var found int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM users WHERE username = ANY($1)", acked).Scan(&found); err != nil {
		t.Fatal(err)
	}
	if found != len(acked) {
		t.Fatalf("%d acknowledged registrations, %d in the database", len(acked), found)
	}
}
