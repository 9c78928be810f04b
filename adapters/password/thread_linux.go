package password

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// onLowPriorityThread runs f on an OS thread of its own whose scheduling
// priority is lowered to nice (Linux sets niceness per thread), and returns
// when f has. The goroutine stays locked to the thread and exits locked, so
// the runtime ends the thread with it and the niceness never reaches another
// goroutine. Creating the thread costs tens of microseconds against the
// milliseconds of a hash.
func onLowPriorityThread(nice int, f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread() // never unlocked: see above
		// Best effort: without the right to lower priority (it never needs
		// one) the hash still runs, at normal priority.
		_ = unix.Setpriority(unix.PRIO_PROCESS, unix.Gettid(), nice)
		f()
	}()
	<-done
}
