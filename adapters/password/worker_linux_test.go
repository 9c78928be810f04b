package password

import (
	"context"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"agora/adapters/password/internal/argon2"
)

// Hashes that wait while one runs are taken, in turn, by the worker that
// runs it: one thread (and one workspace) for a whole flood, not one per
// hash. When none waits any more, the worker gives its workspace back.
func TestWaitingHashesRunOnTheWorkersThread(t *testing.T) {
	t.Parallel()
	h := New(Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}, 1, 7)
	ctx := context.Background()
	const waiting = 5
	release := make(chan struct{})
	type ran struct{ tid, nice int }
	out := make(chan ran, waiting+1)
	record := func(*argon2.Workspace) {
		nice, _ := unix.Getpriority(unix.PRIO_PROCESS, 0)
		out <- ran{tid: unix.Gettid(), nice: 20 - nice} // the syscall's 40..1 is nice -20..19
	}
	errc := make(chan error, waiting+1)
	go func() {
		errc <- h.run(ctx, func(w *argon2.Workspace) { record(w); <-release })
	}()
	first := <-out // the worker runs the first hash, and holds it
	for range waiting {
		go func() { errc <- h.run(ctx, record) }()
	}
	for blockedInRun() < waiting {
		runtime.Gosched()
	}
	close(release)
	for range waiting {
		if r := <-out; r != first {
			t.Errorf("a waiting hash ran on thread %+v; the worker's is %+v", r, first)
		}
	}
	for range waiting + 1 {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
	if first.nice != 7 {
		t.Errorf("worker thread at nice %d, want 7", first.nice)
	}
	if n := h.Kept(); n != 0 {
		t.Errorf("the hasher keeps %d workspaces after the flood", n)
	}
}

// blockedInRun counts the goroutines waiting in Hasher.run's select, for a
// worker or a slot.
func blockedInRun() int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "[select") && strings.Contains(g, "password.(*Hasher).run(") {
			n++
		}
	}
	return n
}
