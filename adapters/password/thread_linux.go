package password

import "golang.org/x/sys/unix"

// lowerThreadPriority sets the calling thread's niceness (Linux sets it per
// thread); the caller has locked its goroutine to the thread. Best effort:
// without the right to lower priority (it never needs one) hashes still run,
// at normal priority.
func lowerThreadPriority(nice int) {
	_ = unix.Setpriority(unix.PRIO_PROCESS, unix.Gettid(), nice)
}
